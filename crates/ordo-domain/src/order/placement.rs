//! What placing an order takes — the order, the facts about its items, incoming supply, the
//! hold it may convert — and what it gives: a placement, or why the order was refused.

use std::collections::HashMap;

use super::{Order, OrderDraft, OrderEvent};
use crate::allocation::Routing;
pub use crate::allocation::{PlaceRejection, ShortLine};
use crate::channel::StockRules;
use crate::hold::Hold;
use crate::inventory::LedgerEntry;
pub use crate::item::{ItemFacts, PreorderFacts};
use crate::location::Location;
use crate::promise::Supply;
use crate::reservation::Reservation;
use crate::routing::Explanation;
use crate::routing::profile::PickupShortage;
use crate::values::Sku;

/// Incoming supply per item, and the units already waiting for it.
#[derive(Debug, Clone, Default)]
pub struct SupplyView {
    pub incoming: HashMap<Sku, Vec<Supply>>,
    pub waiting: HashMap<Sku, i64>,
}

pub struct PlaceInput<'a> {
    pub order_id: &'a str,
    pub draft: &'a OrderDraft,
    pub now_ms: i64,
    pub actor: &'a str,
}

/// What placing decides against besides the stock. Items and supply change as orders of one
/// batch take preorder units and join the waiting queue.
pub struct PlaceContext<'a> {
    pub items: &'a mut HashMap<Sku, ItemFacts>,
    pub locations: &'a [Location],
    pub rules: Option<&'a StockRules>,
    pub supply: &'a mut SupplyView,
    pub routing: Routing<'a>,
    /// What a pickup order does when its store is short: the channel's profile says.
    pub pickup_shortage: PickupShortage,
}

/// The hold an order named, with its reservations.
pub struct HoldToConvert<'a> {
    pub hold: &'a mut Hold,
    pub reservations: &'a mut Vec<Reservation>,
}

/// A placed order and everything that must be written with it.
#[derive(Debug)]
pub struct Placement {
    pub order: Order,
    /// New reservations, the hold's taken-over ones included.
    pub reservations: Vec<Reservation>,
    pub ledger: Vec<LedgerEntry>,
    pub events: Vec<OrderEvent>,
    /// Why the router chose what it did, when it says.
    pub routing: Option<Explanation>,
    /// Holds the order starts with: an address hold when its address failed the checks.
    pub holds: Vec<super::OrderHold>,
}
