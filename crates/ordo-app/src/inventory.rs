//! Stock: counts, adjustments, reclassifications, positions, the ledger, and availability to
//! promise.

use std::collections::BTreeMap;

use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::NamedPlace;
use ordo_domain::inventory::{
    LedgerEntry, MoveProblem, Movement, Position, SkuAvailability, StockState, summarize,
};
use ordo_domain::location::Location;
use ordo_domain::order::SupplyView;
use ordo_domain::promise::{
    Dated, Promise, PromiseScene, Supply, earliest_promise, timeline, utc_date,
};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{LedgerRecord, Page, PageRequest, PositionFilter, PromiseContext};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::stock_moves::{Moved, Moves, move_stock};
use crate::transact::retrying;

/// One signed correction of on hand, in one of its states.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub location: LocationCode,
    pub sku: Sku,
    pub delta: i64,
    pub state: StockState,
}

/// Units changing state where they are: sellable to damaged, quality hold to sellable...
#[derive(Debug, Clone)]
pub struct Reclassification {
    pub location: LocationCode,
    pub sku: Sku,
    pub quantity: i64,
    pub from: StockState,
    pub to: StockState,
}

/// Counted figures for one position; `None` leaves that figure as it is.
#[derive(Debug, Clone)]
pub struct Count {
    pub on_hand: i64,
    pub safety_stock: Option<i64>,
    pub damaged: Option<i64>,
    pub quality_hold: Option<i64>,
}

impl App {
    /// Sets counted figures; the differences are ledgered.
    pub async fn count_stock(
        &self,
        location: LocationCode,
        sku: Sku,
        count: Count,
        reason: Option<String>,
        actor: &str,
    ) -> AppResult<LedgerEntry> {
        let movement = Movement::Count {
            on_hand: count.on_hand,
            safety_stock: count.safety_stock,
            damaged: count.damaged,
            quality_hold: count.quality_hold,
        };
        let batch = self.movement_batch(
            vec![(location.clone(), sku.clone(), movement)],
            reason,
            actor,
        );
        match self.move_stock(&batch).await? {
            Ok(mut entries) => entries
                .pop()
                .ok_or_else(|| AppError::Internal("a count wrote no ledger entry".into())),
            Err(problems) => Err(match &problems[0].1 {
                MoveProblem::UnknownLocation => AppError::NotFound(format!("location {location}")),
                MoveProblem::UnknownItem => AppError::NotFound(format!("item {sku}")),
                MoveProblem::Refused(refusal) => {
                    AppError::StockConflict(FieldErrors::single("on_hand", refusal.to_string()))
                }
            }),
        }
    }

    /// Applies signed deltas to on hand, all or none.
    pub async fn adjust_stock(
        &self,
        adjustments: Vec<Adjustment>,
        reason: String,
        actor: &str,
    ) -> AppResult<Vec<LedgerEntry>> {
        let moves = adjustments
            .into_iter()
            .map(|a| {
                (
                    a.location,
                    a.sku,
                    Movement::Adjust {
                        delta: a.delta,
                        state: a.state,
                    },
                )
            })
            .collect();
        self.apply_moves("adjustments", "delta", moves, Some(reason), actor)
            .await
    }

    /// Moves units between states where they are, all or none.
    pub async fn reclassify_stock(
        &self,
        changes: Vec<Reclassification>,
        reason: String,
        actor: &str,
    ) -> AppResult<Vec<LedgerEntry>> {
        let moves = changes
            .into_iter()
            .map(|c| {
                (
                    c.location,
                    c.sku,
                    Movement::Reclassify {
                        quantity: c.quantity,
                        from: c.from,
                        to: c.to,
                    },
                )
            })
            .collect();
        self.apply_moves("reclassifications", "quantity", moves, Some(reason), actor)
            .await
    }

    /// Applies movements named in a list called `list` of the request; problems name the
    /// entry and its field (`figure` for a refused movement).
    async fn apply_moves(
        &self,
        list: &str,
        figure: &str,
        moves: Vec<(LocationCode, Sku, Movement)>,
        reason: Option<String>,
        actor: &str,
    ) -> AppResult<Vec<LedgerEntry>> {
        let batch = self.movement_batch(moves, reason, actor);
        match self.move_stock(&batch).await? {
            Ok(entries) => Ok(entries),
            Err(problems) => {
                let mut unknown = FieldErrors::new();
                let mut refused = FieldErrors::new();
                for (i, problem) in problems {
                    let (l, s, _) = &batch.moves[i];
                    match problem {
                        MoveProblem::UnknownLocation => unknown.push(
                            format!("{list}[{i}].location"),
                            format!("no location has code {l}"),
                        ),
                        MoveProblem::UnknownItem => {
                            unknown.push(format!("{list}[{i}].sku"), format!("no item has SKU {s}"))
                        }
                        MoveProblem::Refused(refusal) => {
                            refused.push(format!("{list}[{i}].{figure}"), refusal.to_string())
                        }
                    }
                }
                Err(if unknown.is_empty() {
                    AppError::StockConflict(refused)
                } else {
                    AppError::Invalid(unknown)
                })
            }
        }
    }

