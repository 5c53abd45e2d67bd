//! `ordo serve --tls-cert --tls-key`: HTTPS with a certificate made for the test (by the
//! `openssl` command), checked by `curl` against that certificate.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const KEY: &str = "tls-test-admin-key-0123456789abcdef";

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        || Command::new(tool)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
}

fn certificate(dir: &Path, name: &str) {
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(dir.join(format!("{name}.crt")))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
}

fn curl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("curl")
        .args(["-s", "--max-time", "5", "--cacert"])
        .arg(dir.join("server.crt"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn ordo_serves_https_with_the_certificate_it_is_given() {
    if !have("openssl") || !have("curl") {
        eprintln!("skipped: the openssl and curl commands are needed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "server");
    certificate(dir.path(), "other");
    let port = ordo_testkit::free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .arg("--tls-cert")
        .arg(dir.path().join("server.crt"))
        .arg("--tls-key")
        .arg(dir.path().join("server.key"))
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("https://localhost:{port}");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let ready = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        curl(
            dir.path(),
            &["-f", "--resolve", &resolve, &format!("{url}/readyz")],
        )
        .status
        .success()
    });
    let items = curl(
        dir.path(),
        &[
            "-f",
            "--resolve",
            &resolve,
            "-H",
            &format!("authorization: Bearer {KEY}"),
            &format!("{url}/v1/items"),
        ],
    );
    let plain = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "3",
            &format!("http://127.0.0.1:{port}/healthz"),
        ])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "ready over HTTPS");
    assert!(
        items.status.success(),
        "{}",
        String::from_utf8_lossy(&items.stderr)
    );
    assert!(String::from_utf8_lossy(&items.stdout).contains("\"items\""));
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("ok"),
        "no plain HTTP on a TLS port"
    );

    let mismatched = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--tls-cert")
        .arg(dir.path().join("server.crt"))
        .arg("--tls-key")
        .arg(dir.path().join("other.key"))
        .output()
        .unwrap();
    assert!(!mismatched.status.success());
    let said = String::from_utf8_lossy(&mismatched.stderr);
    assert!(said.contains("do not belong together"), "{said}");
    let alone = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["serve", "--tls-cert", "x.crt"])
        .output()
        .unwrap();
    assert!(!alone.status.success(), "a certificate needs its key");
}
