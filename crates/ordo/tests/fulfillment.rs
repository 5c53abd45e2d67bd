//! Fulfilment end to end through the API: release to the location, accept, pick, pack,
//! ship with a rate-shopped carrier and a tracking number in its format, carrier events to
//! delivered; a partial shipment; a short pick that re-routes. On SQLite, and on PostgreSQL
//! when ORDO_TEST_POSTGRES_URL is set.

use ordo_app::Limits;
use ordo_domain::location::ReleaseWaves;
use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A national carrier with economy and express across Germany.
fn parcelnet() -> Value {
    json!({
        "name": "ParcelNet", "currency": "EUR",
        "tracking": { "prefix": "PN", "digits": 12, "check": "mod10" },
        "event_codes": { "DLV": "delivered", "OFD": "out_for_delivery", "TRN": "in_transit", "NDL": "failed_attempt" },
        "zones": [{ "code": "1", "max_km": 150 }, { "code": "2", "max_km": 450 }, { "code": "3" }],
        "weight_breaks_g": [1000, 5000, 31500],
        "fuel_surcharge_pct": 10,
        "cutoff": "17:00",
        "services": [
            { "code": "economy", "level": "economy", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 2, "2": 3, "3": 4 },
              "rates": { "1": [400, 600, 900], "2": [450, 650, 950], "3": [500, 700, 1000] } },
            { "code": "express", "level": "express", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 1, "2": 1, "3": 1 },
              "rates": { "1": [900, 1200, 1800], "2": [1000, 1300, 1900], "3": [1100, 1400, 2000] } }
        ]
    })
}

