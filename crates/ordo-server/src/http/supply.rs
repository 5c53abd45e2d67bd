//! `/v1/transfers` and `/v1/inbound`: stock moving between locations, and stock on its way
//! from suppliers.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::supply::{InboundRequest, TransferRequest};
use ordo_app::{App, InboundFilter, Receipt, TransferAction, TransferFilter, TransferRecord};
use ordo_domain::auth::Action;
use ordo_domain::field::FieldErrors;
use ordo_domain::inbound::{INBOUND_LINES_MAX, Inbound, InboundKind, InboundStatus};
use ordo_domain::inventory::{StockState, UNITS_MAX};
use ordo_domain::promise::parse_date;
use ordo_domain::transfer::{TRANSFER_LINES_MAX, TransferStatus};
use ordo_domain::values::{LocationCode, Sku, parse_positive_quantity, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use super::inventory::REASON_LEN_MAX;
use super::orders::OptionalJson;
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn transfers_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_transfer, list_transfers))
        .routes(routes!(get_transfer))
        .routes(routes!(ship_transfer))
        .routes(routes!(receive_transfer))
        .routes(routes!(cancel_transfer))
}

pub fn inbound_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_inbound, list_inbound))
        .routes(routes!(get_inbound))
        .routes(routes!(receive_inbound))
        .routes(routes!(cancel_inbound))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyLineBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 24)]
    pub quantity: Option<i64>,
}

/// Lines of a transfer or inbound: 1 to `max`, each an item and a quantity.
fn parse_lines(
    raw: Option<Vec<SupplyLineBody>>,
    max: usize,
    e: &mut FieldErrors,
) -> Vec<(Sku, i64)> {
    let lines = e.required("lines", raw, |l| {
        if l.is_empty() || l.len() > max {
            Err(format!("must hold 1 to {max} lines"))
        } else {
            Ok(l)
        }
    });
    let mut parsed = Vec::new();
    for (i, line) in lines.into_iter().flatten().enumerate() {
        let sku = e.required(&format!("lines[{i}].sku"), line.sku, |s| Sku::parse(&s));
        let quantity = e.required(&format!("lines[{i}].quantity"), line.quantity, |q| {
            parse_positive_quantity(q, UNITS_MAX)
        });
        if let (Some(sku), Some(quantity)) = (sku, quantity) {
            parsed.push((sku, quantity));
        }
    }
    parsed
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    /// What arrived; for a transfer, everything in transit (sellable) when absent.
    pub lines: Option<Vec<ReceiptBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 24)]
    pub quantity: Option<i64>,
    /// `sellable` (when absent), `damaged` or `quality_hold`.
    pub state: Option<String>,
}

fn parse_receipts(raw: Vec<ReceiptBody>, e: &mut FieldErrors) -> Vec<Receipt> {
    let mut receipts = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        let sku = e.required(&format!("lines[{i}].sku"), r.sku, |s| Sku::parse(&s));
        let quantity = e.required(&format!("lines[{i}].quantity"), r.quantity, |q| {
            parse_positive_quantity(q, UNITS_MAX)
        });
        let state = e.check(
            format!("lines[{i}].state"),
            r.state
                .map_or(Ok(StockState::Sellable), |s| StockState::parse(&s)),
        );
        if let (Some(sku), Some(quantity), Some(state)) = (sku, quantity, state) {
            receipts.push((sku, quantity, state));
        }
    }
    receipts
}

