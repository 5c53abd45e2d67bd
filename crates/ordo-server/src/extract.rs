//! Extractors that answer bad input with a problem, never with a bare text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use ordo_domain::auth::Principal;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::ApiError;

/// A JSON body: `application/json`, parsed first as a document, then as `T`. A syntax error
/// is 400; a value of the wrong type or an unknown field is 422 naming the field. The parsed
/// document stays available for hashing (idempotency) and merging (PATCH). Whether the
/// caller may send it at all was decided before (`auth::authenticate`).
pub struct Json<T> {
    pub value: T,
    pub document: Value,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let document = json_document(req, state).await?;
        let value = from_document(&document)?;
        Ok(Self { value, document })
    }
}

/// An optional JSON body: none at all is fine; one that is there must be right.
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // HTTP says when a request has no body: no Content-Length (or 0) and no
        // Transfer-Encoding. Any other body must be JSON, so nothing sent is silently ignored.
        let headers = req.headers();
        let no_body = headers.get(header::CONTENT_LENGTH).is_none_or(|v| v == "0")
            && !headers.contains_key(header::TRANSFER_ENCODING);
        if no_body {
            return Ok(Self(None));
        }
        let document = json_document(req, state).await?;
        Ok(Self(Some(from_document(&document)?)))
    }
}

pub async fn json_document<S: Send + Sync>(req: Request, state: &S) -> Result<Value, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json"
        && !(essence.starts_with("application/") && essence.ends_with("+json"))
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as application/json",
        ));
    }
    let bytes = read_body(req, state, "request_body_max_bytes").await?;
    let document = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    match nul_at(&document, "") {
        Some(field) => Err(ApiError::field(&field, "must not contain a NUL character")),
        None => Ok(document),
    }
}

/// Where a document holds a NUL character, if anywhere: no text Ordo keeps has one, and
/// databases differ on what it does to a statement.
fn nul_at(value: &Value, path: &str) -> Option<String> {
    let at = |key: &str| match path {
        "" => key.to_string(),
        _ => format!("{path}.{key}"),
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(if path.is_empty() {
            "body".into()
        } else {
            path.into()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, &format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(k, v)| match k.contains('\0') {
            true => Some(at(k)),
            false => nul_at(v, &at(k)),
        }),
        _ => None,
    }
}

/// Reads the whole body: too large is 413 (naming the limit that says so), a client that stops
/// sending is 408, anything else unreadable 400.
pub async fn read_body<S: Send + Sync>(
    req: Request,
    state: &S,
    limit_name: &str,
) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
        unreadable(&rejection, too_large, limit_name, rejection.body_text())
    })
}

/// Reads a whole body of at most `limit` bytes, answering as [`read_body`] does when it
/// cannot.
pub async fn body_bytes(
    body: axum::body::Body,
    limit: usize,
    limit_name: &str,
) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = caused_by::<http_body_util::LengthLimitError>(&e);
        unreadable(&e, too_large, limit_name, e.to_string())
    })
}

/// Why a body could not be read, as a problem.
fn unreadable(
    error: &(dyn std::error::Error + 'static),
    too_large: bool,
    limit_name: &str,
    detail: String,
) -> ApiError {
    if too_large {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            format!("the request body exceeds {limit_name}"),
        )
    } else if caused_by::<tower_http::timeout::TimeoutError>(error) {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "Body timed out",
            "the request body stopped arriving; send it whole and promptly",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "unreadable-body",
            "Unreadable body",
            detail,
        )
    }
}

/// Whether an error, or one it came from, is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<E>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Reads a parsed document as `T`, naming the field when a value has the wrong shape.
pub fn from_document<T: DeserializeOwned>(document: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        ApiError::field(&field, e.into_inner().to_string())
    })
}

/// The authenticated caller, put in place by the authentication middleware.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| {
                tracing::error!(
                    "a route that needs a caller is not behind the authentication middleware"
                );
                ApiError::internal()
            })
    }
}
