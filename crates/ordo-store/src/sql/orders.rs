//! Orders: writing them, reading them with their lines and reservations, their timeline,
//! cancelling and shipping.

use crate::sql::exec::Exec;
use std::collections::HashMap;

use sqlx::Connection;

use ordo_domain::fulfillment::FulfillmentStatus;
use ordo_domain::order::{Order, OrderEvent};
use ordo_domain::reservation::Reservation;

use super::SqlStore;
use super::args::{Arg, Sql};
use super::catalog::finish_page;
use super::inserts::inserts;
use super::read::ReadConn;
use super::rows::{self, LINE_COLUMNS, ORDER_COLUMNS, RESERVATION_COLUMNS, RowExt};
use crate::error::{StoreError, StoreResult, corrupt};
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
        o.priority.into(),
        o.promised_date.map(|d| d.to_string()).into(),
        o.created_at_ms.into(),
        o.updated_at_ms.into(),
        s.and_then(|s| s.directions.clone()).into(),
    ]
}

/// When the releaser should look at the order after this write: at once when it holds
/// unreleased allocations (the releaser then sets when next), else never.
fn release_check(o: &Order) -> Option<i64> {
    o.awaits_release().then_some(o.updated_at_ms)
}

fn columns(list: &'static str) -> Vec<&'static str> {
    list.split(',').map(str::trim).collect()
}

const EVENT_COLUMNS: &str = "order_id, seq, at, kind, from_status, to_status, actor, reason, data";

pub(crate) fn event_inserts<'a>(events: impl Iterator<Item = &'a OrderEvent>) -> Vec<Sql> {
    let rows = events
        .map(|e| {
            vec![
                e.order_id.as_str().into(),
                e.seq.into(),
                e.at_ms.into(),
                e.kind.to_string().into(),
                e.from_status.map(|s| s.as_str()).into(),
                e.to_status.map(|s| s.as_str()).into(),
                e.actor.as_str().into(),
                e.reason.clone().into(),
                e.data.to_string().into(),
            ]
        })
        .collect();
    inserts("order_events", &columns(EVENT_COLUMNS), rows)
}

/// Inserts for new orders with their lines.
pub(crate) fn order_inserts<'a>(orders: impl Iterator<Item = &'a Order> + Clone) -> Vec<Sql> {
    let mut order_columns = columns(ORDER_COLUMNS);
    order_columns.push("release_check_at");
    let rows = orders.clone().map(|o| {
        let mut row = order_row(o);
        row.push(release_check(o).into());
        row
    });
    let mut statements = inserts("orders", &order_columns, rows.collect());
    let lines = orders
        .flat_map(|o| o.lines.iter().map(|l| line_row(&o.id, l)))
        .collect();
    statements.extend(inserts("order_lines", &columns(LINE_COLUMNS), lines));
    statements
}

fn line_row(order_id: &str, l: &ordo_domain::order::OrderLine) -> Vec<Arg> {
    let q = l.quantities;
    vec![
        order_id.into(),
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
        l.expected_date.map(|d| d.to_string()).into(),
        l.preorder.into(),
        q.released.into(),
    ]
}

/// Inserts lines added to an existing order.
pub(crate) fn line_inserts(order_id: &str, lines: &[ordo_domain::order::OrderLine]) -> Vec<Sql> {
    inserts(
        "order_lines",
        &columns(LINE_COLUMNS),
        lines.iter().map(|l| line_row(order_id, l)).collect(),
    )
}

/// Adds lines and reservations to order rows, keeping the rows' order.
async fn complete(conn: &mut dyn Exec, orders: Vec<Order>) -> StoreResult<Vec<OrderRecord>> {
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
    for row in conn.rows(sql).await? {
        let (order_id, line) = rows::order_line(&row)?;
        lines.entry(order_id).or_default().push(line);
    }
    let mut fulfillment = fulfillment_refs(conn, &ids).await?;
    let reservations = owned_reservations(conn, "order", &ids).await?;
    let mut by_owner: HashMap<String, Vec<Reservation>> = HashMap::new();
    for r in reservations {
        by_owner.entry(r.owner_id.clone()).or_default().push(r);
    }
    let mut shipments: HashMap<String, Vec<_>> = HashMap::new();
    for s in super::shipping::shipments_of_orders(conn, &ids).await? {
        shipments.entry(s.order_id.clone()).or_default().push(s);
    }
    let mut alerts: HashMap<String, Vec<_>> = HashMap::new();
    for a in super::work_alerts::unresolved_of_orders(conn, &ids).await? {
        alerts.entry(a.order_id.clone()).or_default().push(a);
    }
    Ok(orders
        .into_iter()
        .map(|mut order| {
            order.lines = lines.remove(&order.id).unwrap_or_default();
            OrderRecord {
                fulfillment: fulfillment.remove(&order.id).unwrap_or_default(),
                reservations: by_owner.remove(&order.id).unwrap_or_default(),
                shipments: shipments.remove(&order.id).unwrap_or_default(),
                alerts: alerts.remove(&order.id).unwrap_or_default(),
                order,
            }
        })
        .collect())
}

