//! `ordo import inventory FILE.csv`: a bulk stock sync from a file, straight into the store,
//! with a progress bar.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ordo_app::orders::request_hash;
use ordo_app::sync::{SyncRequest, parse_csv, parse_sync_id};
use ordo_app::{SyncMode, SyncReport, SyncRow};
use ordo_domain::values::LocationCode;

use crate::Failure;
use crate::database::DatabaseArgs;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Sync stock from a CSV file: a location's full snapshot, or deltas.
    Inventory(InventoryArgs),
}

#[derive(Args, Debug)]
pub struct InventoryArgs {
    /// The CSV file. Header: `sku,on_hand[,damaged,quality_hold]` for a snapshot,
    /// `sku,delta` for deltas, with a `location` column unless --location is given.
    file: PathBuf,
    /// `snapshot` (the location's full stock; what the file does not list counts as zero) or
    /// `delta` (signed changes).
    #[arg(long, default_value = "snapshot")]
    mode: String,
    /// The snapshot's location, or the deltas' default.
    #[arg(long)]
    location: Option<String>,
    /// Names the sync; importing it again answers with the same report. Defaults to one
    /// derived from the file's content, so the same file is applied once.
    #[arg(long)]
    sync_id: Option<String>,
    /// Report what the file would change and apply nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply a snapshot's good rows though some are rejected; without it a snapshot with a
    /// rejected row applies nothing.
    #[arg(long)]
    skip_bad_rows: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(command: ImportCommand) -> Result<ExitCode, Failure> {
    let ImportCommand::Inventory(args) = command;
    let request = sync_request(&args)?;
    let app = args.database.open_app().await?;
    let bar = ProgressBar::new(request.rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed} ({eta} left)")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    let result = app
        .sync_inventory(request, "cli:import", &mut |done, _| {
            bar.set_position(done as u64)
        })
        .await;
    bar.finish_and_clear();
    app.shutdown().await;
    match result {
        Ok((report, replayed)) => Ok(print_report(&report, replayed)),
        Err(ordo_app::AppError::Invalid(errors)) => {
            for e in errors.iter() {
                eprintln!("{}: {}", e.field, e.message);
            }
            eprintln!("nothing was applied");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.to_string().into()),
    }
}

/// The sync the file and the arguments ask for, its id derived from the content unless given.
fn sync_request(args: &InventoryArgs) -> Result<SyncRequest, Failure> {
    let mode = SyncMode::parse(&args.mode).map_err(|m| format!("--mode {m}"))?;
    let location = args
        .location
        .as_deref()
        .map(LocationCode::parse)
        .transpose()
        .map_err(|m| format!("--location {m}"))?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let (rows, rejected) = parse_csv(&text, mode, location.as_ref())
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let location = match (mode, location) {
        (SyncMode::Snapshot, None) => Some(snapshot_location(&rows)?),
        (_, location) => location,
    };
    let identity = format!(
        "{}\n{}\n{text}",
        mode.as_str(),
        location.as_ref().map_or("", |l| l.as_str())
    );
    let content_hash = request_hash(&serde_json::Value::String(identity));
    let sync_id = match &args.sync_id {
        Some(id) => parse_sync_id(id).map_err(|m| format!("--sync-id {m}"))?,
        None => format!("file:{}", &content_hash[..32]),
    };
    Ok(SyncRequest {
        sync_id,
        mode,
        location,
        rows,
        rejected,
        request_hash: content_hash,
        dry_run: args.dry_run,
        skip_bad_rows: args.skip_bad_rows,
    })
}

/// A snapshot names one location: without --location, the one every row agrees on.
fn snapshot_location(rows: &[SyncRow]) -> Result<LocationCode, Failure> {
    let mut named: Vec<&LocationCode> = rows.iter().map(|r| &r.location).collect();
    named.sort();
    named.dedup();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(
            "a snapshot covers one location: give --location or a file with one location".into(),
        ),
    }
}

/// Prints what the sync did, row by row where rows were rejected or positions fell short;
/// exits 2 when rows were rejected.
fn print_report(report: &SyncReport, replayed: bool) -> ExitCode {
    let how = match (replayed, report.dry_run) {
        (true, _) => " (already applied; its report)",
        (_, true) => " (dry run: nothing applied)",
        _ => "",
    };
    println!(
        "sync {}{how}: {} rows received, {} applied, {} rejected; {} positions changed ({} not listed, counted as zero); {} short of reserved",
        report.sync_id,
        report.rows_received,
        report.rows_applied,
        report.rejected.len(),
        report.positions_changed,
        report.positions_zeroed,
        report.shortfalls.len()
    );
    for r in &report.rejected {
        println!(
            "rejected row {}: {} at {}: {}",
            r.row, r.sku, r.location, r.reason
        );
    }
    for s in &report.shortfalls {
        let orders: Vec<String> = s
            .given_back
            .iter()
            .map(|g| format!("{} {} gave {}", g.owner.as_str(), g.owner_id, g.units))
            .collect();
        println!(
            "short {}@{}: {} sellable for {} reserved; {}",
            s.sku,
            s.location,
            s.sellable,
            s.reserved_before,
            orders.join(", ")
        );
    }
    if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
