//! Drop ship: each order allocation at a supplier location is a purchase request to that
//! supplier. [`follow`] keeps the requests in step with the allocations a transaction wrote —
//! opened (or resized) while held, shipped when committed, cancelled when released — so
//! every path that allocates (placing, filling, re-routing, re-optimising) is covered.

use crate::sql::exec::Exec;
use std::collections::BTreeSet;

use ordo_domain::location::{Location, LocationKind};
use ordo_domain::purchase_request::PurchaseRequestStatus;
use ordo_domain::reservation::{Reservation, ReservationOwner, ReservationStatus};

use super::SqlStore;
use super::args::Sql;
use super::rows::RowExt;
use crate::error::{StoreResult, corrupt};
use crate::ids::new_id;
use crate::routing::{PurchaseRequestFilter, PurchaseRequestRecord};

pub(crate) async fn follow(
    conn: &mut dyn Exec,
    locations: &[Location],
    reservations: &[Reservation],
    now_ms: i64,
) -> StoreResult<()> {
    let orders: Vec<&Reservation> = reservations
        .iter()
        .filter(|r| r.owner == ReservationOwner::Order)
        .collect();
    if orders.is_empty() {
        return Ok(());
    }
    let suppliers: BTreeSet<&str> = locations
        .iter()
        .filter(|l| l.kind == LocationKind::Supplier)
        .map(|l| l.code.as_str())
        .collect();
    for r in orders
        .into_iter()
        .filter(|r| suppliers.contains(r.location.as_str()))
    {
        let sql = match r.status {
            ReservationStatus::Held => {
                let mut sql = Sql::new(
                    "INSERT INTO purchase_requests (id, reservation_id, order_id, line_no, supplier, sku, quantity, status, created_at, updated_at) VALUES (",
                );
                sql.arg(new_id("pr", now_ms))
                    .push(", ")
                    .arg(r.id.as_str())
                    .push(", ")
                    .arg(r.owner_id.as_str())
                    .push(", ")
                    .arg(i64::from(r.line_no))
                    .push(", ")
                    .arg(r.location.as_str())
                    .push(", ")
                    .arg(r.sku.as_str())
                    .push(", ")
                    .arg(r.quantity)
                    .push(", ")
                    .arg(PurchaseRequestStatus::Open.as_str())
                    .push(", ")
                    .arg(now_ms)
                    .push(", ")
                    .arg(now_ms)
                    .push(
                        ") ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
                    );
                sql
            }
            ReservationStatus::Committed | ReservationStatus::Released => {
                let mut sql = Sql::new("UPDATE purchase_requests SET status = ");
                sql.arg(PurchaseRequestStatus::following(r.status).as_str())
                    .push(", updated_at = ")
                    .arg(now_ms)
                    .push(" WHERE status = ")
                    .arg(PurchaseRequestStatus::Open.as_str())
                    .push(" AND reservation_id = ")
                    .arg(r.id.as_str());
                sql
            }
        };
        conn.run(sql).await?;
    }
    Ok(())
}

/// Purchase requests, oldest first.
pub(crate) async fn list(
    store: &SqlStore,
    filter: &PurchaseRequestFilter,
    limit: i64,
) -> StoreResult<Vec<PurchaseRequestRecord>> {
    let mut sql = Sql::new(
        "SELECT id, reservation_id, order_id, line_no, supplier, sku, quantity, status, created_at, updated_at \
         FROM purchase_requests WHERE 1 = 1",
    );
    if let Some(status) = &filter.status {
        sql.push(" AND status = ").arg(status.as_str());
    }
    if let Some(supplier) = &filter.supplier {
        sql.push(" AND supplier = ").arg(supplier.as_str());
    }
    if let Some(order_id) = &filter.order_id {
        sql.push(" AND order_id = ").arg(order_id.as_str());
    }
    if let Some(channel) = &filter.channel {
        sql.push(" AND order_id IN (SELECT id FROM orders WHERE channel = ")
            .arg(channel.as_str())
            .push(")");
    }
    sql.push(" ORDER BY created_at, id LIMIT ").arg(limit);
    let rows = store.reader().await?.rows(sql).await?;
    rows.iter()
        .map(|r| {
            Ok(PurchaseRequestRecord {
                id: r.text("id")?,
                allocation_id: r.text("reservation_id")?,
                order_id: r.text("order_id")?,
                line_no: r.int("line_no")? as u32,
                supplier: r.text("supplier")?,
                sku: r.text("sku")?,
                quantity: r.int("quantity")?,
                status: corrupt("status", PurchaseRequestStatus::parse(&r.text("status")?))?,
                created_at_ms: r.int("created_at")?,
                updated_at_ms: r.int("updated_at")?,
            })
        })
        .collect()
}
