//! The simulation's fulfilment step.

use reqwest::Method;
use serde_json::{Value, json};

use super::Sim;

impl Sim {
    /// Releases an open order's due work and takes one of its fulfilment orders one step on:
    /// accept (now and then reject), pick (now and then short, re-routed or backordered), pack
    /// what was picked, ship; a pending cancellation is now and then confirmed instead.
    pub(super) async fn work(&mut self) {
        let orders = self.known.orders.clone();
        let Some(id) = self.one_of(&orders) else {
            return;
        };
        let release = json!({ "order_id": id });
        self.send(
            "releasing",
            Method::POST,
            "/v1/fulfillment-orders/release",
            Some(release),
        )
        .await;
        let order = self
            .send(
                "reading an order",
                Method::GET,
                &format!("/v1/orders/{id}"),
                None,
            )
            .await;
        let open: Vec<String> = order["fulfillment_orders"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| {
                !matches!(
                    f["status"].as_str(),
                    Some("shipped" | "rejected" | "cancelled")
                )
            })
            .filter_map(|f| f["id"].as_str().map(String::from))
            .collect();
        let Some(fo_id) = self.one_of(&open) else {
            return;
        };
        let path = format!("/v1/fulfillment-orders/{fo_id}");
        // A few steps in a row, so that work reaches packing and shipping now and then.
        for _ in 0..self.rng.usize(1..=4) {
            let fo = self.send("reading work", Method::GET, &path, None).await;
            if fo["cancel_requested"] == true && self.rng.bool() {
                self.send(
                    "confirming a cancellation",
                    Method::POST,
                    &format!("{path}/confirm-cancel"),
                    None,
                )
                .await;
                break;
            }
            let lines: Vec<(i64, i64, i64)> = fo["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    Some((
                        l["line"].as_i64()?,
                        l["quantity"].as_i64()?,
                        l["picked"].as_i64()?,
                    ))
                })
                .collect();
            match fo["status"].as_str() {
                Some("released") if self.rng.u8(..8) == 0 => {
                    let body = json!({ "reason": "no_capacity" });
                    self.send(
                        "rejecting work",
                        Method::POST,
                        &format!("{path}/reject"),
                        Some(body),
                    )
                    .await;
                }
                Some("released") => {
                    self.send(
                        "accepting work",
                        Method::POST,
                        &format!("{path}/accept"),
                        None,
                    )
                    .await;
                }
                Some("accepted" | "picking") => {
                    let picked: Vec<Value> = lines
                        .iter()
                        .map(|(line, quantity, _)| {
                            let short = i64::from(self.rng.u8(..4) == 0);
                            json!({ "line": line, "picked": (quantity - short).max(0) })
                        })
                        .collect();
                    let short = if self.rng.bool() {
                        "reroute"
                    } else {
                        "backorder"
                    };
                    let body = json!({ "lines": picked, "short": short });
                    self.send("picking", Method::POST, &format!("{path}/pick"), Some(body))
                        .await;
                }
                Some("picked") => {
                    let contents: Vec<Value> = lines
                        .iter()
                        .filter(|(_, _, picked)| *picked > 0)
                        .map(|(line, _, picked)| json!({ "line": line, "quantity": picked }))
                        .collect();
                    let body = json!({ "packages": [{ "weight_g": 800, "length_mm": 300, "width_mm": 200, "height_mm": 100, "contents": contents }] });
                    self.send("packing", Method::POST, &format!("{path}/pack"), Some(body))
                        .await;
                }
                Some("packed") => {
                    self.send(
                        "shipping work",
                        Method::POST,
                        &format!("{path}/ship"),
                        Some(json!({})),
                    )
                    .await;
                }
                _ => {}
            }
        }
    }
}
