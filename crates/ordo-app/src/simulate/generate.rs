//! The generator of a realistic network and order stream for backtests: the demo's
//! locations and items, stock spread unevenly with some locations short, SKUs by Zipf
//! popularity, baskets of 1 to 6 lines (mostly 1 or 2), customers weighted by city
//! population. The same seed always writes the same network and stream.

use serde_json::{Value, json};

use ordo_domain::geo::de;
use ordo_domain::item::Item;
use ordo_domain::location::{Location, LocationKind};
use ordo_domain::promise::{delivery_date, next_ship_day, parse_date, utc_date};

/// What `ordo simulate generate` writes.
pub struct Generated {
    pub network: Value,
    pub orders: Vec<Value>,
    /// (file stem, profile JSON): closest, fewest-splits, optimal.
    pub profiles: Vec<(&'static str, Value)>,
}

/// The first day of the generated stream, a Monday.
const START: &str = "2026-11-23";
const DAY_MS: i64 = 86_400_000;

/// The cost model the network is scored with, and every example profile prices by.
fn costs(network_locations: &[(String, LocationKind)]) -> Value {
    let handling: serde_json::Map<String, Value> = network_locations
        .iter()
        .map(|(code, kind)| {
            let cost = match kind {
                LocationKind::Warehouse => 120,
                LocationKind::ThirdParty => 180,
                _ => 320,
            };
            (code.clone(), json!(cost))
        })
        .collect();
    json!({
        "handling": 150,
        "handling_by_location": handling,
        "split_penalty": 350,
        "late_per_day": 600,
        "capacity": "rising",
        "capacity_cost_at_full": 800,
        "last_units": { "below": 2, "penalty": 200 }
    })
}

pub fn generate(seed: u64, orders: usize, days: i64) -> Generated {
    let mut rng = fastrand::Rng::with_seed(seed);
    let start_ms = parse_date(START)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or(0, |z| z.timestamp().as_millisecond());
    let locations = crate::demo::locations(start_ms);
    let items = crate::demo::items(start_ms);
    let items: Vec<_> = items.into_iter().filter(|i| i.preorder.is_none()).collect();

    // Popularity: a random rank per item, Zipf with s = 1.
    let mut ranks: Vec<usize> = (0..items.len()).collect();
    rng.shuffle(&mut ranks);
    let popularity: Vec<f64> = ranks.iter().map(|r| 1.0 / (*r + 1) as f64).collect();
    let catalogue = Catalogue {
        items: &items,
        popularity: &popularity,
    };

    let (stock, inbound) = catalogue.stock(&mut rng, &locations, start_ms, days);
    let network_locations: Vec<(String, LocationKind)> = locations
        .iter()
        .map(|l| (l.code.to_string(), l.kind))
        .collect();
    let costs = costs(&network_locations);
    let network = json!({
        "time_zone": "Europe/Berlin",
        "locations": locations.iter().map(location_json).collect::<Vec<_>>(),
        "items": items.iter().map(|i| json!({ "sku": i.sku.as_str(), "weight_g": i.weight_g.unwrap_or(500) })).collect::<Vec<_>>(),
        "stock": stock,
        "inbound": inbound,
        "costs": costs,
    });

    let mut stream = Vec::with_capacity(orders);
    for n in 0..orders {
        let day = (n as i64 * days.max(1)) / orders.max(1) as i64;
        let at = start_ms + day * DAY_MS + rng.i64(6 * 3_600_000..20 * 3_600_000);
        stream.push(catalogue.order(&mut rng, n, at));
    }
    let profile = |strategy: Value| {
        let mut p = strategy;
        p["costs"] = costs.clone();
        p
    };
    Generated {
        network,
        orders: stream,
        profiles: vec![
            (
                "closest",
                profile(json!({ "strategy": "rules", "rules": ["closest"] })),
            ),
            (
                "fewest-splits",
                profile(json!({ "strategy": "rules", "rules": ["fewest_splits", "closest"] })),
            ),
            ("optimal", profile(json!({ "strategy": "optimal" }))),
        ],
    }
}

/// A location as the generated network describes it.
fn location_json(l: &Location) -> Value {
    let point = l.address.point;
    json!({
        "code": l.code.as_str(), "kind": l.kind.as_str(),
        "lat": point.map(|p| p.lat), "lon": point.map(|p| p.lon),
        "country": l.address.country.as_str(), "region": l.address.region, "city": l.address.city,
        "daily_order_capacity": l.daily_order_capacity.map(|c| (c / 20).max(15)),
        "cutoff": l.cutoff_local_time.map(|c| c.to_hhmm()), "time_zone": l.time_zone.as_str(),
        "ships": l.capabilities.ship, "pickup": l.capabilities.pickup,
    })
}

/// The items orders are drawn from, each with its popularity.
struct Catalogue<'a> {
    items: &'a [Item],
    popularity: &'a [f64],
}

