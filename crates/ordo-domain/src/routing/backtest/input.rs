//! The backtest's inputs, read from JSON: a network (locations, item weights, opening stock,
//! arrivals, and the cost model plans are scored with) and a stream of orders.
//!
//! ```json
//! { "time_zone": "Europe/Berlin",
//!   "locations": [{ "code": "WH-HAM", "kind": "warehouse", "lat": 53.55, "lon": 9.99,
//!                   "country": "DE", "region": "Hamburg", "daily_order_capacity": 6000,
//!                   "cutoff": "18:00", "ships": true }],
//!   "items": [{ "sku": "TEE-BLK-M", "weight_g": 250 }],
//!   "stock": [{ "location": "WH-HAM", "sku": "TEE-BLK-M", "units": 120 }],
//!   "inbound": [{ "location": "WH-HAM", "sku": "TEE-BLK-M", "units": 50, "at": "2026-11-24T06:00:00Z" }],
//!   "transit": { "bands": [{ "max_km": 150, "days": 1 }, { "max_km": 450, "days": 2 }],
//!                "beyond_km_per_day": 600, "unknown_days": 3 },
//!   "costs": { "split_penalty": 300 } }
//! ```
//! `time_zone` is the network's: waves and days turn at its midnight, and a location without
//! its own takes it. `transit` is optional (one European country's parcel networks when
//! absent). A member the format does not know is refused, naming it.
//! An order, one per line of a JSONL file:
//! `{ "id": "O-1", "at": "2026-11-23T08:15:00Z", "deliver_by": "2026-11-25",
//!    "ship_to": { "lat": 48.14, "lon": 11.58, "country": "DE", "region": "Bayern" },
//!    "lines": [{ "sku": "TEE-BLK-M", "quantity": 1 }] }`

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::field::FieldErrors;
use crate::geo::{CountryCode, GeoPoint};
use crate::inventory::Position;
use crate::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, TimeZoneName,
    parse_daily_capacity,
};
use crate::promise::{DistanceBands, parse_date};
use crate::routing::cost::{CostModel, DistanceRateTable};
use crate::routing::profile::RoutingProfile;
use crate::values::{LocationCode, Sku};

/// Most locations, items, stock rows or arrivals a network may hold.
pub const NETWORK_ROWS_MAX: usize = 1_000_000;
/// Most lines an order may have.
pub const ORDER_LINES_MAX: usize = 100;

/// Units arriving at a location at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub location: LocationCode,
    pub sku: Sku,
    pub units: i64,
    pub at_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Network {
    /// Where the network's days turn: release waves are cut at its midnight.
    pub time_zone: TimeZoneName,
    /// Delivery days by distance.
    pub transit: DistanceBands,
    pub locations: Vec<Location>,
    pub weights: HashMap<Sku, i64>,
    pub stock: Vec<Position>,
    pub inbound: Vec<Arrival>,
    /// What plans are scored with, whatever profile made them.
    pub costs: CostModel,
    pub rates: DistanceRateTable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimOrder {
    pub id: String,
    pub at_ms: i64,
    pub destination: GeoPoint,
    pub country: CountryCode,
    pub region: Option<String>,
    pub deliver_by: Option<Date>,
    pub lines: Vec<(Sku, i64)>,
}

fn parse_at(raw: &str) -> Result<i64, String> {
    raw.parse::<Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| "must be an RFC 3339 instant such as 2026-11-23T08:15:00Z".to_string())
}

fn text<'a>(v: &'a Value, name: &str, field: &str, e: &mut FieldErrors) -> Option<&'a str> {
    let found = v.get(name).and_then(Value::as_str);
    if found.is_none() {
        e.push(format!("{field}.{name}"), "is required text");
    }
    found
}

fn number(v: &Value, name: &str, field: &str, e: &mut FieldErrors) -> Option<f64> {
    let found = v.get(name).and_then(Value::as_f64);
    if found.is_none() {
        e.push(format!("{field}.{name}"), "is a required number");
    }
    found
}

fn units(v: &Value, name: &str, field: &str, e: &mut FieldErrors) -> Option<i64> {
    let found = v
        .get(name)
        .and_then(Value::as_i64)
        .filter(|u| (1..=crate::inventory::UNITS_MAX).contains(u));
    if found.is_none() {
        e.push(
            format!("{field}.{name}"),
            "must be a whole number of units, at least 1",
        );
    }
    found
}

