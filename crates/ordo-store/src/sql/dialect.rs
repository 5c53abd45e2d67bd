//! What truly differs between SQLite and PostgreSQL. Everything else is shared SQL.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::Exec;

use super::migrate::Migration;
use crate::error::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Each backend's migrations, in version order: `migrations/<backend>/<NNNN>_<name>.sql`.
macro_rules! migrations {
    ($backend:literal: $($version:literal $file:literal $name:literal),+ $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../../migrations/", $backend, "/", $file, "_", $name, ".sql")),
        }),+]
    };
}

const SQLITE_MIGRATIONS: &[Migration] = migrations!("sqlite":
    1 "0001" "core", 2 "0002" "inventory_truth", 3 "0003" "stock_lookups", 4 "0004" "routing",
    5 "0005" "reroute", 6 "0006" "drop_ship", 7 "0007" "fulfillment", 8 "0008" "shipment_views",
    9 "0009" "shipping_holds", 10 "0010" "key_names",
    11 "0011" "address_directions", 12 "0012" "location_streets", 13 "0013" "scan_indexes",
    14 "0014" "request_replays", 15 "0015" "job_leases",
    16 "0016" "order_search", 17 "0017" "order_search_by_name",
    18 "0018" "held_reservations_by_location", 19 "0019" "reference_versions",
    20 "0020" "channel_versions", 21 "0021" "release_checks",
);

const POSTGRES_MIGRATIONS: &[Migration] = migrations!("postgres":
    1 "0001" "core", 2 "0002" "inventory_truth", 3 "0003" "stock_lookups", 4 "0004" "routing",
    5 "0005" "reroute", 6 "0006" "drop_ship", 7 "0007" "fulfillment", 8 "0008" "shipment_views",
    9 "0009" "shipping_holds", 10 "0010" "key_names",
    11 "0011" "address_directions", 12 "0012" "location_streets", 13 "0013" "scan_indexes",
    14 "0014" "request_replays", 15 "0015" "job_leases",
    16 "0016" "order_search", 17 "0017" "order_search_by_name",
    18 "0018" "held_reservations_by_location", 19 "0019" "reference_versions",
    20 "0020" "channel_versions", 21 "0021" "release_checks",
);

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub(crate) fn migrations(self) -> &'static [Migration] {
        match self {
            Self::Sqlite => SQLITE_MIGRATIONS,
            Self::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    /// The clause that locks selected rows for the rest of the transaction. SQLite needs none:
    /// its one writer connection already runs write transactions one at a time.
    pub(crate) fn lock_rows(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }

    /// Hands out `count` consecutive order numbers inside the current transaction.
    pub(crate) async fn next_order_numbers(
        self,
        conn: &mut dyn Exec,
        count: i64,
    ) -> StoreResult<Vec<i64>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        match self {
            Self::Sqlite => {
                let row = conn.one(Sql::with("UPDATE counters SET value = value + $1 WHERE name = 'order_number' RETURNING value", [Arg::from(count)])).await?;
                let last: i64 = row.int_at(0)?;
                Ok((last - count + 1..=last).collect())
            }
            Self::Postgres => {
                let rows = conn
                    .rows(Sql::with(
                        "SELECT nextval('order_number_seq') FROM generate_series(1, $1)",
                        [Arg::from(count)],
                    ))
                    .await?;
                rows.iter().map(|r| r.int_at(0)).collect()
            }
        }
    }
}
