//! `POST /v1/inventory/sync`: stock from a WMS or store system, as JSON or a CSV upload, in
//! batches under a sync id.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_app::orders::request_hash;
use ordo_app::sync::{RawRow, SyncRequest, parse_csv, parse_row, parse_sync_id};
use ordo_app::{App, SyncMode, SyncReport};
use ordo_domain::field::FieldErrors;
use ordo_domain::values::LocationCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Caller, from_document, json_document, read_body};
use crate::idempotency::IDEMPOTENT_REPLAYED;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router(body_max_bytes: usize) -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(sync))
        .layer(DefaultBodyLimit::max(body_max_bytes))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    /// Names this sync: sending it again answers with the same report.
    #[schema(required = true, example = "wms-2026-11-22T06:00")]
    pub sync_id: Option<String>,
    /// `snapshot` (the location's full stock: positions not listed count as zero) or
    /// `delta` (signed changes).
    #[schema(required = true, example = "snapshot")]
    pub mode: Option<String>,
    /// The snapshot's location; for deltas, the default for rows that name none.
    #[schema(example = "WH-HAM")]
    pub location: Option<String>,
    #[schema(required = true)]
    pub rows: Option<Vec<SyncRowBody>>,
    /// Report what the sync would change and apply nothing (also `?dry_run=true`).
    pub dry_run: Option<bool>,
    /// Apply a snapshot's good rows though some are rejected (also `?skip_bad_rows=true`).
    /// Without it, a snapshot with a rejected row applies nothing and answers 422 naming
    /// every rejected row.
    pub skip_bad_rows: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRowBody {
    pub location: Option<String>,
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    /// Snapshot: counted units, sellable or not.
    pub on_hand: Option<Value>,
    /// Snapshot: of on hand, the damaged units (unchanged when absent).
    pub damaged: Option<Value>,
    /// Snapshot: of on hand, the units on quality hold (unchanged when absent).
    pub quality_hold: Option<Value>,
    /// Delta: the signed change of sellable on hand.
    pub delta: Option<Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// For a CSV upload: the sync's id.
    pub sync_id: Option<String>,
    /// For a CSV upload: `snapshot` or `delta`.
    pub mode: Option<String>,
    /// For a CSV upload: the snapshot's location, or the deltas' default.
    pub location: Option<String>,
    /// `true`: report what the sync would change, apply nothing.
    pub dry_run: Option<String>,
    /// `true`: apply a snapshot's good rows though some are rejected.
    pub skip_bad_rows: Option<String>,
}

/// How a sync is to be applied.
#[derive(Debug, Clone, Copy, Default)]
struct Options {
    dry_run: bool,
    skip_bad_rows: bool,
}

