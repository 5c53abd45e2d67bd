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
use super::{CostBreakdown, PlannedAllocation, ProfileRouter, RouteLine};
use crate::allocation::{Destination, Routing, route};
use crate::geo::{CountryCode, GeoPoint};
use crate::inventory::{Cause, InventoryError, Movement, StockBook, StockState};
use crate::location::Location;
use crate::values::{LocationCode, Sku};

/// What one profile's plans came to over the stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Report {
    pub profile: String,
    pub orders: usize,
    /// Minor units of the cost currency, every plan scored with the network's cost model.
    pub total_cost: i64,
    /// The total by what it paid for.
    pub cost: CostBreakdown,
    pub cost_per_order: f64,
    pub packages_per_order: f64,
    /// Share of orders shipped in more than one package.
    pub split_rate: f64,
    /// Mean kilometres from a package's location to its destination.
    pub mean_distance_km: f64,
    /// Share of orders whose every unit was routed and every package arrives by the promise
    /// (without one: by the earliest date any location could deliver).
    pub on_time_rate: f64,
    /// Packages given to a location already at its daily capacity (they ship on a later day).
    pub capacity_breaches: usize,
    /// Order lines not wholly routed.
    pub unfilled_lines: usize,
    pub units_ordered: i64,
    /// Units routed to a location.
    pub units_served: i64,
    /// With re-optimisation per wave: what the orders would have shipped with as placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reoptimization: Option<Reoptimized>,
}

/// What re-optimisation changed: the report's figures are after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Reoptimized {
    /// How the waves were planned again: at least cost within the profile's filters and
    /// costs, whatever strategy placed the orders.
    pub strategy: &'static str,
    pub orders_changed: usize,
    pub split_rate_as_placed: f64,
    pub total_cost_as_placed: i64,
}

/// One order's plan as it shipped, for whoever wants every decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DecisionNote {
    pub profile: String,
    pub order: String,
    /// Its allocations: (line, location, units).
    pub allocations: Vec<(u32, String, i64)>,
    pub packages: usize,
    pub cost: CostBreakdown,
    pub late_packages: usize,
    pub unfilled_lines: usize,
    /// Its wave planned it again.
    pub reoptimized: bool,
}

/// Orders each location has taken on each of its own days.
#[derive(Default)]
struct DayLoads(HashMap<(LocationCode, Date), i64>);

impl DayLoads {
    /// Each location's load on its day at `at_ms`.
    fn at(&self, sources: &[&Location], at_ms: i64) -> HashMap<LocationCode, i64> {
        sources
            .iter()
            .filter_map(|l| {
                let load = self.0.get(&(l.code.clone(), l.day_at(at_ms)))?;
                Some((l.code.clone(), *load))
            })
            .collect()
    }

    /// Counts `plan`'s packages in (`sign` 1) or out (-1) of their locations' day at `at_ms`.
    fn count(&mut self, sources: &[&Location], plan: &[PlannedAllocation], at_ms: i64, sign: i64) {
        let mut at: Vec<&LocationCode> = plan.iter().map(|a| &a.location).collect();
        at.sort();
        at.dedup();
        for code in at {
            if let Some(l) = sources.iter().find(|l| &l.code == code) {
                let load = self.0.entry((code.clone(), l.day_at(at_ms))).or_default();
                *load = (*load + sign).max(0);
            }
        }
    }
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// An arrival of the network the stock cannot take (more units than a position holds).
    #[error("the arrival of {sku} at {location} cannot be received: {error}")]
    Arrival {
        location: LocationCode,
        sku: Sku,
        error: InventoryError,
    },
    /// A plan the book does not hold: a defect of the replay, not of its input.
    #[error("a plan does not match the stock: {0}")]
    Plan(#[from] InventoryError),
}

/// What a replay needs besides the orders.
struct Replay<'a> {
    network: &'a Network,
    sources: Vec<&'a Location>,
    router: ProfileRouter,
    /// Plans waves again, when asked.
    optimal: Option<ProfileRouter>,
    name: &'a str,
}

