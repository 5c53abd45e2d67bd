//! Stock movements asked together: all of them apply, or none.

use std::collections::BTreeSet;

use super::{Cause, InventoryError, LedgerEntry, Movement, StockBook};
use crate::values::{LocationCode, Sku};

/// Why one movement of a batch cannot apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveProblem {
    UnknownLocation,
    UnknownItem,
    Refused(InventoryError),
}

/// Applies every movement to the book, or none: answers their ledger entries, or each
/// problem with the index of its movement. `locations` and `items` are the ones that exist.
pub fn apply_moves(
    book: &mut StockBook,
    moves: &[(LocationCode, Sku, Movement)],
    locations: &BTreeSet<LocationCode>,
    items: &BTreeSet<Sku>,
    cause: Cause<'_>,
) -> Result<Vec<LedgerEntry>, Vec<(usize, MoveProblem)>> {
    let mut problems = Vec::new();
    for (i, (location, sku, _)) in moves.iter().enumerate() {
        if !locations.contains(location) {
            problems.push((i, MoveProblem::UnknownLocation));
        }
        if !items.contains(sku) {
            problems.push((i, MoveProblem::UnknownItem));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let checkpoint = book.checkpoint();
    let mut entries = Vec::with_capacity(moves.len());
    for (i, (location, sku, movement)) in moves.iter().enumerate() {
        match book.apply(location, sku, *movement, cause) {
            Ok(entry) => entries.push(entry),
            Err(refusal) => problems.push((i, MoveProblem::Refused(refusal))),
        }
    }
    if !problems.is_empty() {
        book.rollback(checkpoint);
        return Err(problems);
    }
    Ok(entries)
}
