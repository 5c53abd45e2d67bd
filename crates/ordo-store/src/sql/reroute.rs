//! Re-routing as the store reads and writes it: locations' rejections of allocations (whose
//! history keeps a line away from every location that refused it), and the routing
//! exceptions a person resolves.

use crate::sql::args::Arg;
use crate::sql::exec::Exec;

use ordo_domain::order::{RejectReason, RerouteOutcome};
use ordo_domain::values::{ChannelCode, LocationCode};

use super::SqlStore;
use super::args::Sql;
use super::rows::{self, RowExt};
use super::tx::Tx;
use crate::error::{StoreResult, corrupt};
use crate::routing::*;

/// Whether the allocation's units at its location are released to a fulfilment order: then
/// the location rejects the fulfilment order, not the allocation.
pub(crate) async fn released_at(
    conn: &mut dyn Exec,
    order_id: &str,
    reservation: &ordo_domain::reservation::Reservation,
) -> StoreResult<bool> {
    let row = conn.one(Sql::with("SELECT COUNT(*) AS n FROM fulfillment_orders f JOIN fulfillment_lines l ON l.fulfillment_order_id = f.id \
         WHERE f.order_id = $1 AND f.location = $2 AND l.line_no = $3 AND l.quantity > l.shipped \
         AND f.status NOT IN ('shipped', 'rejected', 'cancelled')",[Arg::from(order_id), Arg::from(reservation.location.as_str()), Arg::from(i64::from(reservation.line_no))])).await?;
    Ok(row.int("n")? > 0)
}

impl Tx {
    /// Every location that rejected units of this order line, once per rejection.
    pub async fn rejection_history(
        &mut self,
        order_id: &str,
        line_no: u32,
    ) -> StoreResult<Vec<LocationCode>> {
        let sql = Sql::with(
            "SELECT location FROM allocation_rejections WHERE order_id = $1 AND line_no = $2",
            [Arg::from(order_id), Arg::from(i64::from(line_no))],
        );
        let rows = self.write.rows(sql).await?;
        rows.iter()
            .map(|r| rows::location_code(r, "location"))
            .collect()
    }

    /// Records a rejection of units of one of the order's reservations.
    pub async fn insert_rejection(
        &mut self,
        rejection: &RejectionRecord,
        reservation_id: &str,
    ) -> StoreResult<()> {
        insert_rejection(&mut self.write, rejection, reservation_id).await
    }

    /// Opens a routing exception for a person to resolve.
    pub async fn insert_routing_exception(&mut self, e: &ExceptionRecord) -> StoreResult<()> {
        let sql = Sql::with(
            "INSERT INTO routing_exceptions (id, order_id, line_no, sku, units, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                Arg::from(e.id.as_str()),
                Arg::from(e.order_id.as_str()),
                Arg::from(i64::from(e.line_no)),
                Arg::from(e.sku.as_str()),
                Arg::from(e.units),
                Arg::from(e.reason.as_str()),
                Arg::from(e.created_at_ms),
            ],
        );
        self.write.run(sql).await?;
        Ok(())
    }

    /// A routing exception, locked until the transaction ends.
    pub async fn lock_routing_exception(
        &mut self,
        id: &str,
    ) -> StoreResult<Option<ExceptionRecord>> {
        let sql = format!(
            "SELECT {EXCEPTION_COLUMNS} FROM routing_exceptions WHERE id = $1{}",
            self.lock()
        );
        let row = self.write.first(Sql::with(&sql, [Arg::from(id)])).await?;
        row.as_ref().map(exception).transpose()
    }

    /// Writes how, when and by whom a routing exception was resolved.
    pub async fn update_routing_exception(&mut self, e: &ExceptionRecord) -> StoreResult<()> {
        let sql = Sql::with(
            "UPDATE routing_exceptions SET resolved_at = $1, resolution = $2, resolved_by = $3 WHERE id = $4",
            [
                Arg::from(e.resolved_at_ms),
                Arg::from(e.resolution.clone()),
                Arg::from(e.resolved_by.clone()),
                Arg::from(e.id.as_str()),
            ],
        );
        self.write.run(sql).await?;
        Ok(())
    }
}

