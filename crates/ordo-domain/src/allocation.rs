//! Routing and reserving, shared by everything that needs units somewhere: orders, checkout
//! holds, backorders being filled, lines re-routed after a count. Candidates come from the
//! book (after a channel's rules), the router decides, the plan is checked, and the units are
//! reserved in the book.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::channel::StockRules;
use crate::field::FieldErrors;
use crate::geo::{CountryCode, GeoPoint};
use crate::inventory::{Cause, LedgerEntry, Movement, StockBook, channel_available};
use crate::location::{Location, location_point};
use crate::promise::{TransitModel, from_stock};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::routing::{Candidate, Explanation, PlannedAllocation, RouteLine, RouteRequest, Router};
use crate::values::{LocationCode, Sku};

/// What routing needs besides the stock: the router, the transit model, and how busy each
/// location already is today.
#[derive(Clone, Copy)]
pub struct Routing<'a> {
    pub router: &'a dyn Router,
    pub transit: &'a dyn TransitModel,
    /// Orders each location has taken today.
    pub loads: &'a HashMap<LocationCode, i64>,
}

/// Where the goods go.
#[derive(Debug, Clone, Copy, Default)]
pub struct Destination<'a> {
    pub point: Option<GeoPoint>,
    pub country: Option<CountryCode>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    /// Collected at the store rather than shipped.
    pub pickup: bool,
    /// The date the customer was promised, if any.
    pub deliver_by: Option<Date>,
}

impl<'a> Destination<'a> {
    /// The routing request of `lines` going here.
    pub fn request<'r>(&self, lines: &'r [RouteLine]) -> RouteRequest<'r>
    where
        'a: 'r,
    {
        RouteRequest {
            lines,
            destination: self.point,
            country: self.country,
            region: self.region,
            postal_code: self.postal_code,
            deliver_by: self.deliver_by,
            pickup: self.pickup,
        }
    }
}

/// What candidates are built for besides stock.
pub struct Scene<'a> {
    pub destination: Option<GeoPoint>,
    pub pickup: bool,
    pub now_ms: i64,
    pub transit: &'a dyn TransitModel,
    pub loads: &'a HashMap<LocationCode, i64>,
}

/// Routes `lines` from `sources`: the candidates with their stock (after the channel's rules),
/// and the router's plan, checked.
pub fn route(
    lines: &[RouteLine],
    sources: &[&Location],
    to: &Destination<'_>,
    book: &StockBook,
    rules: Option<&StockRules>,
    routing: &Routing<'_>,
    now_ms: i64,
) -> Result<(Vec<Candidate>, Checked), String> {
    let scene = Scene {
        destination: to.point,
        pickup: to.pickup,
        now_ms,
        transit: routing.transit,
        loads: routing.loads,
    };
    let found = candidates(sources, lines, book, rules, &scene);
    let request = to.request(lines);
    let checked = plan(&request, &found, routing.router)?;
    Ok((found, checked))
}

/// The candidates for these lines: each source with what it may promise of the lines' items,
/// after the channel's rules when given, and when a parcel it ships now would arrive.
pub fn candidates(
    sources: &[&Location],
    lines: &[RouteLine],
    book: &StockBook,
    rules: Option<&StockRules>,
    scene: &Scene<'_>,
) -> Vec<Candidate> {
    let mut skus: Vec<&Sku> = lines.iter().map(|l| &l.sku).collect();
    skus.sort();
    skus.dedup();
    let mut available: HashMap<(LocationCode, Sku), i64> = HashMap::new();
    for sku in skus.iter().copied() {
        let per_location: Vec<(LocationCode, i64)> = sources
            .iter()
            .map(|l| (l.code.clone(), book.available(&l.code, sku)))
            .collect();
        let allowed = match rules {
            Some(rules) => channel_available(sku, &per_location, rules),
            None => per_location,
        };
        for (location, units) in allowed {
            available.insert((location, sku.clone()), units);
        }
    }
    sources
        .iter()
        .map(|location| {
            let available: Vec<(Sku, i64)> = skus
                .iter()
                .map(|sku| {
                    let key = (location.code.clone(), (*sku).clone());
                    ((*sku).clone(), available.get(&key).copied().unwrap_or(0))
                })
                .filter(|(_, q)| *q > 0)
                .collect();
            // Only a location with stock can ship anything: its date is worth working out.
            // A location at its daily capacity ships later: its date says so.
            let load = scene.loads.get(&location.code).copied().unwrap_or(0);
            let delivery_date = (!available.is_empty()).then(|| {
                let promise = from_stock(
                    location,
                    scene.destination,
                    scene.now_ms,
                    scene.transit,
                    load,
                );
                if scene.pickup {
                    promise.ship_date
                } else {
                    promise.date
                }
            });
            Candidate {
                location: location.code.clone(),
                kind: location.kind,
                point: location_point(location),
                country: location.address.country,
                region: location.address.region.clone(),
                ships: location.routable(),
                available,
                load,
                capacity: location.daily_order_capacity,
                delivery_date,
            }
        })
        .collect()
}

