//! The HTTP API end to end: a real server on a random port over a fresh database, on SQLite
//! and (with ORDO_TEST_POSTGRES_URL) on PostgreSQL.

use ordo_testkit::fixtures::{item, order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Runs `ordo check` on the database, returning its exit status and output.
fn ordo_check(url: &str) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["check", "--database-url", url])
        .output()
        .expect("ordo runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn reserved(reply: &Value, location: &str) -> i64 {
    reply["items"][0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location"] == location)
        .unwrap()["reserved"]
        .as_i64()
        .unwrap()
}

on_both_backends! {
    async fn fifty_buyers_racing_for_the_last_five_units_reserve_exactly_five(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5), ("SOUTH", "B", 100)]))).await else { return };
        let web = app.key("channel", Some("web")).await;
        let app = std::sync::Arc::new(app);
        let mut buyers = Vec::new();
        for i in 0..50 {
            let (app, web) = (app.clone(), web.clone());
            buyers.push(tokio::spawn(async move {
                app.place(&web, &order_body("web", &format!("RACE-{i}"), &[("A", 1)]), Some(&format!("race-{i}"))).await.status
            }));
        }
        let mut statuses = Vec::new();
        for buyer in buyers {
            statuses.push(buyer.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 5, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 45, "{statuses:?}");

        let availability = app.get(ADMIN_KEY, "/v1/availability?skus=A").await.body;
        assert_eq!(availability["items"][0]["available"], 0);
        assert_eq!(reserved(&availability, "NORTH"), 5);
        let orders = app.get(ADMIN_KEY, "/v1/orders?limit=100").await.body;
        assert_eq!(orders["items"].as_array().unwrap().len(), 5);

        let (clean, output) = ordo_check(&app.db.url);
        assert!(clean, "ordo check after the race: {output}");
        assert!(output.contains("every invariant holds"), "{output}");
    }

    async fn an_idempotent_replay_returns_the_same_order(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let web = app.key("channel", Some("web")).await;
        let body = order_body("web", "W-1", &[("A", 2)]);
        let first = app.place(&web, &body, Some("key-1")).await;
        assert_eq!(first.status, StatusCode::CREATED);
        assert!(first.headers.get("idempotent-replayed").is_none());

        // The same body with its members in another order is the same request.
        let reordered: Value = serde_json::from_str(&serde_json::to_string(&body).unwrap().replace("\"channel\":\"web\",", "")).unwrap();
        let mut reordered = reordered.as_object().unwrap().clone();
        reordered.insert("channel".into(), json!("web"));
        let replay = app.place(&web, &Value::Object(reordered), Some("key-1")).await;
        assert_eq!(replay.status, StatusCode::CREATED);
        assert_eq!(replay.headers["idempotent-replayed"], "true");
        assert_eq!(replay.body["id"], first.body["id"]);
        assert_eq!(replay.body["number"], first.body["number"]);

        let changed = app.place(&web, &order_body("web", "W-1", &[("A", 3)]), Some("key-1")).await;
        assert_eq!(changed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(changed.body["errors"][0]["field"], "Idempotency-Key");

        let duplicate = app.place(&web, &body, Some("key-2")).await;
        assert_eq!(duplicate.status, StatusCode::CONFLICT);
        assert_eq!(duplicate.body["type"], "/problems/duplicate-order");
        assert_eq!(duplicate.body["order_id"], first.body["id"]);
        assert_eq!(duplicate.body["order_number"], first.body["number"]);

        let position = app.get(ADMIN_KEY, "/v1/availability?skus=A").await.body;
        assert_eq!(reserved(&position, "NORTH"), 2, "replays and duplicates reserve nothing more");
    }

    async fn concurrent_duplicates_are_replays_or_conflicts_never_errors(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 100)]))).await else { return };
        let app = std::sync::Arc::new(app);
        for round in 0..3 {
            let body = order_body("web", &format!("R-{round}"), &[("A", 1)]);
            let key = format!("same-key-{round}");
            let sends = (0..20).map(|_| {
                let (app, body, key) = (app.clone(), body.clone(), key.clone());
                tokio::spawn(async move { app.place(ADMIN_KEY, &body, Some(&key)).await })
            });
            let replies = all(sends).await;
            let ids: std::collections::BTreeSet<String> = replies.iter().map(|r| {
                let r = r.as_ref().unwrap();
                assert_eq!(r.status, StatusCode::CREATED, "the same key is the same order: {}", r.body);
                r.body["id"].as_str().unwrap().to_string()
            }).collect();
            assert_eq!(ids.len(), 1, "one order for one key: {ids:?}");
            let body = order_body("web", &format!("X-{round}"), &[("A", 1)]);
            let sends = (0..20).map(|_| {
                let (app, body) = (app.clone(), body.clone());
                tokio::spawn(async move { app.place(ADMIN_KEY, &body, None).await })
            });
            let replies = all(sends).await;
            let statuses: Vec<StatusCode> = replies.iter().map(|r| r.as_ref().unwrap().status).collect();
            let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
            let duplicates = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
            assert_eq!((created, duplicates), (1, 19), "one order per external id, the rest 409: {statuses:?}");
        }
        assert_eq!(app.position("NORTH", "A").await["reserved"], 6);
        app.assert_consistent().await;
    }

    async fn orders_are_found_by_number_external_id_email_or_the_start_of_a_name(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let mut other = order_body("web", "W-2", &[("A", 1)]);
        other["customer"] = json!({ "email": "Bo.Berg@Example.com", "name": "Bo Berg" });
        let ann = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 1)]), None).await.body;
        let bo = app.place(ADMIN_KEY, &other, None).await.body;
        let app = &app;
        let found = |q: &str| {
            let path = format!("/v1/orders?q={q}");
            async move {
                let list = app.get(ADMIN_KEY, &path).await.body;
                list["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
            }
        };
        let (ann_id, bo_id) = (ann["id"].as_str().unwrap().to_string(), bo["id"].as_str().unwrap().to_string());
        assert_eq!(found(bo["number"].as_str().unwrap()).await, vec![bo_id.clone()]);
        assert_eq!(found("W-1").await, vec![ann_id.clone()], "by external id, whatever the channel");
        assert_eq!(found("bo.berg@example.com").await, vec![bo_id.clone()], "by email, any case");
        assert_eq!(found("bo%20b").await, vec![bo_id.clone()], "by the start of the name, any case");
        assert_eq!(found("ANN").await, vec![ann_id.clone()]);
        assert!(found("berg").await.is_empty(), "a name is matched from its start");
        assert!(found("a_n").await.is_empty(), "wildcards are taken literally");
    }

    async fn a_channel_key_cannot_read_another_channels_order(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let (web, pos, reader) = (app.key("channel", Some("web")).await, app.key("channel", Some("pos")).await, app.key("read_only", None).await);
        let placed = app.place(&web, &order_body("web", "W-1", &[("A", 1)]), None).await.body;
        let (id, number) = (placed["id"].as_str().unwrap(), placed["number"].as_str().unwrap());

        for path in [format!("/v1/orders/{id}"), format!("/v1/orders/{number}"), format!("/v1/orders/{id}/events")] {
            assert_eq!(app.get(&pos, &path).await.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(app.get(&web, &path).await.status, StatusCode::OK, "{path}");
            assert_eq!(app.get(&reader, &path).await.status, StatusCode::OK, "{path}");
        }
        assert_eq!(app.get(&pos, "/v1/orders").await.body["items"], json!([]));
        assert_eq!(app.get(&pos, "/v1/orders?channel=web").await.body["items"], json!([]));
        assert_eq!(app.get(&web, "/v1/orders").await.body["items"].as_array().unwrap().len(), 1);
        let cancel = app.request(Method::POST, Some(&pos), &format!("/v1/orders/{id}/cancel"), None, &[]).await;
        assert_eq!(cancel.status, StatusCode::NOT_FOUND);

        let for_web = app.place(&pos, &order_body("web", "W-2", &[("A", 1)]), None).await;
        assert_eq!(for_web.status, StatusCode::FORBIDDEN, "a pos key may not place web orders");
        assert_eq!(app.place(&reader, &order_body("web", "W-3", &[("A", 1)]), None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&web, "/v1/locations").await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&web, "/v1/availability?skus=A").await.status, StatusCode::OK);
    }

    async fn cancelling_releases_what_the_order_held_and_the_timeline_tells_it(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 3), ("SOUTH", "B", 3)]))).await else { return };
        let placed = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 2), ("B", 1)]), None).await;
        assert_eq!(placed.status, StatusCode::CREATED);
        assert_eq!(placed.body["status"], "allocated");
        assert_eq!(placed.body["allocations"].as_array().unwrap().len(), 2, "split over the two warehouses");
        assert_eq!(placed.body["totals"]["total"], "59.97");
        let number = placed.body["number"].as_str().unwrap();

        let reader = app.key("read_only", None).await;
        let refused = app.post(&reader, &format!("/v1/orders/{number}/cancel"), &json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "a read-only key cannot cancel");
        let unreadable = app
            .http
            .post(format!("{}/v1/orders/{number}/cancel", app.address))
            .bearer_auth(ADMIN_KEY)
            .body("reason=none")
            .send()
            .await
            .unwrap();
        assert_eq!(unreadable.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "a body that is not JSON is refused, not ignored");

        let cancelled = app.post(ADMIN_KEY, &format!("/v1/orders/{number}/cancel"), &json!({ "reason": "customer asked" })).await;
        assert_eq!(cancelled.status, StatusCode::OK);
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(cancelled.body["lines"][0]["quantities"]["cancelled"], 2);
        assert_eq!(reserved(&app.get(ADMIN_KEY, "/v1/availability?skus=A").await.body, "NORTH"), 0);

        let again = app.post(ADMIN_KEY, &format!("/v1/orders/{number}/cancel"), &json!({})).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.body["order_status"], "cancelled");

        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{number}/events")).await.body;
        let timeline: Vec<(String, String)> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].as_str().unwrap().to_string(), e["to_status"].as_str().unwrap().to_string()))
            .collect();
        let expected = [("order.received", "received"), ("order.allocated", "allocated"), ("order.cancelled", "cancelled")];
        assert_eq!(timeline, expected.map(|(a, b)| (a.to_string(), b.to_string())));
        assert_eq!(events["items"][2]["reason"], "customer asked");
        assert!(events["items"][2]["actor"].as_str().unwrap().starts_with("admin:key_"));

        let ledger = app.get(ADMIN_KEY, "/v1/inventory/ledger?sku=A").await.body;
        let kinds: Vec<&str> = ledger["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["release", "reserve", "count"]);
    }

    async fn a_line_that_cannot_be_covered_is_named_unless_its_item_may_wait(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "A", 1), ("NORTH", "B", 5)]);
        seed.items.push(ordo_domain::item::Item { allow_backorder: true, ..item("MADE-TO-ORDER") });
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let short = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("B", 1), ("A", 3)]), None).await;
        assert_eq!(short.status, StatusCode::CONFLICT);
        assert_eq!(short.body["type"], "/problems/insufficient-stock");
        assert_eq!(short.body["short_lines"], json!([{ "line": 2, "sku": "A", "requested": 3, "available": 1 }]));
        assert_eq!(short.body["errors"][0]["field"], "lines[1].quantity");

        let waits = app.place(ADMIN_KEY, &order_body("web", "W-2", &[("B", 1), ("MADE-TO-ORDER", 2)]), None).await;
        assert_eq!(waits.status, StatusCode::CREATED, "{}", waits.body);
        assert_eq!(waits.body["status"], "backordered");
        assert_eq!(waits.body["lines"][1]["quantities"]["backordered"], 2);
        assert_eq!(waits.body["lines"][0]["quantities"]["allocated"], 1);
    }

    async fn pickup_orders_reserve_at_the_chosen_store(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "A", 9), ("STORE", "A", 1)]);
        let mut store = ordo_testkit::fixtures::location("STORE", 52.5, 13.4);
        store.kind = ordo_domain::location::LocationKind::Store;
        store.capabilities.pickup = true;
        seed.locations.push(store);
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let mut body = order_body("web", "W-1", &[("A", 1)]);
        body["delivery"] = json!({ "method": "pickup", "pickup_location": "STORE" });
        body.as_object_mut().unwrap().remove("ship_to");
        let placed = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        assert_eq!(placed.body["allocations"][0]["location"], "STORE");
        body["external_id"] = json!("W-2");
        assert_eq!(app.place(ADMIN_KEY, &body, None).await.status, StatusCode::CONFLICT, "the store has no more");
        body["delivery"]["pickup_location"] = json!("NORTH");
        let refused = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body["errors"][0]["field"], "delivery.pickup_location");
    }

    async fn every_bad_field_is_named_in_one_answer(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        let bad = json!({
            "channel": "web",
            "customer": { "email": "not-an-email" },
            "ship_to": { "name": "A", "line1": "B", "city": "C", "postal_code": "1", "country": "ZZ", "lat": 91.0, "lon": 0.0 },
            "currency": "EUR",
            "lines": [{ "sku": "A", "quantity": 0, "unit_price": "1.234" }, { "sku": "NOPE", "quantity": 1, "unit_price": "1.00" }],
            "delivery": { "method": "drone" }
        });
        let reply = app.place(ADMIN_KEY, &bad, None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.headers["content-type"], "application/problem+json");
        let fields: Vec<&str> = reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for expected in ["external_id", "customer.email", "customer.name", "ship_to.country", "ship_to.lat", "lines[0].quantity", "lines[0].unit_price", "delivery.method"] {
            assert!(fields.contains(&expected), "{expected} missing from {fields:?}");
        }
        for member in ["type", "title", "status", "detail"] {
            assert!(reply.body.get(member).is_some(), "problem member {member}");
        }

        let unknown_item = app.place(ADMIN_KEY, &order_body("web", "W-9", &[("NOPE", 1)]), None).await;
        assert_eq!(unknown_item.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown_item.body["errors"][0]["field"], "lines[0].sku");
        let unknown_channel = app.place(ADMIN_KEY, &order_body("mars", "W-9", &[("A", 1)]), None).await;
        assert_eq!(unknown_channel.body["errors"][0]["field"], "channel");

        let lines: Vec<(&str, i64)> = (0..101).map(|_| ("A", 1)).collect();
        let too_many = app.place(ADMIN_KEY, &order_body("web", "W-10", &lines), None).await;
        assert_eq!(too_many.body["errors"][0]["field"], "lines");

        let typed = app.place(ADMIN_KEY, &json!({ "channel": "web", "lines": [{ "sku": "A", "quantity": "two" }] }), None).await;
        assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(typed.body["errors"][0]["field"], "lines[0].quantity");
    }
}

