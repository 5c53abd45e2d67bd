//! Inventory: stock movements, positions, the ledger, and the shared write path every
//! transaction that touches stock goes through — lock positions in one order, decide in a
//! [`StockBook`], write back what changed with a compare-and-set, append to the ledger.

use std::collections::BTreeSet;

use sqlx::AnyConnection;
use sqlx::{Connection, Row};

use ordo_domain::inventory::{Cause, LedgerEntry, Position, StockBook};
use ordo_domain::values::{LocationCode, Sku};

use super::args::{Arg, STATEMENT_ARGS_MAX, Sql, inserts};
use super::catalog::finish_page;
use super::rows;
use super::{Backend, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::types::*;

const POSITION_COLUMNS: &str = "location, sku, on_hand, reserved, safety_stock";

/// Loads (and on PostgreSQL locks) the positions of these items, optionally only at these
/// locations. Rows are always locked in (sku, location) order, so two transactions never wait
/// on each other in a circle.
pub(crate) async fn lock_positions(
    conn: &mut AnyConnection,
    backend: Backend,
    skus: &BTreeSet<&Sku>,
    locations: Option<&BTreeSet<&LocationCode>>,
) -> StoreResult<Vec<Position>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {POSITION_COLUMNS} FROM inventory_positions WHERE sku IN ("
    ));
    sql.list(skus.iter().map(|s| s.as_str())).push(")");
    if let Some(locations) = locations {
        sql.push(" AND location IN (")
            .list(locations.iter().map(|l| l.as_str()))
            .push(")");
    }
    sql.push(" ORDER BY sku, location")
        .push(backend.lock_rows());
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter().map(rows::position).collect()
}

/// Writes the positions the book changed. An update only applies where the row still holds
/// the figures that were loaded; if any row was changed meanwhile, the transaction fails as
/// retryable contention rather than overwrite that change. Updates go out a chunk of rows per
/// statement (`UPDATE … FROM (VALUES …)`, which both databases read), inserts likewise.
pub(crate) async fn write_book(
    conn: &mut AnyConnection,
    book: &StockBook,
    now_ms: i64,
) -> StoreResult<()> {
    let mut updates = Vec::new();
    let mut created = Vec::new();
    for changed in book.changed() {
        let p = changed.now;
        match changed.loaded {
            Some(old) => updates.push(vec![
                Arg::from(p.sku.as_str()),
                p.location.as_str().into(),
                p.on_hand.into(),
                p.reserved.into(),
                p.safety_stock.into(),
                old.on_hand.into(),
                old.reserved.into(),
                old.safety_stock.into(),
            ]),
            None => created.push(vec![
                Arg::from(p.sku.as_str()),
                p.location.as_str().into(),
                p.on_hand.into(),
                p.reserved.into(),
                p.safety_stock.into(),
                now_ms.into(),
            ]),
        }
    }
    for chunk in updates.chunks(STATEMENT_ARGS_MAX / 8) {
        let mut sql = Sql::new(
            "UPDATE inventory_positions SET on_hand = v.column3, reserved = v.column4, safety_stock = v.column5, updated_at = ",
        );
        sql.arg(now_ms).push(" FROM (VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .list(row.iter().cloned())
                .push(")");
        }
        sql.push(
            ") AS v WHERE inventory_positions.sku = v.column1 AND inventory_positions.location = v.column2 \
             AND inventory_positions.on_hand = v.column6 AND inventory_positions.reserved = v.column7 \
             AND inventory_positions.safety_stock = v.column8",
        );
        let done = sql.build().execute(&mut *conn).await?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Contention(
                "a stock position changed meanwhile".into(),
            ));
        }
    }
    let columns = [
        "sku",
        "location",
        "on_hand",
        "reserved",
        "safety_stock",
        "updated_at",
    ];
    for sql in inserts("inventory_positions", &columns, created) {
        sql.build().execute(&mut *conn).await.map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Contention("a stock position was created meanwhile".into())
            } else {
                e.into()
            }
        })?;
    }
    Ok(())
}

const LEDGER_COLUMNS: [&str; 12] = [
    "at",
    "location",
    "sku",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "on_hand_after",
    "reserved_after",
    "safety_stock_after",
    "reason",
    "reference",
    "actor",
];

