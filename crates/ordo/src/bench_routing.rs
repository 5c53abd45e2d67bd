//! `ordo bench-routing`: routing decisions per second and their latency, on one core, over
//! seeded random orders and networks: `--locations` candidates spread over Germany (a sixth
//! warehouses holding most items, the rest stores holding a few), orders of `--lines` lines
//! drawn by Zipf popularity. Each decision is the whole router: candidates filtered, the plan
//! searched, the runner-up found and the explanation written.

use std::time::Instant;

use clap::Args;
use ordo_domain::geo::{CountryCode, GeoPoint};
use ordo_domain::location::LocationKind;
use ordo_domain::promise::{add_days, parse_date};
use ordo_domain::routing::{
    Candidate, ProfileRouter, RouteLine, RouteRequest, Router, RoutingProfile, Rule, Strategy,
};
use ordo_domain::values::{LocationCode, Sku};

#[derive(Args, Debug)]
pub struct BenchRoutingArgs {
    /// Lines per order.
    #[arg(long, default_value_t = 3)]
    lines: usize,
    /// Candidate locations per order.
    #[arg(long, default_value_t = 50)]
    locations: usize,
    /// Decisions to time.
    #[arg(long, default_value_t = 20_000)]
    decisions: usize,
    /// `optimal`, or a rule chain such as `fewest_splits,closest`.
    #[arg(long, default_value = "optimal")]
    strategy: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

const CATALOGUE: usize = 200;

pub fn run(args: BenchRoutingArgs) -> Result<(), String> {
    if args.lines == 0 || args.locations == 0 || args.decisions == 0 {
        return Err("--lines, --locations and --decisions must be at least 1".into());
    }
    let strategy = match args.strategy.as_str() {
        "optimal" => Strategy::Optimal,
        chain => Strategy::Rules(
            chain
                .split(',')
                .map(|r| Rule::parse(r.trim()).map_err(|m| format!("--strategy {m}")))
                .collect::<Result<_, _>>()?,
        ),
    };
    let router = ProfileRouter::new(RoutingProfile {
        strategy,
        ..RoutingProfile::default()
    });
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let skus: Vec<Sku> = (0..CATALOGUE)
        .map(|i| Sku::parse(&format!("SKU-{i:03}")).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    // A few networks, so that one lucky layout does not decide the figures.
    let networks: Vec<Vec<Candidate>> = (0..8)
        .map(|_| network(&mut rng, &skus, args.locations))
        .collect();
    let orders: Vec<(Vec<RouteLine>, GeoPoint)> = (0..1_000)
        .map(|_| order(&mut rng, &skus, args.lines))
        .collect();

    let mut latencies_ns: Vec<u64> = Vec::with_capacity(args.decisions);
    let mut proven = 0_usize;
    let mut packages = 0_usize;
    for i in 0..args.decisions {
        let (lines, to) = &orders[i % orders.len()];
        // As in order capture, each candidate carries only the order's items.
        let candidates: Vec<Candidate> = networks[i % networks.len()]
            .iter()
            .map(|c| Candidate {
                available: c
                    .available
                    .iter()
                    .filter(|(s, _)| lines.iter().any(|l| &l.sku == s))
                    .cloned()
                    .collect(),
                ..c.clone()
            })
            .collect();
        let request = RouteRequest {
            lines,
            destination: Some(*to),
            country: CountryCode::parse("DE").ok(),
            ..RouteRequest::default()
        };
        let t = Instant::now();
        let routed = router.route(&request, &candidates);
        latencies_ns.push(t.elapsed().as_nanos() as u64);
        if let Some(explanation) = routed.explanation {
            packages += explanation.chosen.shipments.len();
            proven += usize::from(explanation.search.is_none_or(|s| s.proven_optimal));
        }
    }
    // Only the router's own time counts: preparing candidates is not routing.
    let elapsed = latencies_ns.iter().sum::<u64>() as f64 / 1e9;
    latencies_ns.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies_ns.len() as f64 * p).ceil() as usize).clamp(1, latencies_ns.len()) - 1;
        latencies_ns[i] as f64 / 1_000.0
    };
    let rate = args.decisions as f64 / elapsed;
    let (p50, p95, p99, max) = (pct(0.50), pct(0.95), pct(0.99), pct(1.0));
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "strategy": args.strategy, "lines": args.lines, "locations": args.locations,
                "decisions": args.decisions, "decisions_per_s": rate.round(),
                "p50_us": p50, "p95_us": p95, "p99_us": p99, "max_us": max,
                "proven_optimal": proven, "packages_per_order": packages as f64 / args.decisions as f64,
            })
        );
    } else {
        println!(
            "{} decisions ({}, {} lines over {} locations) in {elapsed:.2} s of routing on one core: {rate:.0} decisions/s",
            args.decisions, args.strategy, args.lines, args.locations
        );
        println!("latency µs: p50 {p50:.1}, p95 {p95:.1}, p99 {p99:.1}, max {max:.1}");
        println!(
            "{proven} of {} proven optimal (or a rule chain); {:.2} packages per order",
            args.decisions,
            packages as f64 / args.decisions as f64
        );
    }
    Ok(())
}

fn network(rng: &mut fastrand::Rng, skus: &[Sku], count: usize) -> Vec<Candidate> {
    (0..count)
        .map(|i| {
            let warehouse = i % 6 == 0;
            let share = if warehouse { 0.8 } else { 0.15 };
            let mut available = Vec::new();
            for sku in skus {
                if rng.f64() < share {
                    let units = if warehouse {
                        rng.i64(5..200)
                    } else {
                        rng.i64(1..6)
                    };
                    available.push((sku.clone(), units));
                }
            }
            Candidate {
                location: LocationCode::parse(&format!("L{i:03}")).expect("a valid code"),
                kind: if warehouse {
                    LocationKind::Warehouse
                } else {
                    LocationKind::Store
                },
                point: GeoPoint::new(47.5 + rng.f64() * 7.0, 6.0 + rng.f64() * 8.5).ok(),
                country: CountryCode::parse("DE").expect("DE is a country"),
                region: None,
                ships: true,
                available,
                load: rng.i64(0..100),
                capacity: Some(if warehouse { 5_000 } else { 150 }),
                delivery_date: parse_date("2026-11-24")
                    .ok()
                    .map(|d| add_days(d, rng.i64(0..3))),
            }
        })
        .collect()
}

/// Lines of distinct items by Zipf popularity, quantities mostly 1, and a destination.
fn order(rng: &mut fastrand::Rng, skus: &[Sku], lines: usize) -> (Vec<RouteLine>, GeoPoint) {
    let weights: Vec<f64> = (1..=skus.len()).map(|r| 1.0 / r as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < lines.min(skus.len()) {
        let mut x = rng.f64() * total;
        let i = weights
            .iter()
            .position(|w| {
                x -= w;
                x <= 0.0
            })
            .unwrap_or(0);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    let lines = picked
        .into_iter()
        .enumerate()
        .map(|(n, i)| RouteLine {
            line_no: n as u32 + 1,
            sku: skus[i].clone(),
            quantity: if rng.f64() < 0.8 { 1 } else { rng.i64(2..4) },
            unit_weight_g: Some(rng.i64(100..3_000)),
        })
        .collect();
    let to = GeoPoint::new(47.5 + rng.f64() * 7.0, 6.0 + rng.f64() * 8.5).expect("in range");
    (lines, to)
}
