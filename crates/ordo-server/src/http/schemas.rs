//! Schemas of JSON that the domain reads by hand (a routing profile's settings, a backtest's
//! network and orders), for the OpenAPI document only: the bodies themselves are read by
//! `RoutingProfile::from_json`, `Network::from_json` and `SimOrder::from_json`, which name
//! every bad member. A test checks every member the domain writes appears here.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// A routing profile's settings; every member optional, left-out members keep their defaults.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileSettings {
    /// `optimal` (least cost) or `rules` (a rule chain).
    #[schema(example = "optimal")]
    pub strategy: Option<String>,
    /// With `rules`: `fewest_splits`, `in_market`, `closest`, `ranked`, `most_stock`, in order.
    pub rules: Option<Vec<String>>,
    pub filters: Option<ProfileFilters>,
    /// Location codes, most preferred first (the `ranked` rule).
    pub ranking: Option<Vec<String>>,
    pub costs: Option<ProfileCosts>,
    /// `refuse` (the default) or `transfer` units a pickup store lacks.
    pub pickup_shortage: Option<String>,
    pub reroute: Option<ProfileReroute>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileFilters {
    /// `warehouse`, `store`, `supplier`, `3pl`.
    pub location_kinds: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub excluded_locations: Option<Vec<String>>,
    pub ship_from_store: Option<bool>,
    pub max_splits: Option<u32>,
    pub exclude_late: Option<bool>,
}

/// Minor units of the cost currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileCosts {
    pub handling: Option<i64>,
    pub handling_by_location: Option<BTreeMap<String, i64>>,
    pub split_penalty: Option<i64>,
    pub late_per_day: Option<i64>,
    /// `hard` (the default: a full location ships on its next day, left out while others
    /// can take the units) or `rising` (busy locations cost more).
    pub capacity: Option<String>,
    pub capacity_cost_at_full: Option<i64>,
    pub last_units: Option<ProfileLastUnits>,
    pub default_item_weight_g: Option<i64>,
    /// The service level priced: `same_day`, `express`, `standard`, `economy`.
    pub service: Option<String>,
    pub shipping_rates: Option<ProfileRates>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileLastUnits {
    pub below: i64,
    pub penalty: i64,
}

/// Shipping by distance band × weight break, while no carrier is configured.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileRates {
    pub weight_breaks_g: Vec<i64>,
    pub bands: Vec<ProfileBand>,
    pub over_per_kg: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileBand {
    /// `null` on the last band.
    pub max_km: Option<f64>,
    pub prices: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileReroute {
    pub attempts_max: Option<u32>,
    /// `backorder` or `exception`.
    pub then: Option<String>,
}

/// A network to replay orders on, as `ordo simulate` reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkDocument {
    /// The network's IANA time zone: waves and days turn at its midnight.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub locations: Vec<NetworkLocation>,
    pub items: Option<Vec<NetworkItem>>,
    pub stock: Option<Vec<NetworkUnits>>,
    pub inbound: Option<Vec<NetworkArrival>>,
    pub transit: Option<NetworkTransit>,
    /// As a profile's `costs`: what every plan is scored with.
    pub costs: Option<ProfileCosts>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkLocation {
    pub code: String,
    /// `warehouse`, `store`, `supplier`, `3pl`.
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub country: String,
    pub region: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub daily_order_capacity: Option<i64>,
    /// Local `HH:MM`.
    pub cutoff: Option<String>,
    /// The network's when absent.
    pub time_zone: Option<String>,
    pub ships: Option<bool>,
    pub pickup: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkItem {
    pub sku: String,
    /// 0 for goods that weigh nothing worth counting.
    pub weight_g: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkUnits {
    pub location: String,
    pub sku: String,
    pub units: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkArrival {
    pub location: String,
    pub sku: String,
    pub units: i64,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkTransit {
    pub bands: Vec<NetworkTransitBand>,
    pub beyond_km_per_day: Option<f64>,
    pub unknown_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkTransitBand {
    pub max_km: f64,
    pub days: u32,
}

/// One order to replay, as a line of `ordo simulate`'s orders file.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimOrderDocument {
    pub id: String,
    pub at: String,
    pub deliver_by: Option<String>,
    pub ship_to: SimShipTo,
    pub lines: Vec<SimLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimShipTo {
    pub lat: f64,
    pub lon: f64,
    pub country: String,
    pub region: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimLine {
    pub sku: String,
    pub quantity: i64,
}

#[cfg(test)]
mod tests {
    use ordo_domain::routing::RoutingProfile;
    use serde_json::Value;
    use utoipa::PartialSchema;

    /// Every member path of a JSON document, `a.b.c` (arrays looked into).
    fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, inner) in map {
                    let path = format!("{prefix}{k}");
                    out.push(path.clone());
                    paths(inner, &format!("{path}."), out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    paths(item, prefix, out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_member_a_profile_is_written_with_is_in_the_settings_schema() {
        let mut written = Vec::new();
        paths(&RoutingProfile::default().to_json(), "", &mut written);
        let text = [
            serde_json::to_value(super::ProfileSettings::schema()),
            serde_json::to_value(super::ProfileFilters::schema()),
            serde_json::to_value(super::ProfileCosts::schema()),
            serde_json::to_value(super::ProfileLastUnits::schema()),
            serde_json::to_value(super::ProfileRates::schema()),
            serde_json::to_value(super::ProfileBand::schema()),
            serde_json::to_value(super::ProfileReroute::schema()),
        ]
        .map(|s| s.unwrap().to_string())
        .join("");
        for path in written {
            let last = path.rsplit('.').next().unwrap();
            // Map keys (a location's handling cost) are data, not members.
            if path.starts_with("costs.handling_by_location.") {
                continue;
            }
            assert!(
                text.contains(&format!("\"{last}\"")),
                "{path} is documented"
            );
        }
    }
}
