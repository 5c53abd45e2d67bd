//! SQLite's checkpointer: copies committed pages from the write-ahead log into the database
//! file every [`CHECKPOINT_EVERY`], on a thread and connection of its own — passively, so the
//! writer never waits for it, and with the fsync of the database file off the writer's path.
//! The writer starts the log over once a checkpoint has caught up.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{StoreError, StoreResult};

/// How often the checkpointer copies the log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

pub(crate) struct Checkpointer {
    running: std::sync::Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

impl Checkpointer {
    pub(crate) fn start(path: &str) -> StoreResult<Self> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;")?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                    let passive = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(e) = passive {
                        tracing::warn!(error = %e, "checkpointing the write-ahead log failed");
                    }
                }
            })
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(Self {
            running: std::sync::Mutex::new(Some((stop, thread))),
        })
    }

    /// Stops the thread and closes its connection; the last checkpoint is the one SQLite makes
    /// when the writer closes.
    pub(crate) fn stop(&self) {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Some((stop, thread)) = running {
            drop(stop);
            if thread.join().is_err() {
                tracing::warn!("the checkpointer stopped by panicking");
            }
        }
    }
}
