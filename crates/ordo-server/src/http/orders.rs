//! `/v1/orders`: capture, read, list, cancel, and the timeline.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_app::App;
use ordo_app::OrderFilter;
use ordo_app::orders::{PlaceRequest, Placed, request_hash};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::OrderStatus;
use ordo_domain::values::{ChannelCode, parse_text};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, parse_timestamp};
use super::order_body::OrderBody;
use super::order_view::{OrderEventView, OrderView};
use crate::extract::{Caller, Json, OptionalJson};
use crate::idempotency::{IDEMPOTENT_REPLAYED, key_of};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(place_order, list_orders))
        .routes(routes!(get_order, edit_order))
        .routes(routes!(cancel_order))
        .routes(routes!(order_events))
}

/// Place an order. Units are reserved at once: lines that cannot be covered make the whole
/// order fail with 409 naming them, unless their item allows backorder. Send an
/// `Idempotency-Key` to retry safely: the same key and body answer with the same order.
#[utoipa::path(post, path = "", tag = "orders", request_body = OrderBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first answer.")),
    responses(
        (status = 201, body = OrderView, description = "Placed; or, with `Idempotent-Replayed: true`, placed before"),
        (status = 403, body = Problem), (status = 409, body = Problem, description = "Insufficient stock, or a duplicate external_id"),
        (status = 422, body = Problem)))]
async fn place_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    body: Json<OrderBody>,
) -> ApiResult<Response> {
    let idempotency_key = key_of(&headers)?;
    let draft = body
        .value
        .parse(app.limits().order_lines_max)
        .map_err(ApiError::invalid)?;
    let request = PlaceRequest {
        draft,
        idempotency_key,
        request_hash: request_hash(&body.document),
    };
    let (record, replayed) = match app.place_order(&caller.0, request).await? {
        Placed::New(record) => (record, false),
        Placed::Replayed(record) => (record, true),
    };
    let location = format!("/v1/orders/{}", record.order.id);
    let mut response = (StatusCode::CREATED, axum::Json(OrderView::from(record))).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    pub status: Option<String>,
    pub channel: Option<String>,
    /// RFC 3339; orders created strictly after.
    pub created_after: Option<String>,
    /// The order number, the channel's external id, the customer's email, the start of
    /// their name (any case), or a tracking number of one of its parcels.
    pub q: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// List orders, newest first. A channel key sees only its own channel's orders.
#[utoipa::path(get, path = "", tag = "orders", params(OrderQuery), responses((status = 200, body = List<OrderView>), (status = 422, body = Problem)))]
async fn list_orders(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<OrderQuery>,
) -> ApiResult<axum::Json<List<OrderView>>> {
    let mut e = FieldErrors::new();
    let status = e.optional("status", query.status, |s| OrderStatus::parse(&s));
    let channel = e.optional("channel", query.channel, |c| ChannelCode::parse(&c));
    let created_after = e.optional("created_after", query.created_after, |t| {
        parse_timestamp(&t)
    });
    let q = e.optional("q", query.q, |q| parse_text(&q, 200));
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page(app.limits(), &mut e);
    let (Some(status), Some(channel), Some(created_after_ms), Some(q)) =
        (status, channel, created_after, q)
    else {
        return Err(ApiError::invalid(e));
    };
    e.into_result().map_err(ApiError::invalid)?;
    let filter = OrderFilter {
        status,
        channel,
        created_after_ms,
        q,
    };
    let page = app.orders(&caller.0, filter, &page).await?;
    Ok(axum::Json(List::from_page(page, OrderView::from)))
}

/// One order, by id or number.
#[utoipa::path(get, path = "/{id}", tag = "orders", params(("id" = String, Path, description = "The order's id or number")),
    responses((status = 200, body = OrderView), (status = 404, body = Problem)))]
