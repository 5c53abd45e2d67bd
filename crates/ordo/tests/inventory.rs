//! Inventory truth end to end: checkout holds and their expiry, shipping, unsellable stock,
//! and waiting lines filled when stock arrives. On SQLite, and on PostgreSQL when
//! ORDO_TEST_POSTGRES_URL is set.

use ordo_app::Limits;
use ordo_domain::item::Item;
use ordo_testkit::fixtures::{item, order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Limits under which the hold sweeper never runs during a test.
fn no_sweeper() -> Limits {
    Limits {
        hold_sweep_interval_ms: 3_600_000,
        ..ordo_testkit::test_limits()
    }
}

fn hold_body(lines: &[(&str, i64)], ttl_s: i64) -> serde_json::Value {
    let lines: Vec<_> = lines
        .iter()
        .map(|(s, q)| json!({ "sku": s, "quantity": q }))
        .collect();
    json!({ "channel": "web", "lines": lines, "ttl_s": ttl_s, "ship_to": { "country": "DE", "postal_code": "20095" } })
}

fn backorderable(seed: &mut ordo_store::NetworkSeed, sku: &str) {
    seed.items.push(Item {
        allow_backorder: true,
        ..item(sku)
    });
}

on_both_backends! {
    async fn an_expired_hold_frees_its_units_whether_or_not_a_sweep_ran(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 3)])), no_sweeper()).await else { return };
        let held = app.post(ADMIN_KEY, "/v1/holds", &hold_body(&[("A", 3)], 60)).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        assert_eq!(held.body["status"], "active");
        assert_eq!(held.body["lines"][0]["allocations"][0]["location"], "NORTH");
        assert_eq!(app.available("A").await, 0);
        assert_eq!(app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 1)]), None).await.status, StatusCode::CONFLICT);

        app.clock.advance_ms(61_000);
        assert_eq!(app.available("A").await, 3, "readers count an expired hold's units as free");
        assert_eq!(app.position("NORTH", "A").await["reserved"], 0);
        let id = held.body["id"].as_str().unwrap();
        assert_eq!(app.get(ADMIN_KEY, &format!("/v1/holds/{id}")).await.body["status"], "expired");
        app.assert_consistent().await;

        let placed = app.place(ADMIN_KEY, &order_body("web", "W-2", &[("A", 3)]), None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        app.assert_consistent().await;
        let ledger = app.get(ADMIN_KEY, "/v1/inventory/ledger?sku=A").await.body;
        let released = ledger["items"].as_array().unwrap().iter().find(|e| e["kind"] == "release").expect("the expiry is ledgered");
        assert_eq!(released["reason"], "hold expired");
    }

    async fn the_sweeper_releases_expired_holds_by_itself(backend: Backend) {
        let limits = Limits { hold_sweep_interval_ms: 20, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 3)])), limits).await else { return };
        let held = app.post(ADMIN_KEY, "/v1/holds", &hold_body(&[("A", 2)], 5)).await;
        assert_eq!(held.status, StatusCode::CREATED);
        app.clock.advance_ms(6_000);
        let mut swept = false;
        for _ in 0..200 {
            let ledger = app.get(ADMIN_KEY, "/v1/inventory/ledger?sku=A").await.body;
            if ledger["items"][0]["kind"] == "release" {
                swept = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(swept, "the sweeper released the expired hold");
        app.assert_consistent().await;
    }

    async fn an_order_takes_over_its_hold_and_a_released_hold_gives_its_units_back(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 2), ("SOUTH", "A", 5), ("SOUTH", "B", 5)])), no_sweeper()).await else { return };
        let web = app.key("channel", Some("web")).await;
        let held = app.post(&web, "/v1/holds", &hold_body(&[("A", 2), ("B", 1)], 900)).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let hold_id = held.body["id"].as_str().unwrap().to_string();
        let before = app.available("A").await;

        let mut body = order_body("web", "W-1", &[("A", 2)]);
        body["hold_id"] = json!(hold_id);
        let placed = app.place(&web, &body, None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let held_at = held.body["lines"][0]["allocations"][0]["location"].clone();
        assert_eq!(placed.body["allocations"][0]["location"], held_at, "the order keeps the held units");
        assert_eq!(app.available("A").await, before, "taking over moves no units");
        assert_eq!(app.available("B").await, 5, "the held B the order did not want went back");
        let hold = app.get(&web, &format!("/v1/holds/{hold_id}")).await.body;
        assert_eq!((hold["status"].as_str(), hold["order_id"].as_str()), (Some("converted"), placed.body["id"].as_str()));
        app.assert_consistent().await;

        let pos = app.key("channel", Some("pos")).await;
        assert_eq!(app.get(&pos, &format!("/v1/holds/{hold_id}")).await.status, StatusCode::NOT_FOUND, "another channel's hold is hidden");

        let second = app.post(&web, "/v1/holds", &hold_body(&[("A", 1)], 900)).await.body;
        let second_id = second["id"].as_str().unwrap();
        let available = app.available("A").await;
        let released = app.request(Method::DELETE, Some(&web), &format!("/v1/holds/{second_id}"), None, &[]).await;
        assert_eq!(released.body["status"], "released");
        assert_eq!(app.available("A").await, available + 1);
        let again = app.request(Method::DELETE, Some(&web), &format!("/v1/holds/{second_id}"), None, &[]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        app.assert_consistent().await;
    }

    async fn a_hold_is_all_or_nothing(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 2)]))).await else { return };
        let short = app.post(ADMIN_KEY, "/v1/holds", &hold_body(&[("A", 1), ("B", 1)], 60)).await;
        assert_eq!(short.status, StatusCode::CONFLICT);
        assert_eq!(short.body["short_lines"][0]["sku"], "B");
        assert_eq!(app.available("A").await, 2, "nothing was held");
        let bad = app.post(ADMIN_KEY, "/v1/holds", &json!({ "lines": [], "ttl_s": 0 })).await;
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["ttl_s", "lines"]);
    }

    async fn shipping_an_allocation_takes_the_units_out_of_on_hand_and_reserved(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let placed = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 3)]), None).await.body;
        let allocation = placed["allocations"][0]["id"].as_str().unwrap().to_string();
        let partly = app.post(ADMIN_KEY, &format!("/v1/allocations/{allocation}/ship"), &json!({ "quantity": 1 })).await;
        assert_eq!(partly.status, StatusCode::OK, "{}", partly.body);
        assert_eq!(partly.body["status"], "partially_shipped");
        assert_eq!(partly.body["lines"][0]["quantities"]["shipped"], 1);
        let position = app.position("NORTH", "A").await;
        assert_eq!((position["on_hand"].as_i64(), position["reserved"].as_i64()), (Some(9), Some(2)));

        let rest = partly.body["allocations"].as_array().unwrap().iter().find(|a| a["status"] == "held").unwrap()["id"].as_str().unwrap().to_string();
        let done = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/allocations/{rest}/ship"), None, &[]).await;
        assert_eq!(done.body["status"], "shipped", "{}", done.body);
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 7);
        let again = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/allocations/{rest}/ship"), None, &[]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", placed["id"].as_str().unwrap())).await.body;
        let statuses: Vec<&str> = events["items"].as_array().unwrap().iter().filter_map(|e| e["to_status"].as_str()).collect();
        assert_eq!(statuses, vec!["received", "allocated", "partially_shipped", "shipped"]);
        let cancel = app.post(ADMIN_KEY, &format!("/v1/orders/{}/cancel", placed["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(cancel.status, StatusCode::CONFLICT, "a shipped order cannot be cancelled");
        app.assert_consistent().await;
    }

    async fn damaged_and_quality_hold_units_are_on_hand_but_never_available(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 4)]), None).await;
        let damage = json!({ "reason": "forklift", "reclassifications": [{ "location": "NORTH", "sku": "A", "quantity": 3, "from": "sellable", "to": "damaged" }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/reclassifications", &damage).await.status, StatusCode::OK);
        let inspect = json!({ "reason": "inbound QA", "adjustments": [{ "location": "NORTH", "sku": "A", "delta": 5, "state": "quality_hold" }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/adjustments", &inspect).await.status, StatusCode::OK);
        let position = app.position("NORTH", "A").await;
        assert_eq!(position["on_hand"], 15);
        assert_eq!((position["damaged"].as_i64(), position["quality_hold"].as_i64()), (Some(3), Some(5)));
        assert_eq!(position["available"], 15 - 3 - 5 - 4);
                // Sellable is 15 - 3 - 5 = 7 with 4 reserved: damaging 4 more would leave 3 for 4 promised.
        let too_much = json!({ "reason": "x", "reclassifications": [{ "location": "NORTH", "sku": "A", "quantity": 4, "from": "sellable", "to": "damaged" }] });
        let refused = app.post(ADMIN_KEY, "/v1/inventory/reclassifications", &too_much).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "the reserved units must stay sellable");
        assert_eq!(refused.body["errors"][0]["field"], "reclassifications[0].quantity");
        let released = json!({ "reason": "QA passed", "reclassifications": [{ "location": "NORTH", "sku": "A", "quantity": 5, "from": "quality_hold", "to": "sellable" }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/reclassifications", &released).await.status, StatusCode::OK);
        assert_eq!(app.available("A").await, 15 - 3 - 4);
        app.assert_consistent().await;
    }

    async fn stock_arriving_fills_waiting_lines_oldest_first(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "W", 0)]);
        backorderable(&mut seed, "W");
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let mut ids = Vec::new();
        for i in 0..3 {
            app.clock.advance_ms(1_000);
            let placed = app.place(ADMIN_KEY, &order_body("web", &format!("W-{i}"), &[("W", 2)]), None).await;
            assert_eq!(placed.body["status"], "backordered", "{}", placed.body);
            ids.push(placed.body["id"].as_str().unwrap().to_string());
        }
        let arrive = json!({ "reason": "found", "adjustments": [{ "location": "NORTH", "sku": "W", "delta": 3 }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/adjustments", &arrive).await.status, StatusCode::OK);
        let status = |body: &serde_json::Value| (body["status"].as_str().unwrap().to_string(), body["lines"][0]["quantities"]["allocated"].as_i64().unwrap());
        let orders: Vec<_> = futures_in_order(&app, &ids).await;
        assert_eq!(status(&orders[0]), ("allocated".into(), 2), "the oldest order is filled first");
        assert_eq!(status(&orders[1]), ("backordered".into(), 1), "the next one gets what is left");
        assert_eq!(status(&orders[2]), ("backordered".into(), 0));
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", ids[0])).await.body;
        let last = events["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["type"].as_str(), last["to_status"].as_str()), (Some("order.backorder_allocated"), Some("allocated")));

        // Cancelling an order frees its units for the next in line.
        app.post(ADMIN_KEY, &format!("/v1/orders/{}/cancel", ids[0]), &json!({})).await;
        let orders: Vec<_> = futures_in_order(&app, &ids).await;
        assert_eq!(status(&orders[1]), ("allocated".into(), 2));
        assert_eq!(status(&orders[2]), ("backordered".into(), 1));
        app.assert_consistent().await;
    }

    async fn one_channel_cannot_hold_what_the_others_need(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 300)]))).await else { return };
        let web = app.key("channel", Some("web")).await;
        let long = app.post(&web, "/v1/holds", &hold_body(&[("A", 1)], 86_400)).await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", long.body);
        assert_eq!(long.body["errors"][0]["field"], "ttl_s", "{}", long.body);
        let all = app.post(&web, "/v1/holds", &hold_body(&[("A", 300)], 600)).await;
        assert_eq!(all.status, StatusCode::UNPROCESSABLE_ENTITY, "100 units a line by default: {}", all.body);
        assert_eq!(all.body["errors"][0]["field"], "lines[0].quantity");
        let mut theirs = hold_body(&[("A", 1)], 600);
        theirs["channel"] = json!("pos");
        let other = app.post(&web, "/v1/holds", &theirs).await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "another channel's hold is refused, not replaced: {}", other.body);
        let rules = json!({ "holds": { "units_max": 500, "share_percent_max": 10, "ttl_s_max": 900 } });
        let put = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/web/stock-rules", Some(&rules), &[]).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(put.body["holds"], rules["holds"]);
        let share = app.post(&web, "/v1/holds", &hold_body(&[("A", 31)], 600)).await;
        assert_eq!(share.status, StatusCode::UNPROCESSABLE_ENTITY, "10% of 300: {}", share.body);
        assert!(share.body["errors"][0]["message"].as_str().unwrap().contains("at most 30 of A"), "{}", share.body);
        let fair = app.post(&web, "/v1/holds", &hold_body(&[("A", 30)], 900)).await;
        assert_eq!(fair.status, StatusCode::CREATED, "{}", fair.body);
        assert_eq!(app.available("A").await, 270);
        let admin = app.post(ADMIN_KEY, "/v1/holds", &json!({ "lines": [{ "sku": "A", "quantity": 200 }], "ttl_s": 60 })).await;
        assert_eq!(admin.status, StatusCode::CREATED, "a hold for no channel has no channel's limits: {}", admin.body);
        let bad = json!({ "holds": { "units_max": 0, "share_percent_max": 101, "ttl_s_max": 90_000 } });
        let refused = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/web/stock-rules", Some(&bad), &[]).await;
        let fields: Vec<&str> = refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["holds.units_max", "holds.share_percent_max", "holds.ttl_s_max"], "{}", refused.body);
    }
}

