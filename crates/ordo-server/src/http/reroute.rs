//! `POST /v1/allocations/{id}/reject`: a location rejects an allocation (not found, damaged,
//! no capacity, stockout, missed cut-off) and the line is routed again without every location
//! that rejected it; `/v1/exceptions`: lines rejected more often than their profile allows,
//! for a person to re-route or leave waiting.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use ordo_app::{App, ExceptionRecord, Resolution};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::RejectReason;
use ordo_domain::values::{parse_positive_quantity, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use super::order_view::OrderView;
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

/// Longest note a rejection may carry.
pub const REJECT_NOTE_LEN_MAX: usize = 500;

/// Merged into `/v1/allocations`.
pub fn allocations_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(reject))
}

pub fn exceptions_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_exceptions))
        .routes(routes!(resolve))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// `not_found` and `stockout` take the units off the location's on hand; `damaged`
    /// makes them damaged stock; `no_capacity` and `missed_cutoff` leave the stock as it is.
    #[schema(required = true, example = "not_found")]
    pub reason: Option<String>,
    /// Units rejected; the whole allocation when absent.
    pub quantity: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectView {
    /// `rerouted` (allocated elsewhere), `waiting` (backordered) or `exception` (the order
    /// is on hold in the exceptions queue).
    pub outcome: String,
    pub rejection_id: String,
    pub exception_id: Option<String>,
    pub order: OrderView,
}

/// Reject units of an allocation; the line is routed again without every location that
/// rejected it, up to the routing profile's number of attempts.
#[utoipa::path(operation_id = "reject_allocation", post, path = "/{id}/reject", tag = "routing", params(("id" = String, Path)), request_body = RejectBody,
    responses((status = 200, body = RejectView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reject(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<RejectBody>,
) -> ApiResult<axum::Json<RejectView>> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.reason, |r| RejectReason::parse(&r));
    let quantity = e.optional("quantity", body.quantity, |q| {
        parse_positive_quantity(q, ordo_domain::order::LINE_QUANTITY_MAX)
    });
    let note = e.optional("note", body.note, |n| parse_text(&n, REJECT_NOTE_LEN_MAX));
    let (Some(reason), Some(quantity), Some(note), true) = (reason, quantity, note, e.is_empty())
    else {
        return Err(ApiError::invalid(e));
    };
    let rejected = app
        .reject_allocation(principal, &id, reason, quantity, note)
        .await?;
    Ok(axum::Json(RejectView {
        outcome: rejected.rejection.outcome.as_str().to_string(),
        rejection_id: rejected.rejection.id,
        exception_id: rejected.exception_id,
        order: rejected.order.into(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionQuery {
    /// `open` (the default) or `resolved`.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    pub order_id: String,
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
    pub reason: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    /// `rerouted` or `backordered`.
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

impl From<ExceptionRecord> for ExceptionView {
    fn from(x: ExceptionRecord) -> Self {
        Self {
            id: x.id,
            order_id: x.order_id,
            line: x.line_no,
            sku: x.sku,
            quantity: x.units,
            reason: x.reason,
            created_at: timestamp(x.created_at_ms),
            resolved_at: x.resolved_at_ms.map(timestamp),
            resolution: x.resolution,
            resolved_by: x.resolved_by,
        }
    }
}

/// Routing exceptions, oldest first: lines rejected more often than their routing profile
/// allows, their orders on hold.
#[utoipa::path(get, path = "", tag = "routing", params(ExceptionQuery),
    responses((status = 200, body = List<ExceptionView>), (status = 422, body = Problem)))]
async fn list_exceptions(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<ExceptionQuery>,
) -> ApiResult<axum::Json<List<ExceptionView>>> {
    let open = match query.status.as_deref() {
        None | Some("open") => true,
        Some("resolved") => false,
        Some(_) => {
            return Err(ApiError::invalid(FieldErrors::single(
                "status",
                "must be open or resolved",
            )));
        }
    };
    let items = app
        .routing_exceptions(&caller.0, open)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `reroute`: route the line again, still without the locations that rejected it;
    /// `backorder`: let it wait for stock like any backorder. Either takes the order off hold.
    #[schema(required = true, example = "reroute")]
    pub action: Option<String>,
}

/// Resolve a routing exception.
#[utoipa::path(operation_id = "resolve_exception", post, path = "/{id}/resolve", tag = "routing", params(("id" = String, Path)), request_body = ResolveBody,
    responses((status = 200, body = ExceptionView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<ResolveBody>,
) -> ApiResult<axum::Json<ExceptionView>> {
    let principal = &caller.0;
    let mut e = FieldErrors::new();
    let action = e.required("action", body.value.action, |a| match a.as_str() {
        "reroute" => Ok(Resolution::Reroute),
        "backorder" => Ok(Resolution::Backorder),
        _ => Err("must be reroute or backorder".to_string()),
    });
    let Some(action) = action else {
        return Err(ApiError::invalid(e));
    };
    let resolved = app
        .resolve_routing_exception(principal, &id, action)
        .await?;
    Ok(axum::Json(resolved.into()))
}
