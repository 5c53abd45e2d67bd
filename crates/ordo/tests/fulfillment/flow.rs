//! The flow: capture to delivered, partial shipments, short picks, waves and release at
//! capture, pickup orders.

use ordo_app::Limits;
use ordo_domain::location::ReleaseWaves;
use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;

on_both_backends! {
    async fn an_order_goes_from_capture_to_delivered_entirely_through_the_api(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5), ("SOUTH", "A", 5)]))).await else { return };
        setup(&app).await;
        let order = place(&app, "E-1", &[("A", 2)]).await;
        assert_eq!(order["status"], "allocated");
        let routing = app.get(ADMIN_KEY, &format!("/v1/orders/{}/routing", order["id"].as_str().unwrap())).await.body;
        let chosen = &routing["decisions"][0]["explanation"]["chosen"]["cost"]["shipping"];
        let runner_up = &routing["decisions"][0]["explanation"]["runner_up"]["plan"]["cost"]["shipping"];
        assert_eq!((chosen.as_i64(), runner_up.as_i64()), (Some(440), Some(550)), "the router prices with the carrier's rates, fuel included: {routing}");
        let order = released(&app, &order).await;
        assert_eq!(order["status"], "released", "{order}");
        assert_eq!(order["lines"][0]["quantities"]["released"], 2);
        let fo = work_at(&order, "NORTH");
        let work = app.get(ADMIN_KEY, "/v1/locations/NORTH/fulfillment-orders").await.body;
        assert_eq!(work["items"][0]["id"], fo.as_str(), "{work}");

        let accepted = step(&app, &fo, "accept", None).await;
        assert_eq!(accepted["fulfillment_order"]["status"], "accepted");
        let twice = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/fulfillment-orders/{fo}/accept"), None, &[]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
        step(&app, &fo, "start-pick", None).await;
        let picked = step(&app, &fo, "pick", Some(json!({}))).await;
        assert_eq!(picked["fulfillment_order"]["lines"][0]["picked"], 2);
        let bad_pack = app.post(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}/pack"), &one_package(&[(1, 1)])).await;
        assert_eq!(bad_pack.status, StatusCode::UNPROCESSABLE_ENTITY, "one unit left out: {}", bad_pack.body);
        step(&app, &fo, "pack", Some(one_package(&[(1, 2)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let shipment = &shipped["shipments"][0];
        assert_eq!(shipment["carrier"], "parcelnet");
        let tracking = shipment["tracking_number"].as_str().unwrap().to_string();
        assert!(tracking.starts_with("PN") && tracking.len() == 15, "{tracking}");
        assert_eq!(shipped["order"]["status"], "shipped");
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 3, "the units left the building");

        app.clock.advance_ms(3 * 86_400_000);
        let at = |h: u32| format!("2026-01-0{}T{:02}:00:00Z", 2 + h / 24, h % 24);
        let results = track(&app, json!([
            { "carrier": "parcelnet", "tracking_number": tracking, "status": "in_transit", "at": at(8) },
            { "carrier": "parcelnet", "tracking_number": tracking, "code": "OFD", "event_id": "e-2", "at": at(30) },
        ])).await;
        assert_eq!(results["items"][1]["status"], "out_for_delivery", "{results}");
        let delivered = json!({ "carrier": "parcelnet", "tracking_number": tracking, "code": "DLV", "event_id": "e-3", "at": at(34) });
        track(&app, json!([delivered])).await;
        let again = track(&app, json!([delivered, { "carrier": "parcelnet", "tracking_number": tracking, "status": "in_transit", "at": at(9) }])).await;
        assert_eq!(again["items"][0]["result"], "duplicate");
        assert_eq!(again["items"][1]["status"], "delivered", "a late event does not undo delivery: {again}");
        let unknown = track(&app, json!([{ "carrier": "parcelnet", "tracking_number": "PN0000", "status": "delivered", "at": at(9) }])).await;
        assert_eq!(unknown["items"][0]["result"], "unknown_shipment");

        let id = order["id"].as_str().unwrap();
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(done["status"], "delivered", "{done}");
        assert_eq!(done["lines"][0]["quantities"]["delivered"], 2);
        assert_eq!(done["fulfillment_orders"][0]["status"], "shipped");
        let timeline = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/events")).await.body;
        let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        for kind in ["order.released", "fulfillment_order.accepted", "fulfillment_order.picking", "fulfillment_order.picked",
                     "fulfillment_order.packed", "fulfillment_order.shipped", "shipment.in_transit", "shipment.out_for_delivery", "shipment.delivered"] {
            assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
        }
        let shipment_id = shipment["id"].as_str().unwrap();
        let fetched = app.get(ADMIN_KEY, &format!("/v1/shipments/{shipment_id}")).await.body;
        assert_eq!(fetched["status"], "delivered");
        app.assert_consistent().await;
    }

    async fn one_location_ships_before_the_other_and_the_order_is_partially_shipped(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5), ("SOUTH", "B", 5)]))).await else { return };
        setup(&app).await;
        let order = released(&app, &place(&app, "E-2", &[("A", 1), ("B", 1)]).await).await;
        assert_eq!(order["fulfillment_orders"].as_array().unwrap().len(), 2, "{order}");
        let north = work_at(&order, "NORTH");
        let south = work_at(&order, "SOUTH");
        // The NORTH warehouse's own system works only NORTH's orders.
        let wms = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "location", "location": "NORTH" })).await;
        assert_eq!(wms.status, StatusCode::CREATED, "{}", wms.body);
        let wms = wms.body["key"].as_str().unwrap().to_string();
        let mine = app.get(&wms, "/v1/locations/NORTH/fulfillment-orders").await;
        assert_eq!(mine.body["items"][0]["id"], north.as_str(), "{}", mine.body);
        assert_eq!(app.get(&wms, "/v1/locations/SOUTH/fulfillment-orders").await.status, StatusCode::FORBIDDEN);
        let theirs = app.request(Method::POST, Some(&wms), &format!("/v1/fulfillment-orders/{south}/accept"), None, &[]).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
        assert_eq!(app.place(&wms, &ordo_testkit::fixtures::order_body("web", "X-1", &[("A", 1)]), None).await.status, StatusCode::FORBIDDEN);
        let accepted = app.request(Method::POST, Some(&wms), &format!("/v1/fulfillment-orders/{north}/accept"), None, &[]).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", order["id"].as_str().unwrap())).await.body;
        assert!(events.to_string().contains("location:NORTH:"), "the location's key is the actor");
        step(&app, &north, "pick", Some(json!({}))).await;
        step(&app, &north, "pack", Some(one_package(&[(1, 1)]))).await;
        let shipped = step(&app, &north, "ship", Some(json!({ "service": "express" }))).await;
        assert_eq!(shipped["shipments"][0]["service"], "express");
        assert_eq!(shipped["order"]["status"], "partially_shipped");
        assert_eq!(shipped["order"]["lines"][0]["status"], "shipped");
        assert_eq!(shipped["order"]["lines"][1]["status"], "released");
        // Cancelling the rest of a partly shipped order asks SOUTH, which has accepted it; once
        // it confirms, what shipped is the whole order.
        step(&app, &south, "accept", None).await;
        let order_id = order["id"].as_str().unwrap();
        let rest = app.post(ADMIN_KEY, &format!("/v1/orders/{order_id}/cancel"), &json!({})).await;
        assert_eq!(rest.status, StatusCode::ACCEPTED, "{}", rest.body);
        let confirmed = step(&app, &south, "confirm-cancel", None).await;
        assert_eq!(confirmed["order"]["status"], "shipped", "{}", confirmed["order"]);
        assert_eq!(confirmed["order"]["lines"][1]["status"], "cancelled");
        app.assert_consistent().await;
    }

    async fn a_short_pick_routes_the_missing_units_to_another_location(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5), ("SOUTH", "A", 5)]))).await else { return };
        setup(&app).await;
        let order = released(&app, &place(&app, "E-3", &[("A", 3)]).await).await;
        let north = work_at(&order, "NORTH");
        step(&app, &north, "accept", None).await;
        let too_many = app.post(ADMIN_KEY, &format!("/v1/fulfillment-orders/{north}/pick"), &json!({ "lines": [{ "line": 1, "picked": 4 }] })).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", too_many.body);
        assert!(too_many.body.to_string().contains("lines[0].picked"), "{}", too_many.body);
        let picked = step(&app, &north, "pick", Some(json!({ "lines": [{ "line": 1, "picked": 1 }] }))).await;
        assert_eq!(picked["returned_to_routing"][0]["outcome"], "rerouted", "{picked}");
        assert_eq!(picked["fulfillment_order"]["lines"][0]["short"], 2);
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 3, "the two missing units are gone from NORTH");
        let order = released(&app, &picked["order"]).await;
        let south = work_at(&order, "SOUTH");
        let fo = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{south}")).await.body;
        assert_eq!(fo["lines"][0]["quantity"], 2, "{fo}");
        step(&app, &north, "pack", Some(one_package(&[(1, 1)]))).await;
        let shipped = step(&app, &north, "ship", Some(json!({ "carrier": "ownfleet", "service": "van", "tracking_numbers": ["own123456"] }))).await;
        assert_eq!(shipped["shipments"][0]["tracking_number"], "OWN123456");
        assert_eq!(shipped["order"]["status"], "partially_shipped");
        app.assert_consistent().await;
    }

    async fn a_wave_location_takes_work_at_its_next_wave_and_the_releaser_runs_by_itself(backend: Backend) {
        let mut seed = small_network(&[("NORTH", "A", 5)]);
        seed.locations[0].release_waves = ReleaseWaves::parse(&["10:00".into()]).unwrap();
        let limits = Limits { release_interval_ms: 20, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(seed), limits).await else { return };
        let order = place(&app, "E-4", &[("A", 1)]).await;
        let id = order["id"].as_str().unwrap();
        // 01:00 in Berlin: the 10:00 wave has not come.
        let early = released(&app, &order).await;
        assert_eq!(early["fulfillment_orders"].as_array().unwrap().len(), 0, "{early}");
        assert_eq!(early["status"], "allocated");
        app.clock.advance_ms(9 * 3_600_000);
        let mut waited = 0;
        let order = loop {
            let now = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
            if !now["fulfillment_orders"].as_array().unwrap().is_empty() || waited >= 250 {
                break now;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            waited += 1;
        };
        assert_eq!(order["status"], "released", "the releaser released it at the wave: {order}");
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/events")).await.body;
        let release = events["items"].as_array().unwrap().iter().find(|e| e["type"] == "order.released").unwrap().clone();
        assert_eq!(release["actor"], "system:release");
        app.assert_consistent().await;
    }

    async fn with_releasing_on_an_order_is_released_in_the_transaction_that_places_it(backend: Backend) {
        let limits = Limits { release_interval_ms: 60_000, ..ordo_testkit::test_limits() };
        let Some(app) = TestApp::spawn_with(backend, Some(small_network(&[("NORTH", "A", 5)])), limits).await else { return };
        let placed = place(&app, "E-10", &[("A", 1)]).await;
        assert_eq!(placed["status"], "released", "{placed}");
        assert_eq!(placed["fulfillment_orders"][0]["location"], "NORTH");
        assert_eq!(placed["lines"][0]["quantities"]["released"], 1);
        let events = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", placed["id"].as_str().unwrap())).await.body;
        let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["order.received", "order.allocated", "order.released"]);
        app.assert_consistent().await;
    }

    async fn a_pickup_order_is_prepared_at_the_store_and_delivered_when_collected(backend: Backend) {
        let mut seed = small_network(&[]);
        let mut store = ordo_testkit::fixtures::location("STORE", 52.52, 13.40);
        store.kind = ordo_domain::location::LocationKind::Store;
        store.capabilities.pickup = true;
        seed.locations.push(store);
        seed.positions.push(ordo_testkit::fixtures::position("STORE", "A", 3));
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        let mut body = ordo_testkit::fixtures::order_body("web", "E-11", &[("A", 1)]);
        body["delivery"] = json!({ "method": "pickup", "pickup_location": "STORE" });
        body.as_object_mut().unwrap().remove("ship_to");
        let placed = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        let order = released(&app, &placed.body).await;
        let fo = work_at(&order, "STORE");
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 1)]))).await;
        let handed = step(&app, &fo, "ship", Some(json!({}))).await;
        let shipment = &handed["shipments"][0];
        assert_eq!((shipment["carrier"].as_str(), shipment["service"].as_str()), (Some("pickup"), Some("collect")), "{shipment}");
        let number = shipment["tracking_number"].as_str().unwrap();
        app.clock.advance_ms(2 * 86_400_000);
        let collected = track(&app, json!([{ "carrier": "pickup", "tracking_number": number, "status": "delivered", "at": "2026-01-02T11:00:00Z" }])).await;
        assert_eq!(collected["items"][0]["status"], "delivered", "{collected}");
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{}", order["id"].as_str().unwrap())).await.body;
        assert_eq!(done["status"], "delivered");
        let slip = document(&app, &format!("/v1/fulfillment-orders/{fo}/packing-slip"), "application/pdf").await;
        assert!(pdf_text(&slip).contains("Collect in store"));
        app.assert_consistent().await;
    }
}
