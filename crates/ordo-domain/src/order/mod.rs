//! Orders: what the customer asked for, each line with its quantities by state.

pub mod address;
mod cancel;
mod cancel_request;
mod dates;
mod delivery;
mod edit;
mod event_kind;
mod fulfil;
mod holds;
mod incoming;
mod pickup;
mod place;
mod place_check;
mod place_lines;
mod placement;
mod replan;
mod reroute;
mod ship_allocation;
mod status;
mod takeover;

pub use cancel::{
    CancelDecision, CancelError, CancelUnits, CancelUnitsError, UnitsCancelled, cancel,
    cancel_units,
};
pub use cancel_request::{CancelRequest, decide_cancel};
pub use delivery::{ShipmentNews, follow_shipment};
pub use edit::{EditError, Edited, LineEdit, OrderEdit, edit, may_add_items};
pub use event_kind::OrderEventKind;
pub use fulfil::{
    BackorderPolicy, FillContext, FulfilError, OrderChange, fill_backorders, return_to_waiting,
    sources_for,
};
pub use holds::{
    HoldReason, HoldRefusal, OrderHold, address_hold, may_hold_work, place_hold, release_hold,
    shipping_hold,
};
pub use incoming::{Incoming, IncomingLine, IncomingSupply};
pub use place::place;
pub use placement::{
    HoldToConvert, ItemFacts, PlaceContext, PlaceInput, PlaceRejection, Placement, PreorderFacts,
    ShortLine, SupplyView,
};
pub use replan::{Move, MoveContext, move_allocations};
pub use reroute::{
    RejectError, RejectReason, Rejection, RerouteOutcome, reject_allocation, resolve_exception,
};
pub use ship_allocation::{ShipError, ShipRequest, ship_allocation};
pub use status::{IllegalTransition, OrderStatus};

/// The date promised for the whole order, from its lines' expected dates.
pub fn promised_date_of(order: &Order) -> Option<jiff::civil::Date> {
    dates::promised_date(order)
}

use jiff::civil::Date;

use crate::geo::{CountryCode, GeoPoint, geocode_postal};
use crate::money::Currency;
use crate::values::{ChannelCode, Email, LocationCode, Sku};

/// Most lines one order may have.
pub const ORDER_LINES_MAX: usize = 100;
/// Most units one line may ask for.
pub const LINE_QUANTITY_MAX: i64 = 100_000;
/// Order priorities run from 0 (the default) to this; higher is served first when the
/// backorder policy is `priority`.
pub const PRIORITY_MAX: i64 = 100;
/// Highest value of one order, in minor units: far above any real order, far below where
/// sums of prices × quantities would overflow.
pub const ORDER_TOTAL_MINOR_MAX: i64 = 1_000_000_000_000_000;