impl Catalogue<'_> {
    /// Opening stock at every location, and the restocks of warehouses during the stream.
    fn stock(
        &self,
        rng: &mut fastrand::Rng,
        locations: &[Location],
        start_ms: i64,
        days: i64,
    ) -> (Vec<Value>, Vec<Value>) {
        let mut stock = Vec::new();
        let mut inbound = Vec::new();
        for location in locations {
            // Some locations run short: a thin range, or low quantities.
            let short = rng.f64() < 0.25;
            let (carry, base) = match location.kind {
                LocationKind::Warehouse if short => (0.45, 120.0),
                LocationKind::Warehouse => (0.85, 400.0),
                LocationKind::ThirdParty => (0.6, 200.0),
                _ if short => (0.15, 4.0),
                _ => (0.35, 10.0),
            };
            for (item, pop) in self.items.iter().zip(self.popularity) {
                if item.allow_backorder || rng.f64() >= carry {
                    continue;
                }
                let units = (base * pop.powf(0.5) * (0.2 + 1.3 * rng.f64())).round() as i64;
                if units > 0 {
                    stock.push(json!({ "location": location.code.as_str(), "sku": item.sku.as_str(), "units": units }));
                }
                // Warehouses are restocked now and then during the stream.
                if location.kind == LocationKind::Warehouse && rng.f64() < 0.05 {
                    let at = start_ms + rng.i64(1..days.max(1)) * DAY_MS + 5 * 3_600_000;
                    inbound.push(json!({
                        "location": location.code.as_str(), "sku": item.sku.as_str(),
                        "units": (base * pop.powf(0.5)).round().max(5.0) as i64,
                        "at": jiff::Timestamp::from_millisecond(at).map(|t| t.to_string()).unwrap_or_default()
                    }));
                }
            }
        }
        (stock, inbound)
    }

    /// The `n`th order of the stream, placed at `at`: a city by population, a basket of
    /// items by popularity.
    fn order(&self, rng: &mut fastrand::Rng, n: usize, at: i64) -> Value {
        let population: u32 = de::CITIES.iter().map(|c| c.population_k).sum();
        let mut pick = rng.u32(0..population);
        let city = de::CITIES
            .iter()
            .find(|c| {
                if pick < c.population_k {
                    true
                } else {
                    pick -= c.population_k;
                    false
                }
            })
            .unwrap_or(&de::CITIES[0]);
        let chosen = self.basket(rng);
        let order_day = utc_date(at);
        // The usual promise: two delivery days after the order's shipping day.
        let deliver_by = delivery_date(next_ship_day(order_day), 2);
        let point = city.point();
        json!({
            "id": format!("SIM-{:06}", n + 1),
            "at": jiff::Timestamp::from_millisecond(at).map(|t| t.to_string()).unwrap_or_default(),
            "deliver_by": deliver_by.to_string(),
            "ship_to": {
                "lat": ((point.lat + (rng.f64() - 0.5) * 0.1) * 1e4).round() / 1e4,
                "lon": ((point.lon + (rng.f64() - 0.5) * 0.1) * 1e4).round() / 1e4,
                "country": "DE", "city": city.name
            },
            "lines": chosen.iter().map(|i| json!({
                "sku": self.items[*i].sku.as_str(),
                "quantity": if rng.f64() < 0.85 { 1 } else { rng.i64(2..=3) }
            })).collect::<Vec<_>>(),
        })
    }

    /// Distinct items for one order: 1 to 6 of them, each drawn by popularity.
    fn basket(&self, rng: &mut fastrand::Rng) -> Vec<usize> {
        let size = match rng.f64() {
            x if x < 0.46 => 1,
            x if x < 0.72 => 2,
            x if x < 0.85 => 3,
            x if x < 0.93 => 4,
            x if x < 0.97 => 5,
            _ => 6,
        };
        let total: f64 = self.popularity.iter().sum();
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < size {
            let mut x = rng.f64() * total;
            let i = self
                .popularity
                .iter()
                .position(|p| {
                    x -= p;
                    x <= 0.0
                })
                .unwrap_or(0);
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen
    }
}
