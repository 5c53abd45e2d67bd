//! Handing packages to carriers: tracking numbers a location brings (checked against the
//! carrier's format and every number in use), Ordo's own series skipping numbers taken, and
//! outside carriers whose labels a WMS or shipping app printed.

use ordo_domain::shipping::TrackingFormat;
use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

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
        app.clock.advance_ms(3 * 86_400_000);
        let tracked = track(&app, json!([{ "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "status": "delivered", "at": "2026-01-03T10:00:00Z" }])).await;
        assert_eq!(tracked["items"][0]["status"], "delivered", "{tracked}");
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{}", order["id"].as_str().unwrap())).await.body;
        assert_eq!(done["status"], "delivered");
        app.assert_consistent().await;
    }

    async fn tracking_events_dated_before_the_parcel_left_or_in_the_future_are_refused_each(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        setup(&app).await;
        app.clock.advance_ms(86_400_000);
        let (_, fo) = packed(&app, "T-6", &[("A", 1)], "NORTH").await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let number = shipped["shipments"][0]["tracking_number"].as_str().unwrap().to_string();
        app.clock.advance_ms(3 * 3_600_000);
        let event = |status: &str, at: &str| json!({ "carrier": "parcelnet", "tracking_number": number, "status": status, "at": at });
        let results = track(&app, json!([
            event("delivered", "2026-01-01T12:00:00Z"),
            event("in_transit", "2026-01-02T02:00:00Z"),
            event("delivered", "2026-01-05T09:00:00Z"),
        ])).await;
        let results = results["items"].as_array().unwrap();
        assert_eq!(results[0]["result"], "refused", "a day before it left: {results:?}");
        assert!(results[0]["reason"].as_str().unwrap().contains("before the shipment left"));
        assert_eq!(results[1]["result"], "recorded");
        assert_eq!(results[2]["result"], "refused", "days ahead of now: {results:?}");
        assert!(results[2]["reason"].as_str().unwrap().contains("future"));
        let carriers = app.get(ADMIN_KEY, "/v1/carriers").await.body;
        let shipment = &app.get(ADMIN_KEY, &format!("/v1/shipments/{}", shipped["shipments"][0]["id"].as_str().unwrap())).await.body;
        assert_eq!(shipment["status"], "in_transit", "refused events change nothing: {shipment}");
        assert!(shipment["delivered_at"].is_null());
        assert_eq!(carriers["items"][0]["reliability"], 0.9, "no delivery fed reliability: {carriers}");
    }

    async fn a_parcel_returned_to_sender_raises_an_alert_shown_on_the_order(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        setup(&app).await;
        let (order, fo) = packed(&app, "T-7", &[("A", 1)], "NORTH").await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let number = shipped["shipments"][0]["tracking_number"].as_str().unwrap().to_string();
        app.clock.advance_ms(86_400_000);
        track(&app, json!([{ "carrier": "parcelnet", "tracking_number": number, "status": "returned_to_sender", "at": "2026-01-01T20:00:00Z" }])).await;
        let id = order["id"].as_str().unwrap();
        let seen = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(seen["alerts"][0]["kind"], "returned_to_sender", "{seen}");
        assert!(seen["alerts"][0]["message"].as_str().unwrap().contains(&number));
        assert_eq!(seen["shipments"][0]["status"], "returned_to_sender");
        let raised = app.get(ADMIN_KEY, "/v1/alerts?kind=returned_to_sender").await.body;
        assert_eq!(raised["items"].as_array().unwrap().len(), 1, "{raised}");
        let timeline = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/events")).await.body;
        assert!(timeline.to_string().contains("shipment.returned_to_sender"), "{timeline}");
        scan_alerts(&app).await;
        let still = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(still["alerts"].as_array().unwrap().len(), 1, "the scan does not clear it: {still}");
        let alert = still["alerts"][0]["id"].as_str().unwrap();
        app.post(ADMIN_KEY, &format!("/v1/alerts/{alert}/resolve"), &json!({})).await;
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(done["alerts"].as_array().unwrap().len(), 0, "{done}");
    }

    async fn an_orders_parcels_are_found_from_the_order_its_work_and_a_tracking_number(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 9)]))).await else { return };
        let mut carrier = parcelnet();
        carrier["tracking_url"] = json!("https://parcelnet.example/track?n={tracking_number}");
        let put = app.request(reqwest::Method::PUT, Some(ADMIN_KEY), "/v1/carriers/parcelnet", Some(&carrier), &[]).await;
        assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
        let (order, fo) = packed(&app, "T-8", &[("A", 1)], "NORTH").await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let number = shipped["shipments"][0]["tracking_number"].as_str().unwrap().to_string();
        app.clock.advance_ms(86_400_000);
        track(&app, json!([{ "carrier": "parcelnet", "tracking_number": number, "status": "in_transit",
            "at": "2026-01-01T18:00:00Z", "place": "Hub Kassel", "description": "Parcel sorted" }])).await;
        let id = order["id"].as_str().unwrap();
        let seen = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        let parcel = &seen["shipments"][0];
        assert_eq!((parcel["carrier"].as_str(), parcel["service"].as_str()), (Some("parcelnet"), Some("express")), "the service that meets the next-day promise: {parcel}");
        assert_eq!(parcel["tracking_number"], number.as_str());
        assert_eq!(parcel["status"], "in_transit");
        assert!(parcel["expected_date"].is_string(), "{parcel}");
        assert_eq!(parcel["tracking_url"], format!("https://parcelnet.example/track?n={number}"));
        assert_eq!(parcel["events"][0]["place"], "Hub Kassel");
        assert_eq!(parcel["events"][0]["description"], "Parcel sorted");
        assert!(parcel["cost"].as_str().unwrap().contains('.'), "money as a decimal string: {parcel}");
        let work = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}")).await.body;
        assert_eq!(work["shipments"][0]["tracking_number"], number.as_str(), "{work}");
        let listed = app.get(ADMIN_KEY, &format!("/v1/shipments?order_id={id}")).await.body;
        assert_eq!(listed["items"][0]["events"][0]["status"], "in_transit", "{listed}");
        assert_eq!(app.get(ADMIN_KEY, "/v1/shipments").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let found = app.get(ADMIN_KEY, &format!("/v1/orders?q={}", number.to_lowercase())).await.body;
        assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["items"][0]["id"], id);
        let other = app.key("channel", Some("pos")).await;
        assert_eq!(app.get(&other, &format!("/v1/shipments?order_id={id}")).await.status, StatusCode::NOT_FOUND);
    }
}

