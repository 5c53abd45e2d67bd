//! What goes in and out of the store.

use ordo_domain::hold::Hold;
use ordo_domain::inbound::InboundStatus;
use ordo_domain::inventory::{LedgerEntry, Position};
use ordo_domain::order::{Order, OrderStatus};
use ordo_domain::promise::TransitModel;
use ordo_domain::reservation::Reservation;
use ordo_domain::routing::Router;
use ordo_domain::transfer::{Transfer, TransferStatus};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_domain::{channel::Channel, item::Item, location::Location};

/// The deciders a transaction consults: how long parcels travel, and — when the app brings
/// its own — the router that replaces routing profiles.
#[derive(Clone, Copy)]
pub struct Deciders<'a> {
    /// `None`: each channel's routing profile (or the default one) routes its orders.
    pub router: Option<&'a dyn Router>,
    pub transit: &'a dyn TransitModel,
    /// Release allocations at locations without waves to them in the transaction that places
    /// the order, instead of leaving them to the releaser's next pass.
    pub release_at_capture: bool,
}

/// Most rows one page may hold.
pub const PAGE_LIMIT_MAX: u32 = 500;

/// A page request: at most `limit` rows after the opaque `cursor` of the previous page.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }

    pub(crate) fn limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, PAGE_LIMIT_MAX))
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PositionFilter {
    pub sku: Option<Sku>,
    pub location: Option<LocationCode>,
}

/// A ledger entry with its place in the ledger.
#[derive(Debug, Clone)]
pub struct LedgerRecord {
    pub id: i64,
    pub entry: LedgerEntry,
}

/// A claim on an idempotency key: the first request under `(scope, key)` wins; a replay must
/// carry the same `request_hash`.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

/// An order with its reservations (the allocations made real).
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order: Order,
    pub reservations: Vec<Reservation>,
    /// The order's fulfilment orders, oldest first.
    pub fulfillment: Vec<FulfillmentRef>,
    /// Its parcels, in the order they left, with their tracking events.
    pub shipments: Vec<crate::fulfillment::ShipmentRecord>,
    /// Its alerts not yet resolved.
    pub alerts: Vec<crate::fulfillment::AlertRecord>,
}

/// One of an order's fulfilment orders, as the order shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentRef {
    pub id: String,
    pub location: LocationCode,
    pub status: ordo_domain::fulfillment::FulfillmentStatus,
    /// Units of each line the order asked the location not to send, until it confirms.
    pub cancel_requested: Vec<(u32, i64)>,
}

impl FulfillmentRef {
    pub fn of(fo: &ordo_domain::fulfillment::FulfillmentOrder) -> Self {
        Self {
            id: fo.id.clone(),
            location: fo.location.clone(),
            status: fo.status,
            cancel_requested: fo
                .lines
                .iter()
                .filter(|l| l.cancel_requested > 0)
                .map(|l| (l.line_no, l.cancel_requested))
                .collect(),
        }
    }
}

/// How an order is looked up: by id (`ord_...`) or by its number.
#[derive(Debug, Clone)]
pub enum OrderKey {
    Id(String),
    Number(String),
}

impl OrderKey {
    pub fn parse(raw: &str) -> Self {
        if ordo_domain::ids::looks_like_id("ord", raw) {
            Self::Id(raw.to_string())
        } else {
            Self::Number(raw.to_string())
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub channel: Option<ChannelCode>,
    pub created_after_ms: Option<i64>,
    /// Matches the number, the external id, the customer's email, a parcel's tracking
    /// number, or the start of the customer's name (any case).
    pub q: Option<String>,
}

/// A hold with its reservations.
#[derive(Debug, Clone)]
pub struct HoldRecord {
    pub hold: Hold,
    pub reservations: Vec<Reservation>,
}

/// A bulk stock sync: a full snapshot of a location, or deltas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Snapshot,
    Delta,
}

impl SyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Snapshot => "snapshot",
            Self::Delta => "delta",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "snapshot" => Ok(Self::Snapshot),
            "delta" => Ok(Self::Delta),
            _ => Err("must be snapshot or delta".into()),
        }
    }
}

/// What one sync row says of a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncFigures {
    /// Counted on hand, and of it the damaged and quality-hold units (unchanged when absent).
    Snapshot {
        on_hand: i64,
        damaged: Option<i64>,
        quality_hold: Option<i64>,
    },
    /// A signed change of sellable on hand.
    Delta { delta: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRow {
    /// The row's number in what was sent, from 1.
    pub row: usize,
    pub location: LocationCode,
    pub sku: Sku,
    pub figures: SyncFigures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: usize,
    pub sku: String,
    pub location: String,
    pub reason: String,
}

/// A count that left fewer sellable units than were reserved, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The row that said so; `None` for a position a snapshot did not list (counted as 0).
    pub row: Option<usize>,
    pub sku: String,
    pub location: String,
    /// Sellable units the count left.
    pub sellable: i64,
    pub reserved_before: i64,
    /// Reservations that gave units back: checkout holds, then the newest orders, then
    /// transfers. The orders' units were routed again or wait as backorders.
    pub given_back: Vec<ordo_domain::reservation::GivenBack>,
}