// ---- transfers ---------------------------------------------------------------------------

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
    let principal = caller.require(Action::Administer)?;
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplyQuery {
    pub status: Option<String>,
    pub location: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Transfers, newest first.
#[utoipa::path(get, path = "", tag = "supply", params(SupplyQuery), responses((status = 200, body = List<TransferView>)))]
async fn list_transfers(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<SupplyQuery>,
) -> ApiResult<axum::Json<List<TransferView>>> {
    caller.require(Action::ReadCatalog)?;
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
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TransferView>> {
    caller.require(Action::ReadCatalog)?;
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
    let principal = caller.require(Action::Administer)?;
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
    let principal = caller.require(Action::Administer)?;
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
    let principal = caller.require(Action::Administer)?;
    Ok(axum::Json(
        app.step_transfer(&id, TransferAction::Cancel, &principal.actor())
            .await?
            .into(),
    ))
}

// ---- inbound -----------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundBody {
    /// `purchase_order` or `advance_ship_notice`.
    #[schema(required = true, example = "purchase_order")]
    pub kind: Option<String>,
    #[schema(required = true, example = "WH-HAM")]
    pub location: Option<String>,
    /// The supplier's own reference: their order confirmation or ASN number.
    #[schema(required = true, example = "PO-2026-0042")]
    pub supplier_reference: Option<String>,
    #[schema(required = true, example = "2026-12-03")]
    pub expected_date: Option<String>,
    #[schema(required = true)]
    pub lines: Option<Vec<SupplyLineBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundView {
    pub id: String,
    pub kind: String,
    pub location: String,
    pub supplier_reference: String,
    pub expected_date: String,
    /// `open`, `partially_received`, `received` or `cancelled`.
    pub status: String,
    pub lines: Vec<InboundLineView>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundLineView {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
    pub received: i64,
    /// Still expected.
    pub outstanding: i64,
}

impl From<Inbound> for InboundView {
    fn from(i: Inbound) -> Self {
        Self {
            id: i.id,
            kind: i.kind.as_str().into(),
            location: i.location.to_string(),
            supplier_reference: i.supplier_reference,
            expected_date: i.expected_date.to_string(),
            status: i.status.as_str().into(),
            lines: i
                .lines
                .iter()
                .map(|l| InboundLineView {
                    line: l.line_no,
                    sku: l.sku.to_string(),
                    quantity: l.quantity,
                    received: l.received,
                    outstanding: l.outstanding(),
                })
                .collect(),
            created_at: timestamp(i.created_at_ms),
            updated_at: timestamp(i.updated_at_ms),
        }
    }
}

/// Record a purchase order or advance ship notice: supply expected at a location on a date,
/// which promises and waiting backorders count on until it arrives.
#[utoipa::path(post, path = "", tag = "supply", request_body = InboundBody,
    responses((status = 201, body = InboundView), (status = 422, body = Problem)))]
async fn create_inbound(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<InboundBody>,
) -> ApiResult<(StatusCode, axum::Json<InboundView>)> {
    caller.require(Action::Administer)?;
    let body = body.value;
    let mut e = FieldErrors::new();
    let kind = e.required("kind", body.kind, |k| InboundKind::parse(&k));
    let location = e.required("location", body.location, |l| LocationCode::parse(&l));
    let supplier_reference = e.required("supplier_reference", body.supplier_reference, |r| {
        parse_text(&r, 128)
    });
    let expected_date = e.required("expected_date", body.expected_date, |d| parse_date(&d));
    let lines = parse_lines(body.lines, INBOUND_LINES_MAX, &mut e);
    let (Some(kind), Some(location), Some(supplier_reference), Some(expected_date), true) = (
        kind,
        location,
        supplier_reference,
        expected_date,
        e.is_empty(),
    ) else {
        return Err(ApiError::invalid(e));
    };
    let inbound = app
        .create_inbound(InboundRequest {
            kind,
            location,
            supplier_reference,
            expected_date,
            lines,
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(inbound.into())))
}

/// Inbound supply, newest first.
#[utoipa::path(get, path = "", tag = "supply", params(SupplyQuery), responses((status = 200, body = List<InboundView>)))]
async fn list_inbound(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<SupplyQuery>,
) -> ApiResult<axum::Json<List<InboundView>>> {
    caller.require(Action::ReadCatalog)?;
    let mut e = FieldErrors::new();
    let status = e.optional("status", query.status, |s| InboundStatus::parse(&s));
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
        .inbound_list(&InboundFilter { status, location }, &page)
        .await?;
    Ok(axum::Json(List::from_page(page, InboundView::from)))
}

/// One inbound.
#[utoipa::path(get, path = "/{id}", tag = "supply", params(("id" = String, Path)), responses((status = 200, body = InboundView), (status = 404, body = Problem)))]
async fn get_inbound(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<InboundView>> {
    caller.require(Action::ReadCatalog)?;
    Ok(axum::Json(app.inbound(&id).await?.into()))
}

/// Receive an inbound, partly or in full: the units become on hand (in the state given) and
/// go to waiting backorders, by the backorder policy.
#[utoipa::path(post, path = "/{id}/receive", tag = "supply", params(("id" = String, Path)), request_body = ReceiveBody,
    responses((status = 200, body = InboundView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn receive_inbound(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<ReceiveBody>,
) -> ApiResult<axum::Json<InboundView>> {
    let principal = caller.require(Action::Administer)?;
    let mut e = FieldErrors::new();
    let lines = e.required("lines", body.value.lines, |l| {
        if l.is_empty() {
            Err("must hold at least one line".to_string())
        } else {
            Ok(l)
        }
    });
    let receipts = parse_receipts(lines.unwrap_or_default(), &mut e);
    e.into_result().map_err(ApiError::invalid)?;
    Ok(axum::Json(
        app.step_inbound(&id, Some(&receipts), &principal.actor())
            .await?
            .into(),
    ))
}

/// Close an inbound: nothing more is expected from it.
#[utoipa::path(post, path = "/{id}/cancel", tag = "supply", params(("id" = String, Path)),
    responses((status = 200, body = InboundView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_inbound(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<InboundView>> {
    let principal = caller.require(Action::Administer)?;
    Ok(axum::Json(
        app.step_inbound(&id, None, &principal.actor())
            .await?
            .into(),
    ))
}
