//! What goes in and out of the fulfilment and shipping methods of the store.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::civil::Date;
use ordo_domain::fulfillment::Due;

use ordo_domain::fulfillment::{
    FulfillmentError, FulfillmentOrder, Package, PackageInput, PickInput,
};
use ordo_domain::order::OrderHold;
use ordo_domain::shipping::{Carrier, DeliveryHistory, TrackingStatus};
use ordo_domain::values::{ChannelCode, LocationCode};

use crate::error::StoreResult;
use ordo_domain::fulfillment::alerts::AlertStatus;

/// Which orders a release pass looks at.
#[derive(Debug, Clone, Default)]
pub struct ReleaseFilter {
    pub order_id: Option<String>,
    pub location: Option<LocationCode>,
}

/// Most orders one release pass looks at.
pub const RELEASE_ORDERS_MAX: i64 = 5_000;

#[derive(Debug, Clone)]
pub enum FulfillmentStep {
    Accept,
    StartPick,
    Pick(PickInput),
    Pack(Vec<PackageInput>),
    Ship(ShipInput),
    Reject {
        reason: ordo_domain::order::RejectReason,
    },
    /// The location confirms the cancellation the order asked of it.
    ConfirmCancel,
}

/// How to ship: a carrier and service chosen by the location, or rate shopping; tracking
/// numbers supplied by the location (one per package, in order), or made by the carrier's
/// format.
#[derive(Debug, Clone, Default)]
pub struct ShipInput {
    pub carrier: Option<String>,
    pub service: Option<String>,
    pub tracking_numbers: Vec<String>,
    /// How much unreliability weighs against price when rate shopping (0 = price only).
    pub reliability_weight: f64,
}