/// A courier that delivers only within 50 km of the location it collects from.
fn city_courier() -> Value {
    json!({
        "name": "City Courier", "currency": "EUR",
        "zones": [{ "code": "near", "max_km": 50 }, { "code": "far" }],
        "weight_breaks_g": [5000],
        "services": [{ "code": "bike", "level": "same_day", "coverage": [{ "country": "DE" }],
                       "transit_days": { "near": 0 }, "rates": { "near": [600] } }]
    })
}

async fn put_carrier(app: &TestApp, code: &str, body: &Value) {
    let path = format!("/v1/carriers/{code}");
    let put = app
        .request(
            reqwest::Method::PUT,
            Some(ADMIN_KEY),
            &path,
            Some(body),
            &[],
        )
        .await;
    assert!(put.status.is_success(), "{}", put.body);
}

on_both_backends! {
    async fn a_location_no_carrier_serves_is_not_a_candidate_and_the_explanation_says_so(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 1), ("SOUTH", "A", 5)]))).await else { return };
        put_carrier(&app, "citycourier", &city_courier()).await;
        // Hamburg: NORTH is in town, SOUTH (Munich) is 600 km away, beyond the courier.
        let order = place(&app, "C-1", &[("A", 1)]).await;
        assert_eq!(order["allocations"][0]["location"], "NORTH", "{order}");
        let routing = app.get(ADMIN_KEY, &format!("/v1/orders/{}/routing", order["id"].as_str().unwrap())).await.body;
        let south = routing["decisions"][0]["explanation"]["candidates"].as_array().unwrap().iter()
            .find(|c| c["location"] == "SOUTH").unwrap().clone();
        assert_eq!(south["excluded"]["reason"], "no_service", "{south}");
        assert!(south["excluded"]["detail"].as_str().unwrap().contains("DE 20095"), "{south}");
        app.assert_consistent().await;
    }

    async fn an_order_no_carrier_can_deliver_waits_on_a_shipping_hold_promised_nothing(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("SOUTH", "A", 5)]))).await else { return };
        put_carrier(&app, "citycourier", &city_courier()).await;
        let placed = app.place(ADMIN_KEY, &ordo_testkit::fixtures::order_body("web", "C-2", &[("A", 2)]), None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "accepted, never refused: {}", placed.body);
        let order = placed.body;
        assert_eq!(order["status"], "on_hold", "{order}");
        assert!(order["promised_date"].is_null(), "no date nothing can meet: {order}");
        assert_eq!(order["lines"][0]["quantities"]["backordered"], 2);
        assert_eq!(order["allocations"].as_array().unwrap().len(), 0);
        let id = order["id"].as_str().unwrap();
        let holds = app.get(ADMIN_KEY, &format!("/v1/orders/{id}/holds")).await.body;
        let hold = &holds["items"][0];
        assert_eq!(hold["reason"], "shipping", "{holds}");
        assert!(hold["note"].as_str().unwrap().contains("SOUTH"), "names why: {hold}");
        assert_eq!(app.available("A").await, 5, "nothing is reserved for it");

        // Operations add a national carrier and lift the hold: the order is routed at once.
        setup(&app).await;
        let lifted = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/holds/{}/release", hold["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
        let after = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
        assert_eq!(after["status"], "allocated", "{after}");
        assert_eq!(after["allocations"][0]["location"], "SOUTH");
        assert!(after["promised_date"].is_string());
        app.assert_consistent().await;
    }
}

