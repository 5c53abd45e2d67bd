//! A connection for reads, whichever driver carries it: one of SQLite's readers
//! (`sqlite_read.rs`), or a pooled sqlx connection on PostgreSQL.

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

impl SqlStore {
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
