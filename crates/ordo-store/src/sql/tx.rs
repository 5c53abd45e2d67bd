//! A write transaction, whichever driver carries it: sqlx's for PostgreSQL, the writer's own
//! connection for SQLite (`sqlite.rs`). Begun by [`SqlStore::begin`], ended by
//! [`WriteTx::commit`]; dropped before, it is rolled back.
//!
//! [`Tx`] is the same transaction as the app's use cases hold it: they load, let the domain
//! decide, write and commit through its typed methods, which each area of the store adds in
//! its own module (`impl Tx` in `orders.rs`, `order_holds.rs`, `fulfillment.rs`…).

use async_trait::async_trait;

use super::SqlStore;
use super::args::Sql;
use super::exec::{Exec, Row};
use super::sqlite::SqliteTx;
use crate::error::StoreResult;

/// A write transaction for a use case: typed loads (locking what they load for the rest of
/// the transaction), typed writes, then [`Tx::commit`]. Dropped before, it is rolled back.
pub struct Tx {
    pub(in crate::sql) write: WriteTx,
    pub(in crate::sql) backend: super::Backend,
    pub(in crate::sql) routers: std::sync::Arc<super::router_cache::RouterCache>,
    pub(in crate::sql) reference: super::reference_cache::TxReference,
}

impl Tx {
    /// Makes every write of the transaction durable, or none.
    pub async fn commit(self) -> StoreResult<()> {
        self.write.commit().await
    }

    /// Ends the transaction without its changes.
    pub async fn rollback(self) -> StoreResult<()> {
        self.write.rollback().await
    }

    /// The lock clause loads take inside this transaction.
    pub(in crate::sql) fn lock(&self) -> &'static str {
        self.backend.lock_rows()
    }
}

pub(crate) enum WriteTx {
    Sqlx(sqlx::Transaction<'static, sqlx::Any>),
    Sqlite(SqliteTx),
}

impl SqlStore {
    /// A write transaction: on SQLite, the one writer's, waiting for it if another holds it.
    pub(crate) async fn begin(&self) -> StoreResult<WriteTx> {
        match &self.sqlite {
            Some(writer) => Ok(WriteTx::Sqlite(SqliteTx::begin(writer).await?)),
            None => Ok(WriteTx::Sqlx(self.write.begin().await?)),
        }
    }

    /// A transaction for a use case to drive.
    pub(crate) async fn transaction(&self) -> StoreResult<Tx> {
        Ok(Tx {
            write: self.begin().await?,
            backend: self.backend,
            routers: self.routers.clone(),
            reference: super::reference_cache::TxReference::new(self.reference.clone()),
        })
    }

    /// One write statement in a transaction of its own.
    pub(crate) async fn write_one(&self, sql: Sql) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let changed = tx.run(sql).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// The first row of one statement on the writer, in a transaction of its own.
    pub(crate) async fn write_first(&self, sql: Sql) -> StoreResult<Option<Row>> {
        let mut tx = self.begin().await?;
        let row = tx.first(sql).await?;
        tx.commit().await?;
        Ok(row)
    }
}

impl WriteTx {
    /// Ends the transaction without its changes.
    pub(crate) async fn rollback(self) -> StoreResult<()> {
        match self {
            Self::Sqlx(tx) => Ok(tx.rollback().await?),
            Self::Sqlite(tx) => tx.rollback(),
        }
    }

    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlx(tx) => crate::error::commit(tx).await,
            Self::Sqlite(tx) => tx.commit(),
        }
    }
}

#[async_trait]
impl Exec for WriteTx {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        match self {
            Self::Sqlx(tx) => tx.run(sql).await,
            Self::Sqlite(tx) => tx.run(sql).await,
        }
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        match self {
            Self::Sqlx(tx) => tx.rows(sql).await,
            Self::Sqlite(tx) => tx.rows(sql).await,
        }
    }
}
