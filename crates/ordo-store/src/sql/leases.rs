//! Leases on background jobs: one row per job naming the process that runs it and until when.

use super::SqlStore;
use super::args::{Arg, Sql};
use crate::error::StoreResult;

/// Takes the job's lease for `holder` until `now_ms + ttl_ms` when it is free, ran out, or is
/// `holder`'s already; false while another holder's lease runs.
pub(crate) async fn lease(
    store: &SqlStore,
    job: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> StoreResult<bool> {
    let sql = Sql::with(
        "INSERT INTO job_leases (job, holder, until) VALUES ($1, $2, $3) \
         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE job_leases.holder = excluded.holder OR job_leases.until < $4",
        [
            Arg::from(job),
            Arg::from(holder),
            Arg::from(now_ms.saturating_add(ttl_ms)),
            Arg::from(now_ms),
        ],
    );
    Ok(store.write_one(sql).await? == 1)
}
