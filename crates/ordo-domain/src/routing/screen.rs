//! Screening a routing request's candidates: which the profile allows, each with its lane's
//! rate card, and why each of the others is out ([`Exclusion`]).

use super::cost::{CapacityRule, RateCard, ShippingCostEstimator};
use super::profile::{Filters, RoutingProfile};
use super::{Candidate, RouteRequest};
use crate::location::LocationKind;
use crate::values::Sku;

/// The rate card of a lane nothing prices (pickups aside, a candidate without one is excluded).
const NO_CARD: RateCard = RateCard {
    breaks: Vec::new(),
    over_per_kg: 0,
};

/// Why a candidate is not considered; written as [`Exclusion::as_str`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    ProfileFilter,
    Capability,
    Capacity,
    CutOff,
    NoService,
    NoStock,
}

impl Exclusion {
    pub const ALL: [Exclusion; 6] = [
        Self::ProfileFilter,
        Self::Capability,
        Self::Capacity,
        Self::CutOff,
        Self::NoService,
        Self::NoStock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfileFilter => "profile_filter",
            Self::Capability => "capability",
            Self::Capacity => "capacity",
            Self::CutOff => "cut_off",
            Self::NoService => "no_service",
            Self::NoStock => "no_stock",
        }
    }
}

/// Candidates excluded by reason.
pub(super) type Excluded = Vec<(usize, Exclusion, String)>;

/// The candidates the profile allows, each with its lane's rate card, and the others with the
/// reason. Full locations are left out only while others can take the units: when they
/// cannot, the order waits for a full location's next day rather than go unrouted.
pub(super) fn screen(
    request: &RouteRequest<'_>,
    candidates: &[Candidate],
    profile: &RoutingProfile,
    estimator: &dyn ShippingCostEstimator,
    (skus, units): (&[Sku], &[i64]),
) -> (Vec<(usize, RateCard)>, Excluded) {
    let card = |c: &Candidate| {
        if request.pickup {
            Some(RateCard {
                breaks: vec![(i64::MAX, 0)],
                over_per_kg: 0,
            })
        } else {
            estimator.lane(&request.lane_from(c.point), &profile.costs.service)
        }
    };
    let mut excluded = Vec::new();
    let mut allowed: Vec<(usize, RateCard)> = Vec::new();
    for (index, c) in candidates.iter().enumerate() {
        let card = card(c);
        match exclusion(request, c, profile, skus, card.is_some()) {
            Some((why, detail)) => excluded.push((index, why, detail)),
            None => allowed.push((index, card.unwrap_or(NO_CARD))),
        }
    }
    let short = skus.iter().zip(units).any(|(sku, units)| {
        let held: i64 = allowed
            .iter()
            .map(|(i, _)| candidates[*i].available_of(sku).max(0))
            .sum();
        held < *units
    });
    if short {
        let (full, rest): (Vec<_>, Vec<_>) = excluded
            .into_iter()
            .partition(|(_, why, _)| *why == Exclusion::Capacity);
        excluded = rest;
        allowed.extend(
            full.into_iter()
                .map(|(i, _, _)| (i, card(&candidates[i]).unwrap_or(NO_CARD))),
        );
    }
    (allowed, excluded)
}

/// Why the profile leaves a candidate out, if it does.
fn exclusion(
    request: &RouteRequest<'_>,
    c: &Candidate,
    profile: &RoutingProfile,
    skus: &[Sku],
    has_lane: bool,
) -> Option<(Exclusion, String)> {
    if !request.pickup {
        if let Some(out) = filtered_out(&profile.filters, c) {
            return Some(out);
        }
        if !c.ships {
            return Some((
                Exclusion::Capability,
                "it does not ship to customers".into(),
            ));
        }
        if !has_lane {
            let to = match (request.country, request.postal_code) {
                (Some(country), Some(postal)) => format!("{} {postal}", country.as_str()),
                (Some(country), None) => country.as_str().to_string(),
                _ => "the destination".into(),
            };
            return Some((
                Exclusion::NoService,
                format!("no shipping service delivers from it to {to}"),
            ));
        }
    }
    if profile.costs.capacity == CapacityRule::Hard
        && let Some(capacity) = c.capacity
        && c.load >= capacity
    {
        return Some((
            Exclusion::Capacity,
            format!("it has taken {} of its {capacity} orders today", c.load),
        ));
    }
    if skus.iter().all(|s| c.available_of(s) <= 0) {
        return Some((
            Exclusion::NoStock,
            "it has none of the order's items".into(),
        ));
    }
    None
}

/// Why the profile's filters leave a candidate out of a delivery, if they do.
fn filtered_out(f: &Filters, c: &Candidate) -> Option<(Exclusion, String)> {
    if !f.location_kinds.contains(&c.kind) {
        return Some((
            Exclusion::ProfileFilter,
            format!("{} locations are not in the profile", c.kind.as_str()),
        ));
    }
    if c.kind == LocationKind::Store && !f.ship_from_store {
        return Some((
            Exclusion::ProfileFilter,
            "the profile does not ship from stores".into(),
        ));
    }
    if f.excluded_locations.contains(&c.location) {
        return Some((Exclusion::ProfileFilter, "the profile excludes it".into()));
    }
    if !f.countries.is_empty() && !f.countries.contains(&c.country) {
        return Some((
            Exclusion::ProfileFilter,
            format!(
                "{} is not one of the profile's countries",
                c.country.as_str()
            ),
        ));
    }
    if !f.regions.is_empty() && !c.region.as_ref().is_some_and(|r| f.regions.contains(r)) {
        return Some((
            Exclusion::ProfileFilter,
            "its region is not one of the profile's".into(),
        ));
    }
    None
}
