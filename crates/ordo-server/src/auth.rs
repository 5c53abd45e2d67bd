//! Authentication: every `/v1` request carries `Authorization: Bearer <API key>`. The
//! middleware turns the key into a [`Principal`](ordo_domain::auth::Principal) for the
//! handlers; what each role may do is checked where the handler knows the action.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ordo_app::{App, AppError};

use crate::problem::ApiError;

pub async fn authenticate(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let secret = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(secret) = secret else {
        return ApiError::from(AppError::Unauthenticated).into_response();
    };
    match app.authenticate(secret).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(AppError::Unauthenticated) => {
            let error = ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
                "the API key is unknown or revoked",
            );
            error.into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
