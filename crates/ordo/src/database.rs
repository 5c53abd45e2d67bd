//! Where the store lives: `--database-url`, else a SQLite file in `--data-dir`.

use std::path::PathBuf;

use clap::Args;
use std::sync::Arc;

use ordo_app::{App, Clock, Limits, SystemClock};
use ordo_domain::auth::{Principal, Role};
use ordo_store::{SqlStore, StoreError, StoreOptions};

use crate::Failure;

/// How long `ordo serve` waits between tries to reach its database.
const DATABASE_WAIT_S: u64 = 2;

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory for the embedded SQLite database.
    #[arg(long, env = "ORDO_DATA_DIR", default_value = "./ordo-data")]
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER@HOST/DATABASE`; overrides --data-dir.
    #[arg(long, env = "ORDO_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DatabaseArgs {
    /// Opens (and migrates) the store, creating the data directory for SQLite. A database
    /// that cannot be reached yet (PostgreSQL starting, or down) is waited for, with a line
    /// in the log every try; any other failure ends the wait.
    pub async fn open_waiting(&self) -> Result<SqlStore, String> {
        let url = self.url(true)?;
        loop {
            tracing::info!(database = %redact(&url), "opening the database");
            match SqlStore::connect(&url, &StoreOptions::default(), SystemClock.now_ms()).await {
                Ok(store) => return Ok(store),
                Err(e) if e.is_unreachable() => {
                    let (at, every) = (redact(&url), DATABASE_WAIT_S);
                    tracing::warn!(database = %at, error = %e, "waiting for the database; trying again in {every} s");
                    tokio::time::sleep(std::time::Duration::from_secs(every)).await;
                }
                Err(e) => return Err(format!("cannot open the database at {}: {e}", redact(&url))),
            }
        }
    }

    /// Opens a store Ordo already made; anything else — a mistyped directory, an empty
    /// database — is refused (exit code 2) rather than made empty and worked on.
    pub async fn open_existing(&self) -> Result<SqlStore, Failure> {
        let url = self.url(false)?;
        let options = StoreOptions {
            existing_only: true,
            ..StoreOptions::default()
        };
        match SqlStore::connect(&url, &options, SystemClock.now_ms()).await {
            Ok(store) => Ok(store),
            Err(StoreError::NotFound(_)) => Err(Failure {
                message: format!(
                    "no Ordo database at {}: check --data-dir or --database-url (ordo serve makes one)",
                    redact(&url)
                ),
                code: 2,
            }),
            Err(e) => Err(format!("cannot open the database at {}: {e}", redact(&url)).into()),
        }
    }

    /// The store's URL; the data directory is made first only when `create` says so.
    fn url(&self, create: bool) -> Result<String, String> {
        Ok(match &self.database_url {
            Some(url) => url.clone(),
            None if create => {
                std::fs::create_dir_all(&self.data_dir).map_err(|e| {
                    format!(
                        "cannot create the data directory {}: {e}",
                        self.data_dir.display()
                    )
                })?;
                format!("sqlite://{}", self.data_dir.join("ordo.db").display())
            }
            None => format!("sqlite://{}", self.data_dir.join("ordo.db").display()),
        })
    }

    /// The app over an existing store, for a one-off command: no background releasing or
    /// alert scanning (that is the server's job).
    pub async fn open_app(&self) -> Result<App, Failure> {
        let store = self.open_existing().await?;
        let limits = Limits {
            release_interval_ms: 0,
            alert_scan_interval_ms: 0,
            ..Limits::default()
        };
        Ok(App::new(Arc::new(store), Arc::new(SystemClock), limits))
    }
}

/// Who a command run on the machine itself acts as: an administrator, `admin:cli` in timelines.
pub fn cli_admin() -> Principal {
    Principal {
        key_id: "cli".into(),
        role: Role::Admin,
        channel: None,
        location: None,
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden_in_messages() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
