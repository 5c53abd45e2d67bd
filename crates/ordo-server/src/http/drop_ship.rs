//! `GET /v1/purchase-requests`: drop ship. Each order allocation at a supplier location is a
//! request to that supplier to ship the units to the customer: open while the allocation is
//! held, shipped when it ships, cancelled when it is released (cancel, re-route, re-optimise).

use std::sync::Arc;

use axum::extract::{Query, State};
use ordo_app::{App, PurchaseRequestFilter, PurchaseRequestRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use crate::extract::Caller;
use crate::problem::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchaseRequestQuery {
    /// `open`, `shipped` or `cancelled`.
    pub status: Option<String>,
    /// A supplier location's code.
    pub supplier: Option<String>,
    pub order_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseRequestView {
    pub id: String,
    /// The order allocation at the supplier this request stands for.
    pub allocation_id: String,
    pub order_id: String,
    pub line: u32,
    pub supplier: String,
    pub sku: String,
    pub quantity: i64,
    /// `open`, `shipped` or `cancelled`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<PurchaseRequestRecord> for PurchaseRequestView {
    fn from(r: PurchaseRequestRecord) -> Self {
        Self {
            id: r.id,
            allocation_id: r.allocation_id,
            order_id: r.order_id,
            line: r.line_no,
            supplier: r.supplier,
            sku: r.sku,
            quantity: r.quantity,
            status: r.status.as_str().into(),
            created_at: timestamp(r.created_at_ms),
            updated_at: timestamp(r.updated_at_ms),
        }
    }
}

/// Drop-ship purchase requests to suppliers, oldest first.
#[utoipa::path(operation_id = "list_purchase_requests", get, path = "", tag = "routing", params(PurchaseRequestQuery),
    responses((status = 200, body = List<PurchaseRequestView>), (status = 422, body = Problem)))]
async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<PurchaseRequestQuery>,
) -> ApiResult<axum::Json<List<PurchaseRequestView>>> {
    let filter = PurchaseRequestFilter {
        status: query.status,
        supplier: query.supplier,
        order_id: query.order_id,
        channel: None,
    };
    let items = app
        .purchase_requests(&caller.0, filter)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}
