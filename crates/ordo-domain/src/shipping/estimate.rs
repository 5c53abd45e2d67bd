//! The router prices shipping with the carriers' own rates: for a lane, the cheapest service
//! that delivers at its end (its country, region and postal area: a local courier covers a
//! few) and serves its distance zone, of the level the profile names (any level when none has
//! it), fuel surcharge included. A lane no service delivers has no price: the router then
//! leaves the location out (`no_service`), so an order is never routed where nothing can
//! carry it.

use std::collections::BTreeMap;

use crate::routing::cost::{Lane, RateCard, ShippingCostEstimator};

use super::carrier::{Address, Carrier, Service};

pub struct CarrierRates {
    carriers: Vec<Carrier>,
    /// Each active carrier's rate cards, priced once: `cards[carrier][service]` by zone code,
    /// for the zones the service delivers in.
    cards: Vec<Vec<BTreeMap<String, RateCard>>>,
}

impl CarrierRates {
    pub fn new(carriers: Vec<Carrier>) -> Self {
        let carriers: Vec<Carrier> = carriers.into_iter().filter(|c| c.active).collect();
        let cards = carriers
            .iter()
            .map(|carrier| {
                let priced = |s: &Service| {
                    let zones = s.transit_days.keys();
                    zones
                        .filter_map(|zone| Some((zone.clone(), card(carrier, s, zone)?)))
                        .collect()
                };
                carrier.services.iter().map(priced).collect()
            })
            .collect();
        Self { carriers, cards }
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

/// Keeps `card` when it is cheaper than the best so far (by its first break's price).
fn keep<'c>(best: &mut Option<&'c RateCard>, card: &'c RateCard) {
    let first_price = |c: &RateCard| c.breaks.first().map_or(i64::MAX, |b| b.1);
    if best.is_none_or(|b| first_price(card) < first_price(b)) {
        *best = Some(card);
    }
}

impl ShippingCostEstimator for CarrierRates {
    fn lane(&self, lane: &Lane<'_>, service: &str) -> Option<RateCard> {
        // The cheapest card of the wanted level, and the cheapest of any level; the first
        // found wins a tie.
        let mut wanted: Option<&RateCard> = None;
        let mut any: Option<&RateCard> = None;
        for (carrier, cards) in self.carriers.iter().zip(&self.cards) {
            let Some(zone) = carrier.zone(lane.from, lane.to) else {
                continue;
            };
            for (s, cards) in carrier.services.iter().zip(cards) {
                let Some(card) = cards.get(&zone.code).filter(|_| serves(s, lane)) else {
                    continue;
                };
                if s.level.as_str() == service {
                    keep(&mut wanted, card);
                }
                keep(&mut any, card);
            }
        }
        wanted.or(any).cloned()
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
