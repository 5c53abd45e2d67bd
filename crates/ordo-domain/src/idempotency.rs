//! Retries that are always safe: a write sent with an `Idempotency-Key` is done once; the
//! same key and request again get the first answer, the same key with another request is
//! refused. A key lives for [`REPLAY_TTL_MS`] after its first use.

/// How long a key and its answer are kept.
pub const REPLAY_TTL_MS: i64 = 24 * 3_600_000;

/// The first answer to a request, kept to be given again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    /// `None` when it was too large to keep, or not text.
    pub body: Option<String>,
}

/// What is kept of a key: the request it came with, and its answer once there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRequest {
    pub fingerprint: String,
    pub answer: Option<Answer>,
    pub expires_at_ms: i64,
}

/// What to do with a request that comes with a key already kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The key's time is up: it is claimed afresh.
    Reclaim,
    /// The same request, answered before: answer it again.
    Replay(Answer),
    /// The same request, still being worked on (or its outcome was lost): come back later.
    InProgress,
    /// Another request under the same key.
    Reused,
}

pub fn decide(kept: &KeptRequest, fingerprint: &str, now_ms: i64) -> Decision {
    if kept.expires_at_ms <= now_ms {
        return Decision::Reclaim;
    }
    if kept.fingerprint != fingerprint {
        return Decision::Reused;
    }
    match &kept.answer {
        Some(answer) => Decision::Replay(answer.clone()),
        None => Decision::InProgress,
    }
}

/// Whether an answer is kept: everything but the server's own failures, which a retry may
/// get past.
pub fn keeps(status: u16) -> bool {
    status < 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_key_replays_refuses_waits_or_starts_over() {
        let answer = Answer {
            status: 201,
            content_type: None,
            body: Some("{}".into()),
        };
        let kept = KeptRequest {
            fingerprint: "a".into(),
            answer: Some(answer.clone()),
            expires_at_ms: 100,
        };
        assert_eq!(decide(&kept, "a", 50), Decision::Replay(answer));
        assert_eq!(decide(&kept, "b", 50), Decision::Reused);
        assert_eq!(decide(&kept, "b", 100), Decision::Reclaim);
        let open = KeptRequest {
            answer: None,
            ..kept
        };
        assert_eq!(decide(&open, "a", 50), Decision::InProgress);
        assert!(keeps(422) && keeps(200) && !keeps(503));
    }
}
