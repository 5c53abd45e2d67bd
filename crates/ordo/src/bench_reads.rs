//! `ordo bench-reads`: how fast a running server answers the reads people make most — one
//! order, and lists of orders by status, channel, date, customer (email or name), external id
//! and number — with `--concurrency` readers for `--duration-s`, as latency percentiles per
//! kind of read. The orders read are drawn at random from the whole store (by number), not
//! only the newest. Fill a store first with `ordo bench --orders N`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::bench::{percentile, round2};

#[derive(clap::Args, Debug)]
pub struct BenchReadsArgs {
    /// The server, such as http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// An admin key (it reads every channel's orders).
    #[arg(long, env = "ORDO_KEY")]
    key: String,
    /// Reads in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// How long to read, in seconds.
    #[arg(long, default_value_t = 20)]
    duration_s: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Orders drawn at random to read, and to take customers, dates and ids from.
const SAMPLE: usize = 300;
/// Rows one list asks for.
const LIST_LIMIT: u32 = 50;
const KINDS: [&str; 9] = [
    "order_by_id",
    "list_by_status",
    "list_by_channel",
    "list_by_status_and_channel",
    "list_created_after",
    "search_by_email",
    "search_by_name",
    "search_by_external_id",
    "search_by_number",
];

pub async fn run(args: BenchReadsArgs) -> Result<(), String> {
    if !(1..=256).contains(&args.concurrency) || !(1..=3600).contains(&args.duration_s) {
        return Err("--concurrency must be from 1 to 256 and --duration-s from 1 to 3600".into());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let reader = Reader {
        client,
        base: args.url.trim_end_matches('/').to_string(),
        key: args.key.clone(),
    };
    let sample = std::sync::Arc::new(reader.sample().await?);
    let deadline = Instant::now() + Duration::from_secs(args.duration_s);
    let mut workers = Vec::new();
    for worker in 0..args.concurrency {
        let (reader, sample) = (reader.clone(), sample.clone());
        workers.push(tokio::spawn(async move {
            reader.drive(&sample, worker as u64, deadline).await
        }));
    }
    let mut latencies: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for worker in workers {
        for (kind, ms) in worker.await.map_err(|e| e.to_string())?? {
            latencies.entry(kind).or_default().extend(ms);
        }
    }
    report(&args, &mut latencies);
    Ok(())
}

#[derive(Clone)]
struct Reader {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Reader {
    async fn get(&self, path: &str) -> Result<Value, String> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {path} answered {status}"));
        }
        response
            .json()
            .await
            .map_err(|e| format!("GET {path}: {e}"))
    }

    /// Orders drawn by random number between the first and the newest.
    async fn sample(&self) -> Result<Vec<Value>, String> {
        let newest = self.get("/v1/orders?limit=1").await?;
        let top: u64 = newest["items"][0]["number"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .ok_or("the server has no orders to read: fill it with `ordo bench --orders N`")?;
        let mut rng = fastrand::Rng::with_seed(7);
        let mut orders = Vec::with_capacity(SAMPLE);
        for _ in 0..SAMPLE * 2 {
            if orders.len() == SAMPLE {
                break;
            }
            let number = rng.u64(1..=top);
            let found = self.get(&format!("/v1/orders?q={number}&limit=1")).await?;
            if let Some(order) = found["items"].get(0) {
                orders.push(order.clone());
            }
        }
        Ok(orders)
    }

    async fn drive(
        &self,
        sample: &[Value],
        seed: u64,
        deadline: Instant,
    ) -> Result<Vec<(&'static str, Vec<f64>)>, String> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut latencies: Vec<(&'static str, Vec<f64>)> =
            KINDS.iter().map(|k| (*k, Vec::new())).collect();
        let mut turn = seed as usize;
        while Instant::now() < deadline {
            turn += 1;
            let kind = turn % KINDS.len();
            let order = &sample[rng.usize(..sample.len())];
            let path = path(KINDS[kind], order);
            let started = Instant::now();
            self.get(&path).await?;
            latencies[kind]
                .1
                .push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(latencies)
    }
}

/// The request for one kind of read, about one sampled order.
fn path(kind: &str, order: &Value) -> String {
    let text = |field: &str| order[field].as_str().unwrap_or_default().to_string();
    let q = |value: String| {
        let encoded: String = url_encode(&value);
        format!("/v1/orders?q={encoded}&limit={LIST_LIMIT}")
    };
    match kind {
        "order_by_id" => format!("/v1/orders/{}", text("id")),
        "list_by_status" => format!("/v1/orders?status={}&limit={LIST_LIMIT}", text("status")),
        "list_by_channel" => format!("/v1/orders?channel={}&limit={LIST_LIMIT}", text("channel")),
        "list_by_status_and_channel" => format!(
            "/v1/orders?status={}&channel={}&limit={LIST_LIMIT}",
            text("status"),
            text("channel")
        ),
        "list_created_after" => format!(
            "/v1/orders?created_after={}&limit={LIST_LIMIT}",
            url_encode(&text("created_at"))
        ),
        "search_by_email" => q(order["customer"]["email"].as_str().unwrap_or("").into()),
        "search_by_name" => q(order["customer"]["name"].as_str().unwrap_or("").into()),
        "search_by_external_id" => q(text("external_id")),
        _ => q(text("number")),
    }
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn report(args: &BenchReadsArgs, latencies: &mut BTreeMap<&'static str, Vec<f64>>) {
    let mut figures = serde_json::Map::new();
    if !args.json {
        println!(
            "ordo bench-reads: {} s, {} in flight, {}",
            args.duration_s, args.concurrency, args.url
        );
    }
    for (kind, ms) in latencies.iter_mut() {
        ms.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(ms, 50.0), percentile(ms, 99.0));
        let max = ms.last().copied().unwrap_or(0.0);
        if args.json {
            figures.insert(
                kind.to_string(),
                json!({ "reads": ms.len(), "p50_ms": round2(p50), "p99_ms": round2(p99), "max_ms": round2(max) }),
            );
        } else {
            println!(
                "  {kind:<28} {:>7} reads   p50 {p50:>7.2} ms   p99 {p99:>7.2} ms   max {max:>7.2} ms",
                ms.len()
            );
        }
    }
    if args.json {
        println!("{}", Value::Object(figures));
    }
}
