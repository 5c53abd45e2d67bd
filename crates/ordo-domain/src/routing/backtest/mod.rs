//! The backtest: replay a stream of orders against a network — its stock, capacity and
//! arrivals — once per routing profile, and measure what each profile's plans cost and how
//! they ship. Every plan is scored with the network's own cost model ([`input::Network`]),
//! so that profiles are compared by what their plans really cost.

pub mod input;

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

pub use input::{Arrival, Network, SimOrder};

use super::profile::RoutingProfile;
use super::score::score;
use super::{ProfileRouter, RouteLine, RouteRequest};
use crate::allocation::{Destination, Routing, route};
use crate::inventory::{Cause, Movement, StockBook, StockState};
use crate::location::Location;
use crate::promise::{DistanceBands, utc_date};
use crate::values::LocationCode;

/// What one profile's plans came to over the stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub profile: String,
    pub orders: usize,
    /// Minor units of the cost currency, every plan scored with the network's cost model.
    pub total_cost: i64,
    pub cost_per_order: f64,
    pub packages_per_order: f64,
    /// Share of orders shipped in more than one package.
    pub split_rate: f64,
    /// Mean kilometres from a package's location to its destination.
    pub mean_distance_km: f64,
    /// Share of orders whose every unit was routed and every package arrives by the promise
    /// (without one: by the earliest date any location could deliver).
    pub on_time_rate: f64,
    /// Packages given to a location already at its daily capacity.
    pub capacity_breaches: usize,
    /// Order lines not wholly routed.
    pub unfilled_lines: usize,
}

/// Replays `orders` (in time order) against `network` with `profile`.
pub fn run(network: &Network, orders: &[SimOrder], name: &str, profile: &RoutingProfile) -> Report {
    let router = ProfileRouter::new(profile.clone());
    let transit = DistanceBands::default();
    let mut book = StockBook::new(network.stock.iter().cloned());
    let mut loads: HashMap<Date, HashMap<LocationCode, i64>> = HashMap::new();
    let mut arrivals = network.inbound.iter().peekable();
    let sources: Vec<&Location> = network.locations.iter().filter(|l| l.active).collect();
    let cause = |at_ms| Cause {
        at_ms,
        reason: Some("backtest"),
        reference: None,
        actor: "backtest",
    };
    let mut sorted: Vec<&SimOrder> = orders.iter().collect();
    sorted.sort_by_key(|o| o.at_ms);

    let mut totals = Totals::default();
    for order in sorted {
        while let Some(arrival) = arrivals.next_if(|a| a.at_ms <= order.at_ms) {
            let receive = Movement::Receive {
                quantity: arrival.units,
                state: StockState::Sellable,
            };
            let _ = book.apply(
                &arrival.location,
                &arrival.sku,
                receive,
                cause(arrival.at_ms),
            );
        }
        let lines: Vec<RouteLine> = order
            .lines
            .iter()
            .enumerate()
            .map(|(i, (sku, quantity))| RouteLine {
                line_no: i as u32 + 1,
                sku: sku.clone(),
                quantity: *quantity,
                unit_weight_g: network.weights.get(sku).copied(),
            })
            .collect();
        let to = Destination {
            point: Some(order.destination),
            country: Some(order.country),
            region: order.region.as_deref(),
            pickup: false,
            deliver_by: order.deliver_by,
        };
        let day = utc_date(order.at_ms);
        let today = loads.entry(day).or_default();
        let routing = Routing {
            router: &router,
            transit: &transit,
            loads: today,
        };
        let Ok((candidates, checked)) =
            route(&lines, &sources, &to, &book, None, &routing, order.at_ms)
        else {
            totals.unfilled_lines += lines.len();
            totals.orders += 1;
            continue;
        };
        let request = RouteRequest {
            lines: &lines,
            destination: to.point,
            country: to.country,
            region: to.region,
            deliver_by: to.deliver_by,
            pickup: false,
        };
        let scored = score(
            &checked.plan,
            &request,
            &candidates,
            &network.costs,
            &network.rates,
        );
        let mut locations: Vec<&LocationCode> = Vec::new();
        for a in &checked.plan {
            if let Some(line) = lines.iter().find(|l| l.line_no == a.line_no) {
                let reserve = Movement::Reserve {
                    quantity: a.quantity,
                };
                let _ = book.apply(&a.location, &line.sku, reserve, cause(order.at_ms));
            }
            if !locations.contains(&&a.location) {
                locations.push(&a.location);
            }
        }
        for location in locations {
            *today.entry(location.clone()).or_default() += 1;
        }
        let unfilled = lines
            .iter()
            .filter(|l| {
                let got: i64 = checked
                    .plan
                    .iter()
                    .filter(|a| a.line_no == l.line_no)
                    .map(|a| a.quantity)
                    .sum();
                got < l.quantity
            })
            .count();
        totals.orders += 1;
        totals.cost += scored.cost.total();
        totals.packages += scored.packages;
        totals.split_orders += usize::from(scored.packages > 1);
        totals.distance_km += scored.distance_km;
        totals.on_time += usize::from(scored.late_packages == 0 && unfilled == 0);
        totals.capacity_breaches += scored.over_capacity;
        totals.unfilled_lines += unfilled;
    }
    totals.report(name)
}

#[derive(Default)]
struct Totals {
    orders: usize,
    cost: i64,
    packages: usize,
    split_orders: usize,
    distance_km: f64,
    on_time: usize,
    capacity_breaches: usize,
    unfilled_lines: usize,
}

impl Totals {
    fn report(&self, name: &str) -> Report {
        let per_order = |x: f64| {
            if self.orders == 0 {
                0.0
            } else {
                x / self.orders as f64
            }
        };
        let round = |x: f64, places: i32| {
            let f = 10_f64.powi(places);
            (x * f).round() / f
        };
        Report {
            profile: name.to_string(),
            orders: self.orders,
            total_cost: self.cost,
            cost_per_order: round(per_order(self.cost as f64), 2),
            packages_per_order: round(per_order(self.packages as f64), 4),
            split_rate: round(per_order(self.split_orders as f64), 4),
            mean_distance_km: round(
                if self.packages == 0 {
                    0.0
                } else {
                    self.distance_km / self.packages as f64
                },
                1,
            ),
            on_time_rate: round(per_order(self.on_time as f64), 4),
            capacity_breaches: self.capacity_breaches,
            unfilled_lines: self.unfilled_lines,
        }
    }
}
