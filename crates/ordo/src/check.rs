//! `ordo check`: verify the store's invariants.

use std::process::ExitCode;

use clap::Args;
use ordo_store::Store;

use crate::Failure;
use crate::database::DatabaseArgs;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(args: CheckArgs) -> Result<ExitCode, Failure> {
    let store = args.database.open_existing().await?;
    let breaches = store
        .check_invariants()
        .await
        .map_err(|e| format!("checking: {e}"));
    store.close().await;
    let breaches = breaches?;
    if breaches.is_empty() {
        println!(
            "ok: every invariant holds (positions: reserved = held reservations, nothing negative, unsellable and reserved within on hand; the ledger adds up to every position; order lines add up; released units are what open fulfilment orders hold, reserved at their location, and units still to release are on the releaser's list; transfers hold what their status says)"
        );
        return Ok(ExitCode::SUCCESS);
    }
    for breach in &breaches {
        println!("{} {}: {}", breach.kind, breach.subject, breach.detail);
    }
    eprintln!("ordo check: {} invariant breach(es)", breaches.len());
    Ok(ExitCode::FAILURE)
}
