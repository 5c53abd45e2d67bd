//! Placing an order: take over a checkout hold's units if it names one, route the rest under
//! the channel's rules, reserve, and decide for each unit left over: preorder (before the
//! release date, within the cap), backorder (if the item may wait, with a date from incoming
//! supply), or refuse the order naming the short line.

use serde_json::json;

use super::dates::{Dating, is_pickup, line_date, preorder_date, promised_date};
use super::pickup::transfer_shortage;
use super::placement::{
    HoldToConvert, PlaceContext, PlaceInput, PlaceRejection, Placement, ShortLine,
};
use super::takeover::{allocated_per_reservations, take_over_hold};
use super::{Delivery, LineQuantities, Order, OrderDraft, OrderEvent, OrderLine, OrderStatus};
use crate::allocation::{ReserveFor, allocated_per_line, location_point, reserve, route};
use crate::field::FieldErrors;
use crate::geo::{GeoPoint, geocode_postal};
use crate::inventory::{Cause, StockBook};
use crate::location::Location;
use crate::promise::{promise_from_supply, utc_date};
use crate::reservation::{Reservation, ReservationOwner};
use crate::routing::problem::Exclusion;
use crate::routing::profile::PickupShortage;
use crate::routing::{Explanation, RouteLine};
use crate::values::LocationCode;

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
    let (sources, destination) = check_order(draft, context, hold.as_ref(), input.now_ms)
        .map_err(PlaceRejection::Invalid)?;
    let lines: Vec<RouteLine> = draft
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| RouteLine {
            line_no: i as u32 + 1,
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_weight_g: context.items.get(&l.sku).and_then(|f| f.weight_g),
        })
        .collect();

    let cause = Cause {
        at_ms: input.now_ms,
        reason: None,
        reference: Some(input.order_id),
        actor: input.actor,
    };
    let mut reservations = Vec::new();
    let mut ledger = Vec::new();
    let mut hold_note = None;
    let mut hold_after = None;
    if let Some(h) = &hold {
        let mut hold_copy = h.hold.clone();
        let mut held = h.reservations.clone();
        let (taken, released, note) = take_over_hold(
            input,
            &lines,
            &mut hold_copy,
            &mut held,
            book,
            new_reservation_id,
        )?;
        reservations.extend(taken);
        ledger.extend(released);
        hold_note = Some(note);
        hold_after = Some((hold_copy, held));
    }
    let from_hold = allocated_per_reservations(&reservations);
    let remaining: Vec<RouteLine> = lines
        .iter()
        .map(|l| RouteLine {
            quantity: l.quantity - from_hold.get(&l.line_no).copied().unwrap_or(0),
            ..l.clone()
        })
        .filter(|l| l.quantity > 0)
        .collect();
    let to = super::destination(
        draft.ship_to.as_ref(),
        destination,
        is_pickup(&draft.delivery),
        None,
    );
    let (candidates, checked) = route(
        &remaining,
        &sources,
        &to,
        book,
        context.rules,
        &context.routing,
        input.now_ms,
    )
    .map_err(PlaceRejection::Internal)?;
    let (mut routed, mut routing) = (checked.plan, checked.explanation);
    if let (Delivery::Pickup { location }, PickupShortage::Transfer) =
        (&draft.delivery, context.pickup_shortage)
    {
        let brought = transfer_shortage(
            &mut routed,
            &remaining,
            location,
            context,
            book,
            input.now_ms,
        )
        .map_err(PlaceRejection::Internal)?;
        // The store's own decision explains the order unless it had nothing to give.
        if routed.iter().all(|a| &a.location != location) {
            routing = brought.or(routing);
        }
    }
    let routed_per_line = allocated_per_line(&routed);
    let unserved = unserved(routing.as_ref(), draft.ship_to.as_ref());

    let today = utc_date(input.now_ms);
    let mut items = context.items.clone();
    let mut supply = context.supply.clone();
    let mut order_lines = Vec::with_capacity(lines.len());
    let mut shorts = Vec::new();
    for (line, draft_line) in lines.iter().zip(&draft.lines) {
        let allocated = from_hold.get(&line.line_no).copied().unwrap_or(0)
            + routed_per_line.get(&line.line_no).copied().unwrap_or(0);
        let missing = line.quantity - allocated;
        let mut order_line = OrderLine {
            line_no: line.line_no,
            sku: line.sku.clone(),
            unit_price_minor: draft_line.unit_price_minor,
            quantities: LineQuantities {
                ordered: line.quantity,
                allocated,
                backordered: missing,
                ..Default::default()
            },
            expected_date: None,
            preorder: false,
        };
        // Units no carrier can bring wait on the order's shipping hold, promised nothing.
        if missing > 0 && unserved.is_none() {
            let facts = items.get_mut(&line.sku);
            let rule = context.rules.and_then(|r| r.item(&line.sku));
            let preorder_open = rule.and_then(|r| r.allow_preorder) != Some(false);
            let may_wait = rule
                .and_then(|r| r.allow_backorder)
                .unwrap_or(facts.as_ref().is_some_and(|f| f.allow_backorder));
            match facts.and_then(|f| f.preorder.as_mut()) {
                Some(p)
                    if preorder_open && p.release_date > today && p.taken + missing <= p.cap =>
                {
                    p.taken += missing;
                    order_line.preorder = true;
                    order_line.expected_date = preorder_date(
                        p.release_date,
                        &sources,
                        destination,
                        input.now_ms,
                        context.routing.transit,
                        &draft.delivery,
                    );
                }
                _ if may_wait => {
                    let ahead = supply.waiting.entry(line.sku.clone()).or_insert(0);
                    let incoming = supply
                        .incoming
                        .get(&line.sku)
                        .map_or(&[][..], Vec::as_slice);
                    order_line.expected_date = promise_from_supply(
                        incoming,
                        *ahead,
                        missing,
                        context.locations,
                        destination,
                        input.now_ms,
                        context.routing.transit,
                    )
                    .map(|p| p.date);
                    *ahead += missing;
                }
                _ => {
                    let available = candidates.iter().map(|c| c.available_of(&line.sku)).sum();
                    shorts.push(ShortLine {
                        line_no: line.line_no,
                        sku: line.sku.clone(),
                        requested: line.quantity,
                        available,
                    });
                }
            }
        }
        order_lines.push(order_line);
    }
    if !shorts.is_empty() {
        return Err(PlaceRejection::Short(shorts));
    }

    let owner = ReserveFor {
        owner: ReservationOwner::Order,
        owner_id: input.order_id,
        expires_at_ms: None,
    };
    let (routed_reservations, routed_ledger) =
        reserve(&routed, &lines, owner, book, cause, new_reservation_id)
            .map_err(PlaceRejection::Internal)?;
    reservations.extend(routed_reservations);
    ledger.extend(routed_ledger);
    let dating = Dating {
        locations: context.locations,
        destination,
        now_ms: input.now_ms,
        transit: context.routing.transit,
        loads: context.routing.loads,
    };
    for line in &mut order_lines {
        line.expected_date = line_date(line, &reservations, &draft.delivery, &dating);
    }

    let mut order = Order {
        id: input.order_id.to_string(),
        // Numbers are handed out by the store as it commits, so rejected orders use none.
        number: String::new(),
        channel: draft.channel.clone(),
        external_id: draft.external_id.clone(),
        status: OrderStatus::Received,
        customer: draft.customer.clone(),
        ship_to: draft.ship_to.clone(),
        currency: draft.currency,
        delivery: draft.delivery.clone(),
        promised_date: None,
        lines: order_lines,
        priority: draft.priority,
        event_seq: 0,
        created_at_ms: input.now_ms,
        updated_at_ms: input.now_ms,
    };
    order.promised_date = promised_date(&order);
    let mut events = placement_events(&mut order, &reservations, input, hold_note)
        .map_err(|e| PlaceRejection::Internal(e.to_string()))?;
    let mut holds = Vec::new();
    if !input.draft.address_problems.is_empty() {
        let id = input.order_id.replacen("ord_", "ohd_", 1);
        let (hold, event) =
            super::address_hold(&mut order, id, &input.draft.address_problems, input.now_ms)
                .map_err(|e| PlaceRejection::Internal(e.to_string()))?;
        events.push(event);
        holds.push(hold);
    }
    if let Some(why) = unserved {
        let id = input.order_id.replacen("ord_", "ohs_", 1);
        let (hold, event) = super::shipping_hold(&mut order, id, why, input.now_ms)
            .map_err(|e| PlaceRejection::Internal(e.to_string()))?;
        events.push(event);
        holds.push(hold);
    }

    *context.items = items;
    *context.supply = supply;
    if let (Some(h), Some((hold_copy, held))) = (hold, hold_after) {
        *h.hold = hold_copy;
        *h.reservations = held;
    }
    Ok(Placement {
        order,
        reservations,
        ledger,
        events,
        routing,
        holds,
    })
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
    let no_service = Exclusion::NoService.as_str();
    let all_unserved = !stocked.is_empty()
        && stocked
            .iter()
            .all(|c| c.excluded.as_ref().is_some_and(|e| e.reason == no_service));
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

