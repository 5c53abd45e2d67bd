//! Inventory positions and their arithmetic. Every change to a position goes through
//! [`Position::apply`], which refuses what would break an invariant, and yields a ledger entry.

use std::collections::HashMap;

use crate::values::{LocationCode, Sku};

/// Largest stock figure a position may hold.
pub const UNITS_MAX: i64 = 1_000_000_000;

/// One item at one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub location: LocationCode,
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
}

/// A requested change to a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// A counted figure replaces on hand (and optionally safety stock).
    Count {
        on_hand: i64,
        safety_stock: Option<i64>,
    },
    /// A signed correction to on hand.
    Adjust { delta: i64 },
    /// Units promised to an order line.
    Reserve { quantity: i64 },
    /// Promised units given back (cancel, expiry, re-route).
    Release { quantity: i64 },
    /// Promised units leave the building: on hand and reserved both go down.
    Commit { quantity: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerKind {
    Count,
    Adjustment,
    Reserve,
    Release,
    Commit,
}

impl LedgerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Adjustment => "adjustment",
            Self::Reserve => "reserve",
            Self::Release => "release",
            Self::Commit => "commit",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Count,
            Self::Adjustment,
            Self::Reserve,
            Self::Release,
            Self::Commit,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error("on hand would be {on_hand}, below the {reserved} units reserved")]
    BelowReserved { on_hand: i64, reserved: i64 },
    #[error("on hand would be {on_hand}, below zero")]
    Negative { on_hand: i64 },
    #[error("the figure would exceed {UNITS_MAX} units")]
    TooLarge,
    #[error("only {available} units are available, {requested} were asked for")]
    Unavailable { available: i64, requested: i64 },
    #[error("{requested} units cannot leave a reservation of {reserved}")]
    NotReserved { reserved: i64, requested: i64 },
}

/// One line of the inventory ledger: what changed, why, and the figures after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub at_ms: i64,
    pub location: LocationCode,
    pub sku: Sku,
    pub kind: LedgerKind,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    pub safety_stock_after: i64,
    pub reason: Option<String>,
    /// What caused it: an order id, an adjustment batch id.
    pub reference: Option<String>,
    pub actor: String,
}

/// Why a movement happened, copied into its ledger entry.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    pub at_ms: i64,
    pub reason: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub actor: &'a str,
}

impl Position {
    pub fn empty(location: LocationCode, sku: Sku) -> Self {
        Self {
            location,
            sku,
            on_hand: 0,
            reserved: 0,
            safety_stock: 0,
        }
    }

    /// Available to promise: on hand − reserved − safety stock, never below zero.
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved - self.safety_stock).max(0)
    }

    /// Applies a movement, or leaves the position untouched and says why not.
    pub fn apply(
        &mut self,
        movement: Movement,
        cause: Cause<'_>,
    ) -> Result<LedgerEntry, InventoryError> {
        let (kind, on_hand, reserved, safety_stock) = match movement {
            Movement::Count {
                on_hand,
                safety_stock,
            } => (
                LedgerKind::Count,
                on_hand,
                self.reserved,
                safety_stock.unwrap_or(self.safety_stock),
            ),
            Movement::Adjust { delta } => {
                let on_hand = self
                    .on_hand
                    .checked_add(delta)
                    .ok_or(InventoryError::TooLarge)?;
                (
                    LedgerKind::Adjustment,
                    on_hand,
                    self.reserved,
                    self.safety_stock,
                )
            }
            Movement::Reserve { quantity } => {
                if quantity > self.available() {
                    return Err(InventoryError::Unavailable {
                        available: self.available(),
                        requested: quantity,
                    });
                }
                (
                    LedgerKind::Reserve,
                    self.on_hand,
                    self.reserved + quantity,
                    self.safety_stock,
                )
            }
            Movement::Release { quantity } => {
                if quantity > self.reserved {
                    return Err(InventoryError::NotReserved {
                        reserved: self.reserved,
                        requested: quantity,
                    });
                }
                (
                    LedgerKind::Release,
                    self.on_hand,
                    self.reserved - quantity,
                    self.safety_stock,
                )
            }
            Movement::Commit { quantity } => {
                if quantity > self.reserved {
                    return Err(InventoryError::NotReserved {
                        reserved: self.reserved,
                        requested: quantity,
                    });
                }
                (
                    LedgerKind::Commit,
                    self.on_hand - quantity,
                    self.reserved - quantity,
                    self.safety_stock,
                )
            }
        };
        if on_hand < 0 {
            return Err(InventoryError::Negative { on_hand });
        }
        if on_hand > UNITS_MAX || safety_stock > UNITS_MAX {
            return Err(InventoryError::TooLarge);
        }
        if on_hand < reserved {
            return Err(InventoryError::BelowReserved { on_hand, reserved });
        }
        let entry = LedgerEntry {
            at_ms: cause.at_ms,
            location: self.location.clone(),
            sku: self.sku.clone(),
            kind,
            on_hand_delta: on_hand - self.on_hand,
            reserved_delta: reserved - self.reserved,
            on_hand_after: on_hand,
            reserved_after: reserved,
            safety_stock_after: safety_stock,
            reason: cause.reason.map(str::to_string),
            reference: cause.reference.map(str::to_string),
            actor: cause.actor.to_string(),
        };
        self.on_hand = on_hand;
        self.reserved = reserved;
        self.safety_stock = safety_stock;
        Ok(entry)
    }
}

