//! `/v1/holds`: checkout holds — units set aside while a shopper checks out — and
//! `/v1/allocations/{id}/ship`, which ships the units of one allocation.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ordo_app::holds::{HoldRequest, status_at};
use ordo_app::{App, HoldRecord};
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, NamedPlace, parse_point};
use ordo_domain::hold::{HOLD_LINES_MAX, parse_ttl_s};
use ordo_domain::order::LINE_QUANTITY_MAX;
use ordo_domain::values::{ChannelCode, LocationCode, Sku, parse_positive_quantity, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::timestamp;
use super::order_view::OrderView;
use crate::extract::OptionalJson;
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn holds_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(place_hold))
        .routes(routes!(get_hold, release_hold))
}

pub fn allocations_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(ship_allocation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutHoldBody {
    /// The channel of the checkout; a channel key's own channel when absent.
    #[schema(example = "web")]
    pub channel: Option<String>,
    #[schema(required = true)]
    pub lines: Option<Vec<HoldLineBody>>,
    /// Hold the units at this location only (a store for pickup).
    pub location: Option<String>,
    /// Where the goods would go, to hold them at the right locations.
    pub ship_to: Option<HoldShipToBody>,
    /// How long the hold lasts, 1 to 86,400 seconds.
    #[schema(required = true, example = 900)]
    pub ttl_s: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldLineBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 1)]
    pub quantity: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldShipToBody {
    #[schema(required = true, example = "DE")]
    pub country: Option<String>,
    #[schema(example = "80331")]
    pub postal_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl CheckoutHoldBody {
    fn parse(self) -> Result<HoldRequest, FieldErrors> {
        let mut e = FieldErrors::new();
        let channel = e.optional("channel", self.channel, |c| ChannelCode::parse(&c));
        let location = e.optional("location", self.location, |l| LocationCode::parse(&l));
        let ttl_s = e.required("ttl_s", self.ttl_s, parse_ttl_s);
        let raw_lines = e.required("lines", self.lines, |lines| {
            if lines.is_empty() || lines.len() > HOLD_LINES_MAX {
                Err(format!("must hold 1 to {HOLD_LINES_MAX} lines"))
            } else {
                Ok(lines)
            }
        });
        let mut lines = Vec::new();
        for (i, line) in raw_lines.into_iter().flatten().enumerate() {
            let sku = e.required(&format!("lines[{i}].sku"), line.sku, |s| Sku::parse(&s));
            let quantity = e.required(&format!("lines[{i}].quantity"), line.quantity, |q| {
                parse_positive_quantity(q, LINE_QUANTITY_MAX)
            });
            if let (Some(sku), Some(quantity)) = (sku, quantity) {
                lines.push((sku, quantity));
            }
        }
        let ship_to = match self.ship_to {
            None => Some(None),
            Some(s) => {
                let country = e.required("ship_to.country", s.country, |c| CountryCode::parse(&c));
                let postal =
                    e.optional("ship_to.postal_code", s.postal_code, |p| parse_text(&p, 20));
                let point = e.check("ship_to.lat", parse_point(s.lat, s.lon));
                match (country, postal, point) {
                    (Some(country), Some(postal_code), Some(point)) => Some(Some(NamedPlace {
                        point,
                        country: Some(country),
                        postal_code,
                    })),
                    _ => None,
                }
            }
        };
        let (Some(channel), Some(location), Some(ttl_s), Some(ship_to), true) =
            (channel, location, ttl_s, ship_to, e.is_empty())
        else {
            return Err(e);
        };
        Ok(HoldRequest {
            channel,
            lines,
            location,
            ship_to,
            ttl_s,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutHoldView {
    pub id: String,
    /// `active`, `converted` (an order took its units), `released` or `expired`.
    pub status: String,
    pub channel: Option<String>,
    pub expires_at: String,
    /// The order that took the hold's units over.
    pub order_id: Option<String>,
    pub lines: Vec<HoldLineView>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldLineView {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
    /// Where the units are held (while the hold is active).
    pub allocations: Vec<HeldView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeldView {
    pub location: String,
    pub quantity: i64,
    /// `held`, or `released` once expired, released or taken over.
    pub status: String,
}

fn hold_view(record: HoldRecord, now_ms: i64) -> CheckoutHoldView {
    let status = status_at(&record, now_ms);
    let h = record.hold;
    CheckoutHoldView {
        id: h.id,
        status: status.as_str().into(),
        channel: h.channel.map(|c| c.to_string()),
        expires_at: timestamp(h.expires_at_ms),
        order_id: h.order_id,
        lines: h
            .lines
            .into_iter()
            .map(|l| HoldLineView {
                allocations: record
                    .reservations
                    .iter()
                    .filter(|r| r.line_no == l.line_no)
                    .map(|r| HeldView {
                        location: r.location.to_string(),
                        quantity: r.quantity,
                        status: if r.is_expired(now_ms) {
                            "released".into()
                        } else {
                            r.status.as_str().into()
                        },
                    })
                    .collect(),
                line: l.line_no,
                sku: l.sku.to_string(),
                quantity: l.quantity,
            })
            .collect(),
        created_at: timestamp(h.created_at_ms),
    }
}

/// Hold units for a checkout, for `ttl_s` seconds. Every line is held or none (409 naming the
/// short lines). An order placed with this `hold_id` takes the units over; when the hold
/// expires its units are free again at once.
#[utoipa::path(operation_id = "place_checkout_hold", post, path = "", tag = "holds", request_body = CheckoutHoldBody,
    responses((status = 201, body = CheckoutHoldView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn place_hold(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<CheckoutHoldBody>,
) -> ApiResult<(StatusCode, axum::Json<CheckoutHoldView>)> {
    let request = body.value.parse().map_err(ApiError::invalid)?;
    let record = app.place_hold(&caller.0, request).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(hold_view(record, app.now_ms())),
    ))
}

/// One hold.
#[utoipa::path(get, path = "/{id}", tag = "holds", params(("id" = String, Path)),
    responses((status = 200, body = CheckoutHoldView), (status = 404, body = Problem)))]
async fn get_hold(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CheckoutHoldView>> {
    Ok(axum::Json(hold_view(
        app.hold(&caller.0, &id).await?,
        app.now_ms(),
    )))
}

/// Release a hold's units now instead of waiting for it to expire.
#[utoipa::path(operation_id = "release_checkout_hold", delete, path = "/{id}", tag = "holds", params(("id" = String, Path)),
    responses((status = 200, body = CheckoutHoldView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn release_hold(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CheckoutHoldView>> {
    Ok(axum::Json(hold_view(
        app.release_hold(&caller.0, &id).await?,
        app.now_ms(),
    )))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipAllocationBody {
    /// Units to ship; the whole allocation when absent.
    pub quantity: Option<i64>,
}

/// Ship the units of one allocation: on hand and reserved both go down at its location, the
/// line's units count as shipped, and the order's status follows (partially_shipped,
/// shipped). Fulfilment orders will drive this in time; until then operations call it.
#[utoipa::path(post, path = "/{id}/ship", tag = "orders", params(("id" = String, Path, description = "The allocation's id")),
    request_body(content = Option<ShipAllocationBody>),
    responses((status = 200, body = OrderView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn ship_allocation(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<ShipAllocationBody>,
) -> ApiResult<axum::Json<OrderView>> {
    let quantity = body.0.unwrap_or_default().quantity;
    if let Some(q) = quantity {
        parse_positive_quantity(q, LINE_QUANTITY_MAX)
            .map_err(|m| ApiError::field("quantity", m))?;
    }
    Ok(axum::Json(
        app.ship_allocation(&caller.0, &id, quantity).await?.into(),
    ))
}
