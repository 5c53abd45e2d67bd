//! Checkout holds: units set aside for a shopper for a few minutes, before the order exists.
//! A hold is active until it expires, is released, or an order takes its units over.

use std::collections::HashMap;

use crate::allocation::{Destination, ReserveFor, Routing, allocated_per_line, reserve, route};
use crate::allocation::{PlaceRejection, ShortLine};
use crate::channel::{HoldLimits, StockRules};
use crate::field::FieldErrors;
use crate::geo::{CountryCode, GeoPoint};
use crate::inventory::{Cause, InventoryError, LedgerEntry, StockBook};
use crate::item::ItemFacts;
use crate::location::Location;
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::routing::{PlannedAllocation, RouteLine};
use crate::values::{ChannelCode, LocationCode, Sku};

/// Longest a hold may last, in seconds.
pub const HOLD_TTL_S_MAX: i64 = 86_400;
/// Most lines one hold may have.
pub const HOLD_LINES_MAX: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldStatus {
    Active,
    /// An order took its units over.
    Converted,
    Released,
    Expired,
}

impl HoldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Converted => "converted",
            Self::Released => "released",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Active, Self::Converted, Self::Released, Self::Expired]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: String,
    /// The channel whose checkout made it; an order taking it over must come from it.
    pub channel: Option<ChannelCode>,
    pub status: HoldStatus,
    pub expires_at_ms: i64,
    pub order_id: Option<String>,
    pub lines: Vec<HoldLine>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Hold {
    /// Active and not past its expiry.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.status == HoldStatus::Active && self.expires_at_ms > now_ms
    }

    /// The status to show at `now_ms`: an active hold past its expiry is expired, whether or
    /// not anything has released it yet.
    pub fn status_at(&self, now_ms: i64) -> HoldStatus {
        if self.status == HoldStatus::Active && self.expires_at_ms <= now_ms {
            HoldStatus::Expired
        } else {
            self.status
        }
    }
}

pub fn parse_ttl_s(raw: i64) -> Result<i64, String> {
    if !(1..=HOLD_TTL_S_MAX).contains(&raw) {
        return Err(format!(
            "must be a whole number of seconds from 1 to {HOLD_TTL_S_MAX}"
        ));
    }
    Ok(raw)
}

/// A checkout hold to place: where it may take units from and where they would go.
pub struct HoldRequest<'a> {
    pub hold_id: &'a str,
    pub channel: Option<&'a ChannelCode>,
    pub lines: &'a [(Sku, i64)],
    /// Only this location (a store for pickup, say); otherwise any location that ships.
    pub location: Option<&'a LocationCode>,
    pub destination: Option<GeoPoint>,
    pub country: Option<CountryCode>,
    pub ttl_s: i64,
    pub now_ms: i64,
    pub actor: &'a str,
}

/// What placing a hold decided.
#[derive(Debug)]
pub struct HoldPlacement {
    pub hold: Hold,
    pub reservations: Vec<Reservation>,
    pub ledger: Vec<LedgerEntry>,
}

/// Reserves every line of a hold, or none: a line that cannot be covered refuses the hold.
pub fn place_hold(
    request: &HoldRequest<'_>,
    items: &HashMap<Sku, ItemFacts>,
    locations: &[Location],
    rules: Option<&StockRules>,
    book: &mut StockBook,
    routing: &Routing<'_>,
    new_id: &mut dyn FnMut() -> String,
) -> Result<HoldPlacement, PlaceRejection> {
    let sources = checked_sources(request, items, locations, rules)?;
    let lines = route_lines(request.lines, items);
    let to = Destination {
        point: request.destination,
        country: request.country,
        pickup: request.location.is_some(),
        ..Destination::default()
    };
    let (candidates, checked) = route(&lines, &sources, &to, book, rules, routing, request.now_ms)
        .map_err(PlaceRejection::Internal)?;
    let available = |sku: &Sku| candidates.iter().map(|c| c.available_of(sku)).sum::<i64>();
    let plan = checked.plan;
    refuse_short(&lines, &plan, available)?;
    if let Some(limits) = rules.map(|r| r.holds) {
        over_limits(request.lines, limits, available).map_err(PlaceRejection::Invalid)?;
    }
    let expires_at_ms = request.now_ms + request.ttl_s * 1000;
    let owner = ReserveFor {
        owner: ReservationOwner::Hold,
        owner_id: request.hold_id,
        expires_at_ms: Some(expires_at_ms),
    };
    let cause = Cause {
        at_ms: request.now_ms,
        reason: Some("checkout hold"),
        reference: Some(request.hold_id),
        actor: request.actor,
    };
    let (reservations, ledger) =
        reserve(&plan, &lines, owner, book, cause, new_id).map_err(PlaceRejection::Internal)?;
    Ok(HoldPlacement {
        hold: new_hold(request, &lines, expires_at_ms),
        reservations,
        ledger,
    })
}

