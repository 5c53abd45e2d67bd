//! The steps a location takes with a fulfilment order, one transaction each: accept, start
//! picking, pick (a short pick gives units back to routing), pack, ship (the units are
//! committed and shipments made), reject (the units are routed again), confirm a cancellation
//! (the units are freed).

use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::{self as domain, FulfillmentError, FulfillmentOrder, ShortHandling};
use ordo_domain::order::RejectReason;
use ordo_domain::reservation::{ReservationOwner, ReservationStatus};
use ordo_domain::values::LocationCode;
use ordo_store::ids::new_id;
use ordo_store::{
    Deciders, FulfillmentStep, OrderKey, OrderRecord, RejectionRecord, ShipInput, ShipmentRecord,
    StepRefusal, Store, StoreError, Tx,
};

use crate::error::AppError;
use crate::reroute::{RejectUnits, reject_units};
use crate::shipments::{Shipping, make_shipments};
use crate::stock::StockWork;
use crate::transact::{Abort, Attempt};

/// A fulfilment order after one step, with its order and what the step made.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub fulfillment_order: FulfillmentOrder,
    pub order: OrderRecord,
    pub shipments: Vec<ShipmentRecord>,
    /// Units short-picked or rejected, and where they went.
    pub rejections: Vec<RejectionRecord>,
}

/// One step of one fulfilment order, by whom and when; `location`: only that location's work.
pub(crate) struct Step<'a> {
    pub id: &'a str,
    pub step: &'a FulfillmentStep,
    pub location: Option<&'a LocationCode>,
    pub actor: &'a str,
    pub now_ms: i64,
}

/// What one step changed besides the fulfilment order and its order.
#[derive(Default)]
struct Made {
    shipments: Vec<ShipmentRecord>,
    rejections: Vec<RejectionRecord>,
}

