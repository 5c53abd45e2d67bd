//! Random sequences of adjust, sync, reclassify, hold, reserve, release, commit, expiry,
//! inbound receipt and transfer steps, run on the pure domain exactly as the store runs them,
//! with every invariant checked after every step:
//! - each position keeps its own invariants (figures in range, unsellable within on hand,
//!   reserved within sellable);
//! - `reserved` equals the sum of the held reservations at the position;
//! - the ledger explains every figure: its deltas add up to on hand and reserved;
//! - units are conserved: on hand plus in transit equals what came in minus what was shipped;
//! - a refused step changes nothing;
//! - a hold never holds more than it asked for, nothing is held once it ends, and no expired
//!   reservation is held once time has been seen to pass;
//! - a transfer never receives more than it shipped, nor ships more than it asked for.
//!
//! The test prints how many cases ran and how many steps were checked.

mod check;
mod world;

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use world::World;

const LOCATIONS: [&str; 3] = ["WH-NORTH", "WH-SOUTH", "STORE-MID"];
const SKUS: [&str; 2] = ["SKU-A", "SKU-B"];
const ACTOR: &str = "model";

#[derive(Debug, Clone)]
enum Op {
    Adjust {
        at: (usize, usize),
        delta: i64,
        state: usize,
    },
    Sync {
        at: (usize, usize),
        on_hand: i64,
        damaged: Option<i64>,
    },
    Reclassify {
        at: (usize, usize),
        quantity: i64,
        from: usize,
        to: usize,
    },
    Hold {
        sku: usize,
        quantity: i64,
        ttl_s: i64,
        at_store: bool,
    },
    EndHold {
        pick: usize,
    },
    Reserve {
        sku: usize,
        quantity: i64,
    },
    Release {
        pick: usize,
    },
    Commit {
        pick: usize,
        quantity: i64,
    },
    Tick {
        seconds: i64,
    },
    Expect {
        at: (usize, usize),
        quantity: i64,
    },
    Receive {
        pick: usize,
        quantity: i64,
        state: usize,
    },
    Request {
        from: usize,
        to: usize,
        sku: usize,
        quantity: i64,
    },
    Ship {
        pick: usize,
    },
    ReceiveTransfer {
        pick: usize,
        quantity: i64,
        state: usize,
    },
    CancelTransfer {
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let at = (0..LOCATIONS.len(), 0..SKUS.len());
    prop_oneof![
        3 => (at.clone(), -8i64..20, 0usize..3).prop_map(|(at, delta, state)| Op::Adjust { at, delta, state }),
        2 => (at.clone(), 0i64..25, proptest::option::of(0i64..6)).prop_map(|(at, on_hand, damaged)| Op::Sync { at, on_hand, damaged }),
        1 => (at.clone(), 0i64..6, 0usize..3, 0usize..3).prop_map(|(at, quantity, from, to)| Op::Reclassify { at, quantity, from, to }),
        3 => (0..SKUS.len(), 1i64..8, 1i64..120, any::<bool>()).prop_map(|(sku, quantity, ttl_s, at_store)| Op::Hold { sku, quantity, ttl_s, at_store }),
        1 => any::<usize>().prop_map(|pick| Op::EndHold { pick }),
        3 => (0..SKUS.len(), 1i64..10).prop_map(|(sku, quantity)| Op::Reserve { sku, quantity }),
        2 => any::<usize>().prop_map(|pick| Op::Release { pick }),
        2 => (any::<usize>(), 1i64..6).prop_map(|(pick, quantity)| Op::Commit { pick, quantity }),
        2 => (1i64..90).prop_map(|seconds| Op::Tick { seconds }),
        1 => (at.clone(), 1i64..30).prop_map(|(at, quantity)| Op::Expect { at, quantity }),
        2 => (any::<usize>(), 1i64..12, 0usize..3).prop_map(|(pick, quantity, state)| Op::Receive { pick, quantity, state }),
        2 => (0..LOCATIONS.len(), 0..LOCATIONS.len(), 0..SKUS.len(), 1i64..8).prop_map(|(from, to, sku, quantity)| Op::Request { from, to, sku, quantity }),
        2 => any::<usize>().prop_map(|pick| Op::Ship { pick }),
        2 => (any::<usize>(), 1i64..8, 0usize..3).prop_map(|(pick, quantity, state)| Op::ReceiveTransfer { pick, quantity, state }),
        1 => any::<usize>().prop_map(|pick| Op::CancelTransfer { pick }),
    ]
}

#[test]
fn random_stock_histories_keep_every_invariant() {
    let cases: u32 = std::env::var("ORDO_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let steps = AtomicU64::new(0);
    let refused = AtomicU64::new(0);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1..120), |ops| {
        let mut world = World::new();
        for (n, op) in ops.iter().enumerate() {
            let before = world.snapshot();
            if let Err(why) = world.step(op) {
                prop_assert!(!why.starts_with("BUG"), "step {n} {op:?}: {why}");
                prop_assert!(
                    world.snapshot() == before,
                    "step {n} {op:?} was refused ({why}) but changed the stock"
                );
                refused.fetch_add(1, Ordering::Relaxed);
            }
            if let Err(broken) = world.check() {
                return Err(TestCaseError::fail(format!(
                    "after step {n} {op:?}: {broken}"
                )));
            }
            steps.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    println!(
        "stock model: {cases} cases, {} steps checked ({} refused and proven harmless)",
        steps.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed)
    );
}
