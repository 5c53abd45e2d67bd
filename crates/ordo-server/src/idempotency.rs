//! `Idempotency-Key` on every write: the first request with a key is worked on (to the end,
//! even if its caller gives up waiting) and its answer kept; the same key and request again
//! get that answer (`Idempotent-Replayed: true`); the same key with another request is 422;
//! while the first is still being worked on, 409. Keys belong to the caller's API key and
//! last a day. Placing an order keeps its key with the order instead (`http/orders.rs`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ordo_app::App;
use ordo_app::orders::IDEMPOTENCY_KEY_LEN_MAX;
use ordo_app::replays::{Claimed, fingerprint};
use ordo_domain::auth::Principal;
use ordo_domain::idempotency::Answer;

use crate::extract::body_bytes;
use crate::problem::ApiError;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer given again to a request with the same idempotency key.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// Largest answer kept to be given again; larger ones are given again without their body.
const ANSWER_BODY_MAX: usize = 16 * 1024 * 1024;

/// The `Idempotency-Key` header, checked.
pub fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).filter(|k| {
        !k.is_empty()
            && k.len() <= IDEMPOTENCY_KEY_LEN_MAX
            && k.bytes().all(|b| b.is_ascii_graphic())
    });
    key.map(|k| Some(k.to_string())).ok_or_else(|| {
        ApiError::field(
            "Idempotency-Key",
            format!("must be 1 to {IDEMPOTENCY_KEY_LEN_MAX} printable ASCII characters"),
        )
    })
}

pub async fn idempotency(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match once(app, request, next).await {
        Ok(response) => response,
        Err(refusal) => refusal.into_response(),
    }
}

async fn once(app: Arc<App>, request: Request, next: Next) -> Result<Response, ApiError> {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let method = request.method().clone();
    let reads = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let keeps_its_own = method == Method::POST && route.as_deref() == Some("/v1/orders");
    let key = match reads || keeps_its_own {
        true => None,
        false => key_of(request.headers())?,
    };
    let Some(key) = key else {
        return Ok(next.run(request).await);
    };
    let principal = request.extensions().get::<Principal>().cloned();
    let principal = principal.ok_or_else(ApiError::internal)?;
    let (parts, body) = request.into_parts();
    let (limit, name) = crate::edge::body_limit(app.limits(), route.as_deref());
    let bytes = body_bytes(body, limit, name).await?;
    let target = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let print = fingerprint(method.as_str(), target, &bytes);
    match app.claim_write(&principal, &key, print).await? {
        Claimed::Replay(answer) => Ok(replayed(answer)),
        Claimed::New => {
            let request = Request::from_parts(parts, Body::from(bytes));
            // Worked on to the end even if the caller stops waiting: a retry then gets the
            // answer instead of doing the work again.
            let work = tokio::spawn(async move {
                let response = next.run(request).await;
                keep(&app, &principal, &key, response).await
            });
            work.await.map_err(|_| ApiError::internal())
        }
    }
}

/// Keeps a response as the key's answer, and gives it on.
async fn keep(app: &App, principal: &Principal, key: &str, response: Response) -> Response {
    let (head, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, ANSWER_BODY_MAX)
        .await
        .unwrap_or_default();
    let content_type = head.headers.get(header::CONTENT_TYPE);
    let answer = Answer {
        status: head.status.as_u16(),
        content_type: content_type.and_then(|v| v.to_str().ok()).map(String::from),
        body: String::from_utf8(bytes.to_vec()).ok(),
    };
    if let Err(e) = app.answer_write(principal, key, &answer).await {
        tracing::warn!(error = %e, "keeping the answer to an idempotent request failed");
    }
    Response::from_parts(head, Body::from(bytes))
}

fn replayed(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body.unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    if let Some(content_type) = answer
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        headers.insert(header::CONTENT_TYPE, content_type);
    }
    headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}
