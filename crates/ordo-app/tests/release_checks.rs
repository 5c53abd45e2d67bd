//! The releaser reads only the orders whose time has come (`release_check_at`): an order
//! placed with allocations not yet released is looked at at once; told when its allocations
//! become due, it is not read again before then; told that nothing waits, not at all — until
//! the order changes while units still wait, or the release waves change. On SQLite, and on
//! PostgreSQL when ORDO_TEST_POSTGRES_URL is set.

use ordo_app::{PlaceOutcome, place_orders};
use ordo_store::*;
use ordo_testkit::fixtures::*;
use ordo_testkit::{CLOCK_START_MS, on_both_backends};

/// The orders the releaser would read at `now_ms`.
async fn to_release(store: &dyn Store, now_ms: i64) -> Vec<String> {
    let mut tx = store.transaction().await.unwrap();
    let ids = tx.orders_to_release(now_ms, 10).await.unwrap();
    tx.rollback().await.unwrap();
    ids
}

async fn check_at(store: &dyn Store, order_id: &str, at_ms: Option<i64>) {
    let mut tx = store.transaction().await.unwrap();
    tx.set_release_checks(&[(order_id, at_ms)]).await.unwrap();
    tx.commit().await.unwrap();
}

on_both_backends! {
    async fn an_order_is_read_when_placed_then_only_when_its_time_comes_or_it_changes(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 10)]).await else { return };
        let mut outcomes = place_orders(&*store, &[place_command("W-1", &[("A", 1)])], &deciders()).await.unwrap();
        let Some(PlaceOutcome::Placed(placed)) = outcomes.pop() else { panic!("placed") };
        let id = placed.order.id.clone();
        assert_eq!(to_release(&*store, CLOCK_START_MS).await, vec![id.clone()], "placed with units to release");

        let wave = CLOCK_START_MS + 3_600_000;
        check_at(&*store, &id, Some(wave)).await;
        assert!(to_release(&*store, wave - 1).await.is_empty(), "not read before its wave");
        assert_eq!(to_release(&*store, wave).await, vec![id.clone()]);

        assert!(store.check_invariants().await.unwrap().is_empty());
        check_at(&*store, &id, None).await;
        assert!(to_release(&*store, i64::MAX).await.is_empty(), "nothing waits: never read");
        // Its units do wait, though: `ordo check` says the releaser would never reach them.
        let breaches = store.check_invariants().await.unwrap();
        assert_eq!(breaches.iter().map(|b| (b.kind, b.subject.as_str())).collect::<Vec<_>>(), vec![("order", id.as_str())]);

        // A change to the order while its units wait asks for a look at once.
        let mut tx = store.transaction().await.unwrap();
        let record = tx.lock_order(&OrderKey::Id(id.clone())).await.unwrap().unwrap();
        tx.update_order(&record.order, record.order.event_seq).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(to_release(&*store, CLOCK_START_MS).await, vec![id.clone()]);

        // New release waves: every order waiting is read again.
        check_at(&*store, &id, Some(wave)).await;
        let mut tx = store.transaction().await.unwrap();
        tx.recheck_releases().await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(to_release(&*store, CLOCK_START_MS).await, vec![id]);
    }
}
