//! The router prices shipping with the carriers' own rates: for a lane, the cheapest service
//! that delivers at its end (its country, region and postal area: a local courier covers a
//! few) and serves its distance zone, of the level the profile names (any level when none has
//! it), fuel surcharge included. A lane no service delivers has no price: the router then
//! leaves the location out (`no_service`), so an order is never routed where nothing can
//! carry it.

use crate::routing::cost::{Lane, RateCard, ShippingCostEstimator};

use super::carrier::{Address, Carrier, Service};

pub struct CarrierRates {
    carriers: Vec<Carrier>,
}

impl CarrierRates {
    pub fn new(carriers: Vec<Carrier>) -> Self {
        Self {
            carriers: carriers.into_iter().filter(|c| c.active).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.carriers.is_empty()
    }
}

/// Whether a service delivers at the end of the lane. Without the destination's country only
/// a country-wide service can be counted on.
fn serves(s: &Service, lane: &Lane<'_>) -> bool {
    match lane.country {
        Some(country) => {
            let to = Address {
                country,
                region: lane.region,
                postal_code: lane.postal_code.unwrap_or(""),
                point: lane.to,
            };
            s.coverage.iter().any(|c| c.covers(&to))
        }
        None => s
            .coverage
            .iter()
            .any(|c| c.regions.is_empty() && c.postal_prefixes.is_empty()),
    }
}

fn card(carrier: &Carrier, service: &Service, zone: &str) -> Option<RateCard> {
    let breaks: Option<Vec<(i64, i64)>> = carrier
        .weight_breaks_g
        .iter()
        .map(|w| Some((*w, carrier.price(service, zone, *w)?)))
        .collect();
    let breaks = breaks?;
    let fuel = |p: i64| {
        let bp = (carrier.fuel_surcharge_pct * 100.0).round() as i64;
        p + (p * bp + 5_000) / 10_000
    };
    Some(RateCard {
        breaks,
        over_per_kg: fuel(service.over_per_kg),
    })
}

impl ShippingCostEstimator for CarrierRates {
    fn lane(&self, lane: &Lane<'_>, service: &str) -> Option<RateCard> {
        let mut cards: Vec<(bool, RateCard)> = Vec::new();
        for carrier in &self.carriers {
            let Some(zone) = carrier.zone(lane.from, lane.to) else {
                continue;
            };
            let served = carrier.services.iter().filter(|s| serves(s, lane));
            for s in served.filter(|s| s.transit_days.contains_key(&zone.code)) {
                if let Some(c) = card(carrier, s, &zone.code) {
                    cards.push((s.level.as_str() == service, c));
                }
            }
        }
        let wanted = cards.iter().any(|(level, _)| *level);
        cards
            .into_iter()
            .filter(|(level, _)| *level || !wanted)
            .map(|(_, c)| c)
            .min_by_key(|c| c.breaks.first().map_or(i64::MAX, |b| b.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{CountryCode, GeoPoint};

    #[test]
    fn the_router_sees_the_cheapest_service_of_the_level_that_delivers_there_with_fuel() {
        let rates = CarrierRates::new(super::super::tests::carriers());
        let hamburg = GeoPoint::new(53.55, 9.99).unwrap();
        let munich = GeoPoint::new(48.14, 11.58).unwrap();
        let lane = Lane::between(Some(hamburg), Some(munich));
        let economy = rates.lane(&lane, "economy").unwrap();
        assert_eq!(economy.price(800), 550, "zone 3 economy, 500 + 10% fuel");
        let express = rates.lane(&lane, "express").unwrap();
        assert_eq!(express.price(800), 1210);
        let unknown = Lane::between(Some(hamburg), Some(hamburg));
        let near = rates.lane(&unknown, "same_day").unwrap();
        assert_eq!(
            near.price(800),
            440,
            "an address unknown: the cheapest country-wide service of any level, never the local courier"
        );
        let de = CountryCode::parse("DE").ok();
        let in_hamburg = Lane {
            country: de,
            postal_code: Some("20095"),
            ..unknown
        };
        assert_eq!(
            rates.lane(&in_hamburg, "same_day").unwrap().price(800),
            700,
            "the courier covers 20xxx"
        );
        assert!(
            CarrierRates::new(Vec::new())
                .lane(&lane, "standard")
                .is_none()
        );
    }

    #[test]
    fn a_lane_no_service_delivers_has_no_price() {
        let rates = CarrierRates::new(super::super::tests::carriers());
        let cologne = GeoPoint::new(50.94, 6.96).unwrap();
        let new_york = Lane {
            from: Some(cologne),
            to: GeoPoint::new(40.75, -73.99).ok(),
            country: CountryCode::parse("US").ok(),
            region: None,
            postal_code: Some("10001"),
        };
        assert!(rates.lane(&new_york, "standard").is_none());
    }
}
