use jiff::civil::date;
use proptest::prelude::{any, prop_assert, prop_assert_eq};
use proptest::strategy::Strategy as Generate;
use proptest::test_runner::{Config, TestRunner};

use super::cost::{CapacityRule, LastUnits};
use super::optimal::{self, EXACT_NODES_MAX};
use super::problem::{Assignment, Problem};
use super::*;

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn code(s: &str) -> LocationCode {
    LocationCode::parse(s).unwrap()
}

/// A warehouse in Germany at `lat`, 10°E, holding `stock`.
fn candidate(c: &str, lat: f64, stock: &[(&str, i64)]) -> Candidate {
    Candidate {
        location: code(c),
        kind: LocationKind::Warehouse,
        point: Some(GeoPoint::new(lat, 10.0).unwrap()),
        country: CountryCode::parse("DE").unwrap(),
        region: None,
        ships: true,
        available: stock.iter().map(|(s, q)| (sku(s), *q)).collect(),
        load: 0,
        capacity: None,
        delivery_date: Some(date(2026, 11, 24)),
    }
}

fn lines(spec: &[(&str, i64)]) -> Vec<RouteLine> {
    spec.iter()
        .enumerate()
        .map(|(i, (s, q))| RouteLine {
            line_no: i as u32 + 1,
            sku: sku(s),
            quantity: *q,
            unit_weight_g: Some(400),
        })
        .collect()
}

fn request(lines: &[RouteLine]) -> RouteRequest<'_> {
    RouteRequest {
        lines,
        destination: Some(GeoPoint::new(50.0, 10.0).unwrap()),
        country: Some(CountryCode::parse("DE").unwrap()),
        ..RouteRequest::default()
    }
}

fn chain(rules: &[Rule]) -> RoutingProfile {
    RoutingProfile {
        strategy: Strategy::Rules(rules.to_vec()),
        ..RoutingProfile::default()
    }
}

fn optimal_profile() -> RoutingProfile {
    RoutingProfile {
        strategy: Strategy::Optimal,
        ..RoutingProfile::default()
    }
}

fn route(
    profile: RoutingProfile,
    lines: &[RouteLine],
    candidates: &[Candidate],
) -> (Vec<(u32, String, i64)>, Explanation) {
    let routed = ProfileRouter::new(profile).route(&request(lines), candidates);
    let plan = routed
        .plan
        .into_iter()
        .map(|a| (a.line_no, a.location.to_string(), a.quantity))
        .collect();
    (plan, routed.explanation.unwrap())
}

#[test]
fn the_default_chain_ships_the_whole_order_from_the_closest_location_holding_all_of_it() {
    let near_partial = candidate("NEAR", 50.1, &[("A", 5)]);
    let far_full = candidate("FAR", 52.0, &[("A", 5), ("B", 5)]);
    let farther_full = candidate("FARTHER", 56.0, &[("A", 5), ("B", 5)]);
    let (plan, why) = route(
        RoutingProfile::default(),
        &lines(&[("A", 2), ("B", 1)]),
        &[near_partial, farther_full, far_full],
    );
    assert_eq!(plan, vec![(1, "FAR".into(), 2), (2, "FAR".into(), 1)]);
    assert_eq!(why.strategy, "rules: fewest_splits > in_market > closest");
    let runner_up = why.runner_up.unwrap();
    assert_eq!(runner_up.without, "FAR");
    assert!(runner_up.lost_by > 0, "farther away costs more to ship");
}

#[test]
fn without_a_single_source_the_chain_splits_over_few_locations_closest_first() {
    let a_near = candidate("A-NEAR", 50.1, &[("A", 1)]);
    let a_far = candidate("A-FAR", 53.0, &[("A", 3)]);
    let b_only = candidate("B-ONLY", 51.0, &[("B", 2)]);
    let (plan, why) = route(
        RoutingProfile::default(),
        &lines(&[("A", 3), ("B", 2)]),
        &[a_near, a_far, b_only],
    );
    assert_eq!(plan, vec![(1, "A-FAR".into(), 3), (2, "B-ONLY".into(), 2)]);
    assert_eq!(why.chosen.shipments.len(), 2);
    assert_eq!(
        why.chosen.cost.splits,
        RoutingProfile::default().costs.split_penalty
    );
}

