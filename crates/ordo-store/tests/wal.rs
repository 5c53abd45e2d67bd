//! SQLite's write-ahead log stays bounded while a writer never pauses and readers keep
//! reading: the checkpointer starts it over once it passes 64 MiB. (A passive checkpoint alone
//! never catches such a writer; the log once grew to 61 GB while a store was filled.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ordo_testkit::{Backend, TestDb};

/// What the writer writes in all: well past the 64 MiB at which the log starts over.
const WRITES: usize = 3_200;
const VALUE_BYTES: usize = 100_000;
const WRITERS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_stays_bounded_under_a_writer_that_never_pauses() {
    let db = TestDb::fresh(Backend::Sqlite).await.unwrap();
    let store = db.store().await;
    let path = db.url.trim_start_matches("sqlite://").to_string();
    let reading = Arc::new(AtomicBool::new(true));
    let reader = {
        let (store, reading) = (store.clone(), reading.clone());
        tokio::spawn(async move {
            while reading.load(Ordering::Relaxed) {
                store.setting("filler").await.unwrap();
            }
        })
    };
    // Writers side by side, so that one always waits while another commits, as orders do.
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, path) = (store.clone(), path.clone());
        writers.push(tokio::spawn(async move {
            let filler = "x".repeat(VALUE_BYTES);
            let mut largest = 0;
            for i in 0..WRITES / WRITERS {
                let value = format!("{i}{filler}");
                store
                    .put_setting(&format!("filler-{w}-{i}"), &value)
                    .await
                    .unwrap();
                let log = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
                largest = largest.max(log);
            }
            largest
        }));
    }
    let mut largest = 0;
    for writer in writers {
        largest = largest.max(writer.await.unwrap());
    }
    reading.store(false, Ordering::Relaxed);
    reader.await.unwrap();
    // Between two passes of the checkpointer (200 ms) a writer this fast adds tens of MiB, so
    // the log overshoots its 64 MiB mark; unbounded, it would hold all that was written.
    let written = (WRITES * VALUE_BYTES) as u64;
    assert!(
        largest < written / 2,
        "the log reached {largest} bytes of {written} written: it was never started over"
    );
    store.close().await;
}
