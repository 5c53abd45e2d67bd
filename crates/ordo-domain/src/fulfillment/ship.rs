//! Shipping a fulfilment order: what was packed leaves the location, its allocations are
//! committed (on hand and reserved both go down), and the order's lines count it shipped.

use serde_json::json;

use super::steps::{FulfillmentError, record, step};
use super::{FulfillmentOrder, FulfillmentStatus};
use crate::inventory::{Cause, LedgerEntry, StockBook};
use crate::order::{Order, OrderEvent};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::values::LocationCode;

/// What shipping a fulfilment order decided about stock and the order.
#[derive(Debug, Default)]
pub struct Shipped {
    pub ledger: Vec<LedgerEntry>,
    /// Reservations committed, split or left.
    pub reservations: Vec<Reservation>,
    pub events: Vec<OrderEvent>,
}

/// Ships what was packed: the units' reservations at the location are committed (on hand and
/// reserved both go down) and the order's lines count them shipped.
pub fn ship(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    reservations: &mut Vec<Reservation>,
    book: &mut StockBook,
    now_ms: i64,
    actor: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Shipped, FulfillmentError> {
    if order.status == crate::order::OrderStatus::OnHold {
        return Err(FulfillmentError::OnHold);
    }
    step(fo, FulfillmentStatus::Shipped, now_ms)?;
    fo.shipped_at_ms = Some(now_ms);
    // Shipped anyway: a cancellation still waiting for the location no longer applies.
    let overtaken: i64 = fo.lines.iter().map(|l| l.cancel_requested).sum();
    for line in &mut fo.lines {
        line.cancel_requested = 0;
    }
    fo.cancel_requested = false;
    let cause = Cause {
        at_ms: now_ms,
        reason: Some("shipped"),
        reference: Some(&order.id),
        actor,
    };
    let mut shipped = Shipped::default();
    let location = fo.location.clone();
    for fl in &mut fo.lines {
        let sent = fl.picked - fl.shipped;
        let from = Shipping {
            order_id: &order.id,
            line_no: fl.line_no,
            location: &location,
        };
        commit_shipped(&from, sent, reservations, book, cause, new_id, &mut shipped)?;
        let line = order
            .lines
            .iter_mut()
            .find(|l| l.line_no == fl.line_no)
            .ok_or_else(|| FulfillmentError::Broken(format!("line {} vanished", fl.line_no)))?;
        line.quantities.allocated -= sent;
        line.quantities.released = (line.quantities.released - sent).max(0);
        line.quantities.shipped += sent;
        fl.shipped = fl.picked;
    }
    let lines: Vec<_> = fo
        .lines
        .iter()
        .filter(|l| l.shipped > 0)
        .map(|l| json!({ "line": l.line_no, "sku": l.sku.as_str(), "quantity": l.shipped }))
        .collect();
    shipped.events.push(record(
        order,
        fo,
        now_ms,
        actor,
        json!({ "lines": lines, "cancellation_overtaken": overtaken }),
    )?);
    Ok(shipped)
}

/// Where a line's shipped units come from: its order's held allocations at the location.
struct Shipping<'a> {
    order_id: &'a str,
    line_no: u32,
    location: &'a LocationCode,
}

/// Commits `units` of the line's allocations at the location, the oldest first (the ones
/// released first), splitting the last one if it holds more.
fn commit_shipped(
    from: &Shipping<'_>,
    units: i64,
    reservations: &mut Vec<Reservation>,
    book: &mut StockBook,
    cause: Cause<'_>,
    new_id: &mut dyn FnMut() -> String,
    shipped: &mut Shipped,
) -> Result<(), FulfillmentError> {
    let mut indexes: Vec<usize> = (0..reservations.len())
        .filter(|&i| {
            let r = &reservations[i];
            r.status == ReservationStatus::Held
                && r.owner == ReservationOwner::Order
                && r.owner_id == from.order_id
                && r.line_no == from.line_no
                && r.location == *from.location
        })
        .collect();
    indexes.sort_by_key(|&i| (reservations[i].created_at_ms, reservations[i].id.clone()));
    let mut units = units;
    for i in indexes {
        if units == 0 {
            break;
        }
        let take = units.min(reservations[i].quantity);
        let (entry, rest) = reservations[i].commit(take, book, cause, &mut *new_id)?;
        shipped.ledger.push(entry);
        shipped.reservations.push(reservations[i].clone());
        if let Some(rest) = rest {
            shipped.reservations.push(rest.clone());
            reservations.push(rest);
        }
        units -= take;
    }
    if units > 0 {
        return Err(FulfillmentError::Broken(format!(
            "line {} holds {units} units fewer at {} than were picked",
            from.line_no, from.location
        )));
    }
    Ok(())
}
