//! `/v1/inventory/thresholds` and `/v1/events`: stock alert thresholds, and the events feed
//! they (and later everything else) write to.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use ordo_app::{App, EventFilter, EventRecord};
use ordo_domain::alerts::Threshold;
use ordo_domain::field::FieldErrors;
use ordo_domain::values::{LocationCode, Sku, parse_stock_figure, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::Json;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn thresholds_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list_thresholds, put_threshold, delete_threshold))
}

pub fn events_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(list_events))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdBody {
    /// The item; every item when absent.
    #[schema(example = "TEE-BLK-M")]
    pub sku: Option<String>,
    /// The location; every location when absent.
    #[schema(example = "WH-HAM")]
    pub location: Option<String>,
    /// Available at or below this is low.
    #[schema(required = true, example = 10)]
    pub low_units: Option<i64>,
    /// Available at or below this is out; 0 when absent.
    #[schema(example = 0)]
    pub out_units: Option<i64>,
}

fn threshold_view(t: Threshold) -> ThresholdBody {
    ThresholdBody {
        sku: t.sku.map(|s| s.to_string()),
        location: t.location.map(|l| l.to_string()),
        low_units: Some(t.low_units),
        out_units: Some(t.out_units),
    }
}

/// Every threshold. The most specific one covering a position applies: item and location,
/// then item, then location, then the catch-all.
#[utoipa::path(get, path = "", tag = "inventory", responses((status = 200, body = List<ThresholdBody>)))]
async fn list_thresholds(
    State(app): State<Arc<App>>,
) -> ApiResult<axum::Json<List<ThresholdBody>>> {
    let items = app
        .thresholds()
        .await?
        .into_iter()
        .map(threshold_view)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}

/// Set a threshold: whenever a position's availability falls to `low_units` an
/// `inventory.low` event is written, to `out_units` an `inventory.out`, and when it climbs
/// back an `inventory.back`.
#[utoipa::path(put, path = "", tag = "inventory", request_body = ThresholdBody,
    responses((status = 200, body = ThresholdBody), (status = 422, body = Problem)))]
async fn put_threshold(
    State(app): State<Arc<App>>,
    body: Json<ThresholdBody>,
) -> ApiResult<axum::Json<ThresholdBody>> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let sku = e.optional("sku", body.sku, |s| Sku::parse(&s));
    let location = e.optional("location", body.location, |l| LocationCode::parse(&l));
    let low_units = e.required("low_units", body.low_units, parse_stock_figure);
    let out_units = e.check("out_units", parse_stock_figure(body.out_units.unwrap_or(0)));
    let (Some(sku), Some(location), Some(low_units), Some(out_units)) =
        (sku, location, low_units, out_units)
    else {
        return Err(ApiError::invalid(e));
    };
    Ok(axum::Json(threshold_view(
        app.put_threshold(Threshold {
            sku,
            location,
            low_units,
            out_units,
        })
        .await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThresholdKey {
    pub sku: Option<String>,
    pub location: Option<String>,
}

/// Remove a threshold (absent `sku` or `location`: the catch-all one).
#[utoipa::path(delete, path = "", tag = "inventory", params(ThresholdKey),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_threshold(
    State(app): State<Arc<App>>,
    Query(key): Query<ThresholdKey>,
) -> ApiResult<StatusCode> {
    let mut e = FieldErrors::new();
    let sku = e.optional("sku", key.sku, |s| Sku::parse(&s));
    let location = e.optional("location", key.location, |l| LocationCode::parse(&l));
    let (Some(sku), Some(location)) = (sku, location) else {
        return Err(ApiError::invalid(e));
    };
    app.delete_threshold(&Threshold {
        sku,
        location,
        low_units: 0,
        out_units: 0,
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only this type, such as `inventory.out`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub limit: Option<String>,
    /// Events after this one; pass back `next_cursor` to follow the feed.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedEventView {
    pub id: i64,
    pub at: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<EventRecord> for FeedEventView {
    fn from(e: EventRecord) -> Self {
        Self {
            id: e.id,
            at: timestamp(e.at_ms),
            kind: e.kind,
            subject: e.subject,
            data: e.data,
        }
    }
}

/// Events in the order they happened: `inventory.low`, `inventory.out`, `inventory.back`.
/// Unlike other lists, `next_cursor` is set on the last page too: pass it back later for what
/// happened since.
#[utoipa::path(get, path = "", tag = "inventory", params(EventQuery), responses((status = 200, body = List<FeedEventView>)))]
async fn list_events(
    State(app): State<Arc<App>>,
    Query(query): Query<EventQuery>,
) -> ApiResult<axum::Json<List<FeedEventView>>> {
    let mut e = FieldErrors::new();
    let kind = e.optional("type", query.kind, |k| parse_text(&k, 64));
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page(app.limits(), &mut e);
    let (Some(kind), true) = (kind, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let page = app.events(&EventFilter { kind }, &page).await?;
    Ok(axum::Json(List::from_page(page, FeedEventView::from)))
}
