//! Fulfilment alerts in the store: raised once per kind and subject while unresolved (by the
//! scan, `alert_scan`, or by what happened), resolved when they clear; people acknowledge and
//! resolve. Every change is also an event in `/v1/events`.

use crate::sql::args::Arg;
use crate::sql::exec::Exec;

use ordo_domain::fulfillment::alerts::{AlertStatus, Raised};

use super::SqlStore;
use super::args::Sql;
use super::rows::RowExt;
use super::tx::Tx;
use crate::error::{StoreResult, corrupt};
use crate::fulfillment::{AlertFilter, AlertRecord};
use crate::ids::new_id;

const COLUMNS: &str = "id, kind, subject, order_id, status, message, raised_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by";

fn row(r: &crate::sql::exec::Row) -> StoreResult<AlertRecord> {
    Ok(AlertRecord {
        id: r.text("id")?,
        kind: r.text("kind")?,
        subject: r.text("subject")?,
        order_id: r.text("order_id")?,
        status: corrupt("status", AlertStatus::parse(&r.text("status")?))?,
        message: r.text("message")?,
        raised_at_ms: r.int("raised_at")?,
        acknowledged_at_ms: r.opt_int("acknowledged_at")?,
        acknowledged_by: r.opt_text("acknowledged_by")?,
        resolved_at_ms: r.opt_int("resolved_at")?,
        resolved_by: r.opt_text("resolved_by")?,
    })
}

async fn event(
    conn: &mut dyn Exec,
    kind: &str,
    alert: &AlertRecord,
    at_ms: i64,
) -> StoreResult<()> {
    let data = serde_json::json!({
        "alert": alert.id, "kind": alert.kind, "subject": alert.subject, "order_id": alert.order_id,
        "status": alert.status.as_str(), "message": alert.message,
    });
    conn.run(Sql::with(
        "INSERT INTO events (at, type, subject, data) VALUES ($1, $2, $3, $4)",
        [
            Arg::from(at_ms),
            Arg::from(kind),
            Arg::from(alert.order_id.as_str()),
            Arg::from(data.to_string()),
        ],
    ))
    .await?;
    Ok(())
}

/// The alerts a scan compares its findings with: every unresolved one, and those a person
/// resolved (their resolution stands).
pub(crate) async fn standing(conn: &mut dyn Exec) -> StoreResult<Vec<AlertRecord>> {
    conn.rows(Sql::new(&format!(
        "SELECT {COLUMNS} FROM work_alerts WHERE status <> 'resolved' OR resolved_by NOT LIKE 'system:%'"
    ))).await?
    .iter()
    .map(row)
    .collect()
}

/// Raises a scan's finding unless an alert of its kind stands for the subject (unresolved, or
/// resolved by a person) — checked again here, as the scan read a while ago.
pub(crate) async fn insert_unless_standing(
    conn: &mut dyn Exec,
    f: &Raised,
    now_ms: i64,
) -> StoreResult<Option<AlertRecord>> {
    let standing = conn
        .one(Sql::with(
            "SELECT COUNT(*) AS n FROM work_alerts WHERE kind = $1 AND subject = $2 \
         AND (status <> 'resolved' OR resolved_by NOT LIKE 'system:%')",
            [Arg::from(f.kind.as_str()), Arg::from(f.subject.as_str())],
        ))
        .await?;
    match standing.int("n")? {
        0 => Ok(Some(insert(conn, f, now_ms).await?)),
        _ => Ok(None),
    }
}

/// Resolves an alert that has cleared, unless someone resolved it meanwhile.
pub(crate) async fn resolve_if_open(
    conn: &mut dyn Exec,
    alert: &AlertRecord,
    actor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let done = conn
        .run(Sql::with(
            "UPDATE work_alerts SET status = 'resolved', resolved_at = $1, resolved_by = $2 \
         WHERE id = $3 AND status <> 'resolved'",
            [
                Arg::from(now_ms),
                Arg::from(actor),
                Arg::from(alert.id.as_str()),
            ],
        ))
        .await?;
    if done == 1 {
        let mut resolved = alert.clone();
        resolved.status = AlertStatus::Resolved;
        resolved.resolved_at_ms = Some(now_ms);
        resolved.resolved_by = Some(actor.into());
        event(conn, "alert.resolved", &resolved, now_ms).await?;
    }
    Ok(())
}

