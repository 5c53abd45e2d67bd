//! Re-routing: a location rejects units of an allocation and the line is routed again
//! without every location that rejected it, or waits, or becomes a routing exception; a
//! person resolves an exception by routing the units again or letting them wait.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ordo_domain::allocation::Routing;
use ordo_domain::channel::StockRules;
use ordo_domain::location::Location;
use ordo_domain::order::{
    FillContext, OrderChange, RejectError, RejectReason, Rejection, RerouteOutcome,
    reject_allocation, resolve_exception,
};
use ordo_domain::reservation::Reservation;
use ordo_domain::routing::RoutingCause;
use ordo_domain::routing::profile::AfterAttempts;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{
    Deciders, ExceptionRecord, OrderKey, OrderRecord, Rejected, RejectionRecord, Resolution,
    Routers, Store, StoreError, Tx,
};

use crate::error::AppError;
use crate::stock::StockWork;
use crate::transact::Attempt;

/// Units of one allocation a location gives back, and what to do with them.
pub(crate) struct RejectUnits<'a> {
    pub allocation_id: &'a str,
    pub reason: RejectReason,
    /// All of the allocation when `None`.
    pub units: Option<i64>,
    pub note: Option<&'a str>,
    /// Let the units wait as a backorder instead of routing them again.
    pub backorder: bool,
    pub actor: &'a str,
}

/// Everything routing an order's line again needs besides the book.
struct RerouteFacts<'d> {
    locations: Arc<Vec<Location>>,
    rules: Option<StockRules>,
    loads: HashMap<LocationCode, i64>,
    weights: HashMap<Sku, i64>,
    routers: Routers<'d>,
}

impl RerouteFacts<'_> {
    /// What the domain routes the channel's line with, away from `excluded`; `why` is when,
    /// by whom and for what reason.
    fn context<'a>(
        &'a self,
        channel: &ChannelCode,
        excluded: &'a [LocationCode],
        deciders: &'a Deciders<'_>,
        why: (i64, &'a str, &'a str),
    ) -> FillContext<'a> {
        let (now_ms, actor, reason) = why;
        FillContext {
            locations: &self.locations,
            rules: self.rules.as_ref(),
            routing: Routing {
                router: self.routers.for_channel(Some(channel)),
                transit: deciders.transit,
                loads: &self.loads,
            },
            weights: &self.weights,
            excluded,
            now_ms,
            actor,
            reason,
        }
    }
}

async fn load_facts<'d>(
    tx: &mut Tx,
    work: &mut StockWork,
    channel: &str,
    sku: &Sku,
    deciders: &Deciders<'d>,
) -> Attempt<RerouteFacts<'d>> {
    let routers = tx.routers([channel], deciders.router).await?;
    let rules = tx.channel_rules(&BTreeSet::from([channel])).await?;
    let facts = tx.item_facts(&BTreeSet::from([sku])).await?;
    Ok(RerouteFacts {
        locations: tx.locations().await?,
        rules: rules.into_values().next(),
        loads: work.loads(tx).await?,
        weights: facts
            .into_iter()
            .filter_map(|(s, f)| Some((s, f.weight_g?)))
            .collect(),
        routers,
    })
}

/// The locations that rejected a line (each once), and how often it was rejected.
async fn history(tx: &mut Tx, order_id: &str, line_no: u32) -> Attempt<(Vec<LocationCode>, u32)> {
    let mut locations = tx.rejection_history(order_id, line_no).await?;
    let count = locations.len() as u32;
    locations.sort();
    locations.dedup();
    Ok((locations, count))
}

/// New reservations an order change made (not the ones it changed).
fn made(change: &OrderChange, now_ms: i64, except: &str) -> Vec<Reservation> {
    change
        .reservations
        .iter()
        .filter(|r| r.id != except && r.created_at_ms == now_ms)
        .cloned()
        .collect()
}

/// A location's rejection of units of an allocation, by whom and when.
pub(crate) struct Reject<'a> {
    pub order: OrderKey,
    pub units: RejectUnits<'a>,
    pub now_ms: i64,
}

