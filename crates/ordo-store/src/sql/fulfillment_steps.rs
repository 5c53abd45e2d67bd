//! The steps a location takes with a fulfilment order, one transaction each. Steps that
//! change stock (a short pick or rejection routes units again; shipping commits them; a
//! confirmed cancellation frees them) run through [`StockWork`], like every other stock change.

use crate::sql::exec::Exec;

use ordo_domain::fulfillment::{self as domain, FulfillmentOrder, ShortHandling};
use ordo_domain::order::RejectReason;
use ordo_domain::reservation::{ReservationOwner, ReservationStatus};

use super::fulfillment::{insert_packages, load, packages_in, save, select};
use super::orders::begin_order_change;
use super::reroute::{RejectUnits, reject_units};
use super::stock::StockWork;
use super::{SqlStore, shipping};
use crate::error::{StoreError, StoreResult};
use crate::fulfillment::*;
use crate::ids::new_id;
use crate::types::{Deciders, OrderKey, OrderRecord};

/// One step of a fulfilment order, in one transaction.
pub(crate) async fn step(
    store: &SqlStore,
    command: &FulfillmentCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<StepOutcome, StepRefusal>>> {
    let mut tx = store.begin().await?;
    let mut peek = select("id = ");
    peek.arg(command.id.as_str());
    let Some(peek) = load(&mut tx, peek).await?.pop() else {
        return Ok(None);
    };
    if command
        .location_scope
        .as_ref()
        .is_some_and(|scope| *scope != peek.location)
    {
        return Ok(None);
    }
    let now = command.now_ms;
    let key = OrderKey::Id(peek.order_id.clone());
    let Some((mut work, mut record)) = begin_order_change(store, &mut tx, &key, None, now).await?
    else {
        return Ok(None);
    };
    work.overlay(&mut record.reservations);
    let mut locked = select("id = ");
    locked
        .arg(command.id.as_str())
        .push(store.backend.lock_rows());
    let mut fo = load(&mut tx, locked).await?.pop().ok_or_else(|| {
        StoreError::Contention(format!("fulfilment order {} vanished", command.id))
    })?;
    let rejecting = matches!(
        command.step,
        FulfillmentStep::Reject { .. } | FulfillmentStep::ConfirmCancel
    );
    if !rejecting && super::order_holds::held(&mut tx, &fo.order_id, &fo.id).await? {
        return Ok(Some(Err(StepRefusal::Fulfillment(
            domain::FulfillmentError::OnHold,
        ))));
    }
    let seq_before = record.order.event_seq;
    let actor = command.actor.as_str();
    let mut shipments = Vec::new();
    let mut rejections = Vec::new();
    let order = &mut record.order;
    let done: Result<(), StepRefusal> = match &command.step {
        FulfillmentStep::Accept => domain::accept(&mut fo, order, now, actor)
            .map(|e| work.order_events.push(e))
            .map_err(Into::into),
        FulfillmentStep::StartPick => domain::start_pick(&mut fo, order, now, actor)
            .map(|e| work.order_events.push(e))
            .map_err(Into::into),
        FulfillmentStep::Pack(input) => {
            match domain::pack(&mut fo, order, input, now, actor, &mut || {
                new_id("pkg", now)
            }) {
                Ok((packages, event)) => {
                    insert_packages(&mut tx, &packages, now).await?;
                    work.order_events.push(event);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Pick(input) => match domain::pick(&mut fo, order, input, now, actor) {
            Ok((shorts, event)) => {
                work.order_events.push(event);
                let reason = RejectReason::Stockout;
                let backorder = input.short == ShortHandling::Backorder;
                give_back(
                    &mut tx,
                    &mut work,
                    &mut record,
                    &fo,
                    &shorts,
                    reason,
                    backorder,
                    actor,
                    deciders,
                    &mut rejections,
                )
                .await?
            }
            Err(e) => Err(e.into()),
        },
        FulfillmentStep::ConfirmCancel => {
            match domain::confirm_cancel(
                &mut fo,
                order,
                &mut record.reservations,
                &mut work.book,
                now,
                actor,
            ) {
                Ok(done) => {
                    work.ledger.extend(done.ledger);
                    work.reservations.extend(done.reservations);
                    work.order_events.extend(done.events);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Reject { reason } => {
            let why = RejectReason::parse(reason).unwrap_or(RejectReason::NoCapacity);
            match domain::reject(&mut fo, order, reason, now, actor) {
                Ok((shorts, event)) => {
                    work.order_events.push(event);
                    give_back(
                        &mut tx,
                        &mut work,
                        &mut record,
                        &fo,
                        &shorts,
                        why,
                        false,
                        actor,
                        deciders,
                        &mut rejections,
                    )
                    .await?
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Ship(input) => {
            let packages = packages_in(&mut tx, &fo.id).await?;
            let mut ids = || new_id("res", now);
            match domain::ship(
                &mut fo,
                order,
                &mut record.reservations,
                &mut work.book,
                now,
                actor,
                &mut ids,
            ) {
                Ok(shipped) => {
                    work.ledger.extend(shipped.ledger);
                    work.reservations.extend(shipped.reservations);
                    work.order_events.extend(shipped.events);
                    match shipping::make_shipments(
                        &mut tx,
                        &fo,
                        &record.order,
                        &packages,
                        input,
                        now,
                    )
                    .await?
                    {
                        Ok(made) => {
                            shipments = made;
                            Ok(())
                        }
                        Err(refusal) => Err(refusal),
                    }
                }
                Err(e) => Err(e.into()),
            }
        }
    };
    if let Err(refusal) = done {
        return Ok(Some(Err(refusal)));
    }
    save(&mut tx, &fo).await?;
    work.orders.push((record.order.clone(), seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    let order = super::orders::order(store, &key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("order {}", fo.order_id)))?;
    Ok(Some(Ok(StepOutcome {
        fulfillment_order: fo,
        order,
        shipments,
        rejections,
    })))
}

/// Hands units that left a fulfilment order back to routing: each short is taken from the
/// line's held allocations at the location, newest first, and rejected there.
#[allow(clippy::too_many_arguments)]
async fn give_back(
    tx: &mut dyn Exec,
    work: &mut StockWork,
    record: &mut OrderRecord,
    fo: &FulfillmentOrder,
    shorts: &[domain::Short],
    reason: RejectReason,
    backorder: bool,
    actor: &str,
    deciders: &Deciders<'_>,
    rejections: &mut Vec<crate::routing::RejectionRecord>,
) -> StoreResult<Result<(), StepRefusal>> {
    for short in shorts {
        let mut units = short.units;
        let mut held: Vec<(i64, String, i64)> = record
            .reservations
            .iter()
            .filter(|r| {
                r.status == ReservationStatus::Held
                    && r.owner == ReservationOwner::Order
                    && r.line_no == short.line_no
                    && r.location == fo.location
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
                reason,
                units: Some(take),
                note: None,
                backorder,
                actor,
            };
            match reject_units(tx, work, record, &unit, deciders).await? {
                Ok((rejection, _)) => rejections.push(rejection),
                Err(e) => {
                    return Ok(Err(StepRefusal::Conflict {
                        field: "lines".into(),
                        message: e.to_string(),
                    }));
                }
            }
            units -= take;
        }
    }
    Ok(Ok(()))
}
