//! The backtest: replay a stream of orders against a network — its stock, capacity and
//! arrivals — once per routing profile, and measure what each profile's plans cost and how
//! they ship. Every plan is scored with the network's own cost model ([`input::Network`]),
//! so that profiles are compared by what their plans really cost.

pub mod input;

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

pub use input::{Arrival, Network, SimOrder};

use super::profile::{RoutingProfile, Strategy};
use super::reoptimize::{self, PendingPlan, Shared};
use super::score::{Scored, score};
use super::{PlannedAllocation, ProfileRouter, RouteLine};
use crate::allocation::{Destination, Routing, route};
use crate::geo::{CountryCode, GeoPoint};
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
    /// With re-optimisation per wave: what the orders would have shipped with as placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reoptimization: Option<Reoptimized>,
}

/// What re-optimisation changed: the report's figures are after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reoptimized {
    /// How the waves were planned again: at least cost within the profile's filters and
    /// costs, whatever strategy placed the orders.
    pub strategy: &'static str,
    pub orders_changed: usize,
    pub split_rate_as_placed: f64,
    pub total_cost_as_placed: i64,
}

/// Replays `orders` (in time order) against `network` with `profile`. With
/// `reoptimize_every_ms`, orders stay pending for that long — a release wave — and each
/// wave's orders are then planned again together ([`reoptimize`](super::reoptimize)), at the
/// wave's last order's time; the report counts the plans they ship with.
pub fn run(
    network: &Network,
    orders: &[SimOrder],
    name: &str,
    profile: &RoutingProfile,
    reoptimize_every_ms: Option<i64>,
) -> Report {
    let reoptimize = reoptimize_every_ms.is_some();
    let wave_ms = reoptimize_every_ms.unwrap_or(i64::MAX).max(1);
    let router = ProfileRouter::new(profile.clone());
    // Waves are planned again at least cost within the profile, whatever its strategy.
    let optimal = router.with_strategy(Strategy::Optimal);
    let transit = DistanceBands::default();
    let mut book = StockBook::new(network.stock.iter().cloned());
    let mut loads: HashMap<Date, HashMap<LocationCode, i64>> = HashMap::new();
    let mut arrivals = network.inbound.iter().peekable();
    let sources: Vec<&Location> = network.locations.iter().filter(|l| l.active).collect();
    let mut sorted: Vec<&SimOrder> = orders.iter().collect();
    sorted.sort_by_key(|o| o.at_ms);

    let mut totals = Totals::default();
    let mut day: Vec<Placed> = Vec::new();
    for order in sorted {
        let today = utc_date(order.at_ms);
        if day
            .first()
            .is_some_and(|p| p.day != today || order.at_ms - p.at_ms >= wave_ms)
        {
            close_day(
                &mut day,
                &mut book,
                &sources,
                &optimal,
                network,
                &transit,
                &mut loads,
                reoptimize,
                &mut totals,
            );
        }
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
            postal_code: None,
            pickup: false,
            deliver_by: order.deliver_by,
        };
        let today_loads = loads.entry(today).or_default();
        let routing = Routing {
            router: &router,
            transit: &transit,
            loads: today_loads,
        };
        let Ok((candidates, checked)) =
            route(&lines, &sources, &to, &book, None, &routing, order.at_ms)
        else {
            totals.unfilled_lines += lines.len();
            totals.orders += 1;
            continue;
        };
        let request = to.request(&lines);
        let scored = score(
            &checked.plan,
            &request,
            &candidates,
            &network.costs,
            &network.rates,
        );
        reoptimize::take(&mut book, &lines, &checked.plan, order.at_ms);
        reoptimize::count(today_loads, &checked.plan, 1);
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
        day.push(Placed {
            day: today,
            at_ms: order.at_ms,
            lines,
            destination: order.destination,
            country: order.country,
            region: order.region.clone(),
            deliver_by: order.deliver_by,
            plan: checked.plan,
            scored,
            unfilled,
        });
    }
    close_day(
        &mut day,
        &mut book,
        &sources,
        &optimal,
        network,
        &transit,
        &mut loads,
        reoptimize,
        &mut totals,
    );
    totals.report(name, reoptimize)
}

fn cause(at_ms: i64) -> Cause<'static> {
    Cause {
        at_ms,
        reason: Some("backtest"),
        reference: None,
        actor: "backtest",
    }
}