pub(crate) async fn reject(
    store: &dyn Store,
    reject: &Reject<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<Rejected> {
    let mut tx = store.transaction().await?;
    let allocation_id = reject.units.allocation_id;
    let not_found = || AppError::NotFound(format!("allocation {allocation_id}"));
    let started = StockWork::begin_order_change(&mut tx, &reject.order, reject.now_ms).await?;
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let reservation = record.reservations.iter().find(|r| r.id == allocation_id);
    let reservation = reservation.ok_or_else(not_found)?;
    if tx
        .allocation_released(&record.order.id, reservation)
        .await?
    {
        return Err(refused(RejectError::Released).into());
    }
    let seq_before = record.order.event_seq;
    let (rejection, exception_id) =
        reject_units(&mut tx, &mut work, &mut record, &reject.units, deciders).await?;
    work.changes.orders.push((record.order, seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    let order = store.order(&reject.order).await?;
    let order = order.ok_or_else(|| StoreError::Contention("the order vanished".into()))?;
    Ok(Rejected {
        order,
        rejection,
        exception_id,
    })
}

/// Rejects units of one of the order's allocations inside the caller's transaction: records
/// the rejection (and the exception, if it became one) and routes the units again as the
/// channel's profile allows. The caller writes the order and finishes the work.
pub(crate) async fn reject_units(
    tx: &mut Tx,
    work: &mut StockWork,
    record: &mut OrderRecord,
    unit: &RejectUnits<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<(RejectionRecord, Option<String>)> {
    let now = work.changes.now_ms;
    let index = record
        .reservations
        .iter()
        .position(|r| r.id == unit.allocation_id);
    let vanished = || StoreError::Contention(format!("allocation {} vanished", unit.allocation_id));
    let index = index.ok_or_else(vanished)?;
    let mut reservation = record.reservations[index].clone();
    let channel = record.order.channel.clone();
    let (mut excluded, attempts) = history(tx, &record.order.id, reservation.line_no).await?;
    if !excluded.contains(&reservation.location) {
        excluded.push(reservation.location.clone());
    }
    let facts = load_facts(tx, work, channel.as_str(), &reservation.sku, deciders).await?;
    let rejection = rejection(
        unit,
        &facts.routers,
        &channel,
        attempts + 1,
        reservation.quantity,
    );
    let reason = "re-routed after a location rejected it";
    let context = facts.context(&channel, &excluded, deciders, (now, unit.actor, reason));
    let mut next_id = || new_id("res", now);
    let book = &mut work.changes.book;
    let (change, outcome) = reject_allocation(
        &mut record.order,
        &mut reservation,
        &rejection,
        &context,
        book,
        &mut next_id,
    )
    .map_err(refused)?;
    record.reservations[index] = reservation.clone();
    let recorded = record_rejection(record, &reservation, &rejection, unit, outcome, now);
    tx.insert_rejection(&recorded, &reservation.id).await?;
    let exception_id = match outcome {
        RerouteOutcome::Exception => Some(open_exception(tx, &recorded, now).await?),
        _ => None,
    };
    let fresh = made(&change, now, &reservation.id);
    record.reservations.extend(fresh.iter().cloned());
    let changes = &mut work.changes;
    changes.routed(
        &record.order.id,
        RoutingCause::Rerouted,
        change.routing,
        &fresh,
    );
    changes.reservations.extend(change.reservations);
    changes.ledger.extend(change.ledger);
    changes.order_events.extend(change.events);
    Ok((recorded, exception_id))
}

/// The rejection as the domain weighs it: how many attempts the channel's profile allows and
/// what happens after them — or, for units that should wait, none.
fn rejection<'a>(
    unit: &RejectUnits<'a>,
    routers: &Routers<'_>,
    channel: &ChannelCode,
    attempt: u32,
    held: i64,
) -> Rejection<'a> {
    let profile = routers.profile_for(Some(channel));
    let (attempts_max, after) = match unit.backorder {
        true => (0, AfterAttempts::Backorder),
        false => (profile.reroute_attempts_max, profile.after_attempts),
    };
    Rejection {
        reason: unit.reason,
        units: unit.units.unwrap_or(held),
        note: unit.note,
        attempt,
        attempts_max,
        after,
    }
}

fn record_rejection(
    record: &OrderRecord,
    reservation: &Reservation,
    rejection: &Rejection<'_>,
    unit: &RejectUnits<'_>,
    outcome: RerouteOutcome,
    now: i64,
) -> RejectionRecord {
    RejectionRecord {
        id: new_id("rej", now),
        order_id: record.order.id.clone(),
        line_no: reservation.line_no,
        location: reservation.location.to_string(),
        sku: reservation.sku.to_string(),
        units: rejection.units,
        reason: unit.reason,
        attempt: rejection.attempt,
        note: unit.note.map(String::from),
        outcome,
        actor: unit.actor.to_string(),
        at_ms: now,
    }
}

/// Opens the routing exception a rejection became; answers its id.
async fn open_exception(tx: &mut Tx, r: &RejectionRecord, now: i64) -> Attempt<String> {
    let exception = ExceptionRecord {
        id: new_id("rex", now),
        order_id: r.order_id.clone(),
        line_no: r.line_no,
        sku: r.sku.clone(),
        units: r.units,
        reason: format!(
            "rejected {} times, last for {}",
            r.attempt,
            r.reason.as_str()
        ),
        created_at_ms: now,
        resolved_at_ms: None,
        resolution: None,
        resolved_by: None,
    };
    tx.insert_routing_exception(&exception).await?;
    Ok(exception.id)
}

/// A routing exception to resolve, by whom and when.
pub(crate) struct Resolve<'a> {
    pub id: &'a str,
    pub resolution: Resolution,
    pub actor: &'a str,
    pub now_ms: i64,
}

pub(crate) async fn resolve(
    store: &dyn Store,
    resolve: &Resolve<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<ExceptionRecord> {
    let mut tx = store.transaction().await?;
    let (now, actor) = (resolve.now_ms, resolve.actor);
    let not_found = || AppError::NotFound(format!("routing exception {}", resolve.id));
    let mut found = tx
        .lock_routing_exception(resolve.id)
        .await?
        .ok_or_else(not_found)?;
    if found.resolved_at_ms.is_some() {
        return Err(refused(RejectError::Resolved).into());
    }
    let sku =
        Sku::parse(&found.sku).map_err(|e| StoreError::Corrupt(format!("exception sku: {e}")))?;
    let key = OrderKey::Id(found.order_id.clone());
    let started = StockWork::begin_order_change(&mut tx, &key, now).await?;
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let seq_before = record.order.event_seq;
    let channel = record.order.channel.clone();
    let (excluded, _) = history(&mut tx, &found.order_id, found.line_no).await?;
    let facts = load_facts(&mut tx, &mut work, channel.as_str(), &sku, deciders).await?;
    let reason = "a routing exception was resolved";
    let context = facts.context(&channel, &excluded, deciders, (now, actor, reason));
    let reroute = resolve.resolution == Resolution::Reroute;
    let mut next_id = || new_id("res", now);
    let book = &mut work.changes.book;
    let change = resolve_exception(
        &mut record.order,
        &sku,
        reroute,
        &context,
        book,
        &mut next_id,
    )
    .map_err(refused)?;
    let fresh = made(&change, now, "");
    let changes = &mut work.changes;
    changes.routed(
        &record.order.id,
        RoutingCause::Rerouted,
        change.routing,
        &fresh,
    );
    changes.reservations.extend(change.reservations);
    changes.ledger.extend(change.ledger);
    changes.order_events.extend(change.events);
    changes.orders.push((record.order, seq_before));
    let label = if reroute { "rerouted" } else { "backordered" };
    (found.resolved_at_ms, found.resolution, found.resolved_by) =
        (Some(now), Some(label.into()), Some(actor.into()));
    tx.update_routing_exception(&found).await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(found)
}

pub(crate) fn refused(e: RejectError) -> AppError {
    use ordo_domain::field::FieldErrors;
    use ordo_domain::order::FulfilError;
    match e {
        RejectError::Units { .. } => {
            AppError::Invalid(FieldErrors::single("quantity", e.to_string()))
        }
        RejectError::Fulfil(FulfilError::Illegal(t)) => AppError::IllegalTransition {
            status: t.from,
            wanted: t.to,
        },
        RejectError::Fulfil(e) => AppError::Internal(format!("re-routing: {e}")),
        e => AppError::Conflict(FieldErrors::single("status", e.to_string())),
    }
}
