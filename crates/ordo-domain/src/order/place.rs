//! Placing an order: check its items, route it, reserve what was routed, backorder what may
//! wait, and refuse the order when a line can neither be reserved nor wait.

use std::collections::HashMap;

use serde_json::json;

use super::{
    Delivery, LineQuantities, Order, OrderDraft, OrderEvent, OrderLine, OrderStatus, Reservation,
    ReservationStatus,
};
use crate::field::FieldErrors;
use crate::geo::{GeoPoint, geocode_postal};
use crate::inventory::{Cause, LedgerEntry, Movement, StockBook};
use crate::location::Location;
use crate::routing::{Candidate, PlannedAllocation, RouteLine, RouteRequest, Router};
use crate::values::{LocationCode, Sku};

/// What placing needs to know of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub active: bool,
    pub allow_backorder: bool,
}

pub struct PlaceInput<'a> {
    pub order_id: &'a str,
    pub draft: &'a OrderDraft,
    pub now_ms: i64,
    pub actor: &'a str,
}

/// A placed order and everything that must be written with it.
#[derive(Debug)]
pub struct Placement {
    pub order: Order,
    pub reservations: Vec<Reservation>,
    pub ledger: Vec<LedgerEntry>,
    pub events: Vec<OrderEvent>,
}

/// A line that could be neither reserved nor backordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLine {
    pub line_no: u32,
    pub sku: Sku,
    pub requested: i64,
    /// What the candidate locations could promise of this item when the order was placed.
    pub available: i64,
}

#[derive(Debug)]
pub enum PlaceRejection {
    /// The order names items or a pickup location that cannot be used.
    Invalid(FieldErrors),
    /// Some lines cannot be covered.
    Short(Vec<ShortLine>),
    /// The router broke its contract: a bug, reported rather than acted on.
    Internal(String),
}

/// Decides a placement against the stock in `book`, reserving in it. On rejection the book is
/// unchanged.
pub fn place(
    input: &PlaceInput<'_>,
    items: &HashMap<Sku, ItemFacts>,
    locations: &[Location],
    book: &mut StockBook,
    router: &dyn Router,
    new_reservation_id: &mut dyn FnMut() -> String,
) -> Result<Placement, PlaceRejection> {
    let draft = input.draft;
    let (sources, destination) =
        check_order(draft, items, locations).map_err(PlaceRejection::Invalid)?;

    let lines: Vec<RouteLine> = draft
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| RouteLine {
            line_no: i as u32 + 1,
            sku: l.sku.clone(),
            quantity: l.quantity,
        })
        .collect();
    let candidates = candidates(&sources, &lines, book);
    let plan = router.route(
        &RouteRequest {
            lines: &lines,
            destination,
        },
        &candidates,
    );
    verify_plan(&plan, &lines, &candidates).map_err(PlaceRejection::Internal)?;

    let mut quantities = Vec::with_capacity(lines.len());
    let mut shorts = Vec::new();
    for line in &lines {
        let allocated: i64 = plan
            .iter()
            .filter(|a| a.line_no == line.line_no)
            .map(|a| a.quantity)
            .sum();
        let missing = line.quantity - allocated;
        let may_wait = items.get(&line.sku).is_some_and(|f| f.allow_backorder);
        if missing > 0 && !may_wait {
            let available = candidates.iter().map(|c| c.available_of(&line.sku)).sum();
            shorts.push(ShortLine {
                line_no: line.line_no,
                sku: line.sku.clone(),
                requested: line.quantity,
                available,
            });
        }
        quantities.push(LineQuantities {
            ordered: line.quantity,
            allocated,
            backordered: missing,
            ..Default::default()
        });
    }
    if !shorts.is_empty() {
        return Err(PlaceRejection::Short(shorts));
    }

    let cause = Cause {
        at_ms: input.now_ms,
        reason: None,
        reference: Some(input.order_id),
        actor: input.actor,
    };
    let mut ledger = Vec::with_capacity(plan.len());
    let mut reservations = Vec::with_capacity(plan.len());
    for allocation in merge(plan) {
        let sku = &lines[allocation.line_no as usize - 1].sku;
        let entry = book
            .apply(
                &allocation.location,
                sku,
                Movement::Reserve {
                    quantity: allocation.quantity,
                },
                cause,
            )
            .map_err(|e| {
                PlaceRejection::Internal(format!("verified allocation failed to reserve: {e}"))
            })?;
        ledger.push(entry);
        reservations.push(Reservation {
            id: new_reservation_id(),
            order_id: input.order_id.to_string(),
            line_no: allocation.line_no,
            sku: sku.clone(),
            location: allocation.location,
            quantity: allocation.quantity,
            status: ReservationStatus::Held,
            created_at_ms: input.now_ms,
            updated_at_ms: input.now_ms,
        });
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
        lines: lines
            .iter()
            .zip(&draft.lines)
            .zip(quantities)
            .map(|((l, d), quantities)| OrderLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                unit_price_minor: d.unit_price_minor,
                quantities,
            })
            .collect(),
        event_seq: 0,
        created_at_ms: input.now_ms,
        updated_at_ms: input.now_ms,
    };
    let events = placement_events(&mut order, &reservations, input);
    Ok(Placement {
        order,
        reservations,
        ledger,
        events,
    })
}

