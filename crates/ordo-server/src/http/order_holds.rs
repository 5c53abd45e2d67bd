//! `/v1/orders/{id}/holds`: holds on an order, or on one of its fulfilment orders, with a
//! typed reason. A held order releases nothing to locations and keeps its reservations; a
//! held fulfilment order cannot move on.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_domain::field::FieldErrors;
use ordo_domain::order::{HoldReason, OrderHold};
use ordo_domain::values::parse_text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

/// Merged into `/v1/orders`.
pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(place_hold, list_holds))
        .routes(routes!(release_hold))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderHoldBody {
    /// `payment`, `fraud_risk`, `address`, `inventory`, `customer_request` or `manual`.
    #[schema(required = true, example = "fraud_risk")]
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Hold only this fulfilment order of the order.
    pub fulfillment_order: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderHoldView {
    pub id: String,
    pub order_id: String,
    pub fulfillment_order: Option<String>,
    pub reason: String,
    pub note: Option<String>,
    /// `active` or `released`.
    pub status: String,
    pub placed_at: String,
    pub placed_by: String,
    pub released_at: Option<String>,
    pub released_by: Option<String>,
}

impl From<OrderHold> for OrderHoldView {
    fn from(h: OrderHold) -> Self {
        Self {
            status: if h.is_active() { "active" } else { "released" }.into(),
            id: h.id,
            order_id: h.order_id,
            fulfillment_order: h.fulfillment_order_id,
            reason: h.reason.as_str().into(),
            note: h.note,
            placed_at: timestamp(h.placed_at_ms),
            placed_by: h.placed_by,
            released_at: h.released_at_ms.map(timestamp),
            released_by: h.released_by,
        }
    }
}

/// Hold an order (it becomes `on_hold`) or one of its fulfilment orders.
#[utoipa::path(operation_id = "place_order_hold", post, path = "/{id}/holds", tag = "orders", params(("id" = String, Path)), request_body = OrderHoldBody,
    responses((status = 201, body = OrderHoldView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn place_hold(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<OrderHoldBody>,
) -> ApiResult<(StatusCode, axum::Json<OrderHoldView>)> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.reason, |r| HoldReason::parse(&r));
    let note = e.optional("note", body.note, |n| parse_text(&n, 500));
    let (Some(reason), Some(note)) = (reason, note) else {
        return Err(ApiError::invalid(e));
    };
    let hold = app
        .place_order_hold(&caller.0, &id, reason, note, body.fulfillment_order)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(hold.into())))
}

/// Every hold the order has had, active and released.
#[utoipa::path(operation_id = "list_order_holds", get, path = "/{id}/holds", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = List<OrderHoldView>), (status = 404, body = Problem)))]
async fn list_holds(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<List<OrderHoldView>>> {
    let holds = app.order_holds(&caller.0, &id).await?;
    Ok(axum::Json(List::new(
        holds.into_iter().map(Into::into).collect(),
    )))
}

/// Release a hold. When it was the order's last, the order's status follows its quantities.
#[utoipa::path(operation_id = "release_order_hold", post, path = "/{id}/holds/{hold_id}/release", tag = "orders", params(("id" = String, Path), ("hold_id" = String, Path)),
    responses((status = 200, body = OrderHoldView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn release_hold(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((id, hold_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<OrderHoldView>> {
    Ok(axum::Json(
        app.release_order_hold(&caller.0, &id, &hold_id)
            .await?
            .into(),
    ))
}
