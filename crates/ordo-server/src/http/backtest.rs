//! `POST /v1/routing/backtest`: replay orders once per routing profile — a draft before it is
//! switched on, say — and compare what their plans cost and how they ship.

use std::sync::Arc;

use axum::extract::State;
use ordo_app::App;
use ordo_app::simulate::{
    BACKTEST_PROFILES_MAX, BacktestRequest, OrderSource, ProfileSource, StoredVersion,
};
use ordo_domain::field::FieldErrors;
use ordo_domain::routing::RoutingProfile;
use ordo_domain::routing::backtest::{Network, SimOrder};
use ordo_domain::values::ChannelCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Caller, Json};
use crate::problem::{ApiError, ApiResult, Problem};

/// Most recent orders one backtest replays from the store.
pub const RECENT_ORDERS_MAX: i64 = 5_000;

pub fn router() -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new().routes(routes!(backtest))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestProfileBody {
    /// How the profile is named in the report.
    pub name: Option<String>,
    /// A stored profile; with `version`: `draft` (the default), `active` or a number.
    pub profile_id: Option<String>,
    /// `draft` (the default), `active`, or a version number.
    #[schema(value_type = Option<String>, example = "draft")]
    pub version: Option<Value>,
    /// Settings given outright, instead of a stored profile.
    #[schema(value_type = Option<super::schemas::ProfileSettings>)]
    pub settings: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestBody {
    /// The profiles to compare, 1 to 10.
    pub profiles: Option<Vec<BacktestProfileBody>>,
    /// Orders to replay, each as a line of `ordo simulate`'s orders file. Absent: the most
    /// recent `recent_orders` orders (of `channel`, when given) from the store.
    #[schema(value_type = Option<Vec<super::schemas::SimOrderDocument>>)]
    pub orders: Option<Vec<Value>>,
    #[schema(example = 500)]
    pub recent_orders: Option<i64>,
    pub channel: Option<String>,
    /// A network as `ordo simulate` reads it. Absent: the live network, its sellable stock as
    /// if nothing were reserved.
    #[schema(value_type = Option<super::schemas::NetworkDocument>)]
    pub network: Option<Value>,
    /// On the live network, the cost model plans are scored with (as a profile's `costs`).
    #[schema(value_type = Option<super::schemas::ProfileCosts>)]
    pub costs: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BacktestView {
    /// Per profile: what its plans cost (minor units, and by what for), how they shipped.
    #[schema(value_type = Vec<ordo_domain::routing::backtest::Report>)]
    pub profiles: Value,
}

fn prefixed(e: &mut FieldErrors, prefix: &str, errors: FieldErrors) {
    for error in errors.iter() {
        e.push(format!("{prefix}{}", error.field), error.message.clone());
    }
}

fn profile_source(
    i: usize,
    p: BacktestProfileBody,
    e: &mut FieldErrors,
) -> Option<(String, ProfileSource)> {
    let field = format!("profiles[{i}]");
    let source = match (p.profile_id, p.settings) {
        (Some(id), None) => {
            let version = match p.version {
                None => Some(StoredVersion::Draft),
                Some(Value::String(s)) if s == "draft" => Some(StoredVersion::Draft),
                Some(Value::String(s)) if s == "active" => Some(StoredVersion::Active),
                Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => Some(StoredVersion::Number(n)),
                    None => {
                        e.push(
                            format!("{field}.version"),
                            "must be draft, active or a version number",
                        );
                        None
                    }
                },
            };
            ProfileSource::Stored {
                id,
                version: version?,
            }
        }
        (None, Some(settings)) => match RoutingProfile::from_json(&settings) {
            Ok(profile) => ProfileSource::Settings(Box::new(profile)),
            Err(errors) => {
                prefixed(e, &format!("{field}.settings."), errors);
                return None;
            }
        },
        _ => {
            e.push(&field, "give either profile_id or settings");
            return None;
        }
    };
    let name = p.name.unwrap_or_else(|| match &source {
        ProfileSource::Stored { id, .. } => id.clone(),
        ProfileSource::Settings(_) => format!("profile {}", i + 1),
    });
    Some((name, source))
}

/// Replay orders once per routing profile and compare the plans: total and per-order cost,
/// packages per order, split rate, distance, on-time rate, capacity breaches, unfilled lines.
#[utoipa::path(operation_id = "backtest_profiles", post, path = "", tag = "routing", request_body = BacktestBody,
    responses((status = 200, body = BacktestView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn backtest(
    State(app): State<Arc<App>>,
    caller: Caller,
    body: Json<BacktestBody>,
) -> ApiResult<axum::Json<BacktestView>> {
    let principal = &caller.0;
    let body = body.value;
    let mut e = FieldErrors::new();
    let raw_profiles = body.profiles.unwrap_or_default();
    if raw_profiles.is_empty() || raw_profiles.len() > BACKTEST_PROFILES_MAX {
        e.push(
            "profiles",
            format!("must hold 1 to {BACKTEST_PROFILES_MAX} profiles"),
        );
    }
    let profiles: Vec<_> = raw_profiles
        .into_iter()
        .take(BACKTEST_PROFILES_MAX)
        .enumerate()
        .filter_map(|(i, p)| profile_source(i, p, &mut e))
        .collect();
    let channel = e
        .optional("channel", body.channel, |c| ChannelCode::parse(&c))
        .flatten();
    let orders = match (body.orders, body.recent_orders) {
        (Some(raw), None) => {
            let mut given = Vec::with_capacity(raw.len());
            for (i, order) in raw.iter().enumerate() {
                match SimOrder::from_json(order) {
                    Ok(order) => given.push(order),
                    Err(errors) => prefixed(&mut e, &format!("orders[{i}]."), errors),
                }
            }
            if given.is_empty() && e.is_empty() {
                e.push("orders", "must hold at least one order");
            }
            Some(OrderSource::Given(given))
        }
        (None, Some(count)) if (1..=RECENT_ORDERS_MAX).contains(&count) => {
            Some(OrderSource::Recent {
                count: count as usize,
                channel,
            })
        }
        (None, Some(_)) => {
            e.push("recent_orders", format!("must be 1 to {RECENT_ORDERS_MAX}"));
            None
        }
        _ => {
            e.push("orders", "give either orders or recent_orders");
            None
        }
    };
    let network = match body.network {
        Some(raw) => match Network::from_json(&raw) {
            Ok(network) => Some(network),
            Err(errors) => {
                prefixed(&mut e, "network.", errors);
                None
            }
        },
        None => None,
    };
    let scoring = match body.costs {
        Some(costs) => match RoutingProfile::from_json(&json!({ "costs": costs })) {
            Ok(profile) => Some(profile),
            Err(errors) => {
                prefixed(&mut e, "", errors);
                None
            }
        },
        None => None,
    };
    let Some(orders) = orders.filter(|_| e.is_empty()) else {
        return Err(ApiError::invalid(e));
    };
    let request = BacktestRequest {
        network,
        scoring,
        orders,
        profiles,
    };
    let reports = app.backtest(principal, request).await?;
    Ok(axum::Json(BacktestView {
        profiles: serde_json::to_value(reports).unwrap_or(Value::Null),
    }))
}
