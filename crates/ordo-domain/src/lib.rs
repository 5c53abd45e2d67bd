//! Ordo's domain: the types and rules of order management, with no I/O. Every decision is a
//! function of its inputs (time included), so it can be tested and property-tested alone.
//!
//! - [`values`], [`field`], [`ids`], [`money`], [`geo`] — checked values and their parsers.
//! - [`location`], [`item`], [`channel`], [`auth`] — reference data and who may do what.
//! - [`inventory`] — positions, their arithmetic and the ledger; availability to promise.
//! - [`routing`] — the seam where a router decides which location fulfils what.
//! - [`order`] — orders, their status model, placing and cancelling.

pub mod auth;
pub mod channel;
pub mod field;
pub mod geo;
pub mod ids;
pub mod inventory;
pub mod item;
pub mod location;
pub mod money;
pub mod order;
pub mod routing;
pub mod values;
