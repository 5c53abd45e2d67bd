//! Inbound supply — purchase orders and advance ship notices — as the store reads and writes
//! it.

use crate::sql::exec::Exec;
use std::collections::HashMap;

use ordo_domain::inbound::{Inbound, InboundKind, InboundLine, InboundStatus};
use ordo_domain::promise::parse_date;

use crate::error::{StoreResult, corrupt};
use crate::sql::SqlStore;
use crate::sql::args::{Arg, Sql};
use crate::sql::catalog::finish_page;
use crate::sql::inserts::inserts;
use crate::sql::rows::{self, RowExt};
use crate::sql::tx::Tx;
use crate::sql::write::execute_all;
use crate::types::*;

const INBOUND_COLUMNS: &str =
    "id, kind, location, supplier_reference, expected_date, status, created_at, updated_at";

async fn insert_inbound(conn: &mut dyn Exec, inbound: &Inbound) -> StoreResult<()> {
    let row = vec![
        Arg::from(inbound.id.as_str()),
        inbound.kind.as_str().into(),
        inbound.location.as_str().into(),
        inbound.supplier_reference.as_str().into(),
        inbound.expected_date.to_string().into(),
        inbound.status.as_str().into(),
        inbound.created_at_ms.into(),
        inbound.updated_at_ms.into(),
    ];
    let columns: Vec<&str> = INBOUND_COLUMNS.split(", ").collect();
    let mut statements = inserts("inbound", &columns, vec![row]);
    let lines = inbound
        .lines
        .iter()
        .map(|l| {
            vec![
                inbound.id.as_str().into(),
                l.line_no.into(),
                l.sku.as_str().into(),
                l.quantity.into(),
                l.received.into(),
            ]
        })
        .collect();
    statements.extend(inserts(
        "inbound_lines",
        &["inbound_id", "line_no", "sku", "quantity", "received"],
        lines,
    ));
    execute_all(conn, statements).await
}

async fn load_inbound(conn: &mut dyn Exec, sql: Sql) -> StoreResult<Vec<Inbound>> {
    let rows = conn.rows(sql).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(Inbound {
            id: row.text("id")?,
            kind: corrupt("kind", InboundKind::parse(&row.text("kind")?))?,
            location: rows::location_code(row, "location")?,
            supplier_reference: row.text("supplier_reference")?,
            expected_date: corrupt("expected_date", parse_date(&row.text("expected_date")?))?,
            status: corrupt("status", InboundStatus::parse(&row.text("status")?))?,
            lines: Vec::new(),
            created_at_ms: row.int("created_at")?,
            updated_at_ms: row.int("updated_at")?,
        });
    }
    if records.is_empty() {
        return Ok(records);
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let mut sql = Sql::new(
        "SELECT inbound_id, line_no, sku, quantity, received FROM inbound_lines WHERE inbound_id IN (",
    );
    sql.list(ids).push(") ORDER BY inbound_id, line_no");
    let mut lines: HashMap<String, Vec<InboundLine>> = HashMap::new();
    for row in conn.rows(sql).await? {
        let line_no = corrupt(
            "line_no",
            u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
        )?;
        lines
            .entry(row.text("inbound_id")?)
            .or_default()
            .push(InboundLine {
                line_no,
                sku: rows::sku(&row, "sku")?,
                quantity: row.int("quantity")?,
                received: row.int("received")?,
            });
    }
    for r in &mut records {
        r.lines = lines.remove(&r.id).unwrap_or_default();
    }
    Ok(records)
}

pub(crate) async fn inbound(store: &SqlStore, id: &str) -> StoreResult<Option<Inbound>> {
    let mut conn = store.reader().await?;
    let mut sql = Sql::new(&format!(
        "SELECT {INBOUND_COLUMNS} FROM inbound WHERE id = "
    ));
    sql.arg(id);
    Ok(load_inbound(&mut conn, sql).await?.pop())
}

pub(crate) async fn inbound_list(
    store: &SqlStore,
    filter: &InboundFilter,
    page: &PageRequest,
) -> StoreResult<Page<Inbound>> {
    let mut conn = store.reader().await?;
    let mut sql = Sql::new(&format!("SELECT {INBOUND_COLUMNS} FROM inbound"));
    if let Some(status) = filter.status {
        sql.and_where().push("status = ").arg(status.as_str());
    }
    if let Some(location) = &filter.location {
        sql.and_where().push("location = ").arg(location.as_str());
    }
    if let Some(cursor) = &page.cursor {
        sql.and_where().push("id < ").arg(cursor.as_str());
    }
    sql.push(" ORDER BY id DESC LIMIT ").arg(page.limit() + 1);
    let mut records = load_inbound(&mut conn, sql).await?;
    Ok(finish_page(&mut records, page, |r| r.id.clone()))
}

impl Tx {
    pub async fn insert_inbound(&mut self, inbound: &Inbound) -> StoreResult<()> {
        insert_inbound(&mut self.write, inbound).await
    }

    /// An inbound with its lines; locked until the transaction ends when `lock`.
    pub async fn load_inbound(&mut self, id: &str, lock: bool) -> StoreResult<Option<Inbound>> {
        let mut sql = Sql::new(&format!(
            "SELECT {INBOUND_COLUMNS} FROM inbound WHERE id = "
        ));
        sql.arg(id).push(if lock { self.lock() } else { "" });
        Ok(load_inbound(&mut self.write, sql).await?.pop())
    }

    /// Writes an inbound's status and what its lines received.
    pub async fn update_inbound(&mut self, inbound: &Inbound) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE inbound SET status = ");
        sql.arg(inbound.status.as_str())
            .push(", updated_at = ")
            .arg(inbound.updated_at_ms)
            .push(" WHERE id = ")
            .arg(inbound.id.as_str());
        self.write.run(sql).await?;
        for l in &inbound.lines {
            let mut sql = Sql::new("UPDATE inbound_lines SET received = ");
            sql.arg(l.received)
                .push(" WHERE inbound_id = ")
                .arg(inbound.id.as_str())
                .push(" AND line_no = ")
                .arg(l.line_no);
            self.write.run(sql).await?;
        }
        Ok(())
    }
}