/// Checks the items, the delivery method and the hold; answers with the locations that may
/// fulfil and where the goods go.
fn check_order<'a>(
    draft: &OrderDraft,
    context: &PlaceContext<'a>,
    hold: Option<&HoldToConvert<'_>>,
    _now_ms: i64,
) -> Result<(Vec<&'a Location>, Option<GeoPoint>), FieldErrors> {
    let mut errors = FieldErrors::new();
    for (i, line) in draft.lines.iter().enumerate() {
        match context.items.get(&line.sku) {
            None => errors.push(
                format!("lines[{i}].sku"),
                format!("no item has SKU {}", line.sku),
            ),
            Some(facts) if !facts.active => errors.push(
                format!("lines[{i}].sku"),
                "the item is inactive and cannot be ordered",
            ),
            Some(_) => {}
        }
    }
    let priced = draft.lines.iter().map(|l| (l.quantity, l.unit_price_minor));
    if let Err(message) = super::checked_total(priced) {
        errors.push("lines", message);
    }
    if let Some(h) = hold
        && h.hold.channel.as_ref().is_some_and(|c| *c != draft.channel)
    {
        errors.push("hold_id", "the hold was made for another channel");
    }
    let excluded = |code: &LocationCode| {
        context
            .rules
            .is_some_and(|r| r.excluded_locations.contains(code))
    };
    let routing = match &draft.delivery {
        Delivery::Ship => {
            let destination = draft.ship_to.as_ref().and_then(|s| {
                s.point
                    .or_else(|| geocode_postal(s.country, &s.postal_code))
            });
            Some((
                context
                    .locations
                    .iter()
                    .filter(|l| l.active && !excluded(&l.code))
                    .collect(),
                destination,
            ))
        }
        Delivery::Pickup { location } => {
            match context.locations.iter().find(|l| &l.code == location) {
                None => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("no location has code {location}"),
                    );
                    None
                }
                Some(l) if !l.serves_pickup() => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("{location} does not offer pickup"),
                    );
                    None
                }
                Some(l) if excluded(&l.code) => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("{location} does not serve this channel"),
                    );
                    None
                }
                Some(l) => Some((vec![l], location_point(l))),
            }
        }
    };
    errors.into_result()?;
    Ok(routing.unwrap_or_default())
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
        "order.received",
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
        ("order.allocated", None)
    } else {
        (
            "order.backordered",
            Some("not enough stock: the waiting units are backordered or preordered"),
        )
    };
    let data = json!({ "allocations": allocations, "backordered": waiting, "promised_date": order.promised_date.map(|d| d.to_string()) });
    let routed = order.follow_quantities(now, kind, actor, reason, data)?;
    Ok([Some(received), routed].into_iter().flatten().collect())
}
