//! `/v1/channels` and `/v1/api-keys`: where orders come from, and who may call.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_domain::auth::{Action, ApiKey, Role};
use ordo_domain::channel::{Channel, ChannelKind};
use ordo_domain::field::FieldErrors;
use ordo_domain::values::{ChannelCode, parse_name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, PageQuery, timestamp};
use crate::extract::{Caller, Json};
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
    caller: Caller,
    body: Json<ChannelBody>,
) -> ApiResult<(StatusCode, axum::Json<ChannelView>)> {
    caller.require(Action::Administer)?;
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
    caller: Caller,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<ChannelView>>> {
    caller.require(Action::ReadCatalog)?;
    let page = app.channels(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, ChannelView::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyBody {
    /// `admin`, `channel` or `read_only`.
    #[schema(required = true, example = "channel")]
    pub role: Option<String>,
    /// The channel a `channel` key acts for; only for that role.
    #[schema(example = "web")]
    pub channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    /// The first characters of the secret, to recognise the key.
    pub prefix: String,
    pub role: String,
    pub channel: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            prefix: k.prefix,
            role: k.role.as_str().into(),
            channel: k.channel.map(|c| c.to_string()),
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
    pub role: String,
    pub channel: Option<String>,
}

/// Create an API key.
#[utoipa::path(post, path = "", tag = "api-keys", request_body = ApiKeyBody,
    responses((status = 201, body = IssuedKeyView), (status = 422, body = Problem)))]
async fn create_api_key(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ApiKeyBody>,
) -> ApiResult<(StatusCode, axum::Json<IssuedKeyView>)> {
    caller.require(Action::Administer)?;
    let body = body.value;
    let mut e = FieldErrors::new();
    let role = e.required("role", body.role, |r| Role::parse(&r));
    let channel = e.optional("channel", body.channel, |c| ChannelCode::parse(&c));
    let (Some(role), Some(channel)) = (role, channel) else {
        return Err(ApiError::invalid(e));
    };
    let issued = app.create_api_key(role, channel).await?;
    let view = IssuedKeyView {
        id: issued.key.id,
        key: issued.secret,
        role: issued.key.role.as_str().into(),
        channel: issued.key.channel.map(|c| c.to_string()),
    };
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// List API keys, without their secrets.
#[utoipa::path(get, path = "", tag = "api-keys", params(PageQuery), responses((status = 200, body = List<ApiKeyView>)))]
async fn list_api_keys(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(query): Query<PageQuery>,
) -> ApiResult<axum::Json<List<ApiKeyView>>> {
    caller.require(Action::Administer)?;
    let page = app.api_keys(&query.checked(app.limits())?).await?;
    Ok(axum::Json(List::from_page(page, ApiKeyView::from)))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(delete, path = "/{id}", tag = "api-keys", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn revoke_api_key(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Action::Administer)?;
    app.revoke_api_key(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