#[test]
fn closest_alone_takes_each_line_from_the_closest_location_that_has_it() {
    let near_a = candidate("NEAR-A", 50.1, &[("A", 5)]);
    let mid_b = candidate("MID-B", 50.5, &[("B", 5)]);
    let far_both = candidate("FAR-BOTH", 51.0, &[("A", 5), ("B", 5)]);
    let (plan, _) = route(
        chain(&[Rule::Closest]),
        &lines(&[("A", 1), ("B", 1)]),
        &[far_both.clone(), near_a.clone(), mid_b.clone()],
    );
    assert_eq!(plan, vec![(1, "NEAR-A".into(), 1), (2, "MID-B".into(), 1)]);
    let (plan, _) = route(
        chain(&[Rule::FewestSplits, Rule::Closest]),
        &lines(&[("A", 1), ("B", 1)]),
        &[far_both, near_a, mid_b],
    );
    assert_eq!(
        plan,
        vec![(1, "FAR-BOTH".into(), 1), (2, "FAR-BOTH".into(), 1)]
    );
}

#[test]
fn what_no_location_has_is_left_unallocated_and_said_so() {
    let (plan, why) = route(
        RoutingProfile::default(),
        &lines(&[("A", 4)]),
        &[candidate("X", 50.0, &[("A", 1)])],
    );
    assert_eq!(plan, vec![(1, "X".into(), 1)]);
    assert_eq!(why.chosen.unallocated[0].quantity, 3);
    let (plan, why) = route(
        optimal_profile(),
        &lines(&[("A", 4)]),
        &[candidate("X", 50.0, &[("A", 1)])],
    );
    assert_eq!(plan, vec![(1, "X".into(), 1)]);
    assert_eq!(why.chosen.unallocated[0].quantity, 3);
}

#[test]
fn an_item_no_location_holds_whole_is_divided_largest_stock_first_and_lines_share_it() {
    let (plan, _) = route(
        optimal_profile(),
        &lines(&[("A", 3), ("A", 3)]),
        &[
            candidate("X", 50.0, &[("A", 4)]),
            candidate("Y", 50.2, &[("A", 2)]),
        ],
    );
    assert_eq!(
        plan,
        vec![(1, "X".into(), 3), (2, "X".into(), 1), (2, "Y".into(), 2)]
    );
}

#[test]
fn optimal_weighs_a_split_against_a_late_delivery() {
    // Two near locations each hold one item; one far location holds both but delivers two
    // days later. A dear split makes the late single parcel cheaper; a free split does not.
    let near_a = candidate("NEAR-A", 50.1, &[("A", 5)]);
    let near_b = candidate("NEAR-B", 50.2, &[("B", 5)]);
    let mut far_both = candidate("FAR-BOTH", 56.0, &[("A", 5), ("B", 5)]);
    far_both.delivery_date = Some(date(2026, 11, 26));
    let all = [near_a, near_b, far_both];
    let order = lines(&[("A", 1), ("B", 1)]);
    let mut dear_splits = optimal_profile();
    dear_splits.costs.split_penalty = 2_000;
    let (plan, why) = route(dear_splits, &order, &all);
    assert_eq!(
        plan,
        vec![(1, "FAR-BOTH".into(), 1), (2, "FAR-BOTH".into(), 1)]
    );
    assert_eq!(why.chosen.shipments[0].days_late, 2);
    assert!(why.search.as_ref().unwrap().proven_optimal);
    let mut free_splits = optimal_profile();
    free_splits.costs.split_penalty = 0;
    let (plan, why) = route(free_splits, &order, &all);
    assert_eq!(plan, vec![(1, "NEAR-A".into(), 1), (2, "NEAR-B".into(), 1)]);
    assert_eq!(why.chosen.shipments.len(), 2);
    let runner_up = why.runner_up.unwrap();
    assert!(runner_up.lost_by >= 0);
    assert_eq!(why.chosen.total + runner_up.lost_by, runner_up.plan.total);
    let (plan, _) = route(chain(&[Rule::FewestSplits, Rule::Closest]), &order, &all);
    assert_eq!(
        plan[0].1, "FAR-BOTH",
        "the chain splits least whatever it costs"
    );
}

