//! Ordo's domain: the types and rules of order management, with no I/O. Every decision is a
//! function of its inputs (time included), so it can be tested and property-tested alone.
//!
//! - [`values`], [`field`], [`ids`], [`money`], [`geo`] — checked values and their parsers.
//! - [`location`], [`item`], [`channel`], [`auth`] — reference data and who may do what.
//! - [`inventory`] — positions, their arithmetic and the ledger; availability to promise.
//! - [`reservation`] — units held for an order line, a checkout hold or a transfer.
//! - [`routing`] — the seam where a router decides which location fulfils what;
//!   [`allocation`] asks it and reserves what it decides.
//! - [`promise`] — ship dates, transit and delivery dates; incoming supply.
//! - [`order`] — orders, their status model, placing, cancelling, shipping, backorders.
//! - [`shipping`] — carriers, rate shopping, tracking numbers and events.
//! - [`fulfillment`] — fulfilment orders: release to locations, accept, pick, pack, ship.
//! - [`hold`], [`transfer`], [`inbound`] — checkout holds, transfers between locations,
//!   purchase orders and ship notices.
//! - [`alerts`] — stock thresholds and the alerts crossing them raises.

pub mod alerts;
pub mod allocation;
pub mod auth;
pub mod channel;
pub mod field;
pub mod fulfillment;
pub mod geo;
pub mod hold;
pub mod idempotency;
pub mod ids;
pub mod inbound;
pub mod inventory;
pub mod item;
pub mod location;
pub mod money;
pub mod order;
pub mod promise;
pub mod purchase_request;
pub mod reservation;
pub mod routing;
pub mod shipping;
pub mod transfer;
pub mod values;
