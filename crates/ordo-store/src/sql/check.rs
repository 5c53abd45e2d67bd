//! The stored invariants, checked: what `ordo check` runs.

use crate::sql::exec::Exec;

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
    breaches.extend(line_releases(store).await?);
    breaches.extend(release_checks(store).await?);
    breaches.extend(ledger(store).await?);
    breaches.extend(transfers(store).await?);
    Ok(breaches)
}

/// Every position: reserved equals its held reservations, and the position's own invariants
/// hold (figures not negative, unsellable within on hand, reserved within sellable — which
/// is to say available before safety stock is not negative).
async fn positions(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = store.reader().await?.rows(Sql::new("SELECT p.location, p.sku, p.on_hand, p.reserved, p.safety_stock, p.damaged, p.quality_hold, \
                CAST(COALESCE(r.held, 0) AS BIGINT) AS held \
         FROM inventory_positions p \
         LEFT JOIN (SELECT sku, location, SUM(quantity) AS held FROM reservations WHERE status = 'held' \
                    GROUP BY sku, location) r ON r.sku = p.sku AND r.location = p.location \
         WHERE p.reserved <> COALESCE(r.held, 0) OR p.on_hand < 0 OR p.reserved < 0 OR p.safety_stock < 0 \
            OR p.damaged < 0 OR p.quality_hold < 0 OR p.damaged + p.quality_hold + p.reserved > p.on_hand \
         ORDER BY p.sku, p.location",)).await?;
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
    let rows = store.reader().await?.rows(Sql::new("SELECT r.sku, r.location, CAST(SUM(r.quantity) AS BIGINT) AS held FROM reservations r \
         LEFT JOIN inventory_positions p ON p.sku = r.sku AND p.location = r.location \
         WHERE r.status = 'held' AND p.sku IS NULL GROUP BY r.sku, r.location ORDER BY r.sku, r.location",)).await?;
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
        let rows = store.reader().await?.rows(sql).await?;
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
    let rows = store.reader().await?.rows(Sql::new("SELECT l.order_id, l.line_no, l.qty_allocated, CAST(COALESCE(r.held, 0) AS BIGINT) AS held \
         FROM order_lines l \
         LEFT JOIN (SELECT owner_id, line_no, SUM(quantity) AS held FROM reservations \
                    WHERE status = 'held' AND owner_kind = 'order' \
                    GROUP BY owner_id, line_no) r ON r.owner_id = l.order_id AND r.line_no = l.line_no \
         WHERE l.qty_allocated <> COALESCE(r.held, 0) ORDER BY l.order_id, l.line_no",)).await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "order_line",
                subject: format!("{}#{}", row.text("order_id")?, row.int("line_no")?),
                detail: format!(
                    "allocated is {} but its held reservations sum to {}",
                    row.int("qty_allocated")?,
                    row.int("held")?
                ),
            })
        })
        .collect()
}

