//! Embedded, forward-only migrations, one folder per backend with matching versions. Each
//! migration runs in its own transaction and is recorded in `ordo_migrations`.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::Exec;
use sqlx::AnyPool;
use sqlx::Connection;

use super::Backend;
use crate::error::{StoreError, StoreResult};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Key of the PostgreSQL advisory lock that keeps two starting servers from migrating at once.
const MIGRATION_LOCK_KEY: i64 = 0x6f72_646f;

pub(crate) async fn migrate(pool: &AnyPool, backend: Backend, now_ms: i64) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    if backend == Backend::Postgres {
        conn.run(Sql::with(
            "SELECT pg_advisory_lock($1)",
            [Arg::from(MIGRATION_LOCK_KEY)],
        ))
        .await?;
    }
    let result = apply_pending(&mut conn, backend, now_ms).await;
    if backend == Backend::Postgres {
        conn.run(Sql::with(
            "SELECT pg_advisory_unlock($1)",
            [Arg::from(MIGRATION_LOCK_KEY)],
        ))
        .await?;
    }
    result
}

/// Whether Ordo has migrated this database before: its migrations table is there.
pub(crate) async fn migrated(pool: &AnyPool) -> bool {
    match pool.acquire().await {
        Ok(mut conn) => conn
            .one(Sql::new("SELECT COUNT(*) FROM ordo_migrations"))
            .await
            .is_ok(),
        Err(_) => false,
    }
}

async fn apply_pending(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    now_ms: i64,
) -> StoreResult<()> {
    conn.run(Sql::new("CREATE TABLE IF NOT EXISTS ordo_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",)).await?;
    let applied: Vec<i64> = conn
        .rows(Sql::new(
            "SELECT version FROM ordo_migrations ORDER BY version",
        ))
        .await?
        .iter()
        .map(|r| r.int_at(0))
        .collect::<Result<_, _>>()?;
    let known = backend.migrations();
    if let Some(newest) = applied
        .iter()
        .max()
        .filter(|v| !known.iter().any(|m| m.version == **v))
    {
        return Err(StoreError::Migration(format!(
            "the database has migration {newest}, which this ordo does not know: it is newer than this binary"
        )));
    }
    for migration in known.iter().filter(|m| !applied.contains(&m.version)) {
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::Migration(format!("{} {}: {e}", migration.version, migration.name))
            })?;
        tx.run(Sql::with(
            "INSERT INTO ordo_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            [
                Arg::from(migration.version),
                Arg::from(migration.name),
                Arg::from(now_ms),
            ],
        ))
        .await?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(())
}
