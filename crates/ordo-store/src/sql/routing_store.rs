//! [`RoutingStore`] for [`SqlStore`]: each method one transaction in `routing` or `reroute`.

use async_trait::async_trait;

use ordo_domain::order::RejectError;
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;

use super::{SqlStore, drop_ship, reroute, retrying, routing};
use crate::RoutingStore;
use crate::error::StoreResult;
use crate::routing::*;
use crate::types::Deciders;

#[async_trait]
impl RoutingStore for SqlStore {
    async fn create_routing_profile(
        &self,
        new: &NewProfile,
    ) -> StoreResult<Result<ProfileRecord, ProfileRefusal>> {
        routing::create_profile(self, new).await
    }

    async fn put_profile_draft(
        &self,
        id: &str,
        name: Option<&str>,
        settings: &RoutingProfile,
        actor: &str,
        now_ms: i64,
    ) -> StoreResult<Option<ProfileRecord>> {
        retrying!(routing::put_draft(self, id, name, settings, actor, now_ms))
    }

    async fn step_routing_profile(
        &self,
        id: &str,
        discard: bool,
        now_ms: i64,
    ) -> StoreResult<Option<Result<ProfileRecord, ProfileRefusal>>> {
        retrying!(routing::step_profile(self, id, discard, now_ms))
    }

    async fn routing_profile(&self, id: &str) -> StoreResult<Option<ProfileRecord>> {
        routing::profile(self, id).await
    }

    async fn routing_profiles(&self) -> StoreResult<Vec<ProfileRecord>> {
        routing::profiles(self).await
    }

    async fn reject_allocation(
        &self,
        command: &RejectCommand,
        deciders: &Deciders<'_>,
    ) -> StoreResult<Option<Result<Rejected, RejectError>>> {
        retrying!(reroute::reject(self, command, deciders))
    }

    async fn rejections(&self, order_id: &str) -> StoreResult<Vec<RejectionRecord>> {
        reroute::rejections(self, order_id).await
    }

    async fn routing_exceptions(
        &self,
        open: bool,
        channel: Option<&ChannelCode>,
        limit: i64,
    ) -> StoreResult<Vec<ExceptionRecord>> {
        reroute::exceptions(self, open, channel, limit).await
    }

    async fn resolve_routing_exception(
        &self,
        id: &str,
        resolution: Resolution,
        actor: &str,
        now_ms: i64,
        deciders: &Deciders<'_>,
    ) -> StoreResult<Option<Result<ExceptionRecord, RejectError>>> {
        retrying!(reroute::resolve(
            self, id, resolution, actor, now_ms, deciders
        ))
    }

    async fn purchase_requests(
        &self,
        filter: &PurchaseRequestFilter,
        limit: i64,
    ) -> StoreResult<Vec<PurchaseRequestRecord>> {
        drop_ship::list(self, filter, limit).await
    }

    async fn routing_network(&self) -> StoreResult<RoutingNetwork> {
        routing::network(self).await
    }

    async fn routing_decisions(&self, order_id: &str) -> StoreResult<Vec<RoutingDecisionRecord>> {
        routing::decisions(self, order_id).await
    }
}
