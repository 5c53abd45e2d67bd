//! Routing profiles — one per channel and a default, each a draft then active, its history
//! kept — and the routing decisions of an order.

use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::RejectReason;
use ordo_domain::purchase_request::PurchaseRequestStatus;
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;
use ordo_store::ids::new_id;
use ordo_store::{
    ExceptionRecord, NewProfile, ProfileRecord, ProfileRefusal, Rejected, RejectionRecord,
    ReoptimizeReport, Resolution, RoutingDecisionRecord,
};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::transact::retrying;

/// Most pending orders one re-optimisation plans again together, and how many by default.
pub const REOPTIMIZE_ORDERS_MAX: i64 = 2_000;
pub const REOPTIMIZE_ORDERS_DEFAULT: i64 = 500;

/// Names are for people: 1 to this many characters.
pub const PROFILE_NAME_LEN_MAX: usize = 200;

fn refused(refusal: ProfileRefusal) -> AppError {
    match refusal {
        ProfileRefusal::Invalid(errors) => AppError::Invalid(errors),
        ProfileRefusal::Conflict(errors) => AppError::Conflict(errors),
    }
}

impl App {
    pub async fn create_routing_profile(
        &self,
        principal: &Principal,
        name: String,
        channel: Option<ChannelCode>,
        settings: RoutingProfile,
    ) -> AppResult<ProfileRecord> {
        let now_ms = self.now_ms();
        let new = NewProfile {
            id: new_id("rtp", now_ms),
            name,
            channel,
            settings,
            actor: principal.actor(),
            now_ms,
        };
        self.store
            .create_routing_profile(&new)
            .await?
            .map_err(refused)
    }

