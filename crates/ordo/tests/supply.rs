//! Supply end to end: transfers between locations, inbound purchase orders, and the backorder
//! queue they fill, in policy order. On SQLite, and on PostgreSQL when ORDO_TEST_POSTGRES_URL
//! is set.

use ordo_domain::item::Item;
use ordo_testkit::fixtures::{item, order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn network_with_waiting_item(stock: &[(&str, &str, i64)]) -> ordo_store::NetworkSeed {
    let mut seed = small_network(stock);
    seed.items.push(Item {
        allow_backorder: true,
        ..item("W")
    });
    seed
}

async fn post_empty(app: &TestApp, path: &str) -> ordo_testkit::Reply {
    app.request(Method::POST, Some(ADMIN_KEY), path, None, &[])
        .await
}

on_both_backends! {
    async fn stock_in_transit_counts_at_neither_location_until_received(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let requested = app.post(ADMIN_KEY, "/v1/transfers", &json!({ "from": "NORTH", "to": "SOUTH", "lines": [{ "sku": "A", "quantity": 6 }], "reason": "rebalance" })).await;
        assert_eq!(requested.status, StatusCode::CREATED, "{}", requested.body);
        assert_eq!(requested.body["status"], "requested");
        let id = requested.body["id"].as_str().unwrap().to_string();
        let north = app.position("NORTH", "A").await;
        assert_eq!((north["on_hand"].as_i64(), north["reserved"].as_i64()), (Some(10), Some(6)), "requested units are reserved at the source");
        assert_eq!(app.available("A").await, 4);

        let shipped = post_empty(&app, &format!("/v1/transfers/{id}/ship")).await;
        assert_eq!(shipped.body["status"], "in_transit", "{}", shipped.body);
        assert_eq!(shipped.body["lines"][0]["in_transit"], 6);
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 4);
        assert_eq!(app.position("SOUTH", "A").await, Value::Null, "nothing at the destination yet");
        assert_eq!(app.available("A").await, 4);

        let partly = app.post(ADMIN_KEY, &format!("/v1/transfers/{id}/receive"), &json!({ "lines": [{ "sku": "A", "quantity": 4 }] })).await;
        assert_eq!(partly.body["status"], "partially_received", "{}", partly.body);
        assert_eq!(app.position("SOUTH", "A").await["on_hand"], 4);
        let over = app.post(ADMIN_KEY, &format!("/v1/transfers/{id}/receive"), &json!({ "lines": [{ "sku": "A", "quantity": 3 }] })).await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "only 2 are in transit");
        let rest = post_empty(&app, &format!("/v1/transfers/{id}/receive")).await;
        assert_eq!(rest.body["status"], "received");
        assert_eq!(app.available("A").await, 10);
        assert_eq!(post_empty(&app, &format!("/v1/transfers/{id}/cancel")).await.status, StatusCode::CONFLICT);

        let another = app.post(ADMIN_KEY, "/v1/transfers", &json!({ "from": "SOUTH", "to": "NORTH", "lines": [{ "sku": "A", "quantity": 2 }] })).await.body;
        let cancelled = post_empty(&app, &format!("/v1/transfers/{}/cancel", another["id"].as_str().unwrap())).await;
        assert_eq!(cancelled.body["status"], "cancelled");
        assert_eq!(app.position("SOUTH", "A").await["reserved"], 0);
        let short = app.post(ADMIN_KEY, "/v1/transfers", &json!({ "from": "SOUTH", "to": "NORTH", "lines": [{ "sku": "A", "quantity": 99 }] })).await;
        assert_eq!(short.status, StatusCode::CONFLICT);
        let same = app.post(ADMIN_KEY, "/v1/transfers", &json!({ "from": "SOUTH", "to": "SOUTH", "lines": [{ "sku": "A", "quantity": 1 }] })).await;
        assert_eq!(same.body["errors"][0]["field"], "to");
        let listed = app.get(ADMIN_KEY, "/v1/transfers?location=NORTH&status=received").await.body;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        app.assert_consistent().await;
        ordo_testkit::db::execute(&app.db, &format!("UPDATE transfer_lines SET received = 7 WHERE transfer_id = '{id}'")).await;
        let breaches = app.app.check().await.unwrap();
        assert!(breaches.iter().any(|b| b.kind == "transfer" && b.detail.contains("shipped 6, received 7")), "{breaches:?}");
    }

    async fn a_receipt_fills_waiting_backorders_in_policy_order(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(network_with_waiting_item(&[]))).await else { return };
        let put = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/backorders/policy", Some(&json!({ "policy": "priority" })), &[]).await;
        assert_eq!(put.body["policy"], "priority");
        let mut ids = Vec::new();
        for (i, priority) in [0, 50, 10].iter().enumerate() {
            app.clock.advance_ms(1_000);
            let mut body = order_body("web", &format!("W-{i}"), &[("W", 2)]);
            body["priority"] = json!(priority);
            let placed = app.place(ADMIN_KEY, &body, None).await;
            assert_eq!(placed.body["status"], "backordered", "{}", placed.body);
            ids.push(placed.body["id"].as_str().unwrap().to_string());
        }
        let queue = app.get(ADMIN_KEY, "/v1/backorders?sku=W").await.body;
        let order: Vec<&str> = queue["items"].as_array().unwrap().iter().map(|w| w["order_id"].as_str().unwrap()).collect();
        assert_eq!(order, vec![ids[1].as_str(), ids[2].as_str(), ids[0].as_str()], "the queue shows the policy's order");

        let po = app.post(ADMIN_KEY, "/v1/inbound", &json!({
            "kind": "purchase_order", "location": "NORTH", "supplier_reference": "PO-1",
            "expected_date": "2026-01-10", "lines": [{ "sku": "W", "quantity": 10 }]
        })).await;
        assert_eq!(po.status, StatusCode::CREATED, "{}", po.body);
        let po_id = po.body["id"].as_str().unwrap().to_string();
        let received = app.post(ADMIN_KEY, &format!("/v1/inbound/{po_id}/receive"), &json!({ "lines": [{ "sku": "W", "quantity": 3 }] })).await;
        assert_eq!(received.body["status"], "partially_received", "{}", received.body);
        assert_eq!(received.body["lines"][0]["outstanding"], 7);

        let allocated = |body: &Value| body["lines"][0]["quantities"]["allocated"].as_i64().unwrap();
        let o1 = app.get(ADMIN_KEY, &format!("/v1/orders/{}", ids[1])).await.body;
        let o2 = app.get(ADMIN_KEY, &format!("/v1/orders/{}", ids[2])).await.body;
        let o0 = app.get(ADMIN_KEY, &format!("/v1/orders/{}", ids[0])).await.body;
        assert_eq!((allocated(&o1), o1["status"].as_str()), (2, Some("allocated")), "priority 50 first");
        assert_eq!(allocated(&o2), 1, "then priority 10, with what is left");
        assert_eq!(allocated(&o0), 0, "priority 0 waits");
        assert_eq!(app.get(ADMIN_KEY, "/v1/backorders?sku=W").await.body["items"].as_array().unwrap().len(), 2);

        let rest = app.post(ADMIN_KEY, &format!("/v1/inbound/{po_id}/receive"), &json!({ "lines": [{ "sku": "W", "quantity": 7, "state": "sellable" }] })).await;
        assert_eq!(rest.body["status"], "received");
        assert_eq!(app.get(ADMIN_KEY, "/v1/backorders").await.body["items"], json!([]));
        assert_eq!(app.available("W").await, 10 - 6);
        assert_eq!(post_empty(&app, &format!("/v1/inbound/{po_id}/cancel")).await.status, StatusCode::CONFLICT);
        app.assert_consistent().await;
    }

    async fn inbound_supply_is_checked_and_can_be_closed(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        let bad = app.post(ADMIN_KEY, "/v1/inbound", &json!({ "kind": "gift", "location": "MARS", "expected_date": "soon", "lines": [{ "sku": "NOPE", "quantity": 1 }] })).await;
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["kind", "supplier_reference", "expected_date"]);
        let unknown = app.post(ADMIN_KEY, "/v1/inbound", &json!({ "kind": "advance_ship_notice", "location": "MARS", "supplier_reference": "ASN-1", "expected_date": "2026-02-01", "lines": [{ "sku": "NOPE", "quantity": 1 }] })).await;
        let fields: Vec<&str> = unknown.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["location", "lines[0].sku"]);
        let asn = app.post(ADMIN_KEY, "/v1/inbound", &json!({ "kind": "advance_ship_notice", "location": "SOUTH", "supplier_reference": "ASN-1", "expected_date": "2026-02-01", "lines": [{ "sku": "A", "quantity": 5 }] })).await.body;
        let id = asn["id"].as_str().unwrap();
        let wrong = app.post(ADMIN_KEY, &format!("/v1/inbound/{id}/receive"), &json!({ "lines": [{ "sku": "B", "quantity": 1 }] })).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let closed = post_empty(&app, &format!("/v1/inbound/{id}/cancel")).await;
        assert_eq!(closed.body["status"], "cancelled");
        assert_eq!(app.get(ADMIN_KEY, "/v1/inbound?status=cancelled").await.body["items"][0]["id"], id);
    }
}
