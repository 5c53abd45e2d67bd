//! `/v1/fulfillment-orders`: the work released to a location for one order, and the steps the
//! location's system (a WMS, a store app) takes with it — accept, start picking, confirm the
//! pick (short-picked units are routed again or wait), pack, ship, or reject.
//! `GET /v1/locations/{code}/fulfillment-orders` lists a location's open work.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use ordo_app::{App, FulfillmentStep, ReleaseFilter, ShipInput, StepOutcome};
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::{FulfillmentOrder, PackageInput, PickInput, ShortHandling};
use ordo_domain::order::RejectReason;
use ordo_domain::values::{LocationCode, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use super::order_view::OrderView;
use super::shipments::ShipmentView;
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(release))
        .routes(routes!(get_fulfillment_order))
        .routes(routes!(packing_slip))
        .routes(routes!(accept))
        .routes(routes!(start_pick))
        .routes(routes!(pick))
        .routes(routes!(pack))
        .routes(routes!(ship))
        .routes(routes!(reject))
        .routes(routes!(confirm_cancel))
}

/// The location confirms the cancellation the order asked of it: those units leave the work
/// and their stock is free again. Work left with nothing to send ends cancelled.
#[utoipa::path(operation_id = "confirm_cancellation", post, path = "/{id}/confirm-cancel", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn confirm_cancel(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<StepView>> {
    step(&app, &caller, &id, FulfillmentStep::ConfirmCancel).await
}

/// Merged into `/v1/locations`.
pub fn locations_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(location_work))
        .routes(routes!(pick_list))
}

