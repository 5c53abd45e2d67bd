use super::*;
use crate::geo::{CountryCode, GeoPoint};
use crate::inventory::Position;
use crate::location::{Capabilities, LocationAddress, LocationKind, TimeZoneName};
use crate::promise::DistanceBands;
use crate::routing::{ProfileRouter, RoutingProfile, Strategy};
use crate::values::Sku;

fn place(code: &str, lat: f64) -> Location {
    Location {
        code: LocationCode::parse(code).unwrap(),
        name: code.into(),
        kind: LocationKind::Warehouse,
        address: LocationAddress {
            country: CountryCode::parse("DE").unwrap(),
            region: None,
            city: String::new(),
            line1: None,
            line2: None,
            postal_code: String::new(),
            point: Some(GeoPoint::new(lat, 10.0).unwrap()),
        },
        capabilities: Capabilities {
            ship: true,
            pickup: false,
        },
        daily_order_capacity: None,
        cutoff_local_time: None,
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        receiving_lead_time_days: 0,
        release_waves: Default::default(),
        active: true,
        created_at_ms: 0,
        updated_at_ms: 0,
    }
}

fn line(no: u32, sku: &str) -> RouteLine {
    RouteLine {
        line_no: no,
        sku: Sku::parse(sku).unwrap(),
        quantity: 1,
        unit_weight_g: Some(500),
    }
}

fn at(line_no: u32, code: &str) -> PlannedAllocation {
    PlannedAllocation {
        line_no,
        location: LocationCode::parse(code).unwrap(),
        quantity: 1,
    }
}

#[test]
fn planning_pending_orders_together_removes_a_split_that_arrival_order_caused() {
    // NEAR holds one A and one B; FAR one A. A single-A order arrived first and took
    // NEAR's A, so the A+B order that followed split between FAR and NEAR.
    let locations = [place("NEAR", 50.1), place("FAR", 53.0)];
    let sources: Vec<&Location> = locations.iter().collect();
    let position = |l: &str, s: &str, reserved: i64| Position {
        on_hand: 1,
        reserved,
        ..Position::empty(LocationCode::parse(l).unwrap(), Sku::parse(s).unwrap())
    };
    let book = StockBook::new([
        position("NEAR", "A", 1),
        position("NEAR", "B", 1),
        position("FAR", "A", 1),
    ]);
    let router = ProfileRouter::new(RoutingProfile {
        strategy: Strategy::Optimal,
        ..RoutingProfile::default()
    });
    let profile = RoutingProfile::default();
    let to = Destination {
        point: Some(GeoPoint::new(50.0, 10.0).unwrap()),
        ..Destination::default()
    };
    let pending = |lines: Vec<RouteLine>, plan: Vec<PlannedAllocation>| PendingPlan {
        lines,
        to,
        sources: sources.clone(),
        rules: None,
        router: &router,
        costs: &profile.costs,
        estimator: &profile.shipping_rates,
        plan,
        now_ms: 0,
    };
    let single = pending(vec![line(1, "A")], vec![at(1, "NEAR")]);
    let pair = pending(
        vec![line(1, "A"), line(2, "B")],
        vec![at(1, "FAR"), at(2, "NEAR")],
    );
    let loads = HashMap::new();
    let shared = Shared {
        transit: &DistanceBands::default(),
        loads: &loads,
        now_ms: 0,
    };
    let result = reoptimize(&[single, pair], &book, &shared);
    assert_eq!(result.phase, Phase::Joint);
    assert_eq!(
        (result.split_orders_before, result.split_orders_after),
        (1, 0)
    );
    assert_eq!((result.packages_before, result.packages_after), (3, 2));
    assert!(result.cost_after < result.cost_before);
    let moved: Vec<(usize, Vec<String>)> = result
        .replans
        .iter()
        .map(|r| {
            (
                r.index,
                r.plan.iter().map(|a| a.location.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(moved.len(), 2, "both orders change: {moved:?}");
    assert!(moved.contains(&(1, vec!["NEAR".into(), "NEAR".into()])));
    assert!(moved.contains(&(0, vec!["FAR".into()])));
}
