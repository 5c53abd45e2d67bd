//! Loading a network — locations, items, channels and opening stock — in one transaction.

use ordo_domain::inventory::{Cause, Movement, StockBook};

use super::SqlStore;
use super::catalog::{channel_inserts, item_inserts, location_inserts};
use super::write::{execute_all, ledger_inserts, write_book};
use crate::error::{StoreError, StoreResult};
use crate::types::NetworkSeed;

pub(crate) async fn load_network(store: &SqlStore, seed: &NetworkSeed) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let mut statements = location_inserts(&seed.locations);
    statements.extend(item_inserts(&seed.items));
    statements.extend(channel_inserts(&seed.channels));
    execute_all(&mut tx, statements)
        .await
        .map_err(|e| match e {
            e if e.is_unique_violation() => {
                StoreError::AlreadyExists("a location, item or channel of the network".into())
            }
            other => other,
        })?;

    // Opening stock is a count like any other, so the ledger explains every figure from the start.
    let mut book = StockBook::new([]);
    let cause = Cause {
        at_ms: seed.now_ms,
        reason: Some("opening stock"),
        reference: None,
        actor: &seed.actor,
    };
    let mut ledger = Vec::with_capacity(seed.positions.len());
    for p in &seed.positions {
        let count = Movement::Count {
            on_hand: p.on_hand,
            safety_stock: Some(p.safety_stock),
            damaged: Some(p.damaged),
            quality_hold: Some(p.quality_hold),
        };
        ledger.push(book.apply(&p.location, &p.sku, count, cause).map_err(|e| {
            StoreError::Corrupt(format!("opening stock of {}@{}: {e}", p.sku, p.location))
        })?);
    }
    write_book(&mut tx, &book, seed.now_ms).await?;
    execute_all(&mut tx, ledger_inserts(&ledger)).await?;
    tx.commit().await?;
    Ok(())
}
