//! Extractors that answer bad input with a problem, never with a bare text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use ordo_domain::auth::{Action, Principal};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::problem::ApiError;

/// A JSON body: `application/json`, parsed first as a document, then as `T`. A syntax error
/// is 400; a value of the wrong type or an unknown field is 422 naming the field. The parsed
/// document stays available for hashing (idempotency) and merging (PATCH).
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
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "body-too-large",
                "Body too large",
                "the request body exceeds request_body_max_bytes",
            )
        } else {
            ApiError::new(
                status,
                "unreadable-body",
                "Unreadable body",
                rejection.body_text(),
            )
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    })
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

impl Caller {
    /// Refuses with 403 what this caller's role does not allow.
    pub fn require(&self, action: Action<'_>) -> Result<&Principal, ApiError> {
        if self.0.may(action) {
            Ok(&self.0)
        } else {
            let role = self.0.role.as_str();
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                format!("a {role} key may not do this"),
            ))
        }
    }
}

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
