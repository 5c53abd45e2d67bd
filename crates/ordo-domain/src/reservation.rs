//! Reservations: units of one item at one location held for one line of an order, a checkout
//! hold or a transfer. A reservation is held, then committed (the units leave: on hand and
//! reserved both go down) or released (cancel, expiry, re-route). A position's `reserved`
//! always equals the sum of its held reservations.

use crate::inventory::{Cause, InventoryError, LedgerEntry, Movement, StockBook};
use crate::values::{LocationCode, Sku};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationOwner {
    Order,
    Hold,
    Transfer,
}

impl ReservationOwner {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Hold => "hold",
            Self::Transfer => "transfer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Order, Self::Hold, Self::Transfer]
            .into_iter()
            .find(|o| o.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservationStatus {
    Held,
    Committed,
    Released,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Committed => "committed",
            Self::Released => "released",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Held, Self::Committed, Self::Released]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: String,
    pub owner: ReservationOwner,
    /// The order, hold or transfer id.
    pub owner_id: String,
    /// The owner's line this reservation serves.
    pub line_no: u32,
    pub sku: Sku,
    pub location: LocationCode,
    pub quantity: i64,
    pub status: ReservationStatus,
    /// When a held reservation stops counting (checkout holds); `None` never expires.
    pub expires_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Reservation {
    /// Held and not past its expiry.
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.status == ReservationStatus::Held && self.expires_at_ms.is_none_or(|at| at > now_ms)
    }

    /// Held but past its expiry: its units are free, whether or not anything has released it.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.status == ReservationStatus::Held && self.expires_at_ms.is_some_and(|at| at <= now_ms)
    }

    /// Gives the units back to the position.
    pub fn release(
        &mut self,
        book: &mut StockBook,
        cause: Cause<'_>,
    ) -> Result<LedgerEntry, InventoryError> {
        let entry = book.apply(
            &self.location,
            &self.sku,
            Movement::Release {
                quantity: self.quantity,
            },
            cause,
        )?;
        self.status = ReservationStatus::Released;
        self.updated_at_ms = cause.at_ms;
        Ok(entry)
    }

    /// The units leave the building: on hand and reserved both go down. Committing part of a
    /// reservation splits it: the rest stays held under `rest_id`.
    pub fn commit(
        &mut self,
        quantity: i64,
        book: &mut StockBook,
        cause: Cause<'_>,
        rest_id: impl FnOnce() -> String,
    ) -> Result<(LedgerEntry, Option<Reservation>), InventoryError> {
        if quantity > self.quantity || quantity < 1 || self.status != ReservationStatus::Held {
            return Err(InventoryError::NotReserved {
                reserved: self.quantity,
                requested: quantity,
            });
        }
        let entry = book.apply(
            &self.location,
            &self.sku,
            Movement::Commit { quantity },
            cause,
        )?;
        let rest = (quantity < self.quantity).then(|| Reservation {
            id: rest_id(),
            quantity: self.quantity - quantity,
            created_at_ms: cause.at_ms,
            updated_at_ms: cause.at_ms,
            ..self.clone()
        });
        self.quantity = quantity;
        self.status = ReservationStatus::Committed;
        self.updated_at_ms = cause.at_ms;
        Ok((entry, rest))
    }
}

/// Releases every held reservation past its expiry, returning the ledger entries.
pub fn release_expired(
    reservations: &mut [Reservation],
    book: &mut StockBook,
    now_ms: i64,
    actor: &str,
) -> Result<Vec<LedgerEntry>, InventoryError> {
    let mut ledger = Vec::new();
    for r in reservations.iter_mut().filter(|r| r.is_expired(now_ms)) {
        let owner_id = r.owner_id.clone();
        let cause = Cause {
            at_ms: now_ms,
            reason: Some("hold expired"),
            reference: Some(&owner_id),
            actor,
        };
        ledger.push(r.release(book, cause)?);
    }
    Ok(ledger)
}
