//! Bulk stock sync end to end: snapshots that fall below what is reserved, deltas, CSV,
//! idempotency by sync id, batches, resuming, and `ordo import inventory`. On SQLite, and on
//! PostgreSQL when ORDO_TEST_POSTGRES_URL is set.

use ordo_app::Limits;
use ordo_app::sync::SyncRequest;
use ordo_store::{SyncBatch, SyncFigures, SyncMode, SyncReport, SyncRow, SyncStart};
use ordo_testkit::fixtures::{code, deciders, order_body, sku, small_network};
use ordo_testkit::{ADMIN_KEY, CLOCK_START_MS, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn upload_csv(app: &TestApp, query: &str, csv: &str) -> (StatusCode, Value) {
    let response = app
        .http
        .post(format!("{}/v1/inventory/sync?{query}", app.address))
        .bearer_auth(ADMIN_KEY)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_both_backends! {
    async fn a_snapshot_below_reserved_is_reported_and_its_orders_routed_again(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10), ("SOUTH", "A", 3), ("NORTH", "C", 7)]))).await else { return };
        let older = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 3)]), None).await.body;
        app.clock.advance_ms(1_000);
        let newer = app.place(ADMIN_KEY, &order_body("web", "W-2", &[("A", 3)]), None).await.body;
        assert_eq!(newer["allocations"][0]["location"], "NORTH");

        let snapshot = json!({
            "sync_id": "wms-1", "mode": "snapshot", "location": "NORTH",
            "rows": [
                { "sku": "A", "on_hand": 4 },
                { "sku": "B", "on_hand": 5, "damaged": 1 },
                { "sku": "NOPE", "on_hand": 1 },
                { "sku": "B", "on_hand": 6 },
                { "sku": "A", "location": "SOUTH", "on_hand": 1 },
                { "sku": "C", "on_hand": -1 }
            ]
        });
        let refused = app.post(ADMIN_KEY, "/v1/inventory/sync", &snapshot).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "a snapshot with bad rows applies nothing: {}", refused.body);
        let fields: Vec<&str> = refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["rows[3]", "rows[4]", "rows[5]", "rows[6]", "skip_bad_rows"]);
        assert_eq!(app.position("NORTH", "C").await["on_hand"], 7, "nothing was zeroed");
        let mut snapshot = snapshot;
        snapshot["skip_bad_rows"] = json!(true);
        let report = app.post(ADMIN_KEY, "/v1/inventory/sync", &snapshot).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let r = &report.body;
        assert_eq!((r["rows_received"].as_i64(), r["rows_applied"].as_i64(), r["rows_rejected"].as_i64()), (Some(6), Some(2), Some(4)));
        assert_eq!((r["positions_changed"].as_i64(), r["positions_zeroed"].as_i64()), (Some(3), Some(1)), "A and B counted, C zeroed: {r}");
        let reasons: Vec<(i64, &str)> = r["rejected"].as_array().unwrap().iter().map(|x| (x["row"].as_i64().unwrap(), x["reason"].as_str().unwrap())).collect();
        assert_eq!(reasons.iter().map(|(row, _)| *row).collect::<Vec<_>>(), vec![3, 4, 5, 6]);
        assert!(reasons[0].1.contains("no item has SKU NOPE"));
        assert!(reasons[1].1.contains("listed twice"));
        assert!(reasons[2].1.contains("one location"));

        // A: 4 sellable for 6 reserved; the newer order gives back 2, which SOUTH then covers.
        let shortfall = &r["shortfalls"][0];
        assert_eq!((shortfall["sku"].as_str(), shortfall["sellable"].as_i64(), shortfall["reserved_before"].as_i64()), (Some("A"), Some(4), Some(6)));
        assert_eq!(shortfall["given_back"], json!([{ "owner": "order", "id": newer["id"], "line": 1, "units": 2 }]));
        let rerouted = app.get(ADMIN_KEY, &format!("/v1/orders/{}", newer["id"].as_str().unwrap())).await.body;
        assert_eq!(rerouted["status"], "allocated", "{rerouted}");
        let mut held: Vec<(String, i64)> = rerouted["allocations"].as_array().unwrap().iter().filter(|a| a["status"] == "held").map(|a| (a["location"].as_str().unwrap().to_string(), a["quantity"].as_i64().unwrap())).collect();
        held.sort();
        assert_eq!(held, vec![("NORTH".into(), 1), ("SOUTH".into(), 2)]);
        assert_eq!(app.get(ADMIN_KEY, &format!("/v1/orders/{}", older["id"].as_str().unwrap())).await.body["allocations"][0]["quantity"], 3, "the older order keeps its units");
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", newer["id"].as_str().unwrap())).await.body;
        let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["order.received", "order.allocated", "order.stock_shortfall", "order.backorder_allocated"]);
        // C was not listed in NORTH's snapshot: it is counted as zero.
        assert_eq!(app.position("NORTH", "C").await["on_hand"], 0);
        assert_eq!(app.position("NORTH", "B").await["damaged"], 1);
        app.assert_consistent().await;

        let again = app.post(ADMIN_KEY, "/v1/inventory/sync", &snapshot).await;
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(again.body, report.body, "the same sync answers with the same report");
        let mut changed = snapshot.clone();
        changed["rows"][0]["on_hand"] = json!(9);
        let reused = app.post(ADMIN_KEY, "/v1/inventory/sync", &changed).await;
        assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reused.body["errors"][0]["field"], "sync_id");
        let headless = app.post(ADMIN_KEY, "/v1/inventory/sync", &json!({ "mode": "sideways", "rows": [] })).await;
        let fields: Vec<&str> = headless.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["sync_id", "mode"]);
    }

    async fn csv_deltas_apply_row_by_row_and_a_long_sync_goes_in_batches(backend: Backend) {
        let limits = Limits { sync_batch_rows: 2, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 5)])), limits).await else { return };
        let csv = "location,sku,delta\nNORTH,A,3\nSOUTH,B,4\nNORTH,A,-100\nNORTH,C,x\n,B,2\nNORTH,B,1\n";
        let (status, report) = upload_csv(&app, "sync_id=d-1&mode=delta", csv).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!((report["rows_applied"].as_i64(), report["rows_rejected"].as_i64()), (Some(3), Some(3)));
        let reasons: Vec<&str> = report["rejected"].as_array().unwrap().iter().map(|x| x["reason"].as_str().unwrap()).collect();
        assert!(reasons[0].contains("below zero"), "{reasons:?}");
        assert!(reasons[1].contains("not a whole number"), "{reasons:?}");
        assert!(reasons[2].contains("location is missing"), "{reasons:?}");
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 8);
        assert_eq!(app.position("SOUTH", "B").await["on_hand"], 4);
        let (status, missing) = upload_csv(&app, "sync_id=d-2&mode=delta", "sku,delta\nA,1\n").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing["errors"][0]["field"], "location");
        let (_, snapshot) = upload_csv(&app, "sync_id=s-1&mode=snapshot&location=SOUTH", "sku,on_hand\nB,7\n").await;
        assert_eq!(snapshot["rows_applied"], 1);
        assert_eq!(app.position("SOUTH", "B").await["on_hand"], 7);
        app.assert_consistent().await;
    }

    async fn a_sync_cut_short_carries_on_from_its_last_applied_batch(backend: Backend) {
        let limits = Limits { sync_batch_rows: 1, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[])), limits).await else { return };
        let rows: Vec<SyncRow> = ["A", "B", "C"]
            .iter()
            .enumerate()
            .map(|(i, s)| SyncRow { row: i + 1, location: code("NORTH"), sku: sku(s), figures: SyncFigures::Delta { delta: 1 } })
            .collect();
        let request = SyncRequest {
            sync_id: "resume-1".into(),
            mode: SyncMode::Delta,
            location: None,
            rows: rows.clone(),
            rejected: Vec::new(),
            request_hash: "content".into(),
            dry_run: false,
            skip_bad_rows: false,
        };

        // As if an earlier run died after its first batch: begun, batch 0 applied, no more.
        let store = app.db.store().await;
        let initial = SyncReport {
            sync_id: "resume-1".into(),
            mode: SyncMode::Delta,
            completed: false,
            rows_received: 3,
            rows_applied: 0,
            positions_changed: 0,
            positions_zeroed: 0,
            dry_run: false,
            rejected: Vec::new(),
            shortfalls: Vec::new(),
            batches_done: 0,
        };
        assert!(matches!(store.begin_sync(&initial, "content", CLOCK_START_MS).await.unwrap(), SyncStart::New(_)));
        let first = SyncBatch { sync_id: "resume-1", batch_no: 0, rows: &rows[..1], unlisted: None, last: false, actor: "test", now_ms: CLOCK_START_MS };
        ordo_app::sync_batches::sync_batch(&*store, &first, &deciders()).await.unwrap();
        store.close().await;

        let mut progress = Vec::new();
        let (report, replayed) = app.app.sync_inventory(request.clone(), "test", &mut |done, _| progress.push(done)).await.unwrap();
        assert!(!replayed);
        assert_eq!(progress, vec![2, 3], "it carried on from the second batch");
        assert!(report.completed && report.rows_applied == 3 && report.batches_done == 3);
        for s in ["A", "B", "C"] {
            assert_eq!(app.position("NORTH", s).await["on_hand"], 1, "{s} applied once");
        }
        let (_, replayed) = app.app.sync_inventory(request, "test", &mut |_, _| {}).await.unwrap();
        assert!(replayed);
        app.assert_consistent().await;
    }
}