/// The packing slip that goes in the parcel, as a PDF.
#[utoipa::path(operation_id = "get_packing_slip", get, path = "/{id}/packing-slip", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The packing slip"), (status = 404, body = Problem)))]
async fn packing_slip(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    Ok(super::common::document(
        app.packing_slip(&caller.0, &id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PickListQuery {
    /// `pdf` (the default) or `csv`.
    pub format: Option<String>,
    /// A release wave, local `HH:MM`: only what today's wave released. All unpicked work when
    /// absent.
    pub wave: Option<String>,
}

/// A location's pick list, by SKU: as a PDF to print or CSV for a handheld.
#[utoipa::path(operation_id = "get_pick_list", get, path = "/{code}/pick-list", tag = "fulfillment", params(("code" = String, Path), PickListQuery),
    responses((status = 200, content_type = "application/pdf", description = "The pick list (text/csv with format=csv)"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn pick_list(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(code): Path<String>,
    Query(query): Query<PickListQuery>,
) -> ApiResult<axum::response::Response> {
    use ordo_app::printing::Format;
    let format = super::common::format(query.format.as_deref(), &[Format::Pdf, Format::Csv])?;
    let code =
        LocationCode::parse(&code).map_err(|_| ApiError::not_found(format!("location {code}")))?;
    let doc = app
        .pick_list(&caller.0, &code, query.wave.as_deref(), format)
        .await?;
    Ok(super::common::document(doc))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FulfillmentLineView {
    pub line: u32,
    pub sku: String,
    /// Units the location is to send (short-picked and cancelled units have left).
    pub quantity: i64,
    pub picked: i64,
    pub shipped: i64,
    pub short: i64,
    pub cancelled: i64,
    /// Units the order asked not to send, waiting for the location to confirm.
    pub cancel_requested: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FulfillmentOrderView {
    pub id: String,
    pub order_id: String,
    pub location: String,
    /// `released`, `accepted`, `picking`, `picked`, `packed`, `shipped`, `rejected` or
    /// `cancelled`.
    pub status: String,
    pub promised_date: Option<String>,
    pub lines: Vec<FulfillmentLineView>,
    pub released_at: String,
    pub accepted_at: Option<String>,
    pub shipped_at: Option<String>,
    pub cancel_requested: bool,
    /// The parcels it sent (work still open has none).
    pub shipments: Vec<ShipmentView>,
}

impl From<FulfillmentOrder> for FulfillmentOrderView {
    fn from(f: FulfillmentOrder) -> Self {
        Self {
            id: f.id,
            order_id: f.order_id,
            location: f.location.to_string(),
            status: f.status.as_str().into(),
            promised_date: f.promised_date.map(|d| d.to_string()),
            lines: f
                .lines
                .into_iter()
                .map(|l| FulfillmentLineView {
                    line: l.line_no,
                    sku: l.sku.to_string(),
                    quantity: l.quantity,
                    picked: l.picked,
                    shipped: l.shipped,
                    short: l.short,
                    cancelled: l.cancelled,
                    cancel_requested: l.cancel_requested,
                })
                .collect(),
            released_at: timestamp(f.released_at_ms),
            accepted_at: f.accepted_at_ms.map(timestamp),
            shipped_at: f.shipped_at_ms.map(timestamp),
            cancel_requested: f.cancel_requested,
            shipments: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitsBackView {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
    /// `rerouted` (allocated elsewhere), `waiting` (backordered) or `exception`.
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub fulfillment_order: FulfillmentOrderView,
    pub order: OrderView,
    /// Made by `/ship`: one per package.
    pub shipments: Vec<ShipmentView>,
    /// Units short-picked or rejected, and where they went.
    pub returned_to_routing: Vec<UnitsBackView>,
}

impl From<StepOutcome> for StepView {
    fn from(o: StepOutcome) -> Self {
        let mut fulfillment_order = FulfillmentOrderView::from(o.fulfillment_order);
        // A fulfilment order ships all its packages in one step: these are all its parcels.
        fulfillment_order.shipments = o.shipments.iter().cloned().map(Into::into).collect();
        Self {
            fulfillment_order,
            order: o.order.into(),
            shipments: o.shipments.into_iter().map(Into::into).collect(),
            returned_to_routing: o
                .rejections
                .into_iter()
                .map(|r| UnitsBackView {
                    line: r.line_no,
                    sku: r.sku,
                    quantity: r.units,
                    outcome: r.outcome.as_str().to_string(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    /// Only this order.
    pub order_id: Option<String>,
    /// Only orders with allocations at this location.
    pub location: Option<String>,
}

/// Release what is due now. Allocations are released by the background pass within a
/// second (or at their location's release waves); this runs the pass at once.
#[utoipa::path(operation_id = "release_fulfillment_orders", post, path = "/release", tag = "fulfillment", request_body = ReleaseBody,
    responses((status = 200, body = List<FulfillmentOrderView>, description = "The fulfilment orders made or grown"), (status = 422, body = Problem)))]
async fn release(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ReleaseBody>,
) -> ApiResult<axum::Json<List<FulfillmentOrderView>>> {
    let body = body.value;
    let location = match body.location {
        Some(raw) => Some(LocationCode::parse(&raw).map_err(|m| ApiError::field("location", m))?),
        None => None,
    };
    let filter = ReleaseFilter {
        order_id: body.order_id,
        location,
    };
    let released = app.release(&caller.0, &filter).await?;
    Ok(axum::Json(List::new(
        released.into_iter().map(Into::into).collect(),
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// Most to list, 1 to 500; 100 when absent.
    pub limit: Option<i64>,
}

/// A location's open work, oldest promise first.
#[utoipa::path(operation_id = "list_location_work", get, path = "/{code}/fulfillment-orders", tag = "fulfillment",
    params(("code" = String, Path), WorkQuery),
    responses((status = 200, body = List<FulfillmentOrderView>), (status = 404, body = Problem)))]
async fn location_work(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(code): Path<String>,
    Query(query): Query<WorkQuery>,
) -> ApiResult<axum::Json<List<FulfillmentOrderView>>> {
    let code =
        LocationCode::parse(&code).map_err(|_| ApiError::not_found(format!("location {code}")))?;
    let work = app
        .location_work(&caller.0, &code, query.limit.unwrap_or(100))
        .await?;
    Ok(axum::Json(List::new(
        work.into_iter().map(Into::into).collect(),
    )))
}

#[utoipa::path(get, path = "/{id}", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = FulfillmentOrderView), (status = 404, body = Problem)))]
async fn get_fulfillment_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<FulfillmentOrderView>> {
    let (fo, shipments) = app.fulfillment_order_shipped(&caller.0, &id).await?;
    let mut view = FulfillmentOrderView::from(fo);
    view.shipments = shipments.into_iter().map(Into::into).collect();
    Ok(axum::Json(view))
}

async fn step(
    app: &App,
    caller: &Caller,
    id: &str,
    step: FulfillmentStep,
) -> ApiResult<axum::Json<StepView>> {
    Ok(axum::Json(
        app.step_fulfillment(&caller.0, id, step).await?.into(),
    ))
}

/// The location takes the work.
#[utoipa::path(operation_id = "accept_fulfillment_order", post, path = "/{id}/accept", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<StepView>> {
    step(&app, &caller, &id, FulfillmentStep::Accept).await
}

/// Picking has started.
#[utoipa::path(operation_id = "start_picking", post, path = "/{id}/start-pick", tag = "fulfillment", params(("id" = String, Path)),
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn start_pick(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<StepView>> {
    step(&app, &caller, &id, FulfillmentStep::StartPick).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickedLine {
    #[schema(required = true)]
    pub line: Option<u32>,
    /// Units found and picked; fewer than asked is a short pick.
    #[schema(required = true)]
    pub picked: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickBody {
    /// Lines picked short; lines not named were picked in full.
    #[serde(default)]
    pub lines: Vec<PickedLine>,
    /// What becomes of units not found: `reroute` (the default: routed again without this
    /// location) or `backorder` (they wait for stock). Either way the location's on hand
    /// goes down by them.
    pub short: Option<String>,
}

/// Confirm the pick, in full or short.
#[utoipa::path(operation_id = "pick_fulfillment_order", post, path = "/{id}/pick", tag = "fulfillment", params(("id" = String, Path)), request_body = PickBody,
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn pick(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<PickBody>,
) -> ApiResult<axum::Json<StepView>> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let mut picked = Vec::new();
    for (i, l) in body.lines.iter().enumerate() {
        let line = e.required(&format!("lines[{i}].line"), l.line, Ok::<_, String>);
        let units = e.required(&format!("lines[{i}].picked"), l.picked, Ok::<_, String>);
        if let (Some(line), Some(units)) = (line, units) {
            picked.push((line, units));
        }
    }
    let short = e.optional("short", body.short, |s| ShortHandling::parse(&s));
    let (Some(short), true) = (short, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let input = PickInput {
        picked,
        short: short.unwrap_or_default(),
    };
    step(&app, &caller, &id, FulfillmentStep::Pick(input)).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentBody {
    #[schema(required = true)]
    pub line: Option<u32>,
    #[schema(required = true)]
    pub quantity: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageBody {
    #[schema(required = true, example = 1200)]
    pub weight_g: Option<i64>,
    #[schema(required = true, example = 300)]
    pub length_mm: Option<i64>,
    #[schema(required = true, example = 200)]
    pub width_mm: Option<i64>,
    #[schema(required = true, example = 100)]
    pub height_mm: Option<i64>,
    #[schema(required = true)]
    pub contents: Option<Vec<ContentBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackBody {
    /// Every picked unit in exactly one package.
    #[schema(required = true)]
    pub packages: Option<Vec<PackageBody>>,
}

/// Pack what was picked.
#[utoipa::path(operation_id = "pack_fulfillment_order", post, path = "/{id}/pack", tag = "fulfillment", params(("id" = String, Path)), request_body = PackBody,
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn pack(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<PackBody>,
) -> ApiResult<axum::Json<StepView>> {
    let mut e = FieldErrors::new();
    let Some(packages) = body.value.packages else {
        return Err(ApiError::field("packages", "is required"));
    };
    let mut input = Vec::new();
    for (i, p) in packages.into_iter().enumerate() {
        let mut need = |name: &str, v: Option<i64>| {
            e.required(&format!("packages[{i}].{name}"), v, Ok::<_, String>)
                .unwrap_or(0)
        };
        let weight_g = need("weight_g", p.weight_g);
        let dimensions_mm = [
            need("length_mm", p.length_mm),
            need("width_mm", p.width_mm),
            need("height_mm", p.height_mm),
        ];
        let mut contents = Vec::new();
        for (j, c) in p.contents.unwrap_or_default().into_iter().enumerate() {
            let field = format!("packages[{i}].contents[{j}]");
            let line = e.required(&format!("{field}.line"), c.line, Ok::<_, String>);
            let quantity = e.required(&format!("{field}.quantity"), c.quantity, Ok::<_, String>);
            if let (Some(line), Some(quantity)) = (line, quantity) {
                contents.push((line, quantity));
            }
        }
        input.push(PackageInput {
            weight_g,
            dimensions_mm,
            contents,
        });
    }
    if !e.is_empty() {
        return Err(ApiError::invalid(e));
    }
    step(&app, &caller, &id, FulfillmentStep::Pack(input)).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipWorkBody {
    /// The carrier to use; rate shopping across the configured carriers when absent. A
    /// carrier Ordo has no configuration for (its label printed by a WMS or shipping app) needs
    /// `service` and `tracking_numbers`.
    pub carrier: Option<String>,
    /// The service to use; the best of the carrier's (or all carriers') when absent.
    pub service: Option<String>,
    /// The location's own tracking numbers, one per package in package order; made in the
    /// carrier's format when absent. Each must fit the carrier's format (unless it takes free
    /// form) and be in use nowhere else.
    #[serde(default)]
    pub tracking_numbers: Vec<String>,
}

impl ShipWorkBody {
    fn parse(self) -> Result<ShipInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = |raw: String| parse_text(&raw, 40);
        let carrier = e.optional("carrier", self.carrier, name).flatten();
        let service = e.optional("service", self.service, name).flatten();
        let tracking_numbers = self
            .tracking_numbers
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                e.check(
                    format!("tracking_numbers[{i}]"),
                    ordo_domain::shipping::parse_tracking_number(n),
                )
            })
            .collect();
        e.into_result()?;
        Ok(ShipInput {
            carrier,
            service,
            tracking_numbers,
            reliability_weight: 0.0,
        })
    }
}

/// Hand the packages to carriers: one shipment per package. The units' stock leaves the
/// location and the order's lines count them shipped.
#[utoipa::path(operation_id = "ship_fulfillment_order", post, path = "/{id}/ship", tag = "fulfillment", params(("id" = String, Path)), request_body = ShipWorkBody,
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn ship(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<ShipWorkBody>,
) -> ApiResult<axum::Json<StepView>> {
    let input = body.value.parse().map_err(ApiError::invalid)?;
    step(&app, &caller, &id, FulfillmentStep::Ship(input)).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectWorkBody {
    /// `not_found`, `damaged`, `no_capacity`, `stockout` or `missed_cutoff`, as for an
    /// allocation's rejection.
    #[schema(required = true, example = "no_capacity")]
    pub reason: Option<String>,
}

/// The location refuses the work; every unit is routed again without it.
#[utoipa::path(operation_id = "reject_fulfillment_order", post, path = "/{id}/reject", tag = "fulfillment", params(("id" = String, Path)), request_body = RejectWorkBody,
    responses((status = 200, body = StepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reject(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<RejectWorkBody>,
) -> ApiResult<axum::Json<StepView>> {
    let mut e = FieldErrors::new();
    let reason = e.required("reason", body.value.reason, |r| RejectReason::parse(&r));
    let Some(reason) = reason else {
        return Err(ApiError::invalid(e));
    };
    step(&app, &caller, &id, FulfillmentStep::Reject { reason }).await
}
