//! The README's tour runs as written: its curl block is taken from README.md and run by bash
//! against `ordo serve --demo`, every request failing the test if it answers an error; then
//! `ordo check` finds every invariant holding.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The shell block under "A tour with curl", with the lines that set ORDO and KEY by hand
/// left out (the test sets them) and every curl made to fail on an error status.
fn tour() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md");
    let section = readme
        .split("## A tour with curl")
        .nth(1)
        .expect("the tour's section");
    let block = section.split("```sh").nth(1).expect("its shell block");
    let block = block.split("```").next().unwrap();
    block
        .lines()
        .filter(|l| !l.starts_with("export ORDO=") && !l.starts_with("export KEY="))
        .map(|l| l.replace("curl -s ", "curl -sSf "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_tour_runs_as_written_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let port = ordo_testkit::free_port();
    let key = "readme-tour-admin-key-0123456789";
    let mut server = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path())
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let up = (0..300).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        Command::new("curl")
            .args(["-sf", &format!("{url}/readyz")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let run = up.then(|| {
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", &tour()])
            .current_dir(dir.path())
            .env("ORDO", &url)
            .env("KEY", key)
            .output()
            .unwrap()
    });
    let _ = server.kill();
    let _ = server.wait();
    let run = run.expect("the demo server came up");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "the tour failed:\n{output}");
    assert!(
        output.contains("\"status\":\"delivered\""),
        "the tour ends with a delivered parcel: {output}"
    );
    assert!(
        std::fs::read(dir.path().join("label.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
    let check = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["check", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
