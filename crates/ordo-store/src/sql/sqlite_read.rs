//! SQLite's readers: a pool of read-only connections of the driver's own (rusqlite), like the
//! writer's. A read runs on the caller's thread — handed to the runtime's blocking section so
//! a long one does not hold up other requests — with no hand-off to a worker per statement and
//! no copy of each value per row, which under sqlx cost more than the reads themselves. A read
//! of several statements is one blocking section (`SqlStore::read`), not one each.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::args::Sql;
use super::exec::{Exec, Row};
use super::sqlite::{CACHED_STATEMENTS, rows_on, run_on};
use crate::error::{StoreError, StoreResult};

/// Readers refuse writes outright; the same cache and mapping as the writer.
const PRAGMAS: &str = "PRAGMA query_only = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;";

/// Idle read connections, opened as needed up to the pool's size.
pub(crate) struct Readers {
    path: String,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
}

impl Readers {
    pub(crate) fn new(path: &str, connections_max: usize) -> Self {
        Self {
            path: path.to_string(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(connections_max.max(1))),
        }
    }

    /// A read connection, waiting while every one is in use.
    pub(crate) async fn acquire(self: &Arc<Self>) -> StoreResult<SqliteReader> {
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let idle = self.idle.lock().map_err(|_| closed())?.pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(SqliteReader {
            conn: Some(conn),
            readers: self.clone(),
            whole: false,
            _permit: permit,
        })
    }

    fn open(&self) -> StoreResult<rusqlite::Connection> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags)?;
        conn.execute_batch(PRAGMAS)?;
        conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(conn)
    }

    /// Closes the idle connections and takes no more reads.
    pub(crate) fn close(&self) {
        self.permits.close();
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}

/// One read connection, back in the pool when dropped (a read transaction left open is
/// rolled back first).
pub(crate) struct SqliteReader {
    conn: Option<rusqlite::Connection>,
    readers: Arc<Readers>,
    /// Inside a read run whole in the blocking section: statements run as they come.
    whole: bool,
    _permit: OwnedSemaphorePermit,
}

impl SqliteReader {
    fn conn(&self) -> StoreResult<&rusqlite::Connection> {
        self.conn
            .as_ref()
            .ok_or(StoreError::Database(sqlx::Error::PoolClosed))
    }

    /// Whether a read on this runtime can run whole in its blocking section: on a
    /// multi-threaded runtime (a single-threaded one runs each statement in place anyway).
    pub(crate) fn can_run_whole() -> bool {
        tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
    }

    /// From now on runs statements as they come: the read it serves runs whole in the
    /// blocking section.
    pub(crate) fn run_whole(&mut self) {
        self.whole = true;
    }
}

impl Drop for SqliteReader {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return;
        }
        if let Ok(mut idle) = self.readers.idle.lock()
            && !self.readers.permits.is_closed()
        {
            idle.push(conn);
        }
    }
}

/// Runs `read` where blocking is allowed: in the runtime's blocking section on a
/// multi-threaded runtime, directly on a single-threaded one.
fn blocking<T>(read: impl FnOnce() -> T) -> T {
    if SqliteReader::can_run_whole() {
        tokio::task::block_in_place(read)
    } else {
        read()
    }
}

/// Each statement first yields to the runtime once, so that a request's deadline and its
/// cancellation still apply to reads that would otherwise finish without ever waiting.
#[async_trait]
impl Exec for SqliteReader {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        if self.whole {
            return run_on(self.conn()?, sql);
        }
        tokio::task::yield_now().await;
        let conn = self.conn()?;
        blocking(|| run_on(conn, sql))
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        if self.whole {
            return rows_on(self.conn()?, sql);
        }
        tokio::task::yield_now().await;
        let conn = self.conn()?;
        blocking(|| rows_on(conn, sql))
    }
}
