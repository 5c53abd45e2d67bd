//! Routing profiles — one per channel and a default, each a draft then active, its history
//! kept — and the routing decisions of an order.

use ordo_domain::auth::Principal;
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;
use ordo_store::ids::new_id;
use ordo_store::{NewProfile, ProfileRecord, ProfileRefusal, RoutingDecisionRecord};

use crate::App;
use crate::error::{AppError, AppResult};

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

    /// The routing decisions of an order the principal may see.
    pub async fn order_routing(
        &self,
        principal: &Principal,
        id_or_number: &str,
    ) -> AppResult<(String, Vec<RoutingDecisionRecord>)> {
        let record = self.order(principal, id_or_number).await?;
        let decisions = self.store.routing_decisions(&record.order.id).await?;
        Ok((record.order.id, decisions))
    }
}
