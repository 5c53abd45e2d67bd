//! `ordo simulate`: the generated network and stream, replayed once per example profile.
//! Seeded, so the figures are the same on every machine.

use std::process::Command;

use serde_json::Value;

fn ordo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(args)
        .output()
        .expect("ordo runs")
}

#[test]
fn optimal_beats_closest_on_cost_and_splits_and_fewest_splits_on_cost() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let out = dir.to_str().unwrap();
    let generated = ordo(&[
        "simulate", "generate", "--out", out, "--orders", "1500", "--seed", "7",
    ]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    for file in [
        "network.json",
        "orders.jsonl",
        "closest.json",
        "fewest-splits.json",
        "optimal.json",
    ] {
        assert!(dir.join(file).exists(), "{file} written");
    }
    let path = |f: &str| dir.join(f).to_string_lossy().to_string();
    let run = ordo(&[
        "simulate",
        "--network",
        &path("network.json"),
        "--orders",
        &path("orders.jsonl"),
        "--profile",
        &path("closest.json"),
        "--profile",
        &path("fewest-splits.json"),
        "--profile",
        &path("optimal.json"),
        "--json",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&run.stdout).expect("one JSON object");
    let profiles = report["profiles"].as_array().unwrap();
    let get = |name: &str| {
        profiles
            .iter()
            .find(|p| p["profile"] == name)
            .unwrap()
            .clone()
    };
    let (closest, fewest, optimal) = (get("closest"), get("fewest-splits"), get("optimal"));
    for key in [
        "orders",
        "total_cost",
        "cost_per_order",
        "packages_per_order",
        "split_rate",
        "mean_distance_km",
        "on_time_rate",
        "capacity_breaches",
        "unfilled_lines",
    ] {
        assert!(optimal.get(key).is_some(), "{key} reported");
    }
    assert_eq!(optimal["orders"], 1500);
    let cost = |p: &Value| p["total_cost"].as_i64().unwrap();
    let split = |p: &Value| p["split_rate"].as_f64().unwrap();
    assert!(cost(&optimal) < cost(&closest), "{optimal} vs {closest}");
    assert!(split(&optimal) < split(&closest), "{optimal} vs {closest}");
    assert!(cost(&optimal) < cost(&fewest), "{optimal} vs {fewest}");
    let reoptimized = ordo(&[
        "simulate",
        "--network",
        &path("network.json"),
        "--orders",
        &path("orders.jsonl"),
        "--profile",
        &path("closest.json"),
        "--reoptimize-every-min",
        "120",
        "--json",
    ]);
    assert!(
        reoptimized.status.success(),
        "{}",
        String::from_utf8_lossy(&reoptimized.stderr)
    );
    let report: Value = serde_json::from_slice(&reoptimized.stdout).unwrap();
    let closest_waves = &report["profiles"][0];
    let changes = &closest_waves["reoptimization"];
    assert!(changes["orders_changed"].as_u64().unwrap() > 0, "{changes}");
    assert_eq!(
        changes["strategy"], "optimal",
        "the report says how the waves were planned again"
    );
    let as_placed = changes["split_rate_as_placed"].as_f64().unwrap();
    assert!(
        split(closest_waves) < as_placed / 2.0,
        "re-planning each wave together removes most extra splits: {closest_waves}"
    );
    assert!(
        closest_waves["total_cost"].as_f64().unwrap()
            < changes["total_cost_as_placed"].as_f64().unwrap(),
        "{closest_waves}"
    );
    let table = ordo(&[
        "simulate",
        "--network",
        &path("network.json"),
        "--orders",
        &path("orders.jsonl"),
        "--profile",
        &path("optimal.json"),
    ]);
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("optimal"),
        "a table by default"
    );
}

