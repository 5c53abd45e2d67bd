//! Inventory: positions as readers see them, the ledger, and what a stock movement checks
//! exists.

use crate::sql::exec::Exec;
use std::collections::BTreeSet;

use ordo_domain::inventory::Position;
use ordo_domain::values::{LocationCode, Sku};

use super::SqlStore;
use super::args::Sql;
use super::catalog::finish_page;
use super::rows;
use super::stock::effective_positions_sql;
use super::tx::Tx;
use super::write::existing;
use crate::error::{StoreError, StoreResult};
use crate::types::*;

impl Tx {
    /// Which of these locations exist.
    pub async fn existing_locations(
        &mut self,
        codes: &BTreeSet<&LocationCode>,
    ) -> StoreResult<BTreeSet<LocationCode>> {
        let found = existing(
            &mut self.write,
            "locations",
            "code",
            codes.iter().map(|c| c.as_str()),
        );
        let found = found.await?;
        Ok(codes
            .iter()
            .filter(|c| found.contains(c.as_str()))
            .map(|c| (*c).clone())
            .collect())
    }

    /// Which of these items exist.
    pub async fn existing_items(&mut self, skus: &BTreeSet<&Sku>) -> StoreResult<BTreeSet<Sku>> {
        let found = existing(
            &mut self.write,
            "items",
            "sku",
            skus.iter().map(|s| s.as_str()),
        );
        let found = found.await?;
        Ok(skus
            .iter()
            .filter(|s| found.contains(s.as_str()))
            .map(|s| (*s).clone())
            .collect())
    }
}

pub(crate) async fn positions(
    store: &SqlStore,
    filter: &PositionFilter,
    page: &PageRequest,
    now_ms: i64,
) -> StoreResult<Page<Position>> {
    let mut sql = effective_positions_sql(now_ms);
    if let Some(sku) = &filter.sku {
        sql.and_where().push("p.sku = ").arg(sku.as_str());
    }
    if let Some(location) = &filter.location {
        sql.and_where().push("p.location = ").arg(location.as_str());
    }
    if let Some(cursor) = &page.cursor {
        let (sku, location) = cursor
            .split_once('/')
            .ok_or_else(|| StoreError::InvalidCursor(cursor.clone()))?;
        sql.and_where()
            .push("(p.sku > ")
            .arg(sku)
            .push(" OR (p.sku = ")
            .arg(sku);
        sql.push(" AND p.location > ").arg(location).push("))");
    }
    sql.push(" ORDER BY p.sku, p.location LIMIT ")
        .arg(page.limit() + 1);
    let rows = store.reader().await?.rows(sql).await?;
    let mut items = rows
        .iter()
        .map(rows::position)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(finish_page(&mut items, page, |p| {
        format!("{}/{}", p.sku, p.location)
    }))
}

pub(crate) async fn ledger(
    store: &SqlStore,
    filter: &PositionFilter,
    page: &PageRequest,
) -> StoreResult<Page<LedgerRecord>> {
    let mut sql = Sql::new(
        "SELECT id, at, location, sku, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, \
         safety_stock_after, damaged_after, quality_hold_after, reason, reference, actor FROM inventory_ledger",
    );
    if let Some(sku) = &filter.sku {
        sql.and_where().push("sku = ").arg(sku.as_str());
    }
    if let Some(location) = &filter.location {
        sql.and_where().push("location = ").arg(location.as_str());
    }
    if let Some(cursor) = &page.cursor {
        let id: i64 = cursor
            .parse()
            .map_err(|_| StoreError::InvalidCursor(cursor.clone()))?;
        sql.and_where().push("id < ").arg(id);
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let rows = store.reader().await?.rows(sql).await?;
    let mut items = rows
        .iter()
        .map(rows::ledger_record)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(finish_page(&mut items, page, |r| r.id.to_string()))
}

/// Positions of these items at active locations, as a reader sees them at `now_ms`.
pub(crate) async fn positions_for_availability(
    store: &SqlStore,
    skus: &[Sku],
    now_ms: i64,
) -> StoreResult<Vec<Position>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = effective_positions_sql(now_ms);
    sql.push(" JOIN locations l ON l.code = p.location WHERE l.active = 1 AND p.sku IN (");
    sql.list(skus.iter().map(|s| s.as_str()))
        .push(") ORDER BY p.sku, p.location");
    let rows = store.reader().await?.rows(sql).await?;
    rows.iter().map(rows::position).collect()
}