/// An order placed today, still pending until the day ends.
struct Placed {
    day: Date,
    at_ms: i64,
    lines: Vec<RouteLine>,
    destination: GeoPoint,
    country: CountryCode,
    region: Option<String>,
    deliver_by: Option<Date>,
    plan: Vec<PlannedAllocation>,
    scored: Scored,
    unfilled: usize,
}

/// Ends a wave: its pending orders are planned again together if asked, then counted.
#[allow(clippy::too_many_arguments)]
fn close_day(
    day: &mut Vec<Placed>,
    book: &mut StockBook,
    sources: &[&Location],
    optimal: &ProfileRouter,
    network: &Network,
    transit: &DistanceBands,
    loads: &mut HashMap<Date, HashMap<LocationCode, i64>>,
    reoptimize: bool,
    totals: &mut Totals,
) {
    let Some(last) = day.last() else {
        return;
    };
    if reoptimize {
        let today_loads = loads.entry(last.day).or_default();
        let end_ms = last.at_ms;
        // Only what was routed whole is planned again; what is short stays as it is.
        let candidates: Vec<usize> = (0..day.len())
            .filter(|i| day[*i].unfilled == 0 && !day[*i].plan.is_empty())
            .collect();
        let pending: Vec<PendingPlan<'_>> = candidates
            .iter()
            .map(|i| {
                let p = &day[*i];
                PendingPlan {
                    lines: p.lines.clone(),
                    to: Destination {
                        point: Some(p.destination),
                        country: Some(p.country),
                        region: p.region.as_deref(),
                        postal_code: None,
                        pickup: false,
                        deliver_by: p.deliver_by,
                    },
                    sources: sources.to_vec(),
                    rules: None,
                    router: optimal,
                    costs: &network.costs,
                    estimator: &network.rates,
                    plan: p.plan.clone(),
                    now_ms: p.at_ms,
                }
            })
            .collect();
        let shared = Shared {
            transit,
            loads: today_loads,
            now_ms: end_ms,
        };
        let result = reoptimize::reoptimize(&pending, book, &shared);
        drop(pending);
        // Both sides are scored as of each order's placement, the same way.
        for (k, before) in result.before.into_iter().enumerate() {
            day[candidates[k]].scored = before;
        }
        for p in day.iter() {
            totals.split_orders_as_placed += usize::from(p.scored.packages > 1);
            totals.cost_as_placed += p.scored.cost.total();
        }
        for (k, after) in result.after.into_iter().enumerate() {
            day[candidates[k]].scored = after;
        }
        let changes: Vec<(usize, Vec<PlannedAllocation>)> = result
            .replans
            .into_iter()
            .map(|r| (candidates[r.index], r.plan))
            .collect();
        // Every changed order gives its units back before any takes its new plan: one may
        // take what another gives up.
        for (i, _) in &changes {
            let p = &day[*i];
            reoptimize::give_back(book, &p.lines, &p.plan, end_ms);
            reoptimize::count(today_loads, &p.plan, -1);
        }
        for (i, plan) in changes {
            let p = &mut day[i];
            reoptimize::take(book, &p.lines, &plan, end_ms);
            reoptimize::count(today_loads, &plan, 1);
            p.plan = plan;
            totals.reoptimized_orders += 1;
        }
    }
    for p in day.drain(..) {
        totals.orders += 1;
        totals.cost += p.scored.cost.total();
        totals.packages += p.scored.packages;
        totals.split_orders += usize::from(p.scored.packages > 1);
        totals.distance_km += p.scored.distance_km;
        totals.on_time += usize::from(p.scored.late_packages == 0 && p.unfilled == 0);
        totals.capacity_breaches += p.scored.over_capacity;
        totals.unfilled_lines += p.unfilled;
    }
}

#[derive(Default)]
struct Totals {
    orders: usize,
    /// Before re-optimisation: split orders and cost as placed; orders whose plan changed.
    split_orders_as_placed: usize,
    cost_as_placed: i64,
    reoptimized_orders: usize,
    cost: i64,
    packages: usize,
    split_orders: usize,
    distance_km: f64,
    on_time: usize,
    capacity_breaches: usize,
    unfilled_lines: usize,
}

impl Totals {
    fn report(&self, name: &str, reoptimized: bool) -> Report {
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
            reoptimization: reoptimized.then(|| Reoptimized {
                strategy: reoptimize::STRATEGY,
                orders_changed: self.reoptimized_orders,
                split_rate_as_placed: round(per_order(self.split_orders_as_placed as f64), 4),
                total_cost_as_placed: self.cost_as_placed,
            }),
        }
    }
}
