//! `/v1/routing/profiles`: routing profiles per channel (and the default), each a draft then
//! active with its history kept; and `/v1/orders/{id}/routing`: why an order's lines went
//! where they went.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ordo_app::App;
use ordo_app::routing::PROFILE_NAME_LEN_MAX;
use ordo_app::{ProfileRecord, ProfileVersion, RejectionRecord, RoutingDecisionRecord};
use ordo_domain::field::FieldErrors;
use ordo_domain::routing::{Explanation, RoutingProfile};
use ordo_domain::values::{ChannelCode, parse_text};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::common::{List, timestamp};
use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn profiles_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .routes(routes!(create_profile, list_profiles))
        .routes(routes!(get_profile))
        .routes(routes!(put_draft, discard_draft))
        .routes(routes!(activate))
}

/// Merged into `/v1/orders`.
pub fn order_routing_router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(order_routing))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[schema(required = true, example = "Web, least cost")]
    pub name: Option<String>,
    /// The channel it routes; absent or null for the default profile.
    #[schema(example = "web")]
    pub channel: Option<String>,
    /// The settings: `strategy` (`rules` or `optimal`), `rules`, `filters`, `ranking`,
    /// `costs`, `pickup_shortage`, `reroute`. Members left out keep their defaults.
    #[schema(value_type = Option<super::schemas::ProfileSettings>)]
    pub settings: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// A new name; the current one when absent.
    pub name: Option<String>,
    #[schema(value_type = super::schemas::ProfileSettings, required = true)]
    pub settings: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileVersionView {
    pub version: u32,
    /// `draft`, `active` or `retired`.
    pub status: &'static str,
    /// Every setting, defaults included.
    #[schema(value_type = super::schemas::ProfileSettings)]
    pub settings: Value,
    pub created_at: String,
    pub created_by: String,
    pub activated_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub id: String,
    pub name: String,
    /// `None` for the default profile.
    pub channel: Option<String>,
    pub active_version: Option<u32>,
    pub draft_version: Option<u32>,
    /// Newest first.
    pub versions: Vec<ProfileVersionView>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ProfileVersion> for ProfileVersionView {
    fn from(v: ProfileVersion) -> Self {
        Self {
            version: v.version,
            status: v.status.as_str(),
            settings: v.settings.to_json(),
            created_at: timestamp(v.created_at_ms),
            created_by: v.created_by,
            activated_at: v.activated_at_ms.map(timestamp),
        }
    }
}

impl From<ProfileRecord> for ProfileView {
    fn from(p: ProfileRecord) -> Self {
        Self {
            active_version: p.active().map(|v| v.version),
            draft_version: p.draft().map(|v| v.version),
            id: p.id,
            name: p.name,
            channel: p.channel.map(|c| c.to_string()),
            versions: p.versions.into_iter().map(Into::into).collect(),
            created_at: timestamp(p.created_at_ms),
            updated_at: timestamp(p.updated_at_ms),
        }
    }
}

/// Reads settings, naming bad fields under `settings.`.
fn parse_settings(raw: Option<Value>, e: &mut FieldErrors) -> Option<RoutingProfile> {
    let raw = raw.unwrap_or_else(|| Value::Object(Default::default()));
    match RoutingProfile::from_json(&raw) {
        Ok(profile) => Some(profile),
        Err(errors) => {
            for error in errors.iter() {
                e.push(format!("settings.{}", error.field), error.message.clone());
            }
            None
        }
    }
}

fn parse_name(raw: String) -> Result<String, String> {
    parse_text(&raw, PROFILE_NAME_LEN_MAX)
}

/// Create a routing profile for a channel (or the default); its first version is a draft.
#[utoipa::path(post, path = "", tag = "routing", request_body = ProfileBody,
    responses((status = 201, body = ProfileView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_profile(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<ProfileBody>,
) -> ApiResult<(StatusCode, axum::Json<ProfileView>)> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let name = e.required("name", body.name, parse_name);
    let channel = e.optional("channel", body.channel, |c| ChannelCode::parse(&c));
    let settings = parse_settings(body.settings, &mut e);
    let (Some(name), Some(channel), Some(settings), true) = (name, channel, settings, e.is_empty())
    else {
        return Err(ApiError::invalid(e));
    };
    let record = app
        .create_routing_profile(principal, name, channel, settings)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

/// Every routing profile.
#[utoipa::path(get, path = "", tag = "routing", responses((status = 200, body = List<ProfileView>)))]
async fn list_profiles(State(app): State<Arc<App>>) -> ApiResult<axum::Json<List<ProfileView>>> {
    let items = app
        .routing_profiles()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(List {
        items,
        next_cursor: None,
    }))
}

/// One routing profile with every version.
#[utoipa::path(get, path = "/{id}", tag = "routing", params(("id" = String, Path)),
    responses((status = 200, body = ProfileView), (status = 404, body = Problem)))]
