//! What a batch of orders is decided against, loaded once before its first order, and the
//! decision for each order of the batch in turn. Orders of one batch see each other: a key
//! or an external id claimed by an earlier order, units it reserved, preorder units it took.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ordo_domain::allocation::Routing;
use ordo_domain::channel::StockRules;
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::{FulfillmentOrder, release};
use ordo_domain::inventory::{StockBook, channel_available};
use ordo_domain::location::Location;
use ordo_domain::order::{
    Delivery, HoldToConvert, ItemFacts, PlaceContext, PlaceInput, PlaceRejection, Placement,
    SupplyView, place,
};
use ordo_domain::routing::RoutingCause;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{Deciders, HoldRecord, KnownOrder, Routers, StoredClaim, Tx};

use crate::place_command::{Decided, PlaceCommand, PlaceOutcome, claim_key, external_key};
use crate::stock::StockWork;
use crate::transact::Attempt;

/// Which items' incoming supply a batch loads: placing needs it only to date units that
/// must wait, so first only for the items that may run short.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SupplyScope {
    MayRunShort,
    Every,
}

pub(crate) struct BatchFacts<'d> {
    /// Stored idempotency claims, and those of the batch's placed orders.
    claims: HashMap<(String, String), StoredClaim>,
    /// Orders stored under the batch's external ids, and the batch's placed orders.
    known: HashMap<(String, String), KnownOrder>,
    /// The checkout holds the batch converts, locked.
    holds: HashMap<String, HoldRecord>,
    locations: Arc<Vec<Location>>,
    rules: HashMap<ChannelCode, StockRules>,
    items: HashMap<Sku, ItemFacts>,
    supply: SupplyView,
    /// The items whose incoming supply was loaded.
    dated: BTreeSet<Sku>,
    routers: Routers<'d>,
    /// Fulfilment orders released at capture.
    pub released: Vec<FulfillmentOrder>,
}

impl<'d> BatchFacts<'d> {
    /// Loads what the batch is decided against, and begins its stock work. Reference data
    /// before the positions: the fewer statements run while positions are locked, the less
    /// concurrent batches wait for each other. External ids before claims: each statement
    /// sees what was committed when it began (PostgreSQL's read committed), so an order seen
    /// by its external id is seen by its idempotency key too, and a retry is answered as a
    /// replay, not a duplicate.
    pub async fn load(
        tx: &mut Tx,
        batch: &[PlaceCommand],
        deciders: &Deciders<'d>,
        scope: SupplyScope,
        now_ms: i64,
    ) -> Attempt<(Self, StockWork)> {
        let wanted = batch
            .iter()
            .map(|c| (c.draft.channel.as_str(), c.draft.external_id.as_str()));
        let known = tx.orders_by_external_id(&wanted.collect()).await?;
        let claims: Vec<&_> = batch
            .iter()
            .filter_map(|c| c.idempotency.as_ref())
            .collect();
        let claims = tx.idempotency_claims(&claims).await?;
        let hold_ids: BTreeSet<&str> = batch
            .iter()
            .filter_map(|c| c.draft.hold_id.as_deref())
            .collect();
        let line_skus: BTreeSet<&Sku> = batch
            .iter()
            .flat_map(|c| c.draft.lines.iter().map(|l| &l.sku))
            .collect();
        let mut skus: BTreeSet<Sku> = line_skus.iter().map(|s| (*s).clone()).collect();
        skus.extend(tx.checkout_holds_skus(&hold_ids).await?);
        let locations = tx.locations().await?;
        let channels: BTreeSet<&str> = batch.iter().map(|c| c.draft.channel.as_str()).collect();
        let rules = tx.channel_rules(&channels).await?;
        // Reference data first: on PostgreSQL, what is read after the positions are locked
        // holds up every batch waiting for them.
        let routers = tx
            .routers(channels.iter().copied(), deciders.router)
            .await?;
        let work = StockWork::begin(tx, &skus, now_ms).await?;
        let mut holds = tx.lock_checkout_holds(&hold_ids).await?;
        for record in holds.values_mut() {
            work.changes.overlay(&mut record.reservations);
        }
        let items = tx.item_facts(&line_skus).await?;
        let dated: BTreeSet<Sku> = match scope {
            SupplyScope::Every => line_skus.iter().map(|s| (*s).clone()).collect(),
            SupplyScope::MayRunShort => {
                may_run_short(batch, &work.changes.book, &locations, &rules)
            }
        };
        let incoming = tx.incoming_supply(&dated.iter().collect()).await?;
        let supply = SupplyView::dated(incoming, &locations, deciders.transit);
        let facts = Self {
            claims,
            known,
            holds,
            locations,
            rules,
            items,
            supply,
            dated,
            routers,
            released: Vec::new(),
        };
        Ok((facts, work))
    }

