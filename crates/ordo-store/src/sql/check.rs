//! The stored invariants, checked: what `ordo check` runs.

use sqlx::Row;

use super::SqlStore;
use super::args::Sql;
use super::rows::{self, LINE_COLUMNS, RowExt};
use crate::error::StoreResult;
use crate::types::Breach;

/// Order lines are read in pages of this many, so a large store is checked in bounded memory.
const LINES_PAGE: i64 = 5_000;

pub(crate) async fn check_invariants(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let mut breaches = positions(store).await?;
    breaches.extend(orphan_reservations(store).await?);
    breaches.extend(line_quantities(store).await?);
    breaches.extend(line_allocations(store).await?);
    Ok(breaches)
}

/// Every position: reserved equals its held reservations, and the position's own invariants
/// hold (figures not negative, unsellable within on hand, reserved within sellable — which
/// is to say available before safety stock is not negative).
async fn positions(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = sqlx::query(
        "SELECT p.location, p.sku, p.on_hand, p.reserved, p.safety_stock, p.damaged, p.quality_hold, \
                CAST(COALESCE(r.held, 0) AS BIGINT) AS held \
         FROM inventory_positions p \
         LEFT JOIN (SELECT sku, location, SUM(quantity) AS held FROM reservations WHERE status = 'held' \
                    GROUP BY sku, location) r ON r.sku = p.sku AND r.location = p.location \
         WHERE p.reserved <> COALESCE(r.held, 0) OR p.on_hand < 0 OR p.reserved < 0 OR p.safety_stock < 0 \
            OR p.damaged < 0 OR p.quality_hold < 0 OR p.damaged + p.quality_hold + p.reserved > p.on_hand \
         ORDER BY p.sku, p.location",
    )
    .fetch_all(&store.read)
    .await?;
    let mut breaches = Vec::new();
    for row in rows {
        let position = rows::position(&row)?;
        let subject = format!("{}@{}", position.sku, position.location);
        let held = row.int("held")?;
        if position.reserved != held {
            breaches.push(Breach {
                kind: "position",
                subject: subject.clone(),
                detail: format!(
                    "reserved is {} but its held reservations sum to {held}",
                    position.reserved
                ),
            });
        }
        if let Err(broken) = position.check() {
            breaches.push(Breach {
                kind: "position",
                subject,
                detail: broken.to_string(),
            });
        }
    }
    Ok(breaches)
}

/// Held reservations at a position that does not exist.
async fn orphan_reservations(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = sqlx::query(
        "SELECT r.sku, r.location, CAST(SUM(r.quantity) AS BIGINT) AS held FROM reservations r \
         LEFT JOIN inventory_positions p ON p.sku = r.sku AND p.location = r.location \
         WHERE r.status = 'held' AND p.sku IS NULL GROUP BY r.sku, r.location ORDER BY r.sku, r.location",
    )
    .fetch_all(&store.read)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "reservation",
                subject: format!("{}@{}", row.text("sku")?, row.text("location")?),
                detail: format!(
                    "{} units are held at a position that does not exist",
                    row.int("held")?
                ),
            })
        })
        .collect()
}

/// Every order line's quantities add up (the domain's rule, applied to each stored line).
async fn line_quantities(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let mut breaches = Vec::new();
    let mut after: Option<(String, i64)> = None;
    loop {
        let mut sql = Sql::new(&format!("SELECT {LINE_COLUMNS} FROM order_lines"));
        if let Some((order_id, line_no)) = &after {
            sql.and_where()
                .push("(order_id > ")
                .arg(order_id.as_str())
                .push(" OR (order_id = ")
                .arg(order_id.as_str());
            sql.push(" AND line_no > ").arg(*line_no).push("))");
        }
        sql.push(" ORDER BY order_id, line_no LIMIT ")
            .arg(LINES_PAGE);
        let rows = sql.build().fetch_all(&store.read).await?;
        for row in &rows {
            let (order_id, line) = rows::order_line(row)?;
            if let Err(detail) = line.quantities.check() {
                breaches.push(Breach {
                    kind: "order_line",
                    subject: format!("{order_id}#{}", line.line_no),
                    detail,
                });
            }
            after = Some((order_id, i64::from(line.line_no)));
        }
        if (rows.len() as i64) < LINES_PAGE {
            return Ok(breaches);
        }
    }
}

/// Every order line's allocated quantity equals its held reservations.
async fn line_allocations(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = sqlx::query(
        "SELECT l.order_id, l.line_no, l.qty_allocated, CAST(COALESCE(r.held, 0) AS BIGINT) AS held \
         FROM order_lines l \
         LEFT JOIN (SELECT owner_id, line_no, SUM(quantity) AS held FROM reservations \
                    WHERE status = 'held' AND owner_kind = 'order' \
                    GROUP BY owner_id, line_no) r ON r.owner_id = l.order_id AND r.line_no = l.line_no \
         WHERE l.qty_allocated <> COALESCE(r.held, 0) ORDER BY l.order_id, l.line_no",
    )
    .fetch_all(&store.read)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "order_line",
                subject: format!(
                    "{}#{}",
                    row.text("order_id")?,
                    row.try_get::<i64, _>("line_no")?
                ),
                detail: format!(
                    "allocated is {} but its held reservations sum to {}",
                    row.int("qty_allocated")?,
                    row.int("held")?
                ),
            })
        })
        .collect()
}
