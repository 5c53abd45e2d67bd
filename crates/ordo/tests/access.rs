//! The access table holds on every route of `/openapi.json`: with no key and a wrong key
//! (401), and with every role — on a resource of the key's own channel or location, and on
//! one of another — each route answers as the table says, decided before the body is read.

use ordo_app::Clock;
use ordo_domain::auth::access::{Grant, ROLES, TABLE};
use ordo_domain::auth::{Resource, Role};
use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One channel's orders, worked at one location: everything a route can name.
struct Side {
    channel: &'static str,
    location: &'static str,
    order: String,
    fulfillment_order: String,
    shipment: String,
    alert: String,
    held_order: String,
    order_hold: String,
    checkout_hold: String,
}

async fn ok(app: &TestApp, method: Method, path: &str, body: Value) -> Value {
    let reply = app
        .request(method, Some(ADMIN_KEY), path, Some(&body), &[])
        .await;
    assert!(
        reply.status.is_success(),
        "{path}: {} {}",
        reply.status,
        reply.body
    );
    reply.body
}

/// Places an order for `channel` of `sku` (stocked only at `location`), ships it with an
/// outside carrier, has it returned to sender (an alert), and puts a second order on a
/// customer's hold.
async fn side(app: &TestApp, channel: &'static str, location: &'static str, sku: &str) -> Side {
    let order = ok(
        app,
        Method::POST,
        "/v1/orders",
        order_body(channel, &format!("{channel}-1"), &[(sku, 1)]),
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_string();
    ok(
        app,
        Method::POST,
        "/v1/fulfillment-orders/release",
        json!({ "order_id": order_id }),
    )
    .await;
    let seen = ok(
        app,
        Method::GET,
        &format!("/v1/orders/{order_id}"),
        json!(null),
    )
    .await;
    let fo = seen["fulfillment_orders"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(seen["fulfillment_orders"][0]["location"], location);
    let step = |action: &str| format!("/v1/fulfillment-orders/{fo}/{action}");
    ok(app, Method::POST, &step("accept"), json!({})).await;
    ok(app, Method::POST, &step("pick"), json!({})).await;
    let package = json!({ "weight_g": 500, "length_mm": 200, "width_mm": 150, "height_mm": 100, "contents": [{ "line": 1, "quantity": 1 }] });
    ok(
        app,
        Method::POST,
        &step("pack"),
        json!({ "packages": [package] }),
    )
    .await;
    let number = format!("VAN{channel}1");
    let ship = json!({ "carrier": "own-van", "service": "standard", "tracking_numbers": [number] });
    let shipped = ok(app, Method::POST, &step("ship"), ship).await;
    let shipment = shipped["shipments"][0]["id"].as_str().unwrap().to_string();
    app.clock.advance_ms(3_600_000);
    let hours = (app.clock.now_ms() - ordo_testkit::CLOCK_START_MS) / 3_600_000;
    let at = format!("2026-01-01T{hours:02}:00:00Z");
    let event = json!({ "carrier": "own-van", "tracking_number": number, "status": "returned_to_sender", "at": at });
    ok(
        app,
        Method::POST,
        "/v1/tracking-events",
        json!({ "events": [event] }),
    )
    .await;
    let alerts = ok(
        app,
        Method::GET,
        &format!("/v1/alerts?order_id={order_id}"),
        json!(null),
    )
    .await;
    let alert = alerts["items"][0]["id"].as_str().unwrap().to_string();
    let held = ok(
        app,
        Method::POST,
        "/v1/orders",
        order_body(channel, &format!("{channel}-2"), &[(sku, 1)]),
    )
    .await;
    let held_order = held["id"].as_str().unwrap().to_string();
    let hold = ok(
        app,
        Method::POST,
        &format!("/v1/orders/{held_order}/holds"),
        json!({ "reason": "customer_request" }),
    )
    .await;
    let checkout =
        json!({ "channel": channel, "lines": [{ "sku": sku, "quantity": 1 }], "ttl_s": 900 });
    let checkout_hold = ok(app, Method::POST, "/v1/holds", checkout).await;
    Side {
        channel,
        location,
        order: order_id,
        fulfillment_order: fo,
        shipment,
        alert,
        held_order,
        order_hold: hold["id"].as_str().unwrap().to_string(),
        checkout_hold: checkout_hold["id"].as_str().unwrap().to_string(),
    }
}

/// The path with its parameters filled from `side`.
fn fill(path: &str, side: &Side) -> String {
    let order = if path.contains("{hold_id}") {
        &side.held_order
    } else {
        &side.order
    };
    let id = match path.split('/').nth(2).unwrap_or("") {
        "orders" => order.as_str(),
        "fulfillment-orders" => &side.fulfillment_order,
        "shipments" => &side.shipment,
        "alerts" => &side.alert,
        "holds" => &side.checkout_hold,
        _ => "x_none",
    };
    let code = match path.split('/').nth(2).unwrap_or("") {
        "locations" => side.location,
        "channels" => side.channel,
        _ => "own-van",
    };
    path.replace("{id}", id)
        .replace("{hold_id}", &side.order_hold)
        .replace("{code}", code)
        .replace("{location}", side.location)
        .replace("{sku}", "A")
}

/// Sends `method path` as `key`, with a body that is not even JSON where one can be sent:
/// whoever may not act must be refused before it is read.
async fn call(app: &TestApp, key: Option<&str>, method: &str, path: &str) -> StatusCode {
    let method: Method = method.to_ascii_uppercase().parse().unwrap();
    let mut request = app
        .http
        .request(method.clone(), format!("{}{path}", app.address));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if ![Method::GET, Method::DELETE].contains(&method) {
        request = request
            .header("content-type", "application/json")
            .body("{not json");
    }
    request.send().await.unwrap().status()
}

fn grant(action: &str, role: Role) -> Grant {
    let row = TABLE
        .iter()
        .find(|r| r.name == action)
        .unwrap_or_else(|| panic!("no action {action}"));
    row.grants[ROLES.iter().position(|r| *r == role).unwrap()]
}

/// What the table says `role` gets on a route, on its own side's resource or another's.
fn allowed(
    role: Role,
    grant: Grant,
    target: Option<Resource>,
    own: bool,
) -> Result<(), StatusCode> {
    match (grant, target) {
        (Grant::No, _) => Err(StatusCode::FORBIDDEN),
        (Grant::All, _) | (Grant::Own, None) => Ok(()),
        (Grant::Own, Some(Resource::Location)) if role == Role::Channel || !own => {
            Err(StatusCode::FORBIDDEN)
        }
        (Grant::Own, Some(_)) if own => Ok(()),
        (Grant::Own, Some(_)) => Err(StatusCode::NOT_FOUND),
    }
}

fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(action) = op["x-ordo-action"].as_str() {
                ops.push((method.clone(), path.clone(), action.to_string()));
            }
        }
    }
    ops
}