/// What a sync did, kept under its id so that sending it again answers the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub sync_id: String,
    pub mode: SyncMode,
    pub completed: bool,
    pub rows_received: usize,
    pub rows_applied: usize,
    /// Positions whose figures changed, the ones a snapshot zeroed included.
    pub positions_changed: usize,
    /// Positions a snapshot did not list, counted to zero.
    pub positions_zeroed: usize,
    /// Worked out and rolled back: nothing was applied.
    pub dry_run: bool,
    pub rejected: Vec<RejectedRow>,
    pub shortfalls: Vec<Shortfall>,
    /// Batches applied so far, each in its own transaction.
    pub batches_done: usize,
}

/// One batch of a sync, applied in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct SyncBatch<'a> {
    pub sync_id: &'a str,
    /// Batches are numbered from 0; one applied before is not applied again.
    pub batch_no: usize,
    pub rows: &'a [SyncRow],
    /// For a snapshot's last batch: the location and every item the snapshot listed; the
    /// location's other positions are counted as zero.
    pub unlisted: Option<(&'a LocationCode, &'a std::collections::BTreeSet<Sku>)>,
    pub last: bool,
    pub actor: &'a str,
    pub now_ms: i64,
}

/// How a sync starts.
#[derive(Debug)]
pub enum SyncStart {
    /// First time: the report as it starts.
    New(SyncReport),
    /// A sync cut short before: carry on after its applied batches.
    Resume(SyncReport),
    /// Done before with the same content: its report.
    Done(SyncReport),
    /// The id was used with different content.
    Mismatch,
}

/// Something that happened, from the events table (the outbox webhooks will read).
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: i64,
    pub at_ms: i64,
    /// `inventory.low`, `inventory.out`, `inventory.back`...
    pub kind: String,
    /// What it is about: `SKU@LOCATION` for stock.
    pub subject: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
}

/// What promising items needs besides their positions.
#[derive(Debug, Clone, Default)]
pub struct PromiseContext {
    pub locations: Vec<ordo_domain::location::Location>,
    /// Incoming supply per item, and the units already waiting for it.
    pub incoming: ordo_domain::order::IncomingSupply,
    pub items: std::collections::HashMap<Sku, ordo_domain::order::ItemFacts>,
}

/// A line waiting for stock, as the backorder queue shows it.
#[derive(Debug, Clone)]
pub struct WaitingLine {
    pub order_id: String,
    pub order_number: String,
    pub channel: ChannelCode,
    pub priority: i64,
    pub order_created_at_ms: i64,
    pub promised_date: Option<jiff::civil::Date>,
    pub line_no: u32,
    pub sku: Sku,
    pub waiting: i64,
    pub preorder: bool,
    pub expected_date: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Default)]
pub struct BackorderFilter {
    pub sku: Option<Sku>,
    pub channel: Option<ChannelCode>,
}

/// A transfer with the reservations it holds at its source.
#[derive(Debug, Clone)]
pub struct TransferRecord {
    pub transfer: Transfer,
    pub reservations: Vec<Reservation>,
}

#[derive(Debug, Clone, Default)]
pub struct TransferFilter {
    pub status: Option<TransferStatus>,
    /// Transfers from or to this location.
    pub location: Option<LocationCode>,
}

#[derive(Debug, Clone, Default)]
pub struct InboundFilter {
    pub status: Option<InboundStatus>,
    pub location: Option<LocationCode>,
}

/// One broken invariant found by [`crate::Store::check_invariants`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// `position`, `reservation`, `order_line`, `ledger` or `transfer`.
    pub kind: &'static str,
    /// What is broken: `SKU@LOCATION`, `ORDER#LINE`.
    pub subject: String,
    pub detail: String,
}

/// Reference data and opening stock to load at once.
#[derive(Debug, Clone, Default)]
pub struct NetworkSeed {
    pub locations: Vec<Location>,
    pub items: Vec<Item>,
    pub channels: Vec<Channel>,
    pub positions: Vec<Position>,
    pub actor: String,
    pub now_ms: i64,
}

/// An idempotency key claimed for a request (a write other than placing an order).
#[derive(Debug, Clone)]
pub struct RequestClaim {
    /// Whose key it is: the caller's API key.
    pub scope: String,
    pub key: String,
    /// What the request was, to tell a retry from another request under the same key.
    pub fingerprint: String,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}
