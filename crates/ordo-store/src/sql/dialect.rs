//! What truly differs between SQLite and PostgreSQL. Everything else is shared SQL.

use sqlx::AnyConnection;
use sqlx::Row;

use super::migrate::Migration;
use crate::error::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../../migrations/sqlite/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "inventory_truth",
        sql: include_str!("../../migrations/sqlite/0002_inventory_truth.sql"),
    },
    Migration {
        version: 3,
        name: "stock_lookups",
        sql: include_str!("../../migrations/sqlite/0003_stock_lookups.sql"),
    },
    Migration {
        version: 4,
        name: "routing",
        sql: include_str!("../../migrations/sqlite/0004_routing.sql"),
    },
    Migration {
        version: 5,
        name: "reroute",
        sql: include_str!("../../migrations/sqlite/0005_reroute.sql"),
    },
    Migration {
        version: 6,
        name: "drop_ship",
        sql: include_str!("../../migrations/sqlite/0006_drop_ship.sql"),
    },
    Migration {
        version: 7,
        name: "fulfillment",
        sql: include_str!("../../migrations/sqlite/0007_fulfillment.sql"),
    },
];

const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        sql: include_str!("../../migrations/postgres/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "inventory_truth",
        sql: include_str!("../../migrations/postgres/0002_inventory_truth.sql"),
    },
    Migration {
        version: 3,
        name: "stock_lookups",
        sql: include_str!("../../migrations/postgres/0003_stock_lookups.sql"),
    },
    Migration {
        version: 4,
        name: "routing",
        sql: include_str!("../../migrations/postgres/0004_routing.sql"),
    },
    Migration {
        version: 5,
        name: "reroute",
        sql: include_str!("../../migrations/postgres/0005_reroute.sql"),
    },
    Migration {
        version: 6,
        name: "drop_ship",
        sql: include_str!("../../migrations/postgres/0006_drop_ship.sql"),
    },
    Migration {
        version: 7,
        name: "fulfillment",
        sql: include_str!("../../migrations/postgres/0007_fulfillment.sql"),
    },
];

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
        conn: &mut AnyConnection,
        count: i64,
    ) -> StoreResult<Vec<i64>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        match self {
            Self::Sqlite => {
                let row = sqlx::query("UPDATE counters SET value = value + $1 WHERE name = 'order_number' RETURNING value")
                    .bind(count)
                    .fetch_one(&mut *conn)
                    .await?;
                let last: i64 = row.try_get(0)?;
                Ok((last - count + 1..=last).collect())
            }
            Self::Postgres => {
                let rows =
                    sqlx::query("SELECT nextval('order_number_seq') FROM generate_series(1, $1)")
                        .bind(count)
                        .fetch_all(&mut *conn)
                        .await?;
                rows.iter()
                    .map(|r| r.try_get::<i64, _>(0).map_err(Into::into))
                    .collect()
            }
        }
    }
}
