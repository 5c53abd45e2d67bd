//! One item at one location, and the only arithmetic that changes it: [`Position::apply`]
//! refuses whatever would break an invariant and answers with the ledger entry.
//!
//! Invariants of a position, after every movement:
//! - every figure is between 0 and [`UNITS_MAX`];
//! - damaged + quality hold ≤ on hand (unsellable units are part of on hand);
//! - reserved ≤ on hand − damaged − quality hold (only sellable units can be promised).

use crate::values::{LocationCode, Sku};

/// Largest stock figure a position may hold.
pub const UNITS_MAX: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub location: LocationCode,
    pub sku: Sku,
    /// Every unit in the building, sellable or not.
    pub on_hand: i64,
    /// Units promised to order lines, checkout holds and transfers.
    pub reserved: i64,
    /// Units never promised, kept back against miscounts.
    pub safety_stock: i64,
    /// On hand but damaged: never available.
    pub damaged: i64,
    /// On hand but held for quality inspection: never available.
    pub quality_hold: i64,
}

/// Which part of on hand a movement touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StockState {
    Sellable,
    Damaged,
    QualityHold,
}

impl StockState {
    pub const ALL: [StockState; 3] = [Self::Sellable, Self::Damaged, Self::QualityHold];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sellable => "sellable",
            Self::Damaged => "damaged",
            Self::QualityHold => "quality_hold",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "must be one of sellable, damaged, quality_hold".to_string())
    }
}

