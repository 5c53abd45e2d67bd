//! The positions one transaction works on, loaded once, changed in memory by the domain and
//! written back by the store.

use std::collections::HashMap;

use super::position::{Cause, InventoryError, LedgerEntry, Movement, Position};
use crate::values::{LocationCode, Sku};

/// Remembers each position's loaded figures so the store can write only what changed, and
/// check that nobody else changed it meanwhile.
#[derive(Debug, Default, Clone)]
pub struct StockBook {
    positions: HashMap<(LocationCode, Sku), Position>,
    loaded: HashMap<(LocationCode, Sku), Position>,
}

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
        self.positions.insert(key, position);
        Ok(entry)
    }

    /// The positions whose figures differ from what was loaded.
    pub fn changed(&self) -> impl Iterator<Item = ChangedPosition<'_>> {
        self.positions.iter().filter_map(|(key, now)| {
            let loaded = self.loaded.get(key);
            (loaded != Some(now)).then_some(ChangedPosition { now, loaded })
        })
    }
}
