//! Releasing work to locations: the orders whose allocations are due — at once, or at their
//! location's release waves — each given its fulfilment orders, a few dozen orders per
//! transaction so that orders being placed are not kept waiting behind a pass. The releaser
//! runs it every `release_interval_ms`; operations may run it for one order or location.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ordo_domain::auth::{Action, Principal};
use ordo_domain::fulfillment::{FulfillmentOrder, due_at, next_release_at, release};
use ordo_domain::location::Location;
use ordo_domain::order::OrderEvent;
use ordo_store::ids::new_id;
use ordo_store::{RELEASE_ORDERS_MAX, ReleaseFilter, Store};
use tokio::task::JoinHandle;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::transact::{Attempt, retrying};

/// Orders released per transaction.
const RELEASE_BATCH_ORDERS: usize = 64;

impl App {
    /// Releases what is due now: every order, or one order's or one location's allocations.
    pub async fn release(
        &self,
        principal: &Principal,
        filter: &ReleaseFilter,
    ) -> AppResult<Vec<FulfillmentOrder>> {
        principal.scope(Action::Operate)?;
        let now_ms = self.clock.now_ms();
        release_due(self.store.as_ref(), filter, now_ms, &principal.actor()).await
    }
}

/// Starts the releaser: every `interval_ms` it releases the allocations due.
pub(crate) fn start_releaser(runner: crate::jobs::Runner, interval_ms: u64) -> JoinHandle<()> {
    let every = Duration::from_millis(interval_ms.max(10));
    let waves = Arc::new(Mutex::new(None));
    runner.start("releaser", every, move |store, clock| {
        let waves = waves.clone();
        async move {
            let now_ms = clock.now_ms();
            match release_waiting(store.as_ref(), now_ms, &waves).await {
                Ok(released) if released.is_empty() => {}
                Ok(released) => {
                    tracing::debug!(count = released.len(), "released work to locations")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "releasing work to locations failed; will retry")
                }
            }
        }
    })
}

/// The releaser's pass: the orders whose time to be looked at has come, each released as far
/// as it is due and told when to be looked at next. At its first pass, and when the locations'
/// release waves have changed since its last, every order waiting is looked at again first.
async fn release_waiting(
    store: &dyn Store,
    now_ms: i64,
    waves_seen: &Mutex<Option<u64>>,
) -> AppResult<Vec<FulfillmentOrder>> {
    let locations = store.all_locations().await?;
    let waves = waves_of(&locations);
    let seen = *waves_seen.lock().map_err(|_| poisoned())?;
    let mut tx = store.transaction().await?;
    if seen != Some(waves) {
        tx.recheck_releases().await?;
    }
    let ids = tx
        .orders_to_release(now_ms, RELEASE_ORDERS_MAX as usize)
        .await?;
    tx.commit().await?;
    *waves_seen.lock().map_err(|_| poisoned())? = Some(waves);
    let mut released = Vec::new();
    for chunk in ids.chunks(RELEASE_BATCH_ORDERS) {
        let releasing = || release_orders(store, chunk, &locations, now_ms, "system:release");
        released.extend(retrying(releasing).await?);
    }
    Ok(released)
}

/// The locations' release waves, as one number that changes when any of them does.
fn waves_of(locations: &[Location]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for l in locations {
        (
            l.code.as_str(),
            l.time_zone.as_str(),
            l.release_waves.names(),
        )
            .hash(&mut hasher);
    }
    hasher.finish()
}

fn poisoned() -> AppError {
    AppError::Internal("the releaser's state was poisoned".into())
}

/// Finds the orders with allocations due at `now_ms`, then releases them in short
/// transactions; answers the fulfilment orders made or grown.
async fn release_due(
    store: &dyn Store,
    filter: &ReleaseFilter,
    now_ms: i64,
    actor: &str,
) -> AppResult<Vec<FulfillmentOrder>> {
    let locations = store.all_locations().await?;
    let due = due_at(&locations, now_ms);
    let ids = store.orders_due_for_release(filter, &due).await?;
    let mut released = Vec::new();
    for chunk in ids.chunks(RELEASE_BATCH_ORDERS) {
        let releasing = || release_orders(store, chunk, &locations, now_ms, actor);
        released.extend(retrying(releasing).await?);
    }
    Ok(released)
}

/// One transaction: lock the orders, load their open work, let the domain release each
/// order's due allocations, write the work made or grown and the orders.
async fn release_orders(
    store: &dyn Store,
    ids: &[String],
    locations: &[Location],
    now_ms: i64,
    actor: &str,
) -> Attempt<Vec<FulfillmentOrder>> {
    let mut tx = store.transaction().await?;
    let mut records = tx.lock_orders(ids).await?;
    let open = tx.open_fulfillment_orders(ids).await?;
    let mut released = Vec::new();
    let mut events: Vec<OrderEvent> = Vec::new();
    let mut fresh: Vec<FulfillmentOrder> = Vec::new();
    let mut checks = Vec::with_capacity(records.len());
    for record in &mut records {
        let seq_before = record.order.event_seq;
        let mine: Vec<FulfillmentOrder> = open
            .iter()
            .filter(|f| f.order_id == record.order.id)
            .cloned()
            .collect();
        let plan = release(
            &mut record.order,
            &record.reservations,
            &mine,
            locations,
            now_ms,
            actor,
            &mut || new_id("ful", now_ms),
        );
        let next = next_release_at(&record.order, &record.reservations, locations, now_ms);
        checks.push((record.order.id.as_str(), next));
        if plan.fulfillment_orders.is_empty() {
            continue;
        }
        for fo in &plan.fulfillment_orders {
            if mine.iter().any(|m| m.id == fo.id) {
                tx.save_fulfillment_order(fo).await?;
            } else {
                fresh.push(fo.clone());
            }
        }
        tx.update_order(&record.order, seq_before).await?;
        events.extend(plan.events);
        released.extend(plan.fulfillment_orders);
    }
    tx.insert_fulfillment_orders(&fresh).await?;
    tx.append_order_events(&events).await?;
    // After the orders' own updates, which ask for a look at once while units wait.
    tx.set_release_checks(&checks).await?;
    tx.commit().await?;
    Ok(released)
}