on_both_backends! {
    async fn every_route_answers_every_role_as_the_access_table_says(backend: Backend) {
        // Hundreds of wrong keys from one client: the walk is about roles, not the throttle.
        let limits = ordo_app::Limits { auth_failures_burst: 10_000, ..ordo_testkit::test_limits() };
        let seed = small_network(&[("NORTH", "A", 20), ("SOUTH", "B", 20)]);
        let Some(app) = TestApp::spawn_with(backend, Some(seed), limits).await else { return };
        let web = side(&app, "web", "NORTH", "A").await;
        let pos = side(&app, "pos", "SOUTH", "B").await;
        let channel_key = app.key("channel", Some("web")).await;
        let reader = app.key("read_only", None).await;
        let location_key = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "location", "location": "NORTH" })).await.body["key"]
            .as_str().unwrap().to_string();
        let doc = app.http.get(format!("{}/openapi.json", app.address)).send().await.unwrap().json::<Value>().await.unwrap();
        let operations = operations(&doc);
        assert!(operations.len() > 80, "every /v1 operation names its action: {}", operations.len());
        let mut checked = 0;
        for (method, path, action) in operations {
            let m: Method = method.to_ascii_uppercase().parse().unwrap();
            let target = ordo_server::access::route_of(&m, &path).unwrap().target.map(|(r, _)| r);
            let mine = fill(&path, &web);
            for key in [None, Some("ordo_not_a_key_at_all_0123456789")] {
                assert_eq!(call(&app, key, &method, &mine).await, StatusCode::UNAUTHORIZED, "{method} {path} without a valid key");
            }
            let callers = [(Role::Admin, ADMIN_KEY), (Role::Channel, &channel_key), (Role::ReadOnly, &reader), (Role::Location, &location_key)];
            for (role, key) in callers {
                let grant = grant(&action, role);
                let sides: &[(&Side, bool)] = if grant == Grant::Own { &[(&web, true), (&pos, false)] } else { &[(&web, true)] };
                for (side, own) in sides {
                    let url = fill(&path, side);
                    let got = call(&app, Some(key), &method, &url).await;
                    let what = format!("{method} {url} ({action}) as {}, {} resource: {got}", role.as_str(), if *own { "own" } else { "another's" });
                    match allowed(role, grant, target, *own) {
                        Err(refused) => assert_eq!(got, refused, "{what}"),
                        Ok(()) => {
                            assert!(![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&got), "{what}");
                            assert!(target.is_none() || got != StatusCode::NOT_FOUND, "{what}");
                            assert!(!got.is_server_error(), "{what}");
                        }
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 400, "{checked}");
    }

    async fn lists_show_a_key_what_is_its_own_and_no_more(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 20), ("SOUTH", "B", 20)]))).await else { return };
        let web = side(&app, "web", "NORTH", "A").await;
        let pos = side(&app, "pos", "SOUTH", "B").await;
        let channel_key = app.key("channel", Some("web")).await;
        let location_key = app.post(ADMIN_KEY, "/v1/api-keys", &json!({ "role": "location", "location": "SOUTH" })).await.body["key"]
            .as_str().unwrap().to_string();
        let ids = |reply: Value| -> Vec<String> {
            reply["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(ids(app.get(&channel_key, "/v1/alerts").await.body), vec![web.alert.clone()]);
        assert_eq!(ids(app.get(&location_key, "/v1/alerts").await.body), vec![pos.alert.clone()]);
        assert_eq!(ids(app.get(ADMIN_KEY, "/v1/alerts").await.body).len(), 2);
        let resolve = app.post(&channel_key, &format!("/v1/alerts/{}/resolve", pos.alert), &json!({})).await;
        assert_eq!(resolve.status, StatusCode::FORBIDDEN, "a channel does not resolve alerts: {}", resolve.body);
        let theirs = app.post(&location_key, &format!("/v1/alerts/{}/resolve", web.alert), &json!({})).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another location's alert: {}", theirs.body);
        let own = app.post(&location_key, &format!("/v1/alerts/{}/acknowledge", pos.alert), &json!({})).await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        let orders = app.get(&channel_key, "/v1/orders").await.body;
        assert!(orders["items"].as_array().unwrap().iter().all(|o| o["channel"] == "web"), "{orders}");
        let parcels = app.get(&location_key, &format!("/v1/shipments?order_id={}", pos.order)).await;
        assert_eq!(ids(parcels.body), vec![pos.shipment.clone()]);
        let not_mine = app.get(&location_key, &format!("/v1/shipments?order_id={}", web.order)).await;
        assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
        for path in ["/v1/events", &format!("/v1/orders/{}/holds", web.held_order), "/v1/exceptions"] {
            assert_eq!(app.get(&location_key, path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let manifest = app.get(&location_key, "/v1/carriers/own-van/manifest?location=NORTH&date=2026-01-01").await;
        assert_eq!(manifest.status, StatusCode::FORBIDDEN, "another location's manifest: {}", manifest.body);
        let _ = pos.checkout_hold;
    }

    async fn a_hold_is_placed_and_released_by_whom_its_reason_belongs_to(backend: Backend) {
        let Some(app) = TestApp::spawn(backend, Some(small_network(&[("NORTH", "A", 20)]))).await else { return };
        let channel_key = app.key("channel", Some("web")).await;
        let order = app.place(ADMIN_KEY, &order_body("web", "W-1", &[("A", 1)]), None).await.body;
        let holds = format!("/v1/orders/{}/holds", order["id"].as_str().unwrap());
        let risk = app.post(ADMIN_KEY, &holds, &json!({ "reason": "fraud_risk", "note": "card testing" })).await.body;
        let release = format!("{holds}/{}/release", risk["id"].as_str().unwrap());
        let refused = app.post(&channel_key, &release, &json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "operations' hold: {}", refused.body);
        let seen = app.get(ADMIN_KEY, &format!("/v1/orders/{}", order["id"].as_str().unwrap())).await.body;
        assert_eq!(seen["status"], "on_hold", "{seen}");
        for reason in ["payment", "fraud_risk", "manual"] {
            let placed = app.post(&channel_key, &holds, &json!({ "reason": reason })).await;
            assert_eq!(placed.status, StatusCode::FORBIDDEN, "{reason}: {}", placed.body);
        }
        let own = app.post(&channel_key, &holds, &json!({ "reason": "customer_request" })).await;
        assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
        let lifted = app.post(&channel_key, &format!("{holds}/{}/release", own.body["id"].as_str().unwrap()), &json!({})).await;
        assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.body);
        assert_eq!(app.post(ADMIN_KEY, &release, &json!({})).await.status, StatusCode::OK);
    }
}
