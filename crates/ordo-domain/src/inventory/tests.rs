use super::*;
use crate::channel::{ItemRule, StockRules};
use crate::values::{LocationCode, Sku};

fn code(s: &str) -> LocationCode {
    LocationCode::parse(s).unwrap()
}

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn position(on_hand: i64, reserved: i64, safety_stock: i64) -> Position {
    Position {
        reserved,
        safety_stock,
        ..Position {
            on_hand,
            ..Position::empty(code("L1"), sku("S1"))
        }
    }
}

fn cause() -> Cause<'static> {
    Cause {
        at_ms: 1,
        reason: None,
        reference: None,
        actor: "test",
    }
}

#[test]
fn available_subtracts_reserved_safety_stock_and_unsellable_and_never_goes_negative() {
    assert_eq!(position(10, 3, 2).available(), 5);
    assert_eq!(position(4, 3, 2).available(), 0);
    let p = Position {
        damaged: 2,
        quality_hold: 1,
        ..position(10, 3, 0)
    };
    assert_eq!((p.sellable(), p.available()), (7, 4));
}

#[test]
fn reserving_more_than_available_is_refused_and_changes_nothing() {
    let mut p = position(10, 3, 2);
    let err = p
        .apply(Movement::Reserve { quantity: 6 }, cause())
        .unwrap_err();
    assert_eq!(
        err,
        InventoryError::Unavailable {
            available: 5,
            requested: 6
        }
    );
    assert_eq!(p, position(10, 3, 2));
}

#[test]
fn counts_and_adjustments_cannot_drop_sellable_below_reserved() {
    let mut p = position(10, 6, 0);
    let count = Movement::Count {
        on_hand: 5,
        safety_stock: None,
        damaged: None,
        quality_hold: None,
    };
    assert_eq!(
        p.apply(count, cause()),
        Err(InventoryError::BelowReserved {
            sellable: 5,
            reserved: 6
        })
    );
    assert!(
        p.apply(
            Movement::Adjust {
                delta: -5,
                state: StockState::Sellable
            },
            cause()
        )
        .is_err()
    );
    let entry = p
        .apply(
            Movement::Adjust {
                delta: -4,
                state: StockState::Sellable,
            },
            cause(),
        )
        .unwrap();
    assert_eq!((entry.on_hand_delta, entry.on_hand_after), (-4, 6));
}

#[test]
fn damaged_and_quality_hold_units_stay_in_on_hand_but_are_never_available() {
    let mut p = position(10, 2, 0);
    let damaged = Movement::Reclassify {
        quantity: 3,
        from: StockState::Sellable,
        to: StockState::Damaged,
    };
    let entry = p.apply(damaged, cause()).unwrap();
    assert_eq!(
        (entry.kind, entry.on_hand_delta, entry.damaged_after),
        (LedgerKind::Reclassify, 0, 3)
    );
    assert_eq!((p.on_hand, p.available()), (10, 5));
    let held = Movement::Receive {
        quantity: 4,
        state: StockState::QualityHold,
    };
    p.apply(held, cause()).unwrap();
    assert_eq!((p.on_hand, p.quality_hold, p.available()), (14, 4, 5));
    let too_many = Movement::Reclassify {
        quantity: 6,
        from: StockState::Sellable,
        to: StockState::Damaged,
    };
    assert!(matches!(
        p.apply(too_many, cause()),
        Err(InventoryError::BelowReserved { .. })
    ));
    let write_off = Movement::Adjust {
        delta: -4,
        state: StockState::Damaged,
    };
    assert!(matches!(
        p.apply(write_off, cause()),
        Err(InventoryError::Negative {
            figure: "damaged",
            ..
        })
    ));
}

#[test]
fn commit_takes_units_out_of_both_on_hand_and_reserved() {
    let mut p = position(10, 4, 0);
    let entry = p.apply(Movement::Commit { quantity: 3 }, cause()).unwrap();
    assert_eq!((p.on_hand, p.reserved), (7, 1));
    assert_eq!((entry.on_hand_delta, entry.reserved_delta), (-3, -3));
    assert!(p.apply(Movement::Release { quantity: 2 }, cause()).is_err());
}