/// The positions one transaction works on, loaded once, changed in memory by the domain and
/// written back by the store. It remembers each position's loaded figures so the store can
/// write only what changed, and check that nobody else changed it meanwhile.
#[derive(Debug, Default)]
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

/// What one item is available to promise, across the network and per location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuAvailability {
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub locations: Vec<Position>,
}

/// Sums the positions of one item at the locations that can fulfil. Each location contributes
/// its own clamped availability: one location's deficit never hides another's stock.
pub fn summarize(sku: Sku, positions: Vec<Position>) -> SkuAvailability {
    SkuAvailability {
        on_hand: positions.iter().map(|p| p.on_hand).sum(),
        reserved: positions.iter().map(|p| p.reserved).sum(),
        available: positions.iter().map(Position::available).sum(),
        sku,
        locations: positions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(on_hand: i64, reserved: i64, safety_stock: i64) -> Position {
        Position {
            location: LocationCode::parse("L1").unwrap(),
            sku: Sku::parse("S1").unwrap(),
            on_hand,
            reserved,
            safety_stock,
        }
    }

    fn cause() -> Cause<'static> {
        Cause {
            at_ms: 1,
            reason: None,
            reference: None,
            actor: "test",
        }
    }

    #[test]
    fn available_subtracts_reserved_and_safety_stock_and_never_goes_negative() {
        assert_eq!(position(10, 3, 2).available(), 5);
        assert_eq!(position(4, 3, 2).available(), 0);
    }

    #[test]
    fn reserving_more_than_available_is_refused_and_changes_nothing() {
        let mut p = position(10, 3, 2);
        let err = p
            .apply(Movement::Reserve { quantity: 6 }, cause())
            .unwrap_err();
        assert_eq!(
            err,
            InventoryError::Unavailable {
                available: 5,
                requested: 6
            }
        );
        assert_eq!(p, position(10, 3, 2));
    }

    #[test]
    fn counts_and_adjustments_cannot_drop_on_hand_below_reserved() {
        let mut p = position(10, 6, 0);
        assert!(matches!(
            p.apply(
                Movement::Count {
                    on_hand: 5,
                    safety_stock: None
                },
                cause()
            ),
            Err(InventoryError::BelowReserved {
                on_hand: 5,
                reserved: 6
            })
        ));
        assert!(p.apply(Movement::Adjust { delta: -5 }, cause()).is_err());
        let entry = p.apply(Movement::Adjust { delta: -4 }, cause()).unwrap();
        assert_eq!((entry.on_hand_delta, entry.on_hand_after), (-4, 6));
    }

    #[test]
    fn commit_takes_units_out_of_both_on_hand_and_reserved() {
        let mut p = position(10, 4, 0);
        let entry = p.apply(Movement::Commit { quantity: 3 }, cause()).unwrap();
        assert_eq!((p.on_hand, p.reserved), (7, 1));
        assert_eq!((entry.on_hand_delta, entry.reserved_delta), (-3, -3));
        assert!(p.apply(Movement::Release { quantity: 2 }, cause()).is_err());
    }

    #[test]
    fn the_book_reports_only_changed_positions() {
        let mut book = StockBook::new([position(10, 0, 0)]);
        assert_eq!(book.changed().count(), 0);
        let (l, s) = (
            LocationCode::parse("L1").unwrap(),
            Sku::parse("S1").unwrap(),
        );
        book.apply(&l, &s, Movement::Reserve { quantity: 2 }, cause())
            .unwrap();
        let new_sku = Sku::parse("S2").unwrap();
        book.apply(&l, &new_sku, Movement::Adjust { delta: 5 }, cause())
            .unwrap();
        let changed: Vec<_> = book
            .changed()
            .map(|c| (c.now.sku.clone(), c.loaded.is_some()))
            .collect();
        assert_eq!(changed.len(), 2);
        assert!(changed.contains(&(s, true)) && changed.contains(&(new_sku, false)));
    }
}
