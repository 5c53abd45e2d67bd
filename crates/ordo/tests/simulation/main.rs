//! A seeded simulation: a few thousand random steps of a working day — orders (some taking
//! over checkout holds, some waiting as backorders), cancellations, shipments, fulfilment
//! (release, accept or reject, pick — sometimes short — pack, ship, confirm a cancellation),
//! holds that are
//! released or expire, counts, adjustments, reclassifications, purchase orders received,
//! transfers, and WMS snapshots and deltas — all through the HTTP API, on both backends.
//! No request may fail with a server error or without a problem document, the stored
//! invariants are checked along the way, and `ordo check` is clean at the end. The seed and
//! the step count can be set with ORDO_SIM_SEED and ORDO_SIM_STEPS; a failure names both.

mod work;

use std::collections::BTreeMap;
use std::process::Command;

use ordo_app::Clock;
use ordo_domain::item::Item;
use ordo_testkit::fixtures::{item, order_body, small_network};
use ordo_testkit::{ADMIN_KEY, Reply, TestApp, on_both_backends};
use reqwest::Method;
use serde_json::{Value, json};

const LOCATIONS: [&str; 2] = ["NORTH", "SOUTH"];
/// A, B and C must be in stock; W may wait as a backorder.
const SKUS: [&str; 4] = ["A", "B", "C", "W"];
const STATES: [&str; 3] = ["sellable", "damaged", "quality_hold"];
/// Stored invariants are checked after every this many steps, and at the end.
const CHECK_EVERY: usize = 200;

type Lines = Vec<(&'static str, i64)>;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn lines_json(lines: &Lines) -> Vec<Value> {
    lines
        .iter()
        .map(|(s, q)| json!({ "sku": s, "quantity": q }))
        .collect()
}

/// What the simulation has made so far, to pick the next step's subject from.
#[derive(Default)]
struct Known {
    /// Orders not yet cancelled nor found shipped in full.
    orders: Vec<String>,
    /// Holds not yet released nor taken over, with their lines and expiry.
    holds: Vec<(String, Lines, i64)>,
    /// Transfers not yet received nor cancelled: id, item, status.
    transfers: Vec<(String, &'static str, String)>,
    inbound: Vec<(String, Lines)>,
}

#[derive(Default)]
struct Tally {
    steps: usize,
    requests: usize,
    refused: usize,
    checks: usize,
    /// Requests by what was tried: how many, and how many were accepted.
    tried: BTreeMap<String, (usize, usize)>,
    /// Refusals by what was tried and the problem's title.
    why: BTreeMap<String, usize>,
}

struct Sim {
    app: TestApp,
    rng: fastrand::Rng,
    seed: u64,
    known: Known,
    tally: Tally,
}

impl Sim {
    fn one_of<T: Clone>(&mut self, from: &[T]) -> Option<T> {
        (!from.is_empty()).then(|| from[self.rng.usize(..from.len())].clone())
    }

    fn location(&mut self) -> &'static str {
        LOCATIONS[self.rng.usize(..LOCATIONS.len())]
    }