on_both_backends! {
    async fn an_address_without_a_postal_code_where_none_is_used_ships_with_its_directions(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        let mut body = ordo_testkit::fixtures::order_body("web", "NG-1", &[("A", 1)]);
        body["ship_to"] = json!({ "name": "Ada Obi", "line1": "12 Adeola Odeku Street", "city": "Lagos", "country": "Nigeria",
                                 "directions": "Opposite the Total filling station, blue gate" });
        let placed = app.place(ADMIN_KEY, &body, None).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        assert_eq!(placed.body["status"], "allocated", "no address hold: {}", placed.body);
        assert_eq!(placed.body["ship_to"]["directions"], "Opposite the Total filling station, blue gate");
        let mut german = ordo_testkit::fixtures::order_body("web", "DE-1", &[("A", 1)]);
        german["ship_to"].as_object_mut().unwrap().remove("postal_code");
        assert_eq!(app.place(ADMIN_KEY, &german, None).await.body["status"], "on_hold", "Germany needs one");

        let order = released(&app, &placed.body).await;
        let fo = work_at(&order, "NORTH");
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 1)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({ "carrier": "gig", "service": "bike", "tracking_numbers": ["GIG12345"] }))).await;
        let id = shipped["shipments"][0]["id"].as_str().unwrap();
        let label = pdf_text(&document(&app, &format!("/v1/shipments/{id}/label"), "application/pdf").await);
        assert!(label.contains("Opposite the Total filling station"), "{label}");
        let zpl = app.http.get(format!("{}/v1/shipments/{id}/label?format=zpl", app.address)).bearer_auth(ADMIN_KEY).send().await.unwrap().text().await.unwrap();
        assert!(zpl.contains("blue gate"), "{zpl}");
    }
}
