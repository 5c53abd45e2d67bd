//! `/v1/locations`: warehouses, stores, suppliers and 3PLs.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, parse_point};
use ordo_domain::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, ReleaseWaves, TimeZoneName,
    parse_daily_capacity, parse_lead_time_days,
};
use ordo_domain::values::{LocationCode, parse_name, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, merge_patch, patchable, timestamp};
use crate::extract::{Json, from_document};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_location, list_locations))
        .routes(routes!(get_location, patch_location))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    #[schema(required = true, example = "WH-HAM")]
    pub code: Option<String>,
    #[schema(required = true, example = "Hamburg Distribution Centre")]
    pub name: Option<String>,
    /// `warehouse`, `store`, `supplier` or `3pl`.
    #[schema(required = true, example = "warehouse")]
    pub kind: Option<String>,
    #[schema(required = true)]
    pub address: Option<AddressBody>,
    /// Any of `ship` and `pickup`; `["ship"]` when absent.
    pub capabilities: Option<Vec<String>>,
    #[schema(example = 5000)]
    pub daily_order_capacity: Option<i64>,
    /// The carrier cut-off, local time `HH:MM`.
    #[schema(example = "17:30")]
    pub cutoff_local_time: Option<String>,
    /// An IANA time zone.
    #[schema(required = true, example = "Europe/Berlin")]
    pub time_zone: Option<String>,
    /// Days between goods arriving and being ready to ship; 0 when absent.
    #[schema(example = 1)]
    pub receiving_lead_time_days: Option<i64>,
    /// Local times `HH:MM` at which allocations are released to the location, each wave
    /// taking every allocation made before it; absent or empty: released at once.
    #[schema(example = json!(["09:00", "13:00"]))]
    pub release_waves: Option<Vec<String>>,
    /// `true` when absent.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    /// ISO 3166-1 alpha-2.
    #[schema(required = true, example = "DE")]
    pub country: Option<String>,
    pub region: Option<String>,
    #[schema(required = true, example = "Hamburg")]
    pub city: Option<String>,
    /// Street and number, printed as the sender on labels.
    #[schema(example = "Hafenstraße 12")]
    pub line1: Option<String>,
    pub line2: Option<String>,
    #[schema(required = true, example = "20095")]
    pub postal_code: Option<String>,
    #[schema(example = 53.551)]
    pub lat: Option<f64>,
    #[schema(example = 9.994)]
    pub lon: Option<f64>,
}

impl LocationBody {
    fn parse(self) -> Result<Location, FieldErrors> {
        let mut e = FieldErrors::new();
        let code = e.required("code", self.code, |c| LocationCode::parse(&c));
        let name = e.required("name", self.name, |n| parse_name(&n));
        let kind = e.required("kind", self.kind, |k| LocationKind::parse(&k));
        let address = match self.address {
            Some(address) => address.parse(&mut e),
            None => {
                e.push("address", "is required");
                None
            }
        };
        let capabilities = self.capabilities.unwrap_or_else(|| vec!["ship".into()]);
        let capabilities = e.check("capabilities", Capabilities::parse(&capabilities));
        let capacity = e.optional(
            "daily_order_capacity",
            self.daily_order_capacity,
            parse_daily_capacity,
        );
        let cutoff = e.optional("cutoff_local_time", self.cutoff_local_time, |t| {
            LocalTime::parse(&t)
        });
        let time_zone = e.required("time_zone", self.time_zone, |t| TimeZoneName::parse(&t));
        let lead_time = e.check(
            "receiving_lead_time_days",
            parse_lead_time_days(self.receiving_lead_time_days.unwrap_or(0)),
        );
        let waves = e.check(
            "release_waves",
            ReleaseWaves::parse(&self.release_waves.unwrap_or_default()),
        );
        let (
            Some(code),
            Some(name),
            Some(kind),
            Some(address),
            Some(capabilities),
            Some(capacity),
            Some(cutoff),
            Some(time_zone),
            Some(lead_time),
            Some(release_waves),
        ) = (
            code,
            name,
            kind,
            address,
            capabilities,
            capacity,
            cutoff,
            time_zone,
            lead_time,
            waves,
        )
        else {
            return Err(e);
        };
        Ok(Location {
            code,
            name,
            kind,
            address,
            capabilities,
            daily_order_capacity: capacity,
            cutoff_local_time: cutoff,
            time_zone,
            receiving_lead_time_days: lead_time,
            release_waves,
            active: self.active.unwrap_or(true),
            created_at_ms: 0,
            updated_at_ms: 0,
        })
    }
}

