//! Routing profiles: which locations may fulfil a channel's orders, how a plan is chosen among
//! them — a rule chain of the kinds shops know, or `optimal`, the least total cost — and what
//! things cost. A profile is read from JSON (the API, or a file for `ordo simulate`) and checked
//! field by field; every bad field is named.

use super::cost::{CostModel, DistanceRateTable};
use crate::geo::CountryCode;
use crate::location::LocationKind;
use crate::values::LocationCode;

/// Most rules in a chain, locations in a ranking or exclusion list, per-location costs.
pub const PROFILE_LIST_MAX: usize = 1_000;
/// Most shipments beyond the first a profile may allow.
pub const MAX_SPLITS_MAX: u32 = 20;
/// Most re-routing attempts a profile may allow before giving a line up.
pub const REROUTE_ATTEMPTS_MAX: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The location that can ship the most of what is left, so the order splits least.
    FewestSplits,
    /// A location in the destination's country, and region, first.
    InMarket,
    /// The closest location.
    Closest,
    /// The profile's ranking of locations.
    Ranked,
    /// The location holding the most of the order's items.
    MostStock,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Self::FewestSplits,
        Self::InMarket,
        Self::Closest,
        Self::Ranked,
        Self::MostStock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FewestSplits => "fewest_splits",
            Self::InMarket => "in_market",
            Self::Closest => "closest",
            Self::Ranked => "ranked",
            Self::MostStock => "most_stock",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                "must be one of fewest_splits, in_market, closest, ranked, most_stock".to_string()
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// Shipments are chosen one at a time, each from the location the chain ranks first.
    Rules(Vec<Rule>),
    /// The plan of least total cost.
    Optimal,
}

/// Which locations may be candidates at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    pub location_kinds: Vec<LocationKind>,
    /// Only locations in these countries (all when empty).
    pub countries: Vec<CountryCode>,
    /// Only locations in these regions (all when empty).
    pub regions: Vec<String>,
    pub excluded_locations: Vec<LocationCode>,
    pub ship_from_store: bool,
    /// Most shipments beyond the first.
    pub max_splits: u32,
    /// Leave out locations whose next cut-off is too late to deliver by the order's promise
    /// date, instead of only charging for the days late.
    pub exclude_late: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            location_kinds: vec![
                LocationKind::Warehouse,
                LocationKind::Store,
                LocationKind::ThirdParty,
            ],
            countries: Vec::new(),
            regions: Vec::new(),
            excluded_locations: Vec::new(),
            ship_from_store: true,
            max_splits: 3,
            exclude_late: false,
        }
    }
}

/// What a pickup order does when its store lacks stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickupShortage {
    Refuse,
    /// Bring the missing units to the store from another location, ready later.
    Transfer,
}

/// What happens to a line after it has been re-routed `attempts_max` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempts {
    Backorder,
    Exception,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoutingProfile {
    pub strategy: Strategy,
    pub filters: Filters,
    /// Locations in order of preference, for the `ranked` rule.
    pub ranking: Vec<LocationCode>,
    pub costs: CostModel,
    pub shipping_rates: DistanceRateTable,
    pub pickup_shortage: PickupShortage,
    pub reroute_attempts_max: u32,
    pub after_attempts: AfterAttempts,
}

impl Default for RoutingProfile {
    /// What routes orders before anyone configures a profile: the shop platforms' chain,
    /// fewest splits, then in market, then closest.
    fn default() -> Self {
        Self {
            strategy: Strategy::Rules(vec![Rule::FewestSplits, Rule::InMarket, Rule::Closest]),
            filters: Filters::default(),
            ranking: Vec::new(),
            costs: CostModel::default(),
            shipping_rates: DistanceRateTable::default(),
            pickup_shortage: PickupShortage::Refuse,
            reroute_attempts_max: 3,
            after_attempts: AfterAttempts::Backorder,
        }
    }
}

mod json;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::cost::CapacityRule;
    use serde_json::json;

    #[test]
    fn an_empty_profile_is_the_default_and_a_profile_reads_back_what_it_writes() {
        assert_eq!(
            RoutingProfile::from_json(&json!({})).unwrap(),
            RoutingProfile::default()
        );
        let written = json!({
            "strategy": "optimal",
            "filters": { "location_kinds": ["warehouse", "store"], "countries": ["de"], "excluded_locations": ["ST-KIE"], "ship_from_store": false, "max_splits": 1 },
            "ranking": ["WH-HAM"],
            "costs": {
                "handling": 120, "handling_by_location": { "ST-CGN": 300 }, "split_penalty": 450,
                "capacity": "rising", "capacity_cost_at_full": 2000,
                "last_units": { "below": 2, "penalty": 150 },
                "shipping_rates": { "weight_breaks_g": [1000, 5000], "bands": [{ "max_km": 200, "prices": [400, 600] }, { "max_km": null, "prices": [500, 800] }], "over_per_kg": 40 }
            },
            "pickup_shortage": "transfer",
            "reroute": { "attempts_max": 2, "then": "exception" }
        });
        let profile = RoutingProfile::from_json(&written).unwrap();
        assert_eq!(profile.strategy, Strategy::Optimal);
        assert_eq!(profile.filters.countries[0].as_str(), "DE");
        assert_eq!(
            profile.costs.capacity,
            CapacityRule::Rising { at_full: 2000 }
        );
        assert_eq!(profile.shipping_rates.bands[1].prices, vec![500, 800]);
        assert_eq!(
            RoutingProfile::from_json(&profile.to_json()).unwrap(),
            profile
        );
    }

    #[test]
    fn every_bad_setting_is_named_and_unknown_ones_are_refused() {
        let bad = json!({
            "strategy": "cheapest",
            "rules": ["closest", "teleport"],
            "filters": { "location_kinds": [], "max_splits": 99, "colour": "red" },
            "costs": { "split_penalty": -1, "capacity": "rising", "shipping_rates": { "weight_breaks_g": [2000, 1000], "bands": [{ "max_km": null, "prices": [1, 2] }] } },
            "reroute": { "then": "shrug" }
        });
        let errors = RoutingProfile::from_json(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "strategy",
            "rules[1]",
            "filters.location_kinds",
            "filters.max_splits",
            "filters.colour",
            "costs.split_penalty",
            "costs.capacity_cost_at_full",
            "costs.shipping_rates",
            "reroute.then",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing from {fields:?}"
            );
        }
    }
}
