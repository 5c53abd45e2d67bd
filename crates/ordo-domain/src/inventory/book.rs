//! The positions one transaction works on, loaded once, changed in memory by the domain and
//! written back by the store.

use std::collections::HashMap;

use super::position::{Cause, InventoryError, LedgerEntry, Movement, Position};
use crate::values::{LocationCode, Sku};

type Key = (LocationCode, Sku);

/// Remembers each position's loaded figures so the store can write only what changed, and
/// check that nobody else changed it meanwhile. Every movement is journalled, so a decision
/// that is refused halfway can be rolled back to a [`Checkpoint`] without copying the book.
#[derive(Debug, Default, Clone)]
pub struct StockBook {
    positions: HashMap<Key, Position>,
    loaded: HashMap<Key, Position>,
    /// Each movement's position as it was before (`None`: it did not exist yet).
    undo: Vec<(Key, Option<Position>)>,
}

/// A point in a book's history that [`StockBook::rollback`] returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint(usize);

/// A position the book changed: its figures now, and as loaded (`None` if it is new).
pub struct ChangedPosition<'a> {
    pub now: &'a Position,
    pub loaded: Option<&'a Position>,
}

impl StockBook {
    pub fn new(positions: impl IntoIterator<Item = Position>) -> Self {
        let positions: HashMap<_, _> = positions
            .into_iter()
            .map(|p| ((p.location.clone(), p.sku.clone()), p))
            .collect();
        Self {
            loaded: positions.clone(),
            positions,
            undo: Vec::new(),
        }
    }

    pub fn get(&self, location: &LocationCode, sku: &Sku) -> Option<&Position> {
        self.positions.get(&(location.clone(), sku.clone()))
    }

    pub fn available(&self, location: &LocationCode, sku: &Sku) -> i64 {
        self.get(location, sku).map_or(0, Position::available)
    }

    /// Every position the book holds.
    pub fn positions(&self) -> impl Iterator<Item = &Position> {
        self.positions.values()
    }

    /// Applies a movement, creating the position if this is its first.
    pub fn apply(
        &mut self,
        location: &LocationCode,
        sku: &Sku,
        movement: Movement,
        cause: Cause<'_>,
    ) -> Result<LedgerEntry, InventoryError> {
        let key = (location.clone(), sku.clone());
        let mut position = self
            .positions
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Position::empty(location.clone(), sku.clone()));
        let entry = position.apply(movement, cause)?;
        let before = self.positions.insert(key.clone(), position);
        self.undo.push((key, before));
        Ok(entry)
    }

    /// The book as it is now, to roll back to.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.undo.len())
    }

    /// Undoes every movement applied since `to` was taken.
    pub fn rollback(&mut self, to: Checkpoint) {
        while self.undo.len() > to.0 {
            let Some((key, before)) = self.undo.pop() else {
                return;
            };
            match before {
                Some(position) => self.positions.insert(key, position),
                None => self.positions.remove(&key),
            };
        }
    }

    /// The positions whose figures differ from what was loaded.
    pub fn changed(&self) -> impl Iterator<Item = ChangedPosition<'_>> {
        self.positions.iter().filter_map(|(key, now)| {
            let loaded = self.loaded.get(key);
            (loaded != Some(now)).then_some(ChangedPosition { now, loaded })
        })
    }
}
