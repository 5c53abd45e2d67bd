//! Embedded, forward-only migrations, one folder per backend with matching versions. Each
//! migration runs in its own transaction and is recorded in `ordo_migrations`.

use sqlx::AnyPool;
use sqlx::{Connection, Row};

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
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(MIGRATION_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_pending(&mut conn, backend, now_ms).await;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(MIGRATION_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    result
}

/// Whether Ordo has migrated this database before: its migrations table is there.
pub(crate) async fn migrated(pool: &AnyPool) -> bool {
    sqlx::query("SELECT COUNT(*) FROM ordo_migrations")
        .fetch_one(pool)
        .await
        .is_ok()
}

async fn apply_pending(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS ordo_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let applied: Vec<i64> = sqlx::query("SELECT version FROM ordo_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
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
        sqlx::query("INSERT INTO ordo_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now_ms)
            .execute(&mut *tx)
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
