//! `/v1/shipments/{id}`: one parcel handed to a carrier, with its documents;
//! `POST /v1/tracking-events`: carrier events, from a webhook or a batch, normalised into
//! shipment status. Repeated and late events change nothing.

use std::sync::Arc;

use axum::extract::{Path, State};
use ordo_app::fulfillment::TRACKING_EVENTS_MAX;
use ordo_app::{App, ShipmentRecord, TrackingInput, TrackingResult};
use ordo_domain::field::FieldErrors;
use ordo_domain::money::Currency;
use ordo_domain::shipping::{TrackingStatus, shipment_status_name};
use ordo_domain::values::parse_text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, parse_timestamp, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_shipments))
        .routes(routes!(get_shipment))
        .routes(routes!(label))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShipmentQuery {
    /// The order (id or number) whose parcels to list.
    pub order_id: Option<String>,
}

/// An order's parcels, in the order they left, each with its tracking events.
#[utoipa::path(get, path = "", tag = "shipping", params(ShipmentQuery),
    responses((status = 200, body = List<ShipmentView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_shipments(
    State(app): State<Arc<App>>,
    caller: Caller,
    axum::extract::Query(query): axum::extract::Query<ShipmentQuery>,
) -> ApiResult<axum::Json<List<ShipmentView>>> {
    let Some(order_id) = query.order_id else {
        return Err(ApiError::field("order_id", "is required"));
    };
    let shipments = app.order_shipments(&caller.0, &order_id).await?;
    Ok(axum::Json(List::new(
        shipments.into_iter().map(Into::into).collect(),
    )))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `pdf` (the default) or the other format the document offers.
    pub format: Option<String>,
}

/// The shipment's label: a 4×6 in PDF with the tracking number as a Code 128 barcode, or ZPL
/// for a thermal printer.
#[utoipa::path(operation_id = "get_label", get, path = "/{id}/label", tag = "shipping", params(("id" = String, Path), FormatQuery),
    responses((status = 200, content_type = "application/pdf", description = "The label (application/zpl with format=zpl)"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn label(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<FormatQuery>,
) -> ApiResult<axum::response::Response> {
    use ordo_app::printing::Format;
    let format = super::common::format(query.format.as_deref(), &[Format::Pdf, Format::Zpl])?;
    Ok(super::common::document(
        app.label(&caller.0, &id, format).await?,
    ))
}

pub fn tracking_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(tracking_events))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageContentView {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView {
    pub id: String,
    pub fulfillment_order_id: String,
    pub order_id: String,
    pub location: String,
    pub carrier: String,
    pub service: String,
    pub tracking_number: String,
    /// `shipped` until the carrier's first event, then `in_transit`, `out_for_delivery`,
    /// `delivered`, `failed_attempt`, `exception` or `returned_to_sender`.
    pub status: String,
    /// The carrier's price as a decimal string in `currency`; `null` for an outside carrier
    /// or a pickup.
    pub cost: Option<String>,
    pub currency: Option<String>,
    pub promised_date: Option<String>,
    /// When the carrier's service should deliver it.
    pub expected_date: Option<String>,
    pub weight_g: i64,
    /// Length, width, height.
    pub dimensions_mm: [i64; 3],
    pub contents: Vec<PackageContentView>,
    pub shipped_at: String,
    pub delivered_at: Option<String>,
    pub last_event_at: Option<String>,
    pub failed_attempts: i64,
    /// Where the customer follows the parcel, when the carrier defines a link.
    pub tracking_url: Option<String>,
    /// The carrier's events, oldest first.
    pub events: Vec<TrackingEventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingEventView {
    pub at: String,
    /// `in_transit`, `out_for_delivery`, `delivered`, `failed_attempt`, `exception` or
    /// `returned_to_sender`.
    pub status: String,
    /// The carrier's own event code, when it sent one.
    pub code: Option<String>,
    pub place: Option<String>,
    pub description: Option<String>,
}

impl From<ShipmentRecord> for ShipmentView {
    fn from(s: ShipmentRecord) -> Self {
        Self {
            id: s.id,
            fulfillment_order_id: s.fulfillment_order_id,
            order_id: s.order_id,
            location: s.location.to_string(),
            carrier: s.carrier,
            service: s.service,
            tracking_number: s.tracking_number,
            status: shipment_status_name(s.status).into(),
            cost: s
                .cost_minor
                .zip(s.currency.as_deref())
                .and_then(|(minor, code)| Some(Currency::parse(code).ok()?.format(minor))),
            currency: s.currency,
            promised_date: s.promised_date.map(|d| d.to_string()),
            expected_date: s.expected_date.map(|d| d.to_string()),
            weight_g: s.package.weight_g,
            dimensions_mm: s.package.dimensions_mm,
            contents: s
                .package
                .contents
                .into_iter()
                .map(|c| PackageContentView {
                    line: c.line_no,
                    sku: c.sku.to_string(),
                    quantity: c.quantity,
                })
                .collect(),
            shipped_at: timestamp(s.shipped_at_ms),
            delivered_at: s.delivered_at_ms.map(timestamp),
            last_event_at: s.last_event_at_ms.map(timestamp),
            failed_attempts: s.failed_attempts,
            tracking_url: s.tracking_url,
            events: s
                .events
                .into_iter()
                .map(|e| TrackingEventView {
                    at: timestamp(e.at_ms),
                    status: e.status.as_str().into(),
                    code: e.code,
                    place: e.place,
                    description: e.description,
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/{id}", tag = "shipping", params(("id" = String, Path)),
    responses((status = 200, body = ShipmentView), (status = 404, body = Problem)))]
async fn get_shipment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ShipmentView>> {
    Ok(axum::Json(app.shipment(&caller.0, &id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingEventBody {
    #[schema(required = true, example = "parcelnet")]
    pub carrier: Option<String>,
    #[schema(required = true)]
    pub tracking_number: Option<String>,
    /// Ordo's status: `in_transit`, `out_for_delivery`, `delivered`, `failed_attempt`,
    /// `exception` or `returned_to_sender`. Or send the carrier's own `code`.
    pub status: Option<String>,
    /// The carrier's event code, normalised by the carrier's `event_codes`.
    pub code: Option<String>,
    /// The carrier's id of the event; the same event sent twice counts once. Without it,
    /// the status and time identify the event.
    pub event_id: Option<String>,
    /// When it happened (RFC 3339).
    #[schema(required = true, example = "2026-11-24T10:15:00Z")]
    pub at: Option<String>,
    pub place: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingBody {
    #[schema(required = true)]
    pub events: Option<Vec<TrackingEventBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingResultView {
    /// `recorded`, `duplicate`, `refused` (an impossible time: before the shipment left or
    /// in the future), `unknown_shipment` or `unknown_code`.
    pub result: String,
    pub shipment_id: Option<String>,
    /// The shipment's status after the event.
    pub status: Option<String>,
    /// Why the event was refused.
    pub reason: Option<String>,
}

impl From<TrackingResult> for TrackingResultView {
    fn from(r: TrackingResult) -> Self {
        let view = |result: &str, shipment_id, status, reason| Self {
            result: result.into(),
            shipment_id,
            status,
            reason,
        };
        match r {
            TrackingResult::Recorded {
                shipment_id,
                status,
            } => view("recorded", Some(shipment_id), Some(status), None),
            TrackingResult::Duplicate { shipment_id } => {
                view("duplicate", Some(shipment_id), None, None)
            }
            TrackingResult::Refused {
                shipment_id,
                reason,
            } => view("refused", Some(shipment_id), None, Some(reason)),
            TrackingResult::UnknownShipment => view("unknown_shipment", None, None, None),
            TrackingResult::UnknownCode => view("unknown_code", None, None, None),
        }
    }
}

/// Carrier events, from a webhook or a batch of up to 1,000. Each answers in order whether it
/// was recorded, a duplicate, refused for an impossible time (before the shipment left, or
/// more than 15 minutes in the future), or named a shipment or code Ordo does not know.
#[utoipa::path(operation_id = "record_tracking_events", post, path = "", tag = "shipping", request_body = TrackingBody,
    responses((status = 200, body = List<TrackingResultView>), (status = 422, body = Problem)))]
async fn tracking_events(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<TrackingBody>,
) -> ApiResult<axum::Json<List<TrackingResultView>>> {
    let Some(events) = body.value.events else {
        return Err(ApiError::field("events", "is required"));
    };
    if events.is_empty() || events.len() > TRACKING_EVENTS_MAX {
        return Err(ApiError::field(
            "events",
            format!("must hold 1 to {TRACKING_EVENTS_MAX} events"),
        ));
    }
    let mut e = FieldErrors::new();
    let mut inputs = Vec::new();
    for (i, ev) in events.into_iter().enumerate() {
        let f = |name: &str| format!("events[{i}].{name}");
        let text = |raw: String| parse_text(&raw, 100);
        let carrier = e.required(&f("carrier"), ev.carrier, text);
        let number = e.required(&f("tracking_number"), ev.tracking_number, |t| {
            ordo_domain::shipping::parse_tracking_number(&t)
        });
        let status = e.optional(&f("status"), ev.status, |s| TrackingStatus::parse(&s));
        let code = e.optional(&f("code"), ev.code, text);
        let event_id = e.optional(&f("event_id"), ev.event_id, text);
        let at = e.required(&f("at"), ev.at, |a| parse_timestamp(&a));
        let place = e.optional(&f("place"), ev.place, |p| parse_text(&p, 200));
        let description = e.optional(&f("description"), ev.description, |d| parse_text(&d, 500));
        if matches!((&status, &code), (Some(None), Some(None))) {
            e.push(f("status"), "is required unless the carrier's code is sent");
        }
        if let (
            Some(carrier),
            Some(tracking_number),
            Some(status),
            Some(code),
            Some(event_id),
            Some(at_ms),
            Some(place),
            Some(description),
        ) = (
            carrier,
            number,
            status,
            code,
            event_id,
            at,
            place,
            description,
        ) {
            inputs.push(TrackingInput {
                carrier,
                tracking_number,
                status,
                code,
                event_id,
                at_ms,
                place,
                description,
            });
        }
    }
    if !e.is_empty() {
        return Err(ApiError::invalid(e));
    }
    let results = app.record_tracking(&caller.0, &inputs).await?;
    Ok(axum::Json(List::new(
        results.into_iter().map(Into::into).collect(),
    )))
}