/// Every order line's released quantity equals the units its open fulfilment orders still
/// hold, and each of those units is held at the fulfilment order's location.
async fn line_releases(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = store.reader().await?.rows(Sql::new("SELECT l.order_id, l.line_no, l.qty_released, CAST(COALESCE(w.open_units, 0) AS BIGINT) AS open_units \
         FROM order_lines l \
         LEFT JOIN (SELECT f.order_id, fl.line_no, SUM(fl.quantity - fl.shipped) AS open_units \
                    FROM fulfillment_orders f JOIN fulfillment_lines fl ON fl.fulfillment_order_id = f.id \
                    WHERE f.status IN ('released', 'accepted', 'picking', 'picked', 'packed') \
                    GROUP BY f.order_id, fl.line_no) w ON w.order_id = l.order_id AND w.line_no = l.line_no \
         WHERE l.qty_released <> COALESCE(w.open_units, 0) ORDER BY l.order_id, l.line_no",)).await?;
    let mut breaches = rows
        .iter()
        .map(|row| {
            Ok(Breach {
                kind: "order_line",
                subject: format!("{}#{}", row.text("order_id")?, row.int("line_no")?),
                detail: format!(
                    "released is {} but its open fulfilment orders hold {}",
                    row.int("qty_released")?,
                    row.int("open_units")?
                ),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let uncovered = store.reader().await?.rows(Sql::new("SELECT f.id, fl.line_no, CAST(SUM(fl.quantity - fl.shipped) AS BIGINT) AS open_units, \
                CAST(COALESCE(MAX(r.held), 0) AS BIGINT) AS held \
         FROM fulfillment_orders f JOIN fulfillment_lines fl ON fl.fulfillment_order_id = f.id \
         LEFT JOIN (SELECT owner_id, line_no, location, SUM(quantity) AS held FROM reservations \
                    WHERE status = 'held' AND owner_kind = 'order' GROUP BY owner_id, line_no, location) r \
                ON r.owner_id = f.order_id AND r.line_no = fl.line_no AND r.location = f.location \
         WHERE f.status IN ('released', 'accepted', 'picking', 'picked', 'packed') \
         GROUP BY f.id, fl.line_no HAVING SUM(fl.quantity - fl.shipped) > COALESCE(MAX(r.held), 0) ORDER BY f.id",)).await?;
    for row in &uncovered {
        breaches.push(Breach {
            kind: "fulfillment_order",
            subject: format!("{}#{}", row.text("id")?, row.int("line_no")?),
            detail: format!(
                "holds {} open units but only {} are reserved at its location",
                row.int("open_units")?,
                row.int("held")?
            ),
        });
    }
    Ok(breaches)
}

/// Every order with allocated units not yet released, unless on hold or cancelled, is one the
/// releaser will look at (`release_check_at` set): otherwise its units would never reach their
/// location.
async fn release_checks(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = store.reader().await?.rows(Sql::new("SELECT o.id FROM orders o \
         WHERE o.release_check_at IS NULL AND o.status NOT IN ('on_hold', 'cancelled') \
         AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.qty_allocated > l.qty_released) \
         ORDER BY o.id",)).await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "order",
                subject: row.text("id")?,
                detail: "has units to release but the releaser is not told to look at it".into(),
            })
        })
        .collect()
}

/// The ledger explains every figure: its deltas at each position add up to on hand and
/// reserved.
async fn ledger(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = store.reader().await?.rows(Sql::new("SELECT p.location, p.sku, p.on_hand, p.reserved, \
                CAST(COALESCE(g.on_hand, 0) AS BIGINT) AS ledger_on_hand, \
                CAST(COALESCE(g.reserved, 0) AS BIGINT) AS ledger_reserved \
         FROM inventory_positions p \
         LEFT JOIN (SELECT location, sku, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved \
                    FROM inventory_ledger GROUP BY location, sku) g \
                ON g.location = p.location AND g.sku = p.sku \
         WHERE p.on_hand <> COALESCE(g.on_hand, 0) OR p.reserved <> COALESCE(g.reserved, 0) \
         ORDER BY p.sku, p.location",)).await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "ledger",
                subject: format!("{}@{}", row.text("sku")?, row.text("location")?),
                detail: format!(
                    "on hand {} and reserved {}, but the ledger adds up to {} and {}",
                    row.int("on_hand")?,
                    row.int("reserved")?,
                    row.int("ledger_on_hand")?,
                    row.int("ledger_reserved")?
                ),
            })
        })
        .collect()
}

/// A requested transfer holds exactly its lines at the source, a shipped one holds nothing
/// there, and no line receives more than it shipped nor ships more than it asked for.
async fn transfers(store: &SqlStore) -> StoreResult<Vec<Breach>> {
    let rows = store
        .reader()
        .await?
        .rows(Sql::new(
            "SELECT t.id, t.status, l.line_no, l.quantity, l.shipped, l.received, \
                CAST(COALESCE(r.held, 0) AS BIGINT) AS held \
         FROM transfers t JOIN transfer_lines l ON l.transfer_id = t.id \
         LEFT JOIN (SELECT owner_id, line_no, SUM(quantity) AS held FROM reservations \
                    WHERE status = 'held' AND owner_kind = 'transfer' \
                    GROUP BY owner_id, line_no) r ON r.owner_id = t.id AND r.line_no = l.line_no \
         WHERE (t.status = 'requested' AND l.quantity <> COALESCE(r.held, 0)) \
            OR (t.status <> 'requested' AND COALESCE(r.held, 0) <> 0) \
            OR l.received < 0 OR l.received > l.shipped OR l.shipped > l.quantity \
         ORDER BY t.id, l.line_no",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Breach {
                kind: "transfer",
                subject: format!("{}#{}", row.text("id")?, row.int("line_no")?),
                detail: format!(
                    "{}: asked {}, shipped {}, received {}, {} units held at the source",
                    row.text("status")?,
                    row.int("quantity")?,
                    row.int("shipped")?,
                    row.int("received")?,
                    row.int("held")?
                ),
            })
        })
        .collect()
}
