//! The values of every member that names a status, kind, role or reason, taken from the
//! domain's own lists so the description cannot fall behind it. A test checks that every
//! such member of the document has one.

use ordo_domain::auth::Role;
use ordo_domain::channel::ChannelKind;
use ordo_domain::fulfillment::FulfillmentStatus;
use ordo_domain::fulfillment::alerts::AlertKind;
use ordo_domain::hold::HoldStatus;
use ordo_domain::inbound::{InboundKind, InboundStatus};
use ordo_domain::inventory::LedgerKind;
use ordo_domain::location::LocationKind;
use ordo_domain::order::{HoldReason, OrderStatus, RejectReason};
use ordo_domain::purchase_request::PurchaseRequestStatus;
use ordo_domain::reservation::ReservationStatus;
use ordo_domain::shipping::{ServiceLevel, TrackingStatus};
use ordo_domain::transfer::TransferStatus;

type Values = fn() -> Vec<&'static str>;

fn order_status() -> Vec<&'static str> {
    OrderStatus::ALL.map(OrderStatus::as_str).to_vec()
}
fn fulfillment_status() -> Vec<&'static str> {
    FulfillmentStatus::ALL
        .map(FulfillmentStatus::as_str)
        .to_vec()
}
fn tracking_status() -> Vec<&'static str> {
    TrackingStatus::ALL.map(TrackingStatus::as_str).to_vec()
}
fn shipment_status() -> Vec<&'static str> {
    let mut all = vec!["shipped"];
    all.extend(tracking_status());
    all
}
fn alert_kind() -> Vec<&'static str> {
    AlertKind::ALL.map(AlertKind::as_str).to_vec()
}
fn alert_status() -> Vec<&'static str> {
    vec!["open", "acknowledged", "resolved"]
}
fn reservation_status() -> Vec<&'static str> {
    [
        ReservationStatus::Held,
        ReservationStatus::Committed,
        ReservationStatus::Released,
    ]
    .map(ReservationStatus::as_str)
    .to_vec()
}
fn role() -> Vec<&'static str> {
    [Role::Admin, Role::Channel, Role::ReadOnly, Role::Location]
        .map(Role::as_str)
        .to_vec()
}
fn channel_kind() -> Vec<&'static str> {
    ChannelKind::ALL.map(ChannelKind::as_str).to_vec()
}
fn hold_status() -> Vec<&'static str> {
    [
        HoldStatus::Active,
        HoldStatus::Converted,
        HoldStatus::Released,
        HoldStatus::Expired,
    ]
    .map(HoldStatus::as_str)
    .to_vec()
}
fn held_status() -> Vec<&'static str> {
    vec!["held", "released"]
}
fn delivery_method() -> Vec<&'static str> {
    vec!["ship", "pickup"]
}
fn reject_reason() -> Vec<&'static str> {
    RejectReason::ALL.map(RejectReason::as_str).to_vec()
}
fn inbound_kind() -> Vec<&'static str> {
    [InboundKind::PurchaseOrder, InboundKind::AdvanceShipNotice]
        .map(InboundKind::as_str)
        .to_vec()
}
fn inbound_status() -> Vec<&'static str> {
    [
        InboundStatus::Open,
        InboundStatus::PartiallyReceived,
        InboundStatus::Received,
        InboundStatus::Cancelled,
    ]
    .map(InboundStatus::as_str)
    .to_vec()
}
fn ledger_kind() -> Vec<&'static str> {
    LedgerKind::ALL.map(LedgerKind::as_str).to_vec()
}
fn location_kind() -> Vec<&'static str> {
    LocationKind::ALL.map(LocationKind::as_str).to_vec()
}
fn hold_reason() -> Vec<&'static str> {
    HoldReason::ALL.map(HoldReason::as_str).to_vec()
}
fn order_hold_status() -> Vec<&'static str> {
    vec!["active", "released"]
}
fn profile_status() -> Vec<&'static str> {
    vec!["draft", "active", "retired"]
}
fn purchase_request_status() -> Vec<&'static str> {
    PurchaseRequestStatus::ALL
        .map(PurchaseRequestStatus::as_str)
        .to_vec()
}
fn service_level() -> Vec<&'static str> {
    [
        ServiceLevel::SameDay,
        ServiceLevel::Express,
        ServiceLevel::Standard,
        ServiceLevel::Economy,
    ]
    .map(ServiceLevel::as_str)
    .to_vec()
}
fn reroute_outcome() -> Vec<&'static str> {
    vec!["rerouted", "waiting", "exception"]
}
fn phase() -> Vec<&'static str> {
    vec!["joint", "one_by_one"]
}
fn reoptimize_strategy() -> Vec<&'static str> {
    vec![ordo_domain::routing::reoptimize::STRATEGY]
}
fn sync_mode() -> Vec<&'static str> {
    vec!["snapshot", "delta"]
}
fn tracking_result() -> Vec<&'static str> {
    vec![
        "recorded",
        "duplicate",
        "refused",
        "unknown_shipment",
        "unknown_code",
    ]
}
fn transfer_status() -> Vec<&'static str> {
    [
        TransferStatus::Requested,
        TransferStatus::InTransit,
        TransferStatus::PartiallyReceived,
        TransferStatus::Received,
        TransferStatus::Cancelled,
    ]
    .map(TransferStatus::as_str)
    .to_vec()
}

