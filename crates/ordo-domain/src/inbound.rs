//! Inbound supply: purchase orders and advance ship notices expected at a location on a date.
//! Receiving turns them into on hand, partly or wholly; until then they are supply to promise
//! from, ready after the location's receiving lead time.

use jiff::civil::Date;

use crate::inventory::{Cause, InventoryError, LedgerEntry, Movement, StockBook, StockState};
use crate::location::Location;
use crate::promise::{Supply, add_days};
use crate::values::{LocationCode, Sku};

/// Most lines one inbound record may have.
pub const INBOUND_LINES_MAX: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKind {
    PurchaseOrder,
    AdvanceShipNotice,
}

impl InboundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PurchaseOrder => "purchase_order",
            Self::AdvanceShipNotice => "advance_ship_notice",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "purchase_order" => Ok(Self::PurchaseOrder),
            "advance_ship_notice" => Ok(Self::AdvanceShipNotice),
            _ => Err("must be purchase_order or advance_ship_notice".into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundStatus {
    Open,
    PartiallyReceived,
    Received,
    Cancelled,
}

impl InboundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartiallyReceived => "partially_received",
            Self::Received => "received",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        [
            Self::Open,
            Self::PartiallyReceived,
            Self::Received,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| "must be one of open, partially_received, received, cancelled".to_string())
    }

    /// Whether units may still arrive.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::PartiallyReceived)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
    pub received: i64,
}

impl InboundLine {
    pub fn outstanding(&self) -> i64 {
        (self.quantity - self.received).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub id: String,
    pub kind: InboundKind,
    pub location: LocationCode,
    pub supplier_reference: String,
    pub expected_date: Date,
    pub status: InboundStatus,
    pub lines: Vec<InboundLine>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    #[error("the inbound is {0} and receives nothing more")]
    Closed(&'static str),
    #[error("the inbound has no line for {0}")]
    UnknownItem(String),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
}

impl Inbound {
    /// Closes the inbound so that nothing more is expected of it.
    pub fn close(&mut self, now_ms: i64) -> Result<(), InboundError> {
        if !self.status.is_open() {
            return Err(InboundError::Closed(self.status.as_str()));
        }
        self.status = InboundStatus::Cancelled;
        self.updated_at_ms = now_ms;
        Ok(())
    }

    /// Receives units by item, filling the item's lines in order; more than expected is taken
    /// (what arrived is what is there) and recorded on the item's last line.
    pub fn receive(
        &mut self,
        receipts: &[(Sku, i64, StockState)],
        book: &mut StockBook,
        now_ms: i64,
        actor: &str,
    ) -> Result<Vec<LedgerEntry>, InboundError> {
        if !self.status.is_open() {
            return Err(InboundError::Closed(self.status.as_str()));
        }
        let cause = Cause {
            at_ms: now_ms,
            reason: Some(self.kind.as_str()),
            reference: Some(&self.id),
            actor,
        };
        let mut ledger = Vec::new();
        for (sku, units, state) in receipts {
            let mut left = *units;
            let indices: Vec<usize> = self
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| &l.sku == sku)
                .map(|(i, _)| i)
                .collect();
            let last = *indices
                .last()
                .ok_or_else(|| InboundError::UnknownItem(sku.to_string()))?;
            for i in indices {
                let take = if i == last {
                    left
                } else {
                    left.min(self.lines[i].outstanding())
                };
                self.lines[i].received += take;
                left -= take;
            }
            ledger.push(book.apply(
                &self.location,
                sku,
                Movement::Receive {
                    quantity: *units,
                    state: *state,
                },
                cause,
            )?);
        }
        let complete = self.lines.iter().all(|l| l.outstanding() == 0);
        self.status = if complete {
            InboundStatus::Received
        } else {
            InboundStatus::PartiallyReceived
        };
        self.updated_at_ms = now_ms;
        Ok(ledger)
    }

    /// What is still to come, ready to ship after the location's receiving lead time.
    pub fn supply(&self, location: &Location) -> Vec<Supply> {
        if !self.status.is_open() {
            return Vec::new();
        }
        let ready = add_days(self.expected_date, location.receiving_lead_time_days);
        self.lines
            .iter()
            .filter(|l| l.outstanding() > 0)
            .map(|l| Supply {
                location: self.location.clone(),
                ready,
                quantity: l.outstanding(),
            })
            .collect()
    }
}
