//! Releasing allocations to their locations. A location releases at once, or in waves: at
//! set local times, each wave takes every allocation made before it. Units of one order at
//! one location gather in one fulfilment order; units due later join it while the location
//! has not yet accepted it, else they start a new one.

use std::collections::BTreeMap;

use serde_json::json;

use super::{FulfillmentLine, FulfillmentOrder, FulfillmentStatus};
use crate::location::Location;
use crate::order::{Order, OrderEvent, OrderEventKind, OrderStatus};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::values::LocationCode;

/// Which allocations at a location are due for release at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Every one: the location has no release waves.
    All,
    /// Those made by its latest wave, at this time.
    MadeBy(i64),
    /// None yet: no wave has come.
    None,
}

/// When each location's allocations are due at `now_ms`, from its release waves.
pub fn due_at(locations: &[Location], now_ms: i64) -> Vec<(LocationCode, Due)> {
    let due = |l: &Location| match l.release_waves.last_wave_ms(&l.time_zone, now_ms) {
        Some(wave_ms) => Due::MadeBy(wave_ms),
        None if l.release_waves.0.is_empty() => Due::All,
        None => Due::None,
    };
    locations.iter().map(|l| (l.code.clone(), due(l))).collect()
}

/// What releasing one order decided: fulfilment orders new or grown, and the timeline event.
#[derive(Debug, Default)]
pub struct ReleasePlan {
    pub fulfillment_orders: Vec<FulfillmentOrder>,
    pub events: Vec<OrderEvent>,
}

/// Releases the order's allocations that are due at `now_ms` and not yet in an open
/// fulfilment order. `open` are the order's fulfilment orders still at work; the ones that
/// grow are returned changed. Orders on hold or cancelled release nothing.
pub fn release(
    order: &mut Order,
    reservations: &[Reservation],
    open: &[FulfillmentOrder],
    locations: &[Location],
    now_ms: i64,
    actor: &str,
    new_id: &mut dyn FnMut() -> String,
) -> ReleasePlan {
    if matches!(order.status, OrderStatus::OnHold | OrderStatus::Cancelled) {
        return ReleasePlan::default();
    }
    // Due units per (location, line): allocations whose location's next wave has come.
    let mut due: BTreeMap<(LocationCode, u32), i64> = BTreeMap::new();
    for (r, due_ms) in allocations_due(order, reservations, locations) {
        if due_ms <= now_ms {
            *due.entry((r.location.clone(), r.line_no)).or_default() += r.quantity;
        }
    }
    let mut plan = ReleasePlan::default();
    let mut released = Vec::new();
    for ((location, line_no), units) in due {
        let in_work: i64 = open
            .iter()
            .chain(&plan.fulfillment_orders)
            .filter(|f| f.location == location)
            .map(|f| f.open_units(line_no))
            .sum();
        let units = units - in_work;
        let Some(line) = order.lines.iter_mut().find(|l| l.line_no == line_no) else {
            continue;
        };
        let units = units.min(line.quantities.allocated - line.quantities.released);
        if units <= 0 {
            continue;
        }
        line.quantities.released += units;
        let sku = line.sku.clone();
        let fo = fulfillment_order_for(&mut plan, open, order, &location, now_ms, new_id);
        match fo.lines.iter_mut().find(|l| l.line_no == line_no) {
            Some(fl) => fl.quantity += units,
            None => fo.lines.push(FulfillmentLine {
                line_no,
                sku: sku.clone(),
                quantity: units,
                picked: 0,
                shipped: 0,
                short: 0,
                cancelled: 0,
                cancel_requested: 0,
            }),
        }
        fo.updated_at_ms = now_ms;
        released.push(json!({ "fulfillment_order": fo.id, "location": location.as_str(), "line": line_no, "sku": sku.as_str(), "quantity": units }));
    }
    if released.is_empty() {
        return plan;
    }
    order.updated_at_ms = now_ms;
    let data = json!({ "released": released });
    let kind = OrderEventKind::Released;
    let reason = Some("allocations released to their locations");
    let event = match order.follow_quantities(now_ms, kind, actor, reason, data.clone()) {
        Ok(Some(event)) => event,
        _ => order.event(now_ms, kind, None, actor, reason, data),
    };
    plan.events.push(event);
    plan
}

/// When releasing the order may next do something: the earliest moment after `now_ms` at
/// which one of its held allocations becomes due at its location's wave. `None` when none
/// waits for a wave — what is due, `release` has released — or the order is on hold or
/// cancelled: a later change to the order asks again.
pub fn next_release_at(
    order: &Order,
    reservations: &[Reservation],
    locations: &[Location],
    now_ms: i64,
) -> Option<i64> {
    if matches!(order.status, OrderStatus::OnHold | OrderStatus::Cancelled) {
        return None;
    }
    allocations_due(order, reservations, locations)
        .map(|(_, due_ms)| due_ms)
        .filter(|due_ms| *due_ms > now_ms)
        .min()
}

/// The order's held allocations, each with the moment it becomes due: its location's first
/// release wave after it was made (at once where the location has no waves).
fn allocations_due<'r>(
    order: &Order,
    reservations: &'r [Reservation],
    locations: &[Location],
) -> impl Iterator<Item = (&'r Reservation, i64)> {
    reservations
        .iter()
        .filter(|r| {
            r.status == ReservationStatus::Held
                && r.owner == ReservationOwner::Order
                && r.owner_id == order.id
        })
        .filter_map(|r| {
            let location = locations.iter().find(|l| l.code == r.location)?;
            let due_ms = location
                .release_waves
                .next_wave_ms(&location.time_zone, r.created_at_ms);
            Some((r, due_ms))
        })
}

/// The fulfilment order that takes newly released units at `location`: one this release
/// already made, else one the location has not accepted yet, else a new one.
fn fulfillment_order_for<'p>(
    plan: &'p mut ReleasePlan,
    open: &[FulfillmentOrder],
    order: &Order,
    location: &LocationCode,
    now_ms: i64,
    new_id: &mut dyn FnMut() -> String,
) -> &'p mut FulfillmentOrder {
    let index = plan
        .fulfillment_orders
        .iter()
        .position(|f| &f.location == location);
    if let Some(index) = index {
        return &mut plan.fulfillment_orders[index];
    }
    let waiting = open.iter().find(|f| {
        &f.location == location && f.status == FulfillmentStatus::Released && !f.cancel_requested
    });
    let fo = match waiting {
        Some(fo) => fo.clone(),
        None => FulfillmentOrder {
            id: new_id(),
            order_id: order.id.clone(),
            location: location.clone(),
            status: FulfillmentStatus::Released,
            lines: Vec::new(),
            promised_date: order.promised_date,
            released_at_ms: now_ms,
            accepted_at_ms: None,
            shipped_at_ms: None,
            cancel_requested: false,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        },
    };
    plan.fulfillment_orders.push(fo);
    plan.fulfillment_orders.last_mut().expect("just pushed")
}
