//! `/v1/carriers`: carriers and their services (coverage, zones, rates, fuel surcharge,
//! pickup days, cut-offs, event codes), each with its reliability from delivery history;
//! `/v1/shipping`: rate quotes and the rate-shopping setting.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ordo_app::{App, CarrierRecord};
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, parse_point};
use ordo_domain::promise::parse_date;
use ordo_domain::shipping::{Address, Carrier, Quote};
use ordo_domain::values::LocationCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use crate::extract::{Caller, Json, from_document};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(list_carriers))
        .routes(routes!(put_carrier, get_carrier))
        .routes(routes!(manifest))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManifestQuery {
    /// The day, `YYYY-MM-DD` (UTC); today when absent.
    pub date: Option<String>,
    /// `pdf` (the default) or `csv`.
    pub format: Option<String>,
    /// Only the parcels this location handed over (a location key always sees its own).
    pub location: Option<String>,
}

/// The carrier's end-of-day manifest: every parcel handed to it that day.
#[utoipa::path(operation_id = "get_manifest", get, path = "/{code}/manifest", tag = "shipping", params(("code" = String, Path), ManifestQuery),
    responses((status = 200, content_type = "application/pdf", description = "The manifest (text/csv with format=csv)"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn manifest(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(code): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ManifestQuery>,
) -> ApiResult<axum::response::Response> {
    use ordo_app::printing::Format;
    let format = super::common::format(query.format.as_deref(), &[Format::Pdf, Format::Csv])?;
    let date = match query.date {
        Some(raw) => parse_date(&raw).map_err(|m| ApiError::field("date", m))?,
        None => jiff::Timestamp::from_millisecond(app.now_ms())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let location = match query.location.as_deref() {
        Some(raw) => Some(LocationCode::parse(raw).map_err(|m| ApiError::field("location", m))?),
        None => None,
    };
    let doc = app
        .manifest_document(&caller.0, &code, date, location.as_ref(), format)
        .await?;
    Ok(super::common::document(doc))
}

pub fn shipping_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(rates))
        .routes(routes!(put_settings))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CarrierView {
    /// The carrier as configured: `code`, `name`, `currency`, `tracking`, `event_codes`,
    /// `zones`, `weight_breaks_g`, `fuel_surcharge_pct`, `pickup_days`, `cutoff`,
    /// `services` and `active`.
    #[schema(value_type = Carrier)]
    pub carrier: serde_json::Value,
    /// From 0 to 1: on-time share of delivered shipments, lowered by failed attempts; new
    /// carriers start at 0.9.
    pub reliability: f64,
    pub created_at: String,
    pub updated_at: String,
}

fn view(record: CarrierRecord, reliability: f64) -> CarrierView {
    CarrierView {
        carrier: serde_json::to_value(&record.carrier).unwrap_or_default(),
        reliability: (reliability * 1000.0).round() / 1000.0,
        created_at: timestamp(record.created_at_ms),
        updated_at: timestamp(record.updated_at_ms),
    }
}

/// Every carrier, with its reliability.
#[utoipa::path(get, path = "", tag = "shipping",
    responses((status = 200, body = List<CarrierView>)))]
async fn list_carriers(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> ApiResult<axum::Json<List<CarrierView>>> {
    let carriers = app.carriers(&caller.0).await?;
    Ok(axum::Json(List::new(
        carriers.into_iter().map(|(c, r)| view(c, r)).collect(),
    )))
}

#[utoipa::path(get, path = "/{code}", tag = "shipping", params(("code" = String, Path)),
    responses((status = 200, body = CarrierView), (status = 404, body = Problem)))]
async fn get_carrier(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<CarrierView>> {
    let carriers = app.carriers(&caller.0).await?;
    let (record, reliability) = carriers
        .into_iter()
        .find(|(c, _)| c.carrier.code == code)
        .ok_or_else(|| ApiError::not_found(format!("carrier {code}")))?;
    Ok(axum::Json(view(record, reliability)))
}

/// Create or replace a carrier. The body is the carrier as `GET` shows it; its `code` is the
/// path's. Every bad field is named.
#[utoipa::path(put, path = "/{code}", tag = "shipping", params(("code" = String, Path)),
    request_body(content = Carrier, description = "The carrier; its `code` is the path's"),
    responses((status = 201, body = CarrierView), (status = 200, body = CarrierView), (status = 422, body = Problem)))]
