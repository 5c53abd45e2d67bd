//! Routing profiles and decisions, as stored.

use std::collections::HashMap;

use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::Position;
use ordo_domain::location::Location;
use ordo_domain::order::{RejectReason, RerouteOutcome};
use ordo_domain::purchase_request::PurchaseRequestStatus;
use ordo_domain::routing::{Explanation, RoutingCause, RoutingProfile};
use ordo_domain::values::{ChannelCode, Sku};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileStatus {
    Draft,
    Active,
    /// Was active; kept as history.
    Retired,
}

impl ProfileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Retired => "retired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Active, Self::Retired]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// One version of a profile's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileVersion {
    pub version: u32,
    pub status: ProfileStatus,
    pub settings: RoutingProfile,
    pub created_at_ms: i64,
    pub created_by: String,
    pub activated_at_ms: Option<i64>,
}

/// A routing profile with every version, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRecord {
    pub id: String,
    pub name: String,
    /// The channel it routes; `None` for the default profile.
    pub channel: Option<ChannelCode>,
    pub versions: Vec<ProfileVersion>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl ProfileRecord {
    pub fn active(&self) -> Option<&ProfileVersion> {
        self.versions
            .iter()
            .find(|v| v.status == ProfileStatus::Active)
    }

    pub fn draft(&self) -> Option<&ProfileVersion> {
        self.versions
            .iter()
            .find(|v| v.status == ProfileStatus::Draft)
    }
}

/// A new profile: its first version is a draft.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub id: String,
    pub name: String,
    pub channel: Option<ChannelCode>,
    pub settings: RoutingProfile,
    pub actor: String,
    pub now_ms: i64,
}

/// Why a profile change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRefusal {
    /// Fields naming what does not exist.
    Invalid(FieldErrors),
    /// What the profile's state does not allow: a second profile for a channel, activating
    /// without a draft.
    Conflict(FieldErrors),
}

/// Why an order's lines went where they went, once.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingDecisionRecord {
    pub at_ms: i64,
    pub cause: RoutingCause,
    pub explanation: Explanation,
}

/// The network as routing sees it now, for backtests: locations, item weights, and sellable
/// units with nothing reserved.
#[derive(Debug, Clone)]
pub struct RoutingNetwork {
    pub locations: Vec<Location>,
    pub weights: HashMap<Sku, i64>,
    pub stock: Vec<Position>,
}

/// A rejection, once made.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectionRecord {
    pub id: String,
    pub order_id: String,
    pub line_no: u32,
    pub location: String,
    pub sku: String,
    pub units: i64,
    pub reason: RejectReason,
    /// The line's rejections so far, this one included.
    pub attempt: u32,
    pub note: Option<String>,
    pub outcome: RerouteOutcome,
    pub actor: String,
    pub at_ms: i64,
}

/// A line rejected more often than its profile allows, waiting for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionRecord {
    pub id: String,
    pub order_id: String,
    pub line_no: u32,
    pub sku: String,
    pub units: i64,
    pub reason: String,
    pub created_at_ms: i64,
    pub resolved_at_ms: Option<i64>,
    /// `rerouted` or `backordered`.
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

/// How a person resolves a routing exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Route the line again, still without the locations that rejected it.
    Reroute,
    /// Let the units wait for stock like any backorder.
    Backorder,
}

/// What a rejection came to: the order as it now stands, the rejection, and the exception it
/// opened, if it did.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub order: crate::types::OrderRecord,
    pub rejection: RejectionRecord,
    pub exception_id: Option<String>,
}

/// One order's change.
#[derive(Debug, Clone, PartialEq)]
pub struct ReoptimizedOrder {
    pub order_id: String,
    pub order_number: String,
    pub packages_before: usize,
    pub packages_after: usize,
    pub cost_before: i64,
    pub cost_after: i64,
    /// (line, sku, location, units) before and after.
    pub from: Vec<(u32, String, String, i64)>,
    pub to: Vec<(u32, String, String, i64)>,
}

/// What a re-optimisation found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct ReoptimizeReport {
    /// `joint` or `one_by_one`.
    pub phase: String,
    /// How the orders were planned again: `optimal`, within each channel's profile.
    pub strategy: &'static str,
    pub dry_run: bool,
    pub orders_considered: usize,
    pub orders_changed: usize,
    pub packages_before: usize,
    pub packages_after: usize,
    pub split_orders_before: usize,
    pub split_orders_after: usize,
    /// Total cost in the profiles' cost units (minor units of money).
    pub cost_before: i64,
    pub cost_after: i64,
    pub changes: Vec<ReoptimizedOrder>,
}

/// Which purchase requests to list.
#[derive(Debug, Clone, Default)]
pub struct PurchaseRequestFilter {
    /// `open`, `shipped` or `cancelled`.
    pub status: Option<String>,
    pub supplier: Option<String>,
    pub order_id: Option<String>,
    /// Only requests for this channel's orders.
    pub channel: Option<String>,
}

/// A drop-ship purchase request: the supplier is asked to ship an order's units to its
/// customer.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseRequestRecord {
    pub id: String,
    /// The order allocation at the supplier it stands for.
    pub allocation_id: String,
    pub order_id: String,
    pub line_no: u32,
    pub supplier: String,
    pub sku: String,
    pub quantity: i64,
    pub status: PurchaseRequestStatus,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}
