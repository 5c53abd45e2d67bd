//! Transfers: requested (units reserved at the source), shipped, received at the
//! destination, or cancelled before shipping.

use crate::sql::exec::Exec;
use std::collections::HashMap;

use ordo_domain::transfer::{Transfer, TransferLine, TransferStatus};

use crate::error::{StoreResult, corrupt};
use crate::sql::SqlStore;
use crate::sql::args::{Arg, Sql};
use crate::sql::catalog::finish_page;
use crate::sql::inserts::inserts;
use crate::sql::orders::owned_reservations;
use crate::sql::rows::{self, RowExt};
use crate::sql::tx::Tx;
use crate::sql::write::execute_all;
use crate::types::*;

const TRANSFER_COLUMNS: &str =
    "id, from_location, to_location, status, reason, created_at, shipped_at, updated_at";

async fn insert_transfer(conn: &mut dyn Exec, t: &Transfer) -> StoreResult<()> {
    let row = vec![
        Arg::from(t.id.as_str()),
        t.from.as_str().into(),
        t.to.as_str().into(),
        t.status.as_str().into(),
        t.reason.clone().into(),
        t.created_at_ms.into(),
        t.shipped_at_ms.into(),
        t.updated_at_ms.into(),
    ];
    let columns: Vec<&str> = TRANSFER_COLUMNS.split(", ").collect();
    let mut statements = inserts("transfers", &columns, vec![row]);
    let lines = t
        .lines
        .iter()
        .map(|l| {
            vec![
                t.id.as_str().into(),
                l.line_no.into(),
                l.sku.as_str().into(),
                l.quantity.into(),
                l.shipped.into(),
                l.received.into(),
            ]
        })
        .collect();
    statements.extend(inserts(
        "transfer_lines",
        &[
            "transfer_id",
            "line_no",
            "sku",
            "quantity",
            "shipped",
            "received",
        ],
        lines,
    ));
    execute_all(conn, statements).await
}

async fn update_transfer(conn: &mut dyn Exec, t: &Transfer) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE transfers SET status = ");
    sql.arg(t.status.as_str())
        .push(", shipped_at = ")
        .arg(t.shipped_at_ms)
        .push(", updated_at = ")
        .arg(t.updated_at_ms);
    sql.push(" WHERE id = ").arg(t.id.as_str());
    conn.run(sql).await?;
    for l in &t.lines {
        let mut sql = Sql::new("UPDATE transfer_lines SET shipped = ");
        sql.arg(l.shipped).push(", received = ").arg(l.received);
        sql.push(" WHERE transfer_id = ")
            .arg(t.id.as_str())
            .push(" AND line_no = ")
            .arg(l.line_no);
        conn.run(sql).await?;
    }
    Ok(())
}

async fn load_transfers(conn: &mut dyn Exec, sql: Sql) -> StoreResult<Vec<TransferRecord>> {
    let rows = conn.rows(sql).await?;
    let mut transfers = Vec::with_capacity(rows.len());
    for row in &rows {
        let status = row.text("status")?;
        transfers.push(Transfer {
            id: row.text("id")?,
            from: rows::location_code(row, "from_location")?,
            to: rows::location_code(row, "to_location")?,
            status: corrupt("status", TransferStatus::parse(&status))?,
            reason: row.opt_text("reason")?,
            lines: Vec::new(),
            created_at_ms: row.int("created_at")?,
            shipped_at_ms: row.opt_int("shipped_at")?,
            updated_at_ms: row.int("updated_at")?,
        });
    }
    if transfers.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = transfers.iter().map(|t| t.id.as_str()).collect();
    let mut sql = Sql::new(
        "SELECT transfer_id, line_no, sku, quantity, shipped, received FROM transfer_lines WHERE transfer_id IN (",
    );
    sql.list(ids.iter().copied())
        .push(") ORDER BY transfer_id, line_no");
    let mut lines: HashMap<String, Vec<TransferLine>> = HashMap::new();
    for row in conn.rows(sql).await? {
        let line_no = corrupt(
            "line_no",
            u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
        )?;
        lines
            .entry(row.text("transfer_id")?)
            .or_default()
            .push(TransferLine {
                line_no,
                sku: rows::sku(&row, "sku")?,
                quantity: row.int("quantity")?,
                shipped: row.int("shipped")?,
                received: row.int("received")?,
            });
    }
    let mut reservations: HashMap<String, Vec<_>> = HashMap::new();
    for r in owned_reservations(conn, "transfer", &ids).await? {
        reservations.entry(r.owner_id.clone()).or_default().push(r);
    }
    Ok(transfers
        .into_iter()
        .map(|mut transfer| {
            transfer.lines = lines.remove(&transfer.id).unwrap_or_default();
            let reservations = reservations.remove(&transfer.id).unwrap_or_default();
            TransferRecord {
                transfer,
                reservations,
            }
        })
        .collect())
}

pub(crate) async fn transfer(store: &SqlStore, id: &str) -> StoreResult<Option<TransferRecord>> {
    let mut conn = store.reader().await?;
    let mut sql = Sql::new(&format!(
        "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = "
    ));
    sql.arg(id);
    Ok(load_transfers(&mut conn, sql).await?.pop())
}

pub(crate) async fn transfers(
    store: &SqlStore,
    filter: &TransferFilter,
    page: &PageRequest,
) -> StoreResult<Page<TransferRecord>> {
    let mut conn = store.reader().await?;
    let mut sql = Sql::new(&format!("SELECT {TRANSFER_COLUMNS} FROM transfers"));
    if let Some(status) = filter.status {
        sql.and_where().push("status = ").arg(status.as_str());
    }
    if let Some(location) = &filter.location {
        sql.and_where()
            .push("(from_location = ")
            .arg(location.as_str())
            .push(" OR to_location = ")
            .arg(location.as_str())
            .push(")");
    }
    if let Some(cursor) = &page.cursor {
        sql.and_where().push("id < ").arg(cursor.as_str());
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let mut records = load_transfers(&mut conn, sql).await?;
    Ok(finish_page(&mut records, page, |r| r.transfer.id.clone()))
}

impl Tx {
    pub async fn insert_transfer(&mut self, transfer: &Transfer) -> StoreResult<()> {
        insert_transfer(&mut self.write, transfer).await
    }

    /// A transfer with its reservations; locked until the transaction ends when `lock`.
    pub async fn load_transfer(
        &mut self,
        id: &str,
        lock: bool,
    ) -> StoreResult<Option<TransferRecord>> {
        let mut sql = Sql::new(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = "
        ));
        sql.arg(id).push(if lock { self.lock() } else { "" });
        Ok(load_transfers(&mut self.write, sql).await?.pop())
    }

    /// Writes a transfer's status and its lines' figures as the domain left them.
    pub async fn update_transfer(&mut self, transfer: &Transfer) -> StoreResult<()> {
        update_transfer(&mut self.write, transfer).await
    }
}
