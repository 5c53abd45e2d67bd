//! SQLite's checkpointer: copies committed pages from the write-ahead log into the database
//! file every [`CHECKPOINT_EVERY`], on a thread and connection of its own — passively, so the
//! writer never waits for the copying, and with the fsync of the database file off the
//! writer's path.
//!
//! A passive checkpoint never catches up with a writer that never pauses, and SQLite starts
//! the log over only once a checkpoint has copied all of it: so when the log passes
//! [`RESTART_FRAMES`], the checkpointer holds the writer for a moment — long enough to copy
//! the last few frames, wait for readers to leave the log, and truncate it. The log so stays
//! about [`RESTART_FRAMES`] pages long whatever the load.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::error::{StoreError, StoreResult};

/// How often the checkpointer copies the log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);
/// Log pages (4 KiB each) beyond which the log is started over: 64 MiB.
const RESTART_FRAMES: i64 = 16_384;
/// How long a restart waits for readers still in the log before it tries again later.
const READERS_WAIT_MS: u32 = 1_000;

pub(crate) struct Checkpointer {
    running: std::sync::Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

type WriterConnection = Arc<Mutex<Option<rusqlite::Connection>>>;

impl Checkpointer {
    pub(crate) fn start(path: &str, writer: WriterConnection) -> StoreResult<Self> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA busy_timeout = {READERS_WAIT_MS};"
        ))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                    if let Err(e) = pass(&conn, &writer) {
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

/// One pass: copy what the log holds; when it has grown long, start it over with the writer
/// held.
fn pass(conn: &rusqlite::Connection, writer: &WriterConnection) -> rusqlite::Result<()> {
    let log_frames = checkpoint(conn, "PASSIVE")?;
    if log_frames > RESTART_FRAMES {
        let _writer = writer.blocking_lock();
        checkpoint(conn, "TRUNCATE")?;
    }
    Ok(())
}

/// Runs a checkpoint; answers how many frames the log held.
fn checkpoint(conn: &rusqlite::Connection, mode: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get::<_, i64>(1)
    })
}
