//! Store errors. Database errors that mean something to the caller become their own variants.

use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} not found")]
    NotFound(String),
    /// Another transaction changed what this one read; retrying may succeed.
    #[error("concurrent change: {0}")]
    Contention(String),
    /// A stored row failed its checks on the way back in.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("cursor '{0}' is not one this list handed out")]
    InvalidCursor(String),
    #[error("database URL: {0}")]
    Url(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether running the transaction again may succeed: deadlocks, serialization failures,
    /// a busy SQLite file, or a concurrent change detected by a compare-and-set.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Contention(_) => true,
            Self::Database(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517" | "261")
                )
            }
            Self::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }

    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
    }
}

/// Reads a stored value back through its domain parser.
pub(crate) fn corrupt<T>(what: &str, result: Result<T, String>) -> StoreResult<T> {
    result.map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
