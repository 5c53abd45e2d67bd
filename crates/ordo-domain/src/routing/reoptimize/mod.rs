//! Re-optimisation: the allocations of pending orders are given back and planned again
//! together. Orders planned one at a time as they arrive split when an earlier order took the
//! stock a later one needed beside its other items; planning the pending ones again together
//! — the orders with the most lines first, since they gain most from having their items in
//! one place — removes many of those splits (Xu, Allgor & Graves, 2009). Whatever strategy
//! placed them, they are planned again at least cost ([`STRATEGY`]) within their own
//! profile's filters, costs and prices: a rule chain would only choose again what it chose.
//!
//! Plans are always costed the same way ([`cost_of_plans`]): each order's plan against the
//! stock and the day's loads with every other order's plan in place. The wave's cost before
//! is its plans as they stand; a new set of plans is kept only if every order keeps all its
//! units, no more orders split, and that same cost falls. Otherwise each split order alone is
//! planned again against the others', and the result kept only if the wave's cost falls.
//!
//! The work is done in the caller's book and rolled back: nothing is copied but the wave's
//! own plans, so a wave costs in proportion to its orders and their items.

use std::collections::HashMap;

use super::score::{Scored, score};
use super::{
    Candidate, CostModel, Explanation, PlannedAllocation, RouteLine, Router, ShippingCostEstimator,
};
use crate::allocation::{Destination, Routing, Scene, candidates, route};
use crate::channel::StockRules;
use crate::inventory::{Cause, InventoryError, Movement, StockBook};
use crate::location::Location;
use crate::values::LocationCode;

/// How re-optimisation plans, whatever strategy placed the orders; reports name it.
pub const STRATEGY: &str = "optimal";

/// One pending order: its allocated units as lines, where they go, and its current plan.
pub struct PendingPlan<'a> {
    pub lines: Vec<RouteLine>,
    pub to: Destination<'a>,
    pub sources: Vec<&'a Location>,
    pub rules: Option<&'a StockRules>,
    /// Plans it again: its profile's filters, costs and prices with the `optimal` strategy.
    pub router: &'a dyn Router,
    /// What its plans are costed with.
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
    /// Every pending order's plan as it stands, costed with the others'.
    pub before: Vec<Scored>,
    /// Every pending order's plan after, costed the same way.
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
    /// Packages each location has today, the pending orders' own included.
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

/// Gives `plan`'s units of `lines` back to the stock. An error when the book does not hold
/// them reserved: the plan is not what the stock shows, and nothing planned from it holds.
pub fn give_back(
    book: &mut StockBook,
    lines: &[RouteLine],
    plan: &[PlannedAllocation],
    now_ms: i64,
) -> Result<(), InventoryError> {
    for a in plan {
        if let Some(line) = lines.iter().find(|l| l.line_no == a.line_no) {
            let release = Movement::Release {
                quantity: a.quantity,
            };
            book.apply(&a.location, &line.sku, release, cause(now_ms))?;
        }
    }
    Ok(())
}