/// The fulfilment orders of these orders, oldest first, with the units asked not to be sent.
async fn fulfillment_refs(
    conn: &mut dyn Exec,
    order_ids: &[&str],
) -> StoreResult<HashMap<String, Vec<FulfillmentRef>>> {
    let mut sql = Sql::new(
        "SELECT f.id, f.order_id, f.location, f.status, l.line_no, l.cancel_requested \
         FROM fulfillment_orders f LEFT JOIN fulfillment_lines l \
         ON l.fulfillment_order_id = f.id AND l.cancel_requested > 0 WHERE f.order_id IN (",
    );
    sql.list(order_ids.iter().copied())
        .push(") ORDER BY f.created_at, f.id, l.line_no");
    let mut refs: HashMap<String, Vec<FulfillmentRef>> = HashMap::new();
    for row in conn.rows(sql).await? {
        let of_order = refs.entry(row.text("order_id")?).or_default();
        let id = row.text("id")?;
        if of_order.last().is_none_or(|f| f.id != id) {
            of_order.push(FulfillmentRef {
                id,
                location: rows::location_code(&row, "location")?,
                status: corrupt("status", FulfillmentStatus::parse(&row.text("status")?))?,
                cancel_requested: Vec::new(),
            });
        }
        if let (Some(line), Some(units), Some(f)) = (
            row.opt_int("line_no")?,
            row.opt_int("cancel_requested")?,
            of_order.last_mut(),
        ) {
            f.cancel_requested.push((line as u32, units));
        }
    }
    Ok(refs)
}

/// The reservations of these owners of one kind, in line and location order.
pub(crate) async fn owned_reservations(
    conn: &mut dyn Exec,
    kind: &str,
    owner_ids: &[&str],
) -> StoreResult<Vec<Reservation>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE owner_kind = "
    ));
    sql.arg(kind)
        .push(" AND owner_id IN (")
        .list(owner_ids.iter().copied())
        .push(") ORDER BY owner_id, line_no, location, id");
    let rows = conn.rows(sql).await?;
    rows.iter().map(rows::reservation).collect()
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

pub(crate) async fn load_one(
    conn: &mut dyn Exec,
    key: &OrderKey,
    lock: &str,
) -> StoreResult<Option<OrderRecord>> {
    let Some(row) = conn.first(by_key(key, lock)).await? else {
        return Ok(None);
    };
    Ok(complete(conn, vec![rows::order(&row)?]).await?.pop())
}

/// Orders by id, in id order (and locked, on PostgreSQL, when `lock` says so).
pub(crate) async fn load_orders(
    conn: &mut dyn Exec,
    ids: &[String],
    lock: &str,
) -> StoreResult<Vec<OrderRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id IN ("));
    sql.list(ids.iter().map(String::as_str))
        .push(") ORDER BY id")
        .push(lock);
    orders_of(conn, sql).await
}

/// The orders a query of order rows finds, each completed.
async fn orders_of(conn: &mut dyn Exec, sql: Sql) -> StoreResult<Vec<OrderRecord>> {
    let rows = conn.rows(sql).await?;
    let orders = rows
        .iter()
        .map(rows::order)
        .collect::<StoreResult<Vec<_>>>()?;
    complete(conn, orders).await
}