on_both_backends! {
    async fn crossing_a_stock_threshold_writes_low_out_and_back_events(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 8), ("SOUTH", "A", 8)]))).await else { return };
        let threshold = json!({ "sku": "A", "location": "NORTH", "low_units": 5, "out_units": 0 });
        let put = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/inventory/thresholds", Some(&threshold), &[]).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let bad = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/inventory/thresholds", Some(&json!({ "low_units": 1, "out_units": 3 })), &[]).await;
        assert_eq!(bad.body["errors"][0]["field"], "out_units");

        let mut body = order_body("web", "W-1", &[("A", 4)]);
        body["ship_to"]["postal_code"] = json!("20095");
        app.place(ADMIN_KEY, &body, None).await;
        app.place(ADMIN_KEY, &order_body("web", "W-2", &[("A", 4)]), None).await;
        let arrive = json!({ "reason": "found", "adjustments": [{ "location": "NORTH", "sku": "A", "delta": 20 }] });
        app.post(ADMIN_KEY, "/v1/inventory/adjustments", &arrive).await;

        let feed = app.get(ADMIN_KEY, "/v1/events").await.body;
        let seen: Vec<(String, String, i64)> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].as_str().unwrap().to_string(), e["subject"].as_str().unwrap().to_string(), e["data"]["available"].as_i64().unwrap()))
            .collect();
        let expected = [("inventory.low", "A@NORTH", 4), ("inventory.out", "A@NORTH", 0), ("inventory.back", "A@NORTH", 20)];
        assert_eq!(seen, expected.map(|(k, s, a)| (k.to_string(), s.to_string(), a)), "SOUTH has no threshold: no events");
        let cursor = feed["next_cursor"].as_str().expect("the feed hands back where it ended").to_string();
        assert_eq!(app.get(ADMIN_KEY, &format!("/v1/events?cursor={cursor}")).await.body["items"], json!([]));
        let outs = app.get(ADMIN_KEY, "/v1/events?type=inventory.out").await.body;
        assert_eq!(outs["items"].as_array().unwrap().len(), 1);
        let removed = app.request(Method::DELETE, Some(ADMIN_KEY), "/v1/inventory/thresholds?sku=A&location=NORTH", None, &[]).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get(ADMIN_KEY, "/v1/inventory/thresholds").await.body["items"], json!([]));
    }
}

