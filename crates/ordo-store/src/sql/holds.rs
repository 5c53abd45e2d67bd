//! Checkout holds as the store reads and writes them: with their lines and reservations.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::hold::{Hold, HoldLine, HoldStatus};
use ordo_domain::reservation::Reservation;
use ordo_domain::values::Sku;

use super::SqlStore;
use super::args::{Arg, Sql};
use super::inserts::inserts;
use super::orders::owned_reservations;
use super::rows::{self, RowExt};
use super::tx::Tx;
use super::write::execute_all;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::HoldRecord;

/// Most items one sweep of expired checkout holds looks at.
const SWEEP_SKUS_MAX: i64 = 200;

/// The items the holds' reservations are of.
pub(crate) async fn skus_of(
    conn: &mut dyn Exec,
    hold_ids: &BTreeSet<&str>,
) -> StoreResult<BTreeSet<Sku>> {
    if hold_ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut sql = Sql::new(
        "SELECT DISTINCT sku FROM reservations WHERE owner_kind = 'hold' AND owner_id IN (",
    );
    sql.list(hold_ids.iter().copied()).push(")");
    let rows = conn.rows(sql).await?;
    rows.iter().map(|r| rows::sku(r, "sku")).collect()
}

/// Holds by id with their reservations (locked, on PostgreSQL, when `lock` says so).
pub(crate) async fn load_holds(
    conn: &mut dyn Exec,
    ids: &BTreeSet<&str>,
    lock: &str,
) -> StoreResult<HashMap<String, (Hold, Vec<Reservation>)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(
        "SELECT id, channel, status, expires_at, order_id, created_at, updated_at FROM holds WHERE id IN (",
    );
    sql.list(ids.iter().copied())
        .push(") ORDER BY id")
        .push(lock);
    let mut holds = HashMap::new();
    for row in conn.rows(sql).await? {
        let status = row.text("status")?;
        let hold = Hold {
            id: row.text("id")?,
            channel: row
                .opt_text("channel")?
                .map(|c| corrupt("channel", ordo_domain::values::ChannelCode::parse(&c)))
                .transpose()?,
            status: HoldStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("hold status {status}")))?,
            expires_at_ms: row.int("expires_at")?,
            order_id: row.opt_text("order_id")?,
            lines: Vec::new(),
            created_at_ms: row.int("created_at")?,
            updated_at_ms: row.int("updated_at")?,
        };
        holds.insert(hold.id.clone(), (hold, Vec::new()));
    }
    let mut sql =
        Sql::new("SELECT hold_id, line_no, sku, quantity FROM hold_lines WHERE hold_id IN (");
    sql.list(ids.iter().copied())
        .push(") ORDER BY hold_id, line_no");
    for row in conn.rows(sql).await? {
        if let Some((hold, _)) = holds.get_mut(&row.text("hold_id")?) {
            let line_no = corrupt(
                "line_no",
                u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
            )?;
            hold.lines.push(HoldLine {
                line_no,
                sku: rows::sku(&row, "sku")?,
                quantity: row.int("quantity")?,
            });
        }
    }
    let owners: Vec<&str> = ids.iter().copied().collect();
    for r in owned_reservations(conn, "hold", &owners).await? {
        if let Some((_, reservations)) = holds.get_mut(&r.owner_id) {
            reservations.push(r);
        }
    }
    Ok(holds)
}

async fn insert_hold(conn: &mut dyn Exec, hold: &Hold) -> StoreResult<()> {
    let row: Vec<Arg> = vec![
        hold.id.as_str().into(),
        hold.channel.as_ref().map(|c| c.to_string()).into(),
        hold.status.as_str().into(),
        hold.expires_at_ms.into(),
        hold.order_id.clone().into(),
        hold.created_at_ms.into(),
        hold.updated_at_ms.into(),
    ];
    let mut statements = inserts(
        "holds",
        &[
            "id",
            "channel",
            "status",
            "expires_at",
            "order_id",
            "created_at",
            "updated_at",
        ],
        vec![row],
    );
    let lines = hold
        .lines
        .iter()
        .map(|l| {
            vec![
                hold.id.as_str().into(),
                l.line_no.into(),
                l.sku.as_str().into(),
                l.quantity.into(),
            ]
        })
        .collect();
    statements.extend(inserts(
        "hold_lines",
        &["hold_id", "line_no", "sku", "quantity"],
        lines,
    ));
    execute_all(conn, statements).await
}

pub(crate) async fn hold(store: &SqlStore, id: &str) -> StoreResult<Option<HoldRecord>> {
    let mut conn = store.reader().await?;
    let ids = BTreeSet::from([id]);
    Ok(load_holds(&mut conn, &ids, "")
        .await?
        .remove(id)
        .map(|(hold, reservations)| HoldRecord { hold, reservations }))
}

impl Tx {
    /// Adds a checkout hold with its lines.
    pub async fn insert_checkout_hold(&mut self, hold: &Hold) -> StoreResult<()> {
        insert_hold(&mut self.write, hold).await
    }

    /// The items a checkout hold's reservations are of.
    pub async fn checkout_hold_skus(&mut self, id: &str) -> StoreResult<BTreeSet<Sku>> {
        skus_of(&mut self.write, &BTreeSet::from([id])).await
    }

    /// A checkout hold with its reservations, locked until the transaction ends.
    pub async fn lock_checkout_hold(&mut self, id: &str) -> StoreResult<Option<HoldRecord>> {
        let lock = self.lock();
        let mut holds = load_holds(&mut self.write, &BTreeSet::from([id]), lock).await?;
        Ok(holds
            .remove(id)
            .map(|(hold, reservations)| HoldRecord { hold, reservations }))
    }

    /// Items with checkout holds past their expiry still holding units, a few hundred at most.
    pub async fn items_with_expired_holds(&mut self, now_ms: i64) -> StoreResult<BTreeSet<Sku>> {
        let sql = Sql::with(
            "SELECT DISTINCT sku FROM reservations WHERE status = 'held' AND expires_at IS NOT NULL \
             AND expires_at <= $1 ORDER BY sku LIMIT $2",
            [Arg::from(now_ms), Arg::from(SWEEP_SKUS_MAX)],
        );
        let rows = self.write.rows(sql).await?;
        rows.iter().map(|r| rows::sku(r, "sku")).collect()
    }
}
