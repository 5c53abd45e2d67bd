//! Idempotency keys for every write but placing an order (which keeps its own key with the
//! order, in the same transaction): the key is claimed before the work, the first answer
//! kept after it, and a retry with the same key and request gets that answer again.

use ordo_domain::auth::Principal;
use ordo_domain::idempotency::{Answer, Decision, REPLAY_TTL_MS, decide, keeps};
use ordo_store::RequestClaim;
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{AppError, AppResult};

/// What a claimed key leads to.
pub enum Claimed {
    /// The first request with this key: do the work, then [`App::answer_write`].
    New,
    /// The same request came before: this was its answer.
    Replay(Answer),
}

/// What a request is, to tell a retry from another request under the same key: its method,
/// target and body (a JSON body by its content, whatever the order of its members).
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> String {
    let body = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(document) => crate::orders::request_hash(&document),
        Err(_) => hex(&Sha256::digest(body)),
    };
    hex(&Sha256::digest(
        format!("{method}\n{target}\n{body}").as_bytes(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Claims the caller's `key` for a write.
    pub async fn claim_write(
        &self,
        principal: &Principal,
        key: &str,
        fingerprint: String,
    ) -> AppResult<Claimed> {
        let now_ms = self.clock.now_ms();
        let claim = RequestClaim {
            scope: principal.key_id.clone(),
            key: key.to_string(),
            fingerprint,
            now_ms,
            expires_at_ms: now_ms + REPLAY_TTL_MS,
        };
        let Some(kept) = self.store.claim_request(&claim).await? else {
            return Ok(Claimed::New);
        };
        match decide(&kept, &claim.fingerprint, now_ms) {
            Decision::Replay(answer) => Ok(Claimed::Replay(answer)),
            Decision::Reclaim if self.store.reclaim_request(&claim).await? => Ok(Claimed::New),
            Decision::Reclaim | Decision::InProgress => Err(AppError::IdempotencyKeyInUse),
            Decision::Reused => Err(AppError::IdempotencyKeyReused { order_id: None }),
        }
    }

    /// Keeps the answer to a claimed write; a server failure lets the claim go instead.
    pub async fn answer_write(
        &self,
        principal: &Principal,
        key: &str,
        answer: &Answer,
    ) -> AppResult<()> {
        let scope = &principal.key_id;
        match keeps(answer.status) {
            true => self.store.answer_request(scope, key, answer).await?,
            false => self.store.release_request(scope, key).await?,
        }
        Ok(())
    }
}
