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

impl Reservation {
    /// Gives `units` back to the position: all of them releases the reservation, fewer
    /// shrinks it.
    pub fn give_back(
        &mut self,
        units: i64,
        book: &mut StockBook,
        cause: Cause<'_>,
    ) -> Result<LedgerEntry, InventoryError> {
        if units >= self.quantity {
            return self.release(book, cause);
        }
        let entry = book.apply(
            &self.location,
            &self.sku,
            Movement::Release { quantity: units },
            cause,
        )?;
        self.quantity -= units;
        self.updated_at_ms = cause.at_ms;
        Ok(entry)
    }
}

/// Units a reservation gave back so that a count could stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenBack {
    pub reservation_id: String,
    pub owner: ReservationOwner,
    pub owner_id: String,
    pub line_no: u32,
    pub units: i64,
}

/// Makes the held reservations at one position fit in `room` sellable units, giving units
/// back in this order: checkout holds, then orders, then transfers, the newest first within
/// each. Answers what each gave.
pub fn shrink_to_fit(
    reservations: &mut [Reservation],
    room: i64,
    book: &mut StockBook,
    cause: Cause<'_>,
) -> Result<(Vec<GivenBack>, Vec<LedgerEntry>), InventoryError> {
    let held: i64 = reservations
        .iter()
        .filter(|r| r.status == ReservationStatus::Held)
        .map(|r| r.quantity)
        .sum();
    let mut excess = held - room.max(0);
    let rank = |owner: ReservationOwner| match owner {
        ReservationOwner::Hold => 0,
        ReservationOwner::Order => 1,
        ReservationOwner::Transfer => 2,
    };
    let mut order: Vec<usize> = (0..reservations.len())
        .filter(|i| reservations[*i].status == ReservationStatus::Held)
        .collect();
    order.sort_by(|a, b| {
        let (a, b) = (&reservations[*a], &reservations[*b]);
        rank(a.owner)
            .cmp(&rank(b.owner))
            .then(b.created_at_ms.cmp(&a.created_at_ms))
            .then(b.id.cmp(&a.id))
    });
    let mut given = Vec::new();
    let mut ledger = Vec::new();
    for i in order {
        if excess <= 0 {
            break;
        }
        let r = &mut reservations[i];
        let units = excess.min(r.quantity);
        ledger.push(r.give_back(units, book, cause)?);
        excess -= units;
        given.push(GivenBack {
            reservation_id: r.id.clone(),
            owner: r.owner,
            owner_id: r.owner_id.clone(),
            line_no: r.line_no,
            units,
        });
    }
    Ok((given, ledger))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Position;

    fn held(id: &str, owner: ReservationOwner, quantity: i64, created_at_ms: i64) -> Reservation {
        Reservation {
            id: id.into(),
            owner,
            owner_id: format!("{id}-owner"),
            line_no: 1,
            sku: Sku::parse("S").unwrap(),
            location: LocationCode::parse("L").unwrap(),
            quantity,
            status: ReservationStatus::Held,
            expires_at_ms: None,
            created_at_ms,
            updated_at_ms: created_at_ms,
        }
    }

    #[test]
    fn a_short_count_takes_from_holds_then_the_newest_orders_then_transfers() {
        let mut reservations = vec![
            held("old-order", ReservationOwner::Order, 3, 1),
            held("transfer", ReservationOwner::Transfer, 2, 5),
            held("new-order", ReservationOwner::Order, 3, 9),
            held("hold", ReservationOwner::Hold, 1, 2),
        ];
        let position = Position {
            on_hand: 9,
            reserved: 9,
            ..Position::empty(LocationCode::parse("L").unwrap(), Sku::parse("S").unwrap())
        };
        let mut book = StockBook::new([position]);
        let cause = Cause {
            at_ms: 10,
            reason: Some("count"),
            reference: None,
            actor: "test",
        };
        let (given, ledger) = shrink_to_fit(&mut reservations, 4, &mut book, cause).unwrap();
        let taken: Vec<(&str, i64)> = given
            .iter()
            .map(|g| (g.reservation_id.as_str(), g.units))
            .collect();
        assert_eq!(taken, vec![("hold", 1), ("new-order", 3), ("old-order", 1)]);
        assert_eq!(ledger.len(), 3);
        assert_eq!(reservations[0].quantity, 2, "the old order keeps what fits");
        assert_eq!(reservations[2].status, ReservationStatus::Released);
        let still_held: i64 = reservations
            .iter()
            .filter(|r| r.status == ReservationStatus::Held)
            .map(|r| r.quantity)
            .sum();
        assert_eq!(still_held, 4);
        assert_eq!(
            book.get(
                &LocationCode::parse("L").unwrap(),
                &Sku::parse("S").unwrap()
            )
            .unwrap()
            .reserved,
            4
        );
    }
}