#[test]
fn bad_inputs_get_one_line_naming_the_file_and_the_field() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let network = dir.join("network.json");
    std::fs::write(&network, r#"{"time_zone": "Europe/Berlin", "locations": [{"code": "WH-1", "kind": "warehouse", "lat": 53.5, "lon": 10.0, "country": "DE"}], "stock": [{"location": "MARS", "sku": "A", "units": 5}]}"#).unwrap();
    let orders = dir.join("orders.jsonl");
    std::fs::write(&orders, "{\"id\": \"O-1\", \"at\": \"2026-11-23T08:00:00Z\", \"ship_to\": {\"lat\": 53.5, \"lon\": 10.0, \"country\": \"DE\"}, \"lines\": [{\"sku\": \"A\", \"quantity\": 1}]}\n{\"id\": \"O-2\", \"at\": \"yesterday\"}\n").unwrap();
    let profile = dir.join("p.json");
    std::fs::write(&profile, r#"{"strategy": "optimal"}"#).unwrap();
    let (n, o, p) = (
        network.to_str().unwrap(),
        orders.to_str().unwrap(),
        profile.to_str().unwrap(),
    );

    let bad_network = ordo(&["simulate", "--network", n, "--orders", o, "--profile", p]);
    assert!(!bad_network.status.success());
    let message = String::from_utf8_lossy(&bad_network.stderr);
    assert!(
        message.contains("stock[0].location") && message.contains("MARS"),
        "{message}"
    );

    std::fs::write(&network, r#"{"time_zone": "Europe/Berlin", "locations": [{"code": "WH-1", "kind": "warehouse", "lat": 53.5, "lon": 10.0, "country": "DE"}], "stock": [{"location": "WH-1", "sku": "A", "units": 5}]}"#).unwrap();
    let bad_order = ordo(&["simulate", "--network", n, "--orders", o, "--profile", p]);
    let message = String::from_utf8_lossy(&bad_order.stderr);
    assert!(
        !bad_order.status.success() && message.contains("line 2") && message.contains("at"),
        "{message}"
    );

    let no_profile = ordo(&["simulate", "--network", n, "--orders", o]);
    assert!(
        !no_profile.status.success()
            && String::from_utf8_lossy(&no_profile.stderr).contains("--profile")
    );
}

#[test]
fn backtest_input_is_checked_member_by_member_and_the_report_breaks_its_costs_down() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let profile = write("p.json", r#"{"strategy": "optimal"}"#);
    let orders = write(
        "orders.jsonl",
        &(1..=3)
            .map(|i| format!(r#"{{"id": "O-{i}", "at": "2026-11-23T0{i}:00:00Z", "ship_to": {{"lat": 6.45, "lon": 3.39, "country": "NG"}}, "lines": [{{"sku": "EBOOK", "quantity": 1}}, {{"sku": "A", "quantity": 1}}]}}"#))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let bad = write(
        "bad.json",
        r#"{"time_zone": "Africa/Lagos", "colour": "red",
            "locations": [{"code": "LOS", "kind": "warehouse", "lat": 6.5, "lon": 3.4, "country": "NG", "size": 3}],
            "items": [{"sku": "EBOOK", "weight_g": 0}],
            "costs": {"handling_by_location": {"MARS": 100}}}"#,
    );
    let refused = ordo(&[
        "simulate",
        "--network",
        &bad,
        "--orders",
        &orders,
        "--profile",
        &profile,
    ]);
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    for named in [
        "colour",
        "locations[0].size",
        "costs.handling_by_location.MARS",
    ] {
        assert!(message.contains(named), "{named} in {message}");
    }
    assert!(!message.contains("weight_g"), "0 g is a weight: {message}");
    // Lagos, one warehouse that takes one order a day: three orders wait their turn.
    let network = write(
        "network.json",
        r#"{"time_zone": "Africa/Lagos",
            "locations": [{"code": "LOS", "kind": "warehouse", "lat": 6.5, "lon": 3.4, "country": "NG", "daily_order_capacity": 1}],
            "items": [{"sku": "EBOOK", "weight_g": 0}, {"sku": "A", "weight_g": 300}],
            "stock": [{"location": "LOS", "sku": "EBOOK", "units": 9}, {"location": "LOS", "sku": "A", "units": 9}],
            "transit": {"bands": [{"max_km": 50, "days": 1}, {"max_km": 2000, "days": 3}]}}"#,
    );
    let decisions = dir.join("decisions.jsonl");
    let run = ordo(&[
        "simulate",
        "--network",
        &network,
        "--orders",
        &orders,
        "--profile",
        &profile,
        "--json",
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let p = &report["profiles"][0];
    assert_eq!(
        (p["units_ordered"].as_i64(), p["units_served"].as_i64()),
        (Some(6), Some(6)),
        "a full location's orders wait, never vanish: {p}"
    );
    assert_eq!(p["unfilled_lines"], 0, "{p}");
    assert_eq!(
        p["capacity_breaches"], 2,
        "two went to a full location, to ship on later days: {p}"
    );
    let c = &p["cost"];
    let parts: i64 = [
        "shipping",
        "handling",
        "splits",
        "late",
        "capacity",
        "last_units",
    ]
    .iter()
    .map(|k| c[k].as_i64().unwrap())
    .sum();
    assert_eq!(
        parts,
        p["total_cost"].as_i64().unwrap(),
        "the breakdown adds up: {p}"
    );
    let lines = std::fs::read_to_string(&decisions).unwrap();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    assert!(lines.contains("\"order\":\"O-1\""), "{lines}");
    // A reader that stops reading early is no failure.
    let piped = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} simulate --network {network} --orders {orders} --profile {profile} | head -c 10 > /dev/null; echo \"${{PIPESTATUS:-}}\"", env!("CARGO_BIN_EXE_ordo")))
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&piped.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