impl Options {
    fn from_query(query: &SyncQuery) -> Result<Self, ApiError> {
        let mut e = FieldErrors::new();
        let flag = |raw: String| match raw.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false".to_string()),
        };
        let dry_run = e.optional("dry_run", query.dry_run.clone(), flag);
        let skip = e.optional("skip_bad_rows", query.skip_bad_rows.clone(), flag);
        match (dry_run, skip) {
            (Some(dry_run), Some(skip)) => Ok(Self {
                dry_run: dry_run.unwrap_or(false),
                skip_bad_rows: skip.unwrap_or(false),
            }),
            _ => Err(ApiError::invalid(e)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncReportView {
    pub sync_id: String,
    pub mode: String,
    pub completed: bool,
    /// Worked out and rolled back: nothing was applied.
    pub dry_run: bool,
    pub rows_received: usize,
    pub rows_applied: usize,
    pub rows_rejected: usize,
    /// Positions whose figures changed, including those a snapshot zeroed.
    pub positions_changed: usize,
    /// Positions the snapshot did not list, counted to zero.
    pub positions_zeroed: usize,
    /// Every row not applied, with its reason.
    pub rejected: Vec<RejectedRowView>,
    /// Counts that left fewer sellable units than were reserved, and the reservations that
    /// gave units back (holds, then the newest orders, then transfers); those orders were
    /// routed again or wait as backorders.
    pub shortfalls: Vec<ShortfallView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRowView {
    /// Its number in what was sent, from 1 (0: a position the snapshot did not list).
    pub row: usize,
    pub sku: String,
    pub location: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShortfallView {
    /// The row that counted it; `null` for a position the snapshot did not list.
    pub row: Option<usize>,
    pub sku: String,
    pub location: String,
    /// Units left to sell after the count.
    pub sellable: i64,
    pub reserved_before: i64,
    pub given_back: Vec<GivenBackView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GivenBackView {
    /// `order`, `hold` or `transfer`.
    pub owner: String,
    /// The order, hold or transfer that gave units.
    pub id: String,
    pub line: u32,
    pub units: i64,
}

impl From<SyncReport> for SyncReportView {
    fn from(r: SyncReport) -> Self {
        Self {
            sync_id: r.sync_id,
            mode: r.mode.as_str().into(),
            completed: r.completed,
            dry_run: r.dry_run,
            rows_received: r.rows_received,
            rows_applied: r.rows_applied,
            rows_rejected: r.rejected.len(),
            positions_changed: r.positions_changed,
            positions_zeroed: r.positions_zeroed,
            rejected: r
                .rejected
                .into_iter()
                .map(|x| RejectedRowView {
                    row: x.row,
                    sku: x.sku,
                    location: x.location,
                    reason: x.reason,
                })
                .collect(),
            shortfalls: r
                .shortfalls
                .into_iter()
                .map(|s| ShortfallView {
                    row: s.row,
                    sku: s.sku,
                    location: s.location,
                    sellable: s.sellable,
                    reserved_before: s.reserved_before,
                    given_back: s
                        .given_back
                        .into_iter()
                        .map(|g| GivenBackView {
                            owner: g.owner.as_str().into(),
                            id: g.owner_id,
                            line: g.line_no,
                            units: g.units,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn text(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Parses the sync's id, mode and location, naming what is wrong.
fn parse_head(
    sync_id: Option<String>,
    mode: Option<String>,
    location: Option<String>,
) -> Result<(String, SyncMode, Option<LocationCode>), ApiError> {
    let mut e = FieldErrors::new();
    let sync_id = e.required("sync_id", sync_id, |s| parse_sync_id(&s));
    let mode = e.required("mode", mode, |m| SyncMode::parse(&m));
    let location = e.optional("location", location, |l| LocationCode::parse(&l));
    match (sync_id, mode, location) {
        (Some(sync_id), Some(mode), Some(location)) => Ok((sync_id, mode, location)),
        _ => Err(ApiError::invalid(e)),
    }
}

async fn read_request(app: &App, request: Request) -> ApiResult<SyncRequest> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let query = Query::<SyncQuery>::try_from_uri(request.uri())
        .map_err(|e| ApiError::field("query", e.body_text()))?
        .0;
    let options = Options::from_query(&query)?;
    if content_type.starts_with("text/csv") {
        let (sync_id, mode, location) = parse_head(query.sync_id, query.mode, query.location)?;
        let bytes = read_body(request, &(), "sync_body_max_bytes").await?;
        let csv = std::str::from_utf8(&bytes)
            .ok()
            .filter(|text| !text.contains('\0'))
            .ok_or_else(|| ApiError::field("body", "must be UTF-8 text without NUL characters"))?;
        let (rows, rejected) =
            parse_csv(csv, mode, location.as_ref()).map_err(ApiError::invalid)?;
        let identity = format!(
            "{}\n{}\n{csv}",
            mode.as_str(),
            location.as_ref().map_or("", |l| l.as_str())
        );
        let request_hash = request_hash(&Value::String(identity));
        return Ok(SyncRequest {
            sync_id,
            mode,
            location,
            rows,
            rejected,
            request_hash,
            dry_run: options.dry_run,
            skip_bad_rows: options.skip_bad_rows,
        });
    }
    let document = json_document(request, &()).await?;
    let body: SyncBody = from_document(&document)?;
    let (sync_id, mode, location) = parse_head(body.sync_id, body.mode, body.location)?;
    let raw_rows = body
        .rows
        .ok_or_else(|| ApiError::field("rows", "is required"))?;
    if raw_rows.len() > app.limits().sync_rows_max {
        return Err(ApiError::field(
            "rows",
            format!("must hold at most {} rows", app.limits().sync_rows_max),
        ));
    }
    let mut rows = Vec::with_capacity(raw_rows.len());
    let mut rejected = Vec::new();
    for (i, r) in raw_rows.iter().enumerate() {
        let raw = RawRow {
            location: r.location.clone(),
            sku: r.sku.clone(),
            on_hand: text(&r.on_hand),
            damaged: text(&r.damaged),
            quality_hold: text(&r.quality_hold),
            delta: text(&r.delta),
        };
        match parse_row(i + 1, &raw, mode, location.as_ref()) {
            Ok(row) => rows.push(row),
            Err(reject) => rejected.push(reject),
        }
    }
    Ok(SyncRequest {
        sync_id,
        mode,
        location,
        rows,
        rejected,
        request_hash: request_hash(&document),
        dry_run: body.dry_run.unwrap_or(options.dry_run),
        skip_bad_rows: body.skip_bad_rows.unwrap_or(options.skip_bad_rows),
    })
}

/// Sync stock from a WMS or store system: a location's full snapshot (positions it does not
/// list count as zero) or deltas, as JSON or as a `text/csv` upload (`sync_id`, `mode` and
/// `location` then go in the query). Rows are applied in batches, one transaction each; bad
/// rows are rejected one by one with their reasons. A count that leaves fewer sellable units
/// than are reserved is reported, and the orders that lose units are routed again or
/// backordered. Sending the same sync again answers with its report.
#[utoipa::path(operation_id = "sync_inventory", post, path = "/sync", tag = "inventory", params(SyncQuery), request_body = SyncBody,
    responses((status = 200, body = SyncReportView), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn sync(
    State(app): State<Arc<App>>,
    caller: Caller,
    request: Request,
) -> ApiResult<Response> {
    let principal = caller.0.clone();
    let sync = read_request(&app, request).await?;
    let (report, replayed) = app
        .sync_inventory(sync, &principal.actor(), &mut |_, _| {})
        .await?;
    let mut response = (StatusCode::OK, axum::Json(SyncReportView::from(report))).into_response();
    if replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}