/// One order as of one moment: its row, lines, reservations and fulfilment orders are read in
/// one snapshot, so a change committed between the reads cannot tear it.
pub(crate) async fn order(store: &SqlStore, key: &OrderKey) -> StoreResult<Option<OrderRecord>> {
    // One snapshot for the order and everything read with it.
    if store.backend == super::Backend::Postgres {
        let ReadConn::Sqlx(mut conn) = store.reader().await? else {
            return Err(StoreError::Corrupt("a SQLite reader on PostgreSQL".into()));
        };
        let mut tx = conn.begin().await?;
        tx.run(Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            .await?;
        let record = load_one(&mut tx, key, "").await?;
        tx.commit().await?;
        return Ok(record);
    }
    // Left open by an error, the read transaction is rolled back when the reader is.
    let key = key.clone();
    store
        .read(|conn| {
            Box::pin(async move {
                conn.run(Sql::new("BEGIN")).await?;
                let record = load_one(conn, &key, "").await?;
                conn.run(Sql::new("COMMIT")).await?;
                Ok(record)
            })
        })
        .await
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
        search(sql.and_where(), q);
    }
    if let Some(cursor) = &page.cursor {
        sql.and_where().push("id < ").arg(cursor.as_str());
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let mut records = store.read(|conn| Box::pin(orders_of(conn, sql))).await?;
    Ok(finish_page(&mut records, page, |r| r.order.id.clone()))
}

/// The orders a search term finds, each way through an index: the number, the external id
/// (on any channel), the customer's email, a parcel's tracking number, or the start of the
/// customer's name (any case).
fn search(sql: &mut Sql, q: &str) {
    let name = q.to_lowercase();
    let escaped = name
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    sql.push("id IN (SELECT id FROM orders WHERE number = ")
        .arg(q);
    sql.push(" UNION ALL SELECT id FROM orders WHERE channel IN (SELECT code FROM channels) AND external_id = ")
        .arg(q);
    sql.push(" UNION ALL SELECT id FROM orders WHERE customer_email = ")
        .arg(name.as_str());
    sql.push(" UNION ALL SELECT order_id FROM shipments WHERE tracking_number = ")
        .arg(q.to_uppercase());
    sql.push(" UNION ALL SELECT id FROM orders WHERE lower(customer_name) >= ")
        .arg(name.as_str())
        .push(" AND lower(customer_name) < ")
        .arg(successor(&name))
        .push(" AND lower(customer_name) LIKE ")
        .arg(format!("{escaped}%"))
        .push(" ESCAPE '\\')");
}

/// The least text greater than every text that starts with `prefix`.
fn successor(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    char::MAX.to_string()
}

pub(crate) async fn order_events(store: &SqlStore, order_id: &str) -> StoreResult<Vec<OrderEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM order_events WHERE order_id = $1 ORDER BY seq");
    let rows = store
        .reader()
        .await?
        .rows(Sql::with(&sql, [Arg::from(order_id)]))
        .await?;
    rows.iter().map(rows::order_event).collect()
}

/// The order an allocation belongs to.
pub(crate) async fn order_of_allocation(
    store: &SqlStore,
    allocation_id: &str,
) -> StoreResult<Option<String>> {
    let row = store
        .reader()
        .await?
        .first(Sql::with(
            "SELECT owner_id FROM reservations WHERE id = $1 AND owner_kind = 'order'",
            [Arg::from(allocation_id)],
        ))
        .await?;
    row.map(|r| r.text_at(0)).transpose()
}

/// Writes an order's status, totals, promise and line quantities, if its timeline is still at
/// `seq_before` (that is, nobody else changed the order meanwhile).
pub(crate) async fn update_order(
    conn: &mut dyn Exec,
    order: &Order,
    seq_before: u32,
) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.arg(order.status.as_str())
        .push(", total_minor = ")
        .arg(order.totals().total_minor);
    sql.push(", event_seq = ")
        .arg(order.event_seq)
        .push(", updated_at = ")
        .arg(order.updated_at_ms);
    sql.push(", promised_date = ")
        .arg(order.promised_date.map(|d| d.to_string()));
    sql.push(", release_check_at = ").arg(release_check(order));
    sql.push(" WHERE id = ")
        .arg(order.id.as_str())
        .push(" AND event_seq = ")
        .arg(seq_before);
    if conn.run(sql).await? != 1 {
        return Err(StoreError::Contention(format!(
            "order {} changed meanwhile",
            order.id
        )));
    }
    for line in &order.lines {
        let q = line.quantities;
        let mut sql = Sql::new("UPDATE order_lines SET qty_allocated = ");
        sql.arg(q.allocated)
            .push(", qty_ordered = ")
            .arg(q.ordered)
            .push(", unit_price_minor = ")
            .arg(line.unit_price_minor)
            .push(", qty_backordered = ")
            .arg(q.backordered);
        sql.push(", qty_shipped = ")
            .arg(q.shipped)
            .push(", qty_delivered = ")
            .arg(q.delivered);
        sql.push(", qty_cancelled = ")
            .arg(q.cancelled)
            .push(", qty_returned = ")
            .arg(q.returned)
            .push(", qty_released = ")
            .arg(q.released);
        sql.push(", expected_date = ")
            .arg(line.expected_date.map(|d| d.to_string()));
        sql.push(" WHERE order_id = ")
            .arg(order.id.as_str())
            .push(" AND line_no = ")
            .arg(line.line_no);
        conn.run(sql).await?;
    }
    Ok(())
}