/// Why a shipping step was refused, besides the fulfilment order's own rules.
#[derive(Debug, thiserror::Error)]
pub enum StepRefusal {
    #[error(transparent)]
    Fulfillment(#[from] FulfillmentError),
    /// The request names values that cannot be used here: tracking numbers that do not fit
    /// the packages or the carrier, an outside carrier without its service.
    #[error("{0}")]
    Invalid(ordo_domain::field::FieldErrors),
    /// The request cannot be carried out as it stands: no carrier or service takes a package,
    /// or units cannot be given back to routing. Names the field at fault.
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CarrierRecord {
    pub carrier: Carrier,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentRecord {
    pub id: String,
    pub fulfillment_order_id: String,
    pub package: Package,
    pub order_id: String,
    pub location: LocationCode,
    pub carrier: String,
    pub service: String,
    pub tracking_number: String,
    /// The carrier's latest normalised status; `None` (`shipped`) until its first event.
    pub status: Option<TrackingStatus>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub promised_date: Option<Date>,
    pub expected_date: Option<Date>,
    pub shipped_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
    pub last_event_at_ms: Option<i64>,
    pub failed_attempts: i64,
    /// Where the customer follows the parcel, from the carrier's template when it left.
    pub tracking_url: Option<String>,
    /// The carrier's events as recorded, oldest first.
    pub events: Vec<TrackingEventRecord>,
}

/// One carrier event of a shipment.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingEventRecord {
    pub at_ms: i64,
    pub status: TrackingStatus,
    /// The carrier's own code, when it sent one.
    pub code: Option<String>,
    pub place: Option<String>,
    pub description: Option<String>,
}

/// One carrier event as received.
#[derive(Debug, Clone)]
pub struct TrackingInput {
    pub carrier: String,
    pub tracking_number: String,
    /// Normalised status, or the carrier's own code to normalise.
    pub status: Option<TrackingStatus>,
    pub code: Option<String>,
    /// Identifies the event at the carrier; the same event sent twice counts once.
    pub event_id: Option<String>,
    pub at_ms: i64,
    pub place: Option<String>,
    pub description: Option<String>,
}

/// What became of one tracking event.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackingResult {
    Recorded {
        shipment_id: String,
        status: String,
    },
    Duplicate {
        shipment_id: String,
    },
    /// The event's time is impossible for the shipment; nothing was recorded.
    Refused {
        shipment_id: String,
        reason: String,
    },
    UnknownShipment,
    UnknownCode,
}

/// Shipments per carrier shipped on one day, for its manifest.
#[derive(Debug, Clone)]
pub struct ManifestQuery {
    pub carrier: String,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// A fulfilment alert: promise at risk, no tracking movement, failed delivery, not accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub id: String,
    pub kind: String,
    /// The fulfilment order or shipment it is about.
    pub subject: String,
    pub order_id: String,
    pub status: AlertStatus,
    pub message: String,
    pub raised_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
    pub acknowledged_by: Option<String>,
    pub resolved_at_ms: Option<i64>,
    pub resolved_by: Option<String>,
}

/// An order's promise and where it goes, as stored, for the alert checks.
#[derive(Debug, Clone)]
pub struct OrderDestination {
    pub promised_date: Option<Date>,
    pub point: Option<ordo_domain::geo::GeoPoint>,
    pub country: Option<ordo_domain::geo::CountryCode>,
    pub postal_code: String,
}

/// A shipment not yet delivered, as the alert checks see it.
#[derive(Debug, Clone)]
pub struct OpenShipment {
    pub id: String,
    pub order_id: String,
    pub tracking_number: String,
    /// `None` (`shipped`) until the carrier's first event.
    pub status: Option<TrackingStatus>,
    pub shipped_at_ms: i64,
    pub last_event_at_ms: Option<i64>,
}

/// A page of open fulfilment orders, with their orders' destinations and the cursor of the
/// next page, if there is one.
#[derive(Debug, Clone)]
pub struct WorkPage {
    pub work: Vec<FulfillmentOrder>,
    pub orders: HashMap<String, OrderDestination>,
    pub next: Option<(i64, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<AlertStatus>,
    pub kind: Option<String>,
    pub order_id: Option<String>,
    /// Only alerts on this channel's orders.
    pub channel: Option<ChannelCode>,
    /// Only alerts on this location's fulfilment orders and shipments.
    pub location: Option<LocationCode>,
    pub limit: i64,
}

#[async_trait]
pub trait FulfillmentStore: Send + Sync {
    /// Orders holding allocations that are due at their locations (and not yet released),
    /// oldest first, at most [`RELEASE_ORDERS_MAX`].
    async fn orders_due_for_release(
        &self,
        filter: &ReleaseFilter,
        due: &[(LocationCode, Due)],
    ) -> StoreResult<Vec<String>>;
    async fn fulfillment_order(&self, id: &str) -> StoreResult<Option<FulfillmentOrder>>;
    /// A location's open work, oldest promise first.
    async fn location_work(
        &self,
        location: &LocationCode,
        limit: i64,
    ) -> StoreResult<Vec<FulfillmentOrder>>;
    async fn packages(&self, fulfillment_order_id: &str) -> StoreResult<Vec<Package>>;

    async fn order_holds(&self, order_id: &str) -> StoreResult<Vec<OrderHold>>;
    /// Creates or replaces a carrier; answers whether it was new.
    /// A page of open fulfilment orders for the alert checks, after `after` (release time, id).
    async fn open_work_page(&self, after: Option<&(i64, String)>) -> StoreResult<WorkPage>;
    /// A page of shipments not yet delivered, after `after` (ship time, id), with the next
    /// page's cursor.
    async fn open_shipment_page(
        &self,
        after: Option<&(i64, String)>,
    ) -> StoreResult<(Vec<OpenShipment>, Option<(i64, String)>)>;
    /// Unresolved alerts, and those a person resolved (their resolution stands).
    async fn standing_alerts(&self) -> StoreResult<Vec<AlertRecord>>;
    async fn work_alerts(&self, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>>;

    async fn put_carrier(&self, carrier: &Carrier, now_ms: i64) -> StoreResult<bool>;
    async fn carrier(&self, code: &str) -> StoreResult<Option<CarrierRecord>>;
    async fn carriers(&self) -> StoreResult<Vec<CarrierRecord>>;
    async fn delivery_history(&self) -> StoreResult<Vec<(String, DeliveryHistory)>>;

    async fn shipment(&self, id: &str) -> StoreResult<Option<ShipmentRecord>>;
    /// The parcels one fulfilment order sent.
    async fn fulfillment_shipments(
        &self,
        fulfillment_order_id: &str,
    ) -> StoreResult<Vec<ShipmentRecord>>;
    async fn manifest(&self, query: &ManifestQuery) -> StoreResult<Vec<ShipmentRecord>>;
}