async fn insert_rejection(
    conn: &mut dyn Exec,
    r: &RejectionRecord,
    reservation_id: &str,
) -> StoreResult<()> {
    conn.run(Sql::with("INSERT INTO allocation_rejections (id, order_id, line_no, reservation_id, location, sku, units, reason, attempt, note, outcome, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",[Arg::from(r.id.as_str()), Arg::from(r.order_id.as_str()), Arg::from(i64::from(r.line_no)), Arg::from(reservation_id), Arg::from(r.location.as_str()), Arg::from(r.sku.as_str()), Arg::from(r.units), Arg::from(r.reason.as_str()), Arg::from(i64::from(r.attempt)), Arg::from(r.note.clone()), Arg::from(r.outcome.as_str()), Arg::from(r.actor.as_str()), Arg::from(r.at_ms)])).await?;
    Ok(())
}

pub(crate) async fn rejections(
    store: &SqlStore,
    order_id: &str,
) -> StoreResult<Vec<RejectionRecord>> {
    let rows = store.reader().await?.rows(Sql::with("SELECT id, order_id, line_no, location, sku, units, reason, attempt, note, outcome, actor, at \
         FROM allocation_rejections WHERE order_id = $1 ORDER BY at, line_no, attempt",[Arg::from(order_id)])).await?;
    rows.iter()
        .map(|r| {
            Ok(RejectionRecord {
                id: r.text("id")?,
                order_id: r.text("order_id")?,
                line_no: r.int("line_no")? as u32,
                location: r.text("location")?,
                sku: r.text("sku")?,
                units: r.int("units")?,
                reason: corrupt("reason", RejectReason::parse(&r.text("reason")?))?,
                attempt: r.int("attempt")? as u32,
                note: r.opt_text("note")?,
                outcome: corrupt("outcome", RerouteOutcome::parse(&r.text("outcome")?))?,
                actor: r.text("actor")?,
                at_ms: r.int("at")?,
            })
        })
        .collect()
}

const EXCEPTION_COLUMNS: &str =
    "id, order_id, line_no, sku, units, reason, created_at, resolved_at, resolution, resolved_by";

fn exception(r: &crate::sql::exec::Row) -> StoreResult<ExceptionRecord> {
    Ok(ExceptionRecord {
        id: r.text("id")?,
        order_id: r.text("order_id")?,
        line_no: r.int("line_no")? as u32,
        sku: r.text("sku")?,
        units: r.int("units")?,
        reason: r.text("reason")?,
        created_at_ms: r.int("created_at")?,
        resolved_at_ms: r.opt_int("resolved_at")?,
        resolution: r.opt_text("resolution")?,
        resolved_by: r.opt_text("resolved_by")?,
    })
}

/// Exceptions oldest first: the open ones, or the resolved ones; on one channel's orders or
/// on all.
pub(crate) async fn exceptions(
    store: &SqlStore,
    open: bool,
    channel: Option<&ChannelCode>,
    limit: i64,
) -> StoreResult<Vec<ExceptionRecord>> {
    let state = if open { "IS NULL" } else { "IS NOT NULL" };
    let mut sql = Sql::new(&format!(
        "SELECT {EXCEPTION_COLUMNS} FROM routing_exceptions WHERE resolved_at {state}"
    ));
    if let Some(channel) = channel {
        sql.push(" AND order_id IN (SELECT id FROM orders WHERE channel = ")
            .arg(channel.as_str())
            .push(")");
    }
    sql.push(" ORDER BY created_at, id LIMIT ").arg(limit);
    let rows = store.reader().await?.rows(sql).await?;
    rows.iter().map(exception).collect()
}
