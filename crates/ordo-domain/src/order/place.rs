//! Placing an order: take over a checkout hold's units if it names one, route the rest under
//! the channel's rules, reserve, and decide for each unit left over: preorder (before the
//! release date, within the cap), backorder (if the item may wait, with a date from incoming
//! supply), or refuse the order naming the short line.

use std::collections::HashMap;

use serde_json::json;

use super::dates::{Dating, is_pickup, line_date, promised_date};
use super::pickup::transfer_shortage;
use super::place_check::check_order;
use super::place_lines::{Routed, Waiting};
use super::placement::{HoldToConvert, PlaceContext, PlaceInput, PlaceRejection, Placement};
use super::takeover::{allocated_per_reservations, take_over_hold};
use super::{
    Delivery, Order, OrderDraft, OrderEvent, OrderEventKind, OrderHold, OrderLine, OrderStatus,
};
use crate::allocation::{ReserveFor, reserve, route};
use crate::geo::GeoPoint;
use crate::hold::Hold;
use crate::inventory::{Cause, LedgerEntry, StockBook};
use crate::location::Location;
use crate::reservation::{Reservation, ReservationOwner};
use crate::routing::problem::Exclusion;
use crate::routing::profile::PickupShortage;
use crate::routing::{Explanation, RouteLine};

/// Decides a placement against the stock in `book`, reserving in it. On rejection the book
/// and the hold are as they were.
pub fn place(
    input: &PlaceInput<'_>,
    context: &mut PlaceContext<'_>,
    book: &mut StockBook,
    hold: Option<HoldToConvert<'_>>,
    new_reservation_id: &mut dyn FnMut() -> String,
) -> Result<Placement, PlaceRejection> {
    let mark = book.checkpoint();
    let placed = decide(input, context, book, hold, new_reservation_id);
    if placed.is_err() {
        book.rollback(mark);
    }
    placed
}

/// [`place`], leaving the book rolled back to the caller on rejection. The items, supply and
/// hold are worked on as copies and written back only when the order is placed.
fn decide(
    input: &PlaceInput<'_>,
    context: &mut PlaceContext<'_>,
    book: &mut StockBook,
    hold: Option<HoldToConvert<'_>>,
    new_reservation_id: &mut dyn FnMut() -> String,
) -> Result<Placement, PlaceRejection> {
    let draft = input.draft;
    let (sources, destination) =
        check_order(draft, context, hold.as_ref()).map_err(PlaceRejection::Invalid)?;
    let lines = route_lines(draft, context);
    let taken = match &hold {
        Some(h) => TakenHold::take(input, &lines, h, book, new_reservation_id)?,
        None => TakenHold::default(),
    };
    let from_hold = allocated_per_reservations(&taken.reservations);
    let routed = route_rest(
        input,
        context,
        book,
        &lines,
        &from_hold,
        &sources,
        destination,
    )?;
    let served = unserved(routed.routing.as_ref(), draft.ship_to.as_ref());
    let (mut items, mut supply) = (context.items.clone(), context.supply.clone());
    let waiting = Waiting {
        input,
        context,
        sources: &sources,
        destination,
        served: served.is_none(),
    };
    let mut order_lines =
        waiting.order_lines(&lines, &from_hold, &routed, &mut items, &mut supply)?;
    let TakenHold {
        mut reservations,
        mut ledger,
        note,
        after,
    } = taken;
    let (placed, placed_ledger) = reserve_routed(input, &routed, &lines, book, new_reservation_id)?;
    reservations.extend(placed);
    ledger.extend(placed_ledger);
    date_lines(&mut order_lines, &reservations, input, context, destination);
    let mut order = new_order(input, order_lines);
    let (events, holds) = records(&mut order, &reservations, input, note, served)?;
    *context.items = items;
    *context.supply = supply;
    if let (Some(h), Some((hold_copy, held))) = (hold, after) {
        *h.hold = hold_copy;
        *h.reservations = held;
    }
    Ok(Placement {
        order,
        reservations,
        ledger,
        events,
        routing: routed.routing,
        holds,
    })
}

/// Reserves the units the router planned, for the order.
fn reserve_routed(
    input: &PlaceInput<'_>,
    routed: &Routed,
    lines: &[RouteLine],
    book: &mut StockBook,
    new_reservation_id: &mut dyn FnMut() -> String,
) -> Result<(Vec<Reservation>, Vec<LedgerEntry>), PlaceRejection> {
    let owner = ReserveFor {
        owner: ReservationOwner::Order,
        owner_id: input.order_id,
        expires_at_ms: None,
    };
    reserve(
        &routed.plan,
        lines,
        owner,
        book,
        cause(input),
        new_reservation_id,
    )
    .map_err(PlaceRejection::Internal)
}

