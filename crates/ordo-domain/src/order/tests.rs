//! Placement and cancellation against small networks, and a property test of no oversell.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::allocation::Routing;
use crate::geo::CountryCode;
use crate::inventory::{Position, StockBook};
use crate::location::{Capabilities, Location, LocationAddress, LocationKind, TimeZoneName};
use crate::money::Currency;
use crate::promise::DistanceBands;
use crate::routing::ProfileRouter;
use crate::values::{ChannelCode, Email, LocationCode, Sku};

fn code(s: &str) -> LocationCode {
    LocationCode::parse(s).unwrap()
}

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn location(c: &str, lat: f64, kind: LocationKind, pickup: bool) -> Location {
    Location {
        code: code(c),
        name: c.into(),
        kind,
        address: LocationAddress {
            country: CountryCode::parse("DE").unwrap(),
            region: None,
            city: "X".into(),
            line1: None,
            line2: None,
            postal_code: "10115".into(),
            point: Some(crate::geo::GeoPoint::new(lat, 10.0).unwrap()),
        },
        capabilities: Capabilities { ship: true, pickup },
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

fn draft(lines: &[(&str, i64)], delivery: Delivery) -> OrderDraft {
    OrderDraft {
        channel: ChannelCode::parse("web").unwrap(),
        external_id: "W-1".into(),
        customer: Customer {
            email: Email::parse("a@b.de").unwrap(),
            name: "A".into(),
            phone: None,
        },
        ship_to: Some(ShipTo {
            name: "A".into(),
            line1: "Street 1".into(),
            line2: None,
            city: "Berlin".into(),
            region: None,
            postal_code: "10115".into(),
            country: CountryCode::parse("DE").unwrap(),
            point: Some(crate::geo::GeoPoint::new(50.0, 10.0).unwrap()),
            directions: None,
        }),
        currency: Currency::parse("EUR").unwrap(),
        lines: lines
            .iter()
            .map(|(s, q)| DraftLine {
                sku: sku(s),
                quantity: *q,
                unit_price_minor: 1000,
            })
            .collect(),
        delivery,
        priority: 0,
        hold_id: None,
        address_problems: Vec::new(),
    }
}

fn items(spec: &[(&str, bool)]) -> HashMap<Sku, ItemFacts> {
    spec.iter()
        .map(|(s, b)| {
            (
                sku(s),
                ItemFacts {
                    active: true,
                    weight_g: None,
                    allow_backorder: *b,
                    preorder: None,
                },
            )
        })
        .collect()
}

fn book(spec: &[(&str, &str, i64)]) -> StockBook {
    StockBook::new(spec.iter().map(|(l, s, q)| Position {
        on_hand: *q,
        ..Position::empty(code(l), sku(s))
    }))
}

fn run(
    d: &OrderDraft,
    items: &HashMap<Sku, ItemFacts>,
    locations: &[Location],
    book: &mut StockBook,
) -> Result<Placement, PlaceRejection> {
    let input = PlaceInput {
        order_id: "ord_1",
        draft: d,
        now_ms: 1000,
        actor: "test",
    };
    let mut items = items.clone();
    let mut supply = SupplyView::default();
    let mut context = PlaceContext {
        items: &mut items,
        locations,
        rules: None,
        supply: &mut supply,
        routing: Routing {
            router: &ProfileRouter::default(),
            transit: &DistanceBands::default(),
            loads: &HashMap::new(),
        },
        pickup_shortage: crate::routing::profile::PickupShortage::Refuse,
    };
    let mut n = 0;
    place(&input, &mut context, book, None, &mut || {
        n += 1;
        format!("res_{n}")
    })
}

#[test]
fn incoming_supply_is_dated_by_when_its_location_has_the_units() {
    let mut north = location("NORTH", 53.5, LocationKind::Warehouse, false);
    north.receiving_lead_time_days = 2;
    let south = location("SOUTH", 48.1, LocationKind::Warehouse, false);
    let mut closed = location("CLOSED", 50.0, LocationKind::Warehouse, false);
    closed.active = false;
    let date = |s: &str| crate::promise::parse_date(s).unwrap();
    let inbound = |at: &str| Incoming::Inbound {
        location: code(at),
        expected: date("2030-01-10"),
    };
    let line = |from: Incoming| IncomingLine {
        sku: sku("A"),
        from,
        units: 5,
    };
    let shipped_at_ms = jiff::Timestamp::from_second(1_893_456_000)
        .unwrap()
        .as_millisecond(); // 2030-01-01
    let incoming = IncomingSupply {
        lines: vec![
            line(inbound("NORTH")),
            line(inbound("CLOSED")),
            line(Incoming::Transfer {
                from: code("SOUTH"),
                to: code("NORTH"),
                shipped_at_ms,
            }),
        ],
        waiting: HashMap::from([(sku("A"), 3)]),
    };
    let view = SupplyView::dated(incoming, &[north, south, closed], &DistanceBands::default());
    let supply = &view.incoming[&sku("A")];
    let ready: Vec<String> = supply
        .iter()
        .map(|s| format!("{}@{}", s.ready, s.location))
        .collect();
    // 600 km from Munich to Hamburg: three days on the road, then two to receive.
    assert_eq!(
        ready,
        ["2030-01-12@NORTH", "2030-01-06@NORTH"],
        "a closed location's supply does not count"
    );
    assert_eq!(view.waiting[&sku("A")], 3);
}

#[test]
fn a_covered_order_is_allocated_with_a_timeline_of_two_events() {
    let locations = [
        location("NEAR", 50.1, LocationKind::Warehouse, false),
        location("FAR", 53.0, LocationKind::Warehouse, false),
    ];
    let mut stock = book(&[("NEAR", "A", 5), ("FAR", "A", 5)]);
    let placed = run(
        &draft(&[("A", 2)], Delivery::Ship),
        &items(&[("A", false)]),
        &locations,
        &mut stock,
    )
    .unwrap();
    assert_eq!(placed.order.status, OrderStatus::Allocated);
    assert_eq!(placed.reservations.len(), 1);
    assert_eq!(placed.reservations[0].location, code("NEAR"));
    assert_eq!(stock.get(&code("NEAR"), &sku("A")).unwrap().reserved, 2);
    let kinds: Vec<_> = placed.events.iter().map(|e| (e.seq, e.kind)).collect();
    let expected = [OrderEventKind::Received, OrderEventKind::Allocated];
    assert_eq!(kinds, vec![(1, expected[0]), (2, expected[1])]);
    assert_eq!(placed.order.totals().total_minor, 2000);
}

#[test]
fn a_short_line_rejects_the_order_and_leaves_the_stock_alone() {
    let locations = [location("L", 50.0, LocationKind::Warehouse, false)];
    let mut stock = book(&[("L", "A", 5), ("L", "B", 1)]);
    let result = run(
        &draft(&[("A", 1), ("B", 3)], Delivery::Ship),
        &items(&[("A", false), ("B", false)]),
        &locations,
        &mut stock,
    );
    let Err(PlaceRejection::Short(shorts)) = result else {
        panic!("expected short lines")
    };
    assert_eq!(
        shorts,
        vec![ShortLine {
            line_no: 2,
            sku: sku("B"),
            requested: 3,
            available: 1
        }]
    );
    assert_eq!(stock.changed().count(), 0);
}

#[test]
fn a_backorderable_line_reserves_what_there_is_and_waits_for_the_rest() {
    let locations = [location("L", 50.0, LocationKind::Warehouse, false)];
    let mut stock = book(&[("L", "A", 1)]);
    let placed = run(
        &draft(&[("A", 3)], Delivery::Ship),
        &items(&[("A", true)]),
        &locations,
        &mut stock,
    )
    .unwrap();
    assert_eq!(placed.order.status, OrderStatus::Backordered);
    let q = placed.order.lines[0].quantities;
    assert_eq!((q.allocated, q.backordered), (1, 2));
    assert!(q.check().is_ok());
}

#[test]
fn pickup_reserves_only_at_the_chosen_store() {
    let locations = [
        location("WH", 50.0, LocationKind::Warehouse, false),
        location("STORE", 52.0, LocationKind::Store, true),
    ];
    let mut stock = book(&[("WH", "A", 9), ("STORE", "A", 1)]);
    let pickup = Delivery::Pickup {
        location: code("STORE"),
    };
    let placed = run(
        &draft(&[("A", 1)], pickup.clone()),
        &items(&[("A", false)]),
        &locations,
        &mut stock,
    )
    .unwrap();
    assert_eq!(placed.reservations[0].location, code("STORE"));
    assert!(matches!(
        run(
            &draft(&[("A", 1)], pickup),
            &items(&[("A", false)]),
            &locations,
            &mut stock
        ),
        Err(PlaceRejection::Short(_))
    ));
    let at_warehouse = Delivery::Pickup {
        location: code("WH"),
    };
    let Err(PlaceRejection::Invalid(errors)) = run(
        &draft(&[("A", 1)], at_warehouse),
        &items(&[("A", false)]),
        &locations,
        &mut stock,
    ) else {
        panic!("a warehouse offers no pickup")
    };
    assert_eq!(
        errors.iter().next().unwrap().field,
        "delivery.pickup_location"
    );
}

#[test]
fn unknown_items_are_named_by_line() {
    let locations = [location("L", 50.0, LocationKind::Warehouse, false)];
    let Err(PlaceRejection::Invalid(errors)) = run(
        &draft(&[("A", 1), ("NOPE", 1)], Delivery::Ship),
        &items(&[("A", false)]),
        &locations,
        &mut book(&[]),
    ) else {
        panic!("expected invalid")
    };
    assert_eq!(
        errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        vec!["lines[1].sku"]
    );
}

#[test]
fn cancelling_releases_every_held_unit_and_cannot_happen_twice() {
    let locations = [location("L", 50.0, LocationKind::Warehouse, false)];
    let mut stock = book(&[("L", "A", 4)]);
    let mut placed = run(
        &draft(&[("A", 3)], Delivery::Ship),
        &items(&[("A", false)]),
        &locations,
        &mut stock,
    )
    .unwrap();
    let decision = cancel(
        &mut placed.order,
        &mut placed.reservations,
        &mut stock,
        Some("customer asked"),
        "test",
        2000,
    )
    .unwrap();
    assert_eq!(stock.get(&code("L"), &sku("A")).unwrap().reserved, 0);
    assert_eq!(decision.ledger.len(), 1);
    assert_eq!(placed.order.status, OrderStatus::Cancelled);
    assert_eq!(placed.order.lines[0].quantities.cancelled, 3);
    assert_eq!(decision.events[0].seq, 3);
    assert!(matches!(
        cancel(
            &mut placed.order,
            &mut placed.reservations,
            &mut stock,
            None,
            "test",
            3000
        ),
        Err(CancelError::Illegal(_))
    ));
}

#[test]
fn line_quantities_must_add_up() {
    let q = LineQuantities {
        ordered: 5,
        allocated: 3,
        backordered: 2,
        ..Default::default()
    };
    assert!(q.check().is_ok());
    let short = LineQuantities {
        ordered: 5,
        allocated: 3,
        ..Default::default()
    };
    assert!(short.check().unwrap_err().contains("not the 5 ordered"));
    let over = LineQuantities {
        ordered: 1,
        shipped: 1,
        delivered: 2,
        ..Default::default()
    };
    assert!(over.check().is_err());
}

proptest! {
    /// Whatever stream of orders arrives, no position is ever reserved beyond what it had
    /// available, every line's quantities add up, and reserved equals the held reservations.
    #[test]
    fn no_order_stream_oversells(
        stock in proptest::collection::vec(0i64..6, 6),
        orders in proptest::collection::vec(proptest::collection::vec((0usize..3, 1i64..4), 1..4), 1..30),
        backorder in any::<bool>(),
    ) {
        let skus = ["A", "B", "C"];
        let locations = [location("L1", 50.0, LocationKind::Warehouse, false), location("L2", 52.0, LocationKind::Store, true)];
        let mut book = StockBook::new(stock.iter().enumerate().map(|(i, q)| Position {
            on_hand: *q,
            ..Position::empty(code(if i < 3 { "L1" } else { "L2" }), sku(skus[i % 3]))
        }));
        let facts = items(&[("A", backorder), ("B", false), ("C", false)]);
        let mut held: HashMap<(LocationCode, Sku), i64> = HashMap::new();
        for lines in &orders {
            let spec: Vec<(&str, i64)> = lines.iter().map(|(s, q)| (skus[*s], *q)).collect();
            if let Ok(placed) = run(&draft(&spec, Delivery::Ship), &facts, &locations, &mut book) {
                for line in &placed.order.lines {
                    prop_assert!(line.quantities.check().is_ok());
                }
                for r in &placed.reservations {
                    *held.entry((r.location.clone(), r.sku.clone())).or_default() += r.quantity;
                }
            }
            for (i, on_hand) in stock.iter().enumerate() {
                let (l, s) = (code(if i < 3 { "L1" } else { "L2" }), sku(skus[i % 3]));
                let reserved = book.get(&l, &s).map_or(0, |p| p.reserved);
                prop_assert!(reserved <= *on_hand);
                prop_assert_eq!(reserved, held.get(&(l, s)).copied().unwrap_or(0));
            }
        }
    }
}

/// An order for three of A, placed from NEAR's five.
fn three_of_a_from_near(locations: &[Location]) -> Placement {
    let mut stock = book(&[("NEAR", "A", 5)]);
    let d = draft(&[("A", 3)], Delivery::Ship);
    run(&d, &items(&[("A", true)]), locations, &mut stock).unwrap()
}

/// Releases what is due of a placed order at `now_ms`, none of it in work yet.
fn release_all(
    placed: &mut Placement,
    locations: &[Location],
    now_ms: i64,
) -> crate::fulfillment::ReleasePlan {
    crate::fulfillment::release(
        &mut placed.order,
        &placed.reservations,
        &[],
        locations,
        now_ms,
        "test",
        &mut || "ful_1".into(),
    )
}

#[test]
fn units_a_count_takes_back_wait_again_and_leave_the_open_work() {
    let locations = [location("NEAR", 50.1, LocationKind::Warehouse, false)];
    let mut placed = three_of_a_from_near(&locations);
    let released = release_all(&mut placed, &locations, 2000);
    let mut open = released.fulfillment_orders;
    assert_eq!(placed.order.lines[0].quantities.released, 3);
    let taking = crate::fulfillment::TakeBack {
        line_no: 1,
        units: 2,
        location: &code("NEAR"),
        still_held: 1,
        now_ms: 3000,
        actor: "test",
    };
    let (event, changed) =
        crate::fulfillment::take_back(&mut placed.order, &mut open, &taking).unwrap();
    assert_eq!(event.kind, OrderEventKind::StockShortfall);
    assert_eq!(changed, [0]);
    let q = &placed.order.lines[0].quantities;
    assert_eq!(
        (q.allocated, q.released, q.backordered),
        (1, 1, 2),
        "two wait again, one is still worked on"
    );
    assert_eq!((open[0].lines[0].quantity, open[0].lines[0].short), (1, 2));
}

#[test]
fn an_order_waiting_for_a_wave_is_next_worth_releasing_at_that_wave() {
    let mut warehouse = location("NEAR", 50.1, LocationKind::Warehouse, false);
    warehouse.release_waves = crate::location::ReleaseWaves::parse(&["13:00".into()]).unwrap();
    let locations = [warehouse];
    let mut placed = three_of_a_from_near(&locations);
    let next =
        crate::fulfillment::next_release_at(&placed.order, &placed.reservations, &locations, 1000);
    let wave = locations[0].release_waves.next_wave_ms(
        &locations[0].time_zone,
        placed.reservations[0].created_at_ms,
    );
    assert_eq!(next, Some(wave));
    assert!(wave > 1000);
    // Once the wave has come, what it made due is released and nothing waits any more.
    let released = release_all(&mut placed, &locations, wave);
    assert_eq!(released.fulfillment_orders.len(), 1);
    let after =
        crate::fulfillment::next_release_at(&placed.order, &placed.reservations, &locations, wave);
    assert_eq!(after, None);
    // An order on hold waits for the change that lifts it, not for a wave.
    placed.order.status = OrderStatus::OnHold;
    assert_eq!(
        crate::fulfillment::next_release_at(&placed.order, &placed.reservations, &locations, 1000),
        None
    );
}
