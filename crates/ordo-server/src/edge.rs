//! What an API request meets first, before its key is looked up: a turn among the requests
//! in flight — or 503 with Retry-After once it has waited `request_queue_ms`, so an overload
//! is refused at once and cleared by itself — and a declared body no larger than its route
//! takes (413 before a byte is read).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ordo_app::{AppError, Limits};
use tokio::sync::Semaphore;

use crate::problem::ApiError;

/// The route that takes bulk uploads, with its own body limit.
const SYNC_ROUTE: &str = "/v1/inventory/sync";

pub struct Edge {
    turns: Semaphore,
    queue: Duration,
    limits: Limits,
}

/// The largest body a route takes, and the limit's name.
pub fn body_limit(limits: &Limits, route: Option<&str>) -> (usize, &'static str) {
    match route {
        Some(SYNC_ROUTE) => (limits.sync_body_max_bytes, "sync_body_max_bytes"),
        _ => (limits.request_body_max_bytes, "request_body_max_bytes"),
    }
}

impl Edge {
    pub fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            turns: Semaphore::new(limits.requests_in_flight_max.max(1)),
            queue: Duration::from_millis(limits.request_queue_ms),
            limits: limits.clone(),
        })
    }
}

pub async fn edge(State(edge): State<Arc<Edge>>, request: Request, next: Next) -> Response {
    if let Some(refusal) = too_large(&edge, &request) {
        // The body is left unread, so the connection cannot carry another request: say so,
        // or a client may send its next request down a connection about to close.
        let mut response = refusal.into_response();
        let close = header::HeaderValue::from_static("close");
        response.headers_mut().insert(header::CONNECTION, close);
        return response;
    }
    let Ok(Ok(_turn)) = tokio::time::timeout(edge.queue, edge.turns.acquire()).await else {
        metrics::counter!("ordo_requests_shed_total").increment(1);
        let why = "overloaded: too many requests in flight; retry after a moment";
        return ApiError::from(AppError::Unavailable(why.into())).into_response();
    };
    next.run(request).await
}

/// A body declared larger than the route takes.
fn too_large(edge: &Edge, request: &Request) -> Option<ApiError> {
    let declared: u64 = request
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let (max, name) = body_limit(&edge.limits, route);
    (declared > max as u64).then(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            format!("the request body exceeds {name} ({max} bytes)"),
        )
    })
}
