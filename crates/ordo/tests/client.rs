//! A client generated from `/openapi.json` works: openapi-spec-validator finds no error in the
//! document, openapi-python-client generates a Python package from it, and
//! `scripts/client/drive.py` drives that package through an order's life against a real
//! server. Skipped, saying so, where the Python tools are not installed (`.ci/run` installs
//! them).

use std::path::Path;
use std::process::Command;

use ordo_testkit::fixtures::small_network;
use ordo_testkit::{ADMIN_KEY, Backend, TestApp};

fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{command:?}: {text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_client_generated_from_the_openapi_document_takes_an_order_to_its_label() {
    if !has("openapi-python-client", &["--version"])
        || !has("python3", &["-c", "import openapi_spec_validator"])
    {
        eprintln!("skipped: openapi-python-client and openapi-spec-validator are not installed");
        return;
    }
    let Some(app) = TestApp::spawn(Backend::Sqlite, Some(small_network(&[]))).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    let document = app
        .http
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(&spec, &document).unwrap();
    let check = "import json, sys\n\
        from openapi_spec_validator import OpenAPIV31SpecValidator\n\
        errors = list(OpenAPIV31SpecValidator(json.load(open(sys.argv[1]))).iter_errors())\n\
        [print(e.message) for e in errors[:20]]\n\
        sys.exit(len(errors) > 0)";
    run(Command::new("python3").args(["-c", check]).arg(&spec));

    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let package = dir.path().join("pkg").join("ordo_client");
    let config = repo.join("scripts/client/openapi-python-client.yaml");
    let generated = run(Command::new("openapi-python-client")
        .args(["generate", "--meta", "none", "--path"])
        .arg(&spec)
        .arg("--output-path")
        .arg(&package)
        .arg("--config")
        .arg(&config));
    assert!(
        !generated.contains("WARNING"),
        "every route generates: {generated}"
    );
    let driven = run(Command::new("python3")
        .arg(repo.join("scripts/client/drive.py"))
        .args([&app.address, ADMIN_KEY])
        .env("PYTHONPATH", dir.path().join("pkg")));
    assert!(driven.contains("generated client: order"), "{driven}");
}
