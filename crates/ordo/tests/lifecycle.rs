//! Ordo across its life: restarts, shutdowns, and the `ordo` binary itself — serving the
//! demo, checking invariants, benchmarking.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends! {
    async fn a_restart_loses_nothing(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 10), ("SOUTH", "B", 4)]))).await else { return };
        let web = app.key("channel", Some("web")).await;
        let placed = app.place(&web, &order_body("web", "W-1", &[("A", 2), ("B", 1)]), Some("k-1")).await.body;
        let adjust = json!({ "reason": "found", "adjustments": [{ "location": "SOUTH", "sku": "B", "delta": 3 }] });
        assert_eq!(app.post(ADMIN_KEY, "/v1/inventory/adjustments", &adjust).await.status, StatusCode::OK);
        let before = (
            app.get(ADMIN_KEY, &format!("/v1/orders/{}", placed["id"].as_str().unwrap())).await.body,
            app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", placed["number"].as_str().unwrap())).await.body,
            app.get(ADMIN_KEY, "/v1/availability?skus=A,B").await.body,
            app.get(ADMIN_KEY, "/v1/inventory/ledger").await.body,
        );

        let app = app.restart().await;
        let after = (
            app.get(ADMIN_KEY, &format!("/v1/orders/{}", placed["id"].as_str().unwrap())).await.body,
            app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", placed["number"].as_str().unwrap())).await.body,
            app.get(ADMIN_KEY, "/v1/availability?skus=A,B").await.body,
            app.get(ADMIN_KEY, "/v1/inventory/ledger").await.body,
        );
        assert_eq!(before, after);
        let replay = app.place(&web, &order_body("web", "W-1", &[("A", 2), ("B", 1)]), Some("k-1")).await;
        assert_eq!(replay.body["id"], placed["id"], "idempotency keys survive a restart");
        let next = app.place(&web, &order_body("web", "W-2", &[("A", 1)]), None).await.body;
        assert_eq!(next["number"], "100002", "numbering continues");
    }

    async fn shutting_down_keeps_every_order_it_acknowledged(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 1000)]))).await else { return };
        let (address, http) = (app.address.clone(), app.http.clone());
        let mut buyers = Vec::new();
        for i in 0..40 {
            let (address, http) = (address.clone(), http.clone());
            buyers.push(tokio::spawn(async move {
                let body = order_body("web", &format!("W-{i}"), &[("A", 1)]);
                let reply = http.post(format!("{address}/v1/orders")).bearer_auth(ADMIN_KEY).json(&body).send().await;
                match reply {
                    Ok(r) => Some((r.status(), r.json::<Value>().await.ok())),
                    Err(_) => None, // refused once the server stopped accepting: not acknowledged
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let db = app.stop().await;
        let mut acknowledged = Vec::new();
        for buyer in buyers {
            if let Some((status, body)) = buyer.await.unwrap() {
                assert!(!status.is_server_error(), "no request may fail with {status}");
                if status == StatusCode::CREATED {
                    acknowledged.push(body.unwrap()["id"].as_str().unwrap().to_string());
                }
            }
        }
        let app = TestApp::start(db, Default::default()).await;
        for id in &acknowledged {
            assert_eq!(app.get(ADMIN_KEY, &format!("/v1/orders/{id}")).await.status, StatusCode::OK, "order {id} was acknowledged");
        }
        assert!(app.app.check().await.unwrap().is_empty());
    }

    async fn ordo_check_names_each_broken_invariant_and_fails(backend: Backend) {
        let Some(db) = TestDb::fresh(backend).await else { return };
        let store = db.store().await;
        store.load_network(&small_network(&[("NORTH", "A", 5)])).await.unwrap();
        store.close().await;
        let clean = Command::new(env!("CARGO_BIN_EXE_ordo")).args(["check", "--database-url", &db.url]).output().unwrap();
        assert!(clean.status.success());
        ordo_testkit::db::execute(&db, "UPDATE inventory_positions SET reserved = 2 WHERE sku = 'A'").await;
        let broken = Command::new(env!("CARGO_BIN_EXE_ordo")).args(["check", "--database-url", &db.url]).output().unwrap();
        assert_eq!(broken.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&broken.stdout);
        assert!(stdout.contains("position A@NORTH: reserved is 2 but its held reservations sum to 0"), "{stdout}");
    }
}

/// A running `ordo serve` process and what it printed on start.
struct Served {
    child: Child,
    url: String,
    lines: Vec<String>,
}

fn serve_demo(data_dir: &std::path::Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("ORDO_BOOTSTRAP_ADMIN_KEY")
        .env_remove("ORDO_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ordo starts");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        // The banner ends with the last channel key, or with the note that the demo is loaded.
        let done = line.starts_with("channel key for pos") || line.contains("already loaded");
        lines.push(std::mem::take(&mut line).trim_end().to_string());
        if done {
            break;
        }
        if lines.len() > 20 {
            break;
        }
    }
    let url = lines[0]
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the URL is printed")
        .to_string();
    Served { child, url, lines }
}

fn terminate(mut served: Served) {
    let pid = served.child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let status = served.child.wait().expect("ordo exits");
    assert!(
        status.success(),
        "ordo serve exits cleanly on SIGTERM: {status}"
    );
}

fn shown(lines: &[String], prefix: &str) -> Option<String> {
    lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.split_whitespace().last())
        .map(String::from)
}

#[tokio::test]
async fn ordo_serve_demo_loads_a_network_once_and_keeps_it_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve_demo(dir.path());
    let admin = shown(&first.lines, "admin key").expect("the admin key is printed");
    let web = shown(&first.lines, "channel key for web").expect("the web key is printed");
    let http = reqwest::Client::new();
    let get = |url: String, key: String| {
        let http = http.clone();
        async move {
            http.get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let locations = get(
        format!("{}/v1/locations?limit=500", first.url),
        admin.clone(),
    )
    .await;
    assert!(locations["items"].as_array().unwrap().len() >= 20);
    let items = get(format!("{}/v1/items?limit=500", first.url), admin.clone()).await;
    assert!(items["items"].as_array().unwrap().len() >= 200);
    let channels = get(format!("{}/v1/channels", first.url), admin.clone()).await;
    let kinds: Vec<&str> = channels["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["marketplace", "pos", "web"]);
    let body = order_body("web", "DEMO-1", &[("TEE-BLK-M", 1)]);
    let placed = http
        .post(format!("{}/v1/orders", first.url))
        .bearer_auth(&web)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    terminate(first);

    let second = serve_demo(dir.path());
    assert!(
        second.lines.iter().any(|l| l.contains("already loaded")),
        "{:?}",
        second.lines
    );
    assert!(
        shown(&second.lines, "admin key").is_none(),
        "a key is shown only once"
    );
    let orders = get(format!("{}/v1/orders", second.url), admin.clone()).await;
    assert_eq!(orders["items"][0]["external_id"], "DEMO-1");
    terminate(second);
}

#[tokio::test]
async fn ordo_bench_reports_rates_and_latencies_as_json() {
    let app = TestApp::spawn(
        ordo_testkit::Backend::Sqlite,
        Some(ordo_app::demo::demo_network(ordo_testkit::CLOCK_START_MS)),
    )
    .await
    .unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "bench",
            "--url",
            &app.address,
            "--key",
            ADMIN_KEY,
            "--concurrency",
            "4",
            "--duration-s",
            "1",
            "--json",
            "--restock",
            "1000",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    for field in ["orders_per_s", "p50_ms", "p95_ms", "p99_ms", "errors"] {
        assert!(figures[field].is_number(), "{field} in {figures}");
    }
    assert_eq!(figures["errors"], 0);
    assert!(figures["placed"].as_u64().unwrap() > 0);
    assert!(app.app.check().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_request_past_its_deadline_is_answered_with_a_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::fresh(ordo_testkit::Backend::Sqlite).await.unwrap();
    // The body stops arriving: the request's deadline runs out long before the body's idle
    // timeout would, however fast the server answers everything else.
    let limits = ordo_app::Limits {
        request_timeout_ms: 200,
        request_body_idle_ms: 60_000,
        ..ordo_testkit::test_limits()
    };
    let app = TestApp::start(db, limits).await;
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"channel\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 2048];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("/problems/timeout"), "{answer}");
    app.stop().await;
}
