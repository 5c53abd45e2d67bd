//! A routing request made ready to search: the candidates a profile allows (screened in
//! `screen.rs`, with why the others are out), the order's items as units of routing, and one evaluation of what a plan costs,
//! shared by every strategy and by the tests' brute force.
//!
//! The plan space: each item of the order ships whole from one location when some candidate
//! holds all of it. An item no single candidate holds is first divided into parts, the largest
//! stock first, and each part ships whole. Lines of one item share its stock and are routed
//! together. Units left unallocated cost [`UNFILLED_PER_UNIT`] each, so a plan that covers
//! more units always beats one that covers fewer.

use jiff::civil::Date;

use super::cost::{CostBreakdown, LastUnits, RateCard, ShippingCostEstimator};
use super::profile::RoutingProfile;
use super::score::lateness_from;
pub use super::screen::Exclusion;
use super::screen::screen;
use super::{Candidate, PlannedAllocation, RouteRequest};
use crate::geo::GeoPoint;
use crate::location::LocationKind;
use crate::values::Sku;

/// What one unit left unallocated costs a plan: more than any plan of routed units.
pub const UNFILLED_PER_UNIT: i64 = 1_000_000_000;

/// A unit of routing: units of one item that ship whole from one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Index into [`Problem::skus`].
    pub sku: usize,
    pub quantity: i64,
    pub weight_g: i64,
}

/// A candidate the profile allows, with what opening a package there costs.
#[derive(Debug, Clone)]
pub struct Cand {
    /// Index into the request's candidates.
    pub index: usize,
    pub card: RateCard,
    /// What a package costs besides shipping: handling, capacity, days late.
    pub fixed: CostBreakdown,
    /// Units of each of the problem's items it may promise.
    pub stock: Vec<i64>,
    pub store: bool,
    pub distance_km: Option<f64>,
    pub late_days: i64,
}

/// Where each item goes: an index into [`Problem::cands`], or `None` for unallocated.
pub type Assignment = Vec<Option<usize>>;

#[derive(Debug)]
pub struct Problem<'a> {
    pub request: &'a RouteRequest<'a>,
    pub candidates: &'a [Candidate],
    pub skus: Vec<Sku>,
    /// Each item's lines, in order, as (line, units).
    pub sku_lines: Vec<Vec<(u32, i64)>>,
    pub items: Vec<Item>,
    pub cands: Vec<Cand>,
    /// Candidates left out, by index into the request's candidates, with the reason.
    pub excluded: Vec<(usize, Exclusion, String)>,
    /// Units no allowed candidate holds, per item.
    pub unroutable: Vec<i64>,
    pub split_penalty: i64,
    pub max_packages: usize,
    pub last_units: Option<LastUnits>,
    /// The date lateness is counted from.
    pub deliver_by: Option<Date>,
}

/// A plan's packages and cost, as [`Problem::evaluate`] finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Per package: the candidate, its weight and its cost.
    pub packages: Vec<(usize, i64, CostBreakdown)>,
    pub cost: CostBreakdown,
    pub unfilled_units: i64,
}

impl Evaluation {
    /// What the search minimises: the cost, plus the price of every unit left unallocated.
    pub fn objective(&self) -> i64 {
        self.cost.total() + self.unfilled_units * UNFILLED_PER_UNIT
    }
}

impl<'a> Problem<'a> {
    pub fn build(
        request: &'a RouteRequest<'a>,
        candidates: &'a [Candidate],
        profile: &RoutingProfile,
        estimator: &dyn ShippingCostEstimator,
    ) -> Self {
        let costs = &profile.costs;
        let demand = Demand::of(request, costs.default_item_weight_g);
        let (allowed, mut excluded) = screen(
            request,
            candidates,
            profile,
            estimator,
            (&demand.skus, &demand.units),
        );
        let deliver_by = lateness_from(request, candidates);
        let mut cands = Vec::with_capacity(allowed.len());
        for (index, card) in allowed {
            match cand(
                request,
                &candidates[index],
                index,
                card,
                profile,
                deliver_by,
                &demand.skus,
            ) {
                Ok(c) => cands.push(c),
                Err(detail) => excluded.push((index, Exclusion::CutOff, detail)),
            }
        }
        excluded.sort_by_key(|(i, _, _)| *i);
        // Both strategies look at candidates in this order, so between plans of equal cost
        // the nearer location wins, then the earlier delivery, then the lower code — never
        // the order locations happen to be listed in.
        cands.sort_by(|a, b| tie_order(&candidates[a.index], a, &candidates[b.index], b));

        let (items, unroutable) = split_items(&demand.units, &demand.unit_weight, &cands);
        let max_packages = if request.pickup {
            1
        } else {
            profile.filters.max_splits as usize + 1
        };
        Self {
            request,
            candidates,
            skus: demand.skus,
            sku_lines: demand.sku_lines,
            items,
            cands,
            excluded,
            unroutable,
            split_penalty: costs.split_penalty,
            max_packages,
            last_units: costs.last_units,
            deliver_by,
        }
    }

