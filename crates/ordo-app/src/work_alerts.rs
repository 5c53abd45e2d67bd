//! Fulfilment alerts: promise at risk, no tracking movement, failed delivery, work not
//! accepted in time. A background scan raises and clears them; people acknowledge and
//! resolve them.

use std::sync::Arc;
use std::time::Duration;

use ordo_domain::auth::{Action, Principal, Resource};
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::alerts::{AlertAction, AlertSettings, act_on_alert};
use ordo_store::{AlertFilter, AlertRecord, Store};

use crate::error::{AppError, AppResult};
use crate::transact::{Attempt, retrying};
use crate::{App, Limits};

fn settings(limits: &Limits) -> AlertSettings {
    AlertSettings {
        tracking_quiet_days: limits.alert_tracking_quiet_days,
        accept_within_hours: limits.alert_accept_within_hours,
    }
}

/// Starts the scanner: every `alert_scan_interval_ms` it raises and clears alerts.
pub(crate) fn start_scanner(
    runner: crate::jobs::Runner,
    deciding: Arc<crate::AppDeciders>,
    limits: Limits,
) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_millis(limits.alert_scan_interval_ms.max(100));
    runner.start("alert_scan", every, move |store, clock| {
        let deciding = deciding.clone();
        let settings = settings(&limits);
        async move {
            let transit = deciding.transit.as_ref();
            match crate::alert_scan::scan(store.as_ref(), &settings, transit, clock.now_ms()).await
            {
                Ok(raised) if raised.is_empty() => {}
                Ok(raised) => tracing::info!(count = raised.len(), "fulfilment alerts raised"),
                Err(e) => tracing::warn!(error = %e, "scanning for alerts failed; will retry"),
            }
        }
    })
}

impl App {
    /// Runs the alert checks now; answers the alerts newly raised.
    pub async fn scan_alerts(&self, principal: &Principal) -> AppResult<Vec<AlertRecord>> {
        principal.scope(Action::Operate)?;
        let settings = settings(&self.limits);
        let now_ms = self.clock.now_ms();
        crate::alert_scan::scan(self.store.as_ref(), &settings, self.transit(), now_ms).await
    }

    pub async fn work_alerts(
        &self,
        principal: &Principal,
        filter: AlertFilter,
    ) -> AppResult<Vec<AlertRecord>> {
        let scope = principal.scope(Action::ReadAlerts)?;
        let filter = AlertFilter {
            channel: scope.channel().cloned(),
            location: scope.location().cloned(),
            ..filter
        };
        Ok(self.store.work_alerts(&filter).await?)
    }

    /// Acknowledges an alert (someone is on it), or resolves it.
    pub async fn step_alert(
        &self,
        principal: &Principal,
        id: &str,
        action: AlertAction,
    ) -> AppResult<AlertRecord> {
        let target = Some((Resource::Alert, id));
        self.authorize(principal, Action::ActOnAlerts, target)
            .await?;
        let (actor, now_ms) = (principal.actor(), self.clock.now_ms());
        retrying(|| act(self.store.as_ref(), id, action, &actor, now_ms)).await
    }
}

async fn act(
    store: &dyn Store,
    id: &str,
    action: AlertAction,
    actor: &str,
    now_ms: i64,
) -> Attempt<AlertRecord> {
    let mut tx = store.transaction().await?;
    let not_found = || AppError::NotFound(format!("alert {id}"));
    let mut alert = tx.lock_work_alert(id).await?.ok_or_else(not_found)?;
    alert.status = act_on_alert(alert.status, action)
        .map_err(|e| AppError::Conflict(FieldErrors::single("status", e.to_string())))?;
    let by = Some(actor.to_string());
    match action {
        AlertAction::Acknowledge => {
            (alert.acknowledged_at_ms, alert.acknowledged_by) = (Some(now_ms), by)
        }
        AlertAction::Resolve => (alert.resolved_at_ms, alert.resolved_by) = (Some(now_ms), by),
    }
    tx.update_work_alert(&alert, now_ms).await?;
    tx.commit().await?;
    Ok(alert)
}
