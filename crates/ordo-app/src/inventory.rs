//! Stock: counts, adjustments, reclassifications, positions and the ledger (availability to
//! promise is `availability.rs`).

use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::{LedgerEntry, MoveProblem, Movement, Position, StockState};
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{LedgerRecord, Page, PageRequest, PositionFilter};

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
}
