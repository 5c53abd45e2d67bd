//! `/v1/backorders`: the queue of order lines waiting for stock, and the policy that orders it.

use std::sync::Arc;

use axum::extract::{Query, State};
use ordo_app::{App, BackorderFilter, WaitingLine};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::BackorderPolicy;
use ordo_domain::values::{ChannelCode, Sku};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_backorders))
        .routes(routes!(get_policy, put_policy))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BackorderQuery {
    pub sku: Option<String>,
    pub channel: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingLineView {
    pub order_id: String,
    pub order_number: String,
    pub channel: String,
    pub priority: i64,
    pub order_created_at: String,
    pub promised_date: Option<String>,
    pub line: u32,
    pub sku: String,
    /// Units waiting for stock.
    pub quantity: i64,
    pub preorder: bool,
    /// When incoming supply (or the preorder's release) should cover them.
    pub expected_date: Option<String>,
}

impl From<WaitingLine> for WaitingLineView {
    fn from(w: WaitingLine) -> Self {
        Self {
            order_id: w.order_id,
            order_number: w.order_number,
            channel: w.channel.to_string(),
            priority: w.priority,
            order_created_at: timestamp(w.order_created_at_ms),
            promised_date: w.promised_date.map(|d| d.to_string()),
            line: w.line_no,
            sku: w.sku.to_string(),
            quantity: w.waiting,
            preorder: w.preorder,
            expected_date: w.expected_date.map(|d| d.to_string()),
        }
    }
}

/// Order lines waiting for stock, in the order arriving stock will serve them.
#[utoipa::path(get, path = "", tag = "orders", params(BackorderQuery),
    responses((status = 200, body = List<WaitingLineView>), (status = 422, body = Problem)))]
async fn list_backorders(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<BackorderQuery>,
) -> ApiResult<axum::Json<List<WaitingLineView>>> {
    let mut e = FieldErrors::new();
    let sku = e.optional("sku", query.sku, |s| Sku::parse(&s));
    let channel = e.optional("channel", query.channel, |c| ChannelCode::parse(&c));
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page(app.limits(), &mut e);
    let (Some(sku), Some(channel), true) = (sku, channel, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let page = app
        .backorders(&caller.0, BackorderFilter { sku, channel }, &page)
        .await?;
    Ok(axum::Json(List::from_page(page, WaitingLineView::from)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// `oldest_first` (the default), `priority` (highest first, then oldest) or
    /// `promise_date` (earliest promise first, then oldest).
    #[schema(required = true, example = "priority")]
    pub policy: Option<String>,
}

/// The backorder policy.
#[utoipa::path(operation_id = "get_backorder_policy", get, path = "/policy", tag = "orders", responses((status = 200, body = PolicyBody)))]
async fn get_policy(State(app): State<Arc<App>>) -> ApiResult<axum::Json<PolicyBody>> {
    Ok(axum::Json(PolicyBody {
        policy: Some(app.backorder_policy().await?.as_str().into()),
    }))
}

/// Set the order in which waiting lines are filled when stock arrives.
#[utoipa::path(operation_id = "put_backorder_policy", put, path = "/policy", tag = "orders", request_body = PolicyBody,
    responses((status = 200, body = PolicyBody), (status = 422, body = Problem)))]
async fn put_policy(
    State(app): State<Arc<App>>,
    body: Json<PolicyBody>,
) -> ApiResult<axum::Json<PolicyBody>> {
    let mut e = FieldErrors::new();
    let Some(policy) = e.required("policy", body.value.policy, |p| BackorderPolicy::parse(&p))
    else {
        return Err(ApiError::invalid(e));
    };
    app.set_backorder_policy(policy).await?;
    Ok(axum::Json(PolicyBody {
        policy: Some(policy.as_str().into()),
    }))
}
