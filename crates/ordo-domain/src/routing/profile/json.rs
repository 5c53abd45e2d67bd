//! A routing profile as JSON: read member by member, naming every bad field by its path and
//! refusing members it does not know; written back whole, so what is read is what is shown.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::*;
use crate::field::FieldErrors;
use crate::geo::CountryCode;
use crate::location::LocationKind;
use crate::routing::cost::{COST_MAX, CapacityRule, DistanceBand, LastUnits};
use crate::values::LocationCode;

/// Reads one JSON object, naming fields by their path and refusing members it does not know.
struct Reader<'a> {
    path: String,
    map: &'a Map<String, Value>,
    known: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    fn new(path: &str, value: &'a Value, errors: &mut FieldErrors) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self {
                path: path.to_string(),
                map,
                known: Vec::new(),
            }),
            _ => {
                errors.push(path.trim_end_matches('.'), "must be an object");
                None
            }
        }
    }

    fn field(&self, name: &str) -> String {
        format!("{}{name}", self.path)
    }

    fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.push(name);
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn int(
        &mut self,
        name: &'static str,
        range: (i64, i64),
        errors: &mut FieldErrors,
    ) -> Option<i64> {
        let value = self.get(name)?;
        match value.as_i64().filter(|v| (range.0..=range.1).contains(v)) {
            Some(v) => Some(v),
            None => {
                errors.push(
                    self.field(name),
                    format!("must be a whole number from {} to {}", range.0, range.1),
                );
                None
            }
        }
    }

    fn cost(&mut self, name: &'static str, errors: &mut FieldErrors) -> Option<i64> {
        self.int(name, (0, COST_MAX), errors)
    }

    fn text(&mut self, name: &'static str, errors: &mut FieldErrors) -> Option<&'a str> {
        let value = self.get(name)?;
        let text = value.as_str();
        if text.is_none() {
            errors.push(self.field(name), "must be a string");
        }
        text
    }

    fn bool(&mut self, name: &'static str, errors: &mut FieldErrors) -> Option<bool> {
        let value = self.get(name)?;
        let flag = value.as_bool();
        if flag.is_none() {
            errors.push(self.field(name), "must be true or false");
        }
        flag
    }

    /// A list of strings, each parsed; `None` when absent.
    fn list<T>(
        &mut self,
        name: &'static str,
        errors: &mut FieldErrors,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let value = self.get(name)?;
        let field = self.field(name);
        let Some(items) = value.as_array().filter(|a| a.len() <= PROFILE_LIST_MAX) else {
            errors.push(
                field,
                format!("must be a list of at most {PROFILE_LIST_MAX} strings"),
            );
            return None;
        };
        let mut parsed = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(&parse) {
                Some(Ok(v)) => parsed.push(v),
                Some(Err(message)) => errors.push(format!("{field}[{i}]"), message),
                None => errors.push(format!("{field}[{i}]"), "must be a string"),
            }
        }
        Some(parsed)
    }

    fn finish(self, errors: &mut FieldErrors) {
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                errors.push(self.field(key), "is not a profile setting");
            }
        }
    }
}

