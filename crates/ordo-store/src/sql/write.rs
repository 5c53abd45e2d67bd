//! Writing what a stock transaction decided: positions (compare-and-set), threshold alerts as
//! events, ledger rows, reservations and holds; and the statement helpers every writer uses.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use ordo_domain::alerts::Alert;
use ordo_domain::hold::Hold;
use ordo_domain::inventory::{LedgerEntry, Position, StockBook};
use ordo_domain::reservation::Reservation;

use super::args::{Arg, Sql};
use super::inserts::{STATEMENT_ARGS_MAX, inserts};
use super::rows::RESERVATION_COLUMNS;
use crate::error::{StoreError, StoreResult};

/// Writes the positions the book changed. An update only applies where the row still holds
/// the figures that were loaded; if any row was changed meanwhile, the transaction fails as
/// retryable contention rather than overwrite that change. Updates go out a chunk of rows per
/// statement (`UPDATE … FROM (VALUES …)`, which both databases read), inserts likewise.
pub(crate) async fn write_book(
    conn: &mut dyn Exec,
    book: &StockBook,
    now_ms: i64,
) -> StoreResult<()> {
    let mut updates = Vec::new();
    let mut created = Vec::new();
    for changed in book.changed() {
        let p = changed.now;
        let mut row = vec![p.sku.as_str().into(), p.location.as_str().into()];
        row.extend(figures(p));
        match changed.loaded {
            Some(old) => {
                row.extend(figures(old));
                updates.push(row);
            }
            None => {
                row.push(now_ms.into());
                created.push(row);
            }
        }
    }
    update_positions(conn, &updates, now_ms).await?;
    insert_positions(conn, created).await
}

/// A position's figures, in the order the statements below read them (after its key).
fn figures(p: &Position) -> [Arg; 5] {
    [
        p.on_hand.into(),
        p.reserved.into(),
        p.safety_stock.into(),
        p.damaged.into(),
        p.quality_hold.into(),
    ]
}

/// Updates positions, each row its key, new figures and figures as loaded (12 values), where
/// they still hold the figures as loaded.
async fn update_positions(
    conn: &mut dyn Exec,
    updates: &[Vec<Arg>],
    now_ms: i64,
) -> StoreResult<()> {
    for chunk in updates.chunks(STATEMENT_ARGS_MAX / 12) {
        let mut sql = Sql::new(
            "UPDATE inventory_positions SET on_hand = v.column3, reserved = v.column4, safety_stock = v.column5, \
             damaged = v.column6, quality_hold = v.column7, updated_at = ",
        );
        sql.arg(now_ms).push(" FROM (VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .list(row.iter().cloned())
                .push(")");
        }
        sql.push(
            ") AS v WHERE inventory_positions.sku = v.column1 AND inventory_positions.location = v.column2 \
             AND inventory_positions.on_hand = v.column8 AND inventory_positions.reserved = v.column9 \
             AND inventory_positions.safety_stock = v.column10 AND inventory_positions.damaged = v.column11 \
             AND inventory_positions.quality_hold = v.column12",
        );
        let done = conn.run(sql).await?;
        if done != chunk.len() as u64 {
            return Err(StoreError::Contention(
                "a stock position changed meanwhile".into(),
            ));
        }
    }
    Ok(())
}

/// Inserts new positions, each row its key, figures and time.
async fn insert_positions(conn: &mut dyn Exec, created: Vec<Vec<Arg>>) -> StoreResult<()> {
    let columns = [
        "sku",
        "location",
        "on_hand",
        "reserved",
        "safety_stock",
        "damaged",
        "quality_hold",
        "updated_at",
    ];
    for sql in inserts("inventory_positions", &columns, created) {
        conn.run(sql).await.map_err(|e| {
            if e.is_unique_violation() {
                StoreError::Contention("a stock position was created meanwhile".into())
            } else {
                e
            }
        })?;
    }
    Ok(())
}