#[test]
fn the_book_reports_only_changed_positions() {
    let mut book = StockBook::new([position(10, 0, 0)]);
    assert_eq!(book.changed().count(), 0);
    let (l, s) = (code("L1"), sku("S1"));
    book.apply(&l, &s, Movement::Reserve { quantity: 2 }, cause())
        .unwrap();
    let new_sku = sku("S2");
    book.apply(
        &l,
        &new_sku,
        Movement::Adjust {
            delta: 5,
            state: StockState::Sellable,
        },
        cause(),
    )
    .unwrap();
    let changed: Vec<_> = book
        .changed()
        .map(|c| (c.now.sku.clone(), c.loaded.is_some()))
        .collect();
    assert_eq!(changed.len(), 2);
    assert!(changed.contains(&(s, true)) && changed.contains(&(new_sku, false)));
}

#[test]
fn a_rollback_undoes_every_movement_since_its_checkpoint_and_nothing_before() {
    let (l, s, new_sku) = (code("L1"), sku("S1"), sku("S2"));
    let mut book = StockBook::new([position(10, 0, 0)]);
    book.apply(&l, &s, Movement::Reserve { quantity: 1 }, cause())
        .unwrap();
    let mark = book.checkpoint();
    book.apply(&l, &s, Movement::Reserve { quantity: 4 }, cause())
        .unwrap();
    let arrive = Movement::Receive {
        quantity: 3,
        state: StockState::Sellable,
    };
    book.apply(&l, &new_sku, arrive, cause()).unwrap();
    book.apply(&l, &s, Movement::Release { quantity: 2 }, cause())
        .unwrap();
    book.rollback(mark);
    assert_eq!(
        book.get(&l, &s).unwrap().reserved,
        1,
        "the movement before the checkpoint stays"
    );
    assert!(
        book.get(&l, &new_sku).is_none(),
        "a position made after it is gone"
    );
    assert_eq!(book.changed().count(), 1);
    book.rollback(mark);
    assert_eq!(
        book.get(&l, &s).unwrap().reserved,
        1,
        "rolling back twice changes nothing"
    );
}

#[test]
fn a_channel_sells_only_what_its_rules_leave() {
    let per_location = vec![(code("A"), 10), (code("B"), 40), (code("C"), 7)];
    let rules = StockRules {
        buffer_percent: 10,
        excluded_locations: vec![code("C")],
        items: vec![ItemRule {
            sku: sku("S1"),
            buffer_units: 5,
            allow_backorder: None,
            allow_preorder: None,
        }],
        ..Default::default()
    };
    // 10% off each: A 9, B 36; C excluded; the 5-unit buffer comes off B, the largest.
    assert_eq!(
        channel_available(&sku("S1"), &per_location, &rules),
        vec![(code("A"), 9), (code("B"), 31), (code("C"), 0)]
    );
    assert_eq!(
        channel_available(&sku("OTHER"), &per_location, &rules)[1],
        (code("B"), 36)
    );
    let big = StockRules {
        items: vec![ItemRule {
            sku: sku("S1"),
            buffer_units: 1000,
            allow_backorder: None,
            allow_preorder: None,
        }],
        ..Default::default()
    };
    assert!(
        channel_available(&sku("S1"), &per_location, &big)
            .iter()
            .all(|(_, q)| *q == 0)
    );
}

#[test]
fn the_network_sums_what_each_location_may_promise() {
    let a = Position {
        location: code("A"),
        ..position(10, 2, 1)
    };
    let b = Position {
        location: code("B"),
        damaged: 3,
        ..position(3, 0, 0)
    };
    let summary = summarize(sku("S1"), vec![a, b], None);
    assert_eq!(
        (
            summary.on_hand,
            summary.reserved,
            summary.unsellable,
            summary.available
        ),
        (13, 2, 3, 7)
    );
}
