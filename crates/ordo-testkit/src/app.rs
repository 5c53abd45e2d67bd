//! A running Ordo on a random port over a fresh database, and an HTTP client for it.

use std::sync::Arc;

use ordo_app::{App, Limits, ManualClock};
use ordo_store::NetworkSeed;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::CLOCK_START_MS;
use crate::db::{Backend, TestDb};

/// The admin key every test app accepts.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789abcdefghij";

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub app: Arc<App>,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// A reply: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// The app's limits with background releasing off: tests release work to locations through
/// `POST /v1/fulfillment-orders/release`, so nothing changes under them between two reads.
pub fn test_limits() -> Limits {
    Limits {
        release_interval_ms: 0,
        alert_scan_interval_ms: 0,
        ..Limits::default()
    }
}

impl TestApp {
    /// A server over a fresh database holding `seed` (none when `None`), or `None` when the
    /// backend is not available here.
    pub async fn spawn(backend: Backend, seed: Option<NetworkSeed>) -> Option<TestApp> {
        Self::spawn_with(backend, seed, test_limits()).await
    }

    /// Like [`spawn`](Self::spawn), with these limits.
    pub async fn spawn_with(
        backend: Backend,
        seed: Option<NetworkSeed>,
        limits: Limits,
    ) -> Option<TestApp> {
        let db = TestDb::fresh(backend).await?;
        if let Some(seed) = seed {
            let store = db.store().await;
            store
                .load_network(&seed)
                .await
                .expect("the seed network loads");
            store.close().await;
        }
        Some(Self::start(db, limits).await)
    }

    /// Starts a server on an existing database.
    pub async fn start(db: TestDb, limits: Limits) -> TestApp {
        let clock = Arc::new(ManualClock::new(CLOCK_START_MS));
        let app = Arc::new(App::new(db.store().await, clock.clone(), limits));
        app.bootstrap_admin(Some(ADMIN_KEY))
            .await
            .expect("the admin key is set");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("a local address"));
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(ordo_server::serve(listener, app.clone(), async {
            let _ = stop.await;
        }));
        // Idle connections are let go before the shortest header timeout a test sets
        // (400 ms), so a request never rides one the server is closing.
        let http = reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_millis(300))
            .build()
            .expect("an HTTP client");
        TestApp {
            address,
            http,
            clock,
            app,
            db,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// Shuts the server down gracefully and hands back its database.
    pub async fn stop(mut self) -> TestDb {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task ends")
                .expect("the server shuts down cleanly");
        }
        self.db
    }

    /// Stops and starts again on the same database, as after a process restart.
    pub async fn restart(self) -> TestApp {
        let db = self.stop().await;
        Self::start(db, test_limits()).await
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        key: Option<&str>,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, key: &str, path: &str) -> Reply {
        self.request(reqwest::Method::GET, Some(key), path, None, &[])
            .await
    }

    pub async fn post(&self, key: &str, path: &str, body: &Value) -> Reply {
        self.request(reqwest::Method::POST, Some(key), path, Some(body), &[])
            .await
    }

    /// Places an order, with an idempotency key if given.
    pub async fn place(&self, key: &str, body: &Value, idempotency_key: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = idempotency_key
            .map(|k| ("Idempotency-Key", k))
            .into_iter()
            .collect();
        self.request(
            reqwest::Method::POST,
            Some(key),
            "/v1/orders",
            Some(body),
            &headers,
        )
        .await
    }

    /// A new key with this role (and channel), made through the API.
    pub async fn key(&self, role: &str, channel: Option<&str>) -> String {
        let reply = self
            .post(
                ADMIN_KEY,
                "/v1/api-keys",
                &json!({ "role": role, "channel": channel }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body["key"].as_str().expect("a key").to_string()
    }
}

impl TestApp {
    /// The Prometheus text at `/metrics`, read with the admin key.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.address);
        let reply = self.http.get(url).bearer_auth(ADMIN_KEY).send().await;
        let reply = reply.expect("the server answers");
        assert!(reply.status().is_success(), "/metrics: {}", reply.status());
        reply.text().await.expect("metrics text")
    }

    /// Available to promise of one item, network-wide, as the API answers it.
    pub async fn available(&self, sku: &str) -> i64 {
        let reply = self
            .get(ADMIN_KEY, &format!("/v1/availability?skus={sku}"))
            .await;
        reply.body["items"][0]["available"]
            .as_i64()
            .expect("availability answers")
    }

    /// The position of one item at one location, as the API answers it.
    pub async fn position(&self, location: &str, sku: &str) -> Value {
        let reply = self
            .get(
                ADMIN_KEY,
                &format!("/v1/inventory?sku={sku}&location={location}"),
            )
            .await;
        reply.body["items"][0].clone()
    }

    /// Fails the test when a stored invariant is broken.
    pub async fn assert_consistent(&self) {
        let breaches = self.app.check().await.expect("the check runs");
        assert!(breaches.is_empty(), "broken invariants: {breaches:?}");
    }
}
