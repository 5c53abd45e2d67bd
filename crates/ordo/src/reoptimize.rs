//! `ordo reoptimize`: plan the pending orders' allocations again together, straight against
//! the store, and print what changed (with `--json`, as `POST /v1/routing/reoptimize` answers).

use clap::Args;
use serde_json::json;

use crate::Failure;
use crate::database::{DatabaseArgs, cli_admin};

#[derive(Args, Debug)]
pub struct ReoptimizeArgs {
    /// Only this channel's orders.
    #[arg(long)]
    channel: Option<String>,
    /// Most pending orders planned again, oldest first (1 to 2,000).
    #[arg(long)]
    limit: Option<i64>,
    /// Print what would change without changing it.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

fn places(rows: &[(u32, String, String, i64)]) -> String {
    let mut at: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    at.sort();
    at.dedup();
    at.join("+")
}

pub async fn run(args: ReoptimizeArgs) -> Result<(), Failure> {
    let app = args.database.open_app().await?;
    let principal = cli_admin();
    let result = app
        .reoptimize(
            &principal,
            args.channel.as_deref(),
            args.limit,
            args.dry_run,
        )
        .await;
    app.shutdown().await;
    let report = result.map_err(|e| e.to_string())?;
    if args.json {
        let view = ordo_server::http::reoptimize::ReoptimizeView::from(report);
        println!("{}", json!(view));
        return Ok(());
    }
    let money = |minor: i64| format!("{:.2}", minor as f64 / 100.0);
    println!(
        "{} pending orders planned again ({}, {} within each channel's profile): {} {} changed; split orders {} -> {}, packages {} -> {}, cost {} -> {}",
        report.orders_considered,
        report.phase,
        report.strategy,
        report.orders_changed,
        if report.dry_run { "would be" } else { "were" },
        report.split_orders_before,
        report.split_orders_after,
        report.packages_before,
        report.packages_after,
        money(report.cost_before),
        money(report.cost_after),
    );
    for c in &report.changes {
        println!(
            "{}: {} -> {} ({} -> {} packages, cost {} -> {})",
            c.order_number,
            places(&c.from),
            places(&c.to),
            c.packages_before,
            c.packages_after,
            money(c.cost_before),
            money(c.cost_after),
        );
    }
    Ok(())
}
