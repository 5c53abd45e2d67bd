//! Availability to promise: what each item may be sold of, per active location and for the
//! network, as a channel may sell it, with what arrives when and the earliest delivery date to
//! a destination when asked.

use std::collections::BTreeMap;

use ordo_domain::auth::{Action, Principal};
use ordo_domain::channel::StockRules;
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::NamedPlace;
use ordo_domain::inventory::{Position, SkuAvailability, summarize};
use ordo_domain::location::Location;
use ordo_domain::order::SupplyView;
use ordo_domain::promise::{
    Dated, Promise, PromiseScene, Supply, TransitModel, earliest_promise, timeline, utc_date,
};
use ordo_domain::values::{ChannelCode, Sku};
use ordo_store::PromiseContext;

use crate::App;
use crate::error::{AppError, AppResult};

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

/// What the answers are computed from, loaded once for every item asked.
struct Facts<'a> {
    rules: Option<StockRules>,
    positions: BTreeMap<Sku, Vec<Position>>,
    context: PromiseContext,
    supply: SupplyView,
    transit: &'a dyn TransitModel,
    now_ms: i64,
}

impl App {
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
        let channel = crate::holds::own_channel(scope, request.channel.clone())?;
        let mut facts = self.availability_facts(channel, &request).await?;
        Ok(request
            .skus
            .iter()
            .map(|sku| facts.item(sku, &request))
            .collect())
    }

    async fn availability_facts(
        &self,
        channel: Option<ChannelCode>,
        request: &AvailabilityRequest,
    ) -> AppResult<Facts<'_>> {
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
        let mut positions: BTreeMap<Sku, Vec<Position>> = BTreeMap::new();
        for position in self
            .store
            .positions_for_availability(&request.skus, now_ms)
            .await?
        {
            positions
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
        Ok(Facts {
            rules,
            positions,
            context,
            supply,
            transit: self.transit(),
            now_ms,
        })
    }
}

impl Facts<'_> {
    /// One item's answer.
    fn item(&mut self, sku: &Sku, request: &AvailabilityRequest) -> ItemAvailability {
        let positions = self.positions.remove(sku).unwrap_or_default();
        let summary = summarize(sku.clone(), positions, self.rules.as_ref());
        let incoming: Vec<Supply> = self
            .supply
            .incoming
            .get(sku)
            .into_iter()
            .flatten()
            .filter(|s| !self.excluded(s))
            .cloned()
            .collect();
        let waiting = self.supply.waiting.get(sku).copied().unwrap_or(0);
        let timeline = if request.by_date {
            timeline(summary.available, &incoming, waiting)
        } else {
            Vec::new()
        };
        let promise = request
            .destination
            .as_ref()
            .map(|place| self.promise(sku, &summary, &incoming, waiting, place));
        ItemAvailability {
            summary,
            incoming,
            waiting,
            timeline,
            promise,
        }
    }

    /// Whether the channel's rules leave out the location this supply arrives at.
    fn excluded(&self, supply: &Supply) -> bool {
        self.rules
            .as_ref()
            .is_some_and(|r| r.excluded_locations.contains(&supply.location))
    }

    /// The earliest delivery to `place`: from the locations that ship and have units, from
    /// supply on its way, or at an open preorder's release.
    fn promise(
        &self,
        sku: &Sku,
        summary: &SkuAvailability,
        incoming: &[Supply],
        waiting: i64,
        place: &NamedPlace,
    ) -> Option<Promise> {
        let locations = &self.context.locations;
        let stocked: Vec<&Location> = summary
            .locations
            .iter()
            .filter(|l| l.available > 0)
            .filter_map(|l| {
                locations
                    .iter()
                    .find(|c| c.code == l.position.location && c.ships())
            })
            .collect();
        let preorder_open = self
            .rules
            .as_ref()
            .and_then(|r| r.item(sku))
            .and_then(|r| r.allow_preorder)
            != Some(false);
        let today = utc_date(self.now_ms);
        let release = self
            .context
            .items
            .get(sku)
            .and_then(|f| f.preorder.as_ref())
            .filter(|p| preorder_open && p.release_date > today && p.taken < p.cap)
            .map(|p| p.release_date);
        let scene = PromiseScene {
            locations,
            destination: place.point(),
            now_ms: self.now_ms,
            transit: self.transit,
        };
        earliest_promise(&stocked, incoming, waiting, release, &scene)
    }
}