on_both_backends! {
    async fn locations_and_items_are_created_read_listed_and_patched(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, None).await else { return };
        let location = json!({
            "code": "WH-1", "name": "Hamburg DC", "kind": "warehouse",
            "address": { "country": "DE", "city": "Hamburg", "postal_code": "20095", "lat": 53.55, "lon": 9.99 },
            "capabilities": ["ship"], "daily_order_capacity": 500, "cutoff_local_time": "17:00", "time_zone": "Europe/Berlin"
        });
        let created = app.post(ADMIN_KEY, "/v1/locations", &location).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["active"], true);
        assert_eq!(app.post(ADMIN_KEY, "/v1/locations", &location).await.status, StatusCode::CONFLICT);

        let patch = json!({ "name": "Hamburg Nord", "daily_order_capacity": null, "capabilities": ["ship", "pickup"] });
        let patched = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/locations/WH-1", Some(&patch), &[]).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.body["name"], "Hamburg Nord");
        assert_eq!(patched.body["daily_order_capacity"], Value::Null);
        assert_eq!(patched.body["cutoff_local_time"], "17:00", "members not in the patch stay");
        let recode = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/locations/WH-1", Some(&json!({ "code": "WH-2" })), &[]).await;
        assert_eq!(recode.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/locations/WH-1", Some(&json!({ "time_zone": "Mars/Base" })), &[]).await;
        assert_eq!(bad.body["errors"][0]["field"], "time_zone");
        assert_eq!(app.get(ADMIN_KEY, "/v1/locations/NOPE").await.status, StatusCode::NOT_FOUND);

        for sku in ["SKU-3", "SKU-1", "SKU-2"] {
            let reply = app.post(ADMIN_KEY, "/v1/items", &json!({ "sku": sku, "name": format!("Item {sku}"), "weight_g": 250 })).await;
            assert_eq!(reply.status, StatusCode::CREATED);
        }
        let first = app.get(ADMIN_KEY, "/v1/items?limit=2").await.body;
        let cursor = first["next_cursor"].as_str().expect("a second page");
        let second = app.get(ADMIN_KEY, &format!("/v1/items?limit=2&cursor={cursor}")).await.body;
        let skus: Vec<&Value> = first["items"].as_array().unwrap().iter().chain(second["items"].as_array().unwrap()).map(|i| &i["sku"]).collect();
        assert_eq!(skus, vec!["SKU-1", "SKU-2", "SKU-3"]);
        assert_eq!(second["next_cursor"], Value::Null);
        let patched = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/items/SKU-1", Some(&json!({ "allow_backorder": true })), &[]).await;
        assert_eq!(patched.body["allow_backorder"], true);
        assert_eq!(patched.body["weight_g"], 250);
        assert_eq!(app.get(ADMIN_KEY, "/v1/items?limit=0").await.body["errors"][0]["field"], "limit");
    }

    async fn stock_is_counted_adjusted_ledgered_and_promised(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let count = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/inventory/SOUTH/A", Some(&json!({ "on_hand": 7, "safety_stock": 2, "reason": "cycle count" })), &[]).await;
        assert_eq!(count.status, StatusCode::OK, "{}", count.body);
        assert_eq!(count.body["available"], 5);

        let adjust = json!({ "reason": "damaged", "adjustments": [{ "location": "NORTH", "sku": "A", "delta": -4 }, { "location": "SOUTH", "sku": "A", "delta": 1 }] });
        let adjusted = app.post(ADMIN_KEY, "/v1/inventory/adjustments", &adjust).await;
        assert_eq!(adjusted.status, StatusCode::OK, "{}", adjusted.body);
        assert_eq!(adjusted.body["entries"][0]["on_hand_after"], 6);

        let placed = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 5)]), None).await;
        assert_eq!(placed.status, StatusCode::CREATED);
        let held_at = placed.body["allocations"][0]["location"].as_str().unwrap().to_string();
        let too_far = json!({ "reason": "recount", "adjustments": [{ "location": held_at, "sku": "A", "delta": -10 }, { "location": "NORTH", "sku": "NOPE", "delta": 1 }] });
        let refused = app.post(ADMIN_KEY, "/v1/inventory/adjustments", &too_far).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown item is named first");
        assert_eq!(refused.body["errors"][0]["field"], "adjustments[1].sku");
        let too_far = json!({ "reason": "recount", "adjustments": [{ "location": held_at, "sku": "A", "delta": -5 }] });
        let refused = app.post(ADMIN_KEY, "/v1/inventory/adjustments", &too_far).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "on hand may not drop below what is reserved");
        assert_eq!(refused.body["errors"][0]["field"], "adjustments[0].delta");
        let below = app.request(Method::PUT, Some(ADMIN_KEY), &format!("/v1/inventory/{held_at}/A"), Some(&json!({ "on_hand": 1 })), &[]).await;
        assert_eq!(below.status, StatusCode::CONFLICT);

        let availability = app.get(ADMIN_KEY, "/v1/availability?skus=A,B").await.body;
        let a = &availability["items"][0];
        assert_eq!((a["on_hand"].as_i64(), a["reserved"].as_i64()), (Some(14), Some(5)));
        assert_eq!(a["available"], 14 - 5 - 2);
        assert_eq!(availability["items"][1]["available"], 0, "an item with no stock is simply unavailable");
        assert_eq!(app.get(ADMIN_KEY, "/v1/availability").await.body["errors"][0]["field"], "skus");

        let positions = app.get(ADMIN_KEY, "/v1/inventory?sku=A").await.body;
        assert_eq!(positions["items"].as_array().unwrap().len(), 2);
        let ledger = app.get(ADMIN_KEY, "/v1/inventory/ledger?location=SOUTH").await.body;
        let south: Vec<(i64, &str)> = ledger["items"].as_array().unwrap().iter().map(|e| (e["on_hand_delta"].as_i64().unwrap(), e["kind"].as_str().unwrap())).collect();
        assert!(south.ends_with(&[(1, "adjustment"), (7, "count")]), "{south:?}");
        assert_eq!(app.get(ADMIN_KEY, "/v1/inventory?limit=1&cursor=garbage").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn keys_are_created_listed_without_secrets_and_revoked(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        let created = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "channel", "channel": "web" })).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let (id, secret) = (created.body["id"].as_str().unwrap(), created.body["key"].as_str().unwrap());
        assert_eq!(app.get(secret, "/v1/orders").await.status, StatusCode::OK);
        let listed = app.get(ADMIN_KEY, "/v1/api-keys").await.body.to_string();
        assert!(listed.contains(id) && !listed.contains(secret), "keys are listed without their secrets");
        let revoked = app.request(Method::DELETE, Some(ADMIN_KEY), &format!("/v1/api-keys/{id}"), None, &[]).await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get(secret, "/v1/orders").await.status, StatusCode::UNAUTHORIZED);

        let no_channel = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "channel" })).await;
        assert_eq!(no_channel.body["errors"][0]["field"], "channel");
        let unknown = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "channel", "channel": "mars" })).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        let channel_made = app.post(ADMIN_KEY, "/v1/channels", &json!({ "code": "b2b", "name": "Trade", "kind": "b2b" })).await;
        assert_eq!(channel_made.status, StatusCode::CREATED);
        let bad_kind = app.post(ADMIN_KEY, "/v1/channels", &json!({ "code": "x", "name": "X", "kind": "carrier-pigeon" })).await;
        assert_eq!(bad_kind.body["errors"][0]["field"], "kind");
    }

    async fn every_failure_is_a_problem_and_operations_answer(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        let anonymous = app.request(Method::GET, None, "/v1/orders", None, &[]).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.headers["www-authenticate"], "Bearer");
        assert_eq!(anonymous.body["status"], 401);
        assert_eq!(app.get("wrong-key", "/v1/orders").await.status, StatusCode::UNAUTHORIZED);
        let reader = app.key("read_only", None).await;
        assert_eq!(app.post(&reader, "/v1/items", &json!({ "sku": "X", "name": "X" })).await.status, StatusCode::FORBIDDEN);

        let huge = json!({ "sku": "X", "name": "x".repeat(300_000) });
        let too_large = app.post(ADMIN_KEY, "/v1/items", &huge).await;
        assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(too_large.body["status"], 413);
        let text = app.http.post(format!("{}/v1/items", app.address)).bearer_auth(ADMIN_KEY).body("sku=X").send().await.unwrap();
        assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let broken = app.http.post(format!("{}/v1/items", app.address)).bearer_auth(ADMIN_KEY).header("content-type", "application/json").body("{").send().await.unwrap();
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.get(ADMIN_KEY, "/v1/nothing-here").await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.request(Method::DELETE, Some(ADMIN_KEY), "/v1/orders", None, &[]).await.status, StatusCode::METHOD_NOT_ALLOWED);

        assert_eq!(app.request(Method::GET, None, "/healthz", None, &[]).await.body["status"], "ok");
        let ready = app.request(Method::GET, None, "/readyz", None, &[]).await;
        assert_eq!(ready.status, StatusCode::OK);
        assert!(ready.headers.contains_key("x-request-id"), "every answer carries a request id");
        app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 1)]), None).await;
        let metrics = app.metrics().await;
        for name in ["ordo_http_requests_total", "ordo_http_request_duration_seconds_bucket", "ordo_orders_rejected_total"] {
            assert!(metrics.contains(name), "{name} missing from /metrics");
        }
        let openapi = app.request(Method::GET, None, "/openapi.json", None, &[]).await.body;
        assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in ["/v1/orders", "/v1/orders/{id}/cancel", "/v1/inventory/{location}/{sku}", "/v1/availability", "/v1/api-keys/{id}"] {
            assert!(openapi["paths"].get(path).is_some(), "{path} is not documented");
        }
        let docs = app.http.get(format!("{}/docs/", app.address)).send().await.unwrap();
        assert_eq!(docs.status(), StatusCode::OK);
        assert!(docs.text().await.unwrap().contains("swagger-ui"));
    }
}

