//! Authentication and authorisation, before any handler runs: every `/v1` request carries
//! `Authorization: Bearer <API key>`; the key becomes a
//! [`Principal`](ordo_domain::auth::Principal), and the route's action in the access table
//! ([`crate::access`]) must be allowed to it — on the resource the path names, for channel
//! and location keys — before the body is read.

use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ordo_app::{App, AppError};
use ordo_domain::auth::Principal;

use crate::access;
use crate::problem::ApiError;

pub async fn authenticate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(secret) = bearer(&request) else {
        return ApiError::from(AppError::Unauthenticated).into_response();
    };
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let principal = match app.authenticate(&secret, client).await {
        Ok(principal) => principal,
        Err(AppError::Unauthenticated) => return unknown_key(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (mut parts, body) = request.into_parts();
    let params = match RawPathParams::from_request_parts(&mut parts, &()).await {
        Ok(params) => params,
        Err(rejection) => return ApiError::field("path", rejection.body_text()).into_response(),
    };
    if let Err(refusal) = no_nul(&parts, &params) {
        return refusal.into_response();
    }
    if let Err(refusal) = authorize(&app, &principal, &parts, &params).await {
        return refusal.into_response();
    }
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, body)).await
}

fn bearer(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let secret = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?
        .trim();
    (!secret.is_empty()).then(|| secret.to_string())
}

fn unknown_key() -> Response {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Unauthenticated",
        "the API key is unknown or revoked",
    )
    .into_response()
}

/// Refuses a NUL character in a path or query parameter: no identifier or text Ordo keeps
/// has one, and databases differ on what it does to a query.
fn no_nul(parts: &axum::http::request::Parts, params: &RawPathParams) -> Result<(), ApiError> {
    const WHY: &str = "must not contain a NUL character";
    if let Some((name, _)) = params.iter().find(|(_, v)| v.contains('\0')) {
        return Err(ApiError::field(name, WHY));
    }
    let query = parts.uri.query().unwrap_or("");
    match query
        .split('&')
        .find(|pair| pair.to_ascii_lowercase().contains("%00"))
    {
        Some(pair) => Err(ApiError::field(
            pair.split('=').next().unwrap_or("query"),
            WHY,
        )),
        None => Ok(()),
    }
}

/// The route's action for this principal, on the resource its path names.
async fn authorize(
    app: &App,
    principal: &Principal,
    parts: &axum::http::request::Parts,
    params: &RawPathParams,
) -> Result<(), ApiError> {
    let matched = parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let Some(route) = matched.and_then(|path| access::route_of(&parts.method, path)) else {
        tracing::error!(path = ?matched, method = %parts.method, "a route is missing from the access table");
        return Err(ApiError::internal());
    };
    let target = route.target.and_then(|(resource, name)| {
        let value = params.iter().find(|(k, _)| *k == name)?.1;
        Some((resource, value))
    });
    Ok(app.authorize(principal, route.action, target).await?)
}
