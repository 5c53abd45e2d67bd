//! Changes after capture: cancellations before and after release, edits, alerts.

use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::*;

on_both_backends! {
    async fn a_cancellation_after_release_waits_for_the_location_and_before_release_frees_at_once(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9), ("NORTH", "B", 9)]))).await else { return };
        setup(&app).await;
        let early = place(&app, "E-6", &[("A", 3)]).await;
        let id = early["id"].as_str().unwrap();
        let some = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({ "lines": [{ "line": 1, "quantity": 1 }] })).await;
        assert_eq!(some.status, StatusCode::OK, "{}", some.body);
        assert_eq!(some.body["lines"][0]["quantities"]["cancelled"], 1);
        assert_eq!(some.body["status"], "allocated");
        assert_eq!(app.position("NORTH", "A").await["reserved"], 2, "freed at once before release");
        let too_many = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({ "lines": [{ "line": 1, "quantity": 5 }] })).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", too_many.body);

        let order = released(&app, &early).await;
        let fo = work_at(&order, "NORTH");
        step(&app, &fo, "accept", None).await;
        let asked = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({ "reason": "customer called" })).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "the location has the work: {}", asked.body);
        assert_eq!(asked.body["status"], "released", "pending until the location confirms: {}", asked.body);
        assert_eq!(asked.body["lines"][0]["quantities"]["cancel_requested"], 2, "the pending state shows: {}", asked.body);
        assert_eq!(app.position("NORTH", "A").await["reserved"], 2, "the location still holds them");
        let work = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}")).await.body;
        assert_eq!((work["cancel_requested"].as_bool(), work["lines"][0]["cancel_requested"].as_i64()), (Some(true), Some(2)), "{work}");
        let confirmed = step(&app, &fo, "confirm-cancel", None).await;
        assert_eq!(confirmed["fulfillment_order"]["status"], "cancelled");
        assert_eq!(confirmed["order"]["status"], "cancelled");
        assert_eq!(confirmed["order"]["lines"][0]["quantities"]["cancel_requested"], 0);
        assert_eq!(app.position("NORTH", "A").await["reserved"], 0);

        let other = released(&app, &place(&app, "E-7", &[("A", 2), ("B", 1)]).await).await;
        let other_id = other["id"].as_str().unwrap();
        let fo = work_at(&other, "NORTH");
        step(&app, &fo, "accept", None).await;
        let asked = app.post(ADMIN_KEY, &format!("/v1/orders/{other_id}/cancel"), &json!({ "lines": [{ "line": 2, "quantity": 1 }] })).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 2), (2, 1)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        assert_eq!(shipped["order"]["status"], "shipped", "shipped anyway: the request is overtaken");
        assert_eq!(shipped["order"]["lines"][1]["quantities"]["cancelled"], 0);
        app.assert_consistent().await;
    }

    async fn work_its_location_has_not_accepted_is_cancelled_at_once(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9), ("NORTH", "B", 9)]))).await else { return };
        let order = released(&app, &place(&app, "E-12", &[("A", 2), ("B", 1)]).await).await;
        let id = order["id"].as_str().unwrap();
        let fo = work_at(&order, "NORTH");
        let one = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({ "lines": [{ "line": 2, "quantity": 1 }] })).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(one.body["lines"][1]["quantities"]["cancelled"], 1, "{}", one.body);
        assert_eq!(app.position("NORTH", "B").await["reserved"], 0, "freed at once");
        let work = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}")).await.body;
        assert_eq!(work["status"], "released", "the rest of the work goes on: {work}");
        assert_eq!(work["lines"][1]["quantity"], 0);
        let all = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({})).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.body);
        assert_eq!(all.body["status"], "cancelled", "{}", all.body);
        let work = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}")).await.body;
        assert_eq!(work["status"], "cancelled", "{work}");
        app.assert_consistent().await;
    }

    async fn an_edit_before_release_routes_the_order_again_and_records_the_new_totals(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5), ("SOUTH", "A", 5), ("SOUTH", "B", 5)]))).await else { return };
        let order = place(&app, "E-8", &[("A", 2)]).await;
        let id = order["id"].as_str().unwrap();
        assert_eq!(order["allocations"][0]["location"], "NORTH");
        let patch = |body: Value| {
            let path = format!("/v1/orders/{id}");
            let app = &app;
            async move { app.request(Method::PATCH, Some(ADMIN_KEY), &path, Some(&body), &[]).await }
        };
        let munich = json!({ "name": "Ann Example", "line1": "Marienplatz 1", "city": "München", "postal_code": "80331", "country": "DE" });
        let edited = patch(json!({ "ship_to": munich, "lines": [{ "line": 1, "quantity": 3 }, { "sku": "B", "quantity": 1, "unit_price": "5.00" }] })).await;
        assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
        let held: Vec<(&str, i64)> = edited.body["allocations"].as_array().unwrap().iter()
            .filter(|a| a["status"] == "held").map(|a| (a["location"].as_str().unwrap(), a["quantity"].as_i64().unwrap())).collect();
        assert_eq!(held, vec![("SOUTH", 3), ("SOUTH", 1)], "routed again for the new address: {}", edited.body);
        assert_eq!(edited.body["ship_to"]["city"], "München");
        assert_eq!(edited.body["totals"]["total"], "64.97");
        assert_eq!(app.position("NORTH", "A").await["reserved"], 0);
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/events")).await.body;
        let change = events["items"].as_array().unwrap().iter().find(|e| e["type"] == "order.edited").unwrap().clone();
        assert_eq!((change["data"]["total_before"].as_str(), change["data"]["total_after"].as_str()), (Some("39.98"), Some("64.97")), "{change}");
        let short = patch(json!({ "lines": [{ "line": 1, "quantity": 50 }] })).await;
        assert_eq!(short.status, StatusCode::CONFLICT, "{}", short.body);
        assert_eq!(app.position("SOUTH", "A").await["reserved"], 3, "a refused edit changes nothing");
        let wrong = json!({ "name": "Ann Example", "line1": "Marienplatz 1", "city": "München", "postal_code": "8033", "country": "DE" });
        let held_for_address = patch(json!({ "ship_to": wrong })).await;
        assert_eq!(held_for_address.status, StatusCode::OK, "{}", held_for_address.body);
        assert_eq!(held_for_address.body["status"], "on_hold", "a new address that fails its checks holds the order: {}", held_for_address.body);
        let holds = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/holds")).await.body;
        let hold = holds["items"].as_array().unwrap().iter().find(|h| h["reason"] == "address").unwrap().clone();
        assert!(hold["note"].as_str().unwrap().contains("ship_to.postal_code"), "{hold}");
        let released_hold = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds/{}/release", hold["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(released_hold.status, StatusCode::OK, "{}", released_hold.body);
        let removed = patch(json!({ "lines": [{ "line": 2, "quantity": 0 }] })).await;
        assert_eq!(removed.body["lines"][1]["status"], "cancelled", "{}", removed.body);
        released(&app, &removed.body).await;
        let late = patch(json!({ "lines": [{ "line": 1, "quantity": 1 }] })).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
        app.assert_consistent().await;
    }

    async fn the_alert_scan_looks_at_every_open_fulfilment_order_page_by_page(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5_000)]))).await else { return };
        let store = app.db.store().await;
        let commands: Vec<_> = (0..1_200).map(|i| ordo_testkit::fixtures::place_command(&format!("S-{i}"), &[("A", 1)])).collect();
        for batch in commands.chunks(128) {
            ordo_testkit::fixtures::place_orders(&*store, batch, &ordo_testkit::fixtures::deciders()).await;
        }
        store.close().await;
        let released = app.post(ADMIN_KEY, "/v1/fulfillment-orders/release", &json!({})).await;
        assert_eq!(released.body["items"].as_array().map(Vec::len), Some(1_200), "{}", released.status);
        let last = released.body["items"][1_199]["id"].as_str().unwrap().to_string();
        app.clock.advance_ms(5 * 3_600_000);
        let raised = scan_alerts(&app).await["items"].as_array().unwrap().len();
        assert_eq!(raised, 1_200, "every open fulfilment order, not the first page only");
        step(&app, &last, "accept", None).await;
        assert_eq!(scan_alerts(&app).await["items"].as_array().unwrap().len(), 0);
        let resolved = app.get(ADMIN_KEY, "/v1/alerts?kind=not_accepted&status=resolved").await.body;
        let subjects: Vec<&str> = resolved["items"].as_array().unwrap().iter().map(|a| a["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, [last.as_str()], "only what cleared is resolved");
    }

    async fn alerts_are_raised_acknowledged_resolved_and_cleared_as_work_moves(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        setup(&app).await;
        let order = released(&app, &place(&app, "E-9", &[("A", 1)]).await).await;
        let fo = work_at(&order, "NORTH");
        assert_eq!(scan_alerts(&app).await["items"].as_array().unwrap().len(), 0, "nothing is late yet");
        app.clock.advance_ms(5 * 3_600_000);
        let raised = scan_alerts(&app).await;
        assert_eq!(raised["items"][0]["kind"], "not_accepted", "{raised}");
        assert_eq!(raised["items"][0]["subject"], fo.as_str());
        assert_eq!(scan_alerts(&app).await["items"].as_array().unwrap().len(), 0, "raised once");
        let id = raised["items"][0]["id"].as_str().unwrap();
        let acked = app.post(ADMIN_KEY, &format!("/v1/alerts/{id}/acknowledge"), &json!({})).await;
        assert_eq!(acked.body["status"], "acknowledged", "{}", acked.body);
        step(&app, &fo, "accept", None).await;
        scan_alerts(&app).await;
        let cleared = app.get(ADMIN_KEY, "/v1/alerts?kind=not_accepted").await.body;
        assert_eq!(cleared["items"][0]["status"], "resolved", "accepted: the alert clears by itself: {cleared}");

        app.clock.advance_ms(3 * 86_400_000);
        let late = scan_alerts(&app).await;
        assert_eq!(late["items"][0]["kind"], "promise_at_risk", "{late}");
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 1)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let tracking = shipped["shipments"][0]["tracking_number"].as_str().unwrap().to_string();
        app.clock.advance_ms(12 * 3_600_000);
        track(&app, json!([{ "carrier": "parcelnet", "tracking_number": tracking, "code": "NDL", "at": "2026-01-04T10:00:00Z" }])).await;
        let failed = scan_alerts(&app).await;
        assert_eq!(failed["items"][0]["kind"], "failed_delivery", "{failed}");
        let failed_id = failed["items"][0]["id"].as_str().unwrap();
        let resolved = app.post(ADMIN_KEY, &format!("/v1/alerts/{failed_id}/resolve"), &json!({})).await;
        assert_eq!(resolved.body["status"], "resolved");
        let twice = app.post(ADMIN_KEY, &format!("/v1/alerts/{failed_id}/resolve"), &json!({})).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert_eq!(scan_alerts(&app).await["items"].as_array().unwrap().len(), 0, "a person's resolution stands");
        app.clock.advance_ms(4 * 86_400_000);
        let quiet = scan_alerts(&app).await;
        assert_eq!(quiet["items"][0]["kind"], "no_tracking_movement", "{quiet}");
        let events = app.get(ADMIN_KEY, "/v1/events?type=alert.raised").await.body;
        assert_eq!(events["items"].as_array().unwrap().len(), 4, "{events}");
        let open = app.get(ADMIN_KEY, "/v1/alerts?status=open").await.body;
        assert_eq!(open["items"].as_array().unwrap().len(), 1, "{open}");
        let bad = app.get(ADMIN_KEY, "/v1/alerts?status=sleeping").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