async fn setup(app: &TestApp) {
    let put = app
        .request(
            Method::PUT,
            Some(ADMIN_KEY),
            "/v1/carriers/parcelnet",
            Some(&parcelnet()),
            &[],
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
}

async fn place(app: &TestApp, id: &str, lines: &[(&str, i64)]) -> Value {
    let placed = app
        .place(
            ADMIN_KEY,
            &ordo_testkit::fixtures::order_body("web", id, lines),
            None,
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    placed.body
}

/// Runs the release pass and answers the order as it is then.
async fn released(app: &TestApp, order: &Value) -> Value {
    let id = order["id"].as_str().unwrap();
    let r = app
        .post(
            ADMIN_KEY,
            "/v1/fulfillment-orders/release",
            &json!({ "order_id": id }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body
}

async fn step(app: &TestApp, fo: &str, action: &str, body: Option<Value>) -> Value {
    let path = format!("/v1/fulfillment-orders/{fo}/{action}");
    let r = app
        .request(Method::POST, Some(ADMIN_KEY), &path, body.as_ref(), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    r.body
}

fn work_at(order: &Value, location: &str) -> String {
    order["fulfillment_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"] == location && f["status"] == "released")
        .unwrap_or_else(|| panic!("no released work at {location}: {order}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn one_package(lines: &[(u32, i64)]) -> Value {
    json!({ "packages": [{
        "weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 100,
        "contents": lines.iter().map(|(l, q)| json!({ "line": l, "quantity": q })).collect::<Vec<_>>()
    }] })
}

async fn track(app: &TestApp, events: Value) -> Value {
    let r = app
        .post(
            ADMIN_KEY,
            "/v1/tracking-events",
            &json!({ "events": events }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

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
        // Cancelling the rest of a partly shipped order asks SOUTH; once it confirms, what
        // shipped is the whole order.
        let order_id = order["id"].as_str().unwrap();
        let rest = app.post(ADMIN_KEY, &format!("/v1/orders/{order_id}/cancel"), &json!({})).await;
        assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
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
        let shipped = step(&app, &north, "ship", Some(json!({ "tracking_numbers": ["own123456"] }))).await;
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

    async fn documents_open_in_a_pdf_parser_and_the_label_barcode_reads_back_the_tracking_number(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 5)]))).await else { return };
        setup(&app).await;
        let order = released(&app, &place(&app, "E-5", &[("A", 2)]).await).await;
        let fo = work_at(&order, "NORTH");
        let pick_csv = document(&app, "/v1/locations/NORTH/pick-list?format=csv", "text/csv").await;
        let pick_csv = String::from_utf8(pick_csv).unwrap();
        assert!(pick_csv.starts_with("sku,quantity,fulfillment_order"), "{pick_csv}");
        assert!(pick_csv.contains(&format!("A,2,{fo}")), "{pick_csv}");
        let pick_pdf = document(&app, "/v1/locations/NORTH/pick-list", "application/pdf").await;
        assert!(pdf_text(&pick_pdf).contains("Pick list"));
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 2)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        let shipment = shipped["shipments"][0]["id"].as_str().unwrap();
        let tracking = shipped["shipments"][0]["tracking_number"].as_str().unwrap();

        let label = document(&app, &format!("/v1/shipments/{shipment}/label"), "application/pdf").await;
        let parsed = lopdf::Document::load_mem(&label).expect("the label is a PDF");
        let pages = parsed.get_pages();
        assert_eq!(pages.len(), 1);
        let page = *pages.values().next().unwrap();
        let media = parsed.get_object(page).unwrap().as_dict().unwrap().get(b"MediaBox").unwrap().as_array().unwrap()
            .iter().map(|v| v.as_float().unwrap()).collect::<Vec<_>>();
        assert_eq!(media, vec![0.0, 0.0, 288.0, 432.0], "4 × 6 inches");
        let text = parsed.extract_text(&[1]).unwrap();
        assert!(text.contains(tracking) && text.contains("PARCELNET"), "{text}");
        let content = parsed.get_and_decode_page_content(page).unwrap();
        let mut bars: Vec<(f32, f32)> = content.operations.iter()
            .filter(|op| op.operator == "re")
            .map(|op| op.operands.iter().map(|o| o.as_float().unwrap()).collect::<Vec<_>>())
            .filter(|r| (r[3] - 90.0).abs() < 0.01)
            .map(|r| (r[0], r[2]))
            .collect();
        bars.sort_by(|a, b| a.0.total_cmp(&b.0));
        let module = bars.iter().map(|b| b.1).fold(f32::MAX, f32::min);
        let mut widths = Vec::new();
        for (i, (x, w)) in bars.iter().enumerate() {
            widths.push((w / module).round() as u8);
            if let Some((next, _)) = bars.get(i + 1) {
                widths.push(((next - x - w) / module).round() as u8);
            }
        }
        assert_eq!(ordo_app::documents::code128::decode(&widths).unwrap(), tracking, "the barcode reads back");

        let zpl = String::from_utf8(document(&app, &format!("/v1/shipments/{shipment}/label?format=zpl"), "application/zpl").await).unwrap();
        assert!(zpl.starts_with("^XA") && zpl.contains(&format!("^BCN,200,Y,N,N^FD{tracking}^FS")), "{zpl}");
        let bad = app.get(ADMIN_KEY, &format!("/v1/shipments/{shipment}/label?format=png")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let slip = document(&app, &format!("/v1/fulfillment-orders/{fo}/packing-slip"), "application/pdf").await;
        let number = order["number"].as_str().unwrap();
        assert!(pdf_text(&slip).contains(&format!("Order {number}")));
        let manifest = document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-01", "application/pdf").await;
        assert!(pdf_text(&manifest).contains(tracking));
        let manifest_csv = String::from_utf8(document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-01&format=csv", "text/csv").await).unwrap();
        assert_eq!(manifest_csv.lines().count(), 2, "{manifest_csv}");
        let other_day = String::from_utf8(document(&app, "/v1/carriers/parcelnet/manifest?date=2026-01-02&format=csv", "text/csv").await).unwrap();
        assert_eq!(other_day.lines().count(), 1, "only the header: {other_day}");

        let cli = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
            .args(["document", "--database-url", &app.db.url]).args(args).output().unwrap();
        let zpl_cli = cli(&["label", shipment, "--format", "zpl"]);
        assert!(zpl_cli.status.success(), "{}", String::from_utf8_lossy(&zpl_cli.stderr));
        assert_eq!(String::from_utf8(zpl_cli.stdout).unwrap(), zpl, "the CLI prints what the API serves");
        let missing = cli(&["packing-slip", "ful_missing"]);
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"), "{}", String::from_utf8_lossy(&missing.stderr));
    }

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
        let asked = app.post(ADMIN_KEY, &format!("/v1/orders/{id}/cancel"), &json!({ "reason": "customer called" })).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        assert_eq!(asked.body["status"], "released", "pending until the location confirms: {}", asked.body);
        assert_eq!(app.position("NORTH", "A").await["reserved"], 2, "the location still holds them");
        let work = app.get(ADMIN_KEY, &format!("/v1/fulfillment-orders/{fo}")).await.body;
        assert_eq!((work["cancel_requested"].as_bool(), work["lines"][0]["cancel_requested"].as_i64()), (Some(true), Some(2)), "{work}");
        let confirmed = step(&app, &fo, "confirm-cancel", None).await;
        assert_eq!(confirmed["fulfillment_order"]["status"], "cancelled");
        assert_eq!(confirmed["order"]["status"], "cancelled");
        assert_eq!(app.position("NORTH", "A").await["reserved"], 0);

        let other = released(&app, &place(&app, "E-7", &[("A", 2), ("B", 1)]).await).await;
        let other_id = other["id"].as_str().unwrap();
        let fo = work_at(&other, "NORTH");
        app.post(ADMIN_KEY, &format!("/v1/orders/{other_id}/cancel"), &json!({ "lines": [{ "line": 2, "quantity": 1 }] })).await;
        step(&app, &fo, "accept", None).await;
        step(&app, &fo, "pick", Some(json!({}))).await;
        step(&app, &fo, "pack", Some(one_package(&[(1, 2), (2, 1)]))).await;
        let shipped = step(&app, &fo, "ship", Some(json!({}))).await;
        assert_eq!(shipped["order"]["status"], "shipped", "shipped anyway: the request is overtaken");
        assert_eq!(shipped["order"]["lines"][1]["quantities"]["cancelled"], 0);
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
        let removed = patch(json!({ "lines": [{ "line": 2, "quantity": 0 }] })).await;
        assert_eq!(removed.body["lines"][1]["status"], "cancelled", "{}", removed.body);
        released(&app, &removed.body).await;
        let late = patch(json!({ "lines": [{ "line": 1, "quantity": 1 }] })).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
        app.assert_consistent().await;
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
        let collected = track(&app, json!([{ "carrier": "pickup", "tracking_number": number, "status": "delivered", "at": "2026-01-02T11:00:00Z" }])).await;
        assert_eq!(collected["items"][0]["status"], "delivered", "{collected}");
        let done = app.get(ADMIN_KEY, &format!("/v1/orders/{}", order["id"].as_str().unwrap())).await.body;
        assert_eq!(done["status"], "delivered");
        let slip = document(&app, &format!("/v1/fulfillment-orders/{fo}/packing-slip"), "application/pdf").await;
        assert!(pdf_text(&slip).contains("Collect in store"));
        app.assert_consistent().await;
    }
}

async fn scan_alerts(app: &TestApp) -> Value {
    app.post(ADMIN_KEY, "/v1/alerts/scan", &json!({}))
        .await
        .body
}

async fn document(app: &TestApp, path: &str, content_type: &str) -> Vec<u8> {
    let reply = app
        .http
        .get(format!("{}{path}", app.address))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK, "{path}");
    let got = reply.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(got.starts_with(content_type), "{path}: {got}");
    reply.bytes().await.unwrap().to_vec()
}

fn pdf_text(pdf: &[u8]) -> String {
    let parsed = lopdf::Document::load_mem(pdf).expect("a PDF");
    let pages: Vec<u32> = parsed.get_pages().keys().copied().collect();
    parsed.extract_text(&pages).unwrap()
}