    fn sku(&mut self) -> &'static str {
        SKUS[self.rng.usize(..SKUS.len())]
    }

    /// One to `most` lines of different items.
    fn lines(&mut self, most: usize) -> Lines {
        let mut skus = SKUS.to_vec();
        self.rng.shuffle(&mut skus);
        let n = self.rng.usize(1..=most);
        skus[..n]
            .iter()
            .map(|s| (*s, self.rng.i64(1..=3)))
            .collect()
    }

    /// Sends one request as the admin. Refusals must be client errors with a problem
    /// document; the body of an accepted request is returned, `Null` otherwise.
    async fn send(&mut self, what: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let reply: Reply = self
            .app
            .request(method, Some(ADMIN_KEY), path, body.as_ref(), &[])
            .await;
        self.tally.requests += 1;
        let tried = self.tally.tried.entry(what.to_string()).or_default();
        tried.0 += 1;
        tried.1 += usize::from(reply.status.is_success());
        let (seed, step) = (self.seed, self.tally.steps);
        assert!(
            reply.status.as_u16() < 500,
            "seed {seed} step {step}: {what} answered {}: {}",
            reply.status,
            reply.body
        );
        if reply.status.is_success() {
            return reply.body;
        }
        let title = reply.body["title"].as_str();
        assert!(
            title.is_some() && reply.body["type"].is_string(),
            "seed {seed} step {step}: {what} refused without a problem document: {}",
            reply.body
        );
        self.tally.refused += 1;
        *self
            .tally
            .why
            .entry(format!("{what}: {}", title.unwrap_or_default()))
            .or_default() += 1;
        Value::Null
    }

    async fn step(&mut self) {
        self.tally.steps += 1;
        self.app.clock.advance_ms(self.rng.i64(0..=20_000));
        // Expired holds stay known for a minute, to try releasing one now and then.
        let forgotten = self.app.clock.now_ms() - 60_000;
        self.known.holds.retain(|h| h.2 > forgotten);
        match self.rng.u32(0..100) {
            0..=17 => self.place().await,
            18..=22 => self.cancel().await,
            23..=30 => self.ship().await,
            31..=39 => self.work().await,
            40..=48 => self.hold().await,
            49..=51 => self.release_hold().await,
            52..=59 => self.adjust().await,
            60..=62 => self.count().await,
            63..=65 => self.reclassify().await,
            66..=71 => self.expect_supply().await,
            72..=79 => self.receive().await,
            80..=83 => self.request_transfer().await,
            84..=91 => self.move_transfer().await,
            _ => self.sync().await,
        }
    }

    /// An order, now and then taking over a hold with the same lines.
    async fn place(&mut self) {
        let live = self.live_holds();
        let hold = self.one_of(&live).filter(|_| self.rng.bool());
        let lines = match &hold {
            Some((_, lines, _)) => lines.clone(),
            None => self.lines(3),
        };
        let mut body = order_body("web", &format!("SIM-{}", self.tally.steps), &lines);
        body["priority"] = json!(self.rng.i64(0..=3) * 10);
        if let Some((id, _, _)) = &hold {
            body["hold_id"] = json!(id);
        }
        let what = if hold.is_some() {
            "placing an order from a hold"
        } else {
            "placing an order"
        };
        let placed = self
            .send(what, Method::POST, "/v1/orders", Some(body))
            .await;
        if let Some(id) = placed["id"].as_str() {
            self.known.orders.push(id.to_string());
            if let Some((hold, _, _)) = hold {
                self.known.holds.retain(|h| h.0 != hold);
            }
        }
    }

    /// Holds that have not expired yet.
    fn live_holds(&self) -> Vec<(String, Lines, i64)> {
        let now = self.app.clock.now_ms();
        self.known
            .holds
            .iter()
            .filter(|h| h.2 > now)
            .cloned()
            .collect()
    }

    async fn cancel(&mut self) {
        let orders = self.known.orders.clone();
        if let Some(id) = self.one_of(&orders) {
            let body = json!({ "reason": "simulated" });
            let path = format!("/v1/orders/{id}/cancel");
            // Released work stays with its location until it confirms: keep the order known.
            let cancelled = self
                .send("cancelling", Method::POST, &path, Some(body))
                .await;
            if cancelled["status"] == "cancelled" {
                self.known.orders.retain(|o| *o != id);
            }
        }
    }

    /// Ships some or all of one held allocation of an open order (now and then one unit too
    /// many). Orders found shipped in full leave the open list.
    async fn ship(&mut self) {
        let orders = self.known.orders.clone();
        let Some(id) = self.one_of(&orders) else {
            return;
        };
        let path = format!("/v1/orders/{id}");
        let order = self
            .send("reading an order", Method::GET, &path, None)
            .await;
        if matches!(order["status"].as_str(), Some("shipped" | "delivered")) {
            self.known.orders.retain(|o| *o != id);
            return;
        }
        let held: Vec<(String, i64)> = order["allocations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["status"] == "held")
            .filter_map(|a| Some((a["id"].as_str()?.to_string(), a["quantity"].as_i64()?)))
            .collect();
        if let Some((allocation, quantity)) = self.one_of(&held) {
            let units = if self.rng.u8(..10) == 0 {
                quantity + 1
            } else {
                self.rng.i64(1..=quantity)
            };
            let body = json!({ "quantity": units });
            self.send(
                "shipping",
                Method::POST,
                &format!("/v1/allocations/{allocation}/ship"),
                Some(body),
            )
            .await;
        }
    }

    async fn hold(&mut self) {
        let lines = self.lines(2);
        let ttl_s = self.rng.i64(10..=240);
        let body = json!({ "channel": "web", "lines": lines_json(&lines), "ttl_s": ttl_s, "ship_to": { "country": "DE", "postal_code": "20095" } });
        let held = self
            .send("holding", Method::POST, "/v1/holds", Some(body))
            .await;
        if let Some(id) = held["id"].as_str() {
            let expires_at_ms = self.app.clock.now_ms() + ttl_s * 1000;
            self.known
                .holds
                .push((id.to_string(), lines, expires_at_ms));
        }
    }

    /// Releases a live hold, or now and then one that has expired (which is refused).
    async fn release_hold(&mut self) {
        let live = self.live_holds();
        let holds = if self.rng.u8(..8) == 0 {
            self.known.holds.clone()
        } else {
            live
        };
        if let Some((id, _, _)) = self.one_of(&holds) {
            let released = self
                .send(
                    "releasing a hold",
                    Method::DELETE,
                    &format!("/v1/holds/{id}"),
                    None,
                )
                .await;
            if !released.is_null() {
                self.known.holds.retain(|h| h.0 != id);
            }
        }
    }

    async fn adjust(&mut self) {
        let (location, sku) = (self.location(), self.sku());
        let delta = [-3, -2, -1, 2, 4, 6, 8, 10][self.rng.usize(..8)];
        let state = STATES[self.rng.usize(..3)];
        let body = json!({ "reason": "simulated", "adjustments": [{ "location": location, "sku": sku, "delta": delta, "state": state }] });
        self.send(
            "adjusting",
            Method::POST,
            "/v1/inventory/adjustments",
            Some(body),
        )
        .await;
    }

    async fn count(&mut self) {
        let (location, sku) = (self.location(), self.sku());
        let body = json!({ "on_hand": self.rng.i64(0..=30), "damaged": self.rng.i64(0..=2), "reason": "cycle count" });
        self.send(
            "counting",
            Method::PUT,
            &format!("/v1/inventory/{location}/{sku}"),
            Some(body),
        )
        .await;
    }

    async fn reclassify(&mut self) {
        let (location, sku) = (self.location(), self.sku());
        let (from, to) = if self.rng.bool() {
            ("sellable", "damaged")
        } else {
            ("quality_hold", "sellable")
        };
        let body = json!({ "reason": "simulated", "reclassifications": [{ "location": location, "sku": sku, "quantity": self.rng.i64(1..=3), "from": from, "to": to }] });
        self.send(
            "reclassifying",
            Method::POST,
            "/v1/inventory/reclassifications",
            Some(body),
        )
        .await;
    }

    async fn expect_supply(&mut self) {
        let location = self.location();
        let lines: Lines = self
            .lines(2)
            .into_iter()
            .map(|(s, q)| (s, q * 10))
            .collect();
        let body = json!({ "kind": "purchase_order", "location": location, "supplier_reference": format!("PO-{}", self.tally.steps), "expected_date": "2026-12-01", "lines": lines_json(&lines) });
        let created = self
            .send("expecting supply", Method::POST, "/v1/inbound", Some(body))
            .await;
        if let Some(id) = created["id"].as_str() {
            self.known.inbound.push((id.to_string(), lines));
        }
    }

    /// Receives part of one expected line, or now and then every line in full; a purchase
    /// order received in full leaves the list.
    async fn receive(&mut self) {
        let inbound = self.known.inbound.clone();
        let Some((id, lines)) = self.one_of(&inbound) else {
            return;
        };
        let receipt = match self.one_of(&lines).filter(|_| self.rng.u8(..4) > 0) {
            Some((sku, quantity)) => vec![(sku, self.rng.i64(1..=quantity))],
            None => lines,
        };
        let body = json!({ "lines": lines_json(&receipt) });
        let path = format!("/v1/inbound/{id}/receive");
        let received = self
            .send("receiving", Method::POST, &path, Some(body))
            .await;
        if received["status"] == "received" {
            self.known.inbound.retain(|i| i.0 != id);
        }
    }

    async fn request_transfer(&mut self) {
        let (from, sku) = (self.location(), self.sku());
        let to = if from == "NORTH" { "SOUTH" } else { "NORTH" };
        let body = json!({ "from": from, "to": to, "lines": [{ "sku": sku, "quantity": self.rng.i64(1..=5) }] });
        let created = self
            .send(
                "requesting a transfer",
                Method::POST,
                "/v1/transfers",
                Some(body),
            )
            .await;
        if let Some(id) = created["id"].as_str() {
            self.known
                .transfers
                .push((id.to_string(), sku, "requested".into()));
        }
    }

    /// The next step of a transfer: ship or cancel a requested one, receive part or the rest
    /// of one in transit; now and then a step its status does not allow (which is refused).
    async fn move_transfer(&mut self) {
        let transfers = self.known.transfers.clone();
        let Some((id, sku, status)) = self.one_of(&transfers) else {
            return;
        };
        let wrong = self.rng.u8(..10) == 0;
        let (step, body) = match (status == "requested") != wrong {
            true if self.rng.u8(..4) == 0 => ("cancel", None),
            true => ("ship", None),
            false if self.rng.bool() => (
                "receive",
                Some(json!({ "lines": [{ "sku": sku, "quantity": self.rng.i64(1..=3) }] })),
            ),
            false => ("receive", None),
        };
        let path = format!("/v1/transfers/{id}/{step}");
        let moved = self
            .send("moving a transfer", Method::POST, &path, body)
            .await;
        if let Some(now) = moved["status"].as_str() {
            self.known.transfers.retain(|t| t.0 != id);
            if !matches!(now, "received" | "cancelled") {
                self.known.transfers.push((id, sku, now.to_string()));
            }
        }
    }

    /// A WMS snapshot of one location (some items unlisted, so counted as zero), or deltas.
    async fn sync(&mut self) {
        let location = self.location();
        let sync_id = format!("sim-{}-{}", self.seed, self.tally.steps);
        let mut rows = Vec::new();
        let snapshot = self.rng.bool();
        for sku in SKUS {
            if snapshot && self.rng.u8(..4) > 0 {
                rows.push(json!({ "sku": sku, "on_hand": self.rng.i64(0..=30), "damaged": self.rng.i64(0..=1) }));
            } else if !snapshot {
                rows.push(json!({ "sku": sku, "delta": self.rng.i64(-4..=8) }));
            }
        }
        let mode = if snapshot { "snapshot" } else { "delta" };
        let body = json!({ "sync_id": sync_id, "mode": mode, "location": location, "rows": rows });
        self.send("syncing", Method::POST, "/v1/inventory/sync", Some(body))
            .await;
    }

    /// The stored invariants hold, and nothing is available below zero.
    async fn check(&mut self) {
        let breaches = self.app.app.check().await.expect("the check runs");
        assert!(
            breaches.is_empty(),
            "seed {} step {}: {breaches:?}",
            self.seed,
            self.tally.steps
        );
        let availability = self
            .app
            .get(ADMIN_KEY, "/v1/availability?skus=A,B,C,W")
            .await
            .body;
        for item in availability["items"]
            .as_array()
            .expect("availability answers")
        {
            assert!(item["available"].as_i64().is_some_and(|a| a >= 0), "{item}");
        }
        self.tally.checks += 1;
    }
}

