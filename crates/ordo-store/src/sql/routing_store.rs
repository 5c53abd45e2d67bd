//! [`RoutingStore`] for [`SqlStore`]: each method one transaction in `routing` or `reroute`.

use async_trait::async_trait;

use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;

use super::{SqlStore, decisions, drop_ship, reroute, retrying, routing};
use crate::RoutingStore;
use crate::error::StoreResult;
use crate::routing::*;

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
        decisions::decisions(self, order_id).await
    }
}