pub(crate) fn ledger_inserts(entries: &[LedgerEntry]) -> Vec<Sql> {
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                Arg::from(e.at_ms),
                e.location.as_str().into(),
                e.sku.as_str().into(),
                e.kind.as_str().into(),
                e.on_hand_delta.into(),
                e.reserved_delta.into(),
                e.on_hand_after.into(),
                e.reserved_after.into(),
                e.safety_stock_after.into(),
                e.reason.clone().into(),
                e.reference.clone().into(),
                e.actor.as_str().into(),
            ]
        })
        .collect();
    inserts("inventory_ledger", &LEDGER_COLUMNS, rows)
}

pub(crate) async fn execute_all(conn: &mut AnyConnection, statements: Vec<Sql>) -> StoreResult<()> {
    for sql in statements {
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Which of `wanted` exist in `table.column`.
pub(crate) async fn existing<'a>(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    wanted: impl IntoIterator<Item = &'a str>,
) -> StoreResult<BTreeSet<String>> {
    let wanted: Vec<&str> = wanted.into_iter().collect();
    if wanted.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut sql = Sql::new(&format!("SELECT {column} FROM {table} WHERE {column} IN ("));
    sql.list(wanted).push(")");
    let rows = sql.build().fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
        .collect()
}

pub(crate) async fn move_stock(
    store: &SqlStore,
    batch: &MovementBatch,
) -> StoreResult<MovementOutcome> {
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
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

    let mut book =
        StockBook::new(lock_positions(&mut tx, store.backend, &skus, Some(&locations)).await?);
    let cause = Cause {
        at_ms: batch.now_ms,
        reason: batch.reason.as_deref(),
        reference: batch.reference.as_deref(),
        actor: &batch.actor,
    };
    let mut entries = Vec::with_capacity(batch.moves.len());
    for (i, (location, sku, movement)) in batch.moves.iter().enumerate() {
        match book.apply(location, sku, *movement, cause) {
            Ok(entry) => entries.push(entry),
            Err(refusal) => problems.push((i, MoveProblem::Refused(refusal))),
        }
    }
    if !problems.is_empty() {
        return Ok(MovementOutcome::Rejected(problems));
    }
    write_book(&mut tx, &book, batch.now_ms).await?;
    execute_all(&mut tx, ledger_inserts(&entries)).await?;
    tx.commit().await?;
    Ok(MovementOutcome::Applied(entries))
}

fn filtered(select: &str, filter: &PositionFilter) -> Sql {
    let mut sql = Sql::new(select);
    if let Some(sku) = &filter.sku {
        sql.and_where().push("sku = ").arg(sku.as_str());
    }
    if let Some(location) = &filter.location {
        sql.and_where().push("location = ").arg(location.as_str());
    }
    sql
}

pub(crate) async fn positions(
    store: &SqlStore,
    filter: &PositionFilter,
    page: &PageRequest,
) -> StoreResult<Page<Position>> {
    let mut sql = filtered(
        &format!("SELECT {POSITION_COLUMNS} FROM inventory_positions"),
        filter,
    );
    if let Some(cursor) = &page.cursor {
        let (sku, location) = cursor
            .split_once('/')
            .ok_or_else(|| StoreError::InvalidCursor(cursor.clone()))?;
        sql.and_where()
            .push("(sku > ")
            .arg(sku)
            .push(" OR (sku = ")
            .arg(sku);
        sql.push(" AND location > ").arg(location).push("))");
    }
    sql.push(" ORDER BY sku, location LIMIT ")
        .arg(page.limit() + 1);
    let rows = sql.build().fetch_all(&store.read).await?;
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
    let select = "SELECT id, at, location, sku, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, \
                  safety_stock_after, reason, reference, actor FROM inventory_ledger";
    let mut sql = filtered(select, filter);
    if let Some(cursor) = &page.cursor {
        let id: i64 = cursor
            .parse()
            .map_err(|_| StoreError::InvalidCursor(cursor.clone()))?;
        sql.and_where().push("id < ").arg(id);
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let rows = sql.build().fetch_all(&store.read).await?;
    let mut items = rows
        .iter()
        .map(rows::ledger_record)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(finish_page(&mut items, page, |r| r.id.to_string()))
}

pub(crate) async fn positions_for_availability(
    store: &SqlStore,
    skus: &[Sku],
) -> StoreResult<Vec<Position>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT p.location, p.sku, p.on_hand, p.reserved, p.safety_stock FROM inventory_positions p \
         JOIN locations l ON l.code = p.location WHERE l.active = 1 AND p.sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str()))
        .push(") ORDER BY p.sku, p.location");
    let rows = sql.build().fetch_all(&store.read).await?;
    rows.iter().map(rows::position).collect()
}
