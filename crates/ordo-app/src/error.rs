//! What a use case can answer besides success. The server maps each variant to one HTTP
//! status; the CLI to one line and an exit code.

use ordo_domain::field::FieldErrors;
use ordo_domain::order::{OrderStatus, ShortLine};
use ordo_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    /// The request names fields that are wrong.
    #[error("invalid request: {0}")]
    Invalid(FieldErrors),
    #[error("no authentication: send Authorization: Bearer <API key>")]
    Unauthenticated,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// Lines that cannot be covered by stock and may not wait for it.
    #[error("not enough stock for {} line(s)", .0.len())]
    InsufficientStock(Vec<ShortLine>),
    #[error("the channel already sent this order as {number}")]
    DuplicateOrder { order_id: String, number: String },
    /// The key came before with another request (for orders: the order it placed).
    #[error("the idempotency key was already used with a different request")]
    IdempotencyKeyReused { order_id: Option<String> },
    /// The key's first request is still being worked on, or its outcome was lost.
    #[error("a request with this idempotency key is still being worked on")]
    IdempotencyKeyInUse,
    #[error("the order is {status} and cannot become {wanted}")]
    IllegalTransition {
        status: OrderStatus,
        wanted: OrderStatus,
    },
    /// A stock change that the current figures do not allow.
    #[error("stock change refused: {0}")]
    StockConflict(FieldErrors),
    /// The resource's state does not allow the request.
    #[error("conflict: {0}")]
    Conflict(FieldErrors),
    /// The client failed too often: it may try again after this many seconds.
    #[error("too many failed tries: wait {retry_after_s} s")]
    TooManyRequests { retry_after_s: u64 },
    /// Overloaded or shutting down: try again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or a failed dependency; the message is for the log, not the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ordo_domain::auth::Denied> for AppError {
    fn from(denied: ordo_domain::auth::Denied) -> Self {
        Self::Forbidden(denied.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyExists(what) => Self::AlreadyExists(what),
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::InvalidCursor(_) => Self::Invalid(FieldErrors::single(
                "cursor",
                "is not a cursor this list handed out",
            )),
            e if e.is_transient() => Self::Unavailable(e.to_string()),
            e => Self::Internal(e.to_string()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
