//! Ordo's HTTP server: axum routes under `/v1` (one module per resource in [`http`]), API-key
//! authentication ([`auth`]), RFC 9457 errors ([`problem`]), extractors that never answer with
//! a bare rejection ([`extract`]), operations endpoints ([`ops`]) and the OpenAPI document
//! ([`openapi`]). [`router`] builds it all; [`serve`] runs it until shutdown.

pub mod access;
pub mod auth;
pub mod edge;
pub mod extract;
pub mod headers;
pub mod http;
pub mod idempotency;
pub mod listen;
pub mod openapi;
pub mod ops;
pub mod problem;
#[cfg(feature = "tls")]
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use ordo_app::App;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use crate::listen::ServeOptions;
use crate::problem::ApiError;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI description as `/openapi.json` serves it.
pub fn openapi_document() -> serde_json::Value {
    let (_, api) = OpenApiRouter::<Arc<App>>::with_openapi(openapi::ApiDoc::openapi())
        .merge(http::v1(usize::MAX))
        .split_for_parts();
    openapi::document(api)
}

/// The whole HTTP surface of Ordo, with no cross-origin access.
pub fn router(app: Arc<App>) -> Router {
    router_with(app, None)
}

/// The whole HTTP surface of Ordo, with cross-origin access as `cors` allows.
pub fn router_with(app: Arc<App>, cors: Option<tower_http::cors::CorsLayer>) -> Router {
    // Counted from the first request on: a counter touched before the recorder exists is lost.
    ops::metrics_handle();
    let limits = app.limits().clone();
    let (v1, api) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(http::v1(limits.sync_body_max_bytes))
        .split_for_parts();
    let v1 = v1
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            idempotency::idempotency,
        ))
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            auth::authenticate,
        ))
        .route_layer(middleware::from_fn_with_state(
            edge::Edge::new(&limits),
            edge::edge,
        ));
    let metrics = ops::metrics_router().route_layer(middleware::from_fn_with_state(
        app.clone(),
        auth::authenticate,
    ));
    let router = Router::new()
        .merge(v1)
        .merge(ops::router())
        .merge(metrics)
        .merge(
            SwaggerUi::new("/docs").external_url_unchecked("/openapi.json", openapi::document(api)),
        )
        // No console yet: the API's documentation is the front door.
        .route(
            "/",
            axum::routing::get(|| async { axum::response::Redirect::to("/docs/") }),
        )
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "no such route",
            )
            .into_response()
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this route does not take that method",
            )
            .into_response()
        })
        .layer(DefaultBodyLimit::max(limits.request_body_max_bytes))
        .layer(middleware::from_fn_with_state(app.clone(), ops::deadline))
        .layer(middleware::from_fn(ops::track))
        .layer(middleware::from_fn(problem::only_problems))
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(app);
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        )
}

/// How often histogram samples are folded into their buckets, bounding the recorder's memory
/// whether or not anyone scrapes `/metrics`.
const METRICS_UPKEEP_MS: u64 = 5_000;

fn metrics_upkeep() -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {
        let handle = ops::metrics_handle();
        loop {
            tokio::time::sleep(Duration::from_millis(METRICS_UPKEEP_MS)).await;
            handle.run_upkeep();
        }
    })
}

/// Serves until `shutdown` completes, then lets in-flight requests finish, writes every
/// queued order and closes the store.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let upkeep = metrics_upkeep();
    let options = ServeOptions::from_limits(app.limits());
    listen::run(listener, router(app.clone()), options, shutdown).await;
    upkeep.abort();
    app.shutdown().await;
    Ok(())
}

/// Serves at once, while `start` brings the app up (its database may take a while to
/// answer): until then `/healthz` answers, and `/readyz` and every other route answer 503 with
/// Retry-After, so a load balancer keeps traffic away and clients retry. Once the app serves,
/// `ready` is told what `start` left for it. Then as [`serve`].
pub async fn serve_starting<T>(
    listener: tokio::net::TcpListener,
    options: ServeOptions,
    start: impl Future<Output = Result<(Arc<App>, T), String>>,
    ready: impl FnOnce(T),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let cors = headers::cors(&options.cors_origins)?;
    let slot: Arc<std::sync::OnceLock<Router>> = Arc::default();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listen::run(
        listener,
        ops::starting(slot.clone()),
        options,
        async {
            let _ = stopped.await;
        },
    ));
    let mut shutdown = std::pin::pin!(shutdown);
    let started = tokio::select! {
        started = start => started,
        () = &mut shutdown => Err(String::new()),
    };
    let (app, news) = match started {
        Ok(started) => started,
        Err(why) => {
            let _ = stop.send(());
            let _ = server.await;
            return if why.is_empty() { Ok(()) } else { Err(why) };
        }
    };
    let _ = slot.set(router_with(app.clone(), cors));
    ready(news);
    let upkeep = metrics_upkeep();
    shutdown.await;
    let _ = stop.send(());
    let served = server.await.map_err(|e| format!("serving: {e}"));
    upkeep.abort();
    app.shutdown().await;
    served
}
