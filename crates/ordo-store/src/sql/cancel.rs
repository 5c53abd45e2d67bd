//! Cancelling an order, or units of its lines, in one transaction: the order's positions and
//! row locked as for every order change; units not released are freed at once, released ones
//! asked of their fulfilment orders; freed stock goes to waiting backorders.

use ordo_domain::order::{CancelError, CancelUnits, CancelUnitsError, Order, cancel, cancel_units};

use super::SqlStore;
use super::orders::begin_order_change;
use crate::error::StoreResult;
use crate::types::*;

/// Every unit of the order that can still be cancelled or asked of a location.
fn everything_open(
    order: &Order,
    open: &[ordo_domain::fulfillment::FulfillmentOrder],
) -> Vec<CancelUnits> {
    order
        .lines
        .iter()
        .filter_map(|l| {
            let q = l.quantities;
            let asked: i64 = open
                .iter()
                .flat_map(|f| f.lines.iter().filter(|fl| fl.line_no == l.line_no))
                .map(|fl| fl.cancel_requested)
                .sum();
            let units = q.ordered - q.cancelled - q.shipped - asked;
            (units > 0).then_some(CancelUnits {
                line_no: l.line_no,
                units,
            })
        })
        .collect()
}

pub(crate) async fn cancel_order(
    store: &SqlStore,
    command: &CancelCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<OrderRecord, CancelUnitsError>>> {
    let mut tx = store.begin().await?;
    let started = begin_order_change(
        store,
        &mut tx,
        &command.key,
        command.channel_scope.as_ref(),
        command.now_ms,
    )
    .await?;
    let Some((mut work, mut record)) = started else {
        return Ok(None);
    };
    let seq_before = record.order.event_seq;
    let mut open =
        super::fulfillment::open_of(&mut tx, &record.order.id, store.backend.lock_rows()).await?;
    let quantities = record.order.quantities();
    // An order with units at a location or already shipped cancels what is still open, unit
    // by unit; otherwise the whole order goes at once.
    if command.lines.is_none() && quantities.released == 0 && quantities.shipped == 0 {
        let decision = match cancel(
            &mut record.order,
            &mut record.reservations,
            &mut work.book,
            command.reason.as_deref(),
            &command.actor,
            command.now_ms,
        ) {
            Ok(decision) => decision,
            Err(refusal) => return Ok(Some(Err(refusal.into()))),
        };
        work.ledger.extend(decision.ledger);
        work.order_events.extend(decision.events);
    } else {
        let requests = match &command.lines {
            Some(lines) => lines.clone(),
            None => {
                let status = record.order.status;
                if quantities.shipped == 0
                    && let Err(e) = status.transition(ordo_domain::order::OrderStatus::Cancelled)
                {
                    return Ok(Some(Err(CancelError::from(e).into())));
                }
                if matches!(
                    status,
                    ordo_domain::order::OrderStatus::Shipped
                        | ordo_domain::order::OrderStatus::Delivered
                        | ordo_domain::order::OrderStatus::Cancelled
                ) {
                    let to = ordo_domain::order::OrderStatus::Cancelled;
                    return Ok(Some(Err(CancelError::from(
                        ordo_domain::order::IllegalTransition { from: status, to },
                    )
                    .into())));
                }
                everything_open(&record.order, &open)
            }
        };
        if requests.is_empty() {
            // Everything open is already asked of its locations: nothing more to do.
            return Ok(Some(Ok(record)));
        }
        let done = match cancel_units(
            &mut record.order,
            &mut record.reservations,
            &mut open,
            &requests,
            &mut work.book,
            command.reason.as_deref(),
            &command.actor,
            command.now_ms,
        ) {
            Ok(done) => done,
            Err(refusal) => return Ok(Some(Err(refusal))),
        };
        // Asked of their locations, or cancelled at once where not yet accepted.
        for fo in open.iter().filter(|f| f.updated_at_ms == command.now_ms) {
            super::fulfillment::save(&mut tx, fo).await?;
        }
        work.ledger.extend(done.ledger);
        work.order_events.extend(done.events);
    }
    work.reservations
        .extend(record.reservations.iter().cloned());
    work.orders.push((record.order.clone(), seq_before));
    work.fill_backorders(&mut tx, deciders, "stock freed by a cancelled order")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    // As committed: its fulfilment orders now show what was asked of them.
    let key = OrderKey::Id(record.order.id.clone());
    let after = super::orders::order(store, &key).await?;
    Ok(Some(Ok(after.ok_or_else(|| {
        crate::StoreError::Contention(format!("order {} vanished", record.order.id))
    })?)))
}
