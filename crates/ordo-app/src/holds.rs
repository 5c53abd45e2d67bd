//! Checkout holds: units set aside while a shopper checks out, and the sweeper that releases
//! the ones that expired.

use std::sync::Arc;
use std::time::Duration;

use ordo_domain::auth::{Action, Principal, Scope};
use ordo_domain::geo::NamedPlace;
use ordo_domain::hold::HoldStatus;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::HoldRecord;
use ordo_store::ids::new_id;
use tokio::task::JoinHandle;

use crate::error::{AppError, AppResult};
use crate::transact::retrying;
use crate::{App, checkout_holds};

/// A checkout hold to place, as checked at the edge.
pub struct HoldRequest {
    pub channel: Option<ChannelCode>,
    pub lines: Vec<(Sku, i64)>,
    pub location: Option<LocationCode>,
    /// Where the units would go, when the caller says.
    pub ship_to: Option<NamedPlace>,
    pub ttl_s: i64,
}

impl App {
    pub async fn place_hold(
        &self,
        principal: &Principal,
        request: HoldRequest,
    ) -> AppResult<HoldRecord> {
        // A channel key holds for its own channel; others may name one or none.
        let scope = principal.scope(Action::WriteCheckoutHolds)?;
        let channel = own_channel(scope, request.channel)?;
        let now_ms = self.clock.now_ms();
        let (hold_id, actor) = (new_id("hld", now_ms), principal.actor());
        let asked = ordo_domain::hold::HoldRequest {
            hold_id: &hold_id,
            channel: channel.as_ref(),
            lines: &request.lines,
            location: request.location.as_ref(),
            destination: request.ship_to.as_ref().and_then(NamedPlace::point),
            country: request.ship_to.as_ref().and_then(|s| s.country),
            ttl_s: request.ttl_s,
            now_ms,
            actor: &actor,
        };
        let deciders = self.deciders();
        retrying(|| checkout_holds::place(self.store.as_ref(), &asked, &deciders)).await
    }

    /// A hold, if this principal may see it.
    pub async fn hold(&self, principal: &Principal, id: &str) -> AppResult<HoldRecord> {
        let scope = principal.scope(Action::ReadCheckoutHolds)?;
        let record = self.store.hold(id).await?;
        record
            .filter(|r| {
                scope
                    .channel()
                    .is_none_or(|own| r.hold.channel.as_ref() == Some(own))
            })
            .ok_or_else(|| AppError::NotFound(format!("hold {id}")))
    }

    /// Releases an active hold at once, rather than waiting for it to expire.
    pub async fn release_hold(&self, principal: &Principal, id: &str) -> AppResult<HoldRecord> {
        let scope = principal.scope(Action::WriteCheckoutHolds)?;
        let release = checkout_holds::Release {
            id,
            channel: scope.channel(),
            actor: principal.actor(),
            now_ms: self.clock.now_ms(),
        };
        let deciders = self.deciders();
        retrying(|| checkout_holds::release(self.store.as_ref(), &release, &deciders)).await
    }
}

/// The channel a request acts for: a channel key's own, which a request may repeat but not
/// contradict; for other keys, the one the request names, if any.
pub(crate) fn own_channel(
    scope: Scope<'_>,
    asked: Option<ChannelCode>,
) -> AppResult<Option<ChannelCode>> {
    match (scope.channel(), asked) {
        (Some(own), Some(asked)) if *own != asked => Err(AppError::Forbidden(format!(
            "this key acts for channel {own} only, not {asked}"
        ))),
        (Some(own), _) => Ok(Some(own.clone())),
        (None, asked) => Ok(asked),
    }
}

/// What a hold answers with at `now_ms`: an active hold past its expiry is shown expired.
pub fn status_at(record: &HoldRecord, now_ms: i64) -> HoldStatus {
    record.hold.status_at(now_ms)
}

/// Expired idempotency keys forgotten per sweep.
const PRUNE_KEYS_MAX: i64 = 500;

/// Starts the sweeper: every `interval_ms` it releases the reservations of expired holds and
/// gives their units to waiting backorders, and forgets idempotency keys whose day is over.
pub(crate) fn start_sweeper(
    runner: crate::jobs::Runner,
    deciding: Arc<crate::AppDeciders>,
    interval_ms: u64,
) -> JoinHandle<()> {
    let every = Duration::from_millis(interval_ms.max(10));
    runner.start("hold_sweeper", every, move |store, clock| {
        let deciding = deciding.clone();
        async move {
            let deciders = deciding.deciders();
            let sweep = || checkout_holds::sweep_expired(store.as_ref(), clock.now_ms(), &deciders);
            match retrying(sweep).await {
                Ok(0) => {}
                Ok(released) => tracing::debug!(released, "released expired hold reservations"),
                Err(e) => tracing::warn!(error = %e, "sweeping expired holds failed; will retry"),
            }
            // Idempotency keys whose day is over go in the same pass, a few at a time.
            if let Err(e) = store.prune_requests(clock.now_ms(), PRUNE_KEYS_MAX).await {
                tracing::warn!(error = %e, "pruning idempotency keys failed; will retry");
            }
        }
    })
}
