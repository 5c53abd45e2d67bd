//! What happens to an order's units after placing: they wait and are filled when stock
//! arrives (by a policy), or a count takes them away and they wait again. Shipping an
//! allocation directly is `ship_allocation.rs`.

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use serde_json::json;

use super::{IllegalTransition, Order, OrderEvent, OrderEventKind, OrderStatus, ShipTo};
use crate::allocation::{ReserveFor, Routing, reserve, route};
use crate::channel::StockRules;
use crate::geo::GeoPoint;
use crate::inventory::{Cause, InventoryError, LedgerEntry, StockBook};
use crate::location::{Location, location_point};
use crate::promise::from_stock;
use crate::reservation::{Reservation, ReservationOwner};
use crate::routing::{Explanation, RouteLine};
use crate::values::{LocationCode, Sku};

use super::Delivery;

/// The order in which waiting lines are filled when stock arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackorderPolicy {
    /// The oldest order first.
    #[default]
    OldestFirst,
    /// The highest priority first, then the oldest.
    Priority,
    /// The earliest promised date first (orders without one last), then the oldest.
    PromiseDate,
}

impl BackorderPolicy {
    pub const ALL: [BackorderPolicy; 3] = [Self::OldestFirst, Self::Priority, Self::PromiseDate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OldestFirst => "oldest_first",
            Self::Priority => "priority",
            Self::PromiseDate => "promise_date",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| "must be one of oldest_first, priority, promise_date".to_string())
    }

    /// Sorts waiting orders into the order they are served.
    pub fn sort(self, orders: &mut [Order]) {
        orders.sort_by(|a, b| {
            let oldest = a
                .created_at_ms
                .cmp(&b.created_at_ms)
                .then_with(|| a.id.cmp(&b.id));
            match self {
                Self::OldestFirst => oldest,
                Self::Priority => b.priority.cmp(&a.priority).then(oldest),
                Self::PromiseDate => {
                    let key = |o: &Order| (o.promised_date.is_none(), o.promised_date);
                    key(a).cmp(&key(b)).then(oldest)
                }
            }
        });
    }
}

/// What filling, shipping or re-routing decided for one order, to be written with it.
#[derive(Debug, Default)]
pub struct OrderChange {
    pub reservations: Vec<Reservation>,
    pub ledger: Vec<LedgerEntry>,
    pub events: Vec<OrderEvent>,
    /// Why the router chose what it did, when it says.
    pub routing: Option<Explanation>,
}

#[derive(Debug, thiserror::Error)]
pub enum FulfilError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error("{0}")]
    Routing(String),
}

/// Where an order may be fulfilled from, and where it goes.
pub fn sources_for<'a>(
    order: &Order,
    locations: &'a [Location],
    rules: Option<&StockRules>,
) -> (Vec<&'a Location>, Option<GeoPoint>) {
    let excluded = |l: &Location| rules.is_some_and(|r| r.excluded_locations.contains(&l.code));
    match &order.delivery {
        Delivery::Ship => {
            let destination = order.ship_to.as_ref().and_then(ShipTo::point_or_postal);
            (
                locations
                    .iter()
                    .filter(|l| l.active && !excluded(l))
                    .collect(),
                destination,
            )
        }
        Delivery::Pickup { location } => {
            let store: Vec<&Location> = locations
                .iter()
                .filter(|l| &l.code == location && l.serves_pickup())
                .collect();
            let point = store.first().and_then(|l| location_point(l));
            (store, point)
        }
    }
}

/// What filling needs besides the order and the stock.
pub struct FillContext<'a> {
    pub locations: &'a [Location],
    pub rules: Option<&'a StockRules>,
    pub routing: Routing<'a>,
    /// Grams per unit of the items being filled, where recorded.
    pub weights: &'a HashMap<Sku, i64>,
    /// Locations left out: those that rejected the units being re-routed.
    pub excluded: &'a [LocationCode],
    pub now_ms: i64,
    pub actor: &'a str,
    /// Why units are being filled: "stock arrived", "re-routed after a count"...
    pub reason: &'a str,
}

