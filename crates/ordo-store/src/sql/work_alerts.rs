//! Fulfilment alerts in the store: a scan raises what the domain's checks find (once per
//! kind and subject while unresolved) and resolves what has cleared; people acknowledge and
//! resolve. Every change is also an event in `/v1/events`.

use std::collections::HashSet;

use sqlx::{AnyConnection, Connection};

use ordo_domain::fulfillment::FulfillmentStatus;
use ordo_domain::fulfillment::alerts::{
    AlertKind, AlertSettings, Raised, ShipmentFacts, not_accepted, promise_at_risk, shipment_alerts,
};
use ordo_domain::geo::geocode_postal;
use ordo_domain::promise::TransitModel;

use super::args::Sql;
use super::orders::load_orders;
use super::rows::RowExt;
use super::{SqlStore, load};
use crate::error::StoreResult;
use crate::fulfillment::{AlertFilter, AlertRecord};
use crate::ids::new_id;

/// Most fulfilment orders and shipments one scan looks at.
const SCAN_ROWS_MAX: i64 = 10_000;

const COLUMNS: &str = "id, kind, subject, order_id, status, message, raised_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by";

fn row(r: &sqlx::any::AnyRow) -> StoreResult<AlertRecord> {
    Ok(AlertRecord {
        id: r.text("id")?,
        kind: r.text("kind")?,
        subject: r.text("subject")?,
        order_id: r.text("order_id")?,
        status: r.text("status")?,
        message: r.text("message")?,
        raised_at_ms: r.int("raised_at")?,
        acknowledged_at_ms: r.opt_int("acknowledged_at")?,
        acknowledged_by: r.opt_text("acknowledged_by")?,
        resolved_at_ms: r.opt_int("resolved_at")?,
        resolved_by: r.opt_text("resolved_by")?,
    })
}

async fn event(
    conn: &mut AnyConnection,
    kind: &str,
    alert: &AlertRecord,
    at_ms: i64,
) -> StoreResult<()> {
    let data = serde_json::json!({
        "alert": alert.id, "kind": alert.kind, "subject": alert.subject, "order_id": alert.order_id,
        "status": alert.status, "message": alert.message,
    });
    sqlx::query("INSERT INTO events (at, type, subject, data) VALUES ($1, $2, $3, $4)")
        .bind(at_ms)
        .bind(kind)
        .bind(alert.order_id.as_str())
        .bind(data.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What the checks find now.
async fn findings(
    conn: &mut AnyConnection,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> StoreResult<Vec<Raised>> {
    let mut raised = Vec::new();
    let mut sql = Sql::new(
        "SELECT id FROM fulfillment_orders WHERE status IN ('released', 'accepted', 'picking', 'picked', 'packed') ORDER BY released_at LIMIT ",
    );
    sql.arg(SCAN_ROWS_MAX);
    let ids = sql
        .build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.text("id"))
        .collect::<StoreResult<Vec<_>>>()?;
    let fos = super::fulfillment::by_ids(conn, &ids).await?;
    let order_ids: Vec<String> = fos
        .iter()
        .map(|f| f.order_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let orders = load_orders(conn, &order_ids, "").await?;
    let locations = load::locations(conn).await?;
    for fo in &fos {
        if let Some(r) = not_accepted(fo, settings, now_ms) {
            raised.push(r);
        }
        let (Some(order), Some(location)) = (
            orders.iter().find(|o| o.order.id == fo.order_id),
            locations.iter().find(|l| l.code == fo.location),
        ) else {
            continue;
        };
        let destination = order.order.ship_to.as_ref().and_then(|s| {
            s.point
                .or_else(|| geocode_postal(s.country, &s.postal_code))
        });
        if fo.status != FulfillmentStatus::Shipped
            && let Some(r) = promise_at_risk(
                fo,
                order.order.promised_date,
                location,
                destination,
                transit,
                now_ms,
            )
        {
            raised.push(r);
        }
    }
    let mut sql = Sql::new(
        "SELECT id, order_id, tracking_number, status, shipped_at, last_event_at FROM shipments \
         WHERE status NOT IN ('delivered', 'returned_to_sender') ORDER BY shipped_at LIMIT ",
    );
    sql.arg(SCAN_ROWS_MAX);
    for r in sql.build().fetch_all(&mut *conn).await? {
        let (id, order_id, number, status) = (
            r.text("id")?,
            r.text("order_id")?,
            r.text("tracking_number")?,
            r.text("status")?,
        );
        let facts = ShipmentFacts {
            id: &id,
            order_id: &order_id,
            tracking_number: &number,
            status: &status,
            shipped_at_ms: r.int("shipped_at")?,
            last_event_at_ms: r.opt_int("last_event_at")?,
        };
        raised.extend(shipment_alerts(&facts, settings, now_ms));
    }
    Ok(raised)
}

/// Raises what the checks find and is not yet raised; resolves what has cleared. Answers the
/// alerts raised.
pub(crate) async fn scan(
    store: &SqlStore,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> StoreResult<Vec<AlertRecord>> {
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
    let found = findings(&mut tx, settings, transit, now_ms).await?;
    let standing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM work_alerts WHERE status <> 'resolved' OR resolved_by NOT LIKE 'system:%'"
    )))
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(row)
    .collect::<StoreResult<Vec<_>>>()?;
    let mut raised = Vec::new();
    for f in &found {
        if standing
            .iter()
            .any(|a| a.kind == f.kind.as_str() && a.subject == f.subject)
        {
            continue;
        }
        raised.push(insert(&mut tx, f, now_ms).await?);
    }
    // A person's resolution stands; the scan resolves only what it finds cleared, of the kinds
    // it looks for.
    let scanned = |kind: &str| AlertKind::parse(kind).is_ok_and(AlertKind::scanned);
    for mut cleared in standing.into_iter().filter(|a| {
        a.status != "resolved"
            && scanned(&a.kind)
            && !found
                .iter()
                .any(|f| f.kind.as_str() == a.kind && f.subject == a.subject)
    }) {
        set_resolved(&mut tx, &mut cleared, "system:alert-scan", now_ms).await?;
        event(&mut tx, "alert.resolved", &cleared, now_ms).await?;
    }
    crate::error::commit(tx).await?;
    Ok(raised)
}

/// Raises an alert something that happened calls for, unless one of its kind is already
/// raised for the subject.
pub(crate) async fn raise(conn: &mut AnyConnection, f: &Raised, now_ms: i64) -> StoreResult<()> {
    let standing = sqlx::query(
        "SELECT COUNT(*) AS n FROM work_alerts WHERE kind = $1 AND subject = $2 AND status <> 'resolved'",
    )
    .bind(f.kind.as_str())
    .bind(f.subject.as_str())
    .fetch_one(&mut *conn)
    .await?;
    if standing.int("n")? == 0 {
        insert(conn, f, now_ms).await?;
    }
    Ok(())
}

/// Writes a newly raised alert and its event.
async fn insert(conn: &mut AnyConnection, f: &Raised, now_ms: i64) -> StoreResult<AlertRecord> {
    let alert = AlertRecord {
        id: new_id("alr", now_ms),
        kind: f.kind.as_str().into(),
        subject: f.subject.clone(),
        order_id: f.order_id.clone(),
        status: "open".into(),
        message: f.message.clone(),
        raised_at_ms: now_ms,
        acknowledged_at_ms: None,
        acknowledged_by: None,
        resolved_at_ms: None,
        resolved_by: None,
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO work_alerts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, NULL)"
    )))
    .bind(alert.id.as_str())
    .bind(alert.kind.as_str())
    .bind(alert.subject.as_str())
    .bind(alert.order_id.as_str())
    .bind("open")
    .bind(alert.message.as_str())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    event(conn, "alert.raised", &alert, now_ms).await?;
    Ok(alert)
}

