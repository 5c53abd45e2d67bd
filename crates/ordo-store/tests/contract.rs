//! The store contract: what every backend must do. Each test runs on SQLite, and on
//! PostgreSQL when ORDO_TEST_POSTGRES_URL is set, each on a fresh database.

use ordo_domain::inventory::StockState;
use ordo_domain::inventory::{
    Cause, InventoryError, LedgerEntry, MoveProblem, Movement, apply_moves,
};
use ordo_domain::order::OrderStatus;
use ordo_store::*;
use ordo_testkit::fixtures::*;
use ordo_testkit::{CLOCK_START_MS, on_both_backends};

/// One stock movement as a use case makes it: positions locked, the domain applies it, the
/// changes written and committed.
async fn move_stock(
    store: &dyn Store,
    location: &str,
    s: &str,
    movement: Movement,
) -> Result<Vec<LedgerEntry>, Vec<(usize, MoveProblem)>> {
    let mut tx = store.transaction().await.unwrap();
    let moves = [(code(location), sku(s), movement)];
    let locations = tx.existing_locations(&[&moves[0].0].into()).await.unwrap();
    let items = tx.existing_items(&[&moves[0].1].into()).await.unwrap();
    let mut changes = StockChanges::new(tx.lock_stock(&items).await.unwrap(), CLOCK_START_MS);
    let cause = Cause {
        at_ms: CLOCK_START_MS,
        reason: Some("test"),
        reference: None,
        actor: "test",
    };
    let entries = apply_moves(&mut changes.book, &moves, &locations, &items, cause)?;
    changes.ledger.extend(entries.iter().cloned());
    tx.write_stock(&changes, &[]).await.unwrap();
    tx.commit().await.unwrap();
    Ok(entries)
}