/// Checks the items and the delivery method; answers with the locations that may fulfil and
/// where the goods go.
fn check_order<'a>(
    draft: &OrderDraft,
    items: &HashMap<Sku, ItemFacts>,
    locations: &'a [Location],
) -> Result<(Vec<&'a Location>, Option<GeoPoint>), FieldErrors> {
    let mut errors = FieldErrors::new();
    for (i, line) in draft.lines.iter().enumerate() {
        match items.get(&line.sku) {
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
    let routing = match &draft.delivery {
        Delivery::Ship => {
            let destination = draft.ship_to.as_ref().and_then(|s| {
                s.point
                    .or_else(|| geocode_postal(s.country, &s.postal_code))
            });
            Some((
                locations.iter().filter(|l| l.ships()).collect(),
                destination,
            ))
        }
        Delivery::Pickup { location } => match locations.iter().find(|l| &l.code == location) {
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
            Some(l) => Some((vec![l], location_point(l))),
        },
    };
    errors.into_result()?;
    Ok(routing.unwrap_or_default())
}

fn location_point(location: &Location) -> Option<GeoPoint> {
    let address = &location.address;
    address
        .point
        .or_else(|| geocode_postal(address.country, &address.postal_code))
}

fn candidates(sources: &[&Location], lines: &[RouteLine], book: &StockBook) -> Vec<Candidate> {
    let mut skus: Vec<&Sku> = lines.iter().map(|l| &l.sku).collect();
    skus.sort();
    skus.dedup();
    sources
        .iter()
        .map(|location| Candidate {
            location: location.code.clone(),
            point: location_point(location),
            available: skus
                .iter()
                .map(|sku| ((*sku).clone(), book.available(&location.code, sku)))
                .filter(|(_, q)| *q > 0)
                .collect(),
        })
        .collect()
}

/// A router must allocate positive quantities, to known lines and candidates, within each
/// line's quantity and each candidate's stock.
fn verify_plan(
    plan: &[PlannedAllocation],
    lines: &[RouteLine],
    candidates: &[Candidate],
) -> Result<(), String> {
    let mut per_line: HashMap<u32, i64> = HashMap::new();
    let mut per_source: HashMap<(&LocationCode, &Sku), i64> = HashMap::new();
    for a in plan {
        let line = lines
            .iter()
            .find(|l| l.line_no == a.line_no)
            .ok_or(format!("unknown line {}", a.line_no))?;
        let candidate = candidates
            .iter()
            .find(|c| c.location == a.location)
            .ok_or(format!("{} is not a candidate", a.location))?;
        if a.quantity <= 0 {
            return Err(format!("non-positive quantity for line {}", a.line_no));
        }
        let line_total = per_line.entry(a.line_no).or_default();
        *line_total += a.quantity;
        if *line_total > line.quantity {
            return Err(format!("line {} over-allocated", a.line_no));
        }
        let source_total = per_source
            .entry((&candidate.location, &line.sku))
            .or_default();
        *source_total += a.quantity;
        if *source_total > candidate.available_of(&line.sku) {
            return Err(format!(
                "{} over-allocated at {}",
                line.sku, candidate.location
            ));
        }
    }
    Ok(())
}

/// One reservation per line and location, in line order.
fn merge(plan: Vec<PlannedAllocation>) -> Vec<PlannedAllocation> {
    let mut merged: Vec<PlannedAllocation> = Vec::with_capacity(plan.len());
    for a in plan {
        match merged
            .iter_mut()
            .find(|m| m.line_no == a.line_no && m.location == a.location)
        {
            Some(m) => m.quantity += a.quantity,
            None => merged.push(a),
        }
    }
    merged.sort_by(|a, b| {
        a.line_no
            .cmp(&b.line_no)
            .then_with(|| a.location.cmp(&b.location))
    });
    merged
}

fn placement_events(
    order: &mut Order,
    reservations: &[Reservation],
    input: &PlaceInput<'_>,
) -> Vec<OrderEvent> {
    let (now, actor) = (input.now_ms, input.actor);
    let received = order.event(
        now,
        "order.received",
        Some((None, OrderStatus::Received)),
        actor,
        None,
        json!({ "channel": order.channel.as_str(), "external_id": order.external_id, "lines": order.lines.len() }),
    );
    let allocations: Vec<_> = reservations
        .iter()
        .map(|r| json!({ "line": r.line_no, "sku": r.sku.as_str(), "location": r.location.as_str(), "quantity": r.quantity }))
        .collect();
    let backordered: Vec<_> = order
        .lines
        .iter()
        .filter(|l| l.quantities.backordered > 0)
        .map(|l| json!({ "line": l.line_no, "sku": l.sku.as_str(), "quantity": l.quantities.backordered }))
        .collect();
    let (next, kind, reason) = if backordered.is_empty() {
        (OrderStatus::Allocated, "order.allocated", None)
    } else {
        (
            OrderStatus::Backordered,
            "order.backordered",
            Some("not enough stock; the items allow backorder"),
        )
    };
    let from = order.status;
    order.status = next;
    let routed = order.event(
        now,
        kind,
        Some((Some(from), next)),
        actor,
        reason,
        json!({ "allocations": allocations, "backordered": backordered }),
    );
    vec![received, routed]
}
