//! Placing orders, the app's busiest use case: batches share stock in order of arrival, keys
//! replay, external ids stay unique, concurrent batches never oversell, and units a router
//! leaves waiting are dated from incoming supply. On SQLite, and on PostgreSQL when
//! ORDO_TEST_POSTGRES_URL is set, each on a fresh database.

use ordo_app::{PlaceCommand, PlaceOutcome};
use ordo_domain::order::PlaceRejection;
use ordo_store::*;
use ordo_testkit::fixtures::*;
use ordo_testkit::{CLOCK_START_MS, TestDb, on_both_backends};

/// Leaves every unit unallocated, as a router holding stock back may.
struct AllocatesNothing;

impl ordo_domain::routing::Router for AllocatesNothing {
    fn route(
        &self,
        _: &ordo_domain::routing::RouteRequest<'_>,
        _: &[ordo_domain::routing::Candidate],
    ) -> ordo_domain::routing::Routed {
        ordo_domain::routing::Routed {
            plan: Vec::new(),
            explanation: None,
        }
    }
}

async fn place_one(store: &dyn Store, command: PlaceCommand) -> PlaceOutcome {
    place_orders(store, &[command], &deciders())
        .await
        .pop()
        .unwrap()
}

on_both_backends! {
    async fn a_short_order_is_rejected_and_reserves_nothing(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 1)]).await else { return };
        let outcome = place_one(&*store, place_command("W-1", &[("A", 2)])).await;
        let PlaceOutcome::Rejected(PlaceRejection::Short(shorts)) = outcome else { panic!("expected a short line") };
        assert_eq!((shorts[0].requested, shorts[0].available), (2, 1));
        let page = store.positions(&PositionFilter::default(), &PageRequest::first(10), CLOCK_START_MS).await.unwrap();
        assert!(page.items.iter().all(|p| p.reserved == 0));
        assert!(store.orders(&OrderFilter::default(), &PageRequest::first(10)).await.unwrap().items.is_empty());
    }


    async fn one_channel_order_number_is_one_order_and_keys_replay(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 10)]).await else { return };
        let claim = |hash: &str| Some(IdempotencyClaim { scope: "orders:web".into(), key: "k-1".into(), request_hash: hash.into() });
        let mut first = place_command("W-1", &[("A", 1)]);
        first.idempotency = claim("h1");
        let PlaceOutcome::Placed(placed) = place_one(&*store, first).await else { panic!("placed") };

        let mut replay = place_command("W-1", &[("A", 1)]);
        replay.idempotency = claim("h1");
        assert!(matches!(place_one(&*store, replay).await, PlaceOutcome::Replayed(r) if r.order.id == placed.order.id));

        let mut reused = place_command("W-2", &[("A", 1)]);
        reused.idempotency = claim("h2");
        assert!(matches!(place_one(&*store, reused).await, PlaceOutcome::KeyReused { order_id } if order_id == placed.order.id));

        let duplicate = place_command("W-1", &[("A", 1)]);
        assert!(matches!(place_one(&*store, duplicate).await, PlaceOutcome::Duplicate { number, .. } if number == placed.order.number));

        // Within one batch too: the second of two identical external ids is a duplicate.
        let batch = [place_command("W-3", &[("A", 1)]), place_command("W-3", &[("A", 1)])];
        let outcomes = place_orders(&*store, &batch, &deciders()).await;
        let PlaceOutcome::Placed(first_of_batch) = &outcomes[0] else { panic!("placed") };
        assert!(
            matches!(&outcomes[1], PlaceOutcome::Duplicate { number, .. } if *number == first_of_batch.order.number),
            "the duplicate names the number its twin got in the same batch"
        );
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
    }


    async fn a_batch_shares_stock_in_order_of_arrival(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 3)]).await else { return };
        let batch: Vec<PlaceCommand> = (0..5).map(|i| place_command(&format!("W-{i}"), &[("A", 1)])).collect();
        let outcomes = place_orders(&*store, &batch, &deciders()).await;
        let placed = outcomes.iter().filter(|o| matches!(o, PlaceOutcome::Placed(_))).count();
        assert_eq!(placed, 3);
        assert!(matches!(outcomes[3], PlaceOutcome::Rejected(PlaceRejection::Short(_))));
        let numbers: Vec<String> = outcomes.iter().filter_map(|o| match o { PlaceOutcome::Placed(r) => Some(r.order.number.clone()), _ => None }).collect();
        assert_eq!(numbers, vec!["100001", "100002", "100003"]);
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
    }


    async fn concurrent_batches_never_oversell(backend: Backend) {
        let Some((_db, store)) = store_with(backend, &[("NORTH", "A", 5), ("SOUTH", "A", 0)]).await else { return };
        let mut tasks = Vec::new();
        for i in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { place_one(&*store, place_command(&format!("W-{i}"), &[("A", 1)])).await }));
        }
        let mut placed = 0;
        for task in tasks {
            if matches!(task.await.unwrap(), PlaceOutcome::Placed(_)) {
                placed += 1;
            }
        }
        assert_eq!(placed, 5);
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
    }


    async fn a_line_the_router_leaves_waiting_is_dated_from_incoming_supply(backend: Backend) {
        let Some(db) = TestDb::fresh(backend).await else { return };
        let store = db.store().await;
        let mut seed = small_network(&[("NORTH", "A", 10)]);
        seed.items[0].allow_backorder = true;
        store.load_network(&seed).await.unwrap();
        let inbound = ordo_domain::inbound::Inbound {
            id: "inb_1".into(),
            kind: ordo_domain::inbound::InboundKind::PurchaseOrder,
            location: code("SOUTH"),
            supplier_reference: "PO-1".into(),
            expected_date: ordo_domain::promise::parse_date("2030-01-10").unwrap(),
            status: ordo_domain::inbound::InboundStatus::Open,
            lines: vec![ordo_domain::inbound::InboundLine { line_no: 1, sku: sku("A"), quantity: 20, received: 0 }],
            created_at_ms: CLOCK_START_MS,
            updated_at_ms: CLOCK_START_MS,
        };
        let mut tx = store.transaction().await.unwrap();
        tx.insert_inbound(&inbound).await.unwrap();
        tx.commit().await.unwrap();
        let stingy = Deciders { router: Some(&AllocatesNothing), transit: deciders().transit, release_at_capture: false };
        let outcome = place_orders(&*store, &[place_command("W-1", &[("A", 2)])], &stingy).await.pop().unwrap();
        let PlaceOutcome::Placed(record) = outcome else { panic!("{outcome:?}") };
        let line = &record.order.lines[0];
        assert_eq!(line.quantities.backordered, 2, "nothing was allocated although 10 were in stock");
        assert!(line.expected_date.is_some_and(|d| d >= inbound.expected_date), "dated from the purchase order: {:?}", line.expected_date);
        assert_eq!(store.check_invariants().await.unwrap(), vec![]);
    }
}