/// Allocates what the stock in `book` allows of the order's waiting units of `skus`. Answers
/// `None` when nothing could be allocated.
pub fn fill_backorders(
    order: &mut Order,
    skus: &BTreeSet<Sku>,
    context: &FillContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Option<OrderChange>, FulfilError> {
    if matches!(order.status, OrderStatus::OnHold | OrderStatus::Cancelled) {
        return Ok(None);
    }
    let waiting: Vec<RouteLine> = order
        .lines
        .iter()
        .filter(|l| l.quantities.backordered > 0 && skus.contains(&l.sku))
        .map(|l| RouteLine {
            line_no: l.line_no,
            sku: l.sku.clone(),
            quantity: l.quantities.backordered,
            unit_weight_g: context.weights.get(&l.sku).copied(),
        })
        .collect();
    if waiting.is_empty() {
        return Ok(None);
    }
    let (mut sources, destination) = sources_for(order, context.locations, context.rules);
    sources.retain(|l| !context.excluded.contains(&l.code));
    let pickup = matches!(order.delivery, Delivery::Pickup { .. });
    let to = super::destination(order.ship_to.as_ref(), destination, pickup, None);
    let (_, checked) = route(
        &waiting,
        &sources,
        &to,
        book,
        context.rules,
        &context.routing,
        context.now_ms,
    )
    .map_err(FulfilError::Routing)?;
    let (planned, routing) = (checked.plan, checked.explanation);
    if planned.is_empty() {
        return Ok(None);
    }
    let cause = Cause {
        at_ms: context.now_ms,
        reason: Some(context.reason),
        reference: Some(&order.id),
        actor: context.actor,
    };
    let owner = ReserveFor {
        owner: ReservationOwner::Order,
        owner_id: &order.id,
        expires_at_ms: None,
    };
    let (reservations, ledger) =
        reserve(&planned, &waiting, owner, book, cause, new_id).map_err(FulfilError::Routing)?;
    for r in &reservations {
        allocate(order, r, destination, context)?;
    }
    order.promised_date = super::dates::promised_date(order);
    order.updated_at_ms = context.now_ms;
    let event = filled_event(order, &reservations, context)?;
    Ok(Some(OrderChange {
        reservations,
        ledger,
        events: vec![event],
        routing,
    }))
}

/// Counts a new reservation's units as allocated on its line, and dates the line by when the
/// units arrive from there (the last of its units, while some still wait).
fn allocate(
    order: &mut Order,
    r: &Reservation,
    destination: Option<GeoPoint>,
    context: &FillContext<'_>,
) -> Result<(), FulfilError> {
    let pickup = matches!(order.delivery, Delivery::Pickup { .. });
    let location = context.locations.iter().find(|l| l.code == r.location);
    let line = order
        .lines
        .iter_mut()
        .find(|l| l.line_no == r.line_no)
        .ok_or(FulfilError::Routing("a filled line vanished".into()))?;
    line.quantities.allocated += r.quantity;
    line.quantities.backordered -= r.quantity;
    let Some(location) = location else {
        return Ok(());
    };
    let load = context.routing.loads.get(&location.code).copied();
    let transit = context.routing.transit;
    let p = from_stock(
        location,
        destination,
        context.now_ms,
        transit,
        load.unwrap_or(0),
    );
    let arrives = if pickup { p.ship_date } else { p.date };
    line.expected_date = Some(if line.quantities.backordered > 0 {
        line.expected_date.map_or(arrives, |d: Date| d.max(arrives))
    } else {
        arrives
    });
    Ok(())
}

/// The timeline's entry for units filled: allocated from stock that arrived, or re-routed.
fn filled_event(
    order: &mut Order,
    reservations: &[Reservation],
    context: &FillContext<'_>,
) -> Result<OrderEvent, FulfilError> {
    let allocations: Vec<_> = reservations
        .iter()
        .map(|r| json!({ "line": r.line_no, "sku": r.sku.as_str(), "location": r.location.as_str(), "quantity": r.quantity }))
        .collect();
    let data = json!({ "allocations": allocations, "promised_date": order.promised_date.map(|d| d.to_string()) });
    let kind = if context.excluded.is_empty() {
        OrderEventKind::BackorderAllocated
    } else {
        OrderEventKind::Rerouted
    };
    let (at, actor, reason) = (context.now_ms, context.actor, Some(context.reason));
    Ok(
        match order.follow_quantities(at, kind, actor, reason, data.clone())? {
            Some(event) => event,
            None => order.event(at, kind, None, actor, reason, data),
        },
    )
}

/// Puts `quantity` allocated units of a line back to waiting, after a count took them away
/// from their location. Their reservation has already been shrunk or released by the caller.
pub fn return_to_waiting(
    order: &mut Order,
    line_no: u32,
    quantity: i64,
    location: &str,
    now_ms: i64,
    actor: &str,
) -> Result<OrderEvent, FulfilError> {
    let line = order
        .lines
        .iter_mut()
        .find(|l| l.line_no == line_no)
        .ok_or(FulfilError::Routing(format!("line {line_no} vanished")))?;
    let moved = quantity.min(line.quantities.allocated);
    line.quantities.allocated -= moved;
    // Released units the count took are found missing when the location picks.
    line.quantities.released = line.quantities.released.min(line.quantities.allocated);
    line.quantities.backordered += moved;
    line.expected_date = None;
    order.promised_date = None;
    order.updated_at_ms = now_ms;
    let reason = "a stock count fell below what was reserved";
    let data = json!({ "line": line_no, "quantity": moved, "location": location });
    let event = match order.follow_quantities(
        now_ms,
        OrderEventKind::StockShortfall,
        actor,
        Some(reason),
        data.clone(),
    )? {
        Some(event) => event,
        None => order.event(
            now_ms,
            OrderEventKind::StockShortfall,
            None,
            actor,
            Some(reason),
            data,
        ),
    };
    Ok(event)
}
