//! Inventory: stock movements, positions as readers see them, and the ledger.

use crate::sql::exec::Exec;
use std::collections::BTreeSet;

use ordo_domain::inventory::{Cause, Position};
use ordo_domain::values::{LocationCode, Sku};

use super::SqlStore;
use super::args::Sql;
use super::catalog::finish_page;
use super::rows;
use super::stock::{StockWork, effective_positions_sql};
use super::write::existing;
use crate::error::{StoreError, StoreResult};
use crate::types::*;

pub(crate) async fn move_stock(
    store: &SqlStore,
    batch: &MovementBatch,
    deciders: &Deciders<'_>,
) -> StoreResult<MovementOutcome> {
    let mut tx = store.begin().await?;
    let skus: BTreeSet<&Sku> = batch.moves.iter().map(|(_, s, _)| s).collect();
    let locations: BTreeSet<&LocationCode> = batch.moves.iter().map(|(l, _, _)| l).collect();
    let known_locations = existing(
        &mut tx,
        "locations",
        "code",
        locations.iter().map(|l| l.as_str()),
    )
    .await?;
    let known_items = existing(&mut tx, "items", "sku", skus.iter().map(|s| s.as_str())).await?;

    let mut problems = Vec::new();
    for (i, (location, sku, _)) in batch.moves.iter().enumerate() {
        if !known_locations.contains(location.as_str()) {
            problems.push((i, MoveProblem::UnknownLocation));
        }
        if !known_items.contains(sku.as_str()) {
            problems.push((i, MoveProblem::UnknownItem));
        }
    }
    if !problems.is_empty() {
        return Ok(MovementOutcome::Rejected(problems));
    }

    let skus = skus.into_iter().cloned().collect();
    let mut work = StockWork::begin(&mut tx, store, skus, batch.now_ms).await?;
    let cause = Cause {
        at_ms: batch.now_ms,
        reason: batch.reason.as_deref(),
        reference: batch.reference.as_deref(),
        actor: &batch.actor,
    };
    let mut entries = Vec::with_capacity(batch.moves.len());
    for (i, (location, sku, movement)) in batch.moves.iter().enumerate() {
        match work.book.apply(location, sku, *movement, cause) {
            Ok(entry) => entries.push(entry),
            Err(refusal) => problems.push((i, MoveProblem::Refused(refusal))),
        }
    }
    if !problems.is_empty() {
        return Ok(MovementOutcome::Rejected(problems));
    }
    work.ledger.extend(entries.iter().cloned());
    work.fill_backorders(&mut tx, deciders, "stock arrived")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(MovementOutcome::Applied(entries))
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
    let rows = store.read.acquire().await?.rows(sql).await?;
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
    let rows = store.read.acquire().await?.rows(sql).await?;
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
    let rows = store.read.acquire().await?.rows(sql).await?;
    rows.iter().map(rows::position).collect()
}