async fn put_carrier(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(code): Path<String>,
    body: Json<serde_json::Value>,
) -> ApiResult<(StatusCode, axum::Json<CarrierView>)> {
    let mut document = body.document;
    match document.as_object_mut() {
        Some(map) => {
            map.insert("code".into(), serde_json::Value::String(code.clone()));
        }
        None => return Err(ApiError::field("body", "must be an object")),
    }
    let carrier: Carrier = from_document(&document)?;
    let created = app.put_carrier(&caller.0, carrier).await?;
    let record = app.carrier(&caller.0, &code).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(view(record, 0.9))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateDestination {
    #[schema(required = true, example = "DE")]
    pub country: Option<String>,
    pub region: Option<String>,
    #[schema(required = true, example = "80331")]
    pub postal_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatesBody {
    /// The shipping location's code.
    #[schema(required = true, example = "WH-HAM")]
    pub from: Option<String>,
    #[schema(required = true)]
    pub to: Option<RateDestination>,
    #[schema(required = true, example = 1200)]
    pub weight_g: Option<i64>,
    /// The promised delivery date, `YYYY-MM-DD`.
    pub deliver_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    pub carrier: String,
    pub service: String,
    /// `same_day`, `express`, `standard` or `economy`.
    pub level: String,
    pub zone: String,
    /// The price as a decimal string in `currency`, fuel surcharge included.
    pub cost: String,
    pub currency: String,
    pub ship_date: String,
    pub delivery_date: String,
    pub on_time: Option<bool>,
    pub reliability: f64,
    pub score: f64,
}

impl From<Quote> for QuoteView {
    fn from(q: Quote) -> Self {
        Self {
            carrier: q.carrier,
            service: q.service,
            level: q.level.as_str().into(),
            zone: q.zone,
            cost: ordo_domain::money::Currency::parse(&q.currency)
                .map(|c| c.format(q.cost_minor))
                .unwrap_or_else(|_| q.cost_minor.to_string()),
            currency: q.currency,
            ship_date: q.ship_date.to_string(),
            delivery_date: q.delivery_date.to_string(),
            on_time: q.on_time,
            reliability: q.reliability,
            score: (q.score * 100.0).round() / 100.0,
        }
    }
}

/// Rate shopping for one parcel: every service that can take it, best first — those that
/// meet `deliver_by` by price weighed against reliability, then the rest by delivery date.
#[utoipa::path(operation_id = "quote_rates", post, path = "/rates", tag = "shipping", request_body = RatesBody,
    responses((status = 200, body = List<QuoteView>), (status = 422, body = Problem)))]
async fn rates(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<RatesBody>,
) -> ApiResult<axum::Json<List<QuoteView>>> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let from = e.required("from", body.from, |f| LocationCode::parse(&f));
    let weight = e.required("weight_g", body.weight_g, |w| {
        if (1..=ordo_domain::fulfillment::PACKAGE_WEIGHT_G_MAX).contains(&w) {
            Ok(w)
        } else {
            Err("must be 1 to 1000000 grams".to_string())
        }
    });
    let deliver_by = e.optional("deliver_by", body.deliver_by, |d| parse_date(&d));
    let Some(to) = body.to else {
        e.push("to", "is required");
        return Err(ApiError::invalid(e));
    };
    let country = e.required("to.country", to.country, |c| CountryCode::parse(&c));
    let postal = e.required("to.postal_code", to.postal_code, Ok::<_, String>);
    let point = e.check("to.lat", parse_point(to.lat, to.lon));
    let (Some(from), Some(weight), Some(deliver_by), Some(country), Some(postal), Some(point)) =
        (from, weight, deliver_by, country, postal, point)
    else {
        return Err(ApiError::invalid(e));
    };
    let address = Address {
        country,
        region: to.region.as_deref(),
        postal_code: &postal,
        point,
    };
    let quotes = app
        .quote(&caller.0, &from, address, weight, deliver_by)
        .await?;
    Ok(axum::Json(List::new(
        quotes.into_iter().map(Into::into).collect(),
    )))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingSettings {
    /// How much unreliability weighs against price: a service's score is
    /// `cost × (1 + weight × (1 − reliability))`. 0 shops on price alone; 0.5 by default.
    #[schema(required = true, example = 0.5)]
    pub reliability_weight: Option<f64>,
}

#[utoipa::path(operation_id = "put_shipping_settings", put, path = "/settings", tag = "shipping", request_body = ShippingSettings,
    responses((status = 200, body = ShippingSettings), (status = 422, body = Problem)))]
async fn put_settings(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ShippingSettings>,
) -> ApiResult<axum::Json<ShippingSettings>> {
    let Some(weight) = body.value.reliability_weight else {
        return Err(ApiError::field("reliability_weight", "is required"));
    };
    app.set_reliability_weight(&caller.0, weight).await?;
    Ok(axum::Json(ShippingSettings {
        reliability_weight: Some(weight),
    }))
}
