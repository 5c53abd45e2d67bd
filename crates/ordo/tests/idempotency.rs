//! Retries that are always safe: every write takes an `Idempotency-Key`; the same key and
//! request get the first answer again, done once; another request under the key is refused;
//! keys belong to the caller and last a day.

use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn adjust(app: &TestApp, key: &str, idempotency: &str, body: &Value) -> ordo_testkit::Reply {
    app.request(
        Method::POST,
        Some(key),
        "/v1/inventory/adjustments",
        Some(body),
        &[("Idempotency-Key", idempotency)],
    )
    .await
}

fn delta(units: i64) -> Value {
    json!({ "reason": "count", "adjustments": [{ "location": "NORTH", "sku": "A", "delta": units }] })
}

on_both_backends! {
    async fn a_write_sent_again_with_its_key_is_done_once_and_answered_the_same(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let first = adjust(&app, ADMIN_KEY, "adj-1", &delta(5)).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert!(first.headers.get("idempotent-replayed").is_none());
        let reordered = json!({ "adjustments": [{ "sku": "A", "delta": 5, "location": "NORTH" }], "reason": "count" });
        let again = adjust(&app, ADMIN_KEY, "adj-1", &reordered).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(again.body, first.body, "the first answer, again");
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 15, "done once");

        let other = adjust(&app, ADMIN_KEY, "adj-1", &delta(6)).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
        assert_eq!(other.body["errors"][0]["field"], "Idempotency-Key");
        let bad = adjust(&app, ADMIN_KEY, "", &delta(1)).await;
        assert_eq!(bad.body["errors"][0]["field"], "Idempotency-Key", "{}", bad.body);

        // Keys belong to the caller: another key's "adj-1" is its own.
        let second_admin = app.key("admin", None).await;
        let theirs = adjust(&app, &second_admin, "adj-1", &delta(6)).await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 21);

        // A refusal is an answer too.
        let refused = adjust(&app, ADMIN_KEY, "adj-2", &delta(-1_000)).await;
        assert!(refused.status.is_client_error(), "{}", refused.body);
        let refused_again = adjust(&app, ADMIN_KEY, "adj-2", &delta(-1_000)).await;
        assert_eq!((refused_again.status, &refused_again.body), (refused.status, &refused.body));
        assert_eq!(refused_again.headers["idempotent-replayed"], "true");

        // A day later the key is free again.
        app.clock.advance_ms(25 * 3_600_000);
        let later = adjust(&app, ADMIN_KEY, "adj-1", &delta(1)).await;
        assert_eq!(later.status, StatusCode::OK, "{}", later.body);
        assert!(later.headers.get("idempotent-replayed").is_none());
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 22);
    }

    async fn concurrent_retries_with_one_key_do_the_work_once(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let app = std::sync::Arc::new(app);
        let sends: Vec<_> = (0..12)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { adjust(&app, ADMIN_KEY, "burst", &delta(3)).await.status })
            })
            .collect();
        let mut statuses = Vec::new();
        for send in sends {
            statuses.push(send.await.unwrap());
        }
        assert!(statuses.iter().all(|s| [StatusCode::OK, StatusCode::CONFLICT].contains(s)), "{statuses:?}");
        assert!(statuses.contains(&StatusCode::OK));
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 13, "once: {statuses:?}");
        let settled = adjust(&app, ADMIN_KEY, "burst", &delta(3)).await;
        assert_eq!((settled.status, &settled.headers["idempotent-replayed"]), (StatusCode::OK, &"true".parse().unwrap()));
    }

    async fn every_kind_of_write_takes_a_key(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10)]))).await else { return };
        let hold = json!({ "channel": "web", "lines": [{ "sku": "A", "quantity": 2 }], "ttl_s": 600 });
        let key = [("Idempotency-Key", "hold-1")];
        let placed = app.request(Method::POST, Some(ADMIN_KEY), "/v1/holds", Some(&hold), &key).await;
        let again = app.request(Method::POST, Some(ADMIN_KEY), "/v1/holds", Some(&hold), &key).await;
        assert_eq!(placed.body["id"], again.body["id"], "one hold");
        assert_eq!(app.available("A").await, 8);
        let id = placed.body["id"].as_str().unwrap();
        let release = [("Idempotency-Key", "release-1")];
        let released = app.request(Method::DELETE, Some(ADMIN_KEY), &format!("/v1/holds/{id}"), None, &release).await;
        let released_again = app.request(Method::DELETE, Some(ADMIN_KEY), &format!("/v1/holds/{id}"), None, &release).await;
        assert_eq!(released.status, released_again.status, "{}", released_again.body);
        assert_eq!(released_again.headers["idempotent-replayed"], "true");
        let patch = json!({ "name": "Renamed" });
        let item = [("Idempotency-Key", "item-1")];
        let renamed = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/items/A", Some(&patch), &item).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        let doc = app.http.get(format!("{}/openapi.json", app.address)).send().await.unwrap().json::<Value>().await.unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if method == "get" {
                    continue;
                }
                let takes_key = op["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "Idempotency-Key");
                assert!(takes_key, "{method} {path} declares Idempotency-Key");
            }
        }
    }
}
