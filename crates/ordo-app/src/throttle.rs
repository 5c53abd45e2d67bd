//! Failed authentication, throttled per client: each client has a bucket of tries that
//! refills slowly; an unknown key costs one, and an empty bucket is answered 429 without a
//! lookup. Keys found unknown are remembered briefly, so guessing costs no database lookups.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// How long an unknown key is remembered as unknown.
pub const MISS_TTL_MS: i64 = 5_000;
/// Most clients and unknown keys remembered; beyond, the oldest half is forgotten.
const ENTRIES_MAX: usize = 100_000;

pub(crate) struct Throttle {
    /// Failed tries a client may make at once.
    burst: f64,
    /// Failed tries a client earns back per minute.
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, i64)>>,
    misses: Mutex<HashMap<String, i64>>,
}

impl Throttle {
    pub(crate) fn new(burst: u32, per_minute: u32) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::default(),
            misses: Mutex::default(),
        }
    }

    /// Seconds until `client` may try again, if it may not now.
    pub(crate) fn wait_s(&self, client: Option<IpAddr>, now_ms: i64) -> Option<u64> {
        let client = client?;
        let buckets = self.buckets.lock().ok()?;
        let tokens = self.refilled(*buckets.get(&client)?, now_ms);
        (tokens < 1.0).then(|| ((1.0 - tokens) * 60.0 / self.per_minute).ceil() as u64)
    }

    /// Counts a failed try of `client`; answers whether it has now used up its tries.
    pub(crate) fn failed(&self, client: Option<IpAddr>, now_ms: i64) -> bool {
        let (Some(client), Ok(mut buckets)) = (client, self.buckets.lock()) else {
            return false;
        };
        if buckets.len() >= ENTRIES_MAX {
            buckets.retain(|_, b| self.refilled(*b, now_ms) < self.burst);
        }
        let tokens = buckets
            .get(&client)
            .map_or(self.burst, |b| self.refilled(*b, now_ms));
        buckets.insert(client, ((tokens - 1.0).max(0.0), now_ms));
        tokens - 1.0 < 1.0
    }

    /// Whether this key hash was found unknown a moment ago.
    pub(crate) fn known_miss(&self, hash: &str, now_ms: i64) -> bool {
        self.misses
            .lock()
            .ok()
            .and_then(|m| m.get(hash).copied())
            .is_some_and(|at| now_ms - at < MISS_TTL_MS)
    }

    pub(crate) fn remember_miss(&self, hash: &str, now_ms: i64) {
        if let Ok(mut misses) = self.misses.lock() {
            if misses.len() >= ENTRIES_MAX {
                misses.retain(|_, at| now_ms - *at < MISS_TTL_MS);
            }
            misses.insert(hash.to_string(), now_ms);
        }
    }

    fn refilled(&self, (tokens, at_ms): (f64, i64), now_ms: i64) -> f64 {
        let earned = (now_ms - at_ms).max(0) as f64 / 60_000.0 * self.per_minute;
        (tokens + earned).min(self.burst)
    }

    /// Forgets a miss: the key exists now (this process just made it).
    pub(crate) fn forget_miss(&self, hash: &str) {
        if let Ok(mut misses) = self.misses.lock() {
            misses.remove(hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_earns_tries_back() {
        let throttle = Throttle::new(10, 10);
        let client = Some("192.0.2.7".parse().unwrap());
        let other = Some("192.0.2.8".parse().unwrap());
        let used_up: Vec<bool> = (0..10).map(|_| throttle.failed(client, 0)).collect();
        assert_eq!(
            used_up.iter().filter(|u| **u).count(),
            1,
            "the tenth try uses the last"
        );
        assert_eq!(throttle.wait_s(client, 0), Some(6));
        assert_eq!(throttle.wait_s(other, 0), None, "others are not affected");
        assert_eq!(throttle.wait_s(client, 6_000), None, "one try earned back");
        assert!(throttle.failed(client, 6_000));
        assert_eq!(throttle.wait_s(None, 0), None, "no address, no throttle");
        throttle.remember_miss("h", 0);
        assert!(throttle.known_miss("h", 4_999) && !throttle.known_miss("h", 5_000));
    }
}
