//! Moving pending orders to new plans — re-optimisation's write side. Every moved order first
//! gives back all its held allocations, then each takes its new plan: two passes, so one order
//! may take the units another gives up. Line quantities stay as they are; reservations,
//! expected dates and the promise follow the new locations.

use serde_json::json;

use super::dates::{Dating, line_date};
use super::fulfil::{FulfilError, OrderChange};
use super::{Order, OrderEventKind};
use crate::allocation::{ReserveFor, reserve};
use crate::geo::GeoPoint;
use crate::inventory::{Cause, StockBook};
use crate::location::Location;
use crate::promise::TransitModel;
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::routing::{Explanation, PlannedAllocation, RouteLine};

/// One order and the plan it moves to.
pub struct Move<'a> {
    pub order: &'a mut Order,
    /// The order's reservations; its held ones are given back.
    pub reservations: &'a mut Vec<Reservation>,
    /// Its allocated units, as the plan was made for them.
    pub lines: &'a [RouteLine],
    pub plan: &'a [PlannedAllocation],
    pub destination: Option<GeoPoint>,
    pub explanation: Option<Explanation>,
}

pub struct MoveContext<'a> {
    pub locations: &'a [Location],
    pub transit: &'a dyn TransitModel,
    pub now_ms: i64,
    pub actor: &'a str,
    /// Why: "re-optimised with the other pending orders".
    pub reason: &'a str,
}

fn allocations(reservations: &[Reservation]) -> serde_json::Value {
    reservations
        .iter()
        .map(|r| json!({ "line": r.line_no, "sku": r.sku.as_str(), "location": r.location.as_str(), "quantity": r.quantity }))
        .collect()
}

/// Moves every order to its plan. Answers, per order in the same order, what to write: the
/// released and new reservations, their ledger entries and an `order.reoptimized` event.
/// Every order gives its units back before any takes new ones, so orders may swap locations.
pub fn move_allocations(
    moves: &mut [Move<'_>],
    context: &MoveContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<OrderChange>, FulfilError> {
    let mut given_back = Vec::with_capacity(moves.len());
    for m in moves.iter_mut() {
        given_back.push(give_back_all(m, context, book)?);
    }
    let mut changes = Vec::with_capacity(moves.len());
    for (m, (mut change, given)) in moves.iter_mut().zip(given_back) {
        take_plan(m, &mut change, &given, context, book, new_id)?;
        changes.push(change);
    }
    Ok(changes)
}

/// Why the order's units move, for its ledger entries.
fn move_cause<'a>(order_id: &'a str, context: &'a MoveContext<'_>) -> Cause<'a> {
    Cause {
        at_ms: context.now_ms,
        reason: Some(context.reason),
        reference: Some(order_id),
        actor: context.actor,
    }
}

/// Gives back every unit the order holds; answers the change so far and the reservations as
/// they were.
fn give_back_all(
    m: &mut Move<'_>,
    context: &MoveContext<'_>,
    book: &mut StockBook,
) -> Result<(OrderChange, Vec<Reservation>), FulfilError> {
    let order_id = m.order.id.clone();
    let cause = move_cause(&order_id, context);
    let mut change = OrderChange::default();
    let mut given = Vec::new();
    for r in m
        .reservations
        .iter_mut()
        .filter(|r| r.status == ReservationStatus::Held && r.owner == ReservationOwner::Order)
    {
        given.push(r.clone());
        change.ledger.push(r.give_back(r.quantity, book, cause)?);
        change.reservations.push(r.clone());
    }
    Ok((change, given))
}

/// Reserves the order's plan, dates its lines and promise again, and records the move.
fn take_plan(
    m: &mut Move<'_>,
    change: &mut OrderChange,
    given: &[Reservation],
    context: &MoveContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<(), FulfilError> {
    let now = context.now_ms;
    let owner = ReserveFor {
        owner: ReservationOwner::Order,
        owner_id: &m.order.id,
        expires_at_ms: None,
    };
    let cause = move_cause(&m.order.id, context);
    let (fresh, ledger) =
        reserve(m.plan, m.lines, owner, book, cause, new_id).map_err(FulfilError::Routing)?;
    change.ledger.extend(ledger);
    // The moved orders' new plans are dated as placed: re-optimisation runs on a wave's
    // plans, not on the day's loads.
    let no_loads = std::collections::HashMap::new();
    let dating = Dating {
        locations: context.locations,
        destination: m.destination,
        now_ms: now,
        transit: context.transit,
        loads: &no_loads,
    };
    for line in m.order.lines.iter_mut() {
        if fresh.iter().any(|r| r.line_no == line.line_no) {
            line.expected_date = line_date(line, &fresh, &m.order.delivery, &dating);
        }
    }
    m.order.promised_date = super::dates::promised_date(m.order);
    m.order.updated_at_ms = now;
    let data = json!({
        "from": allocations(given),
        "to": allocations(&fresh),
        "promised_date": m.order.promised_date.map(|d| d.to_string()),
    });
    let event = m.order.event(
        now,
        OrderEventKind::Reoptimized,
        None,
        context.actor,
        Some(context.reason),
        data,
    );
    change.events.push(event);
    change.routing = m.explanation.take();
    change.reservations.extend(fresh);
    Ok(())
}
