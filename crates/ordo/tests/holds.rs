//! Holds and address checks through the API: a bad address puts the order on an address
//! hold (placed, never lost); held work is not released to locations and its reservations
//! stay; a held fulfilment order cannot move on. On SQLite, and on PostgreSQL when
//! ORDO_TEST_POSTGRES_URL is set.

use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn release(app: &TestApp, order_id: &str) -> Value {
    let r = app
        .post(
            ADMIN_KEY,
            "/v1/fulfillment-orders/release",
            &json!({ "order_id": order_id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

on_both_backends! {
    async fn a_bad_address_puts_the_order_on_an_address_hold_until_a_person_releases_it(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        let mut body = order_body("web", "H-1", &[("A", 2)]);
        body["ship_to"]["postal_code"] = json!("2009X");
        body["ship_to"]["country"] = json!("Deutschland");
        body["ship_to"]["city"] = json!("  Hamburg  ");
        let placed = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "the order is taken, not refused: {}", placed.body);
        let order = placed.body;
        assert_eq!(order["status"], "on_hold");
        assert_eq!(order["ship_to"]["country"], "DE", "country names become ISO codes");
        assert_eq!(order["ship_to"]["city"], "Hamburg");
        assert_eq!(app.position("NORTH", "A").await["reserved"], 2, "its reservations stay");
        let id = order["id"].as_str().unwrap();
        let holds = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/holds")).await.body;
        let hold = &holds["items"][0];
        assert_eq!((hold["reason"].as_str(), hold["status"].as_str()), (Some("address"), Some("active")), "{holds}");
        assert!(hold["note"].as_str().unwrap().contains("ship_to.postal_code"), "{hold}");
        assert_eq!(release(&app, id).await["items"].as_array().unwrap().len(), 0, "held work is not released");

        let hold_id = hold["id"].as_str().unwrap();
        let released = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/orders/{id}/holds/{hold_id}/release"), None, &[]).await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.body);
        assert_eq!(released.body["status"], "released");
        let again = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/orders/{id}/holds/{hold_id}/release"), None, &[]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let now = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(now["status"], "allocated");
        assert_eq!(release(&app, id).await["items"].as_array().unwrap().len(), 1);

        let mut good = order_body("web", "H-2", &[("A", 1)]);
        good["ship_to"]["country"] = json!("germany");
        good["ship_to"]["postal_code"] = json!(" 20 095 ");
        let placed = app.place(ADMIN_KEY, &good, None).await;
        assert_eq!(placed.body["status"], "allocated", "{}", placed.body);
        assert_eq!(placed.body["ship_to"]["postal_code"], "20095");
        let nowhere = app.place(ADMIN_KEY, &{ let mut b = order_body("web", "H-3", &[("A", 1)]); b["ship_to"]["country"] = json!("Atlantis"); b }, None).await;
        assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY, "a country nobody knows is named: {}", nowhere.body);
        assert!(nowhere.body.to_string().contains("ship_to.country"));
        app.assert_consistent().await;
    }

    async fn a_held_fulfilment_order_cannot_move_on_until_released(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        let placed = app.place(ADMIN_KEY, &order_body("web", "H-4", &[("A", 1)]), None).await;
        let id = placed.body["id"].as_str().unwrap();
        let fo = release(&app, id).await["items"][0]["id"].as_str().unwrap().to_string();
        let bad = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds"), &json!({ "reason": "vibes" })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let stranger = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds"), &json!({ "reason": "manual", "fulfillment_order": "ful_not_this_orders" })).await;
        assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stranger.body);
        assert!(stranger.body.to_string().contains("fulfillment_order"), "{}", stranger.body);
        let hold = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds"), &json!({ "reason": "fraud_risk", "note": "card velocity", "fulfillment_order": fo })).await;
        assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
        let accept = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/fulfillment-orders/{fo}/accept"), None, &[]).await;
        assert_eq!(accept.status, StatusCode::CONFLICT, "{}", accept.body);
        let hold_id = hold.body["id"].as_str().unwrap();
        app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/orders/{id}/holds/{hold_id}/release"), None, &[]).await;
        let accept = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/fulfillment-orders/{fo}/accept"), None, &[]).await;
        assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);

        let order_hold = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds"), &json!({ "reason": "customer_request" })).await;
        assert_eq!(order_hold.status, StatusCode::CREATED);
        let order = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(order["status"], "on_hold");
        let pick = app.post(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}/pick"), &json!({})).await;
        assert_eq!(pick.status, StatusCode::CONFLICT, "the whole order is held: {}", pick.body);
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/events")).await.body;
        assert!(events["items"].as_array().unwrap().iter().any(|e| e["type"] == "order.hold_placed" && e["to_status"] == "on_hold"));

        let other = app.place(ADMIN_KEY, &order_body("web", "H-5", &[("A", 1)]), None).await;
        let other_id = other.body["id"].as_str().unwrap();
        let other_fo = release(&app, other_id).await["items"][0]["id"].as_str().unwrap().to_string();
        let cancelled = app.post(ADMIN_KEY, &format!("/v1/orders/{other_id}/cancel"), &json!({ "reason": "customer" })).await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        let finished = app.post(ADMIN_KEY, &format!("/v1/orders/{other_id}/holds"), &json!({ "reason": "manual", "fulfillment_order": other_fo })).await;
        assert_eq!(finished.status, StatusCode::CONFLICT, "work that is over cannot be held: {}", finished.body);
        app.assert_consistent().await;
    }
}