on_both_backends! {
    async fn a_seeded_day_of_random_steps_leaves_every_invariant_whole(backend: Backend) {
        let mut network = small_network(&[("NORTH", "A", 40), ("SOUTH", "A", 30), ("NORTH", "B", 30), ("SOUTH", "C", 30)]);
        network.items.push(Item { allow_backorder: true, ..item("W") });
        let Some(app) = TestApp::spawn(backend, Some(network)).await else { return };
        let carrier = json!({
            "name": "ParcelNet", "currency": "EUR", "zones": [{ "code": "all" }], "weight_breaks_g": [31500],
            "services": [{ "code": "standard", "level": "standard", "coverage": [{ "country": "DE" }],
                           "transit_days": { "all": 1 }, "rates": { "all": [500] } }]
        });
        let put = app.request(Method::PUT, Some(ADMIN_KEY), "/v1/carriers/parcelnet", Some(&carrier), &[]).await;
        assert!(put.status.is_success(), "{}", put.body);
        let seed: u64 = env_or("ORDO_SIM_SEED", 20_261_122);
        let steps: usize = env_or("ORDO_SIM_STEPS", 2_500);
        let mut sim = Sim { app, rng: fastrand::Rng::with_seed(seed), seed, known: Known::default(), tally: Tally::default() };
        while sim.tally.steps < steps {
            sim.step().await;
            if sim.tally.steps.is_multiple_of(CHECK_EVERY) {
                sim.check().await;
            }
        }
        sim.check().await;
        let waiting = sim.app.get(ADMIN_KEY, "/v1/backorders").await.body["items"].as_array().map_or(0, Vec::len);
        let Tally { steps, requests, refused, checks, tried, why } = sim.tally;
        let db = sim.app.stop().await;
        let check = Command::new(env!("CARGO_BIN_EXE_ordo")).args(["check", "--database-url", &db.url]).output().expect("ordo runs");
        assert!(check.status.success(), "ordo check after the simulation: {}", String::from_utf8_lossy(&check.stdout));
        println!("simulation on {backend:?}, seed {seed}: {steps} steps, {requests} requests ({refused} refused), {checks} invariant checks and ordo check clean, {waiting} lines left waiting");
        for (what, (count, accepted)) in tried {
            println!("  {what}: {count} tried, {accepted} accepted");
        }
        for (why, count) in why {
            println!("  refused {count:>4} × {why}");
        }
    }
}
