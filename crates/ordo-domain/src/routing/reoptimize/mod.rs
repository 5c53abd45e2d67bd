//! Re-optimisation: the allocations of pending orders are given back and planned again
//! together, at least cost. Orders planned one at a time as they arrive split when an earlier
//! order took the stock a later one needed beside its other items; planning the pending ones
//! again together — the orders with the most lines first, since they gain most from having
//! their items in one place — removes many of those splits (Xu, Allgor & Graves, 2009).
//!
//! The joint plan is kept only if every order keeps all its allocated units and the total
//! cost falls. Otherwise each split order alone is planned again against the others'
//! allocations, and its new plan kept where it costs less.

use std::collections::HashMap;

use super::score::{Scored, score};
use super::{
    Candidate, CostModel, Explanation, PlannedAllocation, RouteLine, Router, ShippingCostEstimator,
};
use crate::allocation::{Destination, Routing, route};
use crate::channel::StockRules;
use crate::inventory::{Cause, Movement, StockBook};
use crate::location::Location;
use crate::values::LocationCode;

/// One pending order: its allocated units as lines, where they go, and its current plan.
pub struct PendingPlan<'a> {
    pub lines: Vec<RouteLine>,
    pub to: Destination<'a>,
    pub sources: Vec<&'a Location>,
    pub rules: Option<&'a StockRules>,
    /// Plans at least cost: the order's profile with the `optimal` strategy.
    pub router: &'a dyn Router,
    pub costs: &'a CostModel,
    pub estimator: &'a dyn ShippingCostEstimator,
    pub plan: Vec<PlannedAllocation>,
    /// The moment its delivery dates are counted from: now, live; in a backtest, when the
    /// order was placed, so that a wave's re-plan is judged on splits and cost, not on the
    /// cut-offs passed while it waited.
    pub now_ms: i64,
}

/// A pending order's new plan.
#[derive(Debug, Clone)]
pub struct Replan {
    /// Index into the pending plans.
    pub index: usize,
    pub plan: Vec<PlannedAllocation>,
    pub explanation: Option<Explanation>,
    pub before: Scored,
    pub after: Scored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Every pending order was planned again together.
    Joint,
    /// The joint plan did not help; split orders were planned again one by one.
    OneByOne,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Joint => "joint",
            Self::OneByOne => "one_by_one",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reoptimization {
    pub phase: Phase,
    /// Every pending order's current plan, scored at this moment.
    pub before: Vec<Scored>,
    /// Every pending order's plan after, scored the same way.
    pub after: Vec<Scored>,
    /// Only the orders whose plan changed.
    pub replans: Vec<Replan>,
    /// Over every pending order: packages and cost before and after.
    pub packages_before: usize,
    pub packages_after: usize,
    pub split_orders_before: usize,
    pub split_orders_after: usize,
    pub cost_before: i64,
    pub cost_after: i64,
}

/// What routing needs that every pending order shares.
pub struct Shared<'a> {
    pub transit: &'a dyn crate::promise::TransitModel,
    pub loads: &'a HashMap<LocationCode, i64>,
    /// When the re-optimisation runs.
    pub now_ms: i64,
}

fn cause(now_ms: i64) -> Cause<'static> {
    Cause {
        at_ms: now_ms,
        reason: Some("re-optimisation"),
        reference: None,
        actor: "system:reoptimize",
    }
}

/// Gives `plan`'s units of `lines` back to the stock.
pub fn give_back(
    book: &mut StockBook,
    lines: &[RouteLine],
    plan: &[PlannedAllocation],
    now_ms: i64,
) {
    for a in plan {
        if let Some(line) = lines.iter().find(|l| l.line_no == a.line_no) {
            let release = Movement::Release {
                quantity: a.quantity,
            };
            let _ = book.apply(&a.location, &line.sku, release, cause(now_ms));
        }
    }
}

