//! Fulfilment end to end through the API, on SQLite and (when ORDO_TEST_POSTGRES_URL is set)
//! PostgreSQL: `flow` (capture → release → accept → pick → pack → ship → tracking →
//! delivered, partial shipments, short picks, waves, pickup), `changes` (cancellations,
//! edits, alerts), `documents` (labels, slips, pick lists, manifests parsed back). The helpers
//! they share are here.

use ordo_testkit::{ADMIN_KEY, TestApp};
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

mod changes;
mod documents;
mod flow;
mod shipping;

/// Places an order, releases it and takes its work at `location` to packed in one package.
async fn packed(app: &TestApp, id: &str, lines: &[(&str, i64)], location: &str) -> (Value, String) {
    let order = released(app, &place(app, id, lines).await).await;
    let fo = work_at(&order, location);
    step(app, &fo, "accept", None).await;
    step(app, &fo, "pick", Some(json!({}))).await;
    let contents: Vec<(u32, i64)> = lines
        .iter()
        .enumerate()
        .map(|(i, (_, q))| (i as u32 + 1, *q))
        .collect();
    step(app, &fo, "pack", Some(one_package(&contents))).await;
    (order, fo)
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
