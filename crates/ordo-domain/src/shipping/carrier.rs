//! Carriers and their services as an operator configures them: where each service goes
//! (country, region, postal-code prefix — a local courier covers a few prefixes), zones by
//! distance from the shipping location, transit days and a rate table per zone × weight
//! break, a fuel surcharge, pickup days and cut-off times, and the carrier's own event codes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tracking::{TrackingFormat, TrackingStatus};
use crate::field::FieldErrors;
use crate::geo::{CountryCode, GeoPoint, geocode_postal};
use crate::location::LocalTime;
use crate::money::Currency;

/// Most services, zones, weight breaks or coverage entries a carrier may declare.
pub const CARRIER_LIST_MAX: usize = 50;
/// Most postal-code prefixes or regions one coverage entry may list.
pub const COVERAGE_PREFIXES_MAX: usize = 5_000;
/// Highest price of one rate cell, in minor units.
pub const RATE_MINOR_MAX: i64 = 10_000_000;
/// Longest transit a service may declare, in delivery days.
pub const TRANSIT_DAYS_MAX: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum ServiceLevel {
    SameDay,
    Express,
    Standard,
    Economy,
}

impl ServiceLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameDay => "same_day",
            Self::Express => "express",
            Self::Standard => "standard",
            Self::Economy => "economy",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        [Self::SameDay, Self::Express, Self::Standard, Self::Economy]
            .into_iter()
            .find(|l| l.as_str() == raw)
            .ok_or_else(|| "must be one of same_day, express, standard, economy".into())
    }
}

/// A distance band from the shipping location; the last has no `max_km`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Zone {
    pub code: String,
    pub max_km: Option<f64>,
}

/// Where a service delivers: a country, narrowed to regions and postal-code prefixes when
/// they are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub country: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_prefixes: Vec<String>,
}

impl Coverage {
    pub fn covers(&self, to: &Address<'_>) -> bool {
        let postal = normalise_postal(to.postal_code);
        self.country.eq_ignore_ascii_case(to.country.as_str())
            && (self.regions.is_empty()
                || to
                    .region
                    .is_some_and(|r| self.regions.iter().any(|x| x.eq_ignore_ascii_case(r))))
            && (self.postal_prefixes.is_empty()
                || self
                    .postal_prefixes
                    .iter()
                    .any(|p| postal.starts_with(&normalise_postal(p))))
    }
}

fn normalise_postal(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Where a parcel goes, as far as carriers care.
#[derive(Debug, Clone, Copy)]
pub struct Address<'a> {
    pub country: CountryCode,
    pub region: Option<&'a str>,
    pub postal_code: &'a str,
    pub point: Option<GeoPoint>,
}

