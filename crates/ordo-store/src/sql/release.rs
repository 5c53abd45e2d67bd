//! Releasing due allocations to their locations: the orders with allocated units not yet
//! released (found by a partial index), a few dozen per transaction so that orders being
//! placed are not kept waiting behind a pass.

use crate::sql::exec::Exec;

use ordo_domain::fulfillment::{self as domain, FulfillmentOrder};
use ordo_domain::order::OrderEvent;

use super::args::Sql;
use super::fulfillment::{OPEN, fresh_inserts, load, save, select};
use super::orders::{event_inserts, load_orders, update_order};
use super::rows::RowExt;
use super::write::execute_all;
use super::{SqlStore, load as loading};
use crate::error::StoreResult;
use crate::fulfillment::*;
use crate::ids::new_id;

/// Releases due allocations: every order with allocated units not yet released (and not on
/// hold), oldest first, in one transaction.
pub(crate) async fn release_due(
    store: &SqlStore,
    filter: &ReleaseFilter,
    now_ms: i64,
    actor: &str,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut sql = Sql::new(
        "SELECT DISTINCT l.order_id AS id, o.created_at FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE l.qty_allocated > l.qty_released AND o.status NOT IN ('on_hold', 'cancelled')",
    );
    if let Some(id) = &filter.order_id {
        sql.push(" AND o.id = ").arg(id.as_str());
    }
    // Only orders with an allocation that is due: at a location without waves, or made
    // before its location's latest wave.
    let locations = {
        let mut conn = store.read.acquire().await?;
        loading::locations(&mut conn).await?
    };
    sql.push(
        " AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id \
         AND r.status = 'held' AND (1 = 0",
    );
    for l in &locations {
        match l.release_waves.last_wave_ms(&l.time_zone, now_ms) {
            None if l.release_waves.0.is_empty() => {
                sql.push(" OR r.location = ").arg(l.code.as_str());
            }
            None => {}
            Some(wave_ms) => {
                sql.push(" OR (r.location = ")
                    .arg(l.code.as_str())
                    .push(" AND r.created_at <= ")
                    .arg(wave_ms)
                    .push(")");
            }
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
    let ids = {
        let mut conn = store.read.acquire().await?;
        conn.rows(sql)
            .await?
            .iter()
            .map(|r| r.text("id"))
            .collect::<StoreResult<Vec<_>>>()?
    };
    let mut released = Vec::new();
    // Short transactions, so that orders being placed are not kept waiting behind a pass.
    for chunk in ids.chunks(RELEASE_BATCH_ORDERS) {
        released.extend(release_orders(store, chunk, now_ms, actor).await?);
    }
    Ok(released)
}

/// Orders released per transaction.
const RELEASE_BATCH_ORDERS: usize = 64;

async fn release_orders(
    store: &SqlStore,
    ids: &[String],
    now_ms: i64,
    actor: &str,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut tx = store.begin().await?;
    let mut records = load_orders(&mut tx, ids, store.backend.lock_rows()).await?;
    let locations = loading::locations(&mut tx).await?;
    let mut open_sql = select("order_id IN (");
    open_sql
        .list(ids.iter().map(String::as_str))
        .push(&format!(") AND status IN {OPEN}"));
    let open = load(&mut tx, open_sql).await?;
    let mut released = Vec::new();
    let mut events: Vec<OrderEvent> = Vec::new();
    let mut fresh: Vec<FulfillmentOrder> = Vec::new();
    for record in &mut records {
        let seq_before = record.order.event_seq;
        let mine: Vec<FulfillmentOrder> = open
            .iter()
            .filter(|f| f.order_id == record.order.id)
            .cloned()
            .collect();
        let plan = domain::release(
            &mut record.order,
            &record.reservations,
            &mine,
            &locations,
            now_ms,
            actor,
            &mut || new_id("ful", now_ms),
        );
        if plan.fulfillment_orders.is_empty() {
            continue;
        }
        for fo in &plan.fulfillment_orders {
            if mine.iter().any(|m| m.id == fo.id) {
                save(&mut tx, fo).await?;
            } else {
                fresh.push(fo.clone());
            }
        }
        update_order(&mut tx, &record.order, seq_before).await?;
        events.extend(plan.events);
        released.extend(plan.fulfillment_orders);
    }
    execute_all(&mut tx, fresh_inserts(&fresh)).await?;
    execute_all(&mut tx, event_inserts(events.iter())).await?;
    tx.commit().await?;
    Ok(released)
}
