//! Handing packages to carriers: tracking numbers a location brings (checked against the
//! carrier's format and every number in use), Ordo's own series skipping numbers taken, and
//! outside carriers whose labels a WMS or shipping app printed.

use ordo_domain::shipping::TrackingFormat;
use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

use super::*;

/// The `serial`th number of ParcelNet's series, as Ordo makes it.
fn parcelnet_number(serial: u64) -> String {
    let format: TrackingFormat = serde_json::from_value(parcelnet()["tracking"].clone()).unwrap();
    format.number(serial)
}

on_both_backends! {
    async fn a_supplied_tracking_number_in_the_carriers_series_is_skipped_by_ordos_own(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        setup(&app).await;
        let first = parcelnet_number(1);
        let (_, fo) = packed(&app, "T-1", &[("A", 1)], "NORTH").await;
        let body = json!({ "carrier": "parcelnet", "service": "economy", "tracking_numbers": [first] });
        let shipped = step(&app, &fo, "ship", Some(body)).await;
        assert_eq!(shipped["shipments"][0]["tracking_number"], first.as_str());

        let (_, fo) = packed(&app, "T-2", &[("A", 1)], "NORTH").await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        assert_eq!(shipped["shipments"][0]["tracking_number"], parcelnet_number(2).as_str(), "the taken serial is skipped");

        let (_, fo) = packed(&app, "T-3", &[("A", 1)], "NORTH").await;
        let again = app.post(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}/ship"), &json!({ "tracking_numbers": [first] })).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert_eq!(again.body["errors"][0]["field"], "tracking_numbers[0]");
        assert!(again.body["errors"][0]["message"].as_str().unwrap().contains(&first), "{}", again.body);
        let after = step(&app, &fo, "ship", Some(json!({}))).await;
        assert_eq!(after["shipments"][0]["tracking_number"], parcelnet_number(3).as_str(), "the carrier still works");
        app.assert_consistent().await;
    }

    async fn supplied_tracking_numbers_must_fit_the_packages_and_the_carriers_format(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        setup(&app).await;
        let (_, fo) = packed(&app, "T-4", &[("A", 1)], "NORTH").await;
        let path = format!("/v1/fulfillment-orders/{fo}/ship");
        let cases = [
            (json!({ "tracking_numbers": [parcelnet_number(7), parcelnet_number(8)] }), "tracking_numbers", "2 given for 1"),
            (json!({ "tracking_numbers": ["PN12345"] }), "tracking_numbers[0]", "not a ParcelNet tracking number"),
            (json!({ "tracking_numbers": ["bad number!"] }), "tracking_numbers[0]", "letters and digits"),
            (json!({ "carrier": "ups", "tracking_numbers": ["1Z999"] }), "service", "not a carrier configured"),
            (json!({ "carrier": "ups", "service": "ground" }), "tracking_numbers", "not a carrier configured"),
        ];
        for (body, field, says) in cases {
            let r = app.post(ADMIN_KEY, &path, &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
            assert_eq!(r.body["errors"][0]["field"], field, "{body}: {}", r.body);
            assert!(r.body["errors"][0]["message"].as_str().unwrap().contains(says), "{body}: {}", r.body);
        }
        let two = app.post(ADMIN_KEY, &path, &json!({ "carrier": "ups", "service": "ground", "tracking_numbers": ["1Z999", "1z999"] })).await;
        assert_eq!(two.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", two.body);
        assert!(two.body.to_string().contains("given twice"), "{}", two.body);
        let mut free = parcelnet();
        free["tracking"]["free_form"] = json!(true);
        let put = app.request(reqwest::Method::PUT, Some(ADMIN_KEY), "/v1/carriers/parcelnet", Some(&free), &[]).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let shipped = step(&app, &fo, "ship", Some(json!({ "tracking_numbers": ["PN12345"] }))).await;
        assert_eq!(shipped["shipments"][0]["tracking_number"], "PN12345", "a free-form carrier takes any number");
        app.assert_consistent().await;
    }

    async fn with_no_carrier_configured_an_outside_carriers_label_ships_the_work(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        let (order, fo) = packed(&app, "T-5", &[("A", 2)], "NORTH").await;
        let path = format!("/v1/fulfillment-orders/{fo}/ship");
        let shopped = app.post(ADMIN_KEY, &path, &json!({})).await;
        assert_eq!(shopped.status, StatusCode::CONFLICT, "{}", shopped.body);
        assert!(shopped.body["detail"].as_str().unwrap().contains("no carrier is configured"), "{}", shopped.body);
        let body = json!({ "carrier": "UPS", "service": "Ground", "tracking_numbers": ["1Z999AA10123456784"] });
        let shipped = step(&app, &fo, "ship", Some(body)).await;
        let shipment = &shipped["shipments"][0];
        assert_eq!((shipment["carrier"].as_str(), shipment["service"].as_str()), (Some("UPS"), Some("Ground")), "{shipment}");
        assert_eq!(shipment["tracking_number"], "1Z999AA10123456784");
        assert!(shipment["cost"].is_null() && shipment["expected_date"].is_null(), "nothing is priced: {shipment}");
        assert_eq!(shipped["order"]["status"], "shipped");
        let tracked = track(&app, json!([{ "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered", "at": "2026-01-03T10:00:00Z" }])).await;
        assert_eq!(tracked["items"][0]["status"], "delivered", "{tracked}");
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{}", order["id"].as_str().unwrap())).await.body;
        assert_eq!(done["status"], "delivered");
        app.assert_consistent().await;
    }
}
