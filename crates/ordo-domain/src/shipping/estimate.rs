//! The router prices shipping with the carriers' own rates: for a lane, the cheapest
//! country-wide service of the level the profile names (any level when none has it), fuel
//! surcharge included. Services limited to some regions or postal codes (local couriers) are
//! left out: a lane knows its two points, not the address, so it cannot tell whether they
//! cover it — rate shopping at shipping time, which does, may still choose them.

use crate::geo::GeoPoint;
use crate::routing::cost::{RateCard, ShippingCostEstimator};

use super::carrier::{Carrier, Service};

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

fn country_wide(s: &Service) -> bool {
    s.coverage
        .iter()
        .any(|c| c.regions.is_empty() && c.postal_prefixes.is_empty())
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
    fn lane(
        &self,
        from: Option<GeoPoint>,
        to: Option<GeoPoint>,
        service: &str,
    ) -> Option<RateCard> {
        let mut cards: Vec<(bool, RateCard)> = Vec::new();
        for carrier in &self.carriers {
            let Some(zone) = carrier.zone(from, to) else {
                continue;
            };
            for s in carrier.services.iter().filter(|s| country_wide(s)) {
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

    #[test]
    fn the_router_sees_the_cheapest_country_wide_service_of_the_level_with_fuel() {
        let rates = CarrierRates::new(super::super::tests::carriers());
        let hamburg = GeoPoint::new(53.55, 9.99).unwrap();
        let munich = GeoPoint::new(48.14, 11.58).unwrap();
        let economy = rates.lane(Some(hamburg), Some(munich), "economy").unwrap();
        assert_eq!(economy.price(800), 550, "zone 3 economy, 500 + 10% fuel");
        let express = rates.lane(Some(hamburg), Some(munich), "express").unwrap();
        assert_eq!(express.price(800), 1210);
        let near = rates
            .lane(Some(hamburg), Some(hamburg), "same_day")
            .unwrap();
        assert_eq!(
            near.price(800),
            440,
            "no country-wide same-day service: the cheapest of any level, never the local courier"
        );
        assert!(
            CarrierRates::new(Vec::new())
                .lane(Some(hamburg), Some(munich), "standard")
                .is_none()
        );
    }
}
