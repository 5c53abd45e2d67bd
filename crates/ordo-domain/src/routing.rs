//! The routing seam: given an order's lines, where it goes and the candidate locations with
//! their stock, a [`Router`] decides which location fulfils how much of each line. The simple
//! [`NearestRouter`] is the first occupant of the seam; a cost-based router replaces it later.

use crate::geo::GeoPoint;
use crate::values::{LocationCode, Sku};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
}

/// A location that may fulfil, with what it can promise of the order's items.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub location: LocationCode,
    pub point: Option<GeoPoint>,
    pub available: Vec<(Sku, i64)>,
}

impl Candidate {
    pub fn available_of(&self, sku: &Sku) -> i64 {
        self.available
            .iter()
            .find(|(s, _)| s == sku)
            .map_or(0, |(_, q)| *q)
    }
}

pub struct RouteRequest<'a> {
    pub lines: &'a [RouteLine],
    /// Where the goods go; `None` when no coordinates are known.
    pub destination: Option<GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAllocation {
    pub line_no: u32,
    pub location: LocationCode,
    pub quantity: i64,
}

/// Decides allocations. It may leave units unallocated (the caller backorders or rejects them)
/// but must never allocate more than a candidate has; the caller checks.
pub trait Router: Send + Sync {
    fn route(&self, request: &RouteRequest<'_>, candidates: &[Candidate])
    -> Vec<PlannedAllocation>;
}

/// Ships the whole order from the closest location that has all of it; otherwise splits over
/// as few locations as it can, taking the location that covers the most remaining units next
/// and the closest one among equals.
pub struct NearestRouter;

impl Router for NearestRouter {
    fn route(
        &self,
        request: &RouteRequest<'_>,
        candidates: &[Candidate],
    ) -> Vec<PlannedAllocation> {
        let mut ranked: Vec<(f64, &Candidate)> = candidates
            .iter()
            .map(|c| {
                let km = match (request.destination, c.point) {
                    (Some(to), Some(from)) => from.distance_km(to),
                    (Some(_), None) => f64::MAX,
                    (None, _) => 0.0,
                };
                (km, c)
            })
            .collect();
        ranked.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then_with(|| a.1.location.cmp(&b.1.location))
        });

        let mut stock: Vec<Vec<(Sku, i64)>> =
            ranked.iter().map(|(_, c)| c.available.clone()).collect();
        let mut remaining: Vec<i64> = request.lines.iter().map(|l| l.quantity).collect();
        let mut plan = Vec::new();

        loop {
            let covered = |stock: &[(Sku, i64)], remaining: &[i64]| -> i64 {
                let mut left: Vec<(Sku, i64)> = stock.to_vec();
                request
                    .lines
                    .iter()
                    .zip(remaining)
                    .map(|(line, want)| take(&mut left, &line.sku, *want))
                    .sum()
            };
            let Some((best, best_units)) = stock
                .iter()
                .enumerate()
                .map(|(i, s)| (i, covered(s, &remaining)))
                .fold(None, |best: Option<(usize, i64)>, (i, units)| match best {
                    Some((_, b)) if b >= units => best,
                    _ => Some((i, units)),
                })
            else {
                break;
            };
            if best_units == 0 {
                break;
            }
            for (line, want) in request.lines.iter().zip(remaining.iter_mut()) {
                let got = take(&mut stock[best], &line.sku, *want);
                if got > 0 {
                    *want -= got;
                    plan.push(PlannedAllocation {
                        line_no: line.line_no,
                        location: ranked[best].1.location.clone(),
                        quantity: got,
                    });
                }
            }
            if remaining.iter().all(|r| *r == 0) {
                break;
            }
        }
        plan
    }
}

/// Takes up to `want` units of `sku` out of `stock`, returning how many it took.
fn take(stock: &mut [(Sku, i64)], sku: &Sku, want: i64) -> i64 {
    match stock.iter_mut().find(|(s, _)| s == sku) {
        Some((_, have)) => {
            let got = want.min(*have).max(0);
            *have -= got;
            got
        }
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }

    fn candidate(code: &str, lat: f64, stock: &[(&str, i64)]) -> Candidate {
        Candidate {
            location: LocationCode::parse(code).unwrap(),
            point: Some(GeoPoint::new(lat, 10.0).unwrap()),
            available: stock.iter().map(|(s, q)| (sku(s), *q)).collect(),
        }
    }

    fn lines(spec: &[(&str, i64)]) -> Vec<RouteLine> {
        spec.iter()
            .enumerate()
            .map(|(i, (s, q))| RouteLine {
                line_no: i as u32 + 1,
                sku: sku(s),
                quantity: *q,
            })
            .collect()
    }

    fn route(lines: &[RouteLine], candidates: &[Candidate]) -> Vec<(u32, String, i64)> {
        let request = RouteRequest {
            lines,
            destination: Some(GeoPoint::new(50.0, 10.0).unwrap()),
        };
        NearestRouter
            .route(&request, candidates)
            .into_iter()
            .map(|a| (a.line_no, a.location.to_string(), a.quantity))
            .collect()
    }

    #[test]
    fn the_closest_location_holding_the_whole_order_ships_it_alone() {
        let near_partial = candidate("NEAR", 50.1, &[("A", 5)]);
        let far_full = candidate("FAR", 52.0, &[("A", 5), ("B", 5)]);
        let farther_full = candidate("FARTHER", 54.0, &[("A", 5), ("B", 5)]);
        let plan = route(
            &lines(&[("A", 2), ("B", 1)]),
            &[near_partial, farther_full, far_full],
        );
        assert_eq!(plan, vec![(1, "FAR".into(), 2), (2, "FAR".into(), 1)]);
    }

    #[test]
    fn without_a_single_source_it_splits_over_few_locations_closest_first() {
        let a_near = candidate("A-NEAR", 50.1, &[("A", 1)]);
        let a_far = candidate("A-FAR", 53.0, &[("A", 3)]);
        let b_only = candidate("B-ONLY", 51.0, &[("B", 2)]);
        let plan = route(&lines(&[("A", 3), ("B", 2)]), &[a_near, a_far, b_only]);
        assert_eq!(plan, vec![(1, "A-FAR".into(), 3), (2, "B-ONLY".into(), 2)]);
    }

    #[test]
    fn what_no_location_has_is_left_unallocated() {
        let plan = route(&lines(&[("A", 4)]), &[candidate("X", 50.0, &[("A", 1)])]);
        assert_eq!(plan, vec![(1, "X".into(), 1)]);
    }

    #[test]
    fn two_lines_of_one_item_share_its_stock() {
        let plan = route(
            &lines(&[("A", 2), ("A", 2)]),
            &[candidate("X", 50.0, &[("A", 3)])],
        );
        assert_eq!(plan, vec![(1, "X".into(), 2), (2, "X".into(), 1)]);
    }
}
