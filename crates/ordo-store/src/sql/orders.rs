//! Orders: writing them, reading them with their lines and reservations, their timeline, and
//! cancelling.

use std::collections::{BTreeSet, HashMap};

use sqlx::AnyConnection;
use sqlx::Connection;

use ordo_domain::inventory::StockBook;
use ordo_domain::order::{CancelError, Order, OrderEvent, Reservation, ReservationStatus, cancel};
use ordo_domain::values::{LocationCode, Sku};

use super::SqlStore;
use super::args::{Arg, Sql, inserts};
use super::catalog::finish_page;
use super::inventory::{execute_all, ledger_inserts, lock_positions, write_book};
use super::rows::{self, LINE_COLUMNS, ORDER_COLUMNS, RESERVATION_COLUMNS};
use crate::error::{StoreError, StoreResult};
use crate::types::*;

fn order_row(o: &Order) -> Vec<Arg> {
    let s = o.ship_to.as_ref();
    vec![
        o.id.as_str().into(),
        o.number.as_str().into(),
        o.channel.as_str().into(),
        o.external_id.as_str().into(),
        o.status.as_str().into(),
        o.customer.email.as_str().into(),
        o.customer.name.as_str().into(),
        o.customer.phone.clone().into(),
        s.map(|s| s.name.clone()).into(),
        s.map(|s| s.line1.clone()).into(),
        s.and_then(|s| s.line2.clone()).into(),
        s.map(|s| s.city.clone()).into(),
        s.and_then(|s| s.region.clone()).into(),
        s.map(|s| s.postal_code.clone()).into(),
        s.map(|s| s.country.as_str()).into(),
        s.and_then(|s| s.point).map(|p| p.lat).into(),
        s.and_then(|s| s.point).map(|p| p.lon).into(),
        o.currency.code().into(),
        o.delivery.method().into(),
        o.delivery.pickup_location().map(|l| l.to_string()).into(),
        o.totals().total_minor.into(),
        o.event_seq.into(),
        o.created_at_ms.into(),
        o.updated_at_ms.into(),
    ]
}

fn columns(list: &'static str) -> Vec<&'static str> {
    list.split(',').map(str::trim).collect()
}

fn event_row(e: &OrderEvent) -> Vec<Arg> {
    vec![
        e.order_id.as_str().into(),
        e.seq.into(),
        e.at_ms.into(),
        e.kind.as_str().into(),
        e.from_status.map(|s| s.as_str()).into(),
        e.to_status.map(|s| s.as_str()).into(),
        e.actor.as_str().into(),
        e.reason.clone().into(),
        e.data.to_string().into(),
    ]
}

const EVENT_COLUMNS: &str = "order_id, seq, at, kind, from_status, to_status, actor, reason, data";

fn event_inserts<'a>(events: impl Iterator<Item = &'a OrderEvent>) -> Vec<Sql> {
    inserts(
        "order_events",
        &columns(EVENT_COLUMNS),
        events.map(event_row).collect(),
    )
}

/// Inserts for new orders with their lines, reservations and timeline events.
pub(crate) fn order_writes<'a>(
    orders: impl Iterator<Item = &'a Order> + Clone,
    reservations: impl Iterator<Item = &'a Reservation>,
    events: impl Iterator<Item = &'a OrderEvent>,
) -> Vec<Sql> {
    let mut statements = inserts(
        "orders",
        &columns(ORDER_COLUMNS),
        orders.clone().map(order_row).collect(),
    );
    let lines = orders
        .flat_map(|o| {
            o.lines.iter().map(|l| {
                let q = l.quantities;
                vec![
                    o.id.as_str().into(),
                    l.line_no.into(),
                    l.sku.as_str().into(),
                    l.unit_price_minor.into(),
                    q.ordered.into(),
                    q.allocated.into(),
                    q.backordered.into(),
                    q.shipped.into(),
                    q.delivered.into(),
                    q.cancelled.into(),
                    q.returned.into(),
                ]
            })
        })
        .collect();
    statements.extend(inserts("order_lines", &columns(LINE_COLUMNS), lines));
    let reservation_rows = reservations
        .map(|r| {
            vec![
                r.id.as_str().into(),
                r.order_id.as_str().into(),
                r.line_no.into(),
                r.sku.as_str().into(),
                r.location.as_str().into(),
                r.quantity.into(),
                r.status.as_str().into(),
                r.created_at_ms.into(),
                r.updated_at_ms.into(),
            ]
        })
        .collect();
    statements.extend(inserts(
        "reservations",
        &columns(RESERVATION_COLUMNS),
        reservation_rows,
    ));
    statements.extend(event_inserts(events));
    statements
}