async fn get_profile(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ProfileView>> {
    Ok(axum::Json(app.routing_profile(&id).await?.into()))
}

/// Set the draft's settings, starting a new draft from scratch if there is none. The active
/// version keeps routing until the draft is activated.
#[utoipa::path(operation_id = "put_profile_draft", put, path = "/{id}/draft", tag = "routing", params(("id" = String, Path)), request_body = DraftBody,
    responses((status = 200, body = ProfileView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_draft(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Json<DraftBody>,
) -> ApiResult<axum::Json<ProfileView>> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let name = e.optional("name", body.name, parse_name);
    if body.settings.is_none() {
        e.push("settings", "is required");
    }
    let settings = parse_settings(body.settings, &mut e);
    let (Some(name), Some(settings), true) = (name, settings, e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let record = app
        .put_profile_draft(principal, &id, name.as_deref(), &settings)
        .await?;
    Ok(axum::Json(record.into()))
}

/// Throw the draft away.
#[utoipa::path(operation_id = "discard_profile_draft", delete, path = "/{id}/draft", tag = "routing", params(("id" = String, Path)),
    responses((status = 200, body = ProfileView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn discard_draft(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ProfileView>> {
    Ok(axum::Json(
        app.step_routing_profile(&id, true).await?.into(),
    ))
}

/// Make the draft the active version; the version it replaces is kept as retired. Orders
/// captured from then on route by it.
#[utoipa::path(operation_id = "activate_profile", post, path = "/{id}/activate", tag = "routing", params(("id" = String, Path)),
    responses((status = 200, body = ProfileView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn activate(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ProfileView>> {
    Ok(axum::Json(
        app.step_routing_profile(&id, false).await?.into(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingDecisionView {
    pub at: String,
    /// `placed`, `backorder_filled`, `rerouted` or `reoptimized`.
    pub cause: String,
    /// The candidates with why any was left out, the chosen plan with its cost by package,
    /// the runner-up and by how much it lost, and for `optimal` how the search went.
    pub explanation: Explanation,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionView {
    pub id: String,
    pub line: u32,
    pub location: String,
    pub sku: String,
    pub quantity: i64,
    /// `not_found`, `damaged`, `no_capacity`, `stockout` or `missed_cutoff`.
    pub reason: String,
    /// The line's rejections so far, this one included.
    pub attempt: u32,
    pub note: Option<String>,
    /// `rerouted`, `waiting` or `exception`.
    pub outcome: String,
    pub actor: String,
    pub at: String,
}

impl From<RejectionRecord> for RejectionView {
    fn from(r: RejectionRecord) -> Self {
        Self {
            id: r.id,
            line: r.line_no,
            location: r.location,
            sku: r.sku,
            quantity: r.units,
            reason: r.reason.as_str().to_string(),
            attempt: r.attempt,
            note: r.note,
            outcome: r.outcome.as_str().to_string(),
            actor: r.actor,
            at: timestamp(r.at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRoutingView {
    pub order_id: String,
    /// Oldest first.
    pub decisions: Vec<RoutingDecisionView>,
    /// Allocations locations rejected, oldest first.
    pub rejections: Vec<RejectionView>,
}

impl From<RoutingDecisionRecord> for RoutingDecisionView {
    fn from(d: RoutingDecisionRecord) -> Self {
        Self {
            at: timestamp(d.at_ms),
            cause: d.cause.as_str().to_string(),
            explanation: d.explanation,
        }
    }
}

/// Why the order's lines went where they went: every routing decision made for it.
#[utoipa::path(operation_id = "get_order_routing", get, path = "/{id}/routing", tag = "orders", params(("id" = String, Path, description = "Order id or number")),
    responses((status = 200, body = OrderRoutingView), (status = 404, body = Problem)))]
async fn order_routing(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<OrderRoutingView>> {
    let (order_id, decisions, rejections) = app.order_routing(&caller.0, &id).await?;
    Ok(axum::Json(OrderRoutingView {
        order_id,
        decisions: decisions.into_iter().map(Into::into).collect(),
        rejections: rejections.into_iter().map(Into::into).collect(),
    }))
}
