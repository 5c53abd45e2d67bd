//! The `ordo` binary.
//!
//! - `serve` — run the HTTP API (with `--demo`, load the demo network on first start).
//! - `check` — verify the store's invariants; non-zero exit when one is broken.
//! - `bench` — drive a running server with realistic orders and print rates and latencies.
//! - `bench-reads` — how fast a running server answers reads of orders, by kind of read.
//! - `bench-routing` — routing decisions per second and their latency, on one core.
//! - `import inventory` — sync stock from a CSV file, with a progress bar.
//! - `reoptimize` — plan pending orders' allocations again together, to cut splits and cost.
//! - `document` — print a label, packing slip, pick list or manifest.
//! - `simulate` — backtest routing profiles on an order stream; `simulate generate` writes one.

mod bench;
mod bench_reads;
mod bench_routing;
mod check;
mod database;
mod document;
mod import;
mod reoptimize;
mod serve;
mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc, not the system's: under load glibc's malloc and free took about a fifth of the
/// server's time (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "ordo", version, about = "Ordo, an order management system")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(serve::ServeArgs),
    /// Verify the store's invariants; exits 1 and lists each breach when one fails.
    Check(check::CheckArgs),
    /// Place realistic orders against a running server and report throughput and latency.
    Bench(bench::BenchArgs),
    /// How fast a running server answers reads of orders: one order, lists and searches.
    BenchReads(bench_reads::BenchReadsArgs),
    /// Time routing decisions on one core and report decisions/s and latency percentiles.
    BenchRouting(bench_routing::BenchRoutingArgs),
    /// Replay an order stream against a network once per routing profile and compare them.
    Simulate(simulate::SimulateArgs),
    /// Plan the pending orders' allocations again together, to cut splits and cost.
    Reoptimize(reoptimize::ReoptimizeArgs),
    /// Print a shipping label, packing slip, pick list or carrier manifest.
    Document(document::DocumentArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// Why a command failed, and the exit code that says so: 2 when it was asked for what cannot
/// be (a store that does not exist), 1 when it ran and failed.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self { message, code: 1 }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        // Routing runs on one core, without an async runtime around it.
        Command::BenchRouting(args) => bench_routing::run(args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(Failure::from),
        Command::Simulate(args) => simulate::run(args)
            .map(|()| ExitCode::SUCCESS)
            .map_err(Failure::from),
        command => run_async(command),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("ordo: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run_async(command: Command) -> Result<ExitCode, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        match command {
            Command::Serve(args) => serve::run(args)
                .await
                .map(|()| ExitCode::SUCCESS)
                .map_err(Failure::from),
            Command::Check(args) => check::run(args).await,
            Command::BenchReads(args) => bench_reads::run(args)
                .await
                .map(|()| ExitCode::SUCCESS)
                .map_err(Failure::from),
            Command::Bench(args) => bench::run(args)
                .await
                .map(|()| ExitCode::SUCCESS)
                .map_err(Failure::from),
            Command::Import(command) => import::run(command).await,
            Command::Reoptimize(args) => reoptimize::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Document(args) => document::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::BenchRouting(_) | Command::Simulate(_) => Ok(ExitCode::SUCCESS),
        }
    })
}