/// Dates each line from where its units are reserved (or, waiting, as decided already).
fn date_lines(
    lines: &mut [OrderLine],
    reservations: &[Reservation],
    input: &PlaceInput<'_>,
    context: &PlaceContext<'_>,
    destination: Option<GeoPoint>,
) {
    let dating = Dating {
        locations: context.locations,
        destination,
        now_ms: input.now_ms,
        transit: context.routing.transit,
        loads: context.routing.loads,
    };
    for line in lines {
        line.expected_date = line_date(line, reservations, &input.draft.delivery, &dating);
    }
}

/// The order's lines as the router sees them.
fn route_lines(draft: &OrderDraft, context: &PlaceContext<'_>) -> Vec<RouteLine> {
    draft
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| RouteLine {
            line_no: i as u32 + 1,
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_weight_g: context.items.get(&l.sku).and_then(|f| f.weight_g),
        })
        .collect()
}

fn cause<'a>(input: &PlaceInput<'a>) -> Cause<'a> {
    Cause {
        at_ms: input.now_ms,
        reason: None,
        reference: Some(input.order_id),
        actor: input.actor,
    }
}

/// What the order took over from the checkout hold it named: the units, the hold's own
/// ledger, the note for the timeline, and the hold and its reservations as they are after.
#[derive(Default)]
struct TakenHold {
    reservations: Vec<Reservation>,
    ledger: Vec<LedgerEntry>,
    note: Option<serde_json::Value>,
    after: Option<(Hold, Vec<Reservation>)>,
}

impl TakenHold {
    fn take(
        input: &PlaceInput<'_>,
        lines: &[RouteLine],
        hold: &HoldToConvert<'_>,
        book: &mut StockBook,
        new_reservation_id: &mut dyn FnMut() -> String,
    ) -> Result<Self, PlaceRejection> {
        let mut after = hold.hold.clone();
        let mut held = hold.reservations.clone();
        let (reservations, ledger, note) = take_over_hold(
            input,
            lines,
            &mut after,
            &mut held,
            book,
            new_reservation_id,
        )?;
        Ok(Self {
            reservations,
            ledger,
            note: Some(note),
            after: Some((after, held)),
        })
    }
}

/// Routes what the hold did not bring; a pickup order whose store is short may have the rest
/// brought to the store, when its profile says so.
fn route_rest(
    input: &PlaceInput<'_>,
    context: &PlaceContext<'_>,
    book: &StockBook,
    lines: &[RouteLine],
    from_hold: &HashMap<u32, i64>,
    sources: &[&Location],
    destination: Option<GeoPoint>,
) -> Result<Routed, PlaceRejection> {
    let draft = input.draft;
    let remaining: Vec<RouteLine> = lines
        .iter()
        .map(|l| RouteLine {
            quantity: l.quantity - from_hold.get(&l.line_no).copied().unwrap_or(0),
            ..l.clone()
        })
        .filter(|l| l.quantity > 0)
        .collect();
    let pickup = is_pickup(&draft.delivery);
    let to = super::destination(draft.ship_to.as_ref(), destination, pickup, None);
    let (rules, routing, now_ms) = (context.rules, &context.routing, input.now_ms);
    let (candidates, checked) = route(&remaining, sources, &to, book, rules, routing, now_ms)
        .map_err(PlaceRejection::Internal)?;
    let (mut plan, mut routing) = (checked.plan, checked.explanation);
    if let (Delivery::Pickup { location }, PickupShortage::Transfer) =
        (&draft.delivery, context.pickup_shortage)
    {
        let brought = transfer_shortage(&mut plan, &remaining, location, context, book, now_ms)
            .map_err(PlaceRejection::Internal)?;
        // The store's own decision explains the order unless it had nothing to give.
        if plan.iter().all(|a| &a.location != location) {
            routing = brought.or(routing);
        }
    }
    Ok(Routed {
        candidates,
        plan,
        routing,
    })
}

