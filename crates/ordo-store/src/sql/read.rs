//! A connection for reads, whichever driver carries it: one of SQLite's readers
//! (`sqlite_read.rs`), or a pooled sqlx connection on PostgreSQL.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use super::SqlStore;
use super::args::Sql;
use super::exec::{Exec, Row};
use super::sqlite_read::SqliteReader;
use crate::error::StoreResult;

pub(crate) enum ReadConn {
    Sqlx(sqlx::pool::PoolConnection<sqlx::Any>),
    Sqlite(SqliteReader),
}

/// A read of several statements over one connection, as [`SqlStore::read`] runs it.
pub(crate) type Read<'c, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>;

impl SqlStore {
    /// Runs a read of several statements on one connection. On SQLite its statements never
    /// wait for anything but SQLite, so the whole read is driven to its end in one blocking
    /// section rather than one per statement; the request's deadline and cancellation apply
    /// before it begins.
    pub(crate) async fn read<T>(
        &self,
        read: impl for<'c> FnOnce(&'c mut ReadConn) -> Read<'c, T>,
    ) -> StoreResult<T> {
        let mut conn = self.reader().await?;
        match &mut conn {
            ReadConn::Sqlite(reader) if SqliteReader::can_run_whole() => reader.run_whole(),
            _ => return read(&mut conn).await,
        }
        tokio::task::yield_now().await;
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| handle.block_on(read(&mut conn)))
    }

    /// A connection to read through, waiting while every one is in use.
    pub(crate) async fn reader(&self) -> StoreResult<ReadConn> {
        match &self.readers {
            Some(readers) => Ok(ReadConn::Sqlite(readers.acquire().await?)),
            None => Ok(ReadConn::Sqlx(self.read.acquire().await?)),
        }
    }
}

#[async_trait]
impl Exec for ReadConn {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        match self {
            Self::Sqlx(conn) => conn.run(sql).await,
            Self::Sqlite(conn) => conn.run(sql).await,
        }
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        match self {
            Self::Sqlx(conn) => conn.rows(sql).await,
            Self::Sqlite(conn) => conn.rows(sql).await,
        }
    }
}