#[test]
fn every_left_out_candidate_says_why() {
    let mut store = candidate("STORE", 50.0, &[("A", 5)]);
    store.kind = LocationKind::Store;
    let mut no_ship = candidate("BACKROOM", 50.0, &[("A", 5)]);
    no_ship.ships = false;
    let mut full = candidate("FULL", 50.0, &[("A", 5)]);
    full.capacity = Some(10);
    full.load = 10;
    let mut late = candidate("LATE", 50.0, &[("A", 5)]);
    late.delivery_date = Some(date(2026, 11, 30));
    let empty = candidate("EMPTY", 50.0, &[("B", 5)]);
    let ok = candidate("OK", 51.0, &[("A", 5)]);
    let mut profile = optimal_profile();
    profile.filters.ship_from_store = false;
    profile.filters.exclude_late = true;
    let order = lines(&[("A", 1)]);
    let mut req = request(&order);
    req.deliver_by = Some(date(2026, 11, 25));
    let routed = ProfileRouter::new(profile).route(&req, &[store, no_ship, full, late, empty, ok]);
    let why = routed.explanation.unwrap();
    let reasons: Vec<(&str, Option<&str>)> = why
        .candidates
        .iter()
        .map(|c| {
            (
                c.location.as_str(),
                c.excluded.as_ref().map(|e| e.reason.as_str()),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("STORE", Some("profile_filter")),
            ("BACKROOM", Some("capability")),
            ("FULL", Some("capacity")),
            ("LATE", Some("cut_off")),
            ("EMPTY", Some("no_stock")),
            ("OK", None)
        ]
    );
    assert_eq!(routed.plan[0].location.as_str(), "OK");
}

#[test]
fn late_packages_rising_capacity_and_a_stores_last_units_are_priced() {
    let mut busy = candidate("BUSY", 50.0, &[("A", 5)]);
    busy.capacity = Some(100);
    busy.load = 119;
    let mut late = candidate("LATE", 50.0, &[("A", 5)]);
    late.delivery_date = Some(date(2026, 11, 26));
    let mut store = candidate("STORE", 50.0, &[("A", 2)]);
    store.kind = LocationKind::Store;
    let mut profile = optimal_profile();
    profile.costs.capacity = CapacityRule::Rising { at_full: 1_000 };
    profile.costs.last_units = Some(LastUnits {
        below: 2,
        penalty: 1_200,
    });
    let order = lines(&[("A", 1)]);
    let routed = ProfileRouter::new(profile).route(&request(&order), &[busy, late, store]);
    let why = routed.explanation.unwrap();
    let chosen = &why.chosen.shipments[0];
    assert_eq!(
        chosen.location, "LATE",
        "two days late (1,000) beats 120% of capacity (1,440) and a store's last units (1,200): {why:?}"
    );
    assert_eq!(chosen.days_late, 2);
    assert_eq!(chosen.cost.late, 1_000);
}

#[test]
fn a_large_order_is_searched_within_a_budget_and_reports_its_gap() {
    let skus: Vec<String> = (0..14).map(|i| format!("S{i}")).collect();
    let spec: Vec<(&str, i64)> = skus.iter().map(|s| (s.as_str(), 1)).collect();
    let candidates: Vec<Candidate> = (0..60)
        .map(|i| {
            let stock: Vec<(&str, i64)> = skus
                .iter()
                .enumerate()
                .filter(|(j, _)| (i + j) % 3 == 0)
                .map(|(_, s)| (s.as_str(), 2))
                .collect();
            candidate(&format!("L{i}"), 47.5 + i as f64 * 0.1, &stock)
        })
        .collect();
    let mut profile = optimal_profile();
    profile.filters.max_splits = 20;
    let (plan, why) = route(profile, &lines(&spec), &candidates);
    assert_eq!(
        plan.iter().map(|p| p.2).sum::<i64>(),
        14,
        "every unit routed"
    );
    let search = why.search.unwrap();
    assert!(search.gap >= 0 && search.lower_bound <= why.chosen.total);
}

/// Every assignment of items to candidates or to nothing, the cheapest kept.
fn brute_force(problem: &Problem<'_>) -> i64 {
    let n = problem.items.len();
    let options = problem.cands.len() + 1;
    let mut best = i64::MAX;
    let mut digits = vec![0_usize; n];
    loop {
        let assignment: Assignment = digits
            .iter()
            .map(|d| (*d < problem.cands.len()).then_some(*d))
            .collect();
        if let Some(e) = problem.evaluate(&assignment) {
            best = best.min(e.objective());
        }
        let mut i = 0;
        while i < n {
            digits[i] += 1;
            if digits[i] < options {
                break;
            }
            digits[i] = 0;
            i += 1;
        }
        if i == n {
            return best;
        }
    }
}

/// A random location: latitude, longitude, stock of A, B and C, a store or not, and
/// (orders today, daily capacity) when it has a capacity.
type RandomLocation = (f64, f64, Vec<i64>, bool, Option<(i64, i64)>);

#[derive(Debug, Clone)]
struct Instance {
    lines: Vec<(usize, i64, i64)>,
    locations: Vec<RandomLocation>,
    split_penalty: i64,
    handling: i64,
    max_splits: u32,
    rising: Option<i64>,
    last_units: Option<(i64, i64)>,
}

fn instance() -> impl Generate<Value = Instance> {
    let line = (0usize..3, 1i64..5, 50i64..3_000);
    let location = (
        47.0f64..55.0,
        6.0f64..15.0,
        proptest::collection::vec(0i64..6, 3),
        any::<bool>(),
        proptest::option::of((0i64..12, 1i64..10)),
    );
    (
        proptest::collection::vec(line, 1..5),
        proptest::collection::vec(location, 1..6),
        0i64..1_500,
        0i64..400,
        0u32..3,
        proptest::option::of(0i64..2_000),
        proptest::option::of((1i64..4, 0i64..900)),
    )
        .prop_map(
            |(lines, locations, split_penalty, handling, max_splits, rising, last_units)| {
                Instance {
                    lines,
                    locations,
                    split_penalty,
                    handling,
                    max_splits,
                    rising,
                    last_units,
                }
            },
        )
}

#[test]
fn optimal_finds_the_least_cost_plan_that_brute_force_finds() {
    let cases: u32 = std::env::var("ORDO_ROUTING_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let skus = ["A", "B", "C"];
    let plans_checked = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&instance(), |inst| {
        let route_lines: Vec<RouteLine> = inst
            .lines
            .iter()
            .enumerate()
            .map(|(i, (s, q, _))| RouteLine {
                line_no: i as u32 + 1,
                sku: sku(skus[*s]),
                quantity: *q,
                // An item weighs the same on every line: its first line's weight.
                unit_weight_g: inst.lines.iter().find(|l| l.0 == *s).map(|l| l.2),
            })
            .collect();
        let candidates: Vec<Candidate> = inst
            .locations
            .iter()
            .enumerate()
            .map(|(i, (lat, lon, stock, store, load))| Candidate {
                location: code(&format!("L{i}")),
                kind: if *store {
                    LocationKind::Store
                } else {
                    LocationKind::Warehouse
                },
                point: Some(GeoPoint::new(*lat, *lon).unwrap()),
                country: CountryCode::parse("DE").unwrap(),
                region: None,
                ships: true,
                available: skus.iter().zip(stock).map(|(s, q)| (sku(s), *q)).collect(),
                load: load.map_or(0, |(l, _)| l),
                capacity: load.map(|(_, c)| c),
                delivery_date: Some(date(2026, 11, 24 + (i as i8 % 3))),
            })
            .collect();
        let mut profile = optimal_profile();
        profile.costs.split_penalty = inst.split_penalty;
        profile.costs.handling = inst.handling;
        profile.filters.max_splits = inst.max_splits;
        if let Some(at_full) = inst.rising {
            profile.costs.capacity = CapacityRule::Rising { at_full };
        }
        profile.costs.last_units = inst
            .last_units
            .map(|(below, penalty)| LastUnits { below, penalty });
        let req = request(&route_lines);
        let problem = Problem::build(&req, &candidates, &profile, &profile.shipping_rates);
        let solved = optimal::solve(&problem, &vec![false; problem.cands.len()], EXACT_NODES_MAX);
        prop_assert!(solved.proven);
        let evaluated = problem
            .evaluate(&solved.assignment)
            .expect("the chosen plan is feasible");
        prop_assert_eq!(
            evaluated.objective(),
            solved.objective,
            "the search counts cost as evaluate does"
        );
        let scored = score::score(
            &problem.plan(&solved.assignment),
            &req,
            &candidates,
            &profile.costs,
            &profile.shipping_rates,
        );
        prop_assert_eq!(
            scored.cost,
            evaluated.cost,
            "scoring the allocations counts as evaluate does"
        );
        prop_assert_eq!(scored.packages, evaluated.packages.len());
        prop_assert_eq!(solved.objective, brute_force(&problem));
        plans_checked.fetch_add(
            (problem.cands.len() as u64 + 1).pow(problem.items.len() as u32),
            std::sync::atomic::Ordering::Relaxed,
        );
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!(
        "routing optimality: {cases} random instances, {} plans enumerated by brute force, optimal matched every one",
        plans_checked.into_inner()
    );
}

#[test]
fn the_profile_example_in_the_api_guide_is_valid() {
    let guide = include_str!("../../../../docs/API.md");
    let routing = &guide[guide.find("## Routing").expect("a routing section")..];
    let start = routing.find("```json\n").expect("an example") + 8;
    let end = start + routing[start..].find("```").unwrap();
    let example: serde_json::Value = serde_json::from_str(&routing[start..end]).unwrap();
    let profile = RoutingProfile::from_json(&example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        profile.pickup_shortage,
        super::profile::PickupShortage::Transfer
    );
    assert_eq!(profile.filters.max_splits, 2);
}

#[test]
fn between_plans_of_equal_cost_optimal_takes_the_nearer_location_whatever_the_listing_order() {
    // Both within the first distance band: the same price, the same handling, the same date.
    let far = candidate("AAA-FAR", 51.0, &[("A", 5)]);
    let near = candidate("ZZZ-NEAR", 50.2, &[("A", 5)]);
    let order = lines(&[("A", 1)]);
    let profile = RoutingProfile {
        strategy: Strategy::Optimal,
        ..RoutingProfile::default()
    };
    let router = ProfileRouter::new(profile);
    for listed in [
        vec![far.clone(), near.clone()],
        vec![near.clone(), far.clone()],
    ] {
        let routed = router.route(&request(&order), &listed);
        assert_eq!(routed.plan[0].location, code("ZZZ-NEAR"), "{listed:?}");
        let explanation = routed.explanation.unwrap();
        assert_eq!(explanation.runner_up.as_ref().unwrap().lost_by, 0);
        assert!(
            explanation.tie_break.unwrap().contains("nearer"),
            "the explanation says why"
        );
    }
    // At one distance, the earlier delivery; at one date too, the lower code.
    let mut early = candidate("ZZZ-EARLY", 51.0, &[("A", 5)]);
    early.delivery_date = Some(date(2026, 11, 23));
    let routed = router.route(&request(&order), &[far.clone(), early]);
    assert_eq!(routed.plan[0].location, code("ZZZ-EARLY"));
    let twin = candidate("BBB-TWIN", 51.0, &[("A", 5)]);
    let routed = router.route(&request(&order), &[twin, far]);
    assert_eq!(routed.plan[0].location, code("AAA-FAR"));
}
