//! Stock thresholds and the events table.

use crate::sql::args::Arg;
use crate::sql::exec::Exec;
use ordo_domain::alerts::Threshold;

use super::SqlStore;
use super::args::Sql;
use super::load::threshold;
use super::rows::RowExt;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::*;

fn key(t: &Threshold) -> (String, String) {
    (
        t.sku.as_ref().map_or("*".into(), |s| s.to_string()),
        t.location.as_ref().map_or("*".into(), |l| l.to_string()),
    )
}

pub(crate) async fn put_threshold(store: &SqlStore, t: &Threshold) -> StoreResult<()> {
    let (sku, location) = key(t);
    store.write_one(Sql::with("INSERT INTO stock_thresholds (sku, location, low_units, out_units) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sku, location) DO UPDATE SET low_units = excluded.low_units, out_units = excluded.out_units",[Arg::from(sku), Arg::from(location), Arg::from(t.low_units), Arg::from(t.out_units)])).await?;
    Ok(())
}

pub(crate) async fn delete_threshold(store: &SqlStore, t: &Threshold) -> StoreResult<bool> {
    let (sku, location) = key(t);
    let done = store
        .write_one(Sql::with(
            "DELETE FROM stock_thresholds WHERE sku = $1 AND location = $2",
            [Arg::from(sku), Arg::from(location)],
        ))
        .await?;
    Ok(done == 1)
}

pub(crate) async fn thresholds(store: &SqlStore) -> StoreResult<Vec<Threshold>> {
    let rows = store.reader().await?.rows(Sql::new("SELECT sku, location, low_units, out_units FROM stock_thresholds ORDER BY sku, location")).await?;
    rows.iter().map(threshold).collect()
}

/// Events in the order they happened, after the cursor (an event id).
pub(crate) async fn events(
    store: &SqlStore,
    filter: &EventFilter,
    page: &PageRequest,
) -> StoreResult<Page<EventRecord>> {
    let mut sql = Sql::new("SELECT id, at, type, subject, data FROM events");
    if let Some(kind) = &filter.kind {
        sql.and_where().push("type = ").arg(kind.as_str());
    }
    if let Some(cursor) = &page.cursor {
        let after: i64 = cursor
            .parse()
            .map_err(|_| StoreError::InvalidCursor(cursor.clone()))?;
        sql.and_where().push("id > ").arg(after);
    }
    sql.push(" ORDER BY id LIMIT ").arg(page.limit() + 1);
    let rows = store.reader().await?.rows(sql).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(EventRecord {
            id: row.int("id")?,
            at_ms: row.int("at")?,
            kind: row.text("type")?,
            subject: row.text("subject")?,
            data: corrupt(
                "data",
                serde_json::from_str(&row.text("data")?).map_err(|e| e.to_string()),
            )?,
        });
    }
    let limit = page.limit() as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|e| e.id.to_string())
    } else {
        // The feed goes on: hand back where it ended, so the caller can ask again later.
        items
            .last()
            .map(|e| e.id.to_string())
            .or_else(|| page.cursor.clone())
    };
    Ok(Page { items, next_cursor })
}