/// Raises an alert something that happened calls for, unless one of its kind is already
/// raised for the subject.
pub(crate) async fn raise(conn: &mut dyn Exec, f: &Raised, now_ms: i64) -> StoreResult<()> {
    let standing = conn.one(Sql::with("SELECT COUNT(*) AS n FROM work_alerts WHERE kind = $1 AND subject = $2 AND status <> 'resolved'",[Arg::from(f.kind.as_str()), Arg::from(f.subject.as_str())])).await?;
    if standing.int("n")? == 0 {
        insert(conn, f, now_ms).await?;
    }
    Ok(())
}

/// Writes a newly raised alert and its event.
async fn insert(conn: &mut dyn Exec, f: &Raised, now_ms: i64) -> StoreResult<AlertRecord> {
    let alert = AlertRecord {
        id: new_id("alr", now_ms),
        kind: f.kind.as_str().into(),
        subject: f.subject.clone(),
        order_id: f.order_id.clone(),
        status: AlertStatus::Open,
        message: f.message.clone(),
        raised_at_ms: now_ms,
        acknowledged_at_ms: None,
        acknowledged_by: None,
        resolved_at_ms: None,
        resolved_by: None,
    };
    conn.run(Sql::with(&format!(
        "INSERT INTO work_alerts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, NULL)"
    ), [Arg::from(alert.id.as_str()), Arg::from(alert.kind.as_str()), Arg::from(alert.subject.as_str()), Arg::from(alert.order_id.as_str()), Arg::from("open"), Arg::from(alert.message.as_str()), Arg::from(now_ms)])).await?;
    event(conn, "alert.raised", &alert, now_ms).await?;
    Ok(alert)
}

/// The alerts of these orders not yet resolved, newest first.
pub(crate) async fn unresolved_of_orders(
    conn: &mut dyn Exec,
    order_ids: &[&str],
) -> StoreResult<Vec<AlertRecord>> {
    let mut all = Vec::new();
    for chunk in order_ids.chunks(super::inserts::STATEMENT_ARGS_MAX) {
        let mut sql = Sql::new(&format!(
            "SELECT {COLUMNS} FROM work_alerts WHERE status <> 'resolved' AND order_id IN ("
        ));
        sql.list(chunk.iter().copied())
            .push(") ORDER BY raised_at DESC, id DESC");
        for r in conn.rows(sql).await? {
            all.push(row(&r)?);
        }
    }
    Ok(all)
}

pub(crate) async fn list(store: &SqlStore, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM work_alerts WHERE 1 = 1"));
    if let Some(status) = filter.status.map(AlertStatus::as_str) {
        sql.push(" AND status = ").arg(status);
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
    let mut conn = store.reader().await?;
    conn.rows(sql).await?.iter().map(row).collect()
}

impl Tx {
    /// An alert, locked until the transaction ends.
    pub async fn lock_work_alert(&mut self, id: &str) -> StoreResult<Option<AlertRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM work_alerts WHERE id = $1{}",
            self.lock()
        );
        let found = self.write.first(Sql::with(&sql, [Arg::from(id)])).await?;
        found.as_ref().map(row).transpose()
    }

    /// Writes what a person did with an alert — its status, who and when — and its event
    /// (`alert.acknowledged`, `alert.resolved`).
    pub async fn update_work_alert(&mut self, alert: &AlertRecord, at_ms: i64) -> StoreResult<()> {
        let sql = Sql::with(
            "UPDATE work_alerts SET status = $1, acknowledged_at = $2, acknowledged_by = $3, \
             resolved_at = $4, resolved_by = $5 WHERE id = $6",
            [
                Arg::from(alert.status.as_str()),
                Arg::from(alert.acknowledged_at_ms),
                Arg::from(alert.acknowledged_by.clone()),
                Arg::from(alert.resolved_at_ms),
                Arg::from(alert.resolved_by.clone()),
                Arg::from(alert.id.as_str()),
            ],
        );
        self.write.run(sql).await?;
        let kind = format!("alert.{}", alert.status.as_str());
        event(&mut self.write, &kind, alert, at_ms).await
    }
}
