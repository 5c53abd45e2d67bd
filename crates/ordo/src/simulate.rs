//! `ordo simulate`: replay an order stream against a network once per routing profile and
//! compare what their plans cost and how they ship; `ordo simulate generate` writes a
//! realistic network, stream and three example profiles to try it on.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use ordo_app::simulate::{BACKTEST_ORDERS_MAX, BACKTEST_PROFILES_MAX, compare, generate};
use ordo_domain::routing::RoutingProfile;
use ordo_domain::routing::backtest::{Network, Report, SimOrder};
use serde_json::{Value, json};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimulateArgs {
    #[command(subcommand)]
    generate: Option<SimulateCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum SimulateCommand {
    /// Write DIR/network.json, DIR/orders.jsonl and the profiles closest.json,
    /// fewest-splits.json and optimal.json.
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
struct GenerateArgs {
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 5_000)]
    orders: usize,
    /// Days the orders are spread over.
    #[arg(long, default_value_t = 5)]
    days: i64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// The network: locations, item weights, stock, arrivals, and the cost model plans are
    /// scored with.
    #[arg(long)]
    network: Option<PathBuf>,
    /// The orders, one JSON object per line.
    #[arg(long)]
    orders: Option<PathBuf>,
    /// A routing profile's settings; give it once per profile to compare. Each is named by
    /// its file name.
    #[arg(long = "profile")]
    profiles: Vec<PathBuf>,
    /// Hold orders for this many minutes — a release wave — and plan each wave again
    /// together before it ships; the report then says what the orders shipped with as placed.
    #[arg(long)]
    reoptimize_every_min: Option<i64>,
    /// Print one JSON object with a `profiles` array instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write every order's plan under every profile to this file, one JSON object a
    /// line.
    #[arg(long)]
    decisions: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> Result<(), String> {
    match args.generate {
        Some(SimulateCommand::Generate(g)) => write_generated(&g),
        None => replay(&args.run),
    }
}

fn write_generated(args: &GenerateArgs) -> Result<(), String> {
    if args.orders == 0 || args.orders > BACKTEST_ORDERS_MAX {
        return Err(format!("--orders must be 1 to {BACKTEST_ORDERS_MAX}"));
    }
    if !(1..=60).contains(&args.days) {
        return Err("--days must be 1 to 60".into());
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let generated = generate(args.seed, args.orders, args.days);
    let write = |name: &str, text: String| {
        let path = args.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("network.json", pretty(&generated.network))?;
    let lines: Vec<String> = generated.orders.iter().map(Value::to_string).collect();
    write("orders.jsonl", lines.join("\n") + "\n")?;
    for (name, profile) in &generated.profiles {
        write(&format!("{name}.json"), pretty(profile))?;
    }
    println!(
        "wrote {}: network.json, orders.jsonl ({} orders), closest.json, fewest-splits.json, optimal.json",
        args.out.display(),
        generated.orders.len()
    );
    Ok(())
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))
}

fn replay(args: &RunArgs) -> Result<(), String> {
    let (Some(network), Some(orders)) = (&args.network, &args.orders) else {
        return Err(
            "give --network and --orders (or use `ordo simulate generate --out DIR`)".into(),
        );
    };
    if args.profiles.is_empty() || args.profiles.len() > BACKTEST_PROFILES_MAX {
        return Err(format!("give 1 to {BACKTEST_PROFILES_MAX} --profile files"));
    }
    let network = Network::from_json(&read_json(network)?)
        .map_err(|e| format!("{}: {e}", network.display()))?;
    let text = std::fs::read_to_string(orders)
        .map_err(|e| format!("cannot read {}: {e}", orders.display()))?;
    let mut stream = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("{} line {}: not JSON: {e}", orders.display(), n + 1))?;
        let order = SimOrder::from_json(&value)
            .map_err(|e| format!("{} line {}: {e}", orders.display(), n + 1))?;
        stream.push(order);
        if stream.len() > BACKTEST_ORDERS_MAX {
            return Err(format!(
                "{}: more than {BACKTEST_ORDERS_MAX} orders",
                orders.display()
            ));
        }
    }
    let mut profiles = Vec::new();
    for path in &args.profiles {
        let profile = RoutingProfile::from_json(&read_json(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .map_or("profile".into(), |s| s.to_string_lossy().to_string());
        profiles.push((name, profile));
    }
    let wave_ms = match args.reoptimize_every_min {
        Some(min) if (1..=7 * 24 * 60).contains(&min) => Some(min * 60_000),
        Some(_) => return Err("--reoptimize-every-min must be 1 to 10080".into()),
        None => None,
    };
    let mut decisions = args.decisions.as_ref().map(|_| Vec::new());
    let reports = compare(&network, &stream, &profiles, wave_ms, decisions.as_mut())
        .map_err(|e| format!("the backtest stopped: {e}"))?;
    if let (Some(path), Some(decisions)) = (&args.decisions, decisions) {
        let lines: Vec<String> = decisions.iter().map(|d| json!(d).to_string()).collect();
        std::fs::write(path, lines.join("\n") + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        writeln!(out, "{}", json!({ "profiles": reports }))
    } else {
        print_table(&mut out, &reports)
    };
    // A reader that stopped reading (`| head`) is not an error.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("writing: {e}")),
        _ => Ok(()),
    }
}

fn print_table(out: &mut impl Write, reports: &[Report]) -> std::io::Result<()> {
    print_summary(out, reports)?;
    print_costs(out, reports)?;
    for r in reports {
        if let Some(x) = &r.reoptimization {
            writeln!(
                out,
                "{}: re-optimising each wave ({} within the profile) changed {} orders: split {:.1}% -> {:.1}%, total cost {:.2} -> {:.2}",
                r.profile,
                x.strategy,
                x.orders_changed,
                x.split_rate_as_placed * 100.0,
                r.split_rate * 100.0,
                x.total_cost_as_placed as f64 / 100.0,
                r.total_cost as f64 / 100.0
            )?;
        }
    }
    writeln!(
        out,
        "costs in currency units (minor units / 100); split and on time are shares of orders; capacity counts packages over a location's daily capacity (they ship on a later day)"
    )
}

/// A row per profile: orders, cost, packages, splits, distance, on time, capacity, unfilled.
fn print_summary(out: &mut impl Write, reports: &[Report]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<16} {:>7} {:>12} {:>9} {:>9} {:>7} {:>9} {:>8} {:>9} {:>9}",
        "profile",
        "orders",
        "total cost",
        "per order",
        "packages",
        "split",
        "km",
        "on time",
        "capacity",
        "unfilled"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:<16} {:>7} {:>12.2} {:>9.2} {:>9.3} {:>6.1}% {:>9.1} {:>7.1}% {:>9} {:>9}",
            r.profile,
            r.orders,
            r.total_cost as f64 / 100.0,
            r.cost_per_order / 100.0,
            r.packages_per_order,
            r.split_rate * 100.0,
            r.mean_distance_km,
            r.on_time_rate * 100.0,
            r.capacity_breaches,
            r.unfilled_lines
        )?;
    }
    Ok(())
}

/// A row per profile: what its cost is made of, and the units it served.
fn print_costs(out: &mut impl Write, reports: &[Report]) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{:<16} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12} {:>14}",
        "profile",
        "shipping",
        "handling",
        "splits",
        "late",
        "capacity",
        "last units",
        "units served"
    )?;
    let money = |minor: i64| minor as f64 / 100.0;
    for r in reports {
        let c = &r.cost;
        writeln!(
            out,
            "{:<16} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>7}/{:<6}",
            r.profile,
            money(c.shipping),
            money(c.handling),
            money(c.splits),
            money(c.late),
            money(c.capacity),
            money(c.last_units),
            r.units_served,
            r.units_ordered
        )?;
    }
    Ok(())
}
