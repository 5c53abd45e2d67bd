//! An order taking over a checkout hold: the hold's units move to the order's lines as far as
//! they want them, the rest go back to stock.

use std::collections::HashMap;

use serde_json::json;

use super::placement::{PlaceInput, PlaceRejection};
use crate::hold::{Hold, HoldStatus};
use crate::inventory::{Cause, LedgerEntry, StockBook};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::routing::RouteLine;

/// Moves a live hold's units to the order's lines, as far as the lines want them; the rest go
/// back to stock. Each of the hold's reservations is closed: its units now belong to an order
/// reservation or are released. An expired or finished hold gives nothing: the order is
/// placed as if it named none, and the note says so.
pub(super) fn take_over_hold(
    input: &PlaceInput<'_>,
    lines: &[RouteLine],
    hold: &mut Hold,
    held: &mut [Reservation],
    book: &mut StockBook,
    new_reservation_id: &mut dyn FnMut() -> String,
) -> Result<(Vec<Reservation>, Vec<LedgerEntry>, serde_json::Value), PlaceRejection> {
    let now = input.now_ms;
    if !hold.is_active(now) {
        let status = hold.status_at(now);
        return Ok((
            Vec::new(),
            Vec::new(),
            json!({ "hold": hold.id, "taken_over": false, "hold_status": status.as_str() }),
        ));
    }
    let mut wanted: HashMap<u32, i64> = lines.iter().map(|l| (l.line_no, l.quantity)).collect();
    let mut taken = Vec::new();
    let mut released = Vec::new();
    let cause = Cause {
        at_ms: now,
        reason: Some("hold taken over by an order"),
        reference: Some(&hold.id),
        actor: input.actor,
    };
    for r in held
        .iter_mut()
        .filter(|r| r.status == ReservationStatus::Held)
    {
        let line = lines
            .iter()
            .find(|l| l.sku == r.sku && wanted.get(&l.line_no).is_some_and(|w| *w > 0));
        let units = match line {
            Some(line) => {
                let want = wanted.entry(line.line_no).or_insert(0);
                let units = r.quantity.min(*want);
                *want -= units;
                taken.push(Reservation {
                    id: new_reservation_id(),
                    owner: ReservationOwner::Order,
                    owner_id: input.order_id.to_string(),
                    line_no: line.line_no,
                    expires_at_ms: None,
                    quantity: units,
                    created_at_ms: now,
                    updated_at_ms: now,
                    ..r.clone()
                });
                units
            }
            None => 0,
        };
        let rest = r.quantity - units;
        if rest > 0 {
            let release = crate::inventory::Movement::Release { quantity: rest };
            released.push(
                book.apply(&r.location, &r.sku, release, cause)
                    .map_err(|e| PlaceRejection::Internal(e.to_string()))?,
            );
        }
        r.status = ReservationStatus::Released;
        r.updated_at_ms = now;
    }
    hold.status = HoldStatus::Converted;
    hold.order_id = Some(input.order_id.to_string());
    hold.updated_at_ms = now;
    let units: i64 = taken.iter().map(|r| r.quantity).sum();
    Ok((
        taken,
        released,
        json!({ "hold": hold.id, "taken_over": true, "units": units }),
    ))
}

pub(super) fn allocated_per_reservations(reservations: &[Reservation]) -> HashMap<u32, i64> {
    let mut totals = HashMap::new();
    for r in reservations {
        *totals.entry(r.line_no).or_insert(0) += r.quantity;
    }
    totals
}