    pub async fn put_profile_draft(
        &self,
        principal: &Principal,
        id: &str,
        name: Option<&str>,
        settings: &RoutingProfile,
    ) -> AppResult<ProfileRecord> {
        let actor = principal.actor();
        self.store
            .put_profile_draft(id, name, settings, &actor, self.now_ms())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("routing profile {id}")))
    }

    /// Activates the draft (`discard`: deletes it).
    pub async fn step_routing_profile(&self, id: &str, discard: bool) -> AppResult<ProfileRecord> {
        self.store
            .step_routing_profile(id, discard, self.now_ms())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("routing profile {id}")))?
            .map_err(refused)
    }

    pub async fn routing_profile(&self, id: &str) -> AppResult<ProfileRecord> {
        self.store
            .routing_profile(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("routing profile {id}")))
    }

    pub async fn routing_profiles(&self) -> AppResult<Vec<ProfileRecord>> {
        Ok(self.store.routing_profiles().await?)
    }

    /// The routing decisions and rejections of an order the principal may see.
    pub async fn order_routing(
        &self,
        principal: &Principal,
        id_or_number: &str,
    ) -> AppResult<(String, Vec<RoutingDecisionRecord>, Vec<RejectionRecord>)> {
        let record = self.order(principal, id_or_number).await?;
        let decisions = self.store.routing_decisions(&record.order.id).await?;
        let rejections = self.store.rejections(&record.order.id).await?;
        Ok((record.order.id, decisions, rejections))
    }

    /// A location rejects units of an allocation; the line is routed again without every
    /// location that rejected it, or waits, or goes to the exceptions queue.
    pub async fn reject_allocation(
        &self,
        principal: &Principal,
        allocation_id: &str,
        reason: RejectReason,
        units: Option<i64>,
        note: Option<String>,
    ) -> AppResult<Rejected> {
        principal.scope(Action::Operate)?;
        let not_found = || AppError::NotFound(format!("allocation {allocation_id}"));
        let order_id = self
            .store
            .allocation_order(allocation_id)
            .await?
            .ok_or_else(not_found)?;
        let reject = crate::reroute::Reject {
            order: ordo_store::OrderKey::Id(order_id),
            units: crate::reroute::RejectUnits {
                allocation_id,
                reason,
                units,
                note: note.as_deref(),
                backorder: false,
                actor: &principal.actor(),
            },
            now_ms: self.now_ms(),
        };
        let deciders = self.deciders();
        let store = self.store.as_ref();
        let rejected = retrying(|| crate::reroute::reject(store, &reject, &deciders)).await?;
        metrics::counter!("ordo_allocations_rejected_total", "reason" => reason.as_str())
            .increment(1);
        Ok(rejected)
    }

    /// Routing exceptions, open or resolved; a channel key's, on its own orders.
    pub async fn routing_exceptions(
        &self,
        principal: &Principal,
        open: bool,
    ) -> AppResult<Vec<ExceptionRecord>> {
        let scope = principal.scope(Action::ReadExceptions)?;
        let limit = i64::from(self.limits().page_limit_max);
        Ok(self
            .store
            .routing_exceptions(open, scope.channel(), limit)
            .await?)
    }

    pub async fn resolve_routing_exception(
        &self,
        principal: &Principal,
        id: &str,
        resolution: Resolution,
    ) -> AppResult<ExceptionRecord> {
        principal.scope(Action::Operate)?;
        let actor = principal.actor();
        let resolve = crate::reroute::Resolve {
            id,
            resolution,
            actor: &actor,
            now_ms: self.now_ms(),
        };
        let deciders = self.deciders();
        let store = self.store.as_ref();
        retrying(|| crate::reroute::resolve(store, &resolve, &deciders)).await
    }

    /// Plans the allocations of pending orders — allocated or waiting, for delivery, not yet
    /// shipped — again together at least cost, oldest `limit` first, and moves the orders
    /// whose plan changed (unless `dry_run`). `channel`: only its orders.
    pub async fn reoptimize(
        &self,
        principal: &Principal,
        channel: Option<&str>,
        limit: Option<i64>,
        dry_run: bool,
    ) -> AppResult<ReoptimizeReport> {
        principal.scope(Action::Operate)?;
        let mut e = FieldErrors::new();
        let channel = e.optional("channel", channel, ChannelCode::parse).flatten();
        let limit = limit.unwrap_or(REOPTIMIZE_ORDERS_DEFAULT);
        if !(1..=REOPTIMIZE_ORDERS_MAX).contains(&limit) {
            e.push("limit", format!("must be 1 to {REOPTIMIZE_ORDERS_MAX}"));
        }
        e.into_result().map_err(AppError::Invalid)?;
        let asked = crate::reoptimize::Reoptimize {
            channel,
            limit,
            dry_run,
            actor: principal.actor(),
            now_ms: self.now_ms(),
        };
        let deciders = self.deciders();
        let store = self.store.as_ref();
        let report = retrying(|| crate::reoptimize::reoptimize(store, &asked, &deciders)).await?;
        if !dry_run {
            metrics::counter!("ordo_orders_reoptimized_total")
                .increment(report.orders_changed as u64);
        }
        Ok(report)
    }

    /// Drop-ship purchase requests, oldest first: a channel key sees its own orders', a
    /// supplier's location key the requests to it.
    pub async fn purchase_requests(
        &self,
        principal: &Principal,
        filter: ordo_store::PurchaseRequestFilter,
    ) -> AppResult<Vec<ordo_store::PurchaseRequestRecord>> {
        let scope = principal.scope(Action::ReadPurchaseRequests)?;
        let supplier = filter.supplier.clone();
        let filter = ordo_store::PurchaseRequestFilter {
            channel: scope.channel().map(|c| c.to_string()),
            supplier: scope.location().map(|l| l.to_string()).or(supplier.clone()),
            ..filter
        };
        if supplier.is_some() && filter.supplier != supplier {
            return Ok(Vec::new());
        }
        if let Some(Err(reason)) = filter.status.as_deref().map(PurchaseRequestStatus::parse) {
            return Err(AppError::Invalid(FieldErrors::single("status", reason)));
        }
        let limit = i64::from(self.limits().page_limit_max);
        Ok(self.store.purchase_requests(&filter, limit).await?)
    }
}
