//! `/v1/alerts`: fulfilment alerts — promise at risk, no tracking movement, failed delivery,
//! work not accepted in time — each with acknowledge and resolve, and each change written as
//! an event (`alert.raised`, `alert.acknowledged`, `alert.resolved`) in `/v1/events`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use ordo_app::{AlertFilter, AlertRecord, App};
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::alerts::{AlertAction, AlertKind, AlertStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use crate::extract::Caller;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_alerts))
        .routes(routes!(scan))
        .routes(routes!(acknowledge))
        .routes(routes!(resolve))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    /// `promise_at_risk`, `no_tracking_movement`, `failed_delivery`, `not_accepted` or
    /// `returned_to_sender`.
    pub kind: String,
    /// The fulfilment order or shipment it is about.
    pub subject: String,
    pub order_id: String,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    pub message: String,
    pub raised_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
}

impl From<AlertRecord> for AlertView {
    fn from(a: AlertRecord) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            subject: a.subject,
            order_id: a.order_id,
            status: a.status.as_str().to_string(),
            message: a.message,
            raised_at: timestamp(a.raised_at_ms),
            acknowledged_at: a.acknowledged_at_ms.map(timestamp),
            acknowledged_by: a.acknowledged_by,
            resolved_at: a.resolved_at_ms.map(timestamp),
            resolved_by: a.resolved_by,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `open`, `acknowledged` or `resolved`; all when absent.
    pub status: Option<String>,
    pub kind: Option<String>,
    pub order_id: Option<String>,
    /// Most to list, 1 to 500; 100 when absent.
    pub limit: Option<i64>,
}

/// Alerts, newest first.
#[utoipa::path(get, path = "", tag = "fulfillment", params(AlertQuery),
    responses((status = 200, body = List<AlertView>), (status = 422, body = Problem)))]
async fn list_alerts(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<AlertQuery>,
) -> ApiResult<axum::Json<List<AlertView>>> {
    let mut e = FieldErrors::new();
    let status = e.optional("status", query.status, |s| {
        AlertStatus::parse(&s).map_err(|_| "must be open, acknowledged or resolved".to_string())
    });
    let kind = e.optional("kind", query.kind, |k| {
        AlertKind::parse(&k).map(|k| k.as_str().to_string())
    });
    let limit = e.check(
        "limit",
        match query.limit.unwrap_or(100) {
            l @ 1..=500 => Ok(l),
            _ => Err("must be 1 to 500".to_string()),
        },
    );
    let (Some(status), Some(kind), Some(limit)) = (status, kind, limit) else {
        return Err(ApiError::invalid(e));
    };
    let filter = AlertFilter {
        status,
        kind,
        order_id: query.order_id,
        channel: None,
        location: None,
        limit,
    };
    let alerts = app.work_alerts(&caller.0, filter).await?;
    Ok(axum::Json(List::new(
        alerts.into_iter().map(Into::into).collect(),
    )))
}

/// Run the checks now (they also run in the background): raises what they find, resolves
/// what has cleared. Answers the alerts newly raised.
#[utoipa::path(operation_id = "scan_alerts", post, path = "/scan", tag = "fulfillment",
    responses((status = 200, body = List<AlertView>)))]
async fn scan(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> ApiResult<axum::Json<List<AlertView>>> {
    let raised = app.scan_alerts(&caller.0).await?;
    Ok(axum::Json(List::new(
        raised.into_iter().map(Into::into).collect(),
    )))
}

#[utoipa::path(operation_id = "acknowledge_alert", post, path = "/{id}/acknowledge", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = AlertView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AlertView>> {
    Ok(axum::Json(
        app.step_alert(&caller.0, &id, AlertAction::Acknowledge)
            .await?
            .into(),
    ))
}

#[utoipa::path(operation_id = "resolve_alert", post, path = "/{id}/resolve", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = AlertView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resolve(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AlertView>> {
    Ok(axum::Json(
        app.step_alert(&caller.0, &id, AlertAction::Resolve)
            .await?
            .into(),
    ))
}
