//! SQLite's writer: one connection of the driver's own (rusqlite), owned by the store and
//! used by one transaction at a time. Statements are prepared once and kept, arguments bound
//! by position, and every statement runs on the caller's thread — no hand-off to a worker per
//! statement, no name lookup per argument.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::types::ValueRef;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

use super::args::{Arg, Sql};
use super::checkpoint::Checkpointer;
use super::exec::{Exec, Row, Value};
use crate::error::{StoreError, StoreResult};

/// Statements kept prepared on each connection.
pub(super) const CACHED_STATEMENTS: usize = 512;

/// The writer's pragmas: WAL so readers never wait for it; FULL so a commit that was answered
/// survives a power cut (group commit pays for the fsync); a 64 MiB page cache and
/// memory-mapped reads so hot pages stay off the disk path.
const PRAGMAS: &str = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; \
     PRAGMA temp_store = MEMORY;";

/// The writer's connection (`None` once the store is closed) and its checkpointer.
pub(crate) struct Writer {
    conn: Arc<Mutex<Option<rusqlite::Connection>>>,
    checkpointer: Checkpointer,
}

impl Writer {
    /// Opens the writer on the database file of a `sqlite://PATH` URL (made and migrated
    /// already), with a checkpointer beside it.
    pub(crate) fn open(url: &str) -> StoreResult<Self> {
        let path = path_of(url);
        let conn = rusqlite::Connection::open(path)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.execute_batch(PRAGMAS)?;
        // Commits never checkpoint: the checkpointer does.
        conn.query_row("PRAGMA wal_autocheckpoint = 0", [], |_| Ok(()))?;
        conn.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        let conn = Arc::new(Mutex::new(Some(conn)));
        Ok(Self {
            checkpointer: Checkpointer::start(path, conn.clone())?,
            conn,
        })
    }

    /// Waits for the transaction in progress, then closes the connection and stops the
    /// checkpointer: no file of the database is open for writing after.
    pub(crate) async fn close(&self) {
        self.checkpointer.stop();
        if let Some(conn) = self.conn.lock().await.take()
            && let Err((_, e)) = conn.close()
        {
            tracing::warn!(error = %e, "closing the writer's connection failed");
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.checkpointer.stop();
    }
}

/// The file of a `sqlite://PATH?…` URL.
pub(super) fn path_of(url: &str) -> &str {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    path.split('?').next().unwrap_or(path)
}

/// A write transaction on the writer: `BEGIN IMMEDIATE` when made, `COMMIT` by
/// [`SqliteTx::commit`], rolled back if dropped before.
pub(crate) struct SqliteTx {
    conn: OwnedMappedMutexGuard<Option<rusqlite::Connection>, rusqlite::Connection>,
    open: bool,
}

impl SqliteTx {
    pub(crate) async fn begin(writer: &Writer) -> StoreResult<Self> {
        let guard = writer.conn.clone().lock_owned().await;
        let conn = OwnedMutexGuard::try_map(guard, Option::as_mut)
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Self { conn, open: true })
    }

    pub(crate) fn commit(mut self) -> StoreResult<()> {
        self.open = false;
        self.conn.execute_batch("COMMIT").map_err(|e| {
            let failed = StoreError::from(e);
            // The transaction is over either way; a failed COMMIT leaves it to be rolled back.
            let _ = self.conn.execute_batch("ROLLBACK");
            failed
        })
    }
}

impl SqliteTx {
    pub(crate) fn rollback(mut self) -> StoreResult<()> {
        self.open = false;
        Ok(self.conn.execute_batch("ROLLBACK")?)
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open
            && !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rolling back a write transaction failed");
        }
    }
}

#[async_trait]
impl Exec for SqliteTx {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        run_on(&self.conn, sql)
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        rows_on(&self.conn, sql)
    }
}

/// Runs a statement (a multi-row insert as its chunks) on a connection, on the caller's
/// thread; answers the rows it changed.
pub(super) fn run_on(conn: &rusqlite::Connection, sql: Sql) -> StoreResult<u64> {
    if sql.rows.is_none() {
        return Ok(prepare(conn, &sql)?.raw_execute()? as u64);
    }
    let mut changed = 0;
    for part in sql.for_sqlite() {
        changed += prepare(conn, &part)?.raw_execute()? as u64;
    }
    Ok(changed)
}

/// Runs a query on a connection, on the caller's thread, and answers its rows.
pub(super) fn rows_on(conn: &rusqlite::Connection, sql: Sql) -> StoreResult<Vec<Row>> {
    if sql.rows.is_some() {
        let mut rows = Vec::new();
        for part in sql.for_sqlite() {
            rows.extend(rows_on(conn, part)?);
        }
        return Ok(rows);
    }
    let mut statement = prepare(conn, &sql)?;
    let columns: Arc<[String]> = statement
        .column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let width = columns.len();
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
            });
        }
        out.push(Row::new(columns.clone(), values));
    }
    Ok(out)
}

/// The statement for `sql`, prepared once per text, with its arguments bound by position.
pub(super) fn prepare<'c>(
    conn: &'c rusqlite::Connection,
    sql: &Sql,
) -> StoreResult<rusqlite::CachedStatement<'c>> {
    let mut statement = conn.prepare_cached(&numbered(sql.text()))?;
    for (i, arg) in sql.args().iter().enumerate() {
        let index = i + 1;
        match arg {
            Arg::Int(Some(v)) => statement.raw_bind_parameter(index, v)?,
            Arg::Real(Some(v)) => statement.raw_bind_parameter(index, v)?,
            Arg::Text(Some(v)) => statement.raw_bind_parameter(index, v.as_str())?,
            Arg::Int(None) | Arg::Real(None) | Arg::Text(None) => {
                statement.raw_bind_parameter(index, rusqlite::types::Null)?
            }
        }
    }
    Ok(statement)
}

/// `$N` placeholders as SQLite's numbered `?N`: the same slot whatever order they appear in,
/// found by number rather than by name.
fn numbered(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '$' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('?'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_quotes() {
        assert_eq!(
            numbered("a = $1 AND b = $12 OR c = '$3'"),
            "a = ?1 AND b = ?12 OR c = '$3'"
        );
    }
}