    async fn move_stock(&self, batch: &Moves) -> AppResult<Moved> {
        let deciders = self.deciders();
        retrying(|| move_stock(self.store.as_ref(), batch, &deciders)).await
    }

    fn movement_batch(
        &self,
        moves: Vec<(LocationCode, Sku, Movement)>,
        reason: Option<String>,
        actor: &str,
    ) -> Moves {
        let now_ms = self.clock.now_ms();
        Moves {
            moves,
            reason,
            reference: Some(new_id("mov", now_ms)),
            actor: actor.to_string(),
            now_ms,
        }
    }

    pub async fn positions(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
    ) -> AppResult<Page<Position>> {
        Ok(self
            .store
            .positions(filter, page, self.clock.now_ms())
            .await?)
    }

    pub async fn ledger(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
    ) -> AppResult<Page<LedgerRecord>> {
        Ok(self.store.ledger(filter, page).await?)
    }

    /// What each item is available to promise, per active location and for the network, in
    /// the order asked: after the channel's rules when a channel asks (a channel key always
    /// sees its own channel's view), with what arrives when if `by_date`, and with the
    /// earliest delivery date if a destination is given. Unknown items answer with nothing
    /// available.
    pub async fn availability(
        &self,
        principal: &Principal,
        request: AvailabilityRequest,
    ) -> AppResult<Vec<ItemAvailability>> {
        let scope = principal.scope(Action::ReadAvailability)?;
        let channel = crate::holds::own_channel(scope, request.channel)?;
        let rules = match &channel {
            Some(code) => Some(self.store.stock_rules(code).await?.ok_or_else(|| {
                AppError::Invalid(FieldErrors::single(
                    "channel",
                    format!("no channel has code {code}"),
                ))
            })?),
            None => None,
        };
        let now_ms = self.clock.now_ms();
        let mut by_sku: BTreeMap<Sku, Vec<Position>> = BTreeMap::new();
        for position in self
            .store
            .positions_for_availability(&request.skus, now_ms)
            .await?
        {
            by_sku
                .entry(position.sku.clone())
                .or_default()
                .push(position);
        }
        let wants_supply = request.by_date || request.destination.is_some();
        let mut context = if wants_supply {
            self.store.promise_context(&request.skus).await?
        } else {
            PromiseContext::default()
        };
        let incoming = std::mem::take(&mut context.incoming);
        let supply = SupplyView::dated(incoming, &context.locations, self.transit());
        let excluded = |code: &LocationCode| {
            rules
                .as_ref()
                .is_some_and(|r| r.excluded_locations.contains(code))
        };
        let today = utc_date(now_ms);
        let mut answers = Vec::with_capacity(request.skus.len());
        for sku in &request.skus {
            let summary = summarize(
                sku.clone(),
                by_sku.remove(sku).unwrap_or_default(),
                rules.as_ref(),
            );
            let incoming: Vec<Supply> = supply
                .incoming
                .get(sku)
                .into_iter()
                .flatten()
                .filter(|s| !excluded(&s.location))
                .cloned()
                .collect();
            let waiting = supply.waiting.get(sku).copied().unwrap_or(0);
            let timeline = if request.by_date {
                timeline(summary.available, &incoming, waiting)
            } else {
                Vec::new()
            };
            let promise = request.destination.as_ref().map(|place| {
                let destination = place.point();
                let stocked: Vec<&Location> = summary
                    .locations
                    .iter()
                    .filter(|l| l.available > 0)
                    .filter_map(|l| {
                        context
                            .locations
                            .iter()
                            .find(|c| c.code == l.position.location && c.ships())
                    })
                    .collect();
                let preorder_open = rules
                    .as_ref()
                    .and_then(|r| r.item(sku))
                    .and_then(|r| r.allow_preorder)
                    != Some(false);
                let release = context
                    .items
                    .get(sku)
                    .and_then(|f| f.preorder.as_ref())
                    .filter(|p| preorder_open && p.release_date > today && p.taken < p.cap)
                    .map(|p| p.release_date);
                let scene = PromiseScene {
                    locations: &context.locations,
                    destination,
                    now_ms,
                    transit: self.transit(),
                };
                earliest_promise(&stocked, &incoming, waiting, release, &scene)
            });
            answers.push(ItemAvailability {
                summary,
                incoming,
                waiting,
                timeline,
                promise,
            });
        }
        Ok(answers)
    }
}

/// How availability is asked for.
#[derive(Debug, Clone, Default)]
pub struct AvailabilityRequest {
    pub skus: Vec<Sku>,
    /// See it as this channel may sell it.
    pub channel: Option<ChannelCode>,
    /// Add what arrives when.
    pub by_date: bool,
    /// Add the earliest delivery date to this destination (which may not be placeable).
    pub destination: Option<NamedPlace>,
}

/// One item's availability, with its supply and promise when asked.
#[derive(Debug, Clone)]
pub struct ItemAvailability {
    pub summary: SkuAvailability,
    /// Supply on its way, by the date it is ready to ship.
    pub incoming: Vec<Supply>,
    /// Units already waiting for that supply.
    pub waiting: i64,
    pub timeline: Vec<Dated>,
    /// `None` when not asked; `Some(None)` when nothing can be promised.
    pub promise: Option<Option<Promise>>,
}
