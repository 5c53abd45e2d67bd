//! `/v1/availability`: what is available to promise, per location and for the network.

use std::sync::Arc;

use axum::extract::{Query, State};
use ordo_app::App;
use ordo_app::availability::{AvailabilityRequest, ItemAvailability};
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, NamedPlace, parse_point};
use ordo_domain::inventory::SkuAvailability;
use ordo_domain::values::{ChannelCode, Sku, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::List;
use super::inventory::PositionView;
use crate::extract::Caller;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(availability))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// Comma-separated SKUs, such as `TEE-BLK-M,TEE-BLK-L`.
    pub skus: Option<String>,
    /// See availability as this channel may sell it (its buffers and exclusions applied). A
    /// channel key always sees its own channel's.
    pub channel: Option<String>,
    /// `true` adds what becomes available on which date from incoming supply.
    pub by_date: Option<String>,
    /// With `ship_to_country` (or `lat` and `lon`), adds the earliest delivery date.
    pub ship_to_postal_code: Option<String>,
    pub ship_to_country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub sku: String,
    /// Available to promise across the network: the sum over active locations.
    pub available: i64,
    pub on_hand: i64,
    pub reserved: i64,
    /// Damaged and quality-hold units: on hand, never available.
    pub unsellable: i64,
    pub locations: Vec<LocationAvailabilityView>,
    /// With `by_date=true`: units still to arrive, by the date they are ready to ship.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incoming: Option<Vec<IncomingView>>,
    /// With `by_date=true`: units already waiting for that supply (backorders).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<i64>,
    /// With `by_date=true`: what may be promised from each date on, after the waiting units
    /// take their share of what arrives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_date: Option<Vec<DatedView>>,
    /// With a ship-to: the earliest delivery of one unit, or `null` when nothing can be
    /// promised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise: Option<Option<PromiseView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncomingView {
    pub date: String,
    pub location: String,
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatedView {
    pub date: String,
    /// Units ready to ship from that date.
    pub incoming: i64,
    /// What may be promised from that date on.
    pub available: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PromiseView {
    /// The delivery date (for pickup, the day it is ready).
    pub date: String,
    /// `stock` (on hand now), `inbound` (arriving supply) or `preorder` (its release).
    pub source: String,
    pub location: String,
    pub ship_date: String,
    pub transit_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationAvailabilityView {
    #[serde(flatten)]
    pub position: PositionView,
}

impl From<ItemAvailability> for AvailabilityView {
    fn from(item: ItemAvailability) -> Self {
        let by_date = !item.timeline.is_empty() || item.waiting > 0 || !item.incoming.is_empty();
        let mut view = Self::from(item.summary);
        if by_date {
            view.incoming = Some(
                item.incoming
                    .iter()
                    .map(|s| IncomingView {
                        date: s.ready.to_string(),
                        location: s.location.to_string(),
                        quantity: s.quantity,
                    })
                    .collect(),
            );
            view.waiting = Some(item.waiting);
            view.by_date = Some(
                item.timeline
                    .iter()
                    .map(|d| DatedView {
                        date: d.date.to_string(),
                        incoming: d.incoming,
                        available: d.available,
                    })
                    .collect(),
            );
        }
        view.promise = item.promise.map(|p| {
            p.map(|p| PromiseView {
                date: p.date.to_string(),
                source: p.source.as_str().into(),
                location: p.location.to_string(),
                ship_date: p.ship_date.to_string(),
                transit_days: p.transit_days,
            })
        });
        view
    }
}

impl From<SkuAvailability> for AvailabilityView {
    fn from(a: SkuAvailability) -> Self {
        Self {
            incoming: None,
            waiting: None,
            by_date: None,
            promise: None,
            sku: a.sku.to_string(),
            available: a.available,
            on_hand: a.on_hand,
            reserved: a.reserved,
            unsellable: a.unsellable,
            locations: a
                .locations
                .into_iter()
                .map(|l| {
                    let mut position = PositionView::from(l.position);
                    position.available = l.available;
                    LocationAvailabilityView { position }
                })
                .collect(),
        }
    }
}

/// Parses `skus=A,B`: 1 to `max` distinct SKUs.
pub fn parse_skus(raw: Option<String>, max: usize, e: &mut FieldErrors) -> Option<Vec<Sku>> {
    e.required("skus", raw, |raw| {
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
    })
}

/// Available to promise, per active location and for the network: on hand − damaged −
/// quality hold − reserved − safety stock, never below zero. Units of expired checkout holds
/// count as available from the moment the hold expires. With `channel`, as that channel may
/// sell it; with `by_date=true`, what incoming supply adds on which date; with a ship-to, the
/// earliest delivery date (from stock: next cut-off plus transit; else from supply: expected
/// date plus receiving lead time plus transit).
#[utoipa::path(operation_id = "get_availability", get, path = "", tag = "inventory", params(AvailabilityQuery),
    responses((status = 200, body = List<AvailabilityView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn availability(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<AvailabilityQuery>,
) -> ApiResult<axum::Json<List<AvailabilityView>>> {
    let mut e = FieldErrors::new();
    let skus = parse_skus(query.skus, app.limits().availability_skus_max, &mut e);
    let channel = e.optional("channel", query.channel, |c| ChannelCode::parse(&c));
    let by_date = e.optional("by_date", query.by_date, |b| match b.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_string()),
    });
    let point = e.check("lat", parse_point(query.lat, query.lon));
    let country = e.optional("ship_to_country", query.ship_to_country, |c| {
        CountryCode::parse(&c)
    });
    let postal = e.optional("ship_to_postal_code", query.ship_to_postal_code, |p| {
        parse_text(&p, 20)
    });
    let (Some(skus), Some(channel), Some(by_date), Some(point), Some(country), Some(postal), true) =
        (skus, channel, by_date, point, country, postal, e.is_empty())
    else {
        return Err(ApiError::invalid(e));
    };
    if postal.is_some() && country.is_none() {
        return Err(ApiError::field(
            "ship_to_country",
            "is required with ship_to_postal_code",
        ));
    }
    let destination = (point.is_some() || country.is_some()).then_some(NamedPlace {
        point,
        country,
        postal_code: postal,
    });
    let request = AvailabilityRequest {
        skus,
        channel,
        by_date: by_date.unwrap_or(false),
        destination,
    };
    let items = app
        .availability(&caller.0, request)
        .await?
        .into_iter()
        .map(AvailabilityView::from)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}
