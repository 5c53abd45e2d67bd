//! Several `ordo serve` processes on one PostgreSQL database: buyers racing through all of
//! them for the same units oversell nothing, and each background job runs in one process
//! only.

use std::time::Duration;

use ordo_testkit::fixtures::{order_body, small_network};
use ordo_testkit::{ADMIN_KEY, Backend, TestDb, free_port};
use reqwest::StatusCode;
use tokio::process::{Child, Command};

const NODES: usize = 3;
const STOCK: i64 = 40;
const BUYERS_PER_NODE: usize = 8;
const ORDERS_PER_BUYER: usize = 5;

struct Node {
    base: String,
    _process: Child,
}

async fn start_node(url: &str) -> Node {
    let port = free_port();
    let process = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .env("ORDO_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let ready = http.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            return Node {
                base,
                _process: process,
            };
        }
    }
    panic!("ordo serve on {base} never became ready");
}

/// Buyers at every node at once, each placing one-unit orders of the same item.
async fn race(nodes: &[Node]) -> (usize, usize) {
    let mut buyers = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        for b in 0..BUYERS_PER_NODE {
            let base = node.base.clone();
            buyers.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                let (mut placed, mut refused) = (0, 0);
                for o in 0..ORDERS_PER_BUYER {
                    let body = order_body("web", &format!("N{n}-B{b}-O{o}"), &[("A", 1)]);
                    let reply = http
                        .post(format!("{base}/v1/orders"))
                        .bearer_auth(ADMIN_KEY)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    match reply.status() {
                        StatusCode::CREATED => placed += 1,
                        StatusCode::CONFLICT => refused += 1,
                        other => {
                            panic!("an order answered {other}: {}", reply.text().await.unwrap())
                        }
                    }
                }
                (placed, refused)
            }));
        }
    }
    let mut totals = (0, 0);
    for buyer in buyers {
        let (placed, refused) = buyer.await.unwrap();
        totals.0 += placed;
        totals.1 += refused;
    }
    totals
}

/// How many passes of each background job a node has run, from its metrics.
async fn passes(node: &Node, job: &str) -> u64 {
    let text = reqwest::Client::new()
        .get(format!("{}/metrics", node.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("ordo_background_passes_total{{job=\"{job}\"}}");
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |n| n.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_on_one_database_oversell_nothing_and_run_each_job_once() {
    let Some(db) = TestDb::fresh(Backend::Postgres).await else {
        return;
    };
    let store = db.store().await;
    store
        .load_network(&small_network(&[("NORTH", "A", STOCK)]))
        .await
        .unwrap();
    store.close().await;
    // The first creates the admin key; the others find it.
    let mut nodes = vec![start_node(&db.url).await];
    for _ in 1..NODES {
        nodes.push(start_node(&db.url).await);
    }

    let (placed, refused) = race(&nodes).await;
    let demand = NODES * BUYERS_PER_NODE * ORDERS_PER_BUYER;
    assert_eq!(placed + refused, demand);
    assert_eq!(placed as i64, STOCK, "every unit sold once, and none twice");

    // Releases run every second: give each job a few passes.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    for job in ["releaser", "hold_sweeper", "alert_scan"] {
        let mut counts = Vec::new();
        for node in &nodes {
            counts.push(passes(node, job).await);
        }
        let running = counts.iter().filter(|&&n| n > 0).count();
        assert_eq!(
            running, 1,
            "{job} runs in one process only: passes {counts:?}"
        );
    }
    let check = Command::new(env!("CARGO_BIN_EXE_ordo"))
        .args(["check", "--database-url", &db.url])
        .output()
        .await
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    drop(nodes);
}
