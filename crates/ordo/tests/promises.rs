//! What may be sold and when it arrives: channel buffers at capture, availability by date,
//! promise dates, preorders. The test clock starts on Thursday 2026-01-01, 00:00 UTC (01:00 in
//! Berlin); the fixture warehouses cut off at 16:00 local time. NORTH is in Hamburg, SOUTH in
//! Munich, and the fixture orders ship to Hamburg.

use ordo_domain::item::{Item, Preorder};
use ordo_domain::promise::parse_date;
use ordo_testkit::fixtures::{item, order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn seed_with(stock: &[(&str, &str, i64)], extra: Vec<Item>) -> ordo_store::NetworkSeed {
    let mut seed = small_network(stock);
    seed.items.extend(extra);
    seed
}

async fn availability(app: &TestApp, key: &str, query: &str) -> Value {
    let reply = app.get(key, &format!("/v1/availability?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"][0].clone()
}

on_both_backends! {
    async fn a_channels_buffer_is_honoured_at_capture(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10), ("SOUTH", "A", 10)]))).await else { return };
        let rules = json!({ "buffer_percent": 50, "excluded_locations": ["SOUTH"], "items": [{ "sku": "A", "buffer_units": 2 }] });
        let put = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/web/stock-rules", Some(&rules), &[]).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(app.get(ADMIN_KEY, "/v1/channels/web/stock-rules").await.body["items"][0]["buffer_units"], 2);

        let web = app.key("channel", Some("web")).await;
        // Half of NORTH's 10, less the item's 2 units; SOUTH is excluded.
        let seen = availability(&app, &web, "skus=A").await;
        assert_eq!(seen["available"], 3, "a channel key sees its own channel's view");
        assert_eq!(availability(&app, ADMIN_KEY, "skus=A&channel=web").await["available"], 3);
        assert_eq!(availability(&app, ADMIN_KEY, "skus=A&channel=pos").await["available"], 20);
        assert_eq!(availability(&app, ADMIN_KEY, "skus=A").await["available"], 20);
        assert_eq!(app.get(&web, "/v1/availability?skus=A&channel=pos").await.status, StatusCode::FORBIDDEN);

        let too_many = app.place(&web, &order_body("web", "W-1", &[("A", 4)]), None).await;
        assert_eq!(too_many.status, StatusCode::CONFLICT);
        assert_eq!(too_many.body["short_lines"][0]["available"], 3);
        let ok = app.place(&web, &order_body("web", "W-2", &[("A", 3)]), None).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        assert_eq!(ok.body["allocations"][0]["location"], "NORTH");
        let pos = app.place(ADMIN_KEY, &order_body("pos", "P-1", &[("A", 17)]), None).await;
        assert_eq!(pos.status, StatusCode::CREATED, "another channel sells what web may not");

        let bad = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/web/stock-rules", Some(&json!({ "buffer_percent": 150, "excluded_locations": ["MARS"] })), &[]).await;
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["buffer_percent"]);
        let unknown = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/web/stock-rules", Some(&json!({ "excluded_locations": ["MARS"] })), &[]).await;
        assert_eq!(unknown.body["errors"][0]["field"], "excluded_locations[0]");
        app.assert_consistent().await;
    }

    async fn availability_by_date_shows_what_arrives_when(backend: Backend) {
        let waits = Item { allow_backorder: true, ..item("W") };
        let Some(app) = TestApp::spawn(backend, Some(seed_with(&[("NORTH", "W", 2)], vec![waits]))).await else { return };
        let po = json!({ "kind": "purchase_order", "location": "NORTH", "supplier_reference": "PO-7", "expected_date": "2026-01-10", "lines": [{ "sku": "W", "quantity": 10 }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inbound", &po).await.status, StatusCode::CREATED);

        let placed = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("W", 5)]), None).await.body;
        assert_eq!(placed["status"], "backordered");
        assert_eq!(placed["lines"][0]["quantities"]["backordered"], 3);
        // Ready Saturday the 10th, ships Monday the 12th, one day to Hamburg.
        assert_eq!(placed["lines"][0]["expected_date"], "2026-01-13");
        assert_eq!(placed["promised_date"], "2026-01-13");

        let seen = availability(&app, ADMIN_KEY, "skus=W&by_date=true").await;
        assert_eq!(seen["available"], 0);
        assert_eq!(seen["waiting"], 3);
        assert_eq!(seen["incoming"], json!([{ "date": "2026-01-10", "location": "NORTH", "quantity": 10 }]));
        assert_eq!(seen["by_date"], json!([{ "date": "2026-01-10", "incoming": 10, "available": 7 }]));
        assert_eq!(app.get(ADMIN_KEY, "/v1/backorders").await.body["items"][0]["expected_date"], "2026-01-13");
    }

    async fn promises_come_from_stock_then_supply_then_a_preorder(backend: Backend) {
        let preordered = Item { preorder: Some(Preorder { release_date: parse_date("2026-03-02").unwrap(), cap: 3 }), ..item("P") };
        let Some(app) = TestApp::spawn(backend, Some(seed_with(&[("NORTH", "A", 5)], vec![item("W"), preordered]))).await else { return };
        let po = json!({ "kind": "advance_ship_notice", "location": "SOUTH", "supplier_reference": "ASN-9", "expected_date": "2026-01-10", "lines": [{ "sku": "W", "quantity": 4 }] });
        app.post(ADMIN_KEY, "/v1/inbound", &po).await;
        let to_hamburg = "ship_to_country=DE&ship_to_postal_code=20095";

        let stock = availability(&app, ADMIN_KEY, &format!("skus=A&{to_hamburg}")).await["promise"].clone();
        assert_eq!(stock, json!({ "date": "2026-01-02", "source": "stock", "location": "NORTH", "ship_date": "2026-01-01", "transit_days": 1 }));
        let supply = availability(&app, ADMIN_KEY, &format!("skus=W&{to_hamburg}")).await["promise"].clone();
        // Ready in Munich on Saturday the 10th, shipped Monday, three days to Hamburg.
        assert_eq!(supply, json!({ "date": "2026-01-15", "source": "inbound", "location": "SOUTH", "ship_date": "2026-01-12", "transit_days": 3 }));
        let preorder = availability(&app, ADMIN_KEY, &format!("skus=P&{to_hamburg}")).await["promise"].clone();
        assert_eq!((preorder["source"].as_str(), preorder["ship_date"].as_str()), (Some("preorder"), Some("2026-03-02")));
        let nothing = availability(&app, ADMIN_KEY, "skus=C&lat=53.55&lon=9.99").await;
        assert_eq!(nothing["promise"], Value::Null);
        assert!(availability(&app, ADMIN_KEY, "skus=A").await.get("promise").is_none(), "no ship-to, no promise");
        let placed = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 1)]), None).await.body;
        assert_eq!(placed["promised_date"], "2026-01-02");
    }

    async fn preorders_are_taken_until_their_cap_and_can_be_closed_to_a_channel(backend: Backend) {
        let preordered = Item { preorder: Some(Preorder { release_date: parse_date("2026-03-02").unwrap(), cap: 3 }), ..item("P") };
        let Some(app) = TestApp::spawn(backend, Some(seed_with(&[], vec![preordered]))).await else { return };
        let first = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("P", 2)]), None).await.body;
        assert_eq!(first["status"], "backordered");
        assert_eq!(first["lines"][0]["preorder"], true);
        assert!(first["lines"][0]["expected_date"].as_str().unwrap() >= "2026-03-02");
        let over = app.place(ADMIN_KEY, &order_body("web", "W-2", &[("P", 2)]), None).await;
        assert_eq!(over.status, StatusCode::CONFLICT, "2 + 2 would pass the cap of 3");
        assert_eq!(app.place(ADMIN_KEY, &order_body("web", "W-3", &[("P", 1)]), None).await.status, StatusCode::CREATED);
        assert_eq!(app.place(ADMIN_KEY, &order_body("web", "W-4", &[("P", 1)]), None).await.status, StatusCode::CONFLICT);

        app.request(Method::PUT, Some(ADMIN_KEY), "/v1/channels/pos/stock-rules", Some(&json!({ "items": [{ "sku": "P", "allow_preorder": false }] })), &[]).await;
        let cancelled = app.post(ADMIN_KEY, &format!("/v1/orders/{}/cancel", first["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(app.place(ADMIN_KEY, &order_body("pos", "P-1", &[("P", 1)]), None).await.status, StatusCode::CONFLICT, "closed to pos");
        assert_eq!(app.place(ADMIN_KEY, &order_body("web", "W-5", &[("P", 2)]), None).await.status, StatusCode::CREATED, "the cancelled units are free again");
        app.assert_consistent().await;
    }
}
