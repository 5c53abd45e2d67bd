//! Releasing work to locations, as the store serves it: the orders holding allocations that
//! are due (found by a partial index), and the fulfilment orders a release transaction loads
//! and writes.

use ordo_domain::fulfillment::{Due, FulfillmentOrder};
use ordo_domain::values::LocationCode;

use super::SqlStore;
use super::args::Sql;
use super::exec::Exec;
use super::fulfillment::{OPEN, fresh_inserts, load, save, select};
use super::inserts::STATEMENT_ARGS_MAX;
use super::rows::RowExt;
use super::tx::Tx;
use super::write::execute_all;
use crate::error::StoreResult;
use crate::fulfillment::{RELEASE_ORDERS_MAX, ReleaseFilter};

/// Orders with allocated units not yet released (and neither on hold nor cancelled) holding
/// an allocation that is `due` at its location, oldest first, at most [`RELEASE_ORDERS_MAX`].
pub(crate) async fn orders_due(
    store: &SqlStore,
    filter: &ReleaseFilter,
    due: &[(LocationCode, Due)],
) -> StoreResult<Vec<String>> {
    let mut sql = Sql::new(
        "SELECT DISTINCT l.order_id AS id, o.created_at FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE l.qty_allocated > l.qty_released AND o.status NOT IN ('on_hold', 'cancelled')",
    );
    if let Some(id) = &filter.order_id {
        sql.push(" AND o.id = ").arg(id.as_str());
    }
    sql.push(
        " AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id \
         AND r.status = 'held' AND (1 = 0",
    );
    for (location, due) in due {
        match due {
            Due::All => {
                sql.push(" OR r.location = ").arg(location.as_str());
            }
            Due::MadeBy(wave_ms) => {
                sql.push(" OR (r.location = ")
                    .arg(location.as_str())
                    .push(" AND r.created_at <= ")
                    .arg(*wave_ms)
                    .push(")");
            }
            Due::None => {}
        }
    }
    sql.push("))");
    if let Some(location) = &filter.location {
        sql.push(" AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id AND r.status = 'held' AND r.location = ")
            .arg(location.as_str())
            .push(")");
    }
    sql.push(" ORDER BY o.created_at, l.order_id LIMIT ")
        .arg(RELEASE_ORDERS_MAX);
    let mut conn = store.reader().await?;
    conn.rows(sql).await?.iter().map(|r| r.text("id")).collect()
}

impl Tx {
    /// The orders' fulfilment orders still at work.
    pub async fn open_fulfillment_orders(
        &mut self,
        order_ids: &[String],
    ) -> StoreResult<Vec<FulfillmentOrder>> {
        let mut sql = select("order_id IN (");
        sql.list(order_ids.iter().map(String::as_str))
            .push(&format!(") AND status IN {OPEN}"));
        load(&mut self.write, sql).await
    }

    /// Writes a fulfilment order that exists already, with its lines, as the domain left it.
    pub async fn save_fulfillment_order(&mut self, fo: &FulfillmentOrder) -> StoreResult<()> {
        save(&mut self.write, fo).await
    }

    pub async fn insert_fulfillment_orders(&mut self, fos: &[FulfillmentOrder]) -> StoreResult<()> {
        execute_all(&mut self.write, fresh_inserts(fos)).await
    }

    /// Orders whose time to be looked at by the releaser has come (`release_check_at`, set by
    /// every change to an order waiting for release and by the releaser), earliest first, at
    /// most `limit`.
    pub async fn orders_to_release(
        &mut self,
        now_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<String>> {
        let mut sql = Sql::new(
            "SELECT id FROM orders WHERE release_check_at IS NOT NULL AND release_check_at <= ",
        );
        sql.arg(now_ms)
            .push(" ORDER BY release_check_at, id LIMIT ")
            .arg(limit as i64);
        let rows = self.write.rows(sql).await?;
        rows.iter().map(|r| r.text("id")).collect()
    }

    /// Sets when the releaser should next look at each order (`None`: only after a change),
    /// a chunk of orders per statement.
    pub async fn set_release_checks(&mut self, checks: &[(&str, Option<i64>)]) -> StoreResult<()> {
        for chunk in checks.chunks(STATEMENT_ARGS_MAX / 2) {
            let mut sql = Sql::new("UPDATE orders SET release_check_at = v.column2 FROM (VALUES ");
            for (i, (order_id, at_ms)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .arg(*order_id)
                    .push(", ")
                    .arg(*at_ms)
                    .push(")");
            }
            sql.push(") AS v WHERE orders.id = v.column1");
            self.write.run(sql).await?;
        }
        Ok(())
    }

    /// Has the releaser look at every order waiting for release again (the locations' release
    /// waves changed, so the times it set may be wrong).
    pub async fn recheck_releases(&mut self) -> StoreResult<()> {
        let sql =
            Sql::new("UPDATE orders SET release_check_at = 0 WHERE release_check_at IS NOT NULL");
        self.write.run(sql).await?;
        Ok(())
    }
}