/// A checked plan, and the router's explanation of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub plan: Vec<PlannedAllocation>,
    pub explanation: Option<Explanation>,
}

/// Asks the router for a plan and checks it: positive quantities, to known lines and
/// candidates, within each line's quantity and each candidate's stock. A plan that breaks
/// these is a router bug and is refused, never acted on. Allocations are merged to one per
/// line and location, in line order.
pub fn plan(
    request: &RouteRequest<'_>,
    candidates: &[Candidate],
    router: &dyn Router,
) -> Result<Checked, String> {
    let lines = request.lines;
    let routed = router.route(request, candidates);
    let mut per_line: HashMap<u32, i64> = HashMap::new();
    let mut per_source: HashMap<(&LocationCode, &Sku), i64> = HashMap::new();
    for a in &routed.plan {
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
    let mut merged: Vec<PlannedAllocation> = Vec::with_capacity(routed.plan.len());
    for a in routed.plan {
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
    Ok(Checked {
        plan: merged,
        explanation: routed.explanation,
    })
}

/// Units allocated to each line of a plan.
pub fn allocated_per_line(plan: &[PlannedAllocation]) -> HashMap<u32, i64> {
    let mut totals = HashMap::new();
    for a in plan {
        *totals.entry(a.line_no).or_insert(0) += a.quantity;
    }
    totals
}

/// Who the reserved units are for.
pub struct ReserveFor<'a> {
    pub owner: ReservationOwner,
    pub owner_id: &'a str,
    pub expires_at_ms: Option<i64>,
}

/// Reserves a checked plan in the book. A failure here means the plan and the book disagree:
/// a bug, reported as such.
pub fn reserve(
    plan: &[PlannedAllocation],
    lines: &[RouteLine],
    owner: ReserveFor<'_>,
    book: &mut StockBook,
    cause: Cause<'_>,
    new_id: &mut dyn FnMut() -> String,
) -> Result<(Vec<Reservation>, Vec<LedgerEntry>), String> {
    let mut reservations = Vec::with_capacity(plan.len());
    let mut ledger = Vec::with_capacity(plan.len());
    for a in plan {
        let sku = &lines
            .iter()
            .find(|l| l.line_no == a.line_no)
            .ok_or("a planned line vanished")?
            .sku;
        let entry = book
            .apply(
                &a.location,
                sku,
                Movement::Reserve {
                    quantity: a.quantity,
                },
                cause,
            )
            .map_err(|e| format!("a checked allocation failed to reserve: {e}"))?;
        ledger.push(entry);
        reservations.push(Reservation {
            id: new_id(),
            owner: owner.owner,
            owner_id: owner.owner_id.to_string(),
            line_no: a.line_no,
            sku: sku.clone(),
            location: a.location.clone(),
            quantity: a.quantity,
            status: ReservationStatus::Held,
            expires_at_ms: owner.expires_at_ms,
            created_at_ms: cause.at_ms,
            updated_at_ms: cause.at_ms,
        });
    }
    Ok((reservations, ledger))
}

/// A line that could be neither reserved nor left waiting.
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
    /// The order names items, a pickup location or a hold that cannot be used.
    Invalid(FieldErrors),
    /// Some lines cannot be covered.
    Short(Vec<ShortLine>),
    /// The router broke its contract: a bug, reported rather than acted on.
    Internal(String),
}