/// The order as placed, before its holds; its number is handed out by the store as it
/// commits, so rejected orders use none.
fn new_order(input: &PlaceInput<'_>, lines: Vec<OrderLine>) -> Order {
    let draft = input.draft;
    let mut order = Order {
        id: input.order_id.to_string(),
        number: String::new(),
        channel: draft.channel.clone(),
        external_id: draft.external_id.clone(),
        status: OrderStatus::Received,
        customer: draft.customer.clone(),
        ship_to: draft.ship_to.clone(),
        currency: draft.currency,
        delivery: draft.delivery.clone(),
        promised_date: None,
        lines,
        priority: draft.priority,
        event_seq: 0,
        created_at_ms: input.now_ms,
        updated_at_ms: input.now_ms,
    };
    order.promised_date = promised_date(&order);
    order
}

/// The placed order's timeline, and the holds it starts with: an address that failed its
/// checks, or goods no carrier can bring (`unserved` says why).
fn records(
    order: &mut Order,
    reservations: &[Reservation],
    input: &PlaceInput<'_>,
    hold_note: Option<serde_json::Value>,
    unserved: Option<String>,
) -> Result<(Vec<OrderEvent>, Vec<OrderHold>), PlaceRejection> {
    let illegal = |e: super::IllegalTransition| PlaceRejection::Internal(e.to_string());
    let mut events = placement_events(order, reservations, input, hold_note).map_err(illegal)?;
    let mut holds = Vec::new();
    let problems = &input.draft.address_problems;
    if !problems.is_empty() {
        let id = input.order_id.replacen("ord_", "ohd_", 1);
        let (hold, event) =
            super::address_hold(order, id, problems, input.now_ms).map_err(illegal)?;
        events.push(event);
        holds.push(hold);
    }
    if let Some(why) = unserved {
        let id = input.order_id.replacen("ord_", "ohs_", 1);
        let (hold, event) = super::shipping_hold(order, id, why, input.now_ms).map_err(illegal)?;
        events.push(event);
        holds.push(hold);
    }
    Ok((events, holds))
}

/// Why no carrier can bring the goods, when every location holding some of the order's items
/// was left out because no carrier service delivers from it to the address.
fn unserved(routing: Option<&Explanation>, ship_to: Option<&super::ShipTo>) -> Option<String> {
    let (explanation, to) = (routing?, ship_to?);
    let stocked: Vec<_> = explanation
        .candidates
        .iter()
        .filter(|c| c.units_available > 0)
        .collect();
    let all_unserved = !stocked.is_empty()
        && stocked.iter().all(|c| {
            c.excluded
                .as_ref()
                .is_some_and(|e| e.reason == Exclusion::NoService)
        });
    all_unserved.then(|| {
        let from: Vec<&str> = stocked.iter().map(|c| c.location.as_str()).collect();
        format!(
            "no carrier service delivers to {} {} from {}, where the items are",
            to.country.as_str(),
            to.postal_code,
            from.join(", ")
        )
    })
}

fn placement_events(
    order: &mut Order,
    reservations: &[Reservation],
    input: &PlaceInput<'_>,
    hold_note: Option<serde_json::Value>,
) -> Result<Vec<OrderEvent>, super::IllegalTransition> {
    let (now, actor) = (input.now_ms, input.actor);
    let received = order.event(
        now,
        OrderEventKind::Received,
        Some((None, OrderStatus::Received)),
        actor,
        None,
        json!({ "channel": order.channel.as_str(), "external_id": order.external_id, "lines": order.lines.len(), "hold": hold_note }),
    );
    let allocations: Vec<_> = reservations
        .iter()
        .map(|r| json!({ "line": r.line_no, "sku": r.sku.as_str(), "location": r.location.as_str(), "quantity": r.quantity }))
        .collect();
    let waiting: Vec<_> = order
        .lines
        .iter()
        .filter(|l| l.quantities.backordered > 0)
        .map(|l| json!({ "line": l.line_no, "sku": l.sku.as_str(), "quantity": l.quantities.backordered, "preorder": l.preorder, "expected_date": l.expected_date.map(|d| d.to_string()) }))
        .collect();
    let (kind, reason) = if waiting.is_empty() {
        (OrderEventKind::Allocated, None)
    } else {
        (
            OrderEventKind::Backordered,
            Some("not enough stock: the waiting units are backordered or preordered"),
        )
    };
    let data = json!({ "allocations": allocations, "backordered": waiting, "promised_date": order.promised_date.map(|d| d.to_string()) });
    let routed = order.follow_quantities(now, kind, actor, reason, data)?;
    Ok([Some(received), routed].into_iter().flatten().collect())
}
