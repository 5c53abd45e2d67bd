//! What a plan costs under a cost model, from its allocations. The backtest scores every
//! profile's plans with the network's own cost model, so that profiles are compared by what
//! their plans really cost rather than by what each profile believes. It counts exactly as
//! [`Problem::evaluate`](super::problem::Problem::evaluate) does; a test holds them together.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::cost::{CostBreakdown, CostModel, ShippingCostEstimator};
use super::{Candidate, PlannedAllocation, RouteRequest};
use crate::location::LocationKind;
use crate::values::Sku;

/// A plan's cost and shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scored {
    pub cost: CostBreakdown,
    pub packages: usize,
    /// Kilometres from each package's location to the destination, summed.
    pub distance_km: f64,
    /// Packages arriving after the date lateness is counted from.
    pub late_packages: usize,
    /// Packages given to a location already at its daily capacity.
    pub over_capacity: usize,
}

/// The date lateness is counted from: the promise if there is one, else the earliest any
/// location holding some of the order could deliver — whatever a profile allows, so that
/// every profile is measured from the same date.
pub fn lateness_from(request: &RouteRequest<'_>, candidates: &[Candidate]) -> Option<Date> {
    request.deliver_by.or_else(|| {
        candidates
            .iter()
            .filter(|c| c.ships || request.pickup)
            .filter(|c| request.lines.iter().any(|l| c.available_of(&l.sku) > 0))
            .filter_map(|c| c.delivery_date)
            .min()
    })
}

pub fn score(
    plan: &[PlannedAllocation],
    request: &RouteRequest<'_>,
    candidates: &[Candidate],
    costs: &CostModel,
    estimator: &dyn ShippingCostEstimator,
) -> Scored {
    let deliver_by = lateness_from(request, candidates);
    // Per location: grams, and units per item.
    let mut packages: BTreeMap<&str, (i64, BTreeMap<&Sku, i64>)> = BTreeMap::new();
    for a in plan {
        let Some(line) = request.lines.iter().find(|l| l.line_no == a.line_no) else {
            continue;
        };
        let unit_g = line.unit_weight_g.unwrap_or(costs.default_item_weight_g);
        let package = packages.entry(a.location.as_str()).or_default();
        package.0 += unit_g * a.quantity;
        *package.1.entry(&line.sku).or_default() += a.quantity;
    }
    let mut scored = Scored::default();
    for (code, (weight_g, taken)) in &packages {
        let Some(c) = candidates.iter().find(|c| c.location.as_str() == *code) else {
            continue;
        };
        let late_days = match (c.delivery_date, deliver_by) {
            (Some(arrives), Some(by)) if arrives > by => i64::from((arrives - by).get_days()),
            _ => 0,
        };
        let shipping = if request.pickup {
            0
        } else {
            estimator
                .lane(&request.lane_from(c.point), &costs.service)
                .map_or(0, |card| card.price(*weight_g))
        };
        let last_units = match costs.last_units {
            Some(rule) if c.kind == LocationKind::Store => {
                taken
                    .iter()
                    .filter(|(sku, units)| c.available_of(sku) - **units < rule.below)
                    .count() as i64
                    * rule.penalty
            }
            _ => 0,
        };
        scored.cost.add(&CostBreakdown {
            shipping,
            handling: costs.handling_at(&c.location),
            late: late_days * costs.late_per_day,
            capacity: costs.capacity_cost(c.load, c.capacity),
            last_units,
            splits: 0,
        });
        scored.packages += 1;
        scored.late_packages += usize::from(late_days > 0);
        scored.over_capacity += usize::from(c.capacity.is_some_and(|cap| c.load >= cap));
        if let (Some(from), Some(to)) = (c.point, request.destination) {
            scored.distance_km += from.distance_km(to);
        }
    }
    scored.cost.splits = costs.split_penalty * (scored.packages as i64 - 1).max(0);
    scored
}