async fn set_resolved(
    conn: &mut AnyConnection,
    a: &mut AlertRecord,
    actor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    a.status = "resolved".into();
    a.resolved_at_ms = Some(now_ms);
    a.resolved_by = Some(actor.into());
    sqlx::query("UPDATE work_alerts SET status = 'resolved', resolved_at = $1, resolved_by = $2 WHERE id = $3")
        .bind(now_ms)
        .bind(actor)
        .bind(a.id.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The alerts of these orders not yet resolved, newest first.
pub(crate) async fn unresolved_of_orders(
    conn: &mut AnyConnection,
    order_ids: &[&str],
) -> StoreResult<Vec<AlertRecord>> {
    let mut all = Vec::new();
    for chunk in order_ids.chunks(super::args::STATEMENT_ARGS_MAX) {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS} FROM work_alerts WHERE status <> 'resolved' AND order_id IN ("
        ));
        sql.list(chunk.iter().copied())
            .push(") ORDER BY raised_at DESC, id DESC");
        for r in sql.build().fetch_all(&mut *conn).await? {
            all.push(row(&r)?);
        }
    }
    Ok(all)
}

pub(crate) async fn list(store: &SqlStore, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM work_alerts WHERE 1 = 1"));
    if let Some(status) = &filter.status {
        sql.push(" AND status = ").arg(status.as_str());
    }
    if let Some(kind) = &filter.kind {
        sql.push(" AND kind = ").arg(kind.as_str());
    }
    if let Some(order) = &filter.order_id {
        sql.push(" AND order_id = ").arg(order.as_str());
    }
    if let Some(channel) = &filter.channel {
        sql.push(" AND order_id IN (SELECT id FROM orders WHERE channel = ")
            .arg(channel.as_str())
            .push(")");
    }
    if let Some(location) = &filter.location {
        sql.push(" AND (subject IN (SELECT id FROM fulfillment_orders WHERE location = ")
            .arg(location.as_str())
            .push(") OR subject IN (SELECT id FROM shipments WHERE location = ")
            .arg(location.as_str())
            .push("))");
    }
    sql.push(" ORDER BY raised_at DESC, id DESC LIMIT ")
        .arg(filter.limit);
    let mut conn = store.read.acquire().await?;
    sql.build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(row)
        .collect()
}

/// Acknowledges or resolves an alert; `None` when unknown, `Err` when already resolved.
pub(crate) async fn step(
    store: &SqlStore,
    id: &str,
    resolve: bool,
    actor: &str,
    now_ms: i64,
) -> StoreResult<Option<Result<AlertRecord, String>>> {
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM work_alerts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let mut alert = row(&found)?;
    if alert.status == "resolved" {
        return Ok(Some(Err("the alert is already resolved".into())));
    }
    if resolve {
        set_resolved(&mut tx, &mut alert, actor, now_ms).await?;
        event(&mut tx, "alert.resolved", &alert, now_ms).await?;
    } else {
        alert.status = "acknowledged".into();
        alert.acknowledged_at_ms = Some(now_ms);
        alert.acknowledged_by = Some(actor.into());
        sqlx::query("UPDATE work_alerts SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3")
            .bind(now_ms)
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        event(&mut tx, "alert.acknowledged", &alert, now_ms).await?;
    }
    crate::error::commit(tx).await?;
    Ok(Some(Ok(alert)))
}