/// Replays `orders` (in time order) against `network` with `profile`. With
/// `reoptimize_every_ms`, orders stay pending for that long — a release wave, cut too at the
/// network's midnight — and each wave's orders are then planned again together
/// ([`reoptimize`](super::reoptimize)), at the wave's last order's time; the report counts
/// the plans they ship with. `decisions`, when given, receives every order's plan.
pub fn run(
    network: &Network,
    orders: &[SimOrder],
    name: &str,
    profile: &RoutingProfile,
    reoptimize_every_ms: Option<i64>,
    mut decisions: Option<&mut Vec<DecisionNote>>,
) -> Result<Report, ReplayError> {
    let wave_ms = reoptimize_every_ms.unwrap_or(i64::MAX).max(1);
    let router = ProfileRouter::new(profile.clone());
    let replay = Replay {
        network,
        sources: network.locations.iter().filter(|l| l.active).collect(),
        // Waves are planned again at least cost within the profile, whatever its strategy.
        optimal: reoptimize_every_ms.map(|_| router.with_strategy(Strategy::Optimal)),
        router,
        name,
    };
    let mut book = StockBook::new(network.stock.iter().cloned());
    let mut loads = DayLoads::default();
    let mut arrivals = network.inbound.iter().peekable();
    let mut sorted: Vec<&SimOrder> = orders.iter().collect();
    sorted.sort_by_key(|o| o.at_ms);
    let mut totals = Totals::default();
    let mut wave: Vec<Placed> = Vec::new();
    for order in sorted {
        let today = network.time_zone.date_at(order.at_ms);
        if wave
            .first()
            .is_some_and(|p| p.day != today || order.at_ms - p.at_ms >= wave_ms)
        {
            let closed = close_wave(&replay, &mut wave, &mut book, &mut loads, &mut totals)?;
            if let Some(d) = decisions.as_deref_mut() {
                d.extend(closed);
            }
        }
        while let Some(arrival) = arrivals.next_if(|a| a.at_ms <= order.at_ms) {
            let receive = Movement::Receive {
                quantity: arrival.units,
                state: StockState::Sellable,
            };
            let at = cause(arrival.at_ms);
            book.apply(&arrival.location, &arrival.sku, receive, at)
                .map_err(|error| ReplayError::Arrival {
                    location: arrival.location.clone(),
                    sku: arrival.sku.clone(),
                    error,
                })?;
        }
        wave.push(place(&replay, order, today, &mut book, &mut loads)?);
    }
    let closed = close_wave(&replay, &mut wave, &mut book, &mut loads, &mut totals)?;
    if let Some(d) = decisions {
        d.extend(closed);
    }
    Ok(totals.report(name, replay.optimal.is_some()))
}

/// Routes one order as it arrives, takes its units and counts its packages.
fn place(
    replay: &Replay<'_>,
    order: &SimOrder,
    day: Date,
    book: &mut StockBook,
    loads: &mut DayLoads,
) -> Result<Placed, ReplayError> {
    let network = replay.network;
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
    let mut placed = Placed {
        id: order.id.clone(),
        day,
        at_ms: order.at_ms,
        lines,
        destination: order.destination,
        country: order.country,
        region: order.region.clone(),
        deliver_by: order.deliver_by,
        plan: Vec::new(),
        scored: Scored::default(),
        unfilled: order.lines.len(),
        reoptimized: false,
    };
    let to = placed.to();
    let today_loads = loads.at(&replay.sources, order.at_ms);
    let routing = Routing {
        router: &replay.router,
        transit: &network.transit,
        loads: &today_loads,
    };
    let Ok((candidates, checked)) = route(
        &placed.lines,
        &replay.sources,
        &to,
        book,
        None,
        &routing,
        order.at_ms,
    ) else {
        return Ok(placed);
    };
    let request = to.request(&placed.lines);
    placed.scored = score(
        &checked.plan,
        &request,
        &candidates,
        &network.costs,
        &network.rates,
    );
    // Routing checked the plan against this book: the units are there.
    reoptimize::take(book, &placed.lines, &checked.plan, order.at_ms)?;
    loads.count(&replay.sources, &checked.plan, order.at_ms, 1);
    placed.unfilled = placed
        .lines
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
    placed.plan = checked.plan;
    Ok(placed)
}

fn cause(at_ms: i64) -> Cause<'static> {
    Cause {
        at_ms,
        reason: Some("backtest"),
        reference: None,
        actor: "backtest",
    }
}

/// An order placed in the current wave, pending until the wave closes.
struct Placed {
    id: String,
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
    reoptimized: bool,
}

impl Placed {
    fn to(&self) -> Destination<'_> {
        Destination {
            point: Some(self.destination),
            country: Some(self.country),
            region: self.region.as_deref(),
            postal_code: None,
            pickup: false,
            deliver_by: self.deliver_by,
        }
    }

    fn note(&self, profile: &str) -> DecisionNote {
        DecisionNote {
            profile: profile.to_string(),
            order: self.id.clone(),
            allocations: self
                .plan
                .iter()
                .map(|a| (a.line_no, a.location.to_string(), a.quantity))
                .collect(),
            packages: self.scored.packages,
            cost: self.scored.cost,
            late_packages: self.scored.late_packages,
            unfilled_lines: self.unfilled,
            reoptimized: self.reoptimized,
        }
    }
}

