//! `/v1/inventory`: stock positions, counts, adjustments, reclassifications and the ledger.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use ordo_app::inventory::{Adjustment, Count, Reclassification};
use ordo_app::{App, LedgerRecord, PositionFilter};
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::{LedgerEntry, Position, StockState, UNITS_MAX};
use ordo_domain::values::{
    LocationCode, Sku, parse_positive_quantity, parse_stock_delta, parse_stock_figure, parse_text,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

/// Longest reason text kept with a stock change.
pub const REASON_LEN_MAX: usize = 500;

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_positions))
        .routes(routes!(count_stock))
        .routes(routes!(adjust_stock))
        .routes(routes!(reclassify_stock))
        .routes(routes!(list_ledger))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionView {
    pub location: String,
    pub sku: String,
    /// Every unit at the location, sellable or not.
    pub on_hand: i64,
    /// Units promised to order lines, checkout holds and transfers (expired holds excluded).
    pub reserved: i64,
    pub safety_stock: i64,
    /// On hand but damaged: never available.
    pub damaged: i64,
    /// On hand but held for quality inspection: never available.
    pub quality_hold: i64,
    /// on_hand − damaged − quality_hold − reserved − safety_stock, never below zero.
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
            damaged: p.damaged,
            quality_hold: p.quality_hold,
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
    /// `count`, `adjustment`, `receipt`, `reclassify`, `reserve`, `release` or `commit`.
    pub kind: String,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    pub safety_stock_after: i64,
    pub damaged_after: i64,
    pub quality_hold_after: i64,
    pub reason: Option<String>,
    /// What caused it: an order, hold, transfer or inbound id, or the id shared by one
    /// request's movements.
    pub reference: Option<String>,
    pub actor: String,
}

impl LedgerEntryView {
    pub fn new(id: Option<i64>, e: LedgerEntry) -> Self {
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
            damaged_after: e.damaged_after,
            quality_hold_after: e.quality_hold_after,
            reason: e.reason,
            reference: e.reference,
            actor: e.actor,
        }
    }
}

/// Ledger entries written by a request, in the order of its entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntriesView {
    pub entries: Vec<LedgerEntryView>,
}

