//! Shipping: carriers and their services, rate shopping, tracking numbers and events.
//!
//! - [`carrier`] — a carrier's services, coverage, zones, rates, pickup days and cut-offs.
//! - [`estimate`] — the same rates as the router's shipping-cost estimator.
//! - [`handover`] — the carrier and service a package leaves with, and supplied numbers.
//! - [`rates`] — the services that can take a parcel, priced and dated, best first.
//! - [`tracking`] — tracking numbers, carrier events, a shipment's status, reliability.

pub mod carrier;
pub mod estimate;
pub mod handover;
pub mod rates;
pub mod tracking;

pub use carrier::{Address, Carrier, Coverage, Service, ServiceLevel, Zone};
pub use estimate::CarrierRates;
pub use handover::{Handover, HandoverError, ShipAsk};
pub use rates::{Quote, RateRequest, quotes};
pub use tracking::{
    CheckDigit, DeliveryHistory, ShipmentProgress, TrackingFormat, TrackingStatus,
    check_event_time, parse_shipment_status, parse_tracking_number, shipment_status,
    shipment_status_name,
};

#[cfg(test)]
mod tests;