/// Reserves `plan`'s units of `lines`: all of them, or none — the stock's refusal, with the
/// book as it was.
pub fn take(
    book: &mut StockBook,
    lines: &[RouteLine],
    plan: &[PlannedAllocation],
    now_ms: i64,
) -> Result<(), InventoryError> {
    let mark = book.checkpoint();
    let taken = plan.iter().try_for_each(|a| {
        let Some(line) = lines.iter().find(|l| l.line_no == a.line_no) else {
            return Ok(());
        };
        let reserve = Movement::Reserve {
            quantity: a.quantity,
        };
        book.apply(&a.location, &line.sku, reserve, cause(now_ms))
            .map(|_| ())
    });
    if taken.is_err() {
        book.rollback(mark);
    }
    taken
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
pub type Loads = HashMap<LocationCode, i64>;

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

/// The candidates an order is routed and costed against.
fn candidates_of(
    p: &PendingPlan<'_>,
    book: &StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Vec<Candidate> {
    let scene = Scene {
        destination: p.to.point,
        pickup: p.to.pickup,
        now_ms: p.now_ms,
        transit: shared.transit,
        loads,
    };
    candidates(&p.sources, &p.lines, book, p.rules, &scene)
}

/// Plans one order against `book` (its own units already given back) and `loads` (its own
/// packages taken out): the new plan and its explanation.
fn plan_one(
    p: &PendingPlan<'_>,
    book: &StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Option<(Vec<PlannedAllocation>, Option<Explanation>)> {
    let routing = Routing {
        router: p.router,
        transit: shared.transit,
        loads,
    };
    let (_, checked) = route(
        &p.lines, &p.sources, &p.to, book, p.rules, &routing, p.now_ms,
    )
    .ok()?;
    Some((checked.plan, checked.explanation))
}

fn scored(p: &PendingPlan<'_>, plan: &[PlannedAllocation], candidates: &[Candidate]) -> Scored {
    let request = p.to.request(&p.lines);
    score(plan, &request, candidates, p.costs, p.estimator)
}

/// What each order's plan costs with the others' in place: `book` holds every plan of
/// `plans` and `loads` counts their packages; each order's own units and packages are taken
/// out while it is costed, and put back. The one way plans are costed, so that the same
/// plans always cost the same.
pub fn cost_of_plans(
    pending: &[PendingPlan<'_>],
    plans: &[&[PlannedAllocation]],
    book: &mut StockBook,
    loads: &mut Loads,
    shared: &Shared<'_>,
) -> Result<Vec<Scored>, InventoryError> {
    pending
        .iter()
        .zip(plans)
        .map(|(p, plan)| {
            let mark = book.checkpoint();
            let saved: Vec<(LocationCode, Option<i64>)> = locations(plan)
                .into_iter()
                .map(|l| (l.clone(), loads.get(l).copied()))
                .collect();
            give_back(book, &p.lines, plan, shared.now_ms)?;
            count(loads, plan, -1);
            let scored = scored(p, plan, &candidates_of(p, book, loads, shared));
            for (location, load) in saved {
                match load {
                    Some(load) => loads.insert(location, load),
                    None => loads.remove(&location),
                };
            }
            book.rollback(mark);
            Ok(scored)
        })
        .collect()
}

/// Moves the wave from `from` to `to` in `book` and `loads`: every order gives back first,
/// then each takes its new plan. `false` when the stock does not allow it (the book and
/// loads are then to be rolled back by the caller).
fn switch(
    pending: &[PendingPlan<'_>],
    from: &[&[PlannedAllocation]],
    to: &[&[PlannedAllocation]],
    book: &mut StockBook,
    loads: &mut Loads,
    now_ms: i64,
) -> Result<bool, InventoryError> {
    for (p, plan) in pending.iter().zip(from) {
        give_back(book, &p.lines, plan, now_ms)?;
        count(loads, plan, -1);
    }
    for (p, plan) in pending.iter().zip(to) {
        if take(book, &p.lines, plan, now_ms).is_err() {
            return Ok(false);
        }
        count(loads, plan, 1);
    }
    Ok(true)
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

fn total(scored: &[Scored]) -> i64 {
    scored.iter().map(|s| s.cost.total()).sum()
}

fn splits(scored: &[Scored]) -> usize {
    scored.iter().filter(|s| s.packages > 1).count()
}

/// New plans for some orders, with their explanations.
type Found = Vec<(usize, Vec<PlannedAllocation>, Option<Explanation>)>;

/// One order's new plan, with its explanation.
type NewPlan = (Vec<PlannedAllocation>, Option<Explanation>);

/// Plans `pending` again. `book` holds their current allocations and `shared.loads` their
/// packages; the book is as it was when this returns. An error when the book does not hold
/// the pending plans' units reserved.
pub fn reoptimize(
    pending: &[PendingPlan<'_>],
    book: &mut StockBook,
    shared: &Shared<'_>,
) -> Result<Reoptimization, InventoryError> {
    let start = book.checkpoint();
    let outcome = phases(pending, book, shared);
    book.rollback(start);
    let (phase, found, before, after) = outcome?;
    Ok(summary(pending, phase, found, before, after))
}

/// The joint plan if it is kept, else the split orders one by one: the phase, the new plans,
/// and the wave's costs before and after.
fn phases(
    pending: &[PendingPlan<'_>],
    book: &mut StockBook,
    shared: &Shared<'_>,
) -> Result<(Phase, Found, Vec<Scored>, Vec<Scored>), InventoryError> {
    let mut loads = shared.loads.clone();
    let current: Vec<&[PlannedAllocation]> = pending.iter().map(|p| p.plan.as_slice()).collect();
    let before = cost_of_plans(pending, &current, book, &mut loads, shared)?;
    let wave = Wave {
        pending,
        current: &current,
        loads: &loads,
        shared,
        before: &before,
    };
    if let Some(found) = joint(pending, book, &loads, shared)?
        && let Some((found, after)) = wave.judge(found, book, true)?
    {
        return Ok((Phase::Joint, found, before, after));
    }
    let found = one_by_one(pending, &before, book, &loads, shared)?;
    Ok(match wave.judge(found, book, false)? {
        Some((found, after)) => (Phase::OneByOne, found, before, after),
        None => (Phase::OneByOne, Vec::new(), before.clone(), before),
    })
}

/// The wave being planned again, as it stands.
struct Wave<'w, 'a> {
    pending: &'w [PendingPlan<'a>],
    current: &'w [&'w [PlannedAllocation]],
    loads: &'w Loads,
    shared: &'w Shared<'w>,
    before: &'w [Scored],
}

impl Wave<'_, '_> {
    /// Costs the wave with `found` in place; keeps it only when every order keeps its units,
    /// no more orders split (for a joint plan) and the wave's cost falls.
    fn judge(
        &self,
        found: Found,
        book: &mut StockBook,
        joint: bool,
    ) -> Result<Option<(Found, Vec<Scored>)>, InventoryError> {
        let pending = self.pending;
        if found.is_empty() || found.iter().any(|(i, plan, _)| !covers(&pending[*i], plan)) {
            return Ok(None);
        }
        let mut next: Vec<&[PlannedAllocation]> = self.current.to_vec();
        for (i, plan, _) in &found {
            next[*i] = plan;
        }
        let mark = book.checkpoint();
        let mut loads = self.loads.clone();
        let now_ms = self.shared.now_ms;
        let after = match switch(pending, self.current, &next, book, &mut loads, now_ms) {
            Ok(true) => cost_of_plans(pending, &next, book, &mut loads, self.shared),
            Ok(false) => Ok(Vec::new()),
            Err(e) => Err(e),
        };
        book.rollback(mark);
        let after = after?;
        let before = self.before;
        let kept = !after.is_empty()
            && total(&after) < total(before)
            && (!joint || splits(&after) <= splits(before));
        Ok(kept.then_some((found, after)))
    }
}

/// Every pending order planned again together, most lines first; `None` when one cannot be
/// planned whole.
fn joint(
    pending: &[PendingPlan<'_>],
    book: &mut StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Result<Option<Found>, InventoryError> {
    let mark = book.checkpoint();
    let found = joint_plans(pending, book, loads, shared);
    book.rollback(mark);
    found
}

fn joint_plans(
    pending: &[PendingPlan<'_>],
    book: &mut StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Result<Option<Found>, InventoryError> {
    let mut loads = loads.clone();
    for p in pending {
        give_back(book, &p.lines, &p.plan, shared.now_ms)?;
        count(&mut loads, &p.plan, -1);
    }
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse(pending[*i].lines.len()), *i));
    let mut found = Vec::with_capacity(pending.len());
    for i in order {
        let p = &pending[i];
        let planned = plan_one(p, book, &loads, shared).filter(|(plan, _)| {
            covers(p, plan) && take(book, &p.lines, plan, shared.now_ms).is_ok()
        });
        let Some((plan, explanation)) = planned else {
            return Ok(None);
        };
        count(&mut loads, &plan, 1);
        found.push((i, plan, explanation));
    }
    Ok(Some(found))
}

/// Each split order alone, most packages first, planned again against the others'
/// allocations; its new plan kept when it is better there.
fn one_by_one(
    pending: &[PendingPlan<'_>],
    before: &[Scored],
    book: &mut StockBook,
    loads: &Loads,
    shared: &Shared<'_>,
) -> Result<Found, InventoryError> {
    let mark = book.checkpoint();
    let mut loads = loads.clone();
    let mut order: Vec<usize> = (0..pending.len())
        .filter(|i| before[*i].packages > 1)
        .collect();
    order.sort_by_key(|i| (std::cmp::Reverse(before[*i].packages), *i));
    let mut found = Vec::new();
    for i in order {
        match better_alone(&pending[i], book, &mut loads, shared) {
            Ok(Some((plan, explanation))) => found.push((i, plan, explanation)),
            Ok(None) => {}
            Err(e) => {
                book.rollback(mark);
                return Err(e);
            }
        }
    }
    book.rollback(mark);
    Ok(found)
}

/// One order planned again against the others' allocations: its new plan, taken in `book`
/// and counted in `loads`, when it is better there; otherwise both as they were.
fn better_alone(
    p: &PendingPlan<'_>,
    book: &mut StockBook,
    loads: &mut Loads,
    shared: &Shared<'_>,
) -> Result<Option<NewPlan>, InventoryError> {
    let try_at = book.checkpoint();
    give_back(book, &p.lines, &p.plan, shared.now_ms)?;
    count(loads, &p.plan, -1);
    let here = candidates_of(p, book, loads, shared);
    let better_plan = plan_one(p, book, loads, shared).filter(|(plan, _)| {
        covers(p, plan)
            && !same_plan(plan, &p.plan)
            && better(&scored(p, plan, &here), &scored(p, &p.plan, &here))
    });
    match better_plan {
        Some((plan, explanation)) if take(book, &p.lines, &plan, shared.now_ms).is_ok() => {
            count(loads, &plan, 1);
            Ok(Some((plan, explanation)))
        }
        _ => {
            book.rollback(try_at);
            count(loads, &p.plan, 1);
            Ok(None)
        }
    }
}

fn summary(
    pending: &[PendingPlan<'_>],
    phase: Phase,
    found: Found,
    before: Vec<Scored>,
    after: Vec<Scored>,
) -> Reoptimization {
    let replans = found
        .into_iter()
        .filter(|(i, plan, _)| !same_plan(plan, &pending[*i].plan))
        .map(|(index, plan, explanation)| Replan {
            index,
            plan,
            explanation,
            before: before[index].clone(),
            after: after[index].clone(),
        })
        .collect();
    Reoptimization {
        phase,
        packages_before: before.iter().map(|s| s.packages).sum(),
        packages_after: after.iter().map(|s| s.packages).sum(),
        split_orders_before: splits(&before),
        split_orders_after: splits(&after),
        cost_before: total(&before),
        cost_after: total(&after),
        before,
        after,
        replans,
    }
}

#[cfg(test)]
mod tests;