impl EntriesView {
    pub fn new(entries: Vec<LedgerEntry>) -> Self {
        Self {
            entries: entries
                .into_iter()
                .map(|e| LedgerEntryView::new(None, e))
                .collect(),
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
    Query(query): Query<PositionQuery>,
) -> ApiResult<axum::Json<List<PositionView>>> {
    let (filter, page) = query.parse(&app)?;
    Ok(axum::Json(List::from_page(
        app.positions(&filter, &page).await?,
        PositionView::from,
    )))
}

/// The inventory ledger, newest first: every change to on hand, reserved, safety stock,
/// damaged or quality hold, with its reason, cause and actor.
#[utoipa::path(get, path = "/ledger", tag = "inventory", params(PositionQuery), responses((status = 200, body = List<LedgerEntryView>)))]
async fn list_ledger(
    State(app): State<Arc<App>>,
    Query(query): Query<PositionQuery>,
) -> ApiResult<axum::Json<List<LedgerEntryView>>> {
    let (filter, page) = query.parse(&app)?;
    let page = app.ledger(&filter, &page).await?;
    Ok(axum::Json(List::from_page(page, |r: LedgerRecord| {
        LedgerEntryView::new(Some(r.id), r.entry)
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountBody {
    /// The counted units at the location, sellable or not.
    #[schema(required = true, example = 42)]
    pub on_hand: Option<i64>,
    /// Units kept back from promising; unchanged when absent.
    pub safety_stock: Option<i64>,
    /// Of on hand, the damaged units; unchanged when absent.
    pub damaged: Option<i64>,
    /// Of on hand, the units held for quality inspection; unchanged when absent.
    pub quality_hold: Option<i64>,
    #[schema(example = "cycle count")]
    pub reason: Option<String>,
}

/// Set counted figures for one item at one location; the differences are recorded in the
/// ledger. A count that leaves fewer sellable units than are reserved is refused with 409
/// (a bulk sync re-routes those orders instead).
#[utoipa::path(put, path = "/{location}/{sku}", tag = "inventory", request_body = CountBody,
    params(("location" = String, Path), ("sku" = String, Path)),
    responses((status = 200, body = PositionView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn count_stock(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((location, sku)): Path<(String, String)>,
    body: Json<CountBody>,
) -> ApiResult<axum::Json<PositionView>> {
    let principal = &caller.0;
    let location = LocationCode::parse(&location)
        .map_err(|_| ApiError::not_found(format!("location {location}")))?;
    let sku = Sku::parse(&sku).map_err(|_| ApiError::not_found(format!("item {sku}")))?;
    let body = body.value;
    let mut e = FieldErrors::new();
    let on_hand = e.required("on_hand", body.on_hand, parse_stock_figure);
    let safety_stock = e.optional("safety_stock", body.safety_stock, parse_stock_figure);
    let damaged = e.optional("damaged", body.damaged, parse_stock_figure);
    let quality_hold = e.optional("quality_hold", body.quality_hold, parse_stock_figure);
    let reason = e.optional("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let (Some(on_hand), Some(safety_stock), Some(damaged), Some(quality_hold), Some(reason)) =
        (on_hand, safety_stock, damaged, quality_hold, reason)
    else {
        return Err(ApiError::invalid(e));
    };
    let count = Count {
        on_hand,
        safety_stock,
        damaged,
        quality_hold,
    };
    let entry = app
        .count_stock(location, sku, count, reason, &principal.actor())
        .await?;
    Ok(axum::Json(PositionView::from(Position {
        location: entry.location,
        sku: entry.sku,
        on_hand: entry.on_hand_after,
        reserved: entry.reserved_after,
        safety_stock: entry.safety_stock_after,
        damaged: entry.damaged_after,
        quality_hold: entry.quality_hold_after,
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
    /// Which part of on hand changes: `sellable` (when absent), `damaged` or `quality_hold`.
    pub state: Option<String>,
}

fn parse_state(raw: Option<String>) -> Result<StockState, String> {
    raw.map_or(Ok(StockState::Sellable), |s| StockState::parse(&s))
}

/// Checks a list that must hold 1 to `max` entries.
fn checked_list<T>(e: &mut FieldErrors, field: &str, raw: Option<Vec<T>>, max: usize) -> Vec<T> {
    e.required(field, raw, |a| {
        if a.is_empty() || a.len() > max {
            Err(format!("must hold 1 to {max} entries"))
        } else {
            Ok(a)
        }
    })
    .unwrap_or_default()
}

/// Apply signed corrections to on hand, all together or none. Corrections that would take a
/// figure below zero or leave fewer sellable units than are reserved are refused with 409,
/// naming each. Units added go to waiting backorders at once.
#[utoipa::path(post, path = "/adjustments", tag = "inventory", request_body = AdjustmentsBody,
    responses((status = 200, body = EntriesView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn adjust_stock(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<AdjustmentsBody>,
) -> ApiResult<axum::Json<EntriesView>> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let mut adjustments = Vec::new();
    for (i, a) in checked_list(
        &mut e,
        "adjustments",
        body.adjustments,
        app.limits().adjustments_max,
    )
    .into_iter()
    .enumerate()
    {
        let location = e.required(&format!("adjustments[{i}].location"), a.location, |l| {
            LocationCode::parse(&l)
        });
        let sku = e.required(&format!("adjustments[{i}].sku"), a.sku, |s| Sku::parse(&s));
        let delta = e.required(
            &format!("adjustments[{i}].delta"),
            a.delta,
            parse_stock_delta,
        );
        let state = e.check(format!("adjustments[{i}].state"), parse_state(a.state));
        if let (Some(location), Some(sku), Some(delta), Some(state)) = (location, sku, delta, state)
        {
            adjustments.push(Adjustment {
                location,
                sku,
                delta,
                state,
            });
        }
    }
    let (Some(reason), true) = (reason, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    Ok(axum::Json(EntriesView::new(
        app.adjust_stock(adjustments, reason, &principal.actor())
            .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReclassificationsBody {
    #[schema(required = true, example = "found damaged at cycle count")]
    pub reason: Option<String>,
    #[schema(required = true)]
    pub reclassifications: Option<Vec<ReclassificationBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReclassificationBody {
    #[schema(required = true, example = "WH-HAM")]
    pub location: Option<String>,
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 2)]
    pub quantity: Option<i64>,
    /// `sellable`, `damaged` or `quality_hold`.
    #[schema(required = true, example = "sellable")]
    pub from: Option<String>,
    #[schema(required = true, example = "damaged")]
    pub to: Option<String>,
}

/// Move units between states where they are — sellable, damaged, quality hold — all together
/// or none. On hand does not change; what is available does.
#[utoipa::path(post, path = "/reclassifications", tag = "inventory", request_body = ReclassificationsBody,
    responses((status = 200, body = EntriesView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reclassify_stock(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ReclassificationsBody>,
) -> ApiResult<axum::Json<EntriesView>> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.reason, |r| parse_text(&r, REASON_LEN_MAX));
    let mut changes = Vec::new();
    for (i, c) in checked_list(
        &mut e,
        "reclassifications",
        body.reclassifications,
        app.limits().adjustments_max,
    )
    .into_iter()
    .enumerate()
    {
        let field = |name: &str| format!("reclassifications[{i}].{name}");
        let location = e.required(&field("location"), c.location, |l| LocationCode::parse(&l));
        let sku = e.required(&field("sku"), c.sku, |s| Sku::parse(&s));
        let quantity = e.required(&field("quantity"), c.quantity, |q| {
            parse_positive_quantity(q, UNITS_MAX)
        });
        let from = e.required(&field("from"), c.from, |s| StockState::parse(&s));
        let to = e.required(&field("to"), c.to, |s| StockState::parse(&s));
        if let (Some(from), Some(to)) = (from, to)
            && from == to
        {
            e.push(field("to"), "must differ from `from`");
        }
        if let (Some(location), Some(sku), Some(quantity), Some(from), Some(to)) =
            (location, sku, quantity, from, to)
        {
            changes.push(Reclassification {
                location,
                sku,
                quantity,
                from,
                to,
            });
        }
    }
    let (Some(reason), true) = (reason, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    Ok(axum::Json(EntriesView::new(
        app.reclassify_stock(changes, reason, &principal.actor())
            .await?,
    )))
}
