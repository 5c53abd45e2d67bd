//! `/v1/inventory` and `/v1/availability`: stock positions, counts, adjustments, the ledger,
//! and what is available to promise.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use ordo_app::App;
use ordo_app::inventory::Adjustment;
use ordo_app::{LedgerRecord, PositionFilter};
use ordo_domain::auth::Action;
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::{LedgerEntry, Position, SkuAvailability, UNITS_MAX};
use ordo_domain::values::{LocationCode, Sku, parse_stock_figure, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

/// Longest reason text kept with a stock change.
const REASON_LEN_MAX: usize = 500;

pub fn inventory_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_positions))
        .routes(routes!(count_stock))
        .routes(routes!(adjust_stock))
        .routes(routes!(list_ledger))
}

pub fn availability_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(availability))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionView {
    pub location: String,
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    /// on_hand − reserved − safety_stock, never below zero.
    pub available: i64,
}

impl From<Position> for PositionView {
    fn from(p: Position) -> Self {
        Self {
            available: p.available(),
            location: p.location.to_string(),
            sku: p.sku.to_string(),
            on_hand: p.on_hand,
            reserved: p.reserved,
            safety_stock: p.safety_stock,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    /// The entry's place in the ledger (absent on entries just written).
    pub id: Option<i64>,
    pub at: String,
    pub location: String,
    pub sku: String,
    /// `count`, `adjustment`, `reserve`, `release` or `commit`.
    pub kind: String,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    pub safety_stock_after: i64,
    pub reason: Option<String>,
    /// What caused it: an order id, or the id shared by one request's movements.
    pub reference: Option<String>,
    pub actor: String,
}

impl LedgerEntryView {
    fn new(id: Option<i64>, e: LedgerEntry) -> Self {
        Self {
            id,
            at: timestamp(e.at_ms),
            location: e.location.to_string(),
            sku: e.sku.to_string(),
            kind: e.kind.as_str().into(),
            on_hand_delta: e.on_hand_delta,
            reserved_delta: e.reserved_delta,
            on_hand_after: e.on_hand_after,
            reserved_after: e.reserved_after,
            safety_stock_after: e.safety_stock_after,
            reason: e.reason,
            reference: e.reference,
            actor: e.actor,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionQuery {
    pub sku: Option<String>,
    pub location: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

impl PositionQuery {
    fn parse(self, app: &App) -> ApiResult<(PositionFilter, ordo_app::PageRequest)> {
        let mut e = FieldErrors::new();
        let sku = e.optional("sku", self.sku, |s| Sku::parse(&s));
        let location = e.optional("location", self.location, |l| LocationCode::parse(&l));
        let page = PageQuery {
            limit: self.limit,
            cursor: self.cursor,
        }
        .page(app.limits(), &mut e);
        let (Some(sku), Some(location)) = (sku, location) else {
            return Err(ApiError::invalid(e));
        };
        e.into_result().map_err(ApiError::invalid)?;
        Ok((PositionFilter { sku, location }, page))
    }
}

/// Stock positions, by SKU then location.
#[utoipa::path(get, path = "", tag = "inventory", params(PositionQuery), responses((status = 200, body = List<PositionView>)))]
async fn list_positions(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<PositionQuery>,
) -> ApiResult<axum::Json<List<PositionView>>> {
    caller.require(Action::ReadCatalog)?;
    let (filter, page) = query.parse(&app)?;
    Ok(axum::Json(List::from_page(
        app.positions(&filter, &page).await?,
        PositionView::from,
    )))
}

/// The inventory ledger, newest first: every change to on hand, reserved or safety stock.
#[utoipa::path(get, path = "/ledger", tag = "inventory", params(PositionQuery), responses((status = 200, body = List<LedgerEntryView>)))]
async fn list_ledger(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<PositionQuery>,
) -> ApiResult<axum::Json<List<LedgerEntryView>>> {
    caller.require(Action::ReadCatalog)?;
    let (filter, page) = query.parse(&app)?;
    let page = app.ledger(&filter, &page).await?;
    Ok(axum::Json(List::from_page(page, |r: LedgerRecord| {
        LedgerEntryView::new(Some(r.id), r.entry)
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountBody {
    /// The counted units at the location.
    #[schema(required = true, example = 42)]
    pub on_hand: Option<i64>,
    /// Units kept back from promising; unchanged when absent.
    pub safety_stock: Option<i64>,
    #[schema(example = "cycle count")]
    pub reason: Option<String>,
}

/// Set a counted figure for one item at one location; the difference is recorded in the
/// ledger. A count below what is reserved is refused with 409.
#[utoipa::path(put, path = "/{location}/{sku}", tag = "inventory", request_body = CountBody,
    params(("location" = String, Path), ("sku" = String, Path)),
    responses((status = 200, body = PositionView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn count_stock(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((location, sku)): Path<(String, String)>,
    body: Json<CountBody>,
) -> ApiResult<axum::Json<PositionView>> {
    let principal = caller.require(Action::Administer)?;
    let location = LocationCode::parse(&location)
        .map_err(|_| ApiError::not_found(format!("location {location}")))?;
    let sku = Sku::parse(&sku).map_err(|_| ApiError::not_found(format!("item {sku}")))?;
    let body = body.value;
    let mut e = FieldErrors::new();
    let on_hand = e.required("on_hand", body.on_hand, parse_stock_figure);
    let safety_stock = e.optional("safety_stock", body.safety_stock, parse_stock_figure);
    let reason = e.optional("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let (Some(on_hand), Some(safety_stock), Some(reason)) = (on_hand, safety_stock, reason) else {
        return Err(ApiError::invalid(e));
    };
    let entry = app
        .count_stock(
            location,
            sku,
            on_hand,
            safety_stock,
            reason,
            &principal.actor(),
        )
        .await?;
    Ok(axum::Json(PositionView::from(Position {
        location: entry.location,
        sku: entry.sku,
        on_hand: entry.on_hand_after,
        reserved: entry.reserved_after,
        safety_stock: entry.safety_stock_after,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentsBody {
    #[schema(required = true, example = "damaged in storage")]
    pub reason: Option<String>,
    #[schema(required = true)]
    pub adjustments: Option<Vec<AdjustmentBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    #[schema(required = true, example = "WH-HAM")]
    pub location: Option<String>,
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    /// Signed change to on hand, not zero.
    #[schema(required = true, example = -2)]
    pub delta: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustedView {
    /// One ledger entry per adjustment, in the order given.
    pub entries: Vec<LedgerEntryView>,
}

/// Apply signed corrections to on hand, all together or none. Adjustments that would take on
/// hand below zero or below what is reserved are refused with 409, naming each.
#[utoipa::path(post, path = "/adjustments", tag = "inventory", request_body = AdjustmentsBody,
    responses((status = 200, body = AdjustedView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn adjust_stock(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<AdjustmentsBody>,
) -> ApiResult<axum::Json<AdjustedView>> {
    let principal = caller.require(Action::Administer)?;
    let body = body.value;
    let max = app.limits().adjustments_max;
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let lines = e.required("adjustments", body.adjustments, |a| {
        if a.is_empty() || a.len() > max {
            Err(format!("must hold 1 to {max} adjustments"))
        } else {
            Ok(a)
        }
    });
    let mut adjustments = Vec::new();
    for (i, a) in lines.into_iter().flatten().enumerate() {
        let location = e.required(&format!("adjustments[{i}].location"), a.location, |l| {
            LocationCode::parse(&l)
        });
        let sku = e.required(&format!("adjustments[{i}].sku"), a.sku, |s| Sku::parse(&s));
        let delta = e.required(&format!("adjustments[{i}].delta"), a.delta, |d| {
            if d == 0 || d.abs() > UNITS_MAX {
                Err(format!(
                    "must be a non-zero whole number from -{UNITS_MAX} to {UNITS_MAX}"
                ))
            } else {
                Ok(d)
            }
        });
        if let (Some(location), Some(sku), Some(delta)) = (location, sku, delta) {
            adjustments.push(Adjustment {
                location,
                sku,
                delta,
            });
        }
    }
    let (Some(reason), true) = (reason, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let entries = app
        .adjust_stock(adjustments, reason, &principal.actor())
        .await?;
    Ok(axum::Json(AdjustedView {
        entries: entries
            .into_iter()
            .map(|e| LedgerEntryView::new(None, e))
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// Comma-separated SKUs, such as `TEE-BLK-M,TEE-BLK-L`.
    pub skus: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub sku: String,
    /// Available to promise across the network: the sum over active locations.
    pub available: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub locations: Vec<PositionView>,
}

impl From<SkuAvailability> for AvailabilityView {
    fn from(a: SkuAvailability) -> Self {
        Self {
            sku: a.sku.to_string(),
            available: a.available,
            on_hand: a.on_hand,
            reserved: a.reserved,
            locations: a.locations.into_iter().map(PositionView::from).collect(),
        }
    }
}

/// Available to promise, per active location and for the network: on hand − reserved −
/// safety stock, never below zero.
#[utoipa::path(get, path = "", tag = "inventory", params(AvailabilityQuery),
    responses((status = 200, body = List<AvailabilityView>), (status = 422, body = Problem)))]
async fn availability(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<AvailabilityQuery>,
) -> ApiResult<axum::Json<List<AvailabilityView>>> {
    caller.require(Action::ReadAvailability)?;
    let max = app.limits().availability_skus_max;
    let mut e = FieldErrors::new();
    let skus = e.required("skus", query.skus, |raw| {
        let parts: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() || parts.len() > max {
            return Err(format!("must list 1 to {max} SKUs separated by commas"));
        }
        let mut skus: Vec<Sku> = Vec::with_capacity(parts.len());
        for part in parts {
            let sku = Sku::parse(part).map_err(|m| format!("'{part}' {m}"))?;
            if !skus.contains(&sku) {
                skus.push(sku);
            }
        }
        Ok(skus)
    });
    let Some(skus) = skus else {
        return Err(ApiError::invalid(e));
    };
    let items = app
        .availability(&skus)
        .await?
        .into_iter()
        .map(AvailabilityView::from)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}
