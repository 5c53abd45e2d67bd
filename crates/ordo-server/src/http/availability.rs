//! `/v1/availability`: what is available to promise, per location and for the network.

use std::sync::Arc;

use axum::extract::{Query, State};
use ordo_app::App;
use ordo_domain::auth::Action;
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::SkuAvailability;
use ordo_domain::values::Sku;
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocationAvailabilityView {
    #[serde(flatten)]
    pub position: PositionView,
}

impl From<SkuAvailability> for AvailabilityView {
    fn from(a: SkuAvailability) -> Self {
        Self {
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
/// count as available from the moment the hold expires.
#[utoipa::path(get, path = "", tag = "inventory", params(AvailabilityQuery),
    responses((status = 200, body = List<AvailabilityView>), (status = 422, body = Problem)))]
async fn availability(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<AvailabilityQuery>,
) -> ApiResult<axum::Json<List<AvailabilityView>>> {
    caller.require(Action::ReadAvailability)?;
    let mut e = FieldErrors::new();
    let Some(skus) = parse_skus(query.skus, app.limits().availability_skus_max, &mut e) else {
        return Err(ApiError::invalid(e));
    };
    let items = app
        .availability(&skus)
        .await?
        .into_iter()
        .map(AvailabilityView::from)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}