/// Stock alerts as events.
pub(crate) fn alert_inserts(alerts: &[Alert], now_ms: i64) -> Vec<Sql> {
    let rows: Vec<Vec<Arg>> = alerts
        .iter()
        .map(|a| {
            let data = json!({ "sku": a.sku.as_str(), "location": a.location.as_str(), "available": a.available, "from": a.from.as_str(), "to": a.to.as_str() });
            event_row(now_ms, a.kind, &format!("{}@{}", a.sku, a.location), &data)
        })
        .collect();
    inserts("events", &EVENT_COLUMNS, rows)
}

pub(crate) const EVENT_COLUMNS: [&str; 4] = ["at", "type", "subject", "data"];

pub(crate) fn event_row(
    at_ms: i64,
    kind: &str,
    subject: &str,
    data: &serde_json::Value,
) -> Vec<Arg> {
    vec![
        at_ms.into(),
        kind.into(),
        subject.into(),
        data.to_string().into(),
    ]
}

const LEDGER_COLUMNS: [&str; 14] = [
    "at",
    "location",
    "sku",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "on_hand_after",
    "reserved_after",
    "safety_stock_after",
    "damaged_after",
    "quality_hold_after",
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
                e.damaged_after.into(),
                e.quality_hold_after.into(),
                e.reason.clone().into(),
                e.reference.clone().into(),
                e.actor.as_str().into(),
            ]
        })
        .collect();
    inserts("inventory_ledger", &LEDGER_COLUMNS, rows)
}

/// Inserts new reservations and rewrites changed ones, by id. A reservation changed twice in
/// one work is written once, as it ended.
pub(crate) async fn upsert_reservations(
    conn: &mut dyn Exec,
    reservations: &[Reservation],
) -> StoreResult<()> {
    let mut last: HashMap<&str, &Reservation> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in reservations {
        if last.insert(r.id.as_str(), r).is_none() {
            order.push(r.id.as_str());
        }
    }
    let rows: Vec<Vec<Arg>> = order
        .iter()
        .map(|id| {
            let r = last[id];
            vec![
                r.id.as_str().into(),
                r.owner.as_str().into(),
                r.owner_id.as_str().into(),
                r.line_no.into(),
                r.sku.as_str().into(),
                r.location.as_str().into(),
                r.quantity.into(),
                r.status.as_str().into(),
                r.expires_at_ms.into(),
                r.created_at_ms.into(),
                r.updated_at_ms.into(),
            ]
        })
        .collect();
    let columns: Vec<&str> = RESERVATION_COLUMNS.split(',').map(str::trim).collect();
    for mut sql in inserts("reservations", &columns, rows) {
        sql.push(
            " ON CONFLICT (id) DO UPDATE SET owner_kind = excluded.owner_kind, owner_id = excluded.owner_id, \
             line_no = excluded.line_no, quantity = excluded.quantity, status = excluded.status, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at",
        );
        conn.run(sql).await?;
    }
    Ok(())
}

pub(crate) async fn update_hold(conn: &mut dyn Exec, hold: &Hold) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE holds SET status = ");
    sql.arg(hold.status.as_str())
        .push(", order_id = ")
        .arg(hold.order_id.clone())
        .push(", updated_at = ")
        .arg(hold.updated_at_ms);
    sql.push(" WHERE id = ").arg(hold.id.as_str());
    conn.run(sql).await?;
    Ok(())
}

pub(crate) async fn execute_all(conn: &mut dyn Exec, statements: Vec<Sql>) -> StoreResult<()> {
    for sql in statements {
        conn.run(sql).await?;
    }
    Ok(())
}

/// Which of `wanted` exist in `table.column`.
pub(crate) async fn existing<'a>(
    conn: &mut dyn Exec,
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
    let rows = conn.rows(sql).await?;
    rows.iter().map(|r| r.text_at(0)).collect()
}
