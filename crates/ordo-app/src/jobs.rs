//! Background jobs — the releaser, the hold sweeper, the alert scanner — run every so often,
//! each by one process only when several serve one database: before each pass a process takes
//! or renews the job's lease (`Store::lease_job`); a process that does not hold it skips the
//! pass, and takes the job over once the holder's lease runs out (it stopped, say).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ordo_store::Store;
use tokio::task::JoinHandle;

use crate::Clock;

/// The shortest lease: long enough that a busy pass does not lose it to another process,
/// short enough that a process that stopped is replaced soon.
const LEASE_MIN_MS: u64 = 10_000;

/// What a job's passes need to decide who runs them.
#[derive(Clone)]
pub(crate) struct Runner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// This process, as the leases name it.
    pub holder: Arc<str>,
}

impl Runner {
    /// Runs `pass` (given the store and the clock) every `every`, whenever this process holds
    /// the job's lease.
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
                if self.leads(job, every).await {
                    metrics::counter!("ordo_background_passes_total", "job" => job).increment(1);
                    pass(self.store.clone(), self.clock.clone()).await;
                }
            }
        })
    }

    async fn leads(&self, job: &str, every: Duration) -> bool {
        let ttl = (3 * every.as_millis() as u64).max(LEASE_MIN_MS) as i64;
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