fn rows<'a>(v: &'a Value, name: &str, e: &mut FieldErrors) -> &'a [Value] {
    match v.get(name) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(rows)) if rows.len() <= NETWORK_ROWS_MAX => rows,
        Some(_) => {
            e.push(
                name,
                format!("must be a list of at most {NETWORK_ROWS_MAX} rows"),
            );
            &[]
        }
    }
}

impl Network {
    pub fn from_json(v: &Value) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        known_members(v, "", NETWORK_MEMBERS, &mut e);
        let time_zone = match v.get("time_zone").and_then(Value::as_str) {
            Some(tz) => e.check("time_zone", TimeZoneName::parse(tz)),
            None => {
                e.push(
                    "time_zone",
                    "is required: the network's IANA time zone (Europe/Berlin, Africa/Lagos...), where its days turn",
                );
                None
            }
        };
        let default_zone = time_zone.clone().unwrap_or_else(utc);
        let locations: Vec<Location> = rows(v, "locations", &mut e)
            .iter()
            .enumerate()
            .filter_map(|(i, row)| location(row, &format!("locations[{i}]"), &default_zone, &mut e))
            .collect();
        if locations.is_empty() {
            e.push("locations", "must hold at least one location");
        }
        let weights = weights(v, &mut e);
        let known = |code: &LocationCode| locations.iter().any(|l| &l.code == code);
        let (stock, inbound) = stock_and_inbound(v, &known, &mut e);
        let transit = transit(v.get("transit"), &mut e);
        let scoring = scoring(v.get("costs"), &known, &mut e);
        e.into_result()?;
        Ok(Self {
            time_zone: default_zone,
            transit,
            locations,
            weights,
            stock,
            inbound,
            costs: scoring.costs,
            rates: scoring.shipping_rates,
        })
    }
}

const NETWORK_MEMBERS: &[&str] = &[
    "time_zone",
    "locations",
    "items",
    "stock",
    "inbound",
    "transit",
    "costs",
];
const LOCATION_MEMBERS: &[&str] = &[
    "code",
    "kind",
    "lat",
    "lon",
    "country",
    "region",
    "city",
    "postal_code",
    "daily_order_capacity",
    "cutoff",
    "time_zone",
    "ships",
    "pickup",
];

fn utc() -> TimeZoneName {
    TimeZoneName::parse("UTC")
        .unwrap_or_else(|_| unreachable!("UTC is in every time zone database"))
}