on_both_backends! {
    async fn a_key_that_may_not_act_is_refused_whatever_its_body_says(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        let channel = app.key("channel", Some("web")).await;
        let reader = app.key("read_only", None).await;
        let wms = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "location", "location": "NORTH" })).await.body["key"]
            .as_str().unwrap().to_string();
        let cases: Vec<(&str, Method, &str, Value)> = vec![
            (&channel, Method::POST, "/v1/api-keys", json!({ "role": "admin" })),
            (&channel, Method::POST, "/v1/api-keys", json!({ "role": 7 })),
            (&wms, Method::POST, "/v1/orders", json!({})),
            (&reader, Method::POST, "/v1/orders", json!({ "lines": "not even a list" })),
            (&reader, Method::POST, "/v1/orders/100001/cancel", json!({ "lines": [] })),
            (&channel, Method::POST, "/v1/items", json!({})),
            (&channel, Method::PUT, "/v1/carriers/x", json!({})),
            (&channel, Method::POST, "/v1/fulfillment-orders/ful_x/ship", json!({ "tracking_numbers": 3 })),
            (&wms, Method::POST, "/v1/tracking-events", json!({})),
            (&reader, Method::POST, "/v1/inventory/adjustments", json!({})),
        ];
        for (key, method, path, body) in cases {
            let reply = app.request(method.clone(), Some(key), path, Some(&body), &[]).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path} {body}: {}", reply.body);
            assert!(reply.body["errors"].is_null(), "no field details to a caller that may not act: {}", reply.body);
        }
        let malformed = app.http.post(format!("{}/v1/api-keys", app.address)).bearer_auth(&channel)
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(malformed.status(), StatusCode::FORBIDDEN, "refused before the body is read");
    }
}