/// Adds lines and reservations to order rows, keeping the rows' order.
async fn complete(conn: &mut AnyConnection, orders: Vec<Order>) -> StoreResult<Vec<OrderRecord>> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    let mut sql = Sql::new(&format!(
        "SELECT {LINE_COLUMNS} FROM order_lines WHERE order_id IN ("
    ));
    sql.list(ids.iter().copied())
        .push(") ORDER BY order_id, line_no");
    let mut lines: HashMap<String, Vec<_>> = HashMap::new();
    for row in sql.build().fetch_all(&mut *conn).await? {
        let (order_id, line) = rows::order_line(&row)?;
        lines.entry(order_id).or_default().push(line);
    }
    let mut sql = Sql::new(&format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE order_id IN ("
    ));
    sql.list(ids)
        .push(") ORDER BY order_id, line_no, location, id");
    let mut reservations: HashMap<String, Vec<Reservation>> = HashMap::new();
    for row in sql.build().fetch_all(&mut *conn).await? {
        let r = rows::reservation(&row)?;
        reservations.entry(r.order_id.clone()).or_default().push(r);
    }
    Ok(orders
        .into_iter()
        .map(|mut order| {
            order.lines = lines.remove(&order.id).unwrap_or_default();
            let reservations = reservations.remove(&order.id).unwrap_or_default();
            OrderRecord {
                order,
                reservations,
            }
        })
        .collect())
}