/// A requested change to a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Counted figures replace on hand and, when given, the other figures.
    Count {
        on_hand: i64,
        safety_stock: Option<i64>,
        damaged: Option<i64>,
        quality_hold: Option<i64>,
    },
    /// A signed correction to on hand, in one of its states.
    Adjust { delta: i64, state: StockState },
    /// Units arrive: a purchase order, an advance ship notice, a transfer.
    Receive { quantity: i64, state: StockState },
    /// Units change state without moving: sellable to damaged, quality hold to sellable...
    Reclassify {
        quantity: i64,
        from: StockState,
        to: StockState,
    },
    /// Units promised to an order line, a hold or a transfer.
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
    Receipt,
    Reclassify,
    Reserve,
    Release,
    Commit,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 7] = [
        Self::Count,
        Self::Adjustment,
        Self::Receipt,
        Self::Reclassify,
        Self::Reserve,
        Self::Release,
        Self::Commit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Adjustment => "adjustment",
            Self::Receipt => "receipt",
            Self::Reclassify => "reclassify",
            Self::Reserve => "reserve",
            Self::Release => "release",
            Self::Commit => "commit",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error("sellable units would be {sellable}, below the {reserved} units reserved")]
    BelowReserved { sellable: i64, reserved: i64 },
    #[error("{figure} would be {value}, below zero")]
    Negative { figure: &'static str, value: i64 },
    #[error("damaged and quality-hold units ({unsellable}) would exceed on hand ({on_hand})")]
    UnsellableExceedsOnHand { unsellable: i64, on_hand: i64 },
    #[error("the figure would exceed {UNITS_MAX} units")]
    TooLarge,
    #[error("only {available} units are available, {requested} were asked for")]
    Unavailable { available: i64, requested: i64 },
    #[error("{requested} units cannot leave a reservation of {reserved}")]
    NotReserved { reserved: i64, requested: i64 },
    #[error("units cannot be reclassified from {0} to itself")]
    SameState(&'static str),
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
    pub damaged_after: i64,
    pub quality_hold_after: i64,
    pub reason: Option<String>,
    /// What caused it: an order, hold, transfer or inbound id; an adjustment or sync id.
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
            damaged: 0,
            quality_hold: 0,
        }
    }

    /// Damaged and quality-hold units.
    pub fn unsellable(&self) -> i64 {
        self.damaged + self.quality_hold
    }

    /// On hand that could be sold: on hand − damaged − quality hold.
    pub fn sellable(&self) -> i64 {
        self.on_hand - self.unsellable()
    }

    /// Available to promise: sellable − reserved − safety stock, never below zero.
    pub fn available(&self) -> i64 {
        (self.sellable() - self.reserved - self.safety_stock).max(0)
    }

    /// Applies a movement, or leaves the position untouched and says why not.
    pub fn apply(
        &mut self,
        movement: Movement,
        cause: Cause<'_>,
    ) -> Result<LedgerEntry, InventoryError> {
        let mut next = self.clone();
        let kind = match movement {
            Movement::Count {
                on_hand,
                safety_stock,
                damaged,
                quality_hold,
            } => {
                next.on_hand = on_hand;
                next.safety_stock = safety_stock.unwrap_or(next.safety_stock);
                next.damaged = damaged.unwrap_or(next.damaged);
                next.quality_hold = quality_hold.unwrap_or(next.quality_hold);
                LedgerKind::Count
            }
            Movement::Adjust { delta, state } => {
                next.add(delta, state)?;
                LedgerKind::Adjustment
            }
            Movement::Receive { quantity, state } => {
                next.add(quantity, state)?;
                LedgerKind::Receipt
            }
            Movement::Reclassify { quantity, from, to } => {
                if from == to {
                    return Err(InventoryError::SameState(from.as_str()));
                }
                next.add(-quantity, from)?;
                next.add(quantity, to)?;
                LedgerKind::Reclassify
            }
            Movement::Reserve { quantity } => {
                if quantity > self.available() {
                    return Err(InventoryError::Unavailable {
                        available: self.available(),
                        requested: quantity,
                    });
                }
                next.reserved += quantity;
                LedgerKind::Reserve
            }
            Movement::Release { quantity } => {
                if quantity > self.reserved {
                    return Err(InventoryError::NotReserved {
                        reserved: self.reserved,
                        requested: quantity,
                    });
                }
                next.reserved -= quantity;
                LedgerKind::Release
            }
            Movement::Commit { quantity } => {
                if quantity > self.reserved {
                    return Err(InventoryError::NotReserved {
                        reserved: self.reserved,
                        requested: quantity,
                    });
                }
                next.reserved -= quantity;
                next.on_hand -= quantity;
                LedgerKind::Commit
            }
        };
        next.check()?;
        let entry = LedgerEntry {
            at_ms: cause.at_ms,
            location: self.location.clone(),
            sku: self.sku.clone(),
            kind,
            on_hand_delta: next.on_hand - self.on_hand,
            reserved_delta: next.reserved - self.reserved,
            on_hand_after: next.on_hand,
            reserved_after: next.reserved,
            safety_stock_after: next.safety_stock,
            damaged_after: next.damaged,
            quality_hold_after: next.quality_hold,
            reason: cause.reason.map(str::to_string),
            reference: cause.reference.map(str::to_string),
            actor: cause.actor.to_string(),
        };
        *self = next;
        Ok(entry)
    }

    /// Adds units to on hand in a state (removes them, for a negative delta).
    fn add(&mut self, delta: i64, state: StockState) -> Result<(), InventoryError> {
        let grow = |figure: i64| figure.checked_add(delta).ok_or(InventoryError::TooLarge);
        self.on_hand = grow(self.on_hand)?;
        match state {
            StockState::Sellable => {}
            StockState::Damaged => self.damaged = grow(self.damaged)?,
            StockState::QualityHold => self.quality_hold = grow(self.quality_hold)?,
        }
        Ok(())
    }

    /// The invariants listed at the top of this module.
    pub fn check(&self) -> Result<(), InventoryError> {
        let figures = [
            ("on hand", self.on_hand),
            ("reserved", self.reserved),
            ("safety stock", self.safety_stock),
            ("damaged", self.damaged),
            ("quality hold", self.quality_hold),
        ];
        for (figure, value) in figures {
            if value < 0 {
                return Err(InventoryError::Negative { figure, value });
            }
            if value > UNITS_MAX {
                return Err(InventoryError::TooLarge);
            }
        }
        if self.unsellable() > self.on_hand {
            return Err(InventoryError::UnsellableExceedsOnHand {
                unsellable: self.unsellable(),
                on_hand: self.on_hand,
            });
        }
        if self.reserved > self.sellable() {
            return Err(InventoryError::BelowReserved {
                sellable: self.sellable(),
                reserved: self.reserved,
            });
        }
        Ok(())
    }
}