    /// What a plan costs, or `None` when it takes more than a candidate holds or uses more
    /// packages than allowed.
    pub fn evaluate(&self, assignment: &Assignment) -> Option<Evaluation> {
        let mut weight = vec![0_i64; self.cands.len()];
        let mut used = vec![0_i64; self.cands.len() * self.skus.len()];
        let mut unfilled_units: i64 = self.unroutable.iter().sum();
        for (item, at) in self.items.iter().zip(assignment) {
            match at {
                Some(c) => {
                    weight[*c] += item.weight_g;
                    used[*c * self.skus.len() + item.sku] += item.quantity;
                }
                None => unfilled_units += item.quantity,
            }
        }
        let mut packages = Vec::new();
        let mut cost = CostBreakdown::default();
        for (c, cand) in self.cands.iter().enumerate() {
            let taken = &used[c * self.skus.len()..(c + 1) * self.skus.len()];
            if taken.iter().zip(&cand.stock).any(|(u, s)| u > s) {
                return None;
            }
            if taken.iter().all(|u| *u == 0) {
                continue;
            }
            let mut package = cand.fixed;
            package.shipping = cand.card.price(weight[c]);
            package.last_units = taken
                .iter()
                .zip(&cand.stock)
                .map(|(u, s)| self.last_units_penalty(cand, *s, 0, *u))
                .sum();
            cost.add(&package);
            packages.push((c, weight[c], package));
        }
        if packages.len() > self.max_packages {
            return None;
        }
        cost.splits = self.split_penalty * (packages.len() as i64 - 1).max(0);
        Some(Evaluation {
            packages,
            cost,
            unfilled_units,
        })
    }

    /// The penalty for taking a store's units from `before_used` to `after_used` of `stock`:
    /// due once, when fewer than the profile's threshold would remain.
    pub fn last_units_penalty(
        &self,
        cand: &Cand,
        stock: i64,
        before_used: i64,
        after_used: i64,
    ) -> i64 {
        match self.last_units {
            Some(rule) if cand.store && after_used > 0 => {
                let low_after = stock - after_used < rule.below;
                let low_before = before_used > 0 && stock - before_used < rule.below;
                if low_after && !low_before {
                    rule.penalty
                } else {
                    0
                }
            }
            _ => 0,
        }
    }

    /// The plan as allocations per line: each item's units, location by location, given to
    /// its lines in order.
    pub fn plan(&self, assignment: &Assignment) -> Vec<PlannedAllocation> {
        let mut plan = Vec::new();
        for (s, lines) in self.sku_lines.iter().enumerate() {
            let mut parts: Vec<(usize, i64)> = self
                .items
                .iter()
                .zip(assignment)
                .filter(|(item, _)| item.sku == s)
                .filter_map(|(item, at)| at.map(|c| (c, item.quantity)))
                .collect();
            let mut part = 0;
            for (line_no, mut want) in lines.iter().copied() {
                while want > 0 && part < parts.len() {
                    let (c, ref mut left) = parts[part];
                    let take = want.min(*left);
                    if take > 0 {
                        plan.push(PlannedAllocation {
                            line_no,
                            location: self.candidates[self.cands[c].index].location.clone(),
                            quantity: take,
                        });
                    }
                    want -= take;
                    *left -= take;
                    if *left == 0 {
                        part += 1;
                    }
                }
            }
        }
        plan
    }
}