pub(crate) async fn step(
    store: &dyn Store,
    step: &Step<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<StepOutcome> {
    let mut tx = store.transaction().await?;
    let not_found = || AppError::NotFound(format!("fulfilment order {}", step.id));
    let peek = tx
        .load_fulfillment_order(step.id, false)
        .await?
        .ok_or_else(not_found)?;
    if step.location.is_some_and(|own| *own != peek.location) {
        return Err(not_found().into());
    }
    let key = OrderKey::Id(peek.order_id.clone());
    let started = StockWork::begin_order_change(&mut tx, &key, step.now_ms).await?;
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let vanished = || StoreError::Contention(format!("fulfilment order {} vanished", step.id));
    let mut fo = tx
        .load_fulfillment_order(step.id, true)
        .await?
        .ok_or_else(vanished)?;
    let rejecting = matches!(
        step.step,
        FulfillmentStep::Reject { .. } | FulfillmentStep::ConfirmCancel
    );
    if !rejecting && tx.work_held(&fo.order_id, &fo.id).await? {
        return Err(refused(StepRefusal::Fulfillment(domain::FulfillmentError::OnHold)).into());
    }
    let seq_before = record.order.event_seq;
    let made = take(&mut tx, &mut work, &mut record, &mut fo, step, deciders).await?;
    tx.save_fulfillment_order(&fo).await?;
    work.changes.orders.push((record.order, seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    let order = store.order(&key).await?;
    let order =
        order.ok_or_else(|| StoreError::Contention(format!("order {} vanished", fo.order_id)))?;
    Ok(StepOutcome {
        fulfillment_order: fo,
        order,
        shipments: made.shipments,
        rejections: made.rejections,
    })
}

/// Lets the domain take the step, and keeps what it decided.
async fn take(
    tx: &mut Tx,
    work: &mut StockWork,
    record: &mut OrderRecord,
    fo: &mut FulfillmentOrder,
    step: &Step<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<Made> {
    let (now, actor) = (step.now_ms, step.actor);
    let order = &mut record.order;
    let mut made = Made::default();
    let changes = &mut work.changes;
    match step.step {
        FulfillmentStep::Accept => {
            let event = domain::accept(fo, order, now, actor).map_err(step_refused)?;
            changes.order_events.push(event);
        }
        FulfillmentStep::StartPick => {
            let event = domain::start_pick(fo, order, now, actor).map_err(step_refused)?;
            changes.order_events.push(event);
        }
        FulfillmentStep::Pack(input) => {
            let mut ids = || new_id("pkg", now);
            let (packages, event) =
                domain::pack(fo, order, input, now, actor, &mut ids).map_err(step_refused)?;
            tx.insert_packages(&packages, now).await?;
            changes.order_events.push(event);
        }
        FulfillmentStep::Pick(input) => {
            let (shorts, event) =
                domain::pick(fo, order, input, now, actor).map_err(step_refused)?;
            changes.order_events.push(event);
            let backorder = input.short == ShortHandling::Backorder;
            let back = GiveBack {
                fo,
                reason: RejectReason::Stockout,
                backorder,
                actor,
            };
            made.rejections = give_back(tx, work, record, &back, &shorts, deciders).await?;
        }
        FulfillmentStep::Reject { reason } => {
            let (shorts, event) =
                domain::reject(fo, order, reason.as_str(), now, actor).map_err(step_refused)?;
            changes.order_events.push(event);
            let back = GiveBack {
                fo,
                reason: *reason,
                backorder: false,
                actor,
            };
            made.rejections = give_back(tx, work, record, &back, &shorts, deciders).await?;
        }
        FulfillmentStep::ConfirmCancel => {
            let book = &mut changes.book;
            let done =
                domain::confirm_cancel(fo, order, &mut record.reservations, book, now, actor)
                    .map_err(step_refused)?;
            changes.ledger.extend(done.ledger);
            changes.reservations.extend(done.reservations);
            changes.order_events.extend(done.events);
        }
        FulfillmentStep::Ship(input) => {
            made.shipments = ship(tx, work, record, fo, input, step).await?
        }
    }
    Ok(made)
}

fn step_refused(e: impl Into<StepRefusal>) -> AppError {
    refused(e.into())
}

/// Commits the fulfilment order's units and makes a shipment of each package.
async fn ship(
    tx: &mut Tx,
    work: &mut StockWork,
    record: &mut OrderRecord,
    fo: &mut FulfillmentOrder,
    input: &ShipInput,
    step: &Step<'_>,
) -> Attempt<Vec<ShipmentRecord>> {
    let (now, actor) = (step.now_ms, step.actor);
    let packages = tx.packages_of(&fo.id).await?;
    let mut ids = || new_id("res", now);
    let changes = &mut work.changes;
    let (order, reservations) = (&mut record.order, &mut record.reservations);
    let shipped = domain::ship(
        fo,
        order,
        reservations,
        &mut changes.book,
        now,
        actor,
        &mut ids,
    )
    .map_err(step_refused)?;
    changes.ledger.extend(shipped.ledger);
    changes.reservations.extend(shipped.reservations);
    changes.order_events.extend(shipped.events);
    let shipping = Shipping {
        fo,
        order: &record.order,
        packages: &packages,
        input,
        now_ms: now,
    };
    make_shipments(tx, &shipping).await
}

/// Units that left a fulfilment order, and what to do with them.
struct GiveBack<'a> {
    fo: &'a FulfillmentOrder,
    reason: RejectReason,
    backorder: bool,
    actor: &'a str,
}

/// Hands units that left a fulfilment order back to routing: each short is taken from the
/// line's held allocations at the location, newest first, and rejected there.
async fn give_back(
    tx: &mut Tx,
    work: &mut StockWork,
    record: &mut OrderRecord,
    back: &GiveBack<'_>,
    shorts: &[domain::Short],
    deciders: &Deciders<'_>,
) -> Attempt<Vec<RejectionRecord>> {
    let mut rejections = Vec::new();
    for short in shorts {
        let mut units = short.units;
        let mut held: Vec<(i64, String, i64)> = record
            .reservations
            .iter()
            .filter(|r| {
                r.status == ReservationStatus::Held
                    && r.owner == ReservationOwner::Order
                    && r.line_no == short.line_no
                    && r.location == back.fo.location
            })
            .map(|r| (r.created_at_ms, r.id.clone(), r.quantity))
            .collect();
        held.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        for (_, id, quantity) in held {
            if units == 0 {
                break;
            }
            let take = units.min(quantity);
            let unit = RejectUnits {
                allocation_id: &id,
                reason: back.reason,
                units: Some(take),
                note: None,
                backorder: back.backorder,
                actor: back.actor,
            };
            let rejected = reject_units(tx, work, record, &unit, deciders).await;
            let (rejection, _) = rejected.map_err(as_lines_conflict)?;
            rejections.push(rejection);
            units -= take;
        }
    }
    Ok(rejections)
}

/// A refusal to give units back, as the step's: a conflict about its lines.
fn as_lines_conflict(e: Abort) -> Abort {
    match e {
        Abort::Refused(e) => Abort::Refused(AppError::Conflict(FieldErrors::single(
            "lines",
            e.to_string(),
        ))),
        store => store,
    }
}

pub(crate) fn refused(e: StepRefusal) -> AppError {
    match e {
        StepRefusal::Fulfillment(FulfillmentError::Invalid(errors)) => AppError::Invalid(errors),
        StepRefusal::Fulfillment(FulfillmentError::Status { from, to }) => {
            AppError::Conflict(FieldErrors::single(
                "status",
                format!("a fulfilment order that is {from} cannot become {to}"),
            ))
        }
        StepRefusal::Fulfillment(FulfillmentError::OnHold) => {
            AppError::Conflict(FieldErrors::single("status", "the order is on hold"))
        }
        StepRefusal::Fulfillment(e) => AppError::Internal(format!("fulfilment: {e}")),
        StepRefusal::Invalid(errors) => AppError::Invalid(errors),
        StepRefusal::Conflict { field, message } => {
            AppError::Conflict(FieldErrors::single(field, message))
        }
    }
}
