//! `ordo bench`: places realistic orders against a running server for a fixed time and
//! reports orders per second and latency percentiles. Orders have 1–5 lines (mostly 1–2),
//! SKUs drawn by Zipf popularity, and ship-to addresses across Germany weighted by city
//! population.

use std::time::{Duration, Instant};

use clap::Args;
use ordo_domain::geo::de::CITIES;
use serde_json::{Value, json};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The server, such as http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// An admin key (reads the catalogue; places orders for any channel), or a channel key
    /// (then the demo catalogue is assumed).
    #[arg(long, env = "ORDO_KEY")]
    key: String,
    /// Orders in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// How long to place orders, in seconds.
    #[arg(long, default_value_t = 10)]
    duration_s: u64,
    /// The channel the orders come from.
    #[arg(long, default_value = "web")]
    channel: String,
    /// Zipf exponent of SKU popularity.
    #[arg(long, default_value_t = 1.0)]
    zipf_s: f64,
    /// Seed of the order generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Before starting, add this many units to every stock position and lift every location's
    /// daily order capacity to the most allowed (needs an admin key), so that the run measures
    /// placing orders rather than running out of stock or of today's capacity.
    #[arg(long)]
    restock: Option<i64>,
    /// Stop once this many orders are placed (or `--duration-s` is over): fills a store for
    /// the read benchmark, `ordo bench-reads`.
    #[arg(long)]
    orders: Option<u64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// When a run ends: at its deadline, or once it has placed the orders asked for.
#[derive(Clone)]
struct Stop {
    deadline: Instant,
    placed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    orders: Option<u64>,
}

impl Stop {
    fn reached(&self) -> bool {
        let placed = self.placed.load(std::sync::atomic::Ordering::Relaxed);
        Instant::now() >= self.deadline || self.orders.is_some_and(|n| placed >= n)
    }

    fn placed_one(&self) {
        self.placed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Most concurrent orders the bench drives.
const CONCURRENCY_MAX: usize = 1024;
/// Longest run, in seconds.
const DURATION_S_MAX: u64 = 3600;

pub async fn run(args: BenchArgs) -> Result<(), String> {
    if !(1..=CONCURRENCY_MAX).contains(&args.concurrency) {
        return Err(format!("--concurrency must be from 1 to {CONCURRENCY_MAX}"));
    }
    if !(1..=DURATION_S_MAX).contains(&args.duration_s) {
        return Err(format!("--duration-s must be from 1 to {DURATION_S_MAX}"));
    }
    let base = args.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let api = Api {
        client,
        base,
        key: args.key.clone(),
    };

    let skus = api.skus().await?;
    if skus.is_empty() {
        return Err("the server has no items to order".into());
    }
    if let Some(units) = args.restock {
        api.restock(units).await?;
    }
    let picker = Picker::new(skus, args.zipf_s, args.seed);
    let stop = Stop {
        deadline: Instant::now() + Duration::from_secs(args.duration_s),
        placed: Default::default(),
        orders: args.orders,
    };
    let started = Instant::now();
    let mut workers = Vec::with_capacity(args.concurrency);
    for worker in 0..args.concurrency {
        let api = api.clone();
        let picker = picker.clone();
        let channel = args.channel.clone();
        let stop = stop.clone();
        let seed = args
            .seed
            .wrapping_mul(1_000_003)
            .wrapping_add(worker as u64);
        workers.push(tokio::spawn(async move {
            drive(api, picker, channel, seed, worker, stop).await
        }));
    }
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await.map_err(|e| e.to_string())?);
    }
    report(&args, &tally, started.elapsed());
    Ok(())
}

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn get(&self, path: &str) -> Result<(u16, Value), String> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    /// Every SKU of the catalogue, or the demo's when this key may not read the catalogue.
    async fn skus(&self) -> Result<Vec<String>, String> {
        let mut skus = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/items?limit=500&cursor={c}"),
                None => "/v1/items?limit=500".to_string(),
            };
            let (status, page) = self.get(&path).await?;
            match status {
                200 => {}
                403 => {
                    return Ok(ordo_app::demo::demo_network(0)
                        .items
                        .into_iter()
                        .map(|i| i.sku.to_string())
                        .collect());
                }
                401 => return Err("the key is not accepted (401)".into()),
                other => return Err(format!("listing items answered {other}")),
            }
            let items = page["items"].as_array().cloned().unwrap_or_default();
            skus.extend(
                items
                    .iter()
                    .filter(|i| i["active"] == true)
                    .filter_map(|i| i["sku"].as_str().map(String::from)),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return Ok(skus),
            }
        }
    }

    async fn restock(&self, units: i64) -> Result<(), String> {
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/inventory?limit=500&cursor={c}"),
                None => "/v1/inventory?limit=500".to_string(),
            };
            let (status, page) = self.get(&path).await?;
            if status != 200 {
                return Err(format!(
                    "--restock needs an admin key: listing stock answered {status}"
                ));
            }
            let adjustments: Vec<Value> = page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| json!({ "location": p["location"], "sku": p["sku"], "delta": units }))
                .collect();
            if !adjustments.is_empty() {
                let response = self
                    .client
                    .post(format!("{}/v1/inventory/adjustments", self.base))
                    .bearer_auth(&self.key)
                    .json(&json!({ "reason": "bench restock", "adjustments": adjustments }))
                    .send()
                    .await
                    .map_err(|e| format!("restocking: {e}"))?;
                if !response.status().is_success() {
                    return Err(format!("restocking answered {}", response.status()));
                }
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return self.lift_capacity().await,
            }
        }
    }

    async fn lift_capacity(&self) -> Result<(), String> {
        let (status, page) = self.get("/v1/locations?limit=500").await?;
        if status != 200 {
            return Err(format!("listing locations answered {status}"));
        }
        let capacity = ordo_domain::location::DAILY_ORDER_CAPACITY_MAX;
        for code in page["items"].as_array().into_iter().flatten() {
            let code = code["code"].as_str().unwrap_or_default();
            let response = self
                .client
                .patch(format!("{}/v1/locations/{code}", self.base))
                .bearer_auth(&self.key)
                .json(&json!({ "daily_order_capacity": capacity }))
                .send()
                .await
                .map_err(|e| format!("lifting capacity: {e}"))?;
            if !response.status().is_success() {
                return Err(format!(
                    "lifting {code}'s capacity answered {}",
                    response.status()
                ));
            }
        }
        Ok(())
    }
}