impl RoutingProfile {
    /// Reads a profile from JSON; members left out keep their defaults.
    pub fn from_json(value: &Value) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut profile = Self::default();
        let Some(mut r) = Reader::new("", value, &mut errors) else {
            return Err(errors);
        };
        let rules = r.list("rules", &mut errors, Rule::parse);
        match r.text("strategy", &mut errors) {
            Some("optimal") => profile.strategy = Strategy::Optimal,
            Some("rules") => {}
            Some(_) => errors.push("strategy", "must be rules or optimal"),
            None => {}
        }
        if let Some(rules) = rules {
            if profile.strategy == Strategy::Optimal {
                errors.push("rules", "applies to the rules strategy only");
            } else if rules.is_empty() {
                errors.push("rules", "must name at least one rule");
            } else {
                profile.strategy = Strategy::Rules(rules);
            }
        }
        if let Some(filters) = r.get("filters") {
            read_filters(filters, &mut profile.filters, &mut errors);
        }
        if let Some(ranking) = r.list("ranking", &mut errors, LocationCode::parse) {
            profile.ranking = ranking;
        }
        if let Some(costs) = r.get("costs") {
            read_costs(costs, &mut profile, &mut errors);
        }
        match r.text("pickup_shortage", &mut errors) {
            Some("refuse") => profile.pickup_shortage = PickupShortage::Refuse,
            Some("transfer") => profile.pickup_shortage = PickupShortage::Transfer,
            Some(_) => errors.push("pickup_shortage", "must be refuse or transfer"),
            None => {}
        }
        if let Some(reroute) = r.get("reroute")
            && let Some(mut rr) = Reader::new("reroute.", reroute, &mut errors)
        {
            let max = i64::from(REROUTE_ATTEMPTS_MAX);
            if let Some(n) = rr.int("attempts_max", (0, max), &mut errors) {
                profile.reroute_attempts_max = n as u32;
            }
            match rr.text("then", &mut errors) {
                Some("backorder") => profile.after_attempts = AfterAttempts::Backorder,
                Some("exception") => profile.after_attempts = AfterAttempts::Exception,
                Some(_) => errors.push("reroute.then", "must be backorder or exception"),
                None => {}
            }
            rr.finish(&mut errors);
        }
        r.finish(&mut errors);
        errors.into_result().map(|()| profile)
    }

    /// The whole profile as JSON, defaults included; [`from_json`](Self::from_json) reads it
    /// back unchanged.
    pub fn to_json(&self) -> Value {
        let (strategy, rules) = match &self.strategy {
            Strategy::Optimal => ("optimal", Value::Null),
            Strategy::Rules(rules) => (
                "rules",
                json!(rules.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
            ),
        };
        let f = &self.filters;
        let c = &self.costs;
        fn codes(list: &[LocationCode]) -> Vec<&str> {
            list.iter().map(|l| l.as_str()).collect()
        }
        let mut handling_by: Vec<(&LocationCode, &i64)> = c.handling_by_location.iter().collect();
        handling_by.sort();
        let handling_by: Map<String, Value> = handling_by
            .into_iter()
            .map(|(l, v)| (l.to_string(), json!(v)))
            .collect();
        let (capacity, at_full) = match c.capacity {
            CapacityRule::Hard => ("hard", Value::Null),
            CapacityRule::Rising { at_full } => ("rising", json!(at_full)),
        };
        let rates = &self.shipping_rates;
        json!({
            "strategy": strategy,
            "rules": rules,
            "filters": {
                "location_kinds": f.location_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
                "countries": f.countries.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                "regions": f.regions,
                "excluded_locations": codes(&f.excluded_locations),
                "ship_from_store": f.ship_from_store,
                "max_splits": f.max_splits,
                "exclude_late": f.exclude_late,
            },
            "ranking": codes(&self.ranking),
            "costs": {
                "handling": c.handling,
                "handling_by_location": handling_by,
                "split_penalty": c.split_penalty,
                "late_per_day": c.late_per_day,
                "capacity": capacity,
                "capacity_cost_at_full": at_full,
                "last_units": c.last_units.map(|l| json!({ "below": l.below, "penalty": l.penalty })),
                "default_item_weight_g": c.default_item_weight_g,
                "service": c.service,
                "shipping_rates": {
                    "weight_breaks_g": rates.weight_breaks_g,
                    "bands": rates.bands.iter().map(|b| json!({ "max_km": b.max_km, "prices": b.prices })).collect::<Vec<_>>(),
                    "over_per_kg": rates.over_per_kg,
                },
            },
            "pickup_shortage": match self.pickup_shortage {
                PickupShortage::Refuse => "refuse",
                PickupShortage::Transfer => "transfer",
            },
            "reroute": {
                "attempts_max": self.reroute_attempts_max,
                "then": match self.after_attempts {
                    AfterAttempts::Backorder => "backorder",
                    AfterAttempts::Exception => "exception",
                },
            },
        })
    }
}

fn read_filters(value: &Value, filters: &mut Filters, errors: &mut FieldErrors) {
    let Some(mut r) = Reader::new("filters.", value, errors) else {
        return;
    };
    if let Some(kinds) = r.list("location_kinds", errors, LocationKind::parse) {
        if kinds.is_empty() {
            errors.push("filters.location_kinds", "must name at least one kind");
        }
        filters.location_kinds = kinds;
    }
    if let Some(countries) = r.list("countries", errors, CountryCode::parse) {
        filters.countries = countries;
    }
    if let Some(regions) = r.list("regions", errors, |s| Ok(s.trim().to_string())) {
        filters.regions = regions;
    }
    if let Some(excluded) = r.list("excluded_locations", errors, LocationCode::parse) {
        filters.excluded_locations = excluded;
    }
    if let Some(flag) = r.bool("ship_from_store", errors) {
        filters.ship_from_store = flag;
    }
    if let Some(n) = r.int("max_splits", (0, i64::from(MAX_SPLITS_MAX)), errors) {
        filters.max_splits = n as u32;
    }
    if let Some(flag) = r.bool("exclude_late", errors) {
        filters.exclude_late = flag;
    }
    r.finish(errors);
}

