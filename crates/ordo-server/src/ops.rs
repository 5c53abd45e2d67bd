//! Operations: liveness and readiness (no key), Prometheus metrics.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use ordo_app::App;
use serde_json::json;

use crate::problem::ApiError;

/// Liveness and readiness: no key.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Prometheus metrics: behind a key on the API's address (action `metrics.read`), open on an
/// address of their own (`ordo serve --metrics-listen`).
pub fn metrics_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/metrics", get(render_metrics))
}

/// What answers while the app starts: the app's router once it is in `slot`; until then
/// liveness, and 503 with Retry-After for everything else.
pub fn starting(slot: Arc<OnceLock<Router>>) -> Router {
    Router::new().fallback(move |request: Request| {
        let slot = slot.clone();
        async move {
            use tower::ServiceExt;
            match slot.get() {
                Some(router) => match router.clone().oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                },
                None if request.uri().path() == "/healthz" => {
                    Json(json!({ "status": "starting" })).into_response()
                }
                None => ApiError::from(ordo_app::AppError::Unavailable(
                    "starting: waiting for the database".into(),
                ))
                .into_response(),
            }
        }
    })
}

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers.
async fn readyz(State(app): State<Arc<App>>) -> Response {
    match app.ready().await {
        Ok(()) => {
            Json(json!({ "status": "ready", "database": app.backend().name() })).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "Not ready",
                "the database does not answer",
            )
            .into_response()
        }
    }
}

async fn render_metrics() -> Response {
    let body = metrics_handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        const SECONDS: &[f64] = &[
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ];
        const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
        let builder = PrometheusBuilder::new();
        let builder = builder
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let builder = builder
            .set_buckets_for_metric(Matcher::Full("ordo_order_batch_size".into()), BATCH)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics will be empty");
        }
        handle
    })
}

/// Answers 503 with a problem when a request outlives `request_timeout_ms`. A placed order
/// may still commit after its caller was told to retry: the retry, with the same
/// Idempotency-Key, then answers with that order.
pub async fn deadline(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let limit = std::time::Duration::from_millis(app.limits().request_timeout_ms);
    // A body that stops arriving fails its read (answered 408 by the extractors) well before
    // the whole request runs out of time.
    let idle = std::time::Duration::from_millis(app.limits().request_body_idle_ms);
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(tower_http::timeout::TimeoutBody::new(idle, body));
    let request = Request::from_parts(parts, body);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = limit.as_millis() as u64, "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "Timed out",
                "the request took too long; retry it",
            )
            .into_response()
        }
    }
}

/// Counts every request and times it, by method, route template and status.
pub async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("ordo_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("ordo_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}