#[test]
fn commands_that_work_on_a_store_refuse_one_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo");
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    std::fs::write(dir.path().join("stock.csv"), "sku,delta\nA,1\n").unwrap();
    // Each command with the database flags where it takes them.
    let commands: [(&[&str], &[&str]); 4] = [
        (&["check"], &[]),
        (&["reoptimize", "--dry-run"], &[]),
        (&["document"], &["label", "shp_x"]),
        (
            &[
                "import",
                "inventory",
                "stock.csv",
                "--mode",
                "delta",
                "--location",
                "NORTH",
            ],
            &[],
        ),
    ];
    for (command, after) in commands {
        for place in [
            ["--data-dir", typo.to_str().unwrap()],
            ["--database-url", missing.as_str()],
        ] {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
                .current_dir(dir.path())
                .args(command)
                .args(place)
                .args(after)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command:?} {place:?}: {stderr}"
            );
            assert!(
                stderr.contains("no Ordo database at"),
                "{command:?}: {stderr}"
            );
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        }
    }
    assert!(!typo.exists(), "nothing was made at the mistyped directory");
    assert!(!dir.path().join("nothing.db").exists());
}

/// Every spawned request's reply, in order.
async fn all(
    sends: impl Iterator<Item = tokio::task::JoinHandle<ordo_testkit::Reply>>,
) -> Vec<Result<ordo_testkit::Reply, tokio::task::JoinError>> {
    let mut replies = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        replies.push(send.await);
    }
    replies
}

