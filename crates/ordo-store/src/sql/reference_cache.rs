//! Reference data kept between transactions: each copy with the version of its table it was
//! read at (`reference_versions`, set by a trigger to a value never used before on every
//! change of the table, in the changing transaction). A transaction reads the version — one
//! row — and takes the copy when it is current, else reads the table again. Several servers on
//! one database each keep their own copy, kept true the same way.

use std::sync::{Arc, Mutex};

use ordo_domain::location::Location;

use super::args::{Arg, Sql};
use super::exec::Exec;
use super::load;
use crate::error::StoreResult;

#[derive(Default)]
pub(crate) struct ReferenceCache {
    locations: Mutex<Option<(i64, Arc<Vec<Location>>)>>,
}

impl ReferenceCache {
    /// Every location, as of this transaction.
    pub async fn locations(&self, conn: &mut dyn Exec) -> StoreResult<Arc<Vec<Location>>> {
        let version = version(conn, "locations").await?;
        if let Ok(cached) = self.locations.lock()
            && let Some((at, locations)) = cached.as_ref()
            && *at == version
        {
            return Ok(locations.clone());
        }
        // Read after the version: the copy is at least as new as the version it is kept at.
        let locations = Arc::new(load::locations(conn).await?);
        if let Ok(mut cached) = self.locations.lock() {
            *cached = Some((version, locations.clone()));
        }
        Ok(locations)
    }
}

async fn version(conn: &mut dyn Exec, kind: &str) -> StoreResult<i64> {
    let sql = Sql::with(
        "SELECT version FROM reference_versions WHERE kind = $1",
        [Arg::from(kind)],
    );
    conn.one(sql).await?.int_at(0)
}