/// The locations the hold may take units from, once its time to live (within the channel's
/// limit) and its items (each active) are checked.
fn checked_sources<'l>(
    request: &HoldRequest<'_>,
    items: &HashMap<Sku, ItemFacts>,
    locations: &'l [Location],
    rules: Option<&StockRules>,
) -> Result<Vec<&'l Location>, PlaceRejection> {
    let mut errors = FieldErrors::new();
    if let Some(limits) = rules.map(|r| r.holds)
        && request.ttl_s > limits.ttl_s_max
    {
        let max = limits.ttl_s_max;
        errors.push(
            "ttl_s",
            format!("this channel holds for at most {max} seconds"),
        );
    }
    for (i, (sku, _)) in request.lines.iter().enumerate() {
        if !items.get(sku).is_some_and(|f| f.active) {
            errors.push(
                format!("lines[{i}].sku"),
                format!("no active item has SKU {sku}"),
            );
        }
    }
    let sources = sources(request.location, locations, rules, &mut errors);
    errors.into_result().map_err(PlaceRejection::Invalid)?;
    Ok(sources)
}

/// The hold's lines as the router sees them, numbered from 1.
fn route_lines(lines: &[(Sku, i64)], items: &HashMap<Sku, ItemFacts>) -> Vec<RouteLine> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (sku, quantity))| RouteLine {
            line_no: i as u32 + 1,
            sku: sku.clone(),
            quantity: *quantity,
            unit_weight_g: items.get(sku).and_then(|f| f.weight_g),
        })
        .collect()
}

/// Refuses the hold when the plan leaves any line short, naming each with what is available.
fn refuse_short(
    lines: &[RouteLine],
    plan: &[PlannedAllocation],
    available: impl Fn(&Sku) -> i64,
) -> Result<(), PlaceRejection> {
    let per_line = allocated_per_line(plan);
    let shorts: Vec<ShortLine> = lines
        .iter()
        .filter(|l| per_line.get(&l.line_no).copied().unwrap_or(0) < l.quantity)
        .map(|l| ShortLine {
            line_no: l.line_no,
            sku: l.sku.clone(),
            requested: l.quantity,
            available: available(&l.sku),
        })
        .collect();
    if shorts.is_empty() {
        Ok(())
    } else {
        Err(PlaceRejection::Short(shorts))
    }
}

fn new_hold(request: &HoldRequest<'_>, lines: &[RouteLine], expires_at_ms: i64) -> Hold {
    Hold {
        id: request.hold_id.to_string(),
        channel: request.channel.cloned(),
        status: HoldStatus::Active,
        expires_at_ms,
        order_id: None,
        lines: lines
            .iter()
            .map(|l| HoldLine {
                line_no: l.line_no,
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect(),
        created_at_ms: request.now_ms,
        updated_at_ms: request.now_ms,
    }
}

/// The locations a hold may take units from: the one it names, or every active one the
/// channel may sell from.
fn sources<'l>(
    named: Option<&LocationCode>,
    locations: &'l [Location],
    rules: Option<&StockRules>,
    errors: &mut FieldErrors,
) -> Vec<&'l Location> {
    let excluded = |code: &LocationCode| rules.is_some_and(|r| r.excluded_locations.contains(code));
    let Some(code) = named else {
        let open = locations.iter().filter(|l| l.active && !excluded(&l.code));
        return open.collect();
    };
    match locations.iter().find(|l| &l.code == code) {
        Some(l) if l.active && !excluded(code) => vec![l],
        Some(_) => {
            errors.push("location", format!("{code} is not active for this channel"));
            vec![]
        }
        None => {
            errors.push("location", format!("no location has code {code}"));
            vec![]
        }
    }
}

/// Refuses lines beyond the channel's hold limits, naming each with what it may hold.
fn over_limits(
    lines: &[(Sku, i64)],
    limits: HoldLimits,
    available: impl Fn(&Sku) -> i64,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    for (i, (sku, quantity)) in lines.iter().enumerate() {
        let sellable = available(sku);
        let allowed = limits.units_allowed(sellable);
        if *quantity > allowed {
            let (units, share) = (limits.units_max, limits.share_percent_max);
            errors.push(
                format!("lines[{i}].quantity"),
                format!(
                    "one hold of this channel takes at most {allowed} of {sku} (at most {units} units and {share}% of the {sellable} it can sell)"
                ),
            );
        }
    }
    errors.into_result()
}

/// Releases an active hold's units: by the shopper (`Released`) or for its expiry (`Expired`).
pub fn end_hold(
    hold: &mut Hold,
    reservations: &mut [Reservation],
    book: &mut StockBook,
    status: HoldStatus,
    now_ms: i64,
    actor: &str,
) -> Result<Vec<LedgerEntry>, InventoryError> {
    let reason = if status == HoldStatus::Expired {
        "hold expired"
    } else {
        "hold released"
    };
    let cause = Cause {
        at_ms: now_ms,
        reason: Some(reason),
        reference: Some(&hold.id),
        actor,
    };
    let mut ledger = Vec::new();
    for r in reservations
        .iter_mut()
        .filter(|r| r.status == ReservationStatus::Held)
    {
        ledger.push(r.release(book, cause)?);
    }
    hold.status = status;
    hold.updated_at_ms = now_ms;
    Ok(ledger)
}