/// Reserves `plan`'s units of `lines`; `false` when the stock does not allow all of it.
pub fn take(
    book: &mut StockBook,
    lines: &[RouteLine],
    plan: &[PlannedAllocation],
    now_ms: i64,
) -> bool {
    plan.iter().all(|a| {
        lines
            .iter()
            .find(|l| l.line_no == a.line_no)
            .is_some_and(|line| {
                let reserve = Movement::Reserve {
                    quantity: a.quantity,
                };
                book.apply(&a.location, &line.sku, reserve, cause(now_ms))
                    .is_ok()
            })
    })
}

fn covers(p: &PendingPlan<'_>, plan: &[PlannedAllocation]) -> bool {
    p.lines.iter().all(|l| {
        plan.iter()
            .filter(|a| a.line_no == l.line_no)
            .map(|a| a.quantity)
            .sum::<i64>()
            >= l.quantity
    })
}

/// Today's packages per location, as routing counts them against capacity.
type Loads = HashMap<LocationCode, i64>;

fn locations(plan: &[PlannedAllocation]) -> Vec<&LocationCode> {
    let mut at: Vec<&LocationCode> = plan.iter().map(|a| &a.location).collect();
    at.sort();
    at.dedup();
    at
}

/// Counts `plan`'s packages into `loads` (`sign` 1) or out of them (`sign` -1).
pub fn count(loads: &mut Loads, plan: &[PlannedAllocation], sign: i64) {
    for location in locations(plan) {
        let load = loads.entry(location.clone()).or_default();
        *load = (*load + sign).max(0);
    }
}

