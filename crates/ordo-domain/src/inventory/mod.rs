//! Inventory: positions and the only arithmetic that changes them ([`position`]), the
//! in-memory book a transaction decides against ([`book`]), and availability to promise, per
//! location, for the network and for a channel ([`availability`]).

mod availability;
mod book;
mod moves;
mod position;

pub use availability::{LocationAvailability, SkuAvailability, channel_available, summarize};
pub use book::{ChangedPosition, Checkpoint, StockBook};
pub use moves::{MoveProblem, apply_moves};
pub use position::{
    Cause, InventoryError, LedgerEntry, LedgerKind, Movement, Position, StockState, UNITS_MAX,
};

#[cfg(test)]
mod tests;