/// The sum of (units × unit price) over lines, checked at every step: an error when it
/// passes [`ORDER_TOTAL_MINOR_MAX`], never a wrapped number.
pub fn checked_total(lines: impl IntoIterator<Item = (i64, i64)>) -> Result<i64, String> {
    let too_much =
        || format!("the order's total must be at most {ORDER_TOTAL_MINOR_MAX} minor units");
    let mut total: i64 = 0;
    for (units, price) in lines {
        total = units
            .checked_mul(price)
            .and_then(|line| total.checked_add(line))
            .filter(|t| *t <= ORDER_TOTAL_MINOR_MAX)
            .ok_or_else(too_much)?;
    }
    Ok(total)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub email: Email,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShipTo {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: CountryCode,
    pub point: Option<GeoPoint>,
    /// Directions for the courier — a landmark, a gate, a colour — where the address alone
    /// does not find the door. Printed on the label.
    pub directions: Option<String>,
}

impl ShipTo {
    /// Where the address is: its own coordinates, or else its postal code's.
    pub fn point_or_postal(&self) -> Option<GeoPoint> {
        self.point
            .or_else(|| geocode_postal(self.country, &self.postal_code))
    }
}

/// Where routing sends an order's goods: the address (if it ships) at `point`.
pub fn destination(
    ship_to: Option<&ShipTo>,
    point: Option<GeoPoint>,
    pickup: bool,
    deliver_by: Option<Date>,
) -> crate::allocation::Destination<'_> {
    crate::allocation::Destination {
        point,
        country: ship_to.map(|s| s.country),
        region: ship_to.and_then(|s| s.region.as_deref()),
        postal_code: ship_to.map(|s| s.postal_code.as_str()),
        pickup,
        deliver_by,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Ship,
    Pickup { location: LocationCode },
}

impl Delivery {
    pub fn method(&self) -> &'static str {
        match self {
            Self::Ship => "ship",
            Self::Pickup { .. } => "pickup",
        }
    }

    pub fn pickup_location(&self) -> Option<&LocationCode> {
        match self {
            Self::Ship => None,
            Self::Pickup { location } => Some(location),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub sku: Sku,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

/// A checked request for a new order, not yet placed.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDraft {
    pub channel: ChannelCode,
    pub external_id: String,
    pub customer: Customer,
    /// Absent only for pickup orders.
    pub ship_to: Option<ShipTo>,
    pub currency: Currency,
    pub lines: Vec<DraftLine>,
    pub delivery: Delivery,
    pub priority: i64,
    /// A checkout hold whose units this order takes over.
    pub hold_id: Option<String>,
    /// What the address checks found wrong with `ship_to`; the order is placed on an
    /// address hold when there is anything.
    pub address_problems: Vec<String>,
}

/// A line's units by state. `ordered = allocated + backordered + shipped + cancelled`: every
/// unit is in exactly one of the open states or has left them; released counts allocated
/// units handed to a location's fulfilment, delivered and returned count units already
/// shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineQuantities {
    pub ordered: i64,
    pub allocated: i64,
    pub released: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub delivered: i64,
    pub cancelled: i64,
    pub returned: i64,
}

impl LineQuantities {
    /// Checks that the quantities add up; the message names the first rule broken.
    pub fn check(&self) -> Result<(), String> {
        let q = self;
        let parts = [
            q.ordered,
            q.allocated,
            q.released,
            q.backordered,
            q.shipped,
            q.delivered,
            q.cancelled,
            q.returned,
        ];
        if parts.iter().any(|n| *n < 0) {
            return Err(format!("a quantity is negative: {q:?}"));
        }
        let accounted = q.allocated + q.backordered + q.shipped + q.cancelled;
        if accounted != q.ordered {
            return Err(format!(
                "allocated {} + backordered {} + shipped {} + cancelled {} = {accounted}, not the {} ordered",
                q.allocated, q.backordered, q.shipped, q.cancelled, q.ordered
            ));
        }
        if q.released > q.allocated {
            return Err(format!(
                "released {} exceeds allocated {}",
                q.released, q.allocated
            ));
        }
        if q.delivered > q.shipped {
            return Err(format!(
                "delivered {} exceeds shipped {}",
                q.delivered, q.shipped
            ));
        }
        if q.returned > q.delivered {
            return Err(format!(
                "returned {} exceeds delivered {}",
                q.returned, q.delivered
            ));
        }
        Ok(())
    }

    /// Adds another line's quantities to these.
    pub fn add(&mut self, other: &LineQuantities) {
        self.ordered += other.ordered;
        self.allocated += other.allocated;
        self.released += other.released;
        self.backordered += other.backordered;
        self.shipped += other.shipped;
        self.delivered += other.delivered;
        self.cancelled += other.cancelled;
        self.returned += other.returned;
    }

    /// The status these quantities call for, of one line or (summed) of a whole order.
    /// `on_hold` is set by hand, never derived.
    pub fn status(&self) -> OrderStatus {
        let open = self.ordered - self.cancelled;
        if open == 0 {
            OrderStatus::Cancelled
        } else if self.shipped == open {
            if self.delivered == self.shipped {
                OrderStatus::Delivered
            } else {
                OrderStatus::Shipped
            }
        } else if self.shipped > 0 {
            OrderStatus::PartiallyShipped
        } else if self.backordered > 0 {
            OrderStatus::Backordered
        } else if self.allocated > 0 && self.released == self.allocated {
            OrderStatus::Released
        } else if self.allocated > 0 {
            OrderStatus::Allocated
        } else {
            OrderStatus::Received
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub line_no: u32,
    pub sku: Sku,
    pub unit_price_minor: i64,
    pub quantities: LineQuantities,
    /// When this line is expected to arrive: from its reservations, or for waiting units
    /// from incoming supply or the preorder's release. `None` when nothing covers it yet.
    pub expected_date: Option<Date>,
    /// The waiting units are a preorder.
    pub preorder: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    /// Short and human-friendly, for people on the phone.
    pub number: String,
    pub channel: ChannelCode,
    pub external_id: String,
    pub status: OrderStatus,
    pub customer: Customer,
    pub ship_to: Option<ShipTo>,
    pub currency: Currency,
    pub delivery: Delivery,
    pub lines: Vec<OrderLine>,
    pub priority: i64,
    /// The delivery date promised for the whole order; `None` while a line has no date.
    pub promised_date: Option<Date>,
    /// Sequence number of the newest timeline event.
    pub event_seq: u32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// Money and units of an order, in the order's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Units still wanted: ordered less cancelled.
    pub units: i64,
    pub subtotal_minor: i64,
    pub cancelled_minor: i64,
    pub total_minor: i64,
}

impl Order {
    /// The status the line quantities call for. `on_hold` is set by hand, not derived.
    pub fn derived_status(&self) -> OrderStatus {
        self.quantities().status()
    }

    /// Whether a line holds allocated units not yet released to their location: the order
    /// is the releaser's to look at.
    pub fn awaits_release(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.quantities.allocated > l.quantities.released)
    }

    /// The lines' quantities summed.
    pub fn quantities(&self) -> LineQuantities {
        let mut sum = LineQuantities::default();
        for line in &self.lines {
            sum.add(&line.quantities);
        }
        sum
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals {
            units: 0,
            subtotal_minor: 0,
            cancelled_minor: 0,
            total_minor: 0,
        };
        for line in &self.lines {
            let q = line.quantities;
            totals.units += q.ordered - q.cancelled;
            totals.subtotal_minor += q.ordered * line.unit_price_minor;
            totals.cancelled_minor += q.cancelled * line.unit_price_minor;
        }
        totals.total_minor = totals.subtotal_minor - totals.cancelled_minor;
        totals
    }
}

/// One entry of an order's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEvent {
    pub order_id: String,
    pub seq: u32,
    pub at_ms: i64,
    pub kind: OrderEventKind,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub actor: String,
    pub reason: Option<String>,
    pub data: serde_json::Value,
}

impl Order {
    /// Moves the order to the status its quantities call for, if that differs, through the
    /// transition table; answers the event to record, if any.
    pub fn follow_quantities(
        &mut self,
        at_ms: i64,
        kind: OrderEventKind,
        actor: &str,
        reason: Option<&str>,
        data: serde_json::Value,
    ) -> Result<Option<OrderEvent>, IllegalTransition> {
        let next = self.derived_status();
        if next == self.status || self.status == OrderStatus::OnHold {
            return Ok(None);
        }
        let from = self.status;
        self.status = from.transition(next)?;
        self.updated_at_ms = at_ms;
        Ok(Some(self.event(
            at_ms,
            kind,
            Some((Some(from), next)),
            actor,
            reason,
            data,
        )))
    }

    /// Appends a timeline event that changes no status.
    pub fn note(
        &mut self,
        at_ms: i64,
        kind: OrderEventKind,
        actor: &str,
        reason: Option<&str>,
        data: serde_json::Value,
    ) -> OrderEvent {
        self.event(at_ms, kind, None, actor, reason, data)
    }

    /// Appends a timeline event, numbering it after the order's newest one.
    pub(crate) fn event(
        &mut self,
        at_ms: i64,
        kind: OrderEventKind,
        transition: Option<(Option<OrderStatus>, OrderStatus)>,
        actor: &str,
        reason: Option<&str>,
        data: serde_json::Value,
    ) -> OrderEvent {
        self.event_seq += 1;
        OrderEvent {
            order_id: self.id.clone(),
            seq: self.event_seq,
            at_ms,
            kind,
            from_status: transition.and_then(|(from, _)| from),
            to_status: transition.map(|(_, to)| to),
            actor: actor.to_string(),
            reason: reason.map(str::to_string),
            data,
        }
    }
}

#[cfg(test)]
mod tests;
