//! Headers every answer carries, cross-origin access only for the origins configured, and
//! `/metrics` behind a key (or on an address of its own).

use std::process::{Command, Stdio};
use std::time::Duration;

use ordo_testkit::{ADMIN_KEY, Backend, TestApp};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_carry_their_security_headers_and_metrics_need_a_key() {
    let seed = Some(ordo_testkit::fixtures::small_network(&[]));
    let app = TestApp::spawn(Backend::Sqlite, seed).await.unwrap();
    let items = app.get(ADMIN_KEY, "/v1/items").await;
    assert_eq!(items.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        items.headers["cache-control"], "no-store",
        "API answers carry customer data"
    );
    assert_eq!(items.headers["referrer-policy"], "no-referrer");
    let refused = app.get("ordo_nobody", "/v1/items").await;
    assert_eq!(
        refused.headers["x-content-type-options"], "nosniff",
        "errors too"
    );
    let docs = reqwest::get(format!("{}/docs/", app.address))
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let policy = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"),
        "{policy}"
    );
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
    assert!(
        docs.headers().get("cache-control").is_none(),
        "the docs may be cached"
    );

    assert_eq!(
        app.request(reqwest::Method::GET, None, "/metrics", None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let reader = app.key("read_only", None).await;
    let channel = app.key("channel", Some("web")).await;
    assert_eq!(
        app.get(&channel, "/metrics").await.status,
        StatusCode::FORBIDDEN
    );
    let metrics = app
        .http
        .get(format!("{}/metrics", app.address))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.text().await.unwrap().contains("ordo_http_requests"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_may_call_from_the_origins_configured_and_metrics_have_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let (port, metrics_port) = (ordo_testkit::free_port(), ordo_testkit::free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .args([
            "--cors-origin",
            "https://shop.example.com,https://admin.example.com",
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
    }
    let preflight = |origin: &'static str| {
        http.request(reqwest::Method::OPTIONS, format!("{base}/v1/orders"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            )
            .send()
    };
    let allowed = preflight("https://shop.example.com").await.unwrap();
    let other = preflight("https://evil.example.net").await.unwrap();
    let call = http
        .get(format!("{base}/v1/items"))
        .bearer_auth(ADMIN_KEY)
        .header("origin", "https://admin.example.com")
        .send()
        .await
        .unwrap();
    let open_metrics = http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--cors-origin",
            "https://shop.example.com/path",
        ])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(up);
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_ascii_uppercase();
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    assert!(
        other.headers().get("access-control-allow-origin").is_none(),
        "another origin is not allowed"
    );
    assert_eq!(
        call.headers()["access-control-allow-origin"],
        "https://admin.example.com"
    );
    assert_eq!(
        open_metrics.status(),
        StatusCode::OK,
        "no key on the metrics address"
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--cors-origin"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// The API's documentation still renders in a real browser under its content security policy.
#[test]
fn the_api_documentation_renders_in_a_browser_under_its_content_security_policy() {
    let Ok(chromium) = which("chromium") else {
        eprintln!("skipped: no chromium here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = ordo_testkit::free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let dom = Command::new(chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .args(["--virtual-time-budget=8000", "--dump-dom"])
        .arg(format!("http://127.0.0.1:{port}/docs/"))
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("browser").display()
        ))
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(up);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-path=\"/v1/orders\""),
        "Swagger UI lists the operations: {}",
        &dom[..dom.len().min(2000)]
    );
}

fn which(tool: &str) -> Result<String, ()> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map_err(|_| ())?;
    let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
    if found.status.success() && !path.is_empty() {
        Ok(path)
    } else {
        Err(())
    }
}
