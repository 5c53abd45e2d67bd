//! Opening a [`SqlStore`]: pools and pragmas per backend, then migrations.

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

use super::{Backend, migrate};
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// PostgreSQL: connections in the pool. SQLite: read-only connections beside the writer.
    pub connections_max: u32,
    /// How long a transaction waits for a connection before giving up.
    pub acquire_timeout_ms: u64,
    /// Open only a database Ordo already made (a command that reads or changes one must not
    /// make an empty one at a mistyped path): anything else is `NotFound`.
    pub existing_only: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            connections_max: 8,
            acquire_timeout_ms: 10_000,
            existing_only: false,
        }
    }
}

pub struct SqlStore {
    pub(in crate::sql) backend: Backend,
    pub(in crate::sql) read: AnyPool,
    pub(in crate::sql) write: AnyPool,
    /// Routers of the profile versions met so far: a version's settings never change.
    pub(in crate::sql) routers: std::sync::Arc<super::router_cache::RouterCache>,
    pub(in crate::sql) reference: std::sync::Arc<super::reference_cache::ReferenceCache>,
    /// SQLite's writer, on its own driver; `None` on PostgreSQL.
    pub(in crate::sql) sqlite: Option<super::sqlite::Writer>,
    /// SQLite's readers, on the same driver; `None` on PostgreSQL.
    pub(in crate::sql) readers: Option<std::sync::Arc<super::sqlite_read::Readers>>,
}

/// The writer: WAL so readers never wait for it; FULL so a commit that was answered survives a
/// power cut (group commit pays for the fsync); a 64 MiB page cache and memory-mapped reads
/// so hot pages stay off the disk path.
const SQLITE_WRITER_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536; \
     PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;";

impl SqlStore {
    /// Connects to `sqlite://PATH` or `postgres://...` and brings the schema up to date.
    pub async fn connect(url: &str, options: &StoreOptions, now_ms: i64) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let acquire_timeout = Duration::from_millis(options.acquire_timeout_ms);
        let missing = || StoreError::NotFound(format!("an Ordo database at {url}"));
        let store = if url.starts_with("sqlite:") {
            let url = sqlite_url(url, options.existing_only);
            let write = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(acquire_timeout)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(SQLITE_WRITER_PRAGMAS).await?;
                        Ok(())
                    })
                })
                .connect(&url)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(_) if options.existing_only => missing(),
                    e => e.into(),
                })?;
            Self {
                backend: Backend::Sqlite,
                // sqlx only migrates SQLite; its reads go through `readers`, set below.
                read: write.clone(),
                write,
                routers: Default::default(),
                reference: Default::default(),
                sqlite: None,
                readers: None,
            }
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(options.connections_max.max(2))
                .acquire_timeout(acquire_timeout)
                .connect(url)
                .await?;
            Self {
                backend: Backend::Postgres,
                read: pool.clone(),
                write: pool,
                routers: Default::default(),
                reference: Default::default(),
                sqlite: None,
                readers: None,
            }
        } else {
            return Err(StoreError::Url(format!(
                "'{url}' is neither sqlite://PATH nor postgres://USER@HOST/DATABASE"
            )));
        };
        if options.existing_only && !migrate::migrated(&store.write).await {
            store.close_pools().await;
            return Err(missing());
        }
        migrate::migrate(&store.write, store.backend, now_ms).await?;
        let mut store = store;
        if store.backend == Backend::Sqlite {
            // From here on SQLite is written by the writer of its own; sqlx's only migrated.
            store.write.close().await;
            store.sqlite = Some(super::sqlite::Writer::open(url)?);
            let path = super::sqlite::path_of(url);
            let readers = super::sqlite_read::Readers::new(path, options.connections_max as usize);
            store.readers = Some(std::sync::Arc::new(readers));
        }
        Ok(store)
    }

    /// Closes every pool and reader; the SQLite writer is closed apart.
    pub(super) async fn close_pools(&self) {
        self.write.close().await;
        self.read.close().await;
        if let Some(readers) = &self.readers {
            readers.close();
        }
    }
}

/// SQLite URLs create the file when it is missing (unless they say otherwise, or only an
/// existing database will do).
fn sqlite_url(url: &str, existing_only: bool) -> String {
    let mode = if existing_only { "rw" } else { "rwc" };
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode={mode}")
    } else {
        format!("{url}?mode={mode}")
    }
}