/// Refuses members of `v` not in `allowed`, each by its path.
fn known_members(v: &Value, field: &str, allowed: &[&str], e: &mut FieldErrors) {
    for key in v.as_object().into_iter().flat_map(|o| o.keys()) {
        if !allowed.contains(&key.as_str()) {
            let path = if field.is_empty() {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            e.push(
                path,
                format!(
                    "is not a member this file has (it takes {})",
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn weights(v: &Value, e: &mut FieldErrors) -> HashMap<Sku, i64> {
    let mut weights = HashMap::new();
    for (i, row) in rows(v, "items", e).iter().enumerate() {
        let field = format!("items[{i}]");
        known_members(row, &field, &["sku", "weight_g"], e);
        let sku = text(row, "sku", &field, e)
            .and_then(|s| e.check(format!("{field}.sku"), Sku::parse(s)));
        // Digital goods and tiny items weigh nothing worth counting: 0 g is a weight.
        let weight = row
            .get("weight_g")
            .and_then(Value::as_i64)
            .filter(|w| (0..=WEIGHT_G_MAX).contains(w));
        if weight.is_none() {
            e.push(
                format!("{field}.weight_g"),
                format!("must be 0 to {WEIGHT_G_MAX} grams"),
            );
        }
        if let (Some(sku), Some(weight)) = (sku, weight) {
            weights.insert(sku, weight);
        }
    }
    weights
}

/// Heaviest item a network may list, in grams.
const WEIGHT_G_MAX: i64 = 1_000_000;

fn stock_and_inbound(
    v: &Value,
    known: &dyn Fn(&LocationCode) -> bool,
    e: &mut FieldErrors,
) -> (Vec<Position>, Vec<Arrival>) {
    let mut stock = Vec::new();
    for (i, row) in rows(v, "stock", e).iter().enumerate() {
        let field = format!("stock[{i}]");
        known_members(row, &field, &["location", "sku", "units"], e);
        if let Some((location, sku, units)) = placed_units(row, &field, e, known) {
            stock.push(Position {
                on_hand: units,
                ..Position::empty(location, sku)
            });
        }
    }
    let mut inbound = Vec::new();
    for (i, row) in rows(v, "inbound", e).iter().enumerate() {
        let field = format!("inbound[{i}]");
        known_members(row, &field, &["location", "sku", "units", "at"], e);
        let at =
            text(row, "at", &field, e).and_then(|a| e.check(format!("{field}.at"), parse_at(a)));
        if let (Some((location, sku, units)), Some(at_ms)) =
            (placed_units(row, &field, e, known), at)
        {
            inbound.push(Arrival {
                location,
                sku,
                units,
                at_ms,
            });
        }
    }
    inbound.sort_by_key(|a| a.at_ms);
    (stock, inbound)
}

/// Delivery days by distance, or one European country's when absent.
fn transit(raw: Option<&Value>, e: &mut FieldErrors) -> DistanceBands {
    let Some(raw) = raw.filter(|r| !r.is_null()) else {
        return DistanceBands::default();
    };
    known_members(
        raw,
        "transit",
        &["bands", "beyond_km_per_day", "unknown_days"],
        e,
    );
    let mut bands = Vec::new();
    let list = raw
        .get("bands")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if list.is_empty() || list.len() > 20 {
        e.push("transit.bands", "must hold 1 to 20 bands of {max_km, days}");
    }
    for (i, band) in list.iter().enumerate() {
        let field = format!("transit.bands[{i}]");
        known_members(band, &field, &["max_km", "days"], e);
        let km = band
            .get("max_km")
            .and_then(Value::as_f64)
            .filter(|k| k.is_finite() && *k > 0.0);
        let days = band
            .get("days")
            .and_then(Value::as_u64)
            .filter(|d| *d <= 60);
        match (km, days) {
            (Some(km), Some(days)) if bands.last().is_none_or(|(last, _)| km > *last) => {
                bands.push((km, days as u32))
            }
            _ => e.push(
                field,
                "needs max_km above the band before and days from 0 to 60",
            ),
        }
    }
    let number = |name: &str, e: &mut FieldErrors| match raw.get(name) {
        None => None,
        Some(v) => {
            let n = v
                .as_f64()
                .filter(|n| n.is_finite() && *n > 0.0 && *n <= 100_000.0);
            if n.is_none() {
                e.push(format!("transit.{name}"), "must be a positive number");
            }
            n
        }
    };
    let defaults = DistanceBands::default();
    DistanceBands {
        bands,
        beyond_km_per_day: number("beyond_km_per_day", e).unwrap_or(defaults.beyond_km_per_day),
        unknown_days: number("unknown_days", e)
            .map_or(defaults.unknown_days, |d| d.min(60.0) as u32),
    }
}

/// The cost model plans are scored with: the default one when absent. Handling costs must
/// name locations the network has.
fn scoring(
    raw: Option<&Value>,
    known: &dyn Fn(&LocationCode) -> bool,
    e: &mut FieldErrors,
) -> RoutingProfile {
    let parsed = match raw {
        None | Some(Value::Null) => Ok(RoutingProfile::default()),
        Some(costs) => RoutingProfile::from_json(&json!({ "costs": costs })),
    };
    match parsed {
        Ok(profile) => {
            for code in profile
                .costs
                .handling_by_location
                .keys()
                .filter(|c| !known(c))
            {
                e.push(
                    format!("costs.handling_by_location.{code}"),
                    format!("no location in the network has code {code}"),
                );
            }
            profile
        }
        Err(errors) => {
            e.extend(errors);
            RoutingProfile::default()
        }
    }
}

fn placed_units(
    row: &Value,
    field: &str,
    e: &mut FieldErrors,
    known: &dyn Fn(&LocationCode) -> bool,
) -> Option<(LocationCode, Sku, i64)> {
    let location = text(row, "location", field, e)
        .and_then(|l| e.check(format!("{field}.location"), LocationCode::parse(l)));
    if let Some(code) = &location
        && !known(code)
    {
        e.push(
            format!("{field}.location"),
            format!("no location in the network has code {code}"),
        );
        return None;
    }
    let sku =
        text(row, "sku", field, e).and_then(|s| e.check(format!("{field}.sku"), Sku::parse(s)));
    let units = units(row, "units", field, e);
    Some((location?, sku?, units?))
}

fn location(
    row: &Value,
    field: &str,
    network_zone: &TimeZoneName,
    e: &mut FieldErrors,
) -> Option<Location> {
    known_members(row, field, LOCATION_MEMBERS, e);
    let code = text(row, "code", field, e)
        .and_then(|c| e.check(format!("{field}.code"), LocationCode::parse(c)));
    let kind = text(row, "kind", field, e)
        .and_then(|k| e.check(format!("{field}.kind"), LocationKind::parse(k)));
    let lat = number(row, "lat", field, e);
    let lon = number(row, "lon", field, e);
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => e.check(format!("{field}.lat"), GeoPoint::new(lat, lon)),
        _ => None,
    };
    let country = text(row, "country", field, e)
        .and_then(|c| e.check(format!("{field}.country"), CountryCode::parse(c)));
    let optional_text = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_string);
    let capacity = match row.get("daily_order_capacity").and_then(Value::as_i64) {
        Some(c) => e.check(
            format!("{field}.daily_order_capacity"),
            parse_daily_capacity(c),
        ),
        None => None,
    };
    let cutoff = match optional_text("cutoff") {
        Some(c) => e.check(format!("{field}.cutoff"), LocalTime::parse(&c)),
        None => None,
    };
    let time_zone = match optional_text("time_zone") {
        Some(tz) => e.check(format!("{field}.time_zone"), TimeZoneName::parse(&tz)),
        None => Some(network_zone.clone()),
    };
    let flag =
        |name: &str, default: bool| row.get(name).and_then(Value::as_bool).unwrap_or(default);
    let (code, kind, point, country, time_zone) = (code?, kind?, point?, country?, time_zone?);
    Some(Location {
        name: code.to_string(),
        code,
        kind,
        address: LocationAddress {
            country,
            region: optional_text("region"),
            city: optional_text("city").unwrap_or_default(),
            line1: None,
            line2: None,
            postal_code: optional_text("postal_code").unwrap_or_default(),
            point: Some(point),
        },
        capabilities: Capabilities {
            ship: flag("ships", true),
            pickup: flag("pickup", kind == LocationKind::Store),
        },
        daily_order_capacity: capacity,
        cutoff_local_time: cutoff,
        time_zone,
        receiving_lead_time_days: 0,
        release_waves: Default::default(),
        active: true,
        created_at_ms: 0,
        updated_at_ms: 0,
    })
}

impl SimOrder {
    pub fn from_json(v: &Value) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let id = match v.get("id") {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => {
                e.push("id", "is required: 1 to 128 characters");
                None
            }
        };
        let at = text(v, "at", "order", &mut e).and_then(|a| e.check("at", parse_at(a)));
        let deliver_by = match v.get("deliver_by").and_then(Value::as_str) {
            Some(d) => e.check("deliver_by", parse_date(d)).map(Some),
            None => Some(None),
        };
        let ship_to = v.get("ship_to").cloned().unwrap_or(Value::Null);
        let lat = number(&ship_to, "lat", "ship_to", &mut e);
        let lon = number(&ship_to, "lon", "ship_to", &mut e);
        let destination = match (lat, lon) {
            (Some(lat), Some(lon)) => e.check("ship_to.lat", GeoPoint::new(lat, lon)),
            _ => None,
        };
        let country = text(&ship_to, "country", "ship_to", &mut e)
            .and_then(|c| e.check("ship_to.country", CountryCode::parse(c)));
        let region = ship_to
            .get("region")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut lines = Vec::new();
        match v.get("lines").and_then(Value::as_array) {
            Some(raw) if !raw.is_empty() && raw.len() <= ORDER_LINES_MAX => {
                for (i, line) in raw.iter().enumerate() {
                    let field = format!("lines[{i}]");
                    let sku = text(line, "sku", &field, &mut e)
                        .and_then(|s| e.check(format!("{field}.sku"), Sku::parse(s)));
                    let quantity = units(line, "quantity", &field, &mut e);
                    if let (Some(sku), Some(quantity)) = (sku, quantity) {
                        lines.push((sku, quantity));
                    }
                }
            }
            _ => e.push("lines", format!("must hold 1 to {ORDER_LINES_MAX} lines")),
        }
        e.into_result()?;
        match (id, at, deliver_by, destination, country) {
            (Some(id), Some(at_ms), Some(deliver_by), Some(destination), Some(country)) => {
                Ok(Self {
                    id,
                    at_ms,
                    destination,
                    country,
                    region,
                    deliver_by,
                    lines,
                })
            }
            _ => Err(FieldErrors::single("order", "is incomplete")),
        }
    }
}
