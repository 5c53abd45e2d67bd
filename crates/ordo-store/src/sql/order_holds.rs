//! Holds on orders and fulfilment orders, each placed or released in one transaction with
//! the order's status and timeline.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::Exec;

use ordo_domain::order::{HoldReason, OrderHold};

use super::SqlStore;
use super::rows::RowExt;
use super::tx::Tx;
use crate::error::{StoreResult, corrupt};

const HOLD_COLUMNS: &str = "id, order_id, fulfillment_order_id, reason, note, placed_at, placed_by, released_at, released_by";

fn hold_row(r: &crate::sql::exec::Row) -> StoreResult<OrderHold> {
    Ok(OrderHold {
        id: r.text("id")?,
        order_id: r.text("order_id")?,
        fulfillment_order_id: r.opt_text("fulfillment_order_id")?,
        reason: corrupt("reason", HoldReason::parse(&r.text("reason")?))?,
        note: r.opt_text("note")?,
        placed_at_ms: r.int("placed_at")?,
        placed_by: r.text("placed_by")?,
        released_at_ms: r.opt_int("released_at")?,
        released_by: r.opt_text("released_by")?,
    })
}

pub(crate) async fn holds_in(conn: &mut dyn Exec, order_id: &str) -> StoreResult<Vec<OrderHold>> {
    let rows = conn
        .rows(Sql::with(
            &format!(
                "SELECT {HOLD_COLUMNS} FROM order_holds WHERE order_id = $1 ORDER BY placed_at, id"
            ),
            [Arg::from(order_id)],
        ))
        .await?;
    rows.iter().map(hold_row).collect()
}

pub(crate) async fn order_holds(store: &SqlStore, order_id: &str) -> StoreResult<Vec<OrderHold>> {
    let mut conn = store.reader().await?;
    holds_in(&mut conn, order_id).await
}

pub(crate) async fn insert_hold(conn: &mut dyn Exec, h: &OrderHold) -> StoreResult<()> {
    conn.run(Sql::with(
        &format!(
            "INSERT INTO order_holds ({HOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        [
            Arg::from(h.id.as_str()),
            Arg::from(h.order_id.as_str()),
            Arg::from(h.fulfillment_order_id.clone()),
            Arg::from(h.reason.as_str()),
            Arg::from(h.note.clone()),
            Arg::from(h.placed_at_ms),
            Arg::from(h.placed_by.as_str()),
            Arg::from(h.released_at_ms),
            Arg::from(h.released_by.clone()),
        ],
    ))
    .await?;
    Ok(())
}

impl Tx {
    /// Adds a hold to an order (or one of its fulfilment orders).
    pub async fn insert_order_hold(&mut self, hold: &OrderHold) -> StoreResult<()> {
        insert_hold(&mut self.write, hold).await
    }

    /// Every hold of an order, released ones included, oldest first.
    pub async fn order_holds(&mut self, order_id: &str) -> StoreResult<Vec<OrderHold>> {
        holds_in(&mut self.write, order_id).await
    }

    /// Writes who released a hold, and when.
    pub async fn update_order_hold(&mut self, hold: &OrderHold) -> StoreResult<()> {
        let sql = Sql::with(
            "UPDATE order_holds SET released_at = $1, released_by = $2 WHERE id = $3",
            [
                Arg::from(hold.released_at_ms),
                Arg::from(hold.released_by.clone()),
                Arg::from(hold.id.as_str()),
            ],
        );
        self.write.run(sql).await?;
        Ok(())
    }
}

/// Whether the order or this fulfilment order has an active hold.
pub(crate) async fn held(conn: &mut dyn Exec, order_id: &str, fo_id: &str) -> StoreResult<bool> {
    let row = conn
        .one(Sql::with(
            "SELECT COUNT(*) AS n FROM order_holds WHERE order_id = $1 AND released_at IS NULL \
         AND (fulfillment_order_id IS NULL OR fulfillment_order_id = $2)",
            [Arg::from(order_id), Arg::from(fo_id)],
        ))
        .await?;
    Ok(row.int("n")? > 0)
}
