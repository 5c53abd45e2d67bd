//! `/v1/channels` and `/v1/api-keys`: where orders come from, and who may call.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_domain::auth::{ApiKey, Role};
use ordo_domain::channel::{
    Channel, ChannelKind, HoldLimits, ITEM_RULES_MAX, ItemRule, StockRules, parse_buffer_percent,
};
use ordo_domain::field::FieldErrors;
use ordo_domain::values::{ChannelCode, LocationCode, Sku, parse_name, parse_stock_figure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::Json;
use crate::problem::{ApiError, ApiResult, Problem};

pub fn channels_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(create_channel, list_channels))
}

pub fn api_keys_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_api_key, list_api_keys))
        .routes(routes!(revoke_api_key))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    #[schema(required = true, example = "web")]
    pub code: Option<String>,
    #[schema(required = true, example = "Web shop")]
    pub name: Option<String>,
    /// `web`, `marketplace`, `pos`, `phone`, `b2b` or `edi`.
    #[schema(required = true, example = "web")]
    pub kind: Option<String>,
    /// `true` when absent.
    pub active: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub active: bool,
    pub created_at: String,
}

impl From<Channel> for ChannelView {
    fn from(c: Channel) -> Self {
        Self {
            code: c.code.to_string(),
            name: c.name,
            kind: c.kind.as_str().into(),
            active: c.active,
            created_at: timestamp(c.created_at_ms),
        }
    }
}

/// Create a channel.
#[utoipa::path(post, path = "", tag = "channels", request_body = ChannelBody,
    responses((status = 201, body = ChannelView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_channel(
    State(app): State<Arc<App>>,
    body: Json<ChannelBody>,
) -> ApiResult<(StatusCode, axum::Json<ChannelView>)> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let code = e.required("code", body.code, |c| ChannelCode::parse(&c));
    let name = e.required("name", body.name, |n| parse_name(&n));
    let kind = e.required("kind", body.kind, |k| ChannelKind::parse(&k));
    let (Some(code), Some(name), Some(kind)) = (code, name, kind) else {
        return Err(ApiError::invalid(e));
    };
    let channel = Channel {
        code,
        name,
        kind,
        active: body.active.unwrap_or(true),
        created_at_ms: 0,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_channel(channel).await?.into()),
    ))
}

/// List channels by code.
#[utoipa::path(get, path = "", tag = "channels", params(PageQuery), responses((status = 200, body = List<ChannelView>)))]
async fn list_channels(
    State(app): State<Arc<App>>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<ChannelView>>> {
    let page = app.channels(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, ChannelView::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyBody {
    /// `admin`, `channel`, `read_only` or `location`.
    #[schema(required = true, example = "channel")]
    pub role: Option<String>,
    /// The channel a `channel` key acts for; only for that role.
    #[schema(example = "web")]
    pub channel: Option<String>,
    /// The location a `location` key (a WMS, a store app) works for; only for that role.
    #[schema(example = "WH-HAM")]
    pub location: Option<String>,
    /// What the key is for, to tell keys apart (1 to 100 characters).
    #[schema(example = "Hamburg WMS")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    /// The first characters of the secret, to recognise the key.
    pub prefix: String,
    pub name: Option<String>,
    pub role: String,
    pub channel: Option<String>,
    /// The location a `location` key works for.
    pub location: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            prefix: k.prefix,
            name: k.name,
            role: k.role.as_str().into(),
            channel: k.channel.map(|c| c.to_string()),
            location: k.location.map(|l| l.to_string()),
            created_at: timestamp(k.created_at_ms),
            revoked_at: k.revoked_at_ms.map(timestamp),
        }
    }
}

/// A new key with its secret, which is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKeyView {
    pub id: String,
    /// Send as `Authorization: Bearer <key>`. Shown this once.
    pub key: String,
    pub name: Option<String>,
    pub role: String,
    pub channel: Option<String>,
    /// The location a `location` key works for.
    pub location: Option<String>,
}

