//! Each location's orders per day — its own day, in its time zone: read by routing for the
//! capacity left today, added to by every transaction that gives a location packages.

use crate::sql::exec::Exec;
use std::collections::{BTreeMap, HashMap};

use ordo_domain::location::Location;
use ordo_domain::values::LocationCode;

use super::args::Sql;
use super::inserts::inserts;
use super::rows::{self, RowExt};
use crate::error::StoreResult;

/// Each location's day at `now_ms`, in its own time zone.
fn days(locations: &[Location], now_ms: i64) -> HashMap<&LocationCode, String> {
    locations
        .iter()
        .map(|l| (&l.code, l.day_at(now_ms).to_string()))
        .collect()
}

/// Orders each location has been given today — its own day, in its time zone.
pub(crate) async fn loads(
    conn: &mut dyn Exec,
    locations: &[Location],
    now_ms: i64,
) -> StoreResult<HashMap<LocationCode, i64>> {
    let days = days(locations, now_ms);
    let mut distinct: Vec<&str> = days.values().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT location, day, orders FROM location_loads WHERE day IN (");
    sql.list(distinct).push(")");
    let mut loads = HashMap::new();
    for r in conn.rows(sql).await? {
        let (location, day) = (rows::location_code(&r, "location")?, r.text("day")?);
        if days.get(&location) == Some(&day) {
            loads.insert(location, r.int("orders")?);
        }
    }
    Ok(loads)
}

/// Adds today's new packages to each location's load.
pub(crate) async fn add_loads(
    conn: &mut dyn Exec,
    locations: &[Location],
    packages: &BTreeMap<LocationCode, i64>,
    now_ms: i64,
) -> StoreResult<()> {
    if packages.is_empty() {
        return Ok(());
    }
    let days = days(locations, now_ms);
    let utc = ordo_domain::promise::utc_date(now_ms).to_string();
    // One row per location, so one statement adds them all.
    let rows = packages
        .iter()
        .map(|(location, orders)| {
            let day = days.get(location).unwrap_or(&utc);
            vec![
                location.as_str().into(),
                day.as_str().into(),
                (*orders).into(),
            ]
        })
        .collect();
    for mut sql in inserts("location_loads", &["location", "day", "orders"], rows) {
        sql.push(" ON CONFLICT (location, day) DO UPDATE SET orders = location_loads.orders + excluded.orders");
        conn.run(sql).await?;
    }
    Ok(())
}
