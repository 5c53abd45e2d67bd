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
    /// The connection broke while the transaction committed: it may or may not have taken
    /// effect. Never retried here; a caller retries with its idempotency key.
    #[error("the database connection broke during commit; the outcome is unknown: {0}")]
    OutcomeUnknown(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// From SQLite's writer, which runs on its own driver.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Whether running the transaction again may succeed: deadlocks, serialization failures,
    /// a busy SQLite file, or a concurrent change detected by a compare-and-set.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Contention(_) => true,
            Self::Sqlite(e) if matches!(sqlite_code(e), Some(SQLITE_BUSY | SQLITE_LOCKED)) => true,
            Self::Database(sqlx::Error::Database(e))
                if matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517" | "261")
                ) =>
            {
                true
            }
            _ => self.is_unreachable(),
        }
    }

    /// Whether the caller may try again and succeed: what [`is_retryable`](Self::is_retryable)
    /// says, and a commit whose outcome is unknown (with the same idempotency key).
    pub fn is_transient(&self) -> bool {
        self.is_retryable() || matches!(self, Self::OutcomeUnknown(_))
    }

    /// Whether the database could not be reached or used: it is down or restarting, an
    /// administrator ended the session, its disk is full, or its files cannot be written. A
    /// transaction that did not commit left nothing behind, so running it again is safe.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Database(e) => unreachable(e),
            Self::Sqlite(e) => sqlite_code(e).is_some_and(sqlite_out_of_reach),
            _ => false,
        }
    }

    /// Whether a statement failed on a unique key.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            _ => false,
        }
    }
}

/// SQLite's primary result code of a failure.
fn sqlite_code(e: &rusqlite::Error) -> Option<i32> {
    match e {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code & 0xff),
        _ => None,
    }
}

fn sqlite_out_of_reach(code: i32) -> bool {
    matches!(
        code,
        SQLITE_READONLY | SQLITE_IOERR | SQLITE_FULL | SQLITE_CANTOPEN
    )
}

const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_CONSTRAINT_PRIMARYKEY: i32 = 1555;
const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;
// SQLite's primary result codes for storage it cannot use.
const SQLITE_READONLY: i32 = 8;
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;

fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
        // SQLite: the disk is full, or the data directory cannot be written or read.
        sqlx::Error::Database(d) if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
            d.code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| sqlite_out_of_reach(c & 0xff))
        }
        // PostgreSQL: connection exceptions (08…), the server shutting down or starting
        // (57P01-3), a full disk (53100).
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "53100")
        }),
        _ => false,
    }
}

/// Commits, telling a broken connection at this step (the outcome unknown) from one before
/// it (nothing done, safe to run again).
pub(crate) async fn commit(tx: sqlx::Transaction<'_, sqlx::Any>) -> StoreResult<()> {
    tx.commit().await.map_err(|e| match unreachable(&e) {
        true => StoreError::OutcomeUnknown(e.to_string()),
        false => StoreError::Database(e),
    })
}

/// Reads a stored value back through its domain parser.
pub(crate) fn corrupt<T>(what: &str, result: Result<T, String>) -> StoreResult<T> {
    result.map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
