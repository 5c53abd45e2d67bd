//! Background jobs — the releaser, the hold sweeper, the alert scanner — run every so often,
//! each by one process only when several serve one database: before each pass a process takes
//! or renews the job's lease (`Store::lease_job`); a process that does not hold it skips the
//! pass, and takes the job over once the holder's lease runs out (it stopped, say). A pass
//! that took long is followed by a rest in proportion, so that each job works at most a tenth
//! of the time, and leaves the rest of the machine to the orders being placed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ordo_store::Store;
use tokio::task::JoinHandle;

use crate::Clock;

/// The shortest lease: long enough that a busy pass does not lose it to another process,
/// short enough that a process that stopped is replaced soon.
const LEASE_MIN_MS: u64 = 10_000;

/// How long a job rests after a pass, per unit of time the pass took: a pass that grew long
/// (the releaser's scan over a day's allocations waiting for their wave, say) is followed by
/// a rest nine times as long, so that the job works at most a tenth of the time, on a core and
/// on the database alike.
const REST_PER_PASS: u32 = 9;

/// What a job's passes need to decide who runs them.
#[derive(Clone)]
pub(crate) struct Runner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// This process, as the leases name it.
    pub holder: Arc<str>,
}

impl Runner {
    /// Runs `pass` (given the store and the clock) every `every`, or after a long pass once
    /// it has rested ([`REST_PER_PASS`]), whenever this process holds the job's lease.
    pub(crate) fn start<F, Fut>(self, job: &'static str, every: Duration, pass: F) -> JoinHandle<()>
    where
        F: Fn(Arc<dyn Store>, Arc<dyn Clock>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if !self.leads(job, every, Duration::ZERO).await {
                    continue;
                }
                metrics::counter!("ordo_background_passes_total", "job" => job).increment(1);
                let started = tokio::time::Instant::now();
                pass(self.store.clone(), self.clock.clone()).await;
                let rest = started.elapsed() * REST_PER_PASS;
                if rest > every {
                    // Held through the rest: another process taking the job over meanwhile
                    // would run the pass the rest is for.
                    self.leads(job, every, rest).await;
                }
                tokio::time::sleep(rest).await;
            }
        })
    }

    /// Takes or renews the job's lease, for `extra` beyond the usual; whether this process
    /// holds it.
    async fn leads(&self, job: &str, every: Duration, extra: Duration) -> bool {
        let ttl = (3 * every.as_millis() as u64).max(LEASE_MIN_MS) + extra.as_millis() as u64;
        let ttl = ttl as i64;
        let now_ms = self.clock.now_ms();
        match self.store.lease_job(job, &self.holder, now_ms, ttl).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(error = %e, job, "taking the job's lease failed; will retry");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ordo_testkit::{Backend, TestDb};

    use super::*;

    struct Wall;

    impl Clock for Wall {
        fn now_ms(&self) -> i64 {
            crate::SystemClock.now_ms()
        }
    }

    #[tokio::test]
    async fn a_long_pass_is_followed_by_a_rest_nine_times_as_long() {
        let db = TestDb::fresh(Backend::Sqlite).await.expect("SQLite");
        let runner = Runner {
            store: db.store().await,
            clock: Arc::new(Wall),
            holder: "test".into(),
        };
        let passes = Arc::new(AtomicUsize::new(0));
        let counted = passes.clone();
        let job = runner.start("test", Duration::from_millis(5), move |_, _| {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        job.abort();
        // Back to back, passes of 50 ms would be about 20 in a second; with their rests,
        // a pass starts every 500 ms or so.
        let passes = passes.load(Ordering::SeqCst);
        assert!((1..=4).contains(&passes), "{passes} passes in a second");
    }
}