on_both_backends! {
    async fn a_job_lease_has_one_holder_until_it_runs_out(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[]).await else { return };
        let t = CLOCK_START_MS;
        assert!(store.lease_job("releaser", "a", t, 10_000).await.unwrap(), "a free job is taken");
        assert!(!store.lease_job("releaser", "b", t + 1, 10_000).await.unwrap(), "held by a");
        assert!(store.lease_job("alert_scan", "b", t + 1, 10_000).await.unwrap(), "another job is free");
        assert!(store.lease_job("releaser", "a", t + 9_000, 10_000).await.unwrap(), "a renews");
        assert!(!store.lease_job("releaser", "b", t + 12_000, 10_000).await.unwrap(), "renewed until t + 19 s");
        assert!(store.lease_job("releaser", "b", t + 19_001, 10_000).await.unwrap(), "ran out: b takes over");
        assert!(!store.lease_job("releaser", "a", t + 19_002, 10_000).await.unwrap(), "now held by b");
    }

    async fn reference_data_round_trips_and_codes_are_unique(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[]).await else { return };
        let mut north = store.location(&code("NORTH")).await.unwrap().expect("NORTH exists");
        assert_eq!(north, location("NORTH", 53.55, 9.99));
        assert!(matches!(store.insert_location(&north).await, Err(StoreError::AlreadyExists(_))));
        north.name = "Hamburg North".into();
        north.active = false;
        store.update_location(&north).await.unwrap();
        assert_eq!(store.location(&code("NORTH")).await.unwrap().unwrap().name, "Hamburg North");
        assert!(matches!(store.update_location(&location("NOPE", 1.0, 1.0)).await, Err(StoreError::NotFound(_))));
        assert_eq!(store.item(&sku("B")).await.unwrap().unwrap(), item("B"));
    }

    async fn locations_a_transaction_reads_follow_every_change(backend: Backend) {
        let Some((db, store)) = store_with(backend, &[]).await else { return };
        let name_in_tx = |code_: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.transaction().await.unwrap();
                let locations = tx.locations().await.unwrap();
                tx.rollback().await.unwrap();
                let found = locations.iter().find(|l| l.code == code(code_));
                (locations.len(), found.map(|l| l.name.clone()))
            }
        };
        let (count, north) = name_in_tx("NORTH").await;
        assert_eq!(north.as_deref(), Some("Location NORTH"));
        let mut renamed = store.location(&code("NORTH")).await.unwrap().unwrap();
        renamed.name = "Hamburg North".into();
        store.update_location(&renamed).await.unwrap();
        assert_eq!(name_in_tx("NORTH").await.1.as_deref(), Some("Hamburg North"), "an update through the store");
        ordo_testkit::db::execute(&db, "UPDATE locations SET name = 'Behind' WHERE code = 'NORTH'").await;
        assert_eq!(name_in_tx("NORTH").await.1.as_deref(), Some("Behind"), "a change behind the store's back");
        store.insert_location(&location("EAST", 52.0, 13.0)).await.unwrap();
        assert_eq!(name_in_tx("EAST").await, (count + 1, Some("Location EAST".into())), "a new location");
    }

    async fn channel_rules_a_transaction_reads_follow_every_change(backend: Backend) {
        let Some((db, store)) = store_with(backend, &[]).await else { return };
        let active_in_tx = || {
            let store = store.clone();
            async move {
                let mut tx = store.transaction().await.unwrap();
                let rules = tx.channel_rules(&["web", "pos"].into()).await.unwrap();
                tx.rollback().await.unwrap();
                let mut codes: Vec<String> = rules.keys().map(|c| c.to_string()).collect();
                codes.sort();
                codes
            }
        };
        assert_eq!(active_in_tx().await, vec!["pos", "web"]);
        ordo_testkit::db::execute(&db, "UPDATE channels SET active = 0 WHERE code = 'pos'").await;
        assert_eq!(active_in_tx().await, vec!["web"], "a channel switched off is seen at once");
        ordo_testkit::db::execute(&db, "UPDATE channels SET active = 1 WHERE code = 'pos'").await;
        assert_eq!(active_in_tx().await, vec!["pos", "web"], "and switched on again");
    }

    async fn lists_page_through_every_row_once(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[]).await else { return };
        let first = store.items(&PageRequest::first(2)).await.unwrap();
        assert_eq!(first.items.len(), 2);
        let cursor = first.next_cursor.clone().expect("a second page");
        let second = store.items(&PageRequest { limit: 2, cursor: Some(cursor) }).await.unwrap();
        let skus: Vec<String> = first.items.iter().chain(&second.items).map(|i| i.sku.to_string()).collect();
        assert_eq!(skus, vec!["A", "B", "C"]);
        assert!(second.next_cursor.is_none());
    }

    async fn stock_moves_are_ledgered_and_never_break_a_position(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 10)]).await else { return };
        let applied = move_stock(&*store, "NORTH", "A", Movement::Adjust { delta: -3, state: StockState::Sellable }).await;
        assert!(matches!(applied, Ok(ref e) if e[0].on_hand_after == 7));
        let refused = move_stock(&*store, "NORTH", "A", Movement::Adjust { delta: -8, state: StockState::Sellable }).await;
        assert_eq!(refused.unwrap_err(), vec![(0, MoveProblem::Refused(InventoryError::Negative { figure: "on hand", value: -1 }))]);
        let unknown = move_stock(&*store, "MARS", "A", Movement::Adjust { delta: 1, state: StockState::Sellable }).await;
        assert_eq!(unknown.unwrap_err(), vec![(0, MoveProblem::UnknownLocation)]);

        let filter = PositionFilter { sku: Some(sku("A")), location: Some(code("NORTH")) };
        let position = store.positions(&filter, &PageRequest::first(10), CLOCK_START_MS).await.unwrap().items.pop().unwrap();
        assert_eq!((position.on_hand, position.reserved), (7, 0));
        let ledger = store.ledger(&filter, &PageRequest::first(10)).await.unwrap().items;
        let deltas: Vec<i64> = ledger.iter().map(|r| r.entry.on_hand_delta).collect();
        assert_eq!(deltas, vec![-3, 10], "newest first: the adjustment, then the opening count");
    }

    async fn placing_reserves_and_a_transaction_sees_it_locked(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 5), ("SOUTH", "A", 5), ("SOUTH", "B", 2)]).await else { return };
        let placed = place_one(&*store, place_command("W-1", &[("A", 2), ("B", 1)])).await;
        assert_eq!(placed.order.status, OrderStatus::Allocated);
        assert_eq!(placed.order.number, "100001");
        assert!(placed.reservations.iter().all(|r| r.location == code("SOUTH")), "SOUTH alone has the whole order");
        let south_a = store.positions(&PositionFilter { sku: Some(sku("A")), location: Some(code("SOUTH")) }, &PageRequest::first(1), CLOCK_START_MS).await.unwrap().items[0].clone();
        assert_eq!(south_a.reserved, 2);

        let by_number = store.order(&OrderKey::Number("100001".into())).await.unwrap().unwrap();
        assert_eq!(by_number.order, placed.order);
        assert_eq!(by_number.reservations, placed.reservations);

        // A use case's transaction sees the same order and the units it holds, locked.
        let mut tx = store.transaction().await.unwrap();
        let peeked = tx.peek_order(&OrderKey::Number("100001".into())).await.unwrap().unwrap();
        assert_eq!(peeked.order.id, placed.order.id);
        let book = tx.lock_stock(&[sku("A"), sku("B")].into()).await.unwrap();
        let south = book.get(&code("SOUTH"), &sku("A")).unwrap();
        assert_eq!((south.on_hand, south.reserved), (5, 2));
        let locked = tx.lock_order(&OrderKey::Id(placed.order.id.clone())).await.unwrap().unwrap();
        assert_eq!(locked.reservations, placed.reservations);
        drop(tx);
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
    }

    async fn orders_are_found_by_filters_and_paged_newest_first(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 10)]).await else { return };
        for i in 0..3 {
            let mut command = place_command(&format!("W-{i}"), &[("A", 1)]);
            command.now_ms = CLOCK_START_MS + i;
            command.order_id = ordo_store::ids::new_id("ord", CLOCK_START_MS + i);
            place_one(&*store, command).await;
        }
        let page = store.orders(&OrderFilter::default(), &PageRequest::first(2)).await.unwrap();
        let externals: Vec<&str> = page.items.iter().map(|r| r.order.external_id.as_str()).collect();
        assert_eq!(externals, vec!["W-2", "W-1"]);
        let rest = store.orders(&OrderFilter::default(), &PageRequest { limit: 2, cursor: page.next_cursor }).await.unwrap();
        assert_eq!(rest.items.len(), 1);
        assert_eq!(rest.items[0].order.lines.len(), 1);

        let by_q = |q: &str| OrderFilter { q: Some(q.into()), ..Default::default() };
        assert_eq!(store.orders(&by_q("W-1"), &PageRequest::first(10)).await.unwrap().items.len(), 1);
        assert_eq!(store.orders(&by_q("ANN EXAM"), &PageRequest::first(10)).await.unwrap().items.len(), 3);
        assert_eq!(store.orders(&by_q("50%"), &PageRequest::first(10)).await.unwrap().items.len(), 0);
        let allocated = OrderFilter { status: Some(OrderStatus::Allocated), channel: Some(channel_code("web")), created_after_ms: Some(CLOCK_START_MS), q: None };
        assert_eq!(store.orders(&allocated, &PageRequest::first(10)).await.unwrap().items.len(), 2);
    }

    async fn a_reopened_store_has_everything(backend: Backend) {
        let Some((db, store)) = store_with(backend, &[("NORTH", "A", 4)]).await else { return };
        let placed = place_one(&*store, place_command("W-1", &[("A", 1)])).await;
        store.close().await;
        drop(store);
        let reopened = db.store().await;
        let found = reopened.order(&OrderKey::Id(placed.order.id.clone())).await.unwrap().expect("the order survives");
        assert_eq!(found.order, placed.order);
        let next = place_one(&*reopened, place_command("W-2", &[("A", 1)])).await;
        assert_eq!(next.order.number, "100002", "numbering continues after a restart");
    }

    async fn the_check_finds_a_reserved_figure_that_disagrees_with_its_reservations(backend: Backend) {
        let Some((db, store)) = store_with(backend, &[("NORTH", "A", 5)]).await else { return };
        place_one(&*store, place_command("W-1", &[("A", 2)])).await;
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
        ordo_testkit::db::execute(&db, "UPDATE inventory_positions SET reserved = 3 WHERE sku = 'A'").await;
        let breaches = store.check_invariants().await.unwrap();
        let kinds: Vec<&str> = breaches.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, vec!["position", "ledger"], "{breaches:?}");
        assert_eq!(breaches[0].subject, "A@NORTH");
        assert!(breaches[0].detail.contains("reserved is 3 but its held reservations sum to 2"));
        assert!(breaches[1].detail.contains("the ledger adds up to 5 and 2"), "{breaches:?}");
        ordo_testkit::db::execute(&db, "UPDATE inventory_positions SET reserved = 2, on_hand = 4 WHERE sku = 'A'").await;
        let unexplained = store.check_invariants().await.unwrap();
        assert_eq!(unexplained.len(), 1, "an on-hand figure the ledger does not explain: {unexplained:?}");
        assert_eq!(unexplained[0].kind, "ledger");
        ordo_testkit::db::execute(&db, "UPDATE inventory_positions SET on_hand = 5 WHERE sku = 'A'").await;
        ordo_testkit::db::execute(&db, "UPDATE order_lines SET qty_backordered = 1").await;
        assert!(store.check_invariants().await.unwrap().iter().any(|b| b.kind == "order_line"));
    }

}