fn read_costs(value: &Value, profile: &mut RoutingProfile, errors: &mut FieldErrors) {
    let Some(mut r) = Reader::new("costs.", value, errors) else {
        return;
    };
    let c = &mut profile.costs;
    if let Some(v) = r.cost("handling", errors) {
        c.handling = v;
    }
    if let Some(by) = r.get("handling_by_location") {
        c.handling_by_location = read_handling(by, errors);
    }
    if let Some(v) = r.cost("split_penalty", errors) {
        c.split_penalty = v;
    }
    if let Some(v) = r.cost("late_per_day", errors) {
        c.late_per_day = v;
    }
    let at_full = r.cost("capacity_cost_at_full", errors);
    match r.text("capacity", errors) {
        Some("hard") if at_full.is_some() => errors.push(
            "costs.capacity_cost_at_full",
            "applies to rising capacity only",
        ),
        Some("hard") => c.capacity = CapacityRule::Hard,
        Some("rising") => match at_full {
            Some(at_full) => c.capacity = CapacityRule::Rising { at_full },
            None => errors.push(
                "costs.capacity_cost_at_full",
                "is required for rising capacity",
            ),
        },
        Some(_) => errors.push("costs.capacity", "must be hard or rising"),
        None if at_full.is_some() => errors.push(
            "costs.capacity",
            "must be rising to use capacity_cost_at_full",
        ),
        None => {}
    }
    if let Some(last) = r.get("last_units")
        && let Some(mut l) = Reader::new("costs.last_units.", last, errors)
    {
        let below = l.int("below", (1, 1_000_000), errors);
        let penalty = l.cost("penalty", errors);
        match (below, penalty) {
            (Some(below), Some(penalty)) => c.last_units = Some(LastUnits { below, penalty }),
            _ => errors.push("costs.last_units", "needs below and penalty"),
        }
        l.finish(errors);
    }
    if let Some(v) = r.int("default_item_weight_g", (1, 1_000_000), errors) {
        c.default_item_weight_g = v;
    }
    if let Some(service) = r.text("service", errors) {
        match service.trim() {
            s if s.is_empty() || s.len() > 64 => {
                errors.push("costs.service", "must be 1 to 64 characters")
            }
            s => c.service = s.to_string(),
        }
    }
    if let Some(rates) = r.get("shipping_rates") {
        read_rates(rates, &mut profile.shipping_rates, errors);
    }
    r.finish(errors);
}

fn read_handling(value: &Value, errors: &mut FieldErrors) -> HashMap<LocationCode, i64> {
    let mut costs = HashMap::new();
    let Some(map) = value.as_object() else {
        errors.push(
            "costs.handling_by_location",
            "must be an object of location codes",
        );
        return costs;
    };
    if map.len() > PROFILE_LIST_MAX {
        errors.push(
            "costs.handling_by_location",
            format!("must name at most {PROFILE_LIST_MAX} locations"),
        );
    }
    for (code, cost) in map {
        let field = format!("costs.handling_by_location.{code}");
        let code = errors.check(&field, LocationCode::parse(code));
        let cost = cost.as_i64().filter(|c| (0..=COST_MAX).contains(c));
        if cost.is_none() {
            errors.push(
                &field,
                format!("must be a whole number from 0 to {COST_MAX}"),
            );
        }
        if let (Some(code), Some(cost)) = (code, cost) {
            costs.insert(code, cost);
        }
    }
    costs
}

fn read_rates(value: &Value, table: &mut DistanceRateTable, errors: &mut FieldErrors) {
    let Some(mut r) = Reader::new("costs.shipping_rates.", value, errors) else {
        return;
    };
    let mut read = DistanceRateTable::default();
    let mut complete = true;
    match r.get("weight_breaks_g").and_then(Value::as_array) {
        Some(breaks) => {
            read.weight_breaks_g = breaks.iter().map(|b| b.as_i64().unwrap_or(-1)).collect()
        }
        None => complete = false,
    }
    match r.get("bands").and_then(Value::as_array) {
        Some(bands) => {
            read.bands = bands
                .iter()
                .map(|b| DistanceBand {
                    max_km: b.get("max_km").and_then(Value::as_f64),
                    prices: b
                        .get("prices")
                        .and_then(Value::as_array)
                        .map(|p| p.iter().map(|v| v.as_i64().unwrap_or(-1)).collect())
                        .unwrap_or_default(),
                })
                .collect();
        }
        None => complete = false,
    }
    if let Some(v) = r.cost("over_per_kg", errors) {
        read.over_per_kg = v;
    }
    r.finish(errors);
    if !complete {
        errors.push(
            "costs.shipping_rates",
            "needs weight_breaks_g and bands (each band max_km and prices)",
        );
        return;
    }
    match read.check() {
        Ok(()) => *table = read,
        Err(message) => errors.push("costs.shipping_rates", message),
    }
}
