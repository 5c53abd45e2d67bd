//! Fulfilment alerts: what needs a person before a customer notices. Each is a pure check
//! of one fulfilment order or shipment at a time; the store raises an alert once per subject
//! and resolves it by itself when the condition clears.

use jiff::civil::Date;

pub use super::alert_status::{AlertAction, AlertRefusal, AlertStatus, act_on_alert};

use super::{FulfillmentOrder, FulfillmentStatus};
use crate::geo::GeoPoint;
use crate::location::Location;
use crate::promise::{PromiseSource, TransitModel, promise_from};
use crate::shipping::TrackingStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// Not shipped by the cut-off that still meets the promised date.
    PromiseAtRisk,
    /// A shipment whose tracking has not moved for days.
    NoTrackingMovement,
    /// The carrier could not deliver.
    FailedDelivery,
    /// The location has not accepted its work in time.
    NotAccepted,
    /// The carrier is bringing the parcel back: someone must contact the customer and, when
    /// it arrives, receive it.
    ReturnedToSender,
}

impl AlertKind {
    pub const ALL: [AlertKind; 5] = [
        Self::PromiseAtRisk,
        Self::NoTrackingMovement,
        Self::FailedDelivery,
        Self::NotAccepted,
        Self::ReturnedToSender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PromiseAtRisk => "promise_at_risk",
            Self::NoTrackingMovement => "no_tracking_movement",
            Self::FailedDelivery => "failed_delivery",
            Self::NotAccepted => "not_accepted",
            Self::ReturnedToSender => "returned_to_sender",
        }
    }

    /// Whether the periodic scan finds (and clears) it; the others are raised by what
    /// happened and stay until a person resolves them.
    pub fn scanned(self) -> bool {
        self != Self::ReturnedToSender
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| "must be one of promise_at_risk, no_tracking_movement, failed_delivery, not_accepted, returned_to_sender".into())
    }
}

/// How long before the time-based alerts fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertSettings {
    pub tracking_quiet_days: i64,
    pub accept_within_hours: i64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            tracking_quiet_days: 3,
            accept_within_hours: 4,
        }
    }
}

/// An alert a check raised: its kind, what it is about, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub kind: AlertKind,
    /// The fulfilment order or shipment id.
    pub subject: String,
    pub order_id: String,
    pub message: String,
}

/// Work not yet shipped whose parcel, if it left at the location's next cut-off, would arrive
/// after the promised date.
pub fn promise_at_risk(
    fo: &FulfillmentOrder,
    promised: Option<Date>,
    location: &Location,
    destination: Option<GeoPoint>,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> Option<Raised> {
    let promised = promised?;
    if !fo.status.is_open() {
        return None;
    }
    let arrives = promise_from(
        location,
        None,
        destination,
        now_ms,
        PromiseSource::Stock,
        transit,
    );
    (arrives.date > promised).then(|| Raised {
        kind: AlertKind::PromiseAtRisk,
        subject: fo.id.clone(),
        order_id: fo.order_id.clone(),
        message: format!(
            "{} at {} would arrive {} if shipped at the next cut-off ({}), after the promised {promised}",
            fo.id, fo.location, arrives.date, arrives.ship_date
        ),
    })
}

pub fn not_accepted(
    fo: &FulfillmentOrder,
    settings: &AlertSettings,
    now_ms: i64,
) -> Option<Raised> {
    let late = now_ms - fo.released_at_ms > settings.accept_within_hours * 3_600_000;
    (fo.status == FulfillmentStatus::Released && late).then(|| Raised {
        kind: AlertKind::NotAccepted,
        subject: fo.id.clone(),
        order_id: fo.order_id.clone(),
        message: format!(
            "{} has waited more than {} hours for {} to accept it",
            fo.id, settings.accept_within_hours, fo.location
        ),
    })
}

/// A shipment as the checks see it.
pub struct ShipmentFacts<'a> {
    pub id: &'a str,
    pub order_id: &'a str,
    pub tracking_number: &'a str,
    /// The latest normalised tracking status; `None` while no carrier event counted
    /// (`shipped`).
    pub status: Option<TrackingStatus>,
    pub shipped_at_ms: i64,
    pub last_event_at_ms: Option<i64>,
}

pub fn shipment_alerts(
    s: &ShipmentFacts<'_>,
    settings: &AlertSettings,
    now_ms: i64,
) -> Vec<Raised> {
    let mut raised = Vec::new();
    if matches!(
        s.status,
        Some(TrackingStatus::Delivered | TrackingStatus::ReturnedToSender)
    ) {
        return raised;
    }
    let raise = |kind, message| Raised {
        kind,
        subject: s.id.to_string(),
        order_id: s.order_id.to_string(),
        message,
    };
    if s.status == Some(TrackingStatus::FailedAttempt) {
        raised.push(raise(
            AlertKind::FailedDelivery,
            format!("the carrier could not deliver {}", s.tracking_number),
        ));
    }
    let moved = s.last_event_at_ms.unwrap_or(s.shipped_at_ms);
    if now_ms - moved > settings.tracking_quiet_days * 86_400_000 {
        raised.push(raise(
            AlertKind::NoTrackingMovement,
            format!(
                "no tracking movement on {} for more than {} days",
                s.tracking_number, settings.tracking_quiet_days
            ),
        ));
    }
    raised
}

/// A shipment the carrier is returning.
pub fn returned_to_sender(s: &ShipmentFacts<'_>) -> Raised {
    Raised {
        kind: AlertKind::ReturnedToSender,
        subject: s.id.to_string(),
        order_id: s.order_id.to_string(),
        message: format!(
            "the carrier is returning {} to the sender: contact the customer",
            s.tracking_number
        ),
    }
}