on_both_backends! {
    async fn numbers_at_the_edges_of_i64_are_refused_where_they_come_in_never_wrapped(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 8)]))).await else { return };
        for delta in [i64::MIN, i64::MIN + 1, i64::MAX] {
            let body = json!({ "reason": "found", "adjustments": [{ "location": "NORTH", "sku": "A", "delta": delta }] });
            let reply = app.post(ADMIN_KEY, "/v1/inventory/adjustments", &body).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{delta}: {}", reply.body);
            assert_eq!(reply.body["errors"][0]["field"], "adjustments[0].delta");
        }
        let sync = json!({ "sync_id": "edge-1", "mode": "delta", "location": "NORTH", "rows": [{ "sku": "A", "delta": i64::MIN }] });
        let report = app.post(ADMIN_KEY, "/v1/inventory/sync", &sync).await.body;
        assert_eq!(report["rows_rejected"], 1, "{report}");
        assert!(report["rejected"][0]["reason"].as_str().unwrap().contains("delta must be"), "{report}");
        let mut order = order_body("web", "BIG-1", &[("A", 100_000)]);
        order["lines"][0]["unit_price"] = json!("10000000000.00");
        let big = app.place(ADMIN_KEY, &order, None).await;
        assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", big.body);
        assert!(big.body.to_string().contains("total must be at most"), "{}", big.body);
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 8);
    }
}

async fn futures_in_order(app: &TestApp, ids: &[String]) -> Vec<serde_json::Value> {
    let mut orders = Vec::new();
    for id in ids {
        orders.push(app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body);
    }
    orders
}
