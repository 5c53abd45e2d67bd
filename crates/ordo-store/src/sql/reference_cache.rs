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

use super::args::{Arg, Sql};
use super::exec::Exec;
use super::load;
use crate::error::StoreResult;

#[derive(Default)]
pub(crate) struct ReferenceCache {
    locations: Kept<Vec<Location>>,
    channel_rules: Kept<HashMap<ChannelCode, StockRules>>,
}

impl ReferenceCache {
    /// Every location, as of this transaction.
    pub async fn locations(&self, conn: &mut dyn Exec) -> StoreResult<Arc<Vec<Location>>> {
        let version = version(conn, "locations").await?;
        if let Some(kept) = self.locations.at(version) {
            return Ok(kept);
        }
        // Read after the version: the copy is at least as new as the version it is kept at.
        Ok(self.locations.keep(version, load::locations(conn).await?))
    }

    /// Every active channel's stock rules, as of this transaction.
    pub async fn channel_rules(
        &self,
        conn: &mut dyn Exec,
    ) -> StoreResult<Arc<HashMap<ChannelCode, StockRules>>> {
        let version = version(conn, "channels").await?;
        if let Some(kept) = self.channel_rules.at(version) {
            return Ok(kept);
        }
        Ok(self
            .channel_rules
            .keep(version, load::channel_rules(conn).await?))
    }
}

/// The reference data one transaction has read: each kind read once, then the same for the
/// rest of the transaction.
pub(crate) struct TxReference {
    cache: Arc<ReferenceCache>,
    locations: Option<Arc<Vec<Location>>>,
    channel_rules: Option<Arc<HashMap<ChannelCode, StockRules>>>,
}

impl TxReference {
    pub fn new(cache: Arc<ReferenceCache>) -> Self {
        Self {
            cache,
            locations: None,
            channel_rules: None,
        }
    }

    pub async fn locations(&mut self, conn: &mut dyn Exec) -> StoreResult<Arc<Vec<Location>>> {
        if let Some(read) = &self.locations {
            return Ok(read.clone());
        }
        let read = self.cache.locations(conn).await?;
        Ok(self.locations.insert(read).clone())
    }

    pub async fn channel_rules(
        &mut self,
        conn: &mut dyn Exec,
    ) -> StoreResult<Arc<HashMap<ChannelCode, StockRules>>> {
        if let Some(read) = &self.channel_rules {
            return Ok(read.clone());
        }
        let read = self.cache.channel_rules(conn).await?;
        Ok(self.channel_rules.insert(read).clone())
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

async fn version(conn: &mut dyn Exec, kind: &str) -> StoreResult<i64> {
    let sql = Sql::with(
        "SELECT version FROM reference_versions WHERE kind = $1",
        [Arg::from(kind)],
    );
    conn.one(sql).await?.int_at(0)
}
