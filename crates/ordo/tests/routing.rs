//! Routing end to end: profiles through the API, order capture routing by the channel's
//! active profile, capacity counted against today's load, and the explanation of every
//! decision. On SQLite, and on PostgreSQL when ORDO_TEST_POSTGRES_URL is set.

use ordo_testkit::fixtures::{location, order_body, position, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn place(app: &TestApp, external_id: &str, lines: &[(&str, i64)]) -> Value {
    let placed = app
        .place(ADMIN_KEY, &order_body("web", external_id, lines), None)
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    placed.body
}

async fn routing(app: &TestApp, order: &Value) -> Value {
    let id = order["id"].as_str().unwrap();
    let reply = app
        .get(ADMIN_KEY, &format!("/v1/orders/{id}/routing"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["decisions"][0]["explanation"].clone()
}

fn excluded(explanation: &Value, location: &str) -> Option<String> {
    explanation["candidates"]
        .as_array()?
        .iter()
        .find(|c| c["location"] == location)?["excluded"]["reason"]
        .as_str()
        .map(str::to_string)
}

on_both_backends! {
    async fn orders_route_by_the_channels_active_profile_and_say_why(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 50), ("SOUTH", "A", 50)]))).await else { return };
        let first = place(&app, "W-1", &[("A", 1)]).await;
        assert_eq!(first["allocations"][0]["location"], "NORTH", "the default chain ships from the closest to Hamburg");
        let why = routing(&app, &first).await;
        assert_eq!(why["strategy"], "rules: fewest_splits > in_market > closest");
        assert_eq!(why["profile"], Value::Null);
        assert_eq!(why["chosen"]["shipments"][0]["location"], "NORTH");
        assert_eq!(why["runner_up"]["without"], "NORTH");
        assert!(why["runner_up"]["lost_by"].as_i64().unwrap() > 0, "{why}");

        let created = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({
            "name": "Web from the south", "channel": "web",
            "settings": { "strategy": "optimal", "filters": { "excluded_locations": ["NORTH"] } }
        })).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let profile = created.body["id"].as_str().unwrap().to_string();
        assert_eq!((created.body["draft_version"].as_u64(), created.body["active_version"].as_u64()), (Some(1), None));
        let drafted = place(&app, "W-2", &[("A", 1)]).await;
        assert_eq!(drafted["allocations"][0]["location"], "NORTH", "a draft does not route");

        let activated = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{profile}/activate"), None, &[]).await;
        assert_eq!(activated.body["active_version"], 1, "{}", activated.body);
        let south = place(&app, "W-3", &[("A", 1)]).await;
        assert_eq!(south["allocations"][0]["location"], "SOUTH");
        let why = routing(&app, &south).await;
        assert_eq!(why["strategy"], "optimal");
        assert_eq!(why["profile"]["id"], profile.as_str());
        assert_eq!(why["profile"]["version"], 1);
        assert_eq!(excluded(&why, "NORTH").as_deref(), Some("profile_filter"));
        assert_eq!(why["search"]["proven_optimal"], true);
        let shipment = &why["chosen"]["shipments"][0];
        assert!(shipment["cost"]["shipping"].as_i64().unwrap() > 0 && shipment["total"].as_i64().unwrap() > 0, "{shipment}");

        let redrafted = app.request(Method::PUT, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{profile}/draft"), Some(&json!({ "settings": { "strategy": "optimal" } })), &[]).await;
        assert_eq!(redrafted.body["draft_version"], 2, "{}", redrafted.body);
        app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{profile}/activate"), None, &[]).await;
        let back_north = place(&app, "W-4", &[("A", 1)]).await;
        assert_eq!(back_north["allocations"][0]["location"], "NORTH");
        let history = app.get(ADMIN_KEY, &format!("/v1/routing/profiles/{profile}")).await.body;
        let statuses: Vec<(u64, &str)> = history["versions"].as_array().unwrap().iter().map(|v| (v["version"].as_u64().unwrap(), v["status"].as_str().unwrap())).collect();
        assert_eq!(statuses, vec![(2, "active"), (1, "retired")]);
        assert_eq!(history["versions"][0]["settings"]["filters"]["excluded_locations"], json!([]), "settings are shown whole");
        assert_eq!(app.get(ADMIN_KEY, "/v1/routing/profiles").await.body["items"].as_array().unwrap().len(), 1);
        app.assert_consistent().await;
    }

    async fn bad_profiles_are_refused_naming_the_field(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[]))).await else { return };
        let bad = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({
            "name": "x", "channel": "mars", "settings": { "strategy": "cheapest", "costs": { "split_penalty": -5 } }
        })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["settings.strategy", "settings.costs.split_penalty"], "{}", bad.body);
        let unknown = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({ "name": "x", "channel": "mars" })).await;
        assert_eq!(unknown.body["errors"][0]["field"], "channel", "{}", unknown.body);
        let default = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({ "name": "Default" })).await;
        assert_eq!(default.status, StatusCode::CREATED);
        assert_eq!(default.body["channel"], Value::Null);
        let second = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({ "name": "Another default" })).await;
        assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
        let id = default.body["id"].as_str().unwrap();
        let discarded = app.request(Method::DELETE, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{id}/draft"), None, &[]).await;
        assert_eq!(discarded.body["versions"], json!([]), "{}", discarded.body);
        let nothing = app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{id}/activate"), None, &[]).await;
        assert_eq!(nothing.status, StatusCode::CONFLICT);
        let reader = app.key("read_only", None).await;
        assert_eq!(app.post(&reader, "/v1/routing/profiles", &json!({ "name": "y" })).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(ADMIN_KEY, "/v1/routing/profiles/rtp_nope").await.status, StatusCode::NOT_FOUND);
    }

    async fn a_location_at_its_daily_capacity_takes_no_more_orders_today(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 50), ("SOUTH", "A", 50)]))).await else { return };
        let patched = app.request(Method::PATCH, Some(ADMIN_KEY), "/v1/locations/NORTH", Some(&json!({ "daily_order_capacity": 2 })), &[]).await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
        for i in 0..2 {
            assert_eq!(place(&app, &format!("W-{i}"), &[("A", 1)]).await["allocations"][0]["location"], "NORTH");
        }
        let third = place(&app, "W-3", &[("A", 1)]).await;
        assert_eq!(third["allocations"][0]["location"], "SOUTH");
        let why = routing(&app, &third).await;
        assert_eq!(excluded(&why, "NORTH").as_deref(), Some("capacity"), "{why}");
        app.clock.advance_ms(86_400_000);
        let tomorrow = place(&app, "W-4", &[("A", 1)]).await;
        assert_eq!(tomorrow["allocations"][0]["location"], "NORTH", "a new day, a new capacity");
    }

    async fn a_location_counts_its_daily_capacity_on_its_own_day_not_utcs(backend: Backend) {
        // NORTH keeps São Paulo time (UTC−3): 20:30 and 21:30 there are one day, though UTC's
        // midnight falls between them.
        let mut seed = small_network(&[("NORTH", "A", 50), ("SOUTH", "A", 50)]);
        seed.locations[0].time_zone = ordo_domain::location::TimeZoneName::parse("America/Sao_Paulo").unwrap();
        seed.locations[0].daily_order_capacity = Some(1);
        let Some(app) = TestApp::spawn(backend, Some(seed)).await else { return };
        app.clock.advance_ms(23 * 3_600_000 + 30 * 60_000);
        let first = place(&app, "SP-1", &[("A", 1)]).await;
        assert_eq!(first["allocations"][0]["location"], "NORTH");
        app.clock.advance_ms(3_600_000);
        let second = place(&app, "SP-2", &[("A", 1)]).await;
        assert_eq!(second["allocations"][0]["location"], "SOUTH", "NORTH's day is not over: {second}");
        assert_eq!(excluded(&routing(&app, &second).await, "NORTH").as_deref(), Some("capacity"));
        // When nobody else has the item, a full location's order waits for its next day.
        let waits = app.post(ADMIN_KEY, "/v1/inventory/adjustments", &json!({ "reason": "count", "adjustments": [{ "location": "SOUTH", "sku": "A", "delta": -48 }] })).await;
        assert_eq!(waits.status, StatusCode::OK, "{}", waits.body);
        let third = place(&app, "SP-3", &[("A", 1)]).await;
        let fourth = place(&app, "SP-4", &[("A", 1)]).await;
        assert_eq!(third["allocations"][0]["location"], "SOUTH");
        assert_eq!(fourth["allocations"][0]["location"], "NORTH", "waits at the full location rather than go unrouted: {fourth}");
        assert!(fourth["promised_date"].as_str().unwrap() > first["promised_date"].as_str().unwrap(), "on a later day: {fourth} {first}");
    }

    async fn a_draft_profile_is_backtested_on_recent_orders_before_it_is_switched_on(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 50), ("SOUTH", "A", 50)]))).await else { return };
        for i in 0..4 {
            place(&app, &format!("W-{i}"), &[("A", 1)]).await;
        }
        let created = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({
            "name": "South only", "channel": "web", "settings": { "strategy": "optimal", "filters": { "excluded_locations": ["NORTH"] } }
        })).await.body;
        let id = created["id"].as_str().unwrap();
        let replay = app.post(ADMIN_KEY, "/v1/routing/backtest", &json!({
            "recent_orders": 10,
            "profiles": [{ "profile_id": id, "name": "draft" }, { "name": "built-in", "settings": {} }]
        })).await;
        assert_eq!(replay.status, StatusCode::OK, "{}", replay.body);
        let reports = replay.body["profiles"].as_array().unwrap();
        let (draft, built_in) = (&reports[0], &reports[1]);
        assert_eq!((draft["profile"].as_str(), draft["orders"].as_i64()), (Some("draft"), Some(4)));
        assert!(draft["mean_distance_km"].as_f64().unwrap() > built_in["mean_distance_km"].as_f64().unwrap() + 500.0, "{}", replay.body);
        assert!(draft["total_cost"].as_i64().unwrap() > built_in["total_cost"].as_i64().unwrap());

        let inline = app.post(ADMIN_KEY, "/v1/routing/backtest", &json!({
            "network": { "time_zone": "Europe/Berlin",
                "locations": [{ "code": "X", "kind": "warehouse", "lat": 53.5, "lon": 10.0, "country": "DE" }],
                "stock": [{ "location": "X", "sku": "A", "units": 1 }]
            },
            "orders": [
                { "id": 1, "at": "2026-11-23T08:00:00Z", "ship_to": { "lat": 53.5, "lon": 10.0, "country": "DE" }, "lines": [{ "sku": "A", "quantity": 1 }] },
                { "id": 2, "at": "2026-11-23T09:00:00Z", "ship_to": { "lat": 53.5, "lon": 10.0, "country": "DE" }, "lines": [{ "sku": "A", "quantity": 1 }] }
            ],
            "profiles": [{ "settings": { "strategy": "optimal" } }]
        })).await;
        assert_eq!(inline.body["profiles"][0]["unfilled_lines"], 1, "one unit for two orders: {}", inline.body);
        let bad = app.post(ADMIN_KEY, "/v1/routing/backtest", &json!({
            "orders": [{ "id": 1, "at": "soon" }], "profiles": [{ "profile_id": id, "version": "latest" }]
        })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"profiles[0].version") && fields.contains(&"orders[0].at"), "{fields:?}");
        let missing = app.post(ADMIN_KEY, "/v1/routing/backtest", &json!({ "recent_orders": 5, "profiles": [{ "profile_id": id, "version": 9 }] })).await;
        assert_eq!(missing.body["errors"][0]["field"], "profiles[0].version", "{}", missing.body);
    }

    async fn a_rejected_line_is_routed_again_without_the_locations_that_refused_it(backend: Backend) {
        let mut network = small_network(&[("NORTH", "A", 10), ("SOUTH", "A", 10)]);
        network.locations.push(location("EAST", 52.52, 13.40));
        network.positions.push(position("EAST", "A", 10));
        let Some(app) = TestApp::spawn(backend, Some(network)).await else { return };
        let profile = app.post(ADMIN_KEY, "/v1/routing/profiles", &json!({
            "name": "Web", "channel": "web", "settings": { "reroute": { "attempts_max": 1, "then": "exception" } }
        })).await.body;
        let id = profile["id"].as_str().unwrap();
        app.request(Method::POST, Some(ADMIN_KEY), &format!("/v1/routing/profiles/{id}/activate"), None, &[]).await;
        let order = place(&app, "W-1", &[("A", 2)]).await;
        let order_id = order["id"].as_str().unwrap().to_string();
        assert_eq!(order["allocations"][0]["location"], "NORTH");
        let north = order["allocations"][0]["id"].as_str().unwrap().to_string();

        let too_many = app.post(ADMIN_KEY, &format!("/v1/allocations/{north}/reject"), &json!({ "reason": "not_found", "quantity": 3 })).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", too_many.body);
        let bad = app.post(ADMIN_KEY, &format!("/v1/allocations/{north}/reject"), &json!({ "reason": "lost_it" })).await;
        assert_eq!(bad.body["errors"][0]["field"], "reason");
        assert_eq!(app.post(ADMIN_KEY, "/v1/allocations/res_nope/reject", &json!({ "reason": "damaged" })).await.status, StatusCode::NOT_FOUND);

        let first = app.post(ADMIN_KEY, &format!("/v1/allocations/{north}/reject"), &json!({ "reason": "not_found", "note": "shelf empty" })).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_eq!(first.body["outcome"], "rerouted");
        let held: Vec<&Value> = first.body["order"]["allocations"].as_array().unwrap().iter().filter(|a| a["status"] == "held").collect();
        assert_eq!((held.len(), held[0]["location"].as_str()), (1, Some("EAST")), "Berlin is next closest to Hamburg");
        assert_eq!(app.position("NORTH", "A").await["on_hand"], 8, "units not found are taken off on hand");
        let east = held[0]["id"].as_str().unwrap().to_string();

        let second = app.post(ADMIN_KEY, &format!("/v1/allocations/{east}/reject"), &json!({ "reason": "no_capacity" })).await;
        assert_eq!(second.body["outcome"], "exception", "{}", second.body);
        assert_eq!(second.body["order"]["status"], "on_hold");
        assert_eq!(app.position("EAST", "A").await["on_hand"], 10, "no capacity leaves the stock as it is");
        let open = app.get(ADMIN_KEY, "/v1/exceptions").await.body;
        assert_eq!(open["items"].as_array().unwrap().len(), 1);
        let exception = open["items"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(open["items"][0]["order_id"], order_id.as_str());

        let history = app.get(ADMIN_KEY, &format!("/v1/orders/{order_id}/routing")).await.body;
        let rejections: Vec<(&str, &str, &str)> = history["rejections"].as_array().unwrap().iter()
            .map(|r| (r["location"].as_str().unwrap(), r["reason"].as_str().unwrap(), r["outcome"].as_str().unwrap())).collect();
        assert_eq!(rejections, vec![("NORTH", "not_found", "rerouted"), ("EAST", "no_capacity", "exception")]);
        let causes: Vec<&str> = history["decisions"].as_array().unwrap().iter().map(|d| d["cause"].as_str().unwrap()).collect();
        assert_eq!(causes, vec!["placed", "rerouted"]);
        assert_eq!(excluded(&history["decisions"][1]["explanation"], "EAST"), None, "EAST was left out of the sources, not a candidate");

        let resolved = app.post(ADMIN_KEY, &format!("/v1/exceptions/{exception}/resolve"), &json!({ "action": "reroute" })).await;
        assert_eq!(resolved.body["resolution"], "rerouted", "{}", resolved.body);
        let after = app.get(ADMIN_KEY, &format!("/v1/orders/{order_id}")).await.body;
        assert_eq!(after["status"], "allocated", "{after}");
        let locations: Vec<&str> = after["allocations"].as_array().unwrap().iter().filter(|a| a["status"] == "held").map(|a| a["location"].as_str().unwrap()).collect();
        assert_eq!(locations, vec!["SOUTH"], "neither location that refused it");
        let again = app.post(ADMIN_KEY, &format!("/v1/exceptions/{exception}/resolve"), &json!({ "action": "reroute" })).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(app.get(ADMIN_KEY, "/v1/exceptions").await.body["items"], json!([]));
        assert_eq!(app.get(ADMIN_KEY, "/v1/exceptions?status=resolved").await.body["items"].as_array().unwrap().len(), 1);
        app.assert_consistent().await;
    }

    async fn reoptimizing_pending_orders_together_removes_a_split(backend: Backend) {
        let mut network = small_network(&[("NORTH", "A", 1), ("NORTH", "B", 1)]);
        network.locations.push(location("KIEL", 54.32, 10.13));
        network.positions.push(position("KIEL", "A", 1));
        let Some(app) = TestApp::spawn(backend, Some(network)).await else { return };
        let first = place(&app, "W-1", &[("A", 1)]).await;
        assert_eq!(first["allocations"][0]["location"], "NORTH");
        let second = place(&app, "W-2", &[("A", 1), ("B", 1)]).await;
        let at = |order: &Value| -> Vec<(String, String)> {
            let mut at: Vec<(String, String)> = order["allocations"].as_array().unwrap().iter().filter(|a| a["status"] == "held")
                .map(|a| (a["sku"].as_str().unwrap().to_string(), a["location"].as_str().unwrap().to_string())).collect();
            at.sort();
            at
        };
        let pair = |s: &str, l: &str| (s.to_string(), l.to_string());
        assert_eq!(at(&second), vec![pair("A", "KIEL"), pair("B", "NORTH")], "the first order took NORTH's only A: a split");

        let reoptimize = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ordo")).arg("reoptimize").args(args).args(["--database-url", &app.db.url]).output().unwrap()
        };
        let dry = reoptimize(&["--dry-run", "--json"]);
        assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
        let report: Value = serde_json::from_slice(&dry.stdout).unwrap();
        assert_eq!((report["orders_considered"].as_u64(), report["orders_changed"].as_u64()), (Some(2), Some(2)), "{report}");
        assert_eq!((report["split_orders_before"].as_u64(), report["split_orders_after"].as_u64()), (Some(1), Some(0)));
        assert!(report["cost_after"].as_i64() < report["cost_before"].as_i64(), "{report}");
        let unchanged = app.get(ADMIN_KEY, &format!("/v1/orders/{}", second["id"].as_str().unwrap())).await.body;
        assert_eq!(at(&unchanged), at(&second), "a dry run changes nothing");

        let bad = app.post(ADMIN_KEY, "/v1/routing/reoptimize", &json!({ "limit": 0, "channel": "no such channel!" })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["channel", "limit"], "{}", bad.body);
        let done = app.post(ADMIN_KEY, "/v1/routing/reoptimize", &json!({ "channel": "web" })).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!((done.body["orders_changed"].as_u64(), done.body["split_orders_after"].as_u64()), (Some(2), Some(0)), "{}", done.body);
        let change = done.body["changes"].as_array().unwrap().iter().find(|c| c["order_id"] == second["id"]).unwrap();
        assert_eq!((change["packages_before"].as_u64(), change["packages_after"].as_u64()), (Some(2), Some(1)));

        let whole = app.get(ADMIN_KEY, &format!("/v1/orders/{}", second["id"].as_str().unwrap())).await.body;
        assert_eq!(at(&whole), vec![pair("A", "NORTH"), pair("B", "NORTH")], "one package now");
        let moved = app.get(ADMIN_KEY, &format!("/v1/orders/{}", first["id"].as_str().unwrap())).await.body;
        assert_eq!(at(&moved), vec![pair("A", "KIEL")]);
        assert_eq!(moved["promised_date"], first["promised_date"], "Kiel delivers to Hamburg as soon: the promise stands");
        assert_eq!(moved["status"], "allocated");
        let history = app.get(ADMIN_KEY, &format!("/v1/orders/{}/routing", second["id"].as_str().unwrap())).await.body;
        let causes: Vec<&str> = history["decisions"].as_array().unwrap().iter().map(|d| d["cause"].as_str().unwrap()).collect();
        assert_eq!(causes, vec!["placed", "reoptimized"]);
        let timeline = app.get(ADMIN_KEY, &format!("/v1/orders/{}/events", second["id"].as_str().unwrap())).await.body;
        assert!(timeline.to_string().contains("order.reoptimized"), "{timeline}");
        app.assert_consistent().await;

        let again = reoptimize(&[]);
        assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
        assert!(String::from_utf8_lossy(&again.stdout).contains("0 were changed"), "{}", String::from_utf8_lossy(&again.stdout));
        let refused = reoptimize(&["--limit", "0"]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("limit"), "{}", String::from_utf8_lossy(&refused.stderr));
    }
}
