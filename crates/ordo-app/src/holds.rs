//! Checkout holds: units set aside while a shopper checks out, and the sweeper that releases
//! the ones that expired.

use std::sync::Arc;
use std::time::Duration;

use ordo_domain::auth::{Action, Principal, Scope};
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, GeoPoint};
use ordo_domain::hold::HoldStatus;
use ordo_domain::order::PlaceRejection;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{HoldCommand, HoldRecord};
use tokio::task::JoinHandle;

use crate::App;
use crate::error::{AppError, AppResult};

/// A checkout hold to place, as checked at the edge.
pub struct HoldRequest {
    pub channel: Option<ChannelCode>,
    pub lines: Vec<(Sku, i64)>,
    pub location: Option<LocationCode>,
    pub destination: Option<GeoPoint>,
    pub country: Option<CountryCode>,
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
        let command = HoldCommand {
            hold_id: new_id("hld", now_ms),
            channel,
            lines: request.lines,
            location: request.location,
            destination: request.destination,
            country: request.country,
            ttl_s: request.ttl_s,
            actor: principal.actor(),
            now_ms,
        };
        match self.store.place_hold(&command, &self.deciders()).await? {
            Ok(record) => Ok(record),
            Err(PlaceRejection::Short(lines)) => Err(AppError::InsufficientStock(lines)),
            Err(PlaceRejection::Invalid(errors)) => Err(AppError::Invalid(errors)),
            Err(PlaceRejection::Internal(message)) => Err(AppError::Internal(message)),
        }
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
        let now_ms = self.clock.now_ms();
        let released = self
            .store
            .release_hold(
                id,
                scope.channel(),
                now_ms,
                &principal.actor(),
                &self.deciders(),
            )
            .await?;
        match released {
            None => Err(AppError::NotFound(format!("hold {id}"))),
            Some(Ok(record)) => Ok(record),
            Some(Err(status)) => Err(AppError::Conflict(FieldErrors::single(
                "hold",
                format!(
                    "the hold is {} and holds nothing to release",
                    status.as_str()
                ),
            ))),
        }
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
    deciding: Arc<crate::Deciding>,
    interval_ms: u64,
) -> JoinHandle<()> {
    let every = Duration::from_millis(interval_ms.max(10));
    runner.start("hold_sweeper", every, move |store, clock| {
        let deciding = deciding.clone();
        async move {
            let deciders = deciding.deciders();
            match store.sweep_expired_holds(clock.now_ms(), &deciders).await {
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