/// Create an API key.
#[utoipa::path(post, path = "", tag = "api-keys", request_body = ApiKeyBody,
    responses((status = 201, body = IssuedKeyView), (status = 422, body = Problem)))]
async fn create_api_key(
    State(app): State<Arc<App>>,
    body: Json<ApiKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<IssuedKeyView>)> {
    let body = body.value;
    let mut e = FieldErrors::new();
    let role = e.required("role", body.role, |r| Role::parse(&r));
    let channel = e.optional("channel", body.channel, |c| ChannelCode::parse(&c));
    let location = e.optional("location", body.location, |l| {
        ordo_domain::values::LocationCode::parse(&l)
    });
    let name = e.optional("name", body.name, |n| {
        ordo_domain::values::parse_text(&n, 100)
    });
    let (Some(role), Some(channel), Some(location), Some(name)) = (role, channel, location, name)
    else {
        return Err(ApiError::invalid(e));
    };
    let issued = app.create_api_key(role, channel, location, name).await?;
    let view = IssuedKeyView {
        id: issued.key.id,
        key: issued.secret,
        name: issued.key.name,
        role: issued.key.role.as_str().into(),
        channel: issued.key.channel.map(|c| c.to_string()),
        location: issued.key.location.map(|l| l.to_string()),
    };
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// List API keys, without their secrets.
#[utoipa::path(get, path = "", tag = "api-keys", params(PageQuery), responses((status = 200, body = List<ApiKeyView>)))]
async fn list_api_keys(
    State(app): State<Arc<App>>,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<ApiKeyView>>> {
    let page = app.api_keys(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, ApiKeyView::from)))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(delete, path = "/{id}", tag = "api-keys", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_api_key(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.revoke_api_key(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn stock_rules_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(get_stock_rules, put_stock_rules))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockRulesBody {
    /// Percent of each location's availability this channel may not sell, 0 to 100.
    #[schema(example = 10)]
    pub buffer_percent: Option<i64>,
    /// Locations this channel never sells from.
    pub excluded_locations: Option<Vec<String>>,
    pub items: Option<Vec<ItemRuleBody>>,
    /// What one checkout hold of this channel may set aside; each limit left out keeps its
    /// default (100 units per line, 100% of what the channel can sell of the item, 3,600 s).
    pub holds: Option<HoldLimitsBody>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldLimitsBody {
    /// Most units of one line.
    #[schema(example = 100)]
    pub units_max: Option<i64>,
    /// Most of what the channel can sell of an item (network-wide) one hold may take, in
    /// percent, rounded up.
    #[schema(example = 50)]
    pub share_percent_max: Option<i64>,
    /// Longest a hold may last, in seconds.
    #[schema(example = 3600)]
    pub ttl_s_max: Option<i64>,
}

impl HoldLimitsBody {
    fn parse(self) -> Result<HoldLimits, FieldErrors> {
        let defaults = HoldLimits::default();
        let share = self.share_percent_max;
        let limits = HoldLimits {
            units_max: self.units_max.unwrap_or(defaults.units_max),
            share_percent_max: share
                .map_or(Some(defaults.share_percent_max), |p| u8::try_from(p).ok())
                .unwrap_or(0),
            ttl_s_max: self.ttl_s_max.unwrap_or(defaults.ttl_s_max),
        };
        limits.check().map(|()| limits)
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRuleBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    /// Units of this item across the network the channel may not sell.
    #[schema(example = 5)]
    pub buffer_units: Option<i64>,
    /// Overrides the item's own allow_backorder for this channel.
    pub allow_backorder: Option<bool>,
    /// Closes (false) the item's preorder to this channel, or leaves it open.
    pub allow_preorder: Option<bool>,
}

impl StockRulesBody {
    fn parse(self) -> Result<StockRules, FieldErrors> {
        let mut e = FieldErrors::new();
        let buffer_percent = e.check(
            "buffer_percent",
            parse_buffer_percent(self.buffer_percent.unwrap_or(0)),
        );
        let mut excluded_locations = Vec::new();
        for (i, code) in self
            .excluded_locations
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(code) = e.check(
                format!("excluded_locations[{i}]"),
                LocationCode::parse(code),
            ) {
                excluded_locations.push(code);
            }
        }
        let raw_items = self.items.unwrap_or_default();
        if raw_items.len() > ITEM_RULES_MAX {
            e.push("items", format!("must hold at most {ITEM_RULES_MAX} rules"));
        }
        let mut items: Vec<ItemRule> = Vec::new();
        for (i, rule) in raw_items.into_iter().enumerate() {
            let sku = e.required(&format!("items[{i}].sku"), rule.sku, |s| Sku::parse(&s));
            let buffer_units = e.check(
                format!("items[{i}].buffer_units"),
                parse_stock_figure(rule.buffer_units.unwrap_or(0)),
            );
            if let Some(sku) = &sku
                && items.iter().any(|r| &r.sku == sku)
            {
                e.push(
                    format!("items[{i}].sku"),
                    format!("{sku} has a rule already"),
                );
            }
            if let (Some(sku), Some(buffer_units)) = (sku, buffer_units) {
                items.push(ItemRule {
                    sku,
                    buffer_units,
                    allow_backorder: rule.allow_backorder,
                    allow_preorder: rule.allow_preorder,
                });
            }
        }
        let holds = self
            .holds
            .map_or(Ok(HoldLimits::default()), HoldLimitsBody::parse);
        let holds = holds.map_err(|errors| e.extend(errors)).ok();
        let (Some(buffer_percent), Some(holds), true) = (buffer_percent, holds, e.is_empty())
        else {
            return Err(e);
        };
        Ok(StockRules {
            buffer_percent,
            excluded_locations,
            items,
            holds,
        })
    }
}

fn rules_view(rules: StockRules) -> StockRulesBody {
    StockRulesBody {
        buffer_percent: Some(i64::from(rules.buffer_percent)),
        excluded_locations: Some(
            rules
                .excluded_locations
                .iter()
                .map(|l| l.to_string())
                .collect(),
        ),
        items: Some(
            rules
                .items
                .into_iter()
                .map(|r| ItemRuleBody {
                    sku: Some(r.sku.to_string()),
                    buffer_units: Some(r.buffer_units),
                    allow_backorder: r.allow_backorder,
                    allow_preorder: r.allow_preorder,
                })
                .collect(),
        ),
        holds: Some(HoldLimitsBody {
            units_max: Some(rules.holds.units_max),
            share_percent_max: Some(i64::from(rules.holds.share_percent_max)),
            ttl_s_max: Some(rules.holds.ttl_s_max),
        }),
    }
}

fn path_channel(raw: &str) -> ApiResult<ChannelCode> {
    ChannelCode::parse(raw).map_err(|_| ApiError::not_found(format!("channel {raw}")))
}

/// A channel's stock rules: what it may not sell of what the network has.
#[utoipa::path(get, path = "/{code}/stock-rules", tag = "channels", params(("code" = String, Path)),
    responses((status = 200, body = StockRulesBody), (status = 404, body = Problem)))]
async fn get_stock_rules(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
) -> ApiResult<axum::Json<StockRulesBody>> {
    Ok(axum::Json(rules_view(
        app.stock_rules(&path_channel(&code)?).await?,
    )))
}

/// Replace a channel's stock rules: a percentage of every location kept back, locations left
/// out, and per item a fixed buffer and its own say on backorders and preorders. The channel's
/// availability reflects them and its orders are held to them.
#[utoipa::path(put, path = "/{code}/stock-rules", tag = "channels", params(("code" = String, Path)), request_body = StockRulesBody,
    responses((status = 200, body = StockRulesBody), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_stock_rules(
    State(app): State<Arc<App>>,
    Path(code): Path<String>,
    body: Json<StockRulesBody>,
) -> ApiResult<axum::Json<StockRulesBody>> {
    let code = path_channel(&code)?;
    let rules = body.value.parse().map_err(ApiError::invalid)?;
    Ok(axum::Json(rules_view(
        app.put_stock_rules(&code, rules).await?,
    )))
}
