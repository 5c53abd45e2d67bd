//! `POST /v1/routing/reoptimize`: the allocations of pending orders — not yet shipped, for
//! delivery — planned again together at least cost, each under its channel's profile, to cut
//! splits and cost. It answers what changed, or with `dry_run` what would.

use std::sync::Arc;

use axum::extract::State;
use ordo_app::{App, ReoptimizeReport, ReoptimizedOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Caller, Json};
use crate::problem::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(reoptimize))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReoptimizeBody {
    /// Only this channel's orders; every channel's when absent.
    pub channel: Option<String>,
    /// Most pending orders planned again, oldest first: 1 to 2,000 (500 when absent).
    #[schema(example = 500)]
    pub limit: Option<i64>,
    /// Report what would change without changing it.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationRow {
    pub line: u32,
    pub sku: String,
    pub location: String,
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReoptimizedOrderView {
    pub order_id: String,
    pub order_number: String,
    pub packages_before: usize,
    pub packages_after: usize,
    pub cost_before: i64,
    pub cost_after: i64,
    pub from: Vec<AllocationRow>,
    pub to: Vec<AllocationRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReoptimizeView {
    /// `joint`: every pending order was planned again together; `one_by_one`: the joint plan
    /// did not help, and each split order was planned again alone against the others.
    pub phase: String,
    /// How the orders were planned again: `optimal` — at least cost within each channel's
    /// profile (its filters, costs and prices), whatever strategy placed them.
    pub strategy: String,
    pub dry_run: bool,
    pub orders_considered: usize,
    pub orders_changed: usize,
    pub packages_before: usize,
    pub packages_after: usize,
    pub split_orders_before: usize,
    pub split_orders_after: usize,
    /// Total cost of the pending orders' plans, in the profiles' cost units (minor units).
    pub cost_before: i64,
    pub cost_after: i64,
    pub changes: Vec<ReoptimizedOrderView>,
}

fn rows(rows: Vec<(u32, String, String, i64)>) -> Vec<AllocationRow> {
    rows.into_iter()
        .map(|(line, sku, location, quantity)| AllocationRow {
            line,
            sku,
            location,
            quantity,
        })
        .collect()
}

impl From<ReoptimizedOrder> for ReoptimizedOrderView {
    fn from(o: ReoptimizedOrder) -> Self {
        Self {
            order_id: o.order_id,
            order_number: o.order_number,
            packages_before: o.packages_before,
            packages_after: o.packages_after,
            cost_before: o.cost_before,
            cost_after: o.cost_after,
            from: rows(o.from),
            to: rows(o.to),
        }
    }
}

impl From<ReoptimizeReport> for ReoptimizeView {
    fn from(r: ReoptimizeReport) -> Self {
        Self {
            phase: r.phase,
            strategy: r.strategy.into(),
            dry_run: r.dry_run,
            orders_considered: r.orders_considered,
            orders_changed: r.orders_changed,
            packages_before: r.packages_before,
            packages_after: r.packages_after,
            split_orders_before: r.split_orders_before,
            split_orders_after: r.split_orders_after,
            cost_before: r.cost_before,
            cost_after: r.cost_after,
            changes: r.changes.into_iter().map(Into::into).collect(),
        }
    }
}

/// Plan pending orders' allocations again together, at least cost, and move those whose plan
/// changed: fewer split shipments, lower cost.
#[utoipa::path(operation_id = "reoptimize_orders", post, path = "", tag = "routing", request_body = ReoptimizeBody,
    responses((status = 200, body = ReoptimizeView), (status = 422, body = Problem)))]
async fn reoptimize(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ReoptimizeBody>,
) -> ApiResult<axum::Json<ReoptimizeView>> {
    let principal = &caller.0;
    let body = body.value;
    let report = app
        .reoptimize(
            principal,
            body.channel.as_deref(),
            body.limit,
            body.dry_run.unwrap_or(false),
        )
        .await?;
    Ok(axum::Json(report.into()))
}
