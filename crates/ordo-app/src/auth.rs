//! API keys: created with 256 random bits, stored only as a SHA-256 hash, looked up by that
//! hash. A short cache keeps the database off the path of every request.

use std::collections::HashMap;
use std::sync::Mutex;

use ordo_domain::auth::{ApiKey, Principal, Role, check_key_scope};
use ordo_domain::field::FieldErrors;
use ordo_domain::values::{ChannelCode, LocationCode};
use ordo_store::ids::{new_id, new_secret};
use ordo_store::{Page, PageRequest};
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{AppError, AppResult};

/// How long a looked-up key is trusted before it is looked up again. A key revoked by another
/// server process stops working within this time; revoked by this one, at once.
const KEY_CACHE_TTL_MS: i64 = 5_000;
/// Most keys the cache holds before it starts over.
const KEY_CACHE_ENTRIES_MAX: usize = 10_000;
/// Shortest secret accepted from ORDO_BOOTSTRAP_ADMIN_KEY: long enough not to be guessed.
pub const BOOTSTRAP_KEY_LEN_MIN: usize = 32;

pub(crate) type KeyCache = Mutex<HashMap<String, (Principal, i64)>>;

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A newly created key with its secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: ApiKey,
    pub secret: String,
}

impl App {
    /// The principal an `Authorization: Bearer` secret stands for. A client (by address) that
    /// keeps sending unknown keys is refused for a while without a lookup; keys known a
    /// moment ago still pass.
    pub async fn authenticate(
        &self,
        secret: &str,
        client: Option<std::net::IpAddr>,
    ) -> AppResult<Principal> {
        let hash = hash_secret(secret);
        let now = self.clock.now_ms();
        if let Some((principal, at)) = self.keys.lock().ok().and_then(|c| c.get(&hash).cloned())
            && now - at < KEY_CACHE_TTL_MS
        {
            return Ok(principal);
        }
        if let Some(retry_after_s) = self.throttle.wait_s(client, now) {
            metrics::counter!("ordo_auth_failures_total", "reason" => "throttled").increment(1);
            return Err(AppError::TooManyRequests { retry_after_s });
        }
        let found = match self.throttle.known_miss(&hash, now) {
            true => None,
            false => self.store.api_key_by_hash(&hash).await?,
        };
        let Some(key) = found else {
            self.throttle.remember_miss(&hash, now);
            metrics::counter!("ordo_auth_failures_total", "reason" => "unknown_key").increment(1);
            let shown = client.map_or("-".to_string(), |c| c.to_string());
            if self.throttle.failed(client, now) {
                tracing::warn!(client = %shown, "unknown API keys: throttling this client");
            } else {
                tracing::info!(client = %shown, "an unknown API key");
            }
            return Err(AppError::Unauthenticated);
        };
        let principal = Principal {
            key_id: key.id,
            role: key.role,
            channel: key.channel,
            location: key.location,
        };
        if let Ok(mut cache) = self.keys.lock() {
            if cache.len() >= KEY_CACHE_ENTRIES_MAX {
                cache.clear();
            }
            cache.insert(hash, (principal.clone(), now));
        }
        Ok(principal)
    }

    pub async fn create_api_key(
        &self,
        role: Role,
        channel: Option<ChannelCode>,
        location: Option<LocationCode>,
        name: Option<String>,
    ) -> AppResult<IssuedKey> {
        check_key_scope(role, channel.as_ref(), location.as_ref())
            .map_err(|(field, m)| AppError::Invalid(FieldErrors::single(field, m)))?;
        if let Some(code) = &location
            && self.store.location(code).await?.is_none()
        {
            return Err(AppError::Invalid(FieldErrors::single(
                "location",
                format!("no location has code {code}"),
            )));
        }
        if let Some(code) = &channel
            && self.store.channel(code).await?.is_none()
        {
            return Err(AppError::Invalid(FieldErrors::single(
                "channel",
                format!("no channel has code {code}"),
            )));
        }
        let secret = format!("ordo_{}", new_secret());
        self.issue_key(role, channel, location, name, secret).await
    }

    async fn issue_key(
        &self,
        role: Role,
        channel: Option<ChannelCode>,
        location: Option<LocationCode>,
        name: Option<String>,
        secret: String,
    ) -> AppResult<IssuedKey> {
        let now = self.clock.now_ms();
        let key = ApiKey {
            id: new_id("key", now),
            prefix: secret.chars().take(12).collect(),
            role,
            channel,
            location,
            name,
            created_at_ms: now,
            revoked_at_ms: None,
        };
        let hash = hash_secret(&secret);
        self.store.insert_api_key(&key, &hash).await?;
        self.throttle.forget_miss(&hash);
        Ok(IssuedKey { key, secret })
    }

    pub async fn api_keys(&self, page: &PageRequest) -> AppResult<Page<ApiKey>> {
        Ok(self.store.api_keys(page).await?)
    }

    pub async fn revoke_api_key(&self, id: &str) -> AppResult<()> {
        if !self.store.revoke_api_key(id, self.clock.now_ms()).await? {
            return Err(AppError::NotFound(format!("API key {id}")));
        }
        if let Ok(mut cache) = self.keys.lock() {
            cache.retain(|_, (principal, _)| principal.key_id != id);
        }
        Ok(())
    }

    /// Makes sure an admin can get in. With `given` (ORDO_BOOTSTRAP_ADMIN_KEY) that secret
    /// becomes an admin key if it is not one yet. Without it, and with no keys at all, a new
    /// admin key is created and returned so that it can be shown once.
    pub async fn bootstrap_admin(&self, given: Option<&str>) -> AppResult<Option<IssuedKey>> {
        if let Some(secret) = given {
            if secret.trim().len() < BOOTSTRAP_KEY_LEN_MIN
                || secret.chars().any(char::is_whitespace)
            {
                return Err(AppError::Invalid(FieldErrors::single(
                    "ORDO_BOOTSTRAP_ADMIN_KEY",
                    format!("must be at least {BOOTSTRAP_KEY_LEN_MIN} characters without spaces"),
                )));
            }
            if self
                .store
                .api_key_by_hash(&hash_secret(secret))
                .await?
                .is_none()
            {
                let name = Some("bootstrap admin".to_string());
                self.issue_key(Role::Admin, None, None, name, secret.to_string())
                    .await?;
            }
            return Ok(None);
        }
        if self.store.count_api_keys().await? > 0 {
            return Ok(None);
        }
        let name = Some("first admin".to_string());
        self.create_api_key(Role::Admin, None, None, name)
            .await
            .map(Some)
    }
}
