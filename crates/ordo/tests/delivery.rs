//! Delivery methods end to end: pickup in store when the store is short (refused, or brought
//! from another location under a `transfer` profile, ready later), and drop ship from a
//! supplier with its purchase request. On SQLite, and on PostgreSQL when
//! ORDO_TEST_POSTGRES_URL is set.

use ordo_domain::location::LocationKind;
use ordo_testkit::fixtures::{location, order_body, position, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn activate(app: &TestApp, settings: Value) {
    let created = app
        .post(
            ADMIN_KEY,
            "/v1/routing/profiles",
            &json!({ "name": "Web", "channel": "web", "settings": settings }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let path = format!("/v1/routing/profiles/{id}/activate");
    let active = app
        .request(Method::POST, Some(ADMIN_KEY), &path, None, &[])
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
}

fn held_at(order: &Value) -> Vec<String> {
    let mut at: Vec<String> = order["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "held")
        .map(|a| a["location"].as_str().unwrap().to_string())
        .collect();
    at.sort();
    at
}

on_both_backends! {
    async fn a_short_pickup_store_is_refused_or_supplied_from_elsewhere_ready_later(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "A", 9), ("STORE", "A", 2)]);
        let mut store = location("STORE", 52.52, 13.40);
        store.kind = LocationKind::Store;
        store.capabilities.pickup = true;
        seed.locations.push(store);
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let pickup = |id: &str, quantity: i64| {
            let mut body = order_body("web", id, &[("A", quantity)]);
            body["delivery"] = json!({ "method": "pickup", "pickup_location": "STORE" });
            body.as_object_mut().unwrap().remove("ship_to");
            body
        };
        let refused = app.place(ADMIN_KEY, &pickup("P-0", 3), None).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "refuse is the default: {}", refused.body);

        activate(&app, json!({ "pickup_shortage": "transfer" })).await;
        let whole = app.place(ADMIN_KEY, &pickup("P-1", 1), None).await;
        assert_eq!(whole.status, StatusCode::CREATED, "{}", whole.body);
        assert_eq!(held_at(&whole.body), vec!["STORE"]);
        let short = app.place(ADMIN_KEY, &pickup("P-2", 2), None).await;
        assert_eq!(short.status, StatusCode::CREATED, "{}", short.body);
        assert_eq!(held_at(&short.body), vec!["NORTH", "STORE"], "the store's last unit, and one brought from Hamburg");
        let ready = |o: &Value| o["promised_date"].as_str().unwrap().to_string();
        assert!(ready(&short.body) > ready(&whole.body), "brought units are ready later: {} vs {}", ready(&short.body), ready(&whole.body));
        assert_eq!(short.body["status"], "allocated");
        app.assert_consistent().await;
    }

    async fn drop_ship_allocates_at_a_supplier_and_asks_it_to_ship(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "A", 5)]);
        let mut supplier = location("SUPPLIER", 51.23, 6.78);
        supplier.kind = LocationKind::Supplier;
        seed.locations.push(supplier);
        seed.positions.push(position("SUPPLIER", "B", 10));
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let order = |id: &str| order_body("web", id, &[("B", 2)]);
        let not_yet = app.place(ADMIN_KEY, &order("D-0"), None).await;
        assert_eq!(not_yet.status, StatusCode::CONFLICT, "suppliers are not routed to unless a profile says: {}", not_yet.body);

        activate(&app, json!({ "filters": { "location_kinds": ["warehouse", "store", "supplier"] } })).await;
        let placed = app.place(ADMIN_KEY, &order("D-1"), None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        assert_eq!(held_at(&placed.body), vec!["SUPPLIER"]);
        let order_id = placed.body["id"].as_str().unwrap().to_string();
        let open = app.get(ADMIN_KEY, "/v1/purchase-requests?status=open").await.body;
        let requests = open["items"].as_array().unwrap();
        assert_eq!(requests.len(), 1, "{open}");
        assert_eq!((requests[0]["order_id"].as_str(), requests[0]["supplier"].as_str(), requests[0]["sku"].as_str(), requests[0]["quantity"].as_i64()),
            (Some(order_id.as_str()), Some("SUPPLIER"), Some("B"), Some(2)));
        assert_eq!(requests[0]["allocation_id"], placed.body["allocations"][0]["id"]);

        let second = app.place(ADMIN_KEY, &order("D-2"), None).await.body;
        let cancelled = app.post(ADMIN_KEY, &format!("/v1/orders/{}/cancel", second["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        let gone = app.get(ADMIN_KEY, &format!("/v1/purchase-requests?order_id={}", second["id"].as_str().unwrap())).await.body;
        assert_eq!(gone["items"][0]["status"], "cancelled", "{gone}");
        let allocation = placed.body["allocations"][0]["id"].as_str().unwrap();
        let shipped = app.post(ADMIN_KEY, &format!("/v1/allocations/{allocation}/ship"), &json!({})).await;
        assert_eq!(shipped.status, StatusCode::OK, "{}", shipped.body);
        let done = app.get(ADMIN_KEY, &format!("/v1/purchase-requests?order_id={order_id}")).await.body;
        assert_eq!(done["items"][0]["status"], "shipped", "{done}");
        assert_eq!(app.get(ADMIN_KEY, "/v1/purchase-requests?status=lost").await.body["errors"][0]["field"], "status");
        app.assert_consistent().await;
    }
}
