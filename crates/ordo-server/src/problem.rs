//! Errors as RFC 9457 problem details. Every failure of every route is answered here: 4xx
//! bodies say exactly what is wrong and where; 5xx bodies say nothing and are logged once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_app::AppError;
use ordo_domain::field::FieldErrors;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem. Extension members carry what the caller needs to act: the short
/// lines of an order refused for stock, the existing order of a duplicate, the current status
/// of an order that cannot make a transition.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, such as `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every rejected field, when the problem is about fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Where in the request: `lines[2].quantity`, a query parameter, a header.
    pub field: String,
    pub message: String,
}

/// Turns any error answer not already a problem — a rejection from a layer or extractor Ordo
/// does not own, such as a path that is not UTF-8 — into one with the same status, so every
/// error a client sees is `application/problem+json`.
pub async fn only_problems(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 4_096)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_string();
    let title = status.canonical_reason().unwrap_or("Error");
    let slug = title.to_ascii_lowercase().replace(' ', "-");
    let detail = if detail.is_empty() || status.is_server_error() {
        title.to_string()
    } else {
        detail
    };
    ApiError::new(status, &slug, title, detail).into_response()
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: errors travel in every handler's `Result`, which should stay small.
    problem: Box<Problem>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            problem: Box::new(Problem {
                kind: format!("/problems/{slug}"),
                title: title.into(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: Vec::new(),
                extensions: Map::new(),
            }),
        }
    }

    pub fn invalid(errors: FieldErrors) -> Self {
        let detail = match errors.len() {
            1 => format!("1 field is invalid: {errors}"),
            n => format!("{n} fields are invalid: {errors}"),
        };
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid request",
            detail,
        )
        .with_errors(errors)
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::single(field, message))
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{what} not found"),
        )
    }

    pub fn with_errors(mut self, errors: FieldErrors) -> Self {
        self.problem.errors = errors
            .into_vec()
            .into_iter()
            .map(|e| ProblemField {
                field: e.field,
                message: e.message,
            })
            .collect();
        self
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.problem.extensions.insert(key.into(), value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use StatusCode as S;
        match e {
            AppError::Invalid(errors) => Self::invalid(errors),
            AppError::Unauthenticated => Self::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
                e.to_string(),
            ),
            AppError::Forbidden(why) => Self::new(S::FORBIDDEN, "forbidden", "Forbidden", why),
            AppError::NotFound(what) => Self::not_found(what),
            AppError::AlreadyExists(what) => Self::new(
                S::CONFLICT,
                "already-exists",
                "Already exists",
                format!("{what} already exists"),
            ),
            AppError::InsufficientStock(lines) => {
                let mut errors = FieldErrors::new();
                for l in &lines {
                    let message = format!(
                        "{} units of {} asked for, {} available",
                        l.requested, l.sku, l.available
                    );
                    errors.push(format!("lines[{}].quantity", l.line_no - 1), message);
                }
                let short: Vec<Value> = lines
                    .iter()
                    .map(|l| json!({ "line": l.line_no, "sku": l.sku.as_str(), "requested": l.requested, "available": l.available }))
                    .collect();
                let detail = format!(
                    "not enough stock for {} line(s); nothing was reserved",
                    lines.len()
                );
                Self::new(
                    S::CONFLICT,
                    "insufficient-stock",
                    "Insufficient stock",
                    detail,
                )
                .with_errors(errors)
                .with("short_lines", Value::Array(short))
            }
            AppError::DuplicateOrder {
                ref order_id,
                ref number,
            } => {
                let detail = format!("the channel already sent this external_id: order {number}");
                Self::new(S::CONFLICT, "duplicate-order", "Duplicate order", detail)
                    .with("order_id", json!(order_id))
                    .with("order_number", json!(number))
            }
            AppError::IdempotencyKeyReused { ref order_id } => {
                let message = "was already used with a different request";
                let problem = Self::new(
                    S::UNPROCESSABLE_ENTITY,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    e.to_string(),
                )
                .with_errors(FieldErrors::single("Idempotency-Key", message));
                match order_id {
                    Some(id) => problem.with("order_id", json!(id)),
                    None => problem,
                }
            }
            AppError::IdempotencyKeyInUse => Self::new(
                S::CONFLICT,
                "idempotency-key-in-use",
                "Idempotency key in use",
                "the first request with this key is still being worked on, or its outcome was lost: \
                 retry in a moment, or look at the resource first",
            ),
            AppError::IllegalTransition { status, wanted } => {
                let detail = format!("the order is {status} and cannot become {wanted}");
                Self::new(
                    S::CONFLICT,
                    "illegal-transition",
                    "Illegal status transition",
                    detail,
                )
                .with("order_status", json!(status.as_str()))
            }
            AppError::Conflict(errors) => {
                Self::new(S::CONFLICT, "conflict", "Conflict", errors.to_string())
                    .with_errors(errors)
            }
            AppError::StockConflict(errors) => Self::new(
                S::CONFLICT,
                "stock-conflict",
                "Stock change refused",
                errors.to_string(),
            )
            .with_errors(errors),
            AppError::TooManyRequests { retry_after_s } => Self::new(
                S::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                format!("too many failed tries from this client: retry after {retry_after_s} s"),
            )
            .with("retry_after_s", retry_after_s.into()),
            AppError::Unavailable(why) => {
                tracing::warn!(reason = %why, "answered 503");
                Self::new(
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "try again shortly; a write sent again with the same Idempotency-Key is done once",
                )
            }
            AppError::Internal(why) => {
                tracing::error!(error = %why, "internal error");
                Self::internal()
            }
        }
    }
}

impl ApiError {
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the error was logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self
            .problem
            .extensions
            .get("retry_after_s")
            .and_then(Value::as_u64);
        let mut response = (self.status, axum::Json(self.problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        match self.status {
            StatusCode::UNAUTHORIZED => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let after = HeaderValue::from(retry_after.unwrap_or(1));
                response.headers_mut().insert(header::RETRY_AFTER, after);
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
