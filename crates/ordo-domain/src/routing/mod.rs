//! Routing: which location fulfils how much of each line of an order.
//!
//! The seam is [`Router`]: given the order's lines and where they go ([`RouteRequest`]) and
//! the candidate locations with their stock ([`Candidate`]), it answers a plan and an
//! explanation ([`Routed`]). [`ProfileRouter`] routes by a [`RoutingProfile`]: its filters
//! decide the candidates, then a rule chain ([`chain`]) or the exact least-cost search
//! ([`optimal`]) decides the plan, priced by one cost model ([`cost`]) and explained
//! ([`explain`]). [`problem`] turns a request into what both strategies search; [`score`]
//! prices any plan from its allocations, for the backtest ([`backtest`]).

pub mod backtest;
pub mod chain;
pub mod cost;
pub mod explain;
pub mod optimal;
pub mod problem;
pub mod profile;
pub mod reoptimize;
pub mod score;
mod screen;

use std::sync::Arc;

use jiff::civil::Date;

pub use cost::{
    CostBreakdown, CostModel, DistanceRateTable, Lane, RateCard, ShippingCostEstimator,
};
pub use explain::{Explanation, RoutingCause};
pub use profile::{Filters, RoutingProfile, Rule, Strategy};

use crate::geo::{CountryCode, GeoPoint};
use crate::location::LocationKind;
use crate::values::{LocationCode, Sku};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
    /// Grams per unit, when the item's weight is known.
    pub unit_weight_g: Option<i64>,
}

/// A location that may fulfil, with what it can promise of the order's items.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub location: LocationCode,
    pub kind: LocationKind,
    pub point: Option<GeoPoint>,
    pub country: CountryCode,
    pub region: Option<String>,
    /// Whether it can hand parcels to a carrier (ship to customers).
    pub ships: bool,
    pub available: Vec<(Sku, i64)>,
    /// Orders it has taken today, and how many it can take in a day.
    pub load: i64,
    pub capacity: Option<i64>,
    /// When a parcel it is given now would arrive, if the destination is known.
    pub delivery_date: Option<Date>,
}

impl Candidate {
    pub fn available_of(&self, sku: &Sku) -> i64 {
        self.available
            .iter()
            .find(|(s, _)| s == sku)
            .map_or(0, |(_, q)| *q)
    }
}

/// An order, or what is left of one, to route.
#[derive(Debug, Clone, Default)]
pub struct RouteRequest<'a> {
    pub lines: &'a [RouteLine],
    /// Where the goods go; `None` when no coordinates are known.
    pub destination: Option<GeoPoint>,
    pub country: Option<CountryCode>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    /// The date the customer was promised; without one, the earliest any candidate can do.
    pub deliver_by: Option<Date>,
    /// Collected at the candidate store: nothing ships and the profile's filters do not apply.
    pub pickup: bool,
}

impl<'a> RouteRequest<'a> {
    /// The lane from a candidate at `from` to where the goods go.
    pub fn lane_from(&self, from: Option<GeoPoint>) -> cost::Lane<'a> {
        cost::Lane {
            from,
            to: self.destination,
            country: self.country,
            region: self.region,
            postal_code: self.postal_code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAllocation {
    pub line_no: u32,
    pub location: LocationCode,
    pub quantity: i64,
}

/// A router's answer: the plan, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    pub plan: Vec<PlannedAllocation>,
    pub explanation: Option<Explanation>,
}

/// Decides allocations. It may leave units unallocated (the caller backorders or rejects them)
/// but must never allocate more than a candidate has; the caller checks.
pub trait Router: Send + Sync {
    fn route(&self, request: &RouteRequest<'_>, candidates: &[Candidate]) -> Routed;
}

/// Routes by a profile, pricing shipping with an estimator (the profile's own rate table
/// unless another is given).
#[derive(Clone)]
pub struct ProfileRouter {
    pub profile: Arc<RoutingProfile>,
    estimator: Arc<dyn ShippingCostEstimator>,
    /// Which stored profile version this is, for the explanation.
    pub label: Option<ProfileLabel>,
}

/// A stored profile version, named in every explanation it produces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ProfileLabel {
    pub id: String,
    pub name: String,
    pub version: u32,
}

impl Default for ProfileRouter {
    fn default() -> Self {
        Self::new(RoutingProfile::default())
    }
}

impl ProfileRouter {
    pub fn new(profile: RoutingProfile) -> Self {
        let estimator = Arc::new(profile.shipping_rates.clone());
        Self {
            profile: Arc::new(profile),
            estimator,
            label: None,
        }
    }

    /// Names the stored profile version in explanations.
    pub fn labelled(mut self, label: ProfileLabel) -> Self {
        self.label = Some(label);
        self
    }

    /// The same profile, filters, costs and prices, deciding with another strategy.
    pub fn with_strategy(&self, strategy: Strategy) -> Self {
        Self {
            profile: Arc::new(RoutingProfile {
                strategy,
                ..(*self.profile).clone()
            }),
            estimator: self.estimator.clone(),
            label: self.label.clone(),
        }
    }

    /// What it prices shipping with.
    pub fn estimator(&self) -> &dyn ShippingCostEstimator {
        self.estimator.as_ref()
    }

    /// Prices shipping with `estimator` instead of the profile's rate table.
    pub fn with_estimator(mut self, estimator: Arc<dyn ShippingCostEstimator>) -> Self {
        self.estimator = estimator;
        self
    }
}

impl Router for ProfileRouter {
    fn route(&self, request: &RouteRequest<'_>, candidates: &[Candidate]) -> Routed {
        let problem =
            problem::Problem::build(request, candidates, &self.profile, self.estimator.as_ref());
        let decision = match &self.profile.strategy {
            Strategy::Optimal => optimal::decide(&problem),
            Strategy::Rules(rules) => chain::decide(&problem, rules, &self.profile.ranking),
        };
        let plan = problem.plan(&decision.chosen);
        let mut explanation = explain::explain(&problem, &self.profile.strategy, &decision);
        explanation.profile = self.label.clone();
        Routed {
            plan,
            explanation: Some(explanation),
        }
    }
}

#[cfg(test)]
mod tests;