impl Address<'_> {
    /// The address with a point to measure from: its own, or else its postal code's.
    pub fn located(mut self) -> Self {
        self.point = self
            .point
            .or_else(|| geocode_postal(self.country, self.postal_code));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Service {
    pub code: String,
    #[serde(default)]
    pub name: Option<String>,
    pub level: ServiceLevel,
    pub coverage: Vec<Coverage>,
    /// Delivery days per zone code; a zone left out is not served.
    pub transit_days: BTreeMap<String, u32>,
    /// Prices per zone code, one per weight break, in the carrier's currency's minor units.
    pub rates: BTreeMap<String, Vec<i64>>,
    /// Price of each started kilogram beyond the last break; 0 refuses heavier parcels.
    #[serde(default)]
    pub over_per_kg: i64,
    /// The service's own cut-off, local time at the shipping location; the carrier's when absent.
    #[serde(default)]
    pub cutoff: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Carrier {
    pub code: String,
    pub name: String,
    pub currency: String,
    #[serde(default)]
    pub tracking: TrackingFormat,
    /// Where a customer follows a parcel: a URL with `{tracking_number}` in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// The carrier's event codes and what each means (`in_transit`, `delivered`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_codes: BTreeMap<String, TrackingStatus>,
    pub zones: Vec<Zone>,
    pub weight_breaks_g: Vec<i64>,
    /// Added to every rate, in percent.
    #[serde(default)]
    pub fuel_surcharge_pct: f64,
    /// Days the carrier collects: `mon` to `sun`; Monday to Friday when absent.
    #[serde(default = "weekdays")]
    pub pickup_days: Vec<String>,
    /// Local time at the shipping location after which parcels go the next pickup day.
    #[serde(default)]
    pub cutoff: Option<String>,
    pub services: Vec<Service>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn weekdays() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}

fn yes() -> bool {
    true
}

pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Carrier {
    /// Checks every value, naming each bad field by its path.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let code_ok = (2..=20).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            e.push("code", "must be 2 to 20 lower-case letters, digits or -");
        }
        if self.name.trim().is_empty() || self.name.len() > 100 {
            e.push("name", "must be 1 to 100 characters");
        }
        e.check("currency", Currency::parse(&self.currency).map(|_| ()));
        e.check("tracking", self.tracking.check());
        if let Some(url) = &self.tracking_url {
            e.check("tracking_url", check_tracking_url(url));
        }
        check_list(&mut e, "zones", self.zones.len());
        let mut last_km = 0.0;
        for (i, z) in self.zones.iter().enumerate() {
            let last = i + 1 == self.zones.len();
            match (z.max_km, last) {
                (None, true) => {}
                (Some(km), false) if km.is_finite() && km > last_km => last_km = km,
                (None, false) => e.push(
                    format!("zones[{i}].max_km"),
                    "is required but on the last zone",
                ),
                (Some(_), true) => e.push(
                    format!("zones[{i}].max_km"),
                    "must be absent on the last zone, which takes every distance beyond",
                ),
                (Some(_), false) => e.push(
                    format!("zones[{i}].max_km"),
                    "must be positive and above the zone before",
                ),
            }
            if z.code.is_empty() || z.code.len() > 20 {
                e.push(format!("zones[{i}].code"), "must be 1 to 20 characters");
            }
        }
        check_list(&mut e, "weight_breaks_g", self.weight_breaks_g.len());
        if self.weight_breaks_g.first().is_some_and(|w| *w <= 0)
            || self.weight_breaks_g.windows(2).any(|w| w[0] >= w[1])
        {
            e.push("weight_breaks_g", "must be positive and ascending");
        }
        if !(0.0..=100.0).contains(&self.fuel_surcharge_pct) {
            e.push("fuel_surcharge_pct", "must be 0 to 100");
        }
        if self.pickup_days.is_empty()
            || self
                .pickup_days
                .iter()
                .any(|d| !DAY_NAMES.contains(&d.as_str()))
        {
            e.push(
                "pickup_days",
                "must list days among mon, tue, wed, thu, fri, sat, sun",
            );
        }
        if let Some(cutoff) = &self.cutoff {
            e.check("cutoff", LocalTime::parse(cutoff).map(|_| ()));
        }
        for code in self.event_codes.keys() {
            if code.is_empty() || code.len() > 40 {
                e.push("event_codes", "codes must be 1 to 40 characters");
            }
        }
        check_list(&mut e, "services", self.services.len());
        for (i, s) in self.services.iter().enumerate() {
            self.check_service(&mut e, &format!("services[{i}]"), s);
            if self.services[..i].iter().any(|o| o.code == s.code) {
                e.push(format!("services[{i}].code"), "names a service twice");
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    fn check_service(&self, e: &mut FieldErrors, path: &str, s: &Service) {
        if s.code.is_empty() || s.code.len() > 40 {
            e.push(format!("{path}.code"), "must be 1 to 40 characters");
        }
        check_list(e, &format!("{path}.coverage"), s.coverage.len());
        for (j, c) in s.coverage.iter().enumerate() {
            e.check(
                format!("{path}.coverage[{j}].country"),
                CountryCode::parse(&c.country).map(|_| ()),
            );
            if c.postal_prefixes.len() > COVERAGE_PREFIXES_MAX
                || c.regions.len() > COVERAGE_PREFIXES_MAX
            {
                e.push(
                    format!("{path}.coverage[{j}]"),
                    format!("must list at most {COVERAGE_PREFIXES_MAX} regions and prefixes"),
                );
            }
        }
        let zone = |code: &String| self.zones.iter().any(|z| &z.code == code);
        if s.transit_days.is_empty() {
            e.push(
                format!("{path}.transit_days"),
                "must give the days of at least one zone",
            );
        }
        for (code, days) in &s.transit_days {
            if !zone(code) {
                e.push(
                    format!("{path}.transit_days.{code}"),
                    "is not one of the carrier's zones",
                );
            } else if *days > TRANSIT_DAYS_MAX {
                e.push(
                    format!("{path}.transit_days.{code}"),
                    format!("must be 0 to {TRANSIT_DAYS_MAX} days"),
                );
            }
            if !s.rates.contains_key(code) {
                e.push(
                    format!("{path}.rates.{code}"),
                    "is required for every zone with transit days",
                );
            }
        }
        for (code, prices) in &s.rates {
            let field = format!("{path}.rates.{code}");
            if !zone(code) {
                e.push(field, "is not one of the carrier's zones");
            } else if prices.len() != self.weight_breaks_g.len() {
                e.push(field, "needs one price per weight break");
            } else if prices.iter().any(|p| !(0..=RATE_MINOR_MAX).contains(p))
                || prices.windows(2).any(|w| w[0] > w[1])
            {
                e.push(
                    field,
                    format!("prices must be 0 to {RATE_MINOR_MAX} and not fall as weight rises"),
                );
            }
        }
        if !(0..=RATE_MINOR_MAX).contains(&s.over_per_kg) {
            e.push(
                format!("{path}.over_per_kg"),
                format!("must be 0 to {RATE_MINOR_MAX}"),
            );
        }
        if let Some(cutoff) = &s.cutoff {
            e.check(
                format!("{path}.cutoff"),
                LocalTime::parse(cutoff).map(|_| ()),
            );
        }
    }

    /// Where a customer follows the parcel with this tracking number, if the carrier says.
    pub fn tracking_link(&self, tracking_number: &str) -> Option<String> {
        let template = self.tracking_url.as_ref()?;
        Some(template.replace("{tracking_number}", tracking_number))
    }

    /// The zone a parcel from `from` to `to` falls in: by distance, the last zone when
    /// either end has no coordinates.
    pub fn zone(&self, from: Option<GeoPoint>, to: Option<GeoPoint>) -> Option<&Zone> {
        let km = from.zip(to).map(|(a, b)| a.distance_km(b));
        self.zones
            .iter()
            .find(|z| match (z.max_km, km) {
                (Some(max), Some(km)) => km <= max,
                (None, _) => true,
                (Some(_), None) => false,
            })
            .or(self.zones.last())
    }

    /// The price of a parcel of `weight_g` with a service in a zone, fuel surcharge included;
    /// `None` when the service does not serve the zone or takes no parcel that heavy.
    pub fn price(&self, service: &Service, zone: &str, weight_g: i64) -> Option<i64> {
        let prices = service.rates.get(zone)?;
        let base = match self.weight_breaks_g.iter().position(|b| weight_g <= *b) {
            Some(i) => *prices.get(i)?,
            None if service.over_per_kg > 0 => {
                let last_g = *self.weight_breaks_g.last()?;
                prices.last()? + (weight_g - last_g + 999) / 1000 * service.over_per_kg
            }
            None => return None,
        };
        let bp = (self.fuel_surcharge_pct * 100.0).round() as i64;
        Some(base + (base * bp + 5_000) / 10_000)
    }
}

fn check_tracking_url(url: &str) -> Result<(), String> {
    let scheme = url.starts_with("https://") || url.starts_with("http://");
    if !scheme || url.len() > 300 || !url.contains("{tracking_number}") {
        return Err(
            "must be an http(s) URL of up to 300 characters with {tracking_number} in it".into(),
        );
    }
    Ok(())
}

fn check_list(e: &mut FieldErrors, field: &str, len: usize) {
    if len == 0 || len > CARRIER_LIST_MAX {
        e.push(field, format!("must hold 1 to {CARRIER_LIST_MAX} entries"));
    }
}