    /// What becomes of one order: answered from what is stored, refused, or placed.
    pub fn decide(
        &mut self,
        command: &PlaceCommand,
        work: &mut StockWork,
        deciders: &Deciders<'_>,
    ) -> Decided {
        if let Some(answer) = self.answered_before(command) {
            return answer;
        }
        let draft = &command.draft;
        let Some(rules) = self.rules.get(&draft.channel) else {
            return invalid(
                "channel",
                format!("no active channel has code {}", draft.channel),
            );
        };
        let hold = match &draft.hold_id {
            None => None,
            Some(id) => match self.holds.get_mut(id) {
                Some(HoldRecord { hold, reservations }) => {
                    Some(HoldToConvert { hold, reservations })
                }
                None => return invalid("hold_id", format!("no hold has id {id}")),
            },
        };
        let input = PlaceInput {
            order_id: &command.order_id,
            draft,
            now_ms: command.now_ms,
            actor: &command.actor,
        };
        let changes = &mut work.changes;
        let no_loads = HashMap::new();
        let loads = changes.loads.as_ref().unwrap_or(&no_loads);
        let mut context = PlaceContext {
            items: &mut self.items,
            locations: &self.locations,
            rules: (!rules.is_empty()).then_some(rules),
            supply: &mut self.supply,
            routing: Routing {
                router: self.routers.for_channel(Some(&draft.channel)),
                transit: deciders.transit,
                loads,
            },
            pickup_shortage: self
                .routers
                .profile_for(Some(&draft.channel))
                .pickup_shortage,
        };
        let mut new_reservation_id = || new_id("res", command.now_ms);
        let book = &mut changes.book;
        match place(&input, &mut context, book, hold, &mut new_reservation_id) {
            Ok(placement) => self.placed(command, work, deciders, placement),
            Err(rejection) => Decided::Done(Box::new(PlaceOutcome::Rejected(rejection))),
        }
    }

    /// The answer for an order whose key or external id is taken already.
    fn answered_before(&self, command: &PlaceCommand) -> Option<Decided> {
        if let Some(claim) = &command.idempotency
            && let Some(stored) = self.claims.get(&claim_key(claim))
        {
            let order_id = stored.order_id.clone();
            return Some(if stored.request_hash == claim.request_hash {
                Decided::Replay(order_id)
            } else {
                Decided::Done(Box::new(PlaceOutcome::KeyReused { order_id }))
            });
        }
        let known = self.known.get(&external_key(command))?;
        let duplicate = PlaceOutcome::Duplicate {
            order_id: known.id.clone(),
            number: known.number.clone(),
        };
        Some(Decided::Done(Box::new(duplicate)))
    }

