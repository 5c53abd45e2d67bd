//! Inbound supply: purchase orders and advance ship notices, received partly or in full, or
//! closed.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::inbound::{Inbound, InboundKind, InboundLine, InboundStatus};
use ordo_domain::inventory::StockState;
use ordo_domain::promise::parse_date;
use ordo_domain::values::Sku;

use super::{check_references, line_skus};
use crate::error::{StoreResult, corrupt};
use crate::sql::SqlStore;
use crate::sql::args::{Arg, Sql, inserts};
use crate::sql::catalog::finish_page;
use crate::sql::rows::{self, RowExt};
use crate::sql::stock::StockWork;
use crate::sql::write::execute_all;
use crate::types::*;

const INBOUND_COLUMNS: &str =
    "id, kind, location, supplier_reference, expected_date, status, created_at, updated_at";

pub(crate) async fn create_inbound(
    store: &SqlStore,
    inbound: &Inbound,
) -> StoreResult<Result<(), SupplyRefusal>> {
    let mut tx = store.begin().await?;
    let locations = [("location", &inbound.location)];
    if let Err(errors) = check_references(
        &mut tx,
        &locations,
        &line_skus(inbound.lines.iter().map(|l| &l.sku)),
    )
    .await?
    {
        return Ok(Err(SupplyRefusal::Invalid(errors)));
    }
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
    execute_all(&mut tx, statements).await?;
    tx.commit().await?;
    Ok(Ok(()))
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
    let mut conn = store.read.acquire().await?;
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
    let mut conn = store.read.acquire().await?;
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

/// Receives units of an inbound (or, with `cancel`, closes it so nothing more is expected).
pub(crate) async fn step_inbound(
    store: &SqlStore,
    id: &str,
    receipts: Option<&[(Sku, i64, StockState)]>,
    actor: &str,
    now_ms: i64,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<Inbound, SupplyRefusal>>> {
    let mut tx = store.begin().await?;
    let Some(peek) = inbound(store, id).await? else {
        return Ok(None);
    };
    let skus: BTreeSet<Sku> = peek.lines.iter().map(|l| l.sku.clone()).collect();
    let mut work = StockWork::begin(&mut tx, store, skus, now_ms).await?;
    let mut sql = Sql::new(&format!(
        "SELECT {INBOUND_COLUMNS} FROM inbound WHERE id = "
    ));
    sql.arg(id).push(store.backend.lock_rows());
    let Some(mut record) = load_inbound(&mut tx, sql).await?.pop() else {
        return Ok(None);
    };
    match receipts {
        Some(receipts) => match record.receive(receipts, &mut work.book, now_ms, actor) {
            Ok(ledger) => work.ledger.extend(ledger),
            Err(refusal) => return Ok(Some(Err(SupplyRefusal::Inbound(refusal)))),
        },
        None => {
            if !record.status.is_open() {
                return Ok(Some(Err(SupplyRefusal::Inbound(
                    ordo_domain::inbound::InboundError::Closed(record.status.as_str()),
                ))));
            }
            record.status = InboundStatus::Cancelled;
            record.updated_at_ms = now_ms;
        }
    }
    let mut sql = Sql::new("UPDATE inbound SET status = ");
    sql.arg(record.status.as_str())
        .push(", updated_at = ")
        .arg(record.updated_at_ms)
        .push(" WHERE id = ")
        .arg(id);
    tx.run(sql).await?;
    for l in &record.lines {
        let mut sql = Sql::new("UPDATE inbound_lines SET received = ");
        sql.arg(l.received)
            .push(" WHERE inbound_id = ")
            .arg(id)
            .push(" AND line_no = ")
            .arg(l.line_no);
        tx.run(sql).await?;
    }
    work.fill_backorders(&mut tx, deciders, "stock arrived")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(Ok(record)))
}
