//! Backtests: replay an order stream against a network once per routing profile and compare
//! what their plans cost and how they ship (the engine is the domain's
//! `routing::backtest`). And the generator of a realistic network and stream to try it on:
//! the demo's locations and items, stock spread unevenly with some locations short, SKUs
//! by Zipf popularity, baskets of 1 to 6 lines (mostly 1 or 2), customers weighted by city
//! population.

use serde_json::{Value, json};

use ordo_domain::auth::Principal;
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::de;
use ordo_domain::item::Item;
use ordo_domain::location::{Location, LocationKind};
use ordo_domain::order::Delivery;
use ordo_domain::promise::{delivery_date, next_ship_day, parse_date, utc_date};
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;
use ordo_store::{OrderFilter, PageRequest, ProfileStatus};

use crate::App;
use crate::error::{AppError, AppResult};
use ordo_domain::routing::backtest::{self, Network, ReplayError, Report, SimOrder};

/// Most orders one backtest replays.
pub const BACKTEST_ORDERS_MAX: usize = 200_000;
/// Most profiles one backtest compares.
pub const BACKTEST_PROFILES_MAX: usize = 10;

/// Replays `orders` once per profile; with `reoptimize_every_ms`, each release wave of that
/// length is planned again together before it ships. `decisions`, when given, receives every
/// order's plan under every profile.
pub fn compare(
    network: &Network,
    orders: &[SimOrder],
    profiles: &[(String, RoutingProfile)],
    reoptimize_every_ms: Option<i64>,
    mut decisions: Option<&mut Vec<backtest::DecisionNote>>,
) -> Result<Vec<Report>, ReplayError> {
    profiles
        .iter()
        .map(|(name, profile)| {
            let sink = decisions.as_deref_mut();
            backtest::run(network, orders, name, profile, reoptimize_every_ms, sink)
        })
        .collect()
}

/// Which stored version of a profile a backtest runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredVersion {
    Draft,
    Active,
    Number(u32),
}

/// A profile to backtest: settings given outright, or a stored profile's version.
#[derive(Debug, Clone)]
pub enum ProfileSource {
    Settings(Box<RoutingProfile>),
    Stored { id: String, version: StoredVersion },
}

/// The orders to replay: given, or the channel's most recent shipped-to orders.
#[derive(Debug, Clone)]
pub enum OrderSource {
    Given(Vec<SimOrder>),
    Recent {
        count: usize,
        channel: Option<ChannelCode>,
    },
}

pub struct BacktestRequest {
    /// `None`: the live network, its sellable stock as if nothing were reserved.
    pub network: Option<Network>,
    /// What plans are scored with on the live network; the default cost model when absent.
    pub scoring: Option<RoutingProfile>,
    pub orders: OrderSource,
    pub profiles: Vec<(String, ProfileSource)>,
}

impl App {
    /// Replays the orders once per profile and reports each.
    pub async fn backtest(
        &self,
        principal: &Principal,
        request: BacktestRequest,
    ) -> AppResult<Vec<Report>> {
        let network = match request.network {
            Some(network) => network,
            None => {
                let live = self.store.routing_network().await?;
                let scoring = request.scoring.unwrap_or_default();
                // The live network's days turn where its first location's do; every
                // location still counts its capacity on its own day.
                let time_zone = live.locations.first().map(|l| l.time_zone.clone());
                Network {
                    time_zone: time_zone.unwrap_or_else(|| {
                        ordo_domain::location::TimeZoneName::parse("UTC")
                            .expect("UTC is a time zone")
                    }),
                    transit: ordo_domain::promise::DistanceBands::default(),
                    locations: live.locations,
                    weights: live.weights,
                    stock: live.stock,
                    inbound: Vec::new(),
                    costs: scoring.costs,
                    rates: scoring.shipping_rates,
                }
            }
        };
        let orders = match request.orders {
            OrderSource::Given(orders) => orders,
            OrderSource::Recent { count, channel } => {
                self.recent_orders(principal, count, channel).await?
            }
        };
        let mut profiles = Vec::with_capacity(request.profiles.len());
        for (i, (name, source)) in request.profiles.into_iter().enumerate() {
            let settings = match source {
                ProfileSource::Settings(settings) => *settings,
                ProfileSource::Stored { id, version } => {
                    let record = self.routing_profile(&id).await?;
                    let found = record.versions.into_iter().find(|v| match version {
                        StoredVersion::Draft => v.status == ProfileStatus::Draft,
                        StoredVersion::Active => v.status == ProfileStatus::Active,
                        StoredVersion::Number(n) => v.version == n,
                    });
                    match found {
                        Some(v) => v.settings,
                        None => {
                            return Err(AppError::Invalid(FieldErrors::single(
                                format!("profiles[{i}].version"),
                                format!("profile {id} has no such version"),
                            )));
                        }
                    }
                }
            };
            profiles.push((name, settings));
        }
        tokio::task::spawn_blocking(move || compare(&network, &orders, &profiles, None, None))
            .await
            .map_err(|e| AppError::Internal(format!("the backtest stopped: {e}")))?
            .map_err(|e| match e {
                ReplayError::Arrival { .. } => {
                    AppError::Invalid(FieldErrors::single("network.inbound", e.to_string()))
                }
                ReplayError::Plan(_) => AppError::Internal(format!("the backtest stopped: {e}")),
            })
    }

    /// The most recent orders shipped to an address, newest last, as the backtest replays them.
    async fn recent_orders(
        &self,
        principal: &Principal,
        count: usize,
        channel: Option<ChannelCode>,
    ) -> AppResult<Vec<SimOrder>> {
        let mut orders = Vec::new();
        let mut cursor = None;
        while orders.len() < count {
            let page = PageRequest { limit: 500, cursor };
            let filter = OrderFilter {
                channel: channel.clone(),
                ..OrderFilter::default()
            };
            let found = self.orders(principal, filter, &page).await?;
            for record in found.items {
                let o = record.order;
                let Some(ship_to) = o.ship_to.filter(|_| o.delivery == Delivery::Ship) else {
                    continue;
                };
                let Some(point) = ship_to.point_or_postal() else {
                    continue;
                };
                let lines: Vec<_> = o
                    .lines
                    .iter()
                    .map(|l| (l.sku.clone(), l.quantities.ordered - l.quantities.cancelled))
                    .filter(|(_, q)| *q > 0)
                    .collect();
                if lines.is_empty() || orders.len() >= count {
                    continue;
                }
                orders.push(SimOrder {
                    id: o.number,
                    at_ms: o.created_at_ms,
                    destination: point,
                    country: ship_to.country,
                    region: ship_to.region,
                    deliver_by: o.promised_date,
                    lines,
                });
            }
            match found.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        orders.reverse();
        Ok(orders)
    }
}

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
