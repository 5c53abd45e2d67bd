//! Reference data kept between transactions: each copy with the version of its table it was
//! read at (`reference_versions`, set by a trigger to a value never used before on every
//! change of the table, in the changing transaction). A transaction reads the version — one
//! row — and takes the copy when it is current, else reads the table again. Several servers on
//! one database each keep their own copy, kept true the same way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ordo_domain::channel::StockRules;
use ordo_domain::location::Location;
use ordo_domain::values::ChannelCode;

use super::args::Sql;
use super::exec::Exec;
use super::load;
use crate::error::{StoreError, StoreResult};

#[derive(Default)]
pub(crate) struct ReferenceCache {
    locations: Kept<Vec<Location>>,
    channel_rules: Kept<HashMap<ChannelCode, StockRules>>,
}

impl ReferenceCache {
    /// Every location, as of `version` of their table.
    async fn locations(
        &self,
        conn: &mut dyn Exec,
        version: i64,
    ) -> StoreResult<Arc<Vec<Location>>> {
        if let Some(kept) = self.locations.at(version) {
            return Ok(kept);
        }
        // Read after the version: the copy is at least as new as the version it is kept at.
        Ok(self.locations.keep(version, load::locations(conn).await?))
    }

    /// Every active channel's stock rules, as of `version` of their table.
    async fn channel_rules(
        &self,
        conn: &mut dyn Exec,
        version: i64,
    ) -> StoreResult<Arc<HashMap<ChannelCode, StockRules>>> {
        if let Some(kept) = self.channel_rules.at(version) {
            return Ok(kept);
        }
        Ok(self
            .channel_rules
            .keep(version, load::channel_rules(conn).await?))
    }
}

/// The reference data one transaction has read: the versions of every kind in one statement
/// at the first use, each kind read once, then the same for the rest of the transaction.
pub(crate) struct TxReference {
    cache: Arc<ReferenceCache>,
    versions: Option<Versions>,
    locations: Option<Arc<Vec<Location>>>,
    channel_rules: Option<Arc<HashMap<ChannelCode, StockRules>>>,
}

impl TxReference {
    pub fn new(cache: Arc<ReferenceCache>) -> Self {
        Self {
            cache,
            versions: None,
            locations: None,
            channel_rules: None,
        }
    }

    pub async fn locations(&mut self, conn: &mut dyn Exec) -> StoreResult<Arc<Vec<Location>>> {
        if let Some(read) = &self.locations {
            return Ok(read.clone());
        }
        let version = self.versions(conn).await?.locations;
        let read = self.cache.locations(conn, version).await?;
        Ok(self.locations.insert(read).clone())
    }

    pub async fn channel_rules(
        &mut self,
        conn: &mut dyn Exec,
    ) -> StoreResult<Arc<HashMap<ChannelCode, StockRules>>> {
        if let Some(read) = &self.channel_rules {
            return Ok(read.clone());
        }
        let version = self.versions(conn).await?.channels;
        let read = self.cache.channel_rules(conn, version).await?;
        Ok(self.channel_rules.insert(read).clone())
    }
}

impl TxReference {
    async fn versions(&mut self, conn: &mut dyn Exec) -> StoreResult<Versions> {
        if let Some(versions) = self.versions {
            return Ok(versions);
        }
        Ok(*self.versions.insert(Versions::read(conn).await?))
    }
}

/// The version of each kind of reference data kept, as one transaction read them.
#[derive(Clone, Copy)]
struct Versions {
    locations: i64,
    channels: i64,
}

impl Versions {
    async fn read(conn: &mut dyn Exec) -> StoreResult<Self> {
        let sql = Sql::new(
            "SELECT kind, version FROM reference_versions WHERE kind IN ('locations', 'channels')",
        );
        let (mut locations, mut channels) = (None, None);
        for row in conn.rows(sql).await? {
            let version = Some(row.int_at(1)?);
            match row.text_at(0)?.as_str() {
                "locations" => locations = version,
                "channels" => channels = version,
                _ => {}
            }
        }
        let missing = |kind: &str| StoreError::Corrupt(format!("no version of {kind} is kept"));
        Ok(Self {
            locations: locations.ok_or_else(|| missing("locations"))?,
            channels: channels.ok_or_else(|| missing("channels"))?,
        })
    }
}

/// One copy, with the version it was read at.
struct Kept<T>(Mutex<Option<(i64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> Kept<T> {
    /// The copy, if it was read at `version`.
    fn at(&self, version: i64) -> Option<Arc<T>> {
        let kept = self.0.lock().ok()?;
        kept.as_ref()
            .filter(|(at, _)| *at == version)
            .map(|(_, copy)| copy.clone())
    }

    fn keep(&self, version: i64, copy: T) -> Arc<T> {
        let copy = Arc::new(copy);
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some((version, copy.clone()));
        }
        copy
    }
}