/// Draws SKUs by Zipf popularity: the k-th most popular with weight 1/k^s.
#[derive(Clone)]
struct Picker {
    skus: std::sync::Arc<Vec<String>>,
    cumulative: std::sync::Arc<Vec<f64>>,
}

impl Picker {
    fn new(mut skus: Vec<String>, s: f64, seed: u64) -> Self {
        fastrand::Rng::with_seed(seed).shuffle(&mut skus);
        let mut total = 0.0;
        let cumulative = (1..=skus.len())
            .map(|k| {
                total += 1.0 / (k as f64).powf(s);
                total
            })
            .collect();
        Self {
            skus: skus.into(),
            cumulative: std::sync::Arc::new(cumulative),
        }
    }

    fn pick(&self, rng: &mut fastrand::Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let target = rng.f64() * total;
        let index = self
            .cumulative
            .partition_point(|c| *c < target)
            .min(self.skus.len() - 1);
        &self.skus[index]
    }
}

fn order(picker: &Picker, channel: &str, rng: &mut fastrand::Rng, external_id: &str) -> Value {
    let line_count = match rng.f64() {
        x if x < 0.40 => 1,
        x if x < 0.65 => 2,
        x if x < 0.80 => 3,
        x if x < 0.92 => 4,
        _ => 5,
    };
    let mut skus: Vec<&str> = Vec::with_capacity(line_count);
    while skus.len() < line_count.min(picker.skus.len()) {
        let sku = picker.pick(rng);
        if !skus.contains(&sku) {
            skus.push(sku);
        }
    }
    let lines: Vec<Value> = skus
        .iter()
        .map(|sku| {
            let quantity = match rng.f64() {
                x if x < 0.80 => 1,
                x if x < 0.95 => 2,
                _ => 3,
            };
            json!({ "sku": sku, "quantity": quantity, "unit_price": format!("{}.{:02}", rng.u32(5..200), rng.u32(0..100)) })
        })
        .collect();
    let population: u32 = CITIES.iter().map(|c| c.population_k).sum();
    let mut draw = rng.u32(0..population);
    let city = CITIES
        .iter()
        .find(|c| {
            if draw < c.population_k {
                true
            } else {
                draw -= c.population_k;
                false
            }
        })
        .unwrap_or(&CITIES[0]);
    let name = format!(
        "{} {}",
        FIRST_NAMES[rng.usize(..FIRST_NAMES.len())],
        LAST_NAMES[rng.usize(..LAST_NAMES.len())]
    );
    json!({
        "channel": channel,
        "external_id": external_id,
        "customer": { "email": format!("customer{}@example.com", rng.u32(..)), "name": name },
        "ship_to": {
            "name": name,
            "line1": format!("Hauptstraße {}", rng.u32(1..200)),
            "city": city.name,
            "postal_code": city.postal_code,
            "country": "DE",
            "lat": city.lat + (rng.f64() - 0.5) * 0.1,
            "lon": city.lon + (rng.f64() - 0.5) * 0.1
        },
        "currency": "EUR",
        "lines": lines,
        "delivery": { "method": "ship" }
    })
}