impl AddressBody {
    fn parse(self, e: &mut FieldErrors) -> Option<LocationAddress> {
        let country = e.required("address.country", self.country, |c| CountryCode::parse(&c));
        let region = e.optional("address.region", self.region, |r| parse_text(&r, 100));
        let city = e.required("address.city", self.city, |c| parse_text(&c, 100));
        let postal_code = e.required("address.postal_code", self.postal_code, |p| {
            parse_text(&p, 20)
        });
        let point = e.check("address.lat", parse_point(self.lat, self.lon));
        let line1 = e.optional("address.line1", self.line1, |l| parse_text(&l, 200));
        let line2 = e.optional("address.line2", self.line2, |l| parse_text(&l, 200));
        Some(LocationAddress {
            country: country?,
            region: region?,
            city: city?,
            line1: line1?,
            line2: line2?,
            postal_code: postal_code?,
            point: point?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub address: AddressView,
    pub capabilities: Vec<String>,
    pub daily_order_capacity: Option<i64>,
    pub cutoff_local_time: Option<String>,
    pub time_zone: String,
    pub receiving_lead_time_days: i64,
    pub release_waves: Vec<String>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressView {
    pub country: String,
    pub region: Option<String>,
    pub city: String,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl From<Location> for LocationView {
    fn from(l: Location) -> Self {
        let a = l.address;
        Self {
            code: l.code.to_string(),
            name: l.name,
            kind: l.kind.as_str().into(),
            address: AddressView {
                country: a.country.to_string(),
                region: a.region,
                city: a.city,
                line1: a.line1,
                line2: a.line2,
                postal_code: a.postal_code,
                lat: a.point.map(|p| p.lat),
                lon: a.point.map(|p| p.lon),
            },
            capabilities: l
                .capabilities
                .names()
                .into_iter()
                .map(String::from)
                .collect(),
            daily_order_capacity: l.daily_order_capacity,
            cutoff_local_time: l.cutoff_local_time.map(|t| t.to_hhmm()),
            time_zone: l.time_zone.as_str().into(),
            receiving_lead_time_days: l.receiving_lead_time_days,
            release_waves: l.release_waves.names(),
            active: l.active,
            created_at: timestamp(l.created_at_ms),
            updated_at: timestamp(l.updated_at_ms),
        }
    }
}

fn path_code(raw: &str) -> ApiResult<LocationCode> {
    LocationCode::parse(raw).map_err(|_| ApiError::not_found(format!("location {raw}")))
}

/// Create a location.
#[utoipa::path(post, path = "", tag = "locations", request_body = LocationBody,
    responses((status = 201, body = LocationView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_location(
    State(app): State<Arc<App>>,
    body: Json<LocationBody>,
) -> ApiResult<(StatusCode, axum::Json<LocationView>)> {
    let location = body.value.parse().map_err(ApiError::invalid)?;
    let created = app.create_location(location).await?;
    Ok((StatusCode::CREATED, axum::Json(created.into())))
}

/// List locations by code.
#[utoipa::path(get, path = "", tag = "locations", params(PageQuery), responses((status = 200, body = List<LocationView>)))]
async fn list_locations(
    State(app): State<Arc<App>>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<LocationView>>> {
    let page = app.locations(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, LocationView::from)))
}

/// One location.
#[utoipa::path(get, path = "/{code}", tag = "locations", params(("code" = String, Path)),
    responses((status = 200, body = LocationView), (status = 404, body = Problem)))]
async fn get_location(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<LocationView>> {
    Ok(axum::Json(app.location(&path_code(&code)?).await?.into()))
}

/// Change a location with a JSON merge patch (RFC 7396): members given replace, `null`
/// clears an optional member. The code cannot change.
#[utoipa::path(patch, path = "/{code}", tag = "locations", params(("code" = String, Path)), request_body = LocationBody,
    responses((status = 200, body = LocationView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn patch_location(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    patch: Json<serde_json::Value>,
) -> ApiResult<axum::Json<LocationView>> {
    let code = path_code(&code)?;
    let current = LocationView::from(app.location(&code).await?);
    let mut document = patchable(current, &["created_at", "updated_at"]);
    merge_patch(&mut document, &patch.document);
    let changed = from_document::<LocationBody>(&document)?
        .parse()
        .map_err(ApiError::invalid)?;
    if changed.code != code {
        return Err(ApiError::field("code", "cannot be changed"));
    }
    Ok(axum::Json(app.update_location(changed).await?.into()))
}