async fn placed_order(app: &TestApp) -> String {
    let placed = app
        .place(ADMIN_KEY, &order_body("web", "N-OK", &[("A", 1)]), None)
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    placed.body["id"].as_str().unwrap().to_string()
}

on_both_backends! {
    async fn small_contract_defects_stay_fixed(backend: Backend) {
        let limits = ordo_app::Limits { request_body_idle_ms: 200, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 5)])), limits).await else { return };
        // A cursor the list did not hand out is refused, not read as page 1.
        for path in ["/v1/orders?cursor=ord_zzz", "/v1/items?cursor=nonsense", "/v1/events?cursor=1"] {
            let reply = app.get(ADMIN_KEY, path).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", reply.body);
            assert_eq!(reply.body["errors"][0]["field"], "cursor");
        }
        // Every error is problem+json, even from a rejection Ordo does not own.
        let raw = app.http.get(format!("{}/v1/orders/%FF%FE", app.address)).bearer_auth(ADMIN_KEY).send().await.unwrap();
        assert!(raw.status().is_client_error());
        assert_eq!(raw.headers()["content-type"], "application/problem+json");
        // The front door leads to the API's documentation.
        let root = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
            .get(format!("{}/", app.address)).send().await.unwrap();
        assert!(root.status().is_redirection(), "{}", root.status());
        assert_eq!(root.headers()["location"], "/docs/");
        // Keys have names; a location key says its location.
        let made = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "location", "location": "NORTH", "name": "North WMS" })).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!((made.body["name"].as_str(), made.body["location"].as_str()), (Some("North WMS"), Some("NORTH")));
        let keys = app.get(ADMIN_KEY, "/v1/api-keys").await.body;
        let listed = keys["items"].as_array().unwrap().iter().find(|k| k["name"] == "North WMS").unwrap().clone();
        assert_eq!(listed["location"], "NORTH", "{listed}");
        // PATCH merges into the address: what is not named stays.
        let order = app.place(ADMIN_KEY, &order_body("web", "P-1", &[("A", 1)]), None).await.body;
        let id = order["id"].as_str().unwrap();
        let patch = json!({ "ship_to": { "line1": "Marienplatz 1", "city": "München", "postal_code": "80331" } });
        let patched = app.request(Method::PATCH, Some(ADMIN_KEY), &format!("/v1/orders/{id}"), Some(&patch), &[]).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        assert_eq!(patched.body["ship_to"]["name"], "Ann Example", "kept: {}", patched.body);
        assert_eq!(patched.body["ship_to"]["postal_code"], "80331");
        // A client that stops sending its body is answered 408: its fault, not the server's.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
        let head = format!("POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"channel\"");
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0; 512];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer)).await.unwrap().unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }

    async fn a_nul_character_is_refused_at_the_edge_the_same_on_both_backends(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        let web = app.key("channel", Some("web")).await;
        for (key, path, field) in [
            (ADMIN_KEY, "/v1/channels?cursor=%00", "cursor"),
            (ADMIN_KEY, "/v1/orders?q=a%00b", "q"),
            (ADMIN_KEY, "/v1/orders/ord%00x", "id"),
            (ADMIN_KEY, "/v1/items/A%00", "sku"),
            (web.as_str(), "/v1/orders/ord%00x/events", "id"),
            (ADMIN_KEY, "/v1/inventory?sku=%00", "sku"),
        ] {
            let reply = app.get(key, path).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", reply.body);
            assert_eq!(reply.body["errors"][0]["field"], field, "{path}: {}", reply.body);
        }
        let mut body = order_body("web", "N\u{0}1", &[("A", 1)]);
        body["customer"]["name"] = json!("Ann\u{0}Example");
        let placed = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(placed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", placed.body);
        let item = app.post(ADMIN_KEY, "/v1/items", &json!({ "sku": "Z", "name": "Zed\u{0}" })).await;
        assert_eq!(item.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", item.body);
        let id = placed_order(&app).await;
        let note = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds"), &json!({ "reason": "manual", "note": "call\u{0}back" })).await;
        assert_eq!((note.status, note.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")), "{}", note.body);
        app.assert_consistent().await;
    }

    async fn guessing_keys_is_throttled_per_client_and_known_keys_still_pass(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        assert_eq!(app.get(ADMIN_KEY, "/v1/items").await.status, StatusCode::OK);
        let statuses: Vec<u16> = {
            let mut seen = Vec::new();
            for i in 0..14 {
                seen.push(app.get(&format!("ordo_guess_{i:040}"), "/v1/items").await.status.as_u16());
            }
            seen
        };
        assert_eq!(&statuses[..10], &[401; 10], "{statuses:?}");
        assert_eq!(&statuses[10..], &[429; 4], "{statuses:?}");
        let throttled = app.get("ordo_guess_again", "/v1/items").await;
        assert_eq!(throttled.headers["retry-after"], "6", "{}", throttled.body);
        assert_eq!(throttled.body["type"], "/problems/too-many-requests");
        assert_eq!(throttled.body["retry_after_s"], 6);
        assert_eq!(app.get(ADMIN_KEY, "/v1/items").await.status, StatusCode::OK, "a key known a moment ago still passes");
        app.clock.advance_ms(60_000);
        assert_eq!(app.get("ordo_guess_later", "/v1/items").await.status, StatusCode::UNAUTHORIZED, "tries are earned back");
        let metrics = app.metrics().await;
        assert!(metrics.contains("ordo_auth_failures_total{reason=\"throttled\"}"), "{metrics}");
    }
}

#[test]
fn a_bootstrap_admin_key_too_short_to_resist_guessing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", "only-twenty-five-chars-x")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("at least 32 characters"), "{said}");
}
