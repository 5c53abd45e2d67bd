//! `/v1/inbound`: purchase orders and advance ship notices, received partly or in full.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::supply::InboundRequest;
use ordo_app::{App, InboundFilter};
use ordo_domain::field::FieldErrors;
use ordo_domain::inbound::{INBOUND_LINES_MAX, Inbound, InboundKind, InboundStatus};
use ordo_domain::promise::parse_date;
use ordo_domain::values::{LocationCode, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ReceiveBody, SupplyLineBody, SupplyQuery, parse_lines, parse_receipts};
use crate::extract::{Caller, Json};
use crate::http::common::{List, PageQuery, timestamp};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_inbound, list_inbound))
        .routes(routes!(get_inbound))
        .routes(routes!(receive_inbound))
        .routes(routes!(cancel_inbound))
}

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
    body: Json<InboundBody>,
) -> ApiResult<(StatusCode, axum::Json<InboundView>)> {
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
    Query(query): Query<SupplyQuery>,
) -> ApiResult<axum::Json<List<InboundView>>> {
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
    Path(id): Path<String>,
) -> ApiResult<axum::Json<InboundView>> {
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
    let principal = &caller.0;
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
    let principal = &caller.0;
    Ok(axum::Json(
        app.step_inbound(&id, None, &principal.actor())
            .await?
            .into(),
    ))
}