fn by_key(key: &OrderKey, lock: &str) -> Sql {
    let mut sql = Sql::new(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE "));
    match key {
        OrderKey::Id(id) => sql.push("id = ").arg(id.as_str()),
        OrderKey::Number(number) => sql.push("number = ").arg(number.as_str()),
    };
    sql.push(lock);
    sql
}

async fn load_one(
    conn: &mut AnyConnection,
    key: &OrderKey,
    lock: &str,
) -> StoreResult<Option<OrderRecord>> {
    let Some(row) = by_key(key, lock).build().fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    Ok(complete(conn, vec![rows::order(&row)?]).await?.pop())
}

pub(crate) async fn order(store: &SqlStore, key: &OrderKey) -> StoreResult<Option<OrderRecord>> {
    let mut conn = store.read.acquire().await?;
    load_one(&mut conn, key, "").await
}

pub(crate) async fn orders(
    store: &SqlStore,
    filter: &OrderFilter,
    page: &PageRequest,
) -> StoreResult<Page<OrderRecord>> {
    let mut sql = Sql::new(&format!("SELECT {ORDER_COLUMNS} FROM orders"));
    if let Some(status) = filter.status {
        sql.and_where().push("status = ").arg(status.as_str());
    }
    if let Some(channel) = &filter.channel {
        sql.and_where().push("channel = ").arg(channel.as_str());
    }
    if let Some(after) = filter.created_after_ms {
        sql.and_where().push("created_at > ").arg(after);
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!(
            "%{}%",
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sql.and_where()
            .push("(number = ")
            .arg(q)
            .push(" OR external_id = ")
            .arg(q);
        sql.push(" OR customer_email = ").arg(q.to_lowercase());
        sql.push(" OR LOWER(customer_name) LIKE ")
            .arg(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(cursor) = &page.cursor {
        sql.and_where().push("id < ").arg(cursor.as_str());
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let mut conn = store.read.acquire().await?;
    let rows = sql.build().fetch_all(&mut *conn).await?;
    let orders = rows
        .iter()
        .map(rows::order)
        .collect::<StoreResult<Vec<_>>>()?;
    let mut records = complete(&mut conn, orders).await?;
    Ok(finish_page(&mut records, page, |r| r.order.id.clone()))
}

pub(crate) async fn order_events(store: &SqlStore, order_id: &str) -> StoreResult<Vec<OrderEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM order_events WHERE order_id = $1 ORDER BY seq");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(order_id)
        .fetch_all(&store.read)
        .await?;
    rows.iter().map(rows::order_event).collect()
}

pub(crate) async fn cancel_order(
    store: &SqlStore,
    command: &CancelCommand,
) -> StoreResult<Option<Result<OrderRecord, CancelError>>> {
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
    let Some(mut record) = load_one(&mut tx, &command.key, store.backend.lock_rows()).await? else {
        return Ok(None);
    };
    if command
        .channel_scope
        .as_ref()
        .is_some_and(|scope| *scope != record.order.channel)
    {
        return Ok(None);
    }
    let held: Vec<&Reservation> = record
        .reservations
        .iter()
        .filter(|r| r.status == ReservationStatus::Held)
        .collect();
    let skus: BTreeSet<&Sku> = held.iter().map(|r| &r.sku).collect();
    let locations: BTreeSet<&LocationCode> = held.iter().map(|r| &r.location).collect();
    let held_ids: Vec<String> = held.iter().map(|r| r.id.clone()).collect();
    let mut book =
        StockBook::new(lock_positions(&mut tx, store.backend, &skus, Some(&locations)).await?);
    let seq_before = record.order.event_seq;

    let decision = match cancel(
        &mut record.order,
        &mut record.reservations,
        &mut book,
        command.reason.as_deref(),
        &command.actor,
        command.now_ms,
    ) {
        Ok(decision) => decision,
        Err(refusal) => return Ok(Some(Err(refusal))),
    };
    update_order(&mut tx, &record.order, seq_before).await?;
    let released = record
        .reservations
        .iter()
        .filter(|r| held_ids.contains(&r.id));
    update_reservations(&mut tx, released).await?;
    let mut statements = event_inserts(decision.events.iter());
    statements.extend(ledger_inserts(&decision.ledger));
    execute_all(&mut tx, statements).await?;
    write_book(&mut tx, &book, command.now_ms).await?;
    tx.commit().await?;
    Ok(Some(Ok(record)))
}

/// Writes an order's status, totals and line quantities, if its timeline is still at
/// `seq_before` (that is, nobody else changed the order meanwhile).
async fn update_order(conn: &mut AnyConnection, order: &Order, seq_before: u32) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.arg(order.status.as_str())
        .push(", total_minor = ")
        .arg(order.totals().total_minor);
    sql.push(", event_seq = ")
        .arg(order.event_seq)
        .push(", updated_at = ")
        .arg(order.updated_at_ms);
    sql.push(" WHERE id = ")
        .arg(order.id.as_str())
        .push(" AND event_seq = ")
        .arg(seq_before);
    if sql.build().execute(&mut *conn).await?.rows_affected() != 1 {
        return Err(StoreError::Contention(format!(
            "order {} changed meanwhile",
            order.id
        )));
    }
    for line in &order.lines {
        let q = line.quantities;
        let mut sql = Sql::new("UPDATE order_lines SET qty_allocated = ");
        sql.arg(q.allocated)
            .push(", qty_backordered = ")
            .arg(q.backordered);
        sql.push(", qty_shipped = ")
            .arg(q.shipped)
            .push(", qty_delivered = ")
            .arg(q.delivered);
        sql.push(", qty_cancelled = ")
            .arg(q.cancelled)
            .push(", qty_returned = ")
            .arg(q.returned);
        sql.push(" WHERE order_id = ")
            .arg(order.id.as_str())
            .push(" AND line_no = ")
            .arg(line.line_no);
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn update_reservations<'a>(
    conn: &mut AnyConnection,
    changed: impl Iterator<Item = &'a Reservation>,
) -> StoreResult<()> {
    for r in changed {
        let mut sql = Sql::new("UPDATE reservations SET status = ");
        sql.arg(r.status.as_str())
            .push(", updated_at = ")
            .arg(r.updated_at_ms);
        sql.push(" WHERE id = ").arg(r.id.as_str());
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}