/// Plans one order against `book` (its own units already given back) and `loads` (its own
/// packages taken out): the new plan, its explanation, and the candidates both plans are
/// scored against.
fn plan_one(
    p: &PendingPlan<'_>,
    book: &StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Option<(Vec<PlannedAllocation>, Option<Explanation>, Vec<Candidate>)> {
    let routing = Routing {
        router: p.router,
        transit: shared.transit,
        loads,
    };
    let (candidates, checked) = route(
        &p.lines, &p.sources, &p.to, book, p.rules, &routing, p.now_ms,
    )
    .ok()?;
    Some((checked.plan, checked.explanation, candidates))
}

fn scored(p: &PendingPlan<'_>, plan: &[PlannedAllocation], candidates: &[Candidate]) -> Scored {
    let request = p.to.request(&p.lines);
    score(plan, &request, candidates, p.costs, p.estimator)
}

fn same_plan(a: &[PlannedAllocation], b: &[PlannedAllocation]) -> bool {
    let key = |plan: &[PlannedAllocation]| {
        let mut k: Vec<(u32, String, i64)> = plan
            .iter()
            .map(|x| (x.line_no, x.location.to_string(), x.quantity))
            .collect();
        k.sort();
        k
    };
    key(a) == key(b)
}

/// A new plan is better when it ships in no more packages and costs less.
fn better(after: &Scored, before: &Scored) -> bool {
    after.packages <= before.packages && after.cost.total() < before.cost.total()
}

/// Plans `pending` again; `book` holds their current allocations and `shared.loads` their
/// packages.
pub fn reoptimize(
    pending: &[PendingPlan<'_>],
    book: &StockBook,
    shared: &Shared<'_>,
) -> Reoptimization {
    let now = shared.now_ms;
    let mut released = book.clone();
    let mut base = shared.loads.clone();
    for p in pending {
        give_back(&mut released, &p.lines, &p.plan, now);
        count(&mut base, &p.plan, -1);
    }
    // Every order's plan as it stands, scored as if placed in turn: against the stock with
    // all pending units back and the loads of the orders before it.
    let mut loads = base.clone();
    let before: Vec<Scored> = pending
        .iter()
        .map(|p| {
            let candidates = plan_one(p, &released, &loads, shared)
                .map(|(_, _, c)| c)
                .unwrap_or_default();
            count(&mut loads, &p.plan, 1);
            scored(p, &p.plan, &candidates)
        })
        .collect();

    let joint = joint(pending, &released, &base, &before, shared);
    let (phase, replans) = match joint {
        Some(replans) => (Phase::Joint, replans),
        None => (Phase::OneByOne, one_by_one(pending, book, &before, shared)),
    };
    let after: Vec<Scored> = (0..pending.len())
        .map(|i| {
            replans
                .iter()
                .find(|r| r.index == i)
                .map_or(&before[i], |r| &r.after)
                .clone()
        })
        .collect();
    let mut result = Reoptimization {
        phase,
        before: Vec::new(),
        after: Vec::new(),
        replans: Vec::new(),
        packages_before: 0,
        packages_after: 0,
        split_orders_before: 0,
        split_orders_after: 0,
        cost_before: 0,
        cost_after: 0,
    };
    for (i, b) in before.iter().enumerate() {
        let after = replans
            .iter()
            .find(|r| r.index == i)
            .map_or(b, |r| &r.after);
        result.packages_before += b.packages;
        result.packages_after += after.packages;
        result.split_orders_before += usize::from(b.packages > 1);
        result.split_orders_after += usize::from(after.packages > 1);
        result.cost_before += b.cost.total();
        result.cost_after += after.cost.total();
    }
    result.replans = replans
        .into_iter()
        .filter(|r| !same_plan(&r.plan, &pending[r.index].plan))
        .collect();
    result.before = before;
    result.after = after;
    result
}

/// Every pending order planned again together, most lines first (its plan the same or not);
/// `None` when an order would lose units, or the whole would ship more split orders or cost
/// no less.
fn joint(
    pending: &[PendingPlan<'_>],
    released: &StockBook,
    base: &Loads,
    before: &[Scored],
    shared: &Shared<'_>,
) -> Option<Vec<Replan>> {
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(pending[*i].lines.len()), *i));
    let mut book = released.clone();
    let mut loads = base.clone();
    let mut replans = Vec::new();
    for i in order {
        let p = &pending[i];
        let (plan, explanation, candidates) = plan_one(p, &book, &loads, shared)?;
        if !covers(p, &plan) || !take(&mut book, &p.lines, &plan, shared.now_ms) {
            return None;
        }
        count(&mut loads, &plan, 1);
        let after = scored(p, &plan, &candidates);
        replans.push(Replan {
            index: i,
            plan,
            explanation,
            before: before[i].clone(),
            after,
        });
    }
    let total = |f: &dyn Fn(&Replan) -> i64| replans.iter().map(f).sum::<i64>();
    let splits =
        |f: &dyn Fn(&Replan) -> &Scored| replans.iter().filter(|r| f(r).packages > 1).count();
    if splits(&|r| &r.after) > splits(&|r| &r.before)
        || total(&|r| r.after.cost.total()) >= total(&|r| r.before.cost.total())
    {
        return None;
    }
    Some(replans)
}

/// Each split order alone, most packages first, planned again against the others'
/// allocations; its new plan kept when it is better.
fn one_by_one(
    pending: &[PendingPlan<'_>],
    book: &StockBook,
    before: &[Scored],
    shared: &Shared<'_>,
) -> Vec<Replan> {
    let mut order: Vec<usize> = (0..pending.len())
        .filter(|i| before[*i].packages > 1)
        .collect();
    order.sort_by_key(|i| (std::cmp::Reverse(before[*i].packages), *i));
    let mut book = book.clone();
    let mut loads = shared.loads.clone();
    let mut replans = Vec::new();
    for i in order {
        let p = &pending[i];
        give_back(&mut book, &p.lines, &p.plan, shared.now_ms);
        count(&mut loads, &p.plan, -1);
        let found =
            plan_one(p, &book, &loads, shared).and_then(|(plan, explanation, candidates)| {
                let after = scored(p, &plan, &candidates);
                let was = scored(p, &p.plan, &candidates);
                (covers(p, &plan) && better(&after, &was) && !same_plan(&plan, &p.plan)).then_some(
                    Replan {
                        index: i,
                        plan,
                        explanation,
                        before: was,
                        after,
                    },
                )
            });
        match found {
            Some(replan) if take(&mut book, &p.lines, &replan.plan, shared.now_ms) => {
                count(&mut loads, &replan.plan, 1);
                replans.push(replan);
            }
            _ => {
                take(&mut book, &p.lines, &p.plan, shared.now_ms);
                count(&mut loads, &p.plan, 1);
            }
        }
    }
    replans
}

#[cfg(test)]
mod tests;
