//! `/v1/items`: the SKUs Ordo sells and moves.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::UNITS_MAX;
use ordo_domain::item::{Item, Preorder, parse_dimension_mm, parse_weight_g};
use ordo_domain::promise::parse_date;
use ordo_domain::values::{Sku, parse_name, parse_positive_quantity};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, merge_patch, patchable, timestamp};
use crate::extract::{Json, from_document};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_item, list_items))
        .routes(routes!(get_item, patch_item))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = "Organic Cotton T-Shirt, Black, M")]
    pub name: Option<String>,
    #[schema(example = 180)]
    pub weight_g: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    /// Whether a line may wait for stock instead of being refused; `false` when absent.
    pub allow_backorder: Option<bool>,
    /// Sold before release: orders may wait for up to `cap` units until `release_date`.
    pub preorder: Option<PreorderBody>,
    /// `true` when absent.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreorderBody {
    #[schema(required = true, example = "2026-12-24")]
    pub release_date: Option<String>,
    #[schema(required = true, example = 500)]
    pub cap: Option<i64>,
}

impl PreorderBody {
    fn parse(self, e: &mut FieldErrors) -> Option<Preorder> {
        let release_date = e.required("preorder.release_date", self.release_date, |d| {
            parse_date(&d)
        });
        let cap = e.required("preorder.cap", self.cap, |c| {
            parse_positive_quantity(c, UNITS_MAX)
        });
        Some(Preorder {
            release_date: release_date?,
            cap: cap?,
        })
    }
}

impl ItemBody {
    fn parse(self) -> Result<Item, FieldErrors> {
        let mut e = FieldErrors::new();
        let sku = e.required("sku", self.sku, |s| Sku::parse(&s));
        let name = e.required("name", self.name, |n| parse_name(&n));
        let weight_g = e.optional("weight_g", self.weight_g, parse_weight_g);
        let length_mm = e.optional("length_mm", self.length_mm, parse_dimension_mm);
        let width_mm = e.optional("width_mm", self.width_mm, parse_dimension_mm);
        let height_mm = e.optional("height_mm", self.height_mm, parse_dimension_mm);
        let preorder = match self.preorder {
            Some(p) => p.parse(&mut e).map(Some),
            None => Some(None),
        };
        let (
            Some(sku),
            Some(name),
            Some(weight_g),
            Some(length_mm),
            Some(width_mm),
            Some(height_mm),
            Some(preorder),
        ) = (
            sku, name, weight_g, length_mm, width_mm, height_mm, preorder,
        )
        else {
            return Err(e);
        };
        Ok(Item {
            sku,
            name,
            weight_g,
            length_mm,
            width_mm,
            height_mm,
            allow_backorder: self.allow_backorder.unwrap_or(false),
            preorder,
            active: self.active.unwrap_or(true),
            created_at_ms: 0,
            updated_at_ms: 0,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub sku: String,
    pub name: String,
    pub weight_g: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    pub allow_backorder: bool,
    pub preorder: Option<PreorderView>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreorderView {
    pub release_date: String,
    pub cap: i64,
}

impl From<Item> for ItemView {
    fn from(i: Item) -> Self {
        Self {
            sku: i.sku.to_string(),
            name: i.name,
            weight_g: i.weight_g,
            length_mm: i.length_mm,
            width_mm: i.width_mm,
            height_mm: i.height_mm,
            allow_backorder: i.allow_backorder,
            preorder: i.preorder.map(|p| PreorderView {
                release_date: p.release_date.to_string(),
                cap: p.cap,
            }),
            active: i.active,
            created_at: timestamp(i.created_at_ms),
            updated_at: timestamp(i.updated_at_ms),
        }
    }
}

fn path_sku(raw: &str) -> ApiResult<Sku> {
    Sku::parse(raw).map_err(|_| ApiError::not_found(format!("item {raw}")))
}

/// Create an item.
#[utoipa::path(post, path = "", tag = "items", request_body = ItemBody,
    responses((status = 201, body = ItemView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_item(
    State(app): State<Arc<App>>,
    body: Json<ItemBody>,
) -> ApiResult<(StatusCode, axum::Json<ItemView>)> {
    let item = body.value.parse().map_err(ApiError::invalid)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_item(item).await?.into()),
    ))
}

/// List items by SKU.
#[utoipa::path(get, path = "", tag = "items", params(PageQuery), responses((status = 200, body = List<ItemView>)))]
async fn list_items(
    State(app): State<Arc<App>>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<ItemView>>> {
    let page = app.items(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, ItemView::from)))
}

/// One item.
#[utoipa::path(get, path = "/{sku}", tag = "items", params(("sku" = String, Path)),
    responses((status = 200, body = ItemView), (status = 404, body = Problem)))]
async fn get_item(
    State(app): State<Arc<App>>,
    Path(sku): Path<String>,
) -> ApiResult<axum::Json<ItemView>> {
    Ok(axum::Json(app.item(&path_sku(&sku)?).await?.into()))
}

/// Change an item with a JSON merge patch (RFC 7396). The SKU cannot change.
#[utoipa::path(patch, path = "/{sku}", tag = "items", params(("sku" = String, Path)), request_body = ItemBody,
    responses((status = 200, body = ItemView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn patch_item(
    State(app): State<Arc<App>>,
    Path(sku): Path<String>,
    patch: Json<serde_json::Value>,
) -> ApiResult<axum::Json<ItemView>> {
    let sku = path_sku(&sku)?;
    let mut document = patchable(
        ItemView::from(app.item(&sku).await?),
        &["created_at", "updated_at"],
    );
    merge_patch(&mut document, &patch.document);
    let changed = from_document::<ItemBody>(&document)?
        .parse()
        .map_err(ApiError::invalid)?;
    if changed.sku != sku {
        return Err(ApiError::field("sku", "cannot be changed"));
    }
    Ok(axum::Json(app.update_item(changed).await?.into()))
}