    /// Keeps what placing one order decided, so the batch's later orders see it.
    fn placed(
        &mut self,
        command: &PlaceCommand,
        work: &mut StockWork,
        deciders: &Deciders<'_>,
        mut placement: Placement,
    ) -> Decided {
        if deciders.release_at_capture {
            let released = release_at_capture(&mut placement, &self.locations, command.now_ms);
            self.released.extend(released);
        }
        let explanation = placement.routing.take();
        let changes = &mut work.changes;
        changes.routed(
            &command.order_id,
            RoutingCause::Placed,
            explanation,
            &placement.reservations,
        );
        if let Some(record) = command
            .draft
            .hold_id
            .as_ref()
            .and_then(|id| self.holds.get(id))
        {
            changes.holds.push(record.hold.clone());
            changes
                .reservations
                .extend(record.reservations.iter().cloned());
        }
        if let Some(claim) = &command.idempotency {
            let stored = StoredClaim {
                request_hash: claim.request_hash.clone(),
                order_id: command.order_id.clone(),
            };
            self.claims.insert(claim_key(claim), stored);
        }
        // Its number is drawn with the batch's others once every order is decided.
        let known = KnownOrder {
            id: command.order_id.clone(),
            number: String::new(),
        };
        self.known.insert(external_key(command), known);
        Decided::Placed(Box::new(placement))
    }

    /// Whether a placed order has units waiting for an item whose supply was not loaded.
    pub fn undated(&self, decided: &[Decided]) -> bool {
        decided.iter().any(|d| match d {
            Decided::Placed(p) => p.order.lines.iter().any(|l| {
                l.quantities.backordered > 0 && !l.preorder && !self.dated.contains(&l.sku)
            }),
            _ => false,
        })
    }
}

fn invalid(field: &str, message: String) -> Decided {
    let rejection = PlaceRejection::Invalid(FieldErrors::single(field, message));
    Decided::Done(Box::new(PlaceOutcome::Rejected(rejection)))
}

/// The items a batch may not find enough of. An item is safe when no order picks it up in a
/// store and every channel of the batch may promise more of it, over the locations that ship,
/// than the whole batch asks for.
fn may_run_short(
    batch: &[PlaceCommand],
    book: &StockBook,
    locations: &[Location],
    channel_rules: &HashMap<ChannelCode, StockRules>,
) -> BTreeSet<Sku> {
    let mut demand: HashMap<&Sku, i64> = HashMap::new();
    let mut short = BTreeSet::new();
    for command in batch {
        for line in &command.draft.lines {
            *demand.entry(&line.sku).or_default() += line.quantity;
            if matches!(command.draft.delivery, Delivery::Pickup { .. }) {
                short.insert(line.sku.clone());
            }
        }
    }
    let shipping: Vec<&Location> = locations.iter().filter(|l| l.ships()).collect();
    // Each channel's rules once, however many of the batch's orders came through it.
    let channels: BTreeSet<&ChannelCode> = batch.iter().map(|c| &c.draft.channel).collect();
    let rules: Vec<&StockRules> = channels
        .into_iter()
        .filter_map(|c| channel_rules.get(c))
        .collect();
    for (sku, wanted) in demand {
        let per_location: Vec<(LocationCode, i64)> = shipping
            .iter()
            .map(|l| (l.code.clone(), book.available(&l.code, sku)))
            .collect();
        let promisable = |rules: &StockRules| -> i64 {
            channel_available(sku, &per_location, rules)
                .iter()
                .map(|(_, units)| units)
                .sum()
        };
        let least = rules.iter().map(|r| promisable(r)).min().unwrap_or(0);
        if least < wanted {
            short.insert(sku.clone());
        }
    }
    short
}

/// The work a placed order goes to at once, when releasing happens at capture.
fn release_at_capture(
    placement: &mut Placement,
    locations: &[Location],
    now_ms: i64,
) -> Vec<FulfillmentOrder> {
    let released = release(
        &mut placement.order,
        &placement.reservations,
        &[],
        locations,
        now_ms,
        "system:release",
        &mut || new_id("ful", now_ms),
    );
    placement.events.extend(released.events);
    released.fulfillment_orders
}
