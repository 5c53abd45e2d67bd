//! Stock movements asked together — counts, adjustments, reclassifications — applied in one
//! transaction, all or none; units they free go to waiting backorders.

use std::collections::BTreeSet;

use ordo_domain::inventory::{Cause, LedgerEntry, MoveProblem, Movement, apply_moves};
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::{Deciders, Store};

use crate::stock::StockWork;
use crate::transact::Attempt;

/// Movements applied together, with one cause.
pub(crate) struct Moves {
    pub moves: Vec<(LocationCode, Sku, Movement)>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub actor: String,
    pub now_ms: i64,
}

/// The ledger entries of the movements, or why they cannot apply (each problem with the
/// index of its movement); then nothing is written.
pub(crate) type Moved = Result<Vec<LedgerEntry>, Vec<(usize, MoveProblem)>>;

pub(crate) async fn move_stock(
    store: &dyn Store,
    batch: &Moves,
    deciders: &Deciders<'_>,
) -> Attempt<Moved> {
    let mut tx = store.transaction().await?;
    let skus: BTreeSet<&Sku> = batch.moves.iter().map(|(_, s, _)| s).collect();
    let locations: BTreeSet<&LocationCode> = batch.moves.iter().map(|(l, _, _)| l).collect();
    let known_locations = tx.existing_locations(&locations).await?;
    let known_items = tx.existing_items(&skus).await?;
    let mut work = StockWork::begin(&mut tx, &known_items, batch.now_ms).await?;
    let cause = Cause {
        at_ms: batch.now_ms,
        reason: batch.reason.as_deref(),
        reference: batch.reference.as_deref(),
        actor: &batch.actor,
    };
    let book = &mut work.changes.book;
    let entries = match apply_moves(book, &batch.moves, &known_locations, &known_items, cause) {
        Ok(entries) => entries,
        Err(problems) => return Ok(Err(problems)),
    };
    work.changes.ledger.extend(entries.iter().cloned());
    work.fill_backorders(&mut tx, deciders, "stock arrived")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Ok(entries))
}