/// Customers' names are drawn from these, so a search by name finds a realistic few.
const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ines", "Jonas", "Katrin",
    "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sven", "Tara", "Yusuf",
];
const LAST_NAMES: &[&str] = &[
    "Becker",
    "Demir",
    "Fischer",
    "Hoffmann",
    "Jansen",
    "Kaya",
    "Keller",
    "Krause",
    "Lange",
    "Meyer",
    "Müller",
    "Nowak",
    "Richter",
    "Schmidt",
    "Schneider",
    "Schulz",
    "Wagner",
    "Weber",
    "Wolf",
    "Zimmermann",
    "Bauer",
    "Braun",
    "Hartmann",
    "Koch",
    "Lehmann",
    "Neumann",
    "Peters",
    "Schröder",
    "Vogel",
    "Walter",
];

#[derive(Default)]
struct Tally {
    placed: u64,
    replayed: u64,
    rejected: u64,
    /// Answered 503 at once: the server shed the request under load.
    shed: u64,
    errors: u64,
    first_error: Option<String>,
    /// Of the requests the server worked on (placed, replayed or refused for stock).
    latencies_ms: Vec<f64>,
    shed_latencies_ms: Vec<f64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.placed += other.placed;
        self.replayed += other.replayed;
        self.rejected += other.rejected;
        self.shed += other.shed;
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.latencies_ms.extend(other.latencies_ms);
        self.shed_latencies_ms.extend(other.shed_latencies_ms);
    }
}

async fn drive(
    api: Api,
    picker: Picker,
    channel: String,
    seed: u64,
    worker: usize,
    stop: Stop,
) -> Tally {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tally = Tally::default();
    // Order contents follow the seed; ids are new each run, so a second run never replays
    // the first one's idempotency keys.
    let run = format!("{:x}", fastrand::u64(..));
    let mut n = 0u64;
    while !stop.reached() {
        n += 1;
        let external_id = format!("BENCH-{run}-{worker}-{n}");
        let body = order(&picker, &channel, &mut rng, &external_id);
        let started = Instant::now();
        let result = api
            .client
            .post(format!("{}/v1/orders", api.base))
            .bearer_auth(&api.key)
            .header("Idempotency-Key", &external_id)
            .json(&body)
            .send()
            .await;
        let (status, replayed) = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let replayed = response.headers().contains_key("idempotent-replayed");
                let _ = response.bytes().await;
                (status, replayed)
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
                continue;
            }
        };
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        match status {
            503 => {
                tally.shed += 1;
                tally.shed_latencies_ms.push(took_ms);
                continue;
            }
            _ => tally.latencies_ms.push(took_ms),
        }
        match status {
            201 if replayed => tally.replayed += 1,
            201 => {
                tally.placed += 1;
                stop.placed_one();
            }
            409 => tally.rejected += 1,
            other => {
                tally.errors += 1;
                tally
                    .first_error
                    .get_or_insert_with(|| format!("HTTP {other}"));
            }
        }
    }
    tally
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(args: &BenchArgs, tally: &Tally, elapsed: Duration) {
    let mut latencies = tally.latencies_ms.clone();
    latencies.sort_by(f64::total_cmp);
    let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
    let orders_per_s = tally.placed as f64 / seconds;
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    let max = latencies.last().copied().unwrap_or(0.0);
    let mut shed = tally.shed_latencies_ms.clone();
    shed.sort_by(f64::total_cmp);
    let sent = (tally.placed + tally.replayed + tally.rejected + tally.shed + tally.errors).max(1);
    let shed_percent = tally.shed as f64 * 100.0 / sent as f64;
    let shed_p99 = percentile(&shed, 99.0);
    if args.json {
        let figures = json!({
            "orders_per_s": round2(orders_per_s),
            "p50_ms": round2(p50),
            "p95_ms": round2(p95),
            "p99_ms": round2(p99),
            "max_ms": round2(max),
            "errors": tally.errors,
            "placed": tally.placed,
            "rejected_insufficient_stock": tally.rejected,
            "replayed": tally.replayed,
            "shed": tally.shed,
            "shed_percent": round2(shed_percent),
            "shed_p99_ms": round2(shed_p99),
            "concurrency": args.concurrency,
            "duration_s": round2(seconds),
        });
        println!("{figures}");
    } else {
        println!(
            "ordo bench: {:.1} s, {} in flight, {}",
            seconds, args.concurrency, args.url
        );
        println!(
            "  orders placed        {:>10}   {:.1} orders/s",
            tally.placed, orders_per_s
        );
        println!("  refused, no stock    {:>10}", tally.rejected);
        println!("  replayed             {:>10}", tally.replayed);
        println!(
            "  shed, 503            {:>10}   {shed_percent:.1}% of requests, p99 {shed_p99:.2} ms",
            tally.shed
        );
        println!("  errors               {:>10}", tally.errors);
        println!(
            "  latency ms, served   p50 {p50:.2}   p95 {p95:.2}   p99 {p99:.2}   max {max:.2}"
        );
    }
    if let Some(error) = &tally.first_error {
        eprintln!("first error: {error}");
    }
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
