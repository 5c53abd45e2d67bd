//! The backtest's inputs, read from JSON: a network (locations, item weights, opening stock,
//! arrivals, and the cost model plans are scored with) and a stream of orders.
//!
//! ```json
//! { "locations": [{ "code": "WH-HAM", "kind": "warehouse", "lat": 53.55, "lon": 9.99,
//!                   "country": "DE", "region": "Hamburg", "daily_order_capacity": 6000,
//!                   "cutoff": "18:00", "time_zone": "Europe/Berlin", "ships": true }],
//!   "items": [{ "sku": "TEE-BLK-M", "weight_g": 250 }],
//!   "stock": [{ "location": "WH-HAM", "sku": "TEE-BLK-M", "units": 120 }],
//!   "inbound": [{ "location": "WH-HAM", "sku": "TEE-BLK-M", "units": 50, "at": "2026-11-24T06:00:00Z" }],
//!   "costs": { "split_penalty": 300 } }
//! ```
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
use crate::promise::parse_date;
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
        let locations: Vec<Location> = rows(v, "locations", &mut e)
            .iter()
            .enumerate()
            .filter_map(|(i, row)| location(row, &format!("locations[{i}]"), &mut e))
            .collect();
        if locations.is_empty() {
            e.push("locations", "must hold at least one location");
        }
        let mut weights = HashMap::new();
        for (i, row) in rows(v, "items", &mut e).iter().enumerate() {
            let field = format!("items[{i}]");
            let sku = text(row, "sku", &field, &mut e)
                .and_then(|s| e.check(format!("{field}.sku"), Sku::parse(s)));
            let weight = units(row, "weight_g", &field, &mut e);
            if let (Some(sku), Some(weight)) = (sku, weight) {
                weights.insert(sku, weight);
            }
        }
        let known = |code: &LocationCode| locations.iter().any(|l| &l.code == code);
        let mut stock = Vec::new();
        for (i, row) in rows(v, "stock", &mut e).iter().enumerate() {
            let field = format!("stock[{i}]");
            if let Some((location, sku, units)) = placed_units(row, &field, &mut e, &known) {
                stock.push(Position {
                    on_hand: units,
                    ..Position::empty(location, sku)
                });
            }
        }
        let mut inbound = Vec::new();
        for (i, row) in rows(v, "inbound", &mut e).iter().enumerate() {
            let field = format!("inbound[{i}]");
            let at = text(row, "at", &field, &mut e)
                .and_then(|a| e.check(format!("{field}.at"), parse_at(a)));
            if let (Some((location, sku, units)), Some(at_ms)) =
                (placed_units(row, &field, &mut e, &known), at)
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
        let scoring = match v.get("costs") {
            None | Some(Value::Null) => Ok(RoutingProfile::default()),
            Some(costs) => RoutingProfile::from_json(&json!({ "costs": costs })),
        };
        let scoring = match scoring {
            Ok(profile) => profile,
            Err(errors) => {
                e.extend(errors);
                RoutingProfile::default()
            }
        };
        e.into_result()?;
        Ok(Self {
            locations,
            weights,
            stock,
            inbound,
            costs: scoring.costs,
            rates: scoring.shipping_rates,
        })
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

fn location(row: &Value, field: &str, e: &mut FieldErrors) -> Option<Location> {
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
    let time_zone = e.check(
        format!("{field}.time_zone"),
        TimeZoneName::parse(&optional_text("time_zone").unwrap_or_else(|| "Europe/Berlin".into())),
    );
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