fn exclusion() -> Vec<&'static str> {
    use ordo_domain::routing::problem::Exclusion;
    Exclusion::ALL.map(Exclusion::as_str).to_vec()
}
fn profile_strategy() -> Vec<&'static str> {
    vec!["optimal", "rules"]
}

fn exception_status() -> Vec<&'static str> {
    vec!["open", "resolved"]
}

/// (path, query parameter, its values).
#[rustfmt::skip]
pub const PARAM_ENUMS: &[(&str, &str, Values)] = &[
    ("/v1/orders", "status", order_status),
    ("/v1/alerts", "status", alert_status),
    ("/v1/alerts", "kind", alert_kind),
    ("/v1/inbound", "status", inbound_status),
    ("/v1/transfers", "status", transfer_status),
    ("/v1/purchase-requests", "status", purchase_request_status),
    ("/v1/exceptions", "status", exception_status),
    ("/v1/inventory/sync", "mode", sync_mode),
];

/// (schema, member, its values).
#[rustfmt::skip]
pub const ENUMS: &[(&str, &str, Values)] = &[
    ("AlertView", "kind", alert_kind),
    ("AlertView", "status", alert_status),
    ("AllocationView", "status", reservation_status),
    ("ApiKeyBody", "role", role),
    ("ApiKeyView", "role", role),
    ("IssuedKeyView", "role", role),
    ("ChannelBody", "kind", channel_kind),
    ("ChannelView", "kind", channel_kind),
    ("CheckoutHoldView", "status", hold_status),
    ("HeldView", "status", held_status),
    ("DeliveryBody", "method", delivery_method),
    ("DeliveryView", "method", delivery_method),
    ("ExceptionView", "reason", reject_reason),
    ("RejectionView", "reason", reject_reason),
    ("RejectBody", "reason", reject_reason),
    ("RejectWorkBody", "reason", reject_reason),
    ("FulfillmentOrderView", "status", fulfillment_status),
    ("FulfillmentRefView", "status", fulfillment_status),
    ("InboundBody", "kind", inbound_kind),
    ("InboundView", "kind", inbound_kind),
    ("InboundView", "status", inbound_status),
    ("LedgerEntryView", "kind", ledger_kind),
    ("OrderView", "status", order_status),
    ("LineView", "status", order_status),
    ("LocationBody", "kind", location_kind),
    ("LocationView", "kind", location_kind),
    ("OrderHoldBody", "reason", hold_reason),
    ("OrderHoldView", "reason", hold_reason),
    ("OrderHoldView", "status", order_hold_status),
    ("ProfileVersionView", "status", profile_status),
    ("PurchaseRequestView", "status", purchase_request_status),
    ("QuoteView", "level", service_level),
    ("RejectView", "outcome", reroute_outcome),
    ("RejectionView", "outcome", reroute_outcome),
    ("UnitsBackView", "outcome", reroute_outcome),
    ("ReoptimizeView", "phase", phase),
    ("ReoptimizeView", "strategy", reoptimize_strategy),
    ("ShipmentView", "status", shipment_status),
    ("TrackingEventBody", "status", tracking_status),
    ("TrackingEventView", "status", tracking_status),
    ("TrackingResultView", "status", shipment_status),
    ("TrackingResultView", "result", tracking_result),
    ("SyncBody", "mode", sync_mode),
    ("SyncReportView", "mode", sync_mode),
    ("TransferView", "status", transfer_status),
    ("CandidateNote", "kind", location_kind),
    ("NetworkLocation", "kind", location_kind),
    ("ExcludedNote", "reason", exclusion),
    ("ProfileSettings", "strategy", profile_strategy),
    ("Reoptimized", "strategy", reoptimize_strategy),
];
