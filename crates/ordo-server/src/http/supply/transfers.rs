//! `/v1/transfers`: request, ship, receive and cancel transfers between locations.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::supply::TransferRequest;
use ordo_app::{App, TransferAction, TransferFilter, TransferRecord};
use ordo_domain::field::FieldErrors;
use ordo_domain::transfer::{TRANSFER_LINES_MAX, TransferStatus};
use ordo_domain::values::{LocationCode, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ReceiveBody, SupplyLineBody, SupplyQuery, parse_lines, parse_receipts};
use crate::extract::OptionalJson;
use crate::extract::{Caller, Json};
use crate::http::common::{List, PageQuery, timestamp};
use crate::http::inventory::REASON_LEN_MAX;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_transfer, list_transfers))
        .routes(routes!(get_transfer))
        .routes(routes!(ship_transfer))
        .routes(routes!(receive_transfer))
        .routes(routes!(cancel_transfer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    #[schema(required = true, example = "WH-HAM")]
    pub from: Option<String>,
    #[schema(required = true, example = "ST-BRE")]
    pub to: Option<String>,
    #[schema(required = true)]
    pub lines: Option<Vec<SupplyLineBody>>,
    #[schema(example = "store replenishment")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferView {
    pub id: String,
    pub from: String,
    pub to: String,
    /// `requested` (units reserved at the source), `in_transit`, `partially_received`,
    /// `received` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub lines: Vec<TransferLineView>,
    pub created_at: String,
    pub shipped_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferLineView {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
    pub shipped: i64,
    pub received: i64,
    /// Shipped and not yet received: counted at neither location.
    pub in_transit: i64,
}

impl From<TransferRecord> for TransferView {
    fn from(record: TransferRecord) -> Self {
        let t = record.transfer;
        Self {
            id: t.id,
            from: t.from.to_string(),
            to: t.to.to_string(),
            status: t.status.as_str().into(),
            reason: t.reason,
            lines: t
                .lines
                .into_iter()
                .map(|l| TransferLineView {
                    line: l.line_no,
                    sku: l.sku.to_string(),
                    quantity: l.quantity,
                    shipped: l.shipped,
                    received: l.received,
                    in_transit: l.shipped - l.received,
                })
                .collect(),
            created_at: timestamp(t.created_at_ms),
            shipped_at: t.shipped_at_ms.map(timestamp),
            updated_at: timestamp(t.updated_at_ms),
        }
    }
}

/// Request a transfer: its units are reserved at the source at once, all lines or none.
#[utoipa::path(post, path = "", tag = "supply", request_body = TransferBody,
    responses((status = 201, body = TransferView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_transfer(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<TransferBody>,
) -> ApiResult<(StatusCode, axum::Json<TransferView>)> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let from = e.required("from", body.from, |l| LocationCode::parse(&l));
    let to = e.required("to", body.to, |l| LocationCode::parse(&l));
    let reason = e.optional("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let lines = parse_lines(body.lines, TRANSFER_LINES_MAX, &mut e);
    let (Some(from), Some(to), Some(reason), true) = (from, to, reason, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let record = app
        .create_transfer(
            TransferRequest {
                from,
                to,
                lines,
                reason,
            },
            &principal.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

/// Transfers, newest first.
#[utoipa::path(get, path = "", tag = "supply", params(SupplyQuery), responses((status = 200, body = List<TransferView>)))]
async fn list_transfers(
    State(app): State<Arc<App>>,
    Query(query): Query<SupplyQuery>,
) -> ApiResult<axum::Json<List<TransferView>>> {
    let mut e = FieldErrors::new();
    let status = e.optional("status", query.status, |s| TransferStatus::parse(&s));
    let location = e.optional("location", query.location, |l| LocationCode::parse(&l));
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page(app.limits(), &mut e);
    let (Some(status), Some(location), true) = (status, location, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let page = app
        .transfers(&TransferFilter { status, location }, &page)
        .await?;
    Ok(axum::Json(List::from_page(page, TransferView::from)))
}

/// One transfer.
#[utoipa::path(get, path = "/{id}", tag = "supply", params(("id" = String, Path)), responses((status = 200, body = TransferView), (status = 404, body = Problem)))]
async fn get_transfer(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TransferView>> {
    Ok(axum::Json(app.transfer(&id).await?.into()))
}

/// Ship a requested transfer: the units leave the source and count nowhere until received.
#[utoipa::path(post, path = "/{id}/ship", tag = "supply", params(("id" = String, Path)),
    responses((status = 200, body = TransferView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn ship_transfer(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TransferView>> {
    let principal = &caller.0;
    Ok(axum::Json(
        app.step_transfer(&id, TransferAction::Ship, &principal.actor())
            .await?
            .into(),
    ))
}

/// Receive a shipped transfer, partly or in full; the units count at the destination and go
/// to waiting backorders there.
#[utoipa::path(post, path = "/{id}/receive", tag = "supply", params(("id" = String, Path)), request_body(content = Option<ReceiveBody>),
    responses((status = 200, body = TransferView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn receive_transfer(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<ReceiveBody>,
) -> ApiResult<axum::Json<TransferView>> {
    let principal = &caller.0;
    let mut e = FieldErrors::new();
    let receipts = parse_receipts(body.0.unwrap_or_default().lines.unwrap_or_default(), &mut e);
    e.into_result().map_err(ApiError::invalid)?;
    Ok(axum::Json(
        app.step_transfer(&id, TransferAction::Receive(&receipts), &principal.actor())
            .await?
            .into(),
    ))
}

/// Cancel a transfer before it ships: its units go back to the source.
#[utoipa::path(post, path = "/{id}/cancel", tag = "supply", params(("id" = String, Path)),
    responses((status = 200, body = TransferView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_transfer(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TransferView>> {
    let principal = &caller.0;
    Ok(axum::Json(
        app.step_transfer(&id, TransferAction::Cancel, &principal.actor())
            .await?
            .into(),
    ))
}
