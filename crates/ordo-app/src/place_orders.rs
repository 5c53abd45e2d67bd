//! Placing a batch of orders in one transaction — what lets order capture reach high rates on
//! one small machine. Load what the batch is decided against (orders and idempotency keys
//! already stored, the checkout holds it converts, the stock of its items, reference data);
//! the domain places each order in turn against the same stock book; write the placed orders
//! with everything they reserved; commit. The writer (`writer.rs`) gathers the batches.

use std::collections::HashMap;

use ordo_domain::fulfillment::FulfillmentOrder;
use ordo_domain::order::{Order, Placement};
use ordo_store::{
    Deciders, FulfillmentRef, NewClaim, OrderKey, OrderRecord, Store, StoreError, Tx,
};

use crate::error::{AppError, AppResult};
use crate::place_command::{Decided, PlaceCommand, PlaceOutcome};
use crate::place_facts::{BatchFacts, SupplyScope};
use crate::stock::StockWork;
use crate::transact::{Abort, Attempt, retrying};

/// Places a batch, answering each order. If the batch as a whole fails (a row another server
/// wrote meanwhile, say), its orders are placed one by one, so each gets its own answer.
pub async fn place_orders(
    store: &dyn Store,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> AppResult<Vec<PlaceOutcome>> {
    match place_batch(store, batch, deciders).await {
        Err(e) if batch.len() > 1 => {
            tracing::warn!(error = %e, orders = batch.len(), "order batch failed; placing its orders one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for command in batch {
                let single = std::slice::from_ref(command);
                outcomes.extend(place_batch(store, single, deciders).await?.pop());
            }
            Ok(outcomes)
        }
        result => result,
    }
}

async fn place_batch(
    store: &dyn Store,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> AppResult<Vec<PlaceOutcome>> {
    let (decided, released) = retrying(|| decide_and_write(store, batch, deciders)).await?;
    answers(store, decided, &released).await
}

/// Decides first with the supply of the items that may run short; if an item thought safe
/// had to wait after all (a router that leaves units unallocated), again with every item's.
async fn decide_and_write(
    store: &dyn Store,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> Attempt<(Vec<Decided>, Vec<FulfillmentOrder>)> {
    if let Some(done) = attempt(store, batch, deciders, SupplyScope::MayRunShort).await? {
        return Ok(done);
    }
    let every = attempt(store, batch, deciders, SupplyScope::Every).await?;
    every.ok_or_else(|| {
        let broken = "a batch with every item's supply loaded asked for more";
        Abort::Refused(AppError::Internal(broken.into()))
    })
}

/// One transaction: load, decide each order in turn, write, commit. `None` (nothing
/// written) when an item whose supply was not loaded had units waiting.
async fn attempt(
    store: &dyn Store,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
    scope: SupplyScope,
) -> Attempt<Option<(Vec<Decided>, Vec<FulfillmentOrder>)>> {
    let mut tx = store.transaction().await?;
    let now_ms = batch.iter().map(|c| c.now_ms).max().unwrap_or(0);
    let (mut facts, mut work) = BatchFacts::load(&mut tx, batch, deciders, scope, now_ms).await?;
    // Loaded once; each placed order adds its packages to them as it is routed.
    work.load_loads(&mut tx).await?;
    let mut decided = Vec::with_capacity(batch.len());
    for command in batch {
        decided.push(facts.decide(command, &mut work, deciders));
    }
    if facts.undated(&decided) {
        return Ok(None);
    }
    number_orders(&mut tx, &mut decided).await?;
    write(&mut tx, batch, work, &mut decided, &facts.released).await?;
    tx.commit().await?;
    Ok(Some((decided, facts.released)))
}

fn placements(decided: &[Decided]) -> impl Iterator<Item = &Placement> {
    decided.iter().filter_map(|d| match d {
        Decided::Placed(p) => Some(p.as_ref()),
        _ => None,
    })
}

/// Gives the placed orders consecutive numbers, in the order they arrived, and fills them
/// into the batch's duplicates of those orders.
async fn number_orders(tx: &mut Tx, decided: &mut [Decided]) -> Attempt<()> {
    let count = placements(decided).count();
    let mut numbers = tx.next_order_numbers(count).await?.into_iter();
    let mut assigned: HashMap<String, String> = HashMap::new();
    for d in decided.iter_mut() {
        if let Decided::Placed(p) = d {
            let too_few = || StoreError::Corrupt("too few order numbers".into());
            p.order.number = numbers.next().ok_or_else(too_few)?.to_string();
            assigned.insert(p.order.id.clone(), p.order.number.clone());
        }
    }
    for d in decided.iter_mut() {
        if let Decided::Done(outcome) = d
            && let PlaceOutcome::Duplicate { order_id, number } = outcome.as_mut()
            && number.is_empty()
            && let Some(assigned) = assigned.get(order_id)
        {
            number.clone_from(assigned);
        }
    }
    Ok(())
}

/// Writes the placed orders, the keys they claimed, the holds they start with, the work
/// released at capture, and everything they did to stock. The placements keep what their
/// answers show (the order and its reservations); their ledger and timeline move into the
/// stock work.
async fn write(
    tx: &mut Tx,
    batch: &[PlaceCommand],
    mut work: StockWork,
    decided: &mut [Decided],
    released: &[FulfillmentOrder],
) -> Attempt<()> {
    let claims: Vec<NewClaim> = batch
        .iter()
        .zip(decided.iter())
        .filter(|(_, d)| matches!(d, Decided::Placed(_)))
        .filter_map(|(c, _)| {
            let claim = c.idempotency.as_ref()?;
            let (order_id, at_ms) = (c.order_id.as_str(), c.now_ms);
            Some(NewClaim {
                claim,
                order_id,
                at_ms,
            })
        })
        .collect();
    let orders: Vec<&Order> = placements(decided).map(|p| &p.order).collect();
    tx.insert_orders(&orders, &claims).await?;
    for hold in placements(decided).flat_map(|p| &p.holds) {
        tx.insert_order_hold(hold).await?;
    }
    tx.insert_fulfillment_orders(released).await?;
    let changes = &mut work.changes;
    for d in decided.iter_mut() {
        if let Decided::Placed(p) = d {
            changes.reservations.extend(p.reservations.iter().cloned());
            changes.ledger.append(&mut p.ledger);
            changes.order_events.append(&mut p.events);
        }
    }
    work.finish(tx).await
}

/// Each command's answer, once its batch has committed.
async fn answers(
    store: &dyn Store,
    decided: Vec<Decided>,
    released: &[FulfillmentOrder],
) -> AppResult<Vec<PlaceOutcome>> {
    let mut outcomes = Vec::with_capacity(decided.len());
    for d in decided {
        outcomes.push(match d {
            Decided::Done(outcome) => *outcome,
            Decided::Placed(p) => PlaceOutcome::Placed(placed_record(*p, released)),
            Decided::Replay(order_id) => {
                let record = store.order(&OrderKey::Id(order_id.clone())).await?;
                let gone = || AppError::Internal(format!("order {order_id} of a stored key"));
                PlaceOutcome::Replayed(record.ok_or_else(gone)?)
            }
        });
    }
    Ok(outcomes)
}

fn placed_record(placement: Placement, released: &[FulfillmentOrder]) -> OrderRecord {
    let fulfillment = released
        .iter()
        .filter(|f| f.order_id == placement.order.id)
        .map(FulfillmentRef::of)
        .collect();
    OrderRecord {
        order: placement.order,
        reservations: placement.reservations,
        fulfillment,
        // A new order has neither parcels nor alerts yet.
        shipments: Vec::new(),
        alerts: Vec::new(),
    }
}
