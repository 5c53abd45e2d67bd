//! Fulfilment orders: the work one location does for one order. Allocations are released to
//! their location as a fulfilment order (at once, or at the location's next release wave),
//! which the location accepts, picks, packs and ships. A short pick hands the missing units
//! back to routing; a rejection hands back all of them.
//!
//! - [`release`] — which held allocations are due, gathered into fulfilment orders.
//! - [`steps`] — accept, start picking, confirm the pick, pack, ship, reject.
//! - [`alerts`] — promise at risk, no tracking movement, failed delivery, not accepted.
//! - [`package`] — packages: weight, dimensions and contents, checked against the pick.
//! - [`take_back`] — units a stock count took from an order line, out of the open work.

mod alert_status;
pub mod alerts;
mod package;
mod release;
mod ship;
mod steps;
mod take_back;

pub use crate::location::ReleaseWaves;
pub use package::{
    DIMENSION_MM_MAX, PACKAGE_WEIGHT_G_MAX, PACKAGES_MAX, Package, PackageContent, PackageInput,
    check_packages,
};
pub use release::{Due, ReleasePlan, due_at, next_release_at, release};
pub use ship::{Shipped, ship};
pub use steps::{
    CancelConfirmed, FulfillmentError, PickInput, Short, ShortHandling, accept, confirm_cancel,
    pack, pick, reject, start_pick, take_missing,
};
pub use take_back::{TakeBack, take_back};

use std::fmt;

use jiff::civil::Date;

use crate::values::{LocationCode, Sku};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FulfillmentStatus {
    /// Handed to the location; it has not answered yet.
    Released,
    Accepted,
    Picking,
    Picked,
    Packed,
    Shipped,
    /// The location refused the work; its units were routed again.
    Rejected,
    Cancelled,
}

use FulfillmentStatus::*;

const TRANSITIONS: &[(FulfillmentStatus, &[FulfillmentStatus])] = &[
    (Released, &[Accepted, Rejected, Cancelled]),
    (Accepted, &[Picking, Picked, Rejected, Cancelled]),
    (Picking, &[Picked, Rejected, Cancelled]),
    (Picked, &[Packed, Cancelled]),
    (Packed, &[Shipped, Cancelled]),
    (Shipped, &[]),
    (Rejected, &[]),
    (Cancelled, &[]),
];

impl FulfillmentStatus {
    pub const ALL: [FulfillmentStatus; 8] = [
        Released, Accepted, Picking, Picked, Packed, Shipped, Rejected, Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Released => "released",
            Accepted => "accepted",
            Picking => "picking",
            Picked => "picked",
            Packed => "packed",
            Shipped => "shipped",
            Rejected => "rejected",
            Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", names.join(", "))
            })
    }

    pub fn can_become(self, next: FulfillmentStatus) -> bool {
        TRANSITIONS
            .iter()
            .find(|(from, _)| *from == self)
            .is_some_and(|(_, to)| to.contains(&next))
    }

    /// Still work at the location: its units stay reserved there.
    pub fn is_open(self) -> bool {
        !matches!(self, Shipped | Rejected | Cancelled)
    }
}

impl fmt::Display for FulfillmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One order line's units in a fulfilment order. `quantity` is what the location must still
/// send or has sent: units short-picked, rejected or cancelled leave it (and are counted in
/// `short` and `cancelled`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentLine {
    pub line_no: u32,
    pub sku: Sku,
    pub quantity: i64,
    pub picked: i64,
    pub shipped: i64,
    pub short: i64,
    pub cancelled: i64,
    /// Units the order asked the location not to send, until it confirms (or ships them).
    pub cancel_requested: i64,
}

impl FulfillmentLine {
    /// Units still held for this fulfilment order at its location.
    pub fn open(&self) -> i64 {
        self.quantity - self.shipped
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FulfillmentOrder {
    pub id: String,
    pub order_id: String,
    pub location: LocationCode,
    pub status: FulfillmentStatus,
    pub lines: Vec<FulfillmentLine>,
    /// The order's promised date when released: the location works oldest promise first.
    pub promised_date: Option<Date>,
    pub released_at_ms: i64,
    pub accepted_at_ms: Option<i64>,
    pub shipped_at_ms: Option<i64>,
    /// A cancellation asked of the location, waiting for it to confirm (or ship anyway).
    pub cancel_requested: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl FulfillmentOrder {
    /// Units this fulfilment order still holds of an order line.
    pub fn open_units(&self, line_no: u32) -> i64 {
        if !self.status.is_open() {
            return 0;
        }
        self.lines
            .iter()
            .filter(|l| l.line_no == line_no)
            .map(FulfillmentLine::open)
            .sum()
    }
}

#[cfg(test)]
mod tests;
