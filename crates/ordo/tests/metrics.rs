//! What `/metrics` counts. Counters are process-wide, so this file holds one test and runs in
//! a process of its own: nothing else moves them while it reads.

use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics().await;
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellations_are_counted_when_orders_end_cancelled_not_per_request() {
    let seed = small_network(&[("NORTH", "A", 9), ("NORTH", "B", 9)]);
    let Some(app) = TestApp::spawn(Backend::Sqlite, Some(seed)).await else {
        return;
    };
    let placed = app
        .place(
            ADMIN_KEY,
            &order_body("web", "M-1", &[("A", 1), ("B", 1)]),
            None,
        )
        .await;
    let id = placed.body["id"].as_str().unwrap().to_string();
    app.post(
        ADMIN_KEY,
        "/v1/fulfillment-orders/release",
        &json!({ "order_id": id }),
    )
    .await;
    let order = app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.body;
    let fo = order["fulfillment_orders"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let accept = format!("/v1/fulfillment-orders/{fo}/accept");
    let accepted = app
        .request(Method::POST, Some(ADMIN_KEY), &accept, None, &[])
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let before = counter(&app, "ordo_orders_cancelled_total").await;

    let cancel = format!("/v1/orders/{id}/cancel");
    let line = json!({ "lines": [{ "line": 1, "quantity": 1 }] });
    assert_eq!(
        app.post(ADMIN_KEY, &cancel, &line).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.post(ADMIN_KEY, &cancel, &json!({})).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        counter(&app, "ordo_orders_cancelled_total").await,
        before,
        "requests only"
    );
    let confirm = format!("/v1/fulfillment-orders/{fo}/confirm-cancel");
    let confirmed = app
        .request(Method::POST, Some(ADMIN_KEY), &confirm, None, &[])
        .await;
    assert_eq!(
        confirmed.body["order"]["status"], "cancelled",
        "{}",
        confirmed.body
    );
    assert_eq!(
        counter(&app, "ordo_orders_cancelled_total").await,
        before + 1.0
    );
}
