//! The `ordo` binary.
//!
//! - `serve` — run the HTTP API (with `--demo`, load the demo network on first start).
//! - `check` — verify the store's invariants; non-zero exit when one is broken.
//! - `bench` — drive a running server with realistic orders and print rates and latencies.
//! - `bench-routing` — routing decisions per second and their latency, on one core.
//! - `import inventory` — sync stock from a CSV file, with a progress bar.

mod bench;
mod bench_routing;
mod check;
mod database;
mod import;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Time routing decisions on one core and report decisions/s and latency percentiles.
    BenchRouting(bench_routing::BenchRoutingArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Routing is timed on one core, without an async runtime around it.
    if let Command::BenchRouting(args) = cli.command {
        return match bench_routing::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("ordo: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ordo: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Check(args) => check::run(args).await,
            Command::Bench(args) => bench::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::BenchRouting(_) => Ok(ExitCode::SUCCESS),
            Command::Import(command) => import::run(command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ordo: {message}");
            ExitCode::FAILURE
        }
    }
}