on_both_backends! {
    async fn a_dry_run_reports_every_position_a_snapshot_would_change_and_applies_nothing(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10), ("NORTH", "B", 4), ("NORTH", "C", 7)]))).await else { return };
        let (status, dry) = upload_csv(&app, "sync_id=st-1&mode=snapshot&location=NORTH&dry_run=true", "sku,on_hand\nA,10\nB,2\n").await;
        assert_eq!(status, StatusCode::OK, "{dry}");
        assert_eq!(dry["dry_run"], true);
        assert_eq!((dry["rows_applied"].as_i64(), dry["positions_changed"].as_i64(), dry["positions_zeroed"].as_i64()), (Some(2), Some(2), Some(1)),
            "A unchanged, B counted, C not listed and zeroed: {dry}");
        assert_eq!(app.position("NORTH", "C").await["on_hand"], 7, "nothing applied");
        assert_eq!(app.position("NORTH", "B").await["on_hand"], 4);
        let (status, real) = upload_csv(&app, "sync_id=st-1&mode=snapshot&location=NORTH", "sku,on_hand\nA,10\nB,2\n").await;
        assert_eq!(status, StatusCode::OK, "the dry run kept no trace of its id: {real}");
        assert_eq!((real["dry_run"].as_bool(), real["positions_zeroed"].as_i64()), (Some(false), Some(1)));
        assert_eq!(app.position("NORTH", "C").await["on_hand"], 0);
        app.assert_consistent().await;
    }

    async fn csv_rows_with_extra_fields_or_unknown_columns_are_refused_with_the_reason(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let (status, report) = upload_csv(&app, "sync_id=x-1&mode=delta&location=NORTH", "sku,delta\nA,1,9\nB,2\n").await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["rejected"][0]["row"], 1);
        assert!(report["rejected"][0]["reason"].as_str().unwrap().contains("has 3 fields; the header has 2"), "{report}");
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 10);
        let (status, refused) = upload_csv(&app, "sync_id=x-2&mode=delta&location=NORTH", "sku,delta,colour\nA,1,red\n").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused["detail"].as_str().unwrap().contains("colour"), "{refused}");
        let (status, flag) = upload_csv(&app, "sync_id=x-3&mode=delta&location=NORTH&dry_run=maybe", "sku,delta\nA,1\n").await;
        assert_eq!((status, flag["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("dry_run")));
        let unknown = app.post(ADMIN_KEY, "/v1/inventory/sync", &json!({ "sync_id": "x-4", "mode": "snapshot", "location": "NOWHERE", "rows": [] })).await;
        assert_eq!((unknown.status, unknown.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("location")));
    }
}

#[tokio::test]
async fn ordo_import_inventory_syncs_a_csv_file_once() {
    let db = ordo_testkit::TestDb::fresh(ordo_testkit::Backend::Sqlite)
        .await
        .unwrap();
    let store = db.store().await;
    store
        .load_network(&small_network(&[("NORTH", "A", 2)]))
        .await
        .unwrap();
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("north.csv");
    std::fs::write(&file, "sku,on_hand\nA,12\nB,3\nNOPE,1\n").unwrap();
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
            .args(["import", "inventory"])
            .arg(&file)
            .args(["--location", "NORTH", "--database-url", &db.url])
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rows[3]: NOPE: no item has SKU NOPE"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was applied"), "{stderr}");
    let dry = run(&["--dry-run", "--skip-bad-rows"]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(stdout.contains("dry run: nothing applied"), "{stdout}");
    assert!(stdout.contains("2 positions changed"), "{stdout}");
    let first = run(&["--skip-bad-rows"]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(
        first.status.code(),
        Some(2),
        "a rejected row makes the exit code 2: {stdout}"
    );
    assert!(
        stdout.contains("3 rows received, 2 applied, 1 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rejected row 3: NOPE at NORTH: no item has SKU NOPE"),
        "{stdout}"
    );
    let second = run(&["--skip-bad-rows"]);
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("already applied"),
        "the same file is applied once"
    );
    let store = db.store().await;
    let filter = ordo_app::PositionFilter {
        sku: Some(ordo_testkit::fixtures::sku("A")),
        location: None,
    };
    let position = store
        .positions(&filter, &ordo_app::PageRequest::first(5), 0)
        .await
        .unwrap()
        .items
        .pop()
        .unwrap();
    assert_eq!(position.on_hand, 12);
    assert!(store.check_invariants().await.unwrap().is_empty());
}
