//! Transfers between locations: requested (units reserved at the source), shipped (the units
//! leave the source and count nowhere while in transit), received (partly or wholly, they
//! count at the destination), or cancelled before shipping (the units are released).

use crate::field::FieldErrors;
use crate::inventory::{Cause, InventoryError, LedgerEntry, Movement, StockBook, StockState};
use crate::location::{Location, location_point};
use crate::promise::{Supply, TransitModel, add_days, delivery_date, utc_date};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::values::{LocationCode, Sku};

/// Most lines one transfer may have.
pub const TRANSFER_LINES_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStatus {
    Requested,
    InTransit,
    PartiallyReceived,
    Received,
    Cancelled,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::InTransit => "in_transit",
            Self::PartiallyReceived => "partially_received",
            Self::Received => "received",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        [
            Self::Requested,
            Self::InTransit,
            Self::PartiallyReceived,
            Self::Received,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| {
            "must be one of requested, in_transit, partially_received, received, cancelled"
                .to_string()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
    pub shipped: i64,
    pub received: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: String,
    pub from: LocationCode,
    pub to: LocationCode,
    pub status: TransferStatus,
    pub reason: Option<String>,
    pub lines: Vec<TransferLine>,
    pub created_at_ms: i64,
    pub shipped_at_ms: Option<i64>,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("the transfer is {0} and cannot do that")]
    WrongStatus(&'static str),
    #[error("line {line}: {requested} units cannot be received, {open} are in transit")]
    OverReceipt {
        line: u32,
        requested: i64,
        open: i64,
    },
    #[error("the transfer has no line {0}")]
    UnknownLine(u32),
    #[error(
        "only {available} units of {sku} are available at the source, {requested} were asked for"
    )]
    Short {
        sku: String,
        requested: i64,
        available: i64,
    },
    #[error(transparent)]
    Inventory(#[from] InventoryError),
}

impl Transfer {
    /// Reserves every line at the source, or none.
    pub fn request(
        mut transfer: Transfer,
        book: &mut StockBook,
        actor: &str,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<(Transfer, Vec<Reservation>, Vec<LedgerEntry>), TransferError> {
        let mark = book.checkpoint();
        match transfer.reserve_lines(book, actor, new_id) {
            Ok((reservations, ledger)) => {
                transfer.status = TransferStatus::Requested;
                Ok((transfer, reservations, ledger))
            }
            Err(refusal) => {
                book.rollback(mark);
                Err(refusal)
            }
        }
    }

    fn reserve_lines(
        &self,
        book: &mut StockBook,
        actor: &str,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<(Vec<Reservation>, Vec<LedgerEntry>), TransferError> {
        let now = self.created_at_ms;
        let cause = Cause {
            at_ms: now,
            reason: Some("transfer requested"),
            reference: Some(&self.id),
            actor,
        };
        let mut reservations = Vec::new();
        let mut ledger = Vec::new();
        for line in &self.lines {
            let available = book.available(&self.from, &line.sku);
            if line.quantity > available {
                return Err(TransferError::Short {
                    sku: line.sku.to_string(),
                    requested: line.quantity,
                    available,
                });
            }
            let reserve = Movement::Reserve {
                quantity: line.quantity,
            };
            ledger.push(book.apply(&self.from, &line.sku, reserve, cause)?);
            reservations.push(Reservation {
                id: new_id(),
                owner: ReservationOwner::Transfer,
                owner_id: self.id.clone(),
                line_no: line.line_no,
                sku: line.sku.clone(),
                location: self.from.clone(),
                quantity: line.quantity,
                status: ReservationStatus::Held,
                expires_at_ms: None,
                created_at_ms: now,
                updated_at_ms: now,
            });
        }
        Ok((reservations, ledger))
    }

    /// The units leave the source: its reservations are committed.
    pub fn ship(
        &mut self,
        reservations: &mut [Reservation],
        book: &mut StockBook,
        now_ms: i64,
        actor: &str,
    ) -> Result<Vec<LedgerEntry>, TransferError> {
        if self.status != TransferStatus::Requested {
            return Err(TransferError::WrongStatus(self.status.as_str()));
        }
        let cause = Cause {
            at_ms: now_ms,
            reason: Some("transfer shipped"),
            reference: Some(&self.id),
            actor,
        };
        let mut ledger = Vec::new();
        for r in reservations
            .iter_mut()
            .filter(|r| r.status == ReservationStatus::Held)
        {
            let quantity = r.quantity;
            let (entry, _) = r.commit(quantity, book, cause, String::new)?;
            ledger.push(entry);
            if let Some(line) = self.lines.iter_mut().find(|l| l.line_no == r.line_no) {
                line.shipped += quantity;
            }
        }
        self.status = TransferStatus::InTransit;
        self.shipped_at_ms = Some(now_ms);
        self.updated_at_ms = now_ms;
        Ok(ledger)
    }

    /// Units arrive at the destination. `receipts` are (line, units, state); receiving more
    /// than is in transit on a line is refused.
    pub fn receive(
        &mut self,
        receipts: &[(u32, i64, StockState)],
        book: &mut StockBook,
        now_ms: i64,
        actor: &str,
    ) -> Result<Vec<LedgerEntry>, TransferError> {
        if !matches!(
            self.status,
            TransferStatus::InTransit | TransferStatus::PartiallyReceived
        ) {
            return Err(TransferError::WrongStatus(self.status.as_str()));
        }
        let cause = Cause {
            at_ms: now_ms,
            reason: Some("transfer received"),
            reference: Some(&self.id),
            actor,
        };
        let mut ledger = Vec::new();
        for (line_no, units, state) in receipts {
            let line = self
                .lines
                .iter_mut()
                .find(|l| l.line_no == *line_no)
                .ok_or(TransferError::UnknownLine(*line_no))?;
            let open = line.shipped - line.received;
            if *units > open {
                return Err(TransferError::OverReceipt {
                    line: *line_no,
                    requested: *units,
                    open,
                });
            }
            ledger.push(book.apply(
                &self.to,
                &line.sku,
                Movement::Receive {
                    quantity: *units,
                    state: *state,
                },
                cause,
            )?);
            line.received += units;
        }
        let done = self.lines.iter().all(|l| l.received >= l.shipped);
        self.status = if done {
            TransferStatus::Received
        } else {
            TransferStatus::PartiallyReceived
        };
        self.updated_at_ms = now_ms;
        Ok(ledger)
    }

    /// Before shipping, gives the reserved units back to the source.
    pub fn cancel(
        &mut self,
        reservations: &mut [Reservation],
        book: &mut StockBook,
        now_ms: i64,
        actor: &str,
    ) -> Result<Vec<LedgerEntry>, TransferError> {
        if self.status != TransferStatus::Requested {
            return Err(TransferError::WrongStatus(self.status.as_str()));
        }
        let cause = Cause {
            at_ms: now_ms,
            reason: Some("transfer cancelled"),
            reference: Some(&self.id),
            actor,
        };
        let mut ledger = Vec::new();
        for r in reservations
            .iter_mut()
            .filter(|r| r.status == ReservationStatus::Held)
        {
            ledger.push(r.release(book, cause)?);
        }
        self.status = TransferStatus::Cancelled;
        self.updated_at_ms = now_ms;
        Ok(ledger)
    }

    /// Units in transit, as supply at the destination on the day they should arrive.
    pub fn in_transit_supply(
        &self,
        from: &Location,
        to: &Location,
        transit: &dyn TransitModel,
    ) -> Vec<Supply> {
        let Some(shipped_at) = self.shipped_at_ms else {
            return Vec::new();
        };
        let arrives = delivery_date(
            utc_date(shipped_at),
            transit.transit_days(location_point(from), location_point(to)),
        );
        let ready = add_days(arrives, to.receiving_lead_time_days);
        self.lines
            .iter()
            .filter(|l| l.shipped > l.received)
            .map(|l| Supply {
                location: to.code.clone(),
                ready,
                quantity: l.shipped - l.received,
            })
            .collect()
    }
}

impl Transfer {
    /// Turns receipts by item into receipts by line, filling each item's lines in order; no
    /// receipts means everything in transit, sellable. Names each receipt of more units than
    /// are in transit.
    pub fn receipts_by_line(
        &self,
        receipts: &[(Sku, i64, StockState)],
    ) -> Result<Vec<(u32, i64, StockState)>, FieldErrors> {
        let in_transit = |l: &TransferLine| l.shipped - l.received;
        if receipts.is_empty() {
            return Ok(self
                .lines
                .iter()
                .filter(|l| in_transit(l) > 0)
                .map(|l| (l.line_no, in_transit(l), StockState::Sellable))
                .collect());
        }
        let mut open: Vec<(u32, &Sku, i64)> = self
            .lines
            .iter()
            .map(|l| (l.line_no, &l.sku, in_transit(l)))
            .collect();
        let mut by_line = Vec::new();
        let mut errors = FieldErrors::new();
        for (i, (sku, units, state)) in receipts.iter().enumerate() {
            let mut left = *units;
            for (line_no, _, room) in open.iter_mut().filter(|(_, s, _)| *s == sku) {
                let take = left.min(*room);
                if take > 0 {
                    by_line.push((*line_no, take, *state));
                    *room -= take;
                    left -= take;
                }
            }
            if left > 0 {
                errors.push(
                    format!("lines[{i}].quantity"),
                    format!("{left} more units of {sku} than are in transit"),
                );
            }
        }
        errors.into_result().map(|()| by_line)
    }
}
