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
pub fn move_allocations(
    moves: &mut [Move<'_>],
    context: &MoveContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<OrderChange>, FulfilError> {
    let now = context.now_ms;
    let mut changes: Vec<OrderChange> = Vec::with_capacity(moves.len());
    let mut released: Vec<Vec<Reservation>> = Vec::with_capacity(moves.len());
    for m in moves.iter_mut() {
        let cause = Cause {
            at_ms: now,
            reason: Some(context.reason),
            reference: Some(&m.order.id),
            actor: context.actor,
        };
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
        released.push(given);
        changes.push(change);
    }
    // The moved orders' new plans are dated as placed: re-optimisation runs on a wave's
    // plans, not on the day's loads.
    let no_loads = std::collections::HashMap::new();
    for ((m, change), given) in moves.iter_mut().zip(&mut changes).zip(released) {
        let dating = Dating {
            locations: context.locations,
            destination: m.destination,
            now_ms: now,
            transit: context.transit,
            loads: &no_loads,
        };
        let cause = Cause {
            at_ms: now,
            reason: Some(context.reason),
            reference: Some(&m.order.id),
            actor: context.actor,
        };
        let owner = ReserveFor {
            owner: ReservationOwner::Order,
            owner_id: &m.order.id,
            expires_at_ms: None,
        };
        let (fresh, ledger) =
            reserve(m.plan, m.lines, owner, book, cause, new_id).map_err(FulfilError::Routing)?;
        change.ledger.extend(ledger);
        for line in m.order.lines.iter_mut() {
            if !fresh.iter().any(|r| r.line_no == line.line_no) {
                continue;
            }
            line.expected_date = line_date(line, &fresh, &m.order.delivery, &dating);
        }
        m.order.promised_date = super::dates::promised_date(m.order);
        m.order.updated_at_ms = now;
        let data = json!({
            "from": allocations(&given),
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
    }
    Ok(changes)
}