/// Which of two candidates a tie goes to: the nearer, then the one delivering earlier, then
/// the lower location code. Unknown distances and dates come last.
fn tie_order(a: &Candidate, ca: &Cand, b: &Candidate, cb: &Cand) -> std::cmp::Ordering {
    let km = |c: &Cand| c.distance_km.unwrap_or(f64::MAX);
    let date = |c: &Candidate| (c.delivery_date.is_none(), c.delivery_date);
    km(ca)
        .total_cmp(&km(cb))
        .then_with(|| date(a).cmp(&date(b)))
        .then_with(|| a.location.cmp(&b.location))
}

/// How a tie between plans of equal cost is broken, as explanations say.
pub const TIE_BREAK: &str = "between plans of equal cost, the nearer location wins, then the earlier delivery, then the lower location code";

fn distance(from: Option<GeoPoint>, to: Option<GeoPoint>) -> Option<f64> {
    Some(from?.distance_km(to?))
}

/// The order's items: each item's lines, units and unit weight.
struct Demand {
    skus: Vec<Sku>,
    sku_lines: Vec<Vec<(u32, i64)>>,
    units: Vec<i64>,
    unit_weight: Vec<i64>,
}

impl Demand {
    fn of(request: &RouteRequest<'_>, default_weight_g: i64) -> Self {
        let mut d = Self {
            skus: Vec::new(),
            sku_lines: Vec::new(),
            units: Vec::new(),
            unit_weight: Vec::new(),
        };
        for line in request.lines.iter().filter(|l| l.quantity > 0) {
            let i = match d.skus.iter().position(|s| s == &line.sku) {
                Some(i) => i,
                None => {
                    d.skus.push(line.sku.clone());
                    d.sku_lines.push(Vec::new());
                    d.units.push(0);
                    d.unit_weight
                        .push(line.unit_weight_g.unwrap_or(default_weight_g));
                    d.skus.len() - 1
                }
            };
            d.sku_lines[i].push((line.line_no, line.quantity));
            d.units[i] += line.quantity;
        }
        d
    }
}

/// An allowed candidate as the search sees it, or why it is out after all: its next cut-off
/// delivers late and the profile excludes late locations.
fn cand(
    request: &RouteRequest<'_>,
    c: &Candidate,
    index: usize,
    card: RateCard,
    profile: &RoutingProfile,
    deliver_by: Option<Date>,
    skus: &[Sku],
) -> Result<Cand, String> {
    let costs = &profile.costs;
    let late_days = match (c.delivery_date, deliver_by) {
        (Some(arrives), Some(by)) if arrives > by => (arrives - by).get_days().into(),
        _ => 0,
    };
    if profile.filters.exclude_late && request.deliver_by.is_some() && late_days > 0 {
        return Err(format!(
            "its next cut-off delivers on {}, {late_days} days after the promised {}",
            c.delivery_date.map(|d| d.to_string()).unwrap_or_default(),
            deliver_by.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    let fixed = CostBreakdown {
        handling: costs.handling_at(&c.location),
        capacity: costs.capacity_cost(c.load, c.capacity),
        late: late_days * costs.late_per_day,
        ..CostBreakdown::default()
    };
    Ok(Cand {
        index,
        card,
        fixed,
        stock: skus.iter().map(|s| c.available_of(s).max(0)).collect(),
        store: c.kind == LocationKind::Store,
        distance_km: distance(c.point, request.destination),
        late_days,
    })
}

/// The order's items as units of routing, and the units no candidate holds. An item some
/// candidate holds whole is one unit; another is divided into parts, the largest stock first.
fn split_items(demand: &[i64], unit_weight: &[i64], cands: &[Cand]) -> (Vec<Item>, Vec<i64>) {
    let mut items = Vec::new();
    let mut unroutable = vec![0; demand.len()];
    for (s, want) in demand.iter().copied().enumerate() {
        let mut stocks: Vec<i64> = cands
            .iter()
            .map(|c| c.stock[s])
            .filter(|q| *q > 0)
            .collect();
        stocks.sort_unstable_by(|a, b| b.cmp(a));
        let mut parts = Vec::new();
        if stocks.first().is_some_and(|most| *most >= want) {
            parts.push(want);
        } else {
            let mut left = want;
            for stock in stocks {
                if left == 0 {
                    break;
                }
                parts.push(stock.min(left));
                left -= stock.min(left);
            }
            unroutable[s] = left;
        }
        items.extend(parts.into_iter().map(|quantity| Item {
            sku: s,
            quantity,
            weight_g: quantity.saturating_mul(unit_weight[s]),
        }));
    }
    (items, unroutable)
}