async fn get_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<OrderView>> {
    Ok(axum::Json(app.order(&caller.0, &id).await?.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[schema(example = "customer changed their mind")]
    pub reason: Option<String>,
    /// Cancel only these units; the whole order when absent.
    pub lines: Option<Vec<CancelLineBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelLineBody {
    #[schema(required = true)]
    pub line: Option<u32>,
    #[schema(required = true)]
    pub quantity: Option<i64>,
}

/// Cancel an order, or some units of its lines. Waiting units and units not yet released to
/// a location are cancelled at once (their reservations freed), and so is work its location
/// has not accepted yet; units a location has accepted are asked of it (202) and stay until it
/// confirms (`POST /v1/fulfillment-orders/{id}/confirm-cancel`) or ships them anyway. An order that has shipped, been delivered or been cancelled cannot be
/// cancelled (409, naming its status).
#[utoipa::path(post, path = "/{id}/cancel", tag = "orders", request_body(content = Option<CancelBody>),
    params(("id" = String, Path, description = "The order's id or number")),
    responses((status = 200, body = OrderView, description = "Cancelled: nothing waits for a location"),
        (status = 202, body = OrderView, description = "Units a location has accepted wait for it to confirm (`cancel_requested` on the lines)"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<CancelBody>,
) -> ApiResult<(StatusCode, axum::Json<OrderView>)> {
    let body = body.0.unwrap_or_default();
    let reason = body.reason;
    let lines = match body.lines {
        None => None,
        Some(lines) => {
            let mut e = FieldErrors::new();
            let mut parsed = Vec::new();
            for (i, l) in lines.into_iter().enumerate() {
                let line = e.required(&format!("lines[{i}].line"), l.line, Ok::<_, String>);
                let units = e.required(&format!("lines[{i}].quantity"), l.quantity, |q| {
                    ordo_domain::values::parse_positive_quantity(
                        q,
                        ordo_domain::order::LINE_QUANTITY_MAX,
                    )
                });
                if let (Some(line_no), Some(units)) = (line, units) {
                    parsed.push(ordo_domain::order::CancelUnits { line_no, units });
                }
            }
            if parsed.is_empty() && e.is_empty() {
                e.push("lines", "must name at least one line");
            }
            e.into_result().map_err(ApiError::invalid)?;
            Some(parsed)
        }
    };
    let reason = match reason {
        Some(r) => Some(parse_text(&r, 500).map_err(|m| ApiError::field("reason", m))?),
        None => None,
    };
    let record = app.cancel_order(&caller.0, &id, reason, lines).await?;
    // Units a location has accepted stay until it confirms: the request is accepted, not done.
    let waiting = record
        .fulfillment
        .iter()
        .any(|f| !f.cancel_requested.is_empty());
    let status = if waiting {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(OrderView::from(record))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditLineBody {
    /// The line to change; absent for a new line.
    pub line: Option<u32>,
    /// For a new line.
    pub sku: Option<String>,
    /// The line's new quantity; 0 removes it.
    #[schema(required = true)]
    pub quantity: Option<i64>,
    /// A decimal amount in the order's currency; required for a new line.
    pub unit_price: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    pub lines: Option<Vec<EditLineBody>>,
    /// The new address, checked like one at capture.
    pub ship_to: Option<super::order_body::ShipToBody>,
}

/// Edit an order before any of it is released to a location: change quantities or prices,
/// add or remove lines, change the address. Every unit is routed again; the change in totals
/// is in the timeline. 409 once work is released (cancel instead).
#[utoipa::path(patch, path = "/{id}", tag = "orders", params(("id" = String, Path, description = "The order's id or number")), request_body = EditBody,
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn edit_order(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<EditBody>,
) -> ApiResult<axum::Json<OrderView>> {
    let current = app.order(&caller.0, &id).await?;
    // `ship_to` is merge-patched onto the address as it is: members given replace, null clears.
    let ship_to = match body.document.get("ship_to") {
        None => None,
        Some(patch) => Some(patched_ship_to(current.order.ship_to.as_ref(), patch)?),
    };
    let body = body.value;
    let currency = current.order.currency;
    let mut e = FieldErrors::new();
    let mut lines = Vec::new();
    for (i, l) in body.lines.unwrap_or_default().into_iter().enumerate() {
        let sku = e.optional(&format!("lines[{i}].sku"), l.sku, |s| {
            ordo_domain::values::Sku::parse(&s)
        });
        let quantity = e.required(&format!("lines[{i}].quantity"), l.quantity, |q| {
            if (0..=ordo_domain::order::LINE_QUANTITY_MAX).contains(&q) {
                Ok(q)
            } else {
                Err(format!(
                    "must be 0 to {}",
                    ordo_domain::order::LINE_QUANTITY_MAX
                ))
            }
        });
        let price = e.optional(&format!("lines[{i}].unit_price"), l.unit_price, |p| {
            currency.parse_amount(&p)
        });
        if l.line.is_none() && matches!(sku, Some(None)) {
            e.push(format!("lines[{i}].sku"), "is required for a new line");
        }
        if let (Some(sku), Some(quantity), Some(unit_price_minor)) = (sku, quantity, price) {
            lines.push(ordo_domain::order::LineEdit {
                line_no: l.line,
                sku,
                quantity,
                unit_price_minor,
            });
        }
    }
    let ship_to = ship_to.map(|s| s.parse(&mut e));
    e.into_result().map_err(ApiError::invalid)?;
    if lines.is_empty() && ship_to.is_none() {
        return Err(ApiError::field("body", "must change lines or ship_to"));
    }
    let edit = ordo_domain::order::OrderEdit {
        lines,
        ship_to: ship_to.flatten(),
    };
    Ok(axum::Json(
        app.edit_order(&caller.0, &id, edit).await?.into(),
    ))
}

/// The order's address with `patch` merged onto it. Coordinates of the old address are
/// dropped when the patch moves it and brings none of its own.
fn patched_ship_to(
    current: Option<&ordo_domain::order::ShipTo>,
    patch: &serde_json::Value,
) -> ApiResult<super::order_body::ShipToBody> {
    let mut document = match current {
        Some(s) => serde_json::json!({
            "name": s.name, "line1": s.line1, "line2": s.line2, "city": s.city, "region": s.region,
            "postal_code": s.postal_code, "country": s.country.as_str(),
            "lat": s.point.map(|p| p.lat), "lon": s.point.map(|p| p.lon), "directions": s.directions,
        }),
        None => serde_json::json!({}),
    };
    let moves = patch.as_object().is_some_and(|p| {
        !p.contains_key("lat")
            && p.keys()
                .any(|k| !["name", "line2", "directions"].contains(&k.as_str()))
    });
    if let (true, Some(fields)) = (moves, document.as_object_mut()) {
        fields.remove("lat");
        fields.remove("lon");
    }
    super::common::merge_patch(&mut document, patch);
    if let Some(fields) = document.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    let parsed: EditBody =
        crate::extract::from_document(&serde_json::json!({ "ship_to": document }))?;
    parsed
        .ship_to
        .ok_or_else(|| ApiError::field("ship_to", "must be an object"))
}

/// The order's timeline: every state change with its time, actor and reason, oldest first.
#[utoipa::path(operation_id = "list_order_events", get, path = "/{id}/events", tag = "orders", params(("id" = String, Path, description = "The order's id or number")),
    responses((status = 200, body = List<OrderEventView>), (status = 404, body = Problem)))]
async fn order_events(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<List<OrderEventView>>> {
    let events = app.order_events(&caller.0, &id).await?;
    Ok(axum::Json(List {
        items: events.into_iter().map(OrderEventView::from).collect(),
        next_cursor: None,
    }))
}
