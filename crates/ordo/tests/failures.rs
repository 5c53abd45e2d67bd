//! Store failures answered honestly: connections the database ends under load are retried
//! or answered 503 with Retry-After — never 500 — and no order is lost or doubled.

use std::sync::Arc;

use ordo_testkit::db::terminate_connections;
use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::StatusCode;

const ORDERS: usize = 160;
const WORKERS: usize = 8;

/// Places order `i` with its own idempotency key until it is placed; answers each status seen.
async fn place_until_placed(app: &TestApp, i: usize) -> Vec<StatusCode> {
    let body = order_body("web", &format!("F-{i}"), &[("A", 1)]);
    let key = format!("fail-{i}");
    let mut seen = Vec::new();
    for _ in 0..20 {
        let reply = app.place(ADMIN_KEY, &body, Some(&key)).await;
        seen.push(reply.status);
        match reply.status {
            StatusCode::CREATED => break,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(reply.headers.contains_key("retry-after"), "{}", reply.body);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => panic!("order {i}: {other} {}", reply.body),
        }
    }
    seen
}

on_both_backends! {
    async fn connections_ended_under_load_are_retried_or_answered_503_and_nothing_is_lost(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 1_000)]))).await else { return };
        let app = Arc::new(app);
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let app = app.clone();
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    for i in (w..ORDERS).step_by(WORKERS) {
                        seen.extend(place_until_placed(&app, i).await);
                    }
                    seen
                })
            })
            .collect();
        let mut ended = 0;
        for _ in 0..5 {
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
            ended += terminate_connections(&app.db).await;
        }
        let mut seen = Vec::new();
        for worker in workers {
            seen.extend(worker.await.unwrap());
        }
        let placed = seen.iter().filter(|s| **s == StatusCode::CREATED).count();
        assert_eq!(placed, ORDERS, "every order placed in the end: {seen:?}");
        let unavailable = seen.iter().filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE).count();
        eprintln!("{ended} connections ended; {unavailable} answers were 503");
        assert_eq!(app.position("NORTH", "A").await["reserved"], ORDERS as i64, "none lost, none doubled");
        app.assert_consistent().await;
    }
}

/// Forwards connections on `listener` to `to` — a way in to PostgreSQL that opens when the
/// test says so.
async fn forward(listener: tokio::net::TcpListener, to: String) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            return;
        };
        let to = to.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&to).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_before_its_database_waits_then_serves() {
    let Some(db) = ordo_testkit::TestDb::fresh(ordo_testkit::Backend::Postgres).await else {
        return;
    };
    let (host, rest) = db.url.split_once('@').unwrap().1.split_once('/').unwrap();
    let gate = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gate_address = gate.local_addr().unwrap();
    drop(gate);
    let url = format!("postgres://postgres@{gate_address}/{rest}");
    let port = ordo_testkit::free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut answered = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if let Ok(reply) = http.get(format!("{base}/healthz")).send().await {
            answered = Some(reply.status());
            break;
        }
    }
    assert_eq!(
        answered,
        Some(StatusCode::OK),
        "alive while the database is away"
    );
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let early = http
        .get(format!("{base}/v1/orders"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(early.headers().contains_key("retry-after"));
    // The database comes within reach.
    let gate = tokio::net::TcpListener::bind(gate_address).await.unwrap();
    tokio::spawn(forward(gate, host.to_string()));
    let mut ready = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::OK
        {
            ready = true;
            break;
        }
    }
    assert!(ready, "ready once the database answers");
    let orders = http
        .get(format!("{base}/v1/orders"))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(orders.status(), StatusCode::OK);
    server.start_kill().unwrap();
    let output = server.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("opening the database")
            && log.contains(&format!("postgres://postgres@{gate_address}/")),
        "{log}"
    );
}

/// A small file system of its own (tmpfs), unmounted when dropped; `None` where this process
/// may not mount one.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn remount(&self, options: &str) {
        let done = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(done.success(), "remount {options}");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a server may still be letting go of its files.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_answered_503_and_the_store_survives_it() {
    let Some(disk) = SmallDisk::mount("3m") else {
        eprintln!("skipped: mounting a small file system needs root");
        return;
    };
    let db = ordo_testkit::TestDb::sqlite_in(disk.dir.path());
    let store = db.store().await;
    store
        .load_network(&small_network(&[("NORTH", "A", 100_000)]))
        .await
        .unwrap();
    store.close().await;
    let app = TestApp::start(db, ordo_testkit::test_limits()).await;
    let mut full = None;
    for i in 0..20_000 {
        let reply = app
            .place(
                ADMIN_KEY,
                &order_body("web", &format!("D-{i}"), &[("A", 1)]),
                Some(&format!("disk-{i}")),
            )
            .await;
        match reply.status {
            StatusCode::CREATED => continue,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(reply.headers.contains_key("retry-after"));
                full = Some(i);
                break;
            }
            other => panic!("order {i}: {other} {}", reply.body),
        }
    }
    let full = full.expect("the disk filled up");
    assert!(
        app.get(ADMIN_KEY, "/v1/items").await.status.is_success(),
        "reads go on"
    );
    disk.remount("size=64m");
    let mut placed = false;
    for _ in 0..50 {
        let retry = app
            .place(
                ADMIN_KEY,
                &order_body("web", &format!("D-{full}"), &[("A", 1)]),
                Some(&format!("disk-{full}")),
            )
            .await;
        if retry.status == StatusCode::CREATED {
            placed = true;
            break;
        }
        assert_eq!(
            retry.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            retry.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(placed, "orders are taken again once there is room");
    app.assert_consistent().await;
    let reserved = app.position("NORTH", "A").await["reserved"]
        .as_i64()
        .unwrap();
    assert_eq!(
        reserved,
        full as i64 + 1,
        "every order answered 201 is there, and no other"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_directory_is_waited_out_and_the_store_survives_it() {
    let Some(disk) = SmallDisk::mount("64m") else {
        eprintln!("skipped: mounting a small file system needs root");
        return;
    };
    let data = disk.dir.path();
    let db = ordo_testkit::TestDb::sqlite_in(data);
    db.store().await.close().await;
    disk.remount("ro");
    let port = ordo_testkit::free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let status = |path: &'static str| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            http.get(url)
                .bearer_auth(ADMIN_KEY)
                .send()
                .await
                .map(|r| r.status())
                .ok()
        }
    };
    let mut alive = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if status("/healthz").await == Some(StatusCode::OK) {
            alive = true;
            break;
        }
    }
    assert!(alive, "the server is up, waiting");
    assert_eq!(
        status("/readyz").await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(
        status("/v1/items").await,
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
    assert!(
        server.try_wait().unwrap().is_none(),
        "it waits rather than exits"
    );
    disk.remount("rw");
    let mut ready = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if status("/readyz").await == Some(StatusCode::OK) {
            ready = true;
            break;
        }
    }
    assert!(ready, "ready once the directory can be written");
    assert_eq!(status("/v1/items").await, Some(StatusCode::OK));
    server.start_kill().unwrap();
    let _ = server.wait().await;
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["check", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
