//! A fresh database for each test: a temporary SQLite file, or a new PostgreSQL schema in the
//! database `ORDO_TEST_POSTGRES_URL` names, dropped when the test ends.

use std::sync::Arc;

use ordo_store::{SqlStore, Store, StoreOptions};

pub const POSTGRES_URL_VAR: &str = "ORDO_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as this value; its URL opens it from anywhere (a second
/// server, the `ordo` binary).
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database, or `None` (with a note on stderr) when PostgreSQL is asked for but
    /// `ORDO_TEST_POSTGRES_URL` is not set.
    pub async fn fresh(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}", dir.path().join("ordo.db").display());
                Some(TestDb {
                    backend,
                    url,
                    _dir: Some(dir),
                    schema: None,
                })
            }
            Backend::Postgres => {
                let Ok(base) = std::env::var(POSTGRES_URL_VAR) else {
                    eprintln!("skipped: set {POSTGRES_URL_VAR} to run this test on PostgreSQL");
                    return None;
                };
                let schema = format!("ordo_test_{}", random_suffix());
                run_postgres(&base, &format!("CREATE SCHEMA {schema}")).await;
                let separator = if base.contains('?') { '&' } else { '?' };
                // The application name tells this test's connections from other tests'.
                let url = format!(
                    "{base}{separator}options=-c%20search_path%3D{schema}&application_name={schema}"
                );
                Some(TestDb {
                    backend,
                    url,
                    _dir: None,
                    schema: Some((base, schema)),
                })
            }
        }
    }

    /// A SQLite database in a directory the caller owns (a small file system, say).
    pub fn sqlite_in(dir: &std::path::Path) -> TestDb {
        TestDb {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}", dir.join("ordo.db").display()),
            _dir: None,
            schema: None,
        }
    }

    /// Opens the store on this database (migrating it on first use).
    pub async fn store(&self) -> Arc<dyn Store> {
        let store = SqlStore::connect(&self.url, &StoreOptions::default(), crate::CLOCK_START_MS)
            .await
            .expect("the test database opens");
        Arc::new(store)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, schema)) = self.schema.take() else {
            return;
        };
        // Drop runs outside any async context we can rely on: use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(run_postgres(
                    &base,
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                ));
            }
        })
        .join();
    }
}

async fn run_postgres(url: &str, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} must reach PostgreSQL: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn random_suffix() -> String {
    let mut rng = fastrand::Rng::new();
    (0..12)
        .map(|_| rng.alphanumeric().to_ascii_lowercase())
        .collect()
}

/// Ends every connection the store has open to this PostgreSQL test database, as an
/// administrator or a failover would; answers how many it ended (none on SQLite).
pub async fn terminate_connections(db: &TestDb) -> i64 {
    let Some((base, schema)) = &db.schema else {
        return 0;
    };
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} must reach PostgreSQL: {e}"));
    let sql =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1";
    sqlx::query_scalar(sql)
        .bind(schema)
        .fetch_one(&mut conn)
        .await
        .expect("connections end")
}

/// Runs raw SQL on a test database behind the store's back, to break an invariant on purpose.
pub async fn execute(db: &TestDb, statement: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url)
        .await
        .expect("the test database opens");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}