/// Ends a wave: its pending orders are planned again together if asked, then counted.
/// Answers each order's decision.
fn close_wave(
    replay: &Replay<'_>,
    wave: &mut Vec<Placed>,
    book: &mut StockBook,
    loads: &mut DayLoads,
    totals: &mut Totals,
) -> Result<Vec<DecisionNote>, ReplayError> {
    if let (Some(optimal), Some(last)) = (&replay.optimal, wave.last()) {
        let end_ms = last.at_ms;
        replan_wave(replay, optimal, wave, book, loads, end_ms, totals)?;
    }
    let notes = wave.iter().map(|p| p.note(replay.name)).collect();
    for p in wave.drain(..) {
        totals.orders += 1;
        totals.cost.add(&p.scored.cost);
        totals.packages += p.scored.packages;
        totals.split_orders += usize::from(p.scored.packages > 1);
        totals.distance_km += p.scored.distance_km;
        totals.on_time += usize::from(p.scored.late_packages == 0 && p.unfilled == 0);
        totals.capacity_breaches += p.scored.over_capacity;
        totals.unfilled_lines += p.unfilled;
        totals.units_ordered += p.lines.iter().map(|l| l.quantity).sum::<i64>();
        totals.units_served += p.plan.iter().map(|a| a.quantity).sum::<i64>();
    }
    Ok(notes)
}

/// Plans a wave's wholly routed orders again together and moves the ones that changed.
fn replan_wave(
    replay: &Replay<'_>,
    optimal: &ProfileRouter,
    wave: &mut [Placed],
    book: &mut StockBook,
    loads: &mut DayLoads,
    end_ms: i64,
    totals: &mut Totals,
) -> Result<(), ReplayError> {
    let network = replay.network;
    // Only what was routed whole is planned again; what is short stays as it is.
    let chosen: Vec<usize> = (0..wave.len())
        .filter(|i| wave[*i].unfilled == 0 && !wave[*i].plan.is_empty())
        .collect();
    let today_loads = loads.at(&replay.sources, end_ms);
    let pending: Vec<PendingPlan<'_>> = chosen
        .iter()
        .map(|i| {
            let p = &wave[*i];
            PendingPlan {
                lines: p.lines.clone(),
                to: p.to(),
                sources: replay.sources.clone(),
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
        transit: &network.transit,
        loads: &today_loads,
        now_ms: end_ms,
    };
    let result = reoptimize::reoptimize(&pending, book, &shared)?;
    drop(pending);
    // Both sides are costed the same way, with the wave's plans in place together.
    for (k, before) in result.before.into_iter().enumerate() {
        wave[chosen[k]].scored = before;
    }
    for p in wave.iter() {
        totals.split_orders_as_placed += usize::from(p.scored.packages > 1);
        totals.cost_as_placed += p.scored.cost.total();
    }
    for (k, after) in result.after.into_iter().enumerate() {
        wave[chosen[k]].scored = after;
    }
    let changes: Vec<(usize, Vec<PlannedAllocation>)> = result
        .replans
        .into_iter()
        .map(|r| (chosen[r.index], r.plan))
        .collect();
    // Every changed order gives its units back before any takes its new plan: one may take
    // what another gives up.
    for (i, _) in &changes {
        let p = &wave[*i];
        reoptimize::give_back(book, &p.lines, &p.plan, end_ms)?;
        loads.count(&replay.sources, &p.plan, p.at_ms, -1);
    }
    for (i, plan) in changes {
        let p = &mut wave[i];
        reoptimize::take(book, &p.lines, &plan, end_ms)?;
        loads.count(&replay.sources, &plan, p.at_ms, 1);
        p.plan = plan;
        p.reoptimized = true;
        totals.reoptimized_orders += 1;
    }
    Ok(())
}

#[derive(Default)]
struct Totals {
    orders: usize,
    /// Before re-optimisation: split orders and cost as placed; orders whose plan changed.
    split_orders_as_placed: usize,
    cost_as_placed: i64,
    reoptimized_orders: usize,
    cost: CostBreakdown,
    units_ordered: i64,
    units_served: i64,
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
            total_cost: self.cost.total(),
            cost: self.cost,
            cost_per_order: round(per_order(self.cost.total() as f64), 2),
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
            units_ordered: self.units_ordered,
            units_served: self.units_served,
            reoptimization: reoptimized.then(|| Reoptimized {
                strategy: reoptimize::STRATEGY,
                orders_changed: self.reoptimized_orders,
                split_rate_as_placed: round(per_order(self.split_orders_as_placed as f64), 4),
                total_cost_as_placed: self.cost_as_placed,
            }),
        }
    }
}
