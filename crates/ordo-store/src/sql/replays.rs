//! Idempotency keys of writes other than placing orders: claimed before the work, answered
//! after it, pruned when their day is over.

use crate::sql::args::{Arg, Sql};
use ordo_domain::idempotency::{Answer, KeptRequest};

use super::SqlStore;
use super::rows::RowExt;
use crate::error::StoreResult;
use crate::types::RequestClaim;

/// Claims the key for this request; `None` when it is claimed now, else what is kept.
pub(crate) async fn claim(
    store: &SqlStore,
    claim: &RequestClaim,
) -> StoreResult<Option<KeptRequest>> {
    let inserted = store
        .write_one(Sql::with(
            "INSERT INTO request_replays (scope, key, fingerprint, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING",
            [
                Arg::from(claim.scope.as_str()),
                Arg::from(claim.key.as_str()),
                Arg::from(claim.fingerprint.as_str()),
                Arg::from(claim.now_ms),
                Arg::from(claim.expires_at_ms),
            ],
        ))
        .await?;
    if inserted == 1 {
        return Ok(None);
    }
    let row = store
        .write_first(Sql::with(
            "SELECT fingerprint, status, content_type, body, expires_at FROM request_replays \
         WHERE scope = $1 AND key = $2",
            [
                Arg::from(claim.scope.as_str()),
                Arg::from(claim.key.as_str()),
            ],
        ))
        .await?;
    let Some(row) = row else {
        // Pruned between the two statements: the key is free again.
        return Box::pin(self::claim(store, claim)).await;
    };
    let answer = match row.opt_int("status")? {
        Some(status) => Some(Answer {
            status: u16::try_from(status).unwrap_or(500),
            content_type: row.opt_text("content_type")?,
            body: row.opt_text("body")?,
        }),
        None => None,
    };
    Ok(Some(KeptRequest {
        fingerprint: row.text("fingerprint")?,
        answer,
        expires_at_ms: row.int("expires_at")?,
    }))
}

/// Claims afresh a key whose time is up; false when another request did first.
pub(crate) async fn reclaim(store: &SqlStore, claim: &RequestClaim) -> StoreResult<bool> {
    let done = store.write_one(Sql::with("UPDATE request_replays SET fingerprint = $1, status = NULL, content_type = NULL, body = NULL, \
         created_at = $2, expires_at = $3 WHERE scope = $4 AND key = $5 AND expires_at <= $2",[Arg::from(claim.fingerprint.as_str()), Arg::from(claim.now_ms), Arg::from(claim.expires_at_ms), Arg::from(claim.scope.as_str()), Arg::from(claim.key.as_str())])).await?;
    Ok(done == 1)
}

/// Keeps the answer of a claimed request.
pub(crate) async fn answer(
    store: &SqlStore,
    scope: &str,
    key: &str,
    answer: &Answer,
) -> StoreResult<()> {
    store.write_one(Sql::with("UPDATE request_replays SET status = $1, content_type = $2, body = $3 WHERE scope = $4 AND key = $5",[Arg::from(i64::from(answer.status)), Arg::from(answer.content_type.as_deref()), Arg::from(answer.body.as_deref()), Arg::from(scope), Arg::from(key)])).await?;
    Ok(())
}

/// Lets a claim go (the server failed: a retry may do the work).
pub(crate) async fn release(store: &SqlStore, scope: &str, key: &str) -> StoreResult<()> {
    store
        .write_one(Sql::with(
            "DELETE FROM request_replays WHERE scope = $1 AND key = $2 AND status IS NULL",
            [Arg::from(scope), Arg::from(key)],
        ))
        .await?;
    Ok(())
}

/// Forgets keys whose day is over, at most `limit` at a time.
pub(crate) async fn prune(store: &SqlStore, now_ms: i64, limit: i64) -> StoreResult<u64> {
    let done = store
        .write_one(Sql::with(
            "DELETE FROM request_replays WHERE (scope, key) IN \
         (SELECT scope, key FROM request_replays WHERE expires_at <= $1 LIMIT $2)",
            [Arg::from(now_ms), Arg::from(limit)],
        ))
        .await?;
    Ok(done)
}
