//! A server that defends itself: a bound on requests in flight beyond which it answers 503 at
//! once and recovers by itself, deadlines for slow or silent connections, a bound on open
//! connections, and bodies refused by their declared length before they are read.

use std::time::{Duration, Instant};

use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, Backend, TestApp};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits() -> ordo_app::Limits {
    ordo_app::Limits {
        requests_in_flight_max: 2,
        request_queue_ms: 50,
        request_body_idle_ms: 500,
        header_read_timeout_ms: 400,
        connections_max: 6,
        ..ordo_testkit::test_limits()
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Starts a request whose body never comes: it holds its turn until the body deadline.
async fn stall(app: &TestApp) -> TcpStream {
    let mut stream = connect(app).await;
    let head = format!(
        "POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// What the server says on `stream` within `within`, or `None` if it says nothing.
async fn answer(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buffer = vec![0; 4096];
    match tokio::time::timeout(within, stream.read(&mut buffer)).await {
        Ok(Ok(n)) => Some(String::from_utf8_lossy(&buffer[..n]).to_string()),
        Ok(Err(_)) => Some(String::new()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_its_requests_in_flight_it_answers_503_at_once_and_recovers() {
    let seed = Some(small_network(&[("NORTH", "A", 5)]));
    let app = TestApp::spawn_with(Backend::Sqlite, seed, limits())
        .await
        .unwrap();
    let (mut first, mut second) = (stall(&app).await, stall(&app).await);
    // The stalled requests hold their turns once the server has read their heads: on a busy
    // machine that takes a moment, and until then a request is still served.
    let mut started = Instant::now();
    let mut shed = app.get(ADMIN_KEY, "/v1/items").await;
    for _ in 0..50 {
        if shed.status != StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        started = Instant::now();
        shed = app.get(ADMIN_KEY, "/v1/items").await;
    }
    assert_eq!(
        shed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        shed.body
    );
    assert_eq!(shed.headers["retry-after"], "1");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered at once, not queued for long"
    );
    assert!(
        app.get(ADMIN_KEY, "/healthz").await.status.is_success(),
        "operations endpoints stay up"
    );
    for stalled in [&mut first, &mut second] {
        let said = answer(stalled, Duration::from_secs(5))
            .await
            .unwrap_or_default();
        assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    }
    assert_eq!(
        app.get(ADMIN_KEY, "/v1/items").await.status,
        StatusCode::OK,
        "recovered by itself"
    );
    let metrics = app.metrics().await;
    assert!(metrics.contains("ordo_requests_shed_total"), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_silent_and_surplus_connections_are_closed() {
    let app = TestApp::spawn_with(Backend::Sqlite, None, limits())
        .await
        .unwrap();
    // Silent: never sends its headers.
    let mut silent = connect(&app).await;
    let said = answer(&mut silent, Duration::from_secs(5)).await;
    assert!(
        said.is_some_and(|s| !s.contains("200")),
        "a silent connection is closed"
    );
    // Slow: sends half its headers, then nothing.
    let mut slow = connect(&app).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    assert!(
        answer(&mut slow, Duration::from_secs(5)).await.is_some(),
        "a slow connection is closed"
    );
    // Idle after a request.
    let mut idle = connect(&app).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let first = answer(&mut idle, Duration::from_secs(5)).await.unwrap();
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert_eq!(
        answer(&mut idle, Duration::from_secs(5)).await.as_deref(),
        Some(""),
        "closed when idle"
    );
    // More connections than allowed: the surplus is closed as it arrives.
    let mut held = Vec::new();
    for _ in 0..6 {
        held.push(connect(&app).await);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut surplus = connect(&app).await;
    assert_eq!(
        answer(&mut surplus, Duration::from_millis(300))
            .await
            .as_deref(),
        Some(""),
        "closed at once"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        app.get(ADMIN_KEY, "/healthz").await.status.is_success(),
        "room again once they close"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    let app = TestApp::spawn(Backend::Sqlite, None).await.unwrap();
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let said = answer(&mut stream, Duration::from_secs(2))
        .await
        .unwrap_or_default();
    assert!(
        said.starts_with("HTTP/1.1 413"),
        "answered without waiting for the body: {said}"
    );
    assert!(
        said.contains("application/problem+json") && said.contains("request_body_max_bytes"),
        "{said}"
    );
}
