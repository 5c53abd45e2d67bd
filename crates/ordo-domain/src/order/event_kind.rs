//! What an entry of an order's timeline says happened, by name: `order.received`,
//! `fulfillment_order.packed`, `shipment.delivered`… One type, so a timeline is written and
//! read back with the same names, and a name no code writes is a stored value that is wrong.

use std::fmt;

use crate::fulfillment::FulfillmentStatus;
use crate::shipping::{TrackingStatus, shipment_status_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderEventKind {
    Received,
    Allocated,
    /// Units waiting for stock were allocated.
    BackorderAllocated,
    Backordered,
    /// A count found fewer units than the order held; they wait again.
    StockShortfall,
    /// Work was released to a location.
    Released,
    HoldPlaced,
    HoldReleased,
    /// A shipment of some of its units was made.
    ShipmentMade,
    Reoptimized,
    Edited,
    Cancelled,
    UnitsCancelled,
    /// Cancelling units already released: their locations are asked.
    CancelRequested,
    RoutingException,
    Rerouted,
    ExceptionResolved,
    AllocationRejected,
    /// One of its fulfilment orders reached this status.
    Work(FulfillmentStatus),
    /// A location confirmed cancelling units of its work.
    CancelConfirmed,
    /// One of its shipments reached this status: `None` is `shipped`, handed to the carrier
    /// and not heard of since.
    Parcel(Option<TrackingStatus>),
}

use OrderEventKind::*;

/// The kinds named `order.<name>`.
const ORDER_KINDS: [OrderEventKind; 18] = [
    Received,
    Allocated,
    BackorderAllocated,
    Backordered,
    StockShortfall,
    Released,
    HoldPlaced,
    HoldReleased,
    ShipmentMade,
    Reoptimized,
    Edited,
    Cancelled,
    UnitsCancelled,
    CancelRequested,
    RoutingException,
    Rerouted,
    ExceptionResolved,
    AllocationRejected,
];

const CANCEL_CONFIRMED: &str = "cancel_confirmed";

impl OrderEventKind {
    /// The kind a name stands for; `None` for a name no code writes.
    pub fn parse(raw: &str) -> Option<Self> {
        let (family, name) = raw.split_once('.')?;
        match family {
            "order" => ORDER_KINDS.into_iter().find(|k| k.parts().1 == name),
            "fulfillment_order" if name == CANCEL_CONFIRMED => Some(CancelConfirmed),
            "fulfillment_order" => FulfillmentStatus::parse(name).ok().map(Work),
            "shipment" => Self::of_shipment_status(name),
            _ => None,
        }
    }

    /// The status a shipment is stored with (`shipped`, `in_transit`, `delivered`…) as the
    /// kind of the timeline entry it makes; `None` for a status no code writes.
    pub fn of_shipment_status(status: &str) -> Option<Self> {
        if status == shipment_status_name(None) {
            return Some(Parcel(None));
        }
        TrackingStatus::parse(status).ok().map(|s| Parcel(Some(s)))
    }

    /// The family and the name: `("order", "received")`.
    fn parts(self) -> (&'static str, &'static str) {
        let order = |name| ("order", name);
        match self {
            Received => order("received"),
            Allocated => order("allocated"),
            BackorderAllocated => order("backorder_allocated"),
            Backordered => order("backordered"),
            StockShortfall => order("stock_shortfall"),
            Released => order("released"),
            HoldPlaced => order("hold_placed"),
            HoldReleased => order("hold_released"),
            ShipmentMade => order("shipment"),
            Reoptimized => order("reoptimized"),
            Edited => order("edited"),
            Cancelled => order("cancelled"),
            UnitsCancelled => order("units_cancelled"),
            CancelRequested => order("cancel_requested"),
            RoutingException => order("routing_exception"),
            Rerouted => order("rerouted"),
            ExceptionResolved => order("exception_resolved"),
            AllocationRejected => order("allocation_rejected"),
            Work(status) => ("fulfillment_order", status.as_str()),
            CancelConfirmed => ("fulfillment_order", CANCEL_CONFIRMED),
            Parcel(status) => ("shipment", shipment_status_name(status)),
        }
    }
}

impl fmt::Display for OrderEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (family, name) = self.parts();
        write!(f, "{family}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_itself_and_unknown_names_are_refused() {
        let mut kinds: Vec<OrderEventKind> = ORDER_KINDS.to_vec();
        kinds.extend(FulfillmentStatus::ALL.map(Work));
        kinds.push(CancelConfirmed);
        kinds.push(Parcel(None));
        kinds.extend(TrackingStatus::ALL.map(|s| Parcel(Some(s))));
        for kind in kinds {
            assert_eq!(OrderEventKind::parse(&kind.to_string()), Some(kind));
        }
        assert_eq!(Received.to_string(), "order.received");
        assert_eq!(ShipmentMade.to_string(), "order.shipment");
        assert_eq!(
            Work(FulfillmentStatus::Packed).to_string(),
            "fulfillment_order.packed"
        );
        assert_eq!(
            OrderEventKind::of_shipment_status("delivered"),
            Some(Parcel(Some(TrackingStatus::Delivered)))
        );
        for unknown in [
            "order.lost",
            "order",
            "shipment.gone",
            "payment.captured",
            "",
        ] {
            assert_eq!(OrderEventKind::parse(unknown), None, "{unknown}");
        }
    }
}
