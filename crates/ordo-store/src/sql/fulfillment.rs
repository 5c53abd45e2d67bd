//! Fulfilment orders in the store: reading and writing them with their lines and packages, and
//! a location's work list. Releasing is in `release`, the steps in `fulfillment_steps`.

use crate::sql::exec::Exec;

use ordo_domain::fulfillment::{
    FulfillmentLine, FulfillmentOrder, FulfillmentStatus, Package, PackageContent,
};

use super::SqlStore;
use super::args::{Arg, Sql};
use super::inserts::inserts;
use super::rows::{self, RowExt};
use super::write::execute_all;
use crate::error::{StoreError, StoreResult, corrupt};

const FO_COLUMNS: &str = "id, order_id, location, status, promised_date, released_at, accepted_at, shipped_at, \
     cancel_requested, created_at, updated_at";
pub(crate) const OPEN: &str = "('released', 'accepted', 'picking', 'picked', 'packed')";

/// Fulfilment orders matching `filter` (an SQL condition with its arguments already bound),
/// with their lines.
impl super::tx::Tx {
    /// The status of one of an order's fulfilment orders; `None` when the order has no
    /// fulfilment order of that id.
    pub async fn fulfillment_status(
        &mut self,
        order_id: &str,
        fulfillment_order_id: &str,
    ) -> StoreResult<Option<FulfillmentStatus>> {
        let sql = Sql::with(
            "SELECT status FROM fulfillment_orders WHERE id = $1 AND order_id = $2",
            [Arg::from(fulfillment_order_id), Arg::from(order_id)],
        );
        match self.write.first(sql).await? {
            None => Ok(None),
            Some(row) => Ok(Some(corrupt(
                "status",
                FulfillmentStatus::parse(&row.text("status")?),
            )?)),
        }
    }
}

pub(crate) async fn load(conn: &mut dyn Exec, sql: Sql) -> StoreResult<Vec<FulfillmentOrder>> {
    let rows = conn.rows(sql).await?;
    let mut fos = rows
        .iter()
        .map(|r| {
            Ok(FulfillmentOrder {
                id: r.text("id")?,
                order_id: r.text("order_id")?,
                location: rows::location_code(r, "location")?,
                status: corrupt("status", FulfillmentStatus::parse(&r.text("status")?))?,
                lines: Vec::new(),
                promised_date: rows::optional_date(r, "promised_date")?,
                released_at_ms: r.int("released_at")?,
                accepted_at_ms: r.opt_int("accepted_at")?,
                shipped_at_ms: r.opt_int("shipped_at")?,
                cancel_requested: r.flag("cancel_requested")?,
                created_at_ms: r.int("created_at")?,
                updated_at_ms: r.int("updated_at")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    if fos.is_empty() {
        return Ok(fos);
    }
    let mut lines = Sql::new(
        "SELECT fulfillment_order_id, line_no, sku, quantity, picked, shipped, short, cancelled, cancel_requested \
         FROM fulfillment_lines WHERE fulfillment_order_id IN (",
    );
    lines
        .list(fos.iter().map(|f| f.id.as_str()))
        .push(") ORDER BY fulfillment_order_id, line_no");
    for r in conn.rows(lines).await? {
        let id = r.text("fulfillment_order_id")?;
        let line = FulfillmentLine {
            line_no: r.int("line_no")? as u32,
            sku: rows::sku(&r, "sku")?,
            quantity: r.int("quantity")?,
            picked: r.int("picked")?,
            shipped: r.int("shipped")?,
            short: r.int("short")?,
            cancelled: r.int("cancelled")?,
            cancel_requested: r.int("cancel_requested")?,
        };
        if let Some(fo) = fos.iter_mut().find(|f| f.id == id) {
            fo.lines.push(line);
        }
    }
    Ok(fos)
}

/// An order's fulfilment orders still at work, locked on PostgreSQL.
pub(crate) async fn open_of(
    conn: &mut dyn Exec,
    order_id: &str,
    lock: &str,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut sql = select("order_id = ");
    sql.arg(order_id)
        .push(&format!(" AND status IN {OPEN} ORDER BY created_at, id"))
        .push(lock);
    load(conn, sql).await
}

/// The fulfilment orders a condition picks, as `load` reads them.
pub(crate) fn select(condition: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {FO_COLUMNS} FROM fulfillment_orders WHERE {condition}"
    ))
}

/// Writes a fulfilment order and its lines, new or changed.
pub(crate) async fn save(conn: &mut dyn Exec, fo: &FulfillmentOrder) -> StoreResult<()> {
    let mut update = Sql::new("UPDATE fulfillment_orders SET status = ");
    update
        .arg(fo.status.as_str())
        .push(", accepted_at = ")
        .arg(fo.accepted_at_ms)
        .push(", shipped_at = ")
        .arg(fo.shipped_at_ms)
        .push(", cancel_requested = ")
        .arg(fo.cancel_requested)
        .push(", updated_at = ")
        .arg(fo.updated_at_ms)
        .push(" WHERE id = ")
        .arg(fo.id.as_str());
    if conn.run(update).await? == 0 {
        return execute_all(conn, fresh_inserts(std::slice::from_ref(fo))).await;
    }
    conn.run(Sql::with(
        "DELETE FROM fulfillment_lines WHERE fulfillment_order_id = $1",
        [Arg::from(fo.id.as_str())],
    ))
    .await?;
    let lines = fo.lines.iter().map(|l| line_row(&fo.id, l)).collect();
    execute_all(conn, inserts("fulfillment_lines", &LINE_COLUMNS, lines)).await
}

pub(crate) async fn fulfillment_order(
    store: &SqlStore,
    id: &str,
) -> StoreResult<Option<FulfillmentOrder>> {
    let mut conn = store.reader().await?;
    let mut sql = select("id = ");
    sql.arg(id);
    Ok(load(&mut conn, sql).await?.pop())
}

pub(crate) async fn location_work(
    store: &SqlStore,
    location: &ordo_domain::values::LocationCode,
    limit: i64,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut conn = store.reader().await?;
    let mut sql = select("location = ");
    sql.arg(location.as_str())
        .push(&format!(" AND status IN {OPEN}"))
        .push(" ORDER BY CASE WHEN promised_date IS NULL THEN 1 ELSE 0 END, promised_date, released_at, id LIMIT ")
        .arg(limit);
    load(&mut conn, sql).await
}

pub(crate) async fn packages(store: &SqlStore, fo_id: &str) -> StoreResult<Vec<Package>> {
    let mut conn = store.reader().await?;
    packages_in(&mut conn, fo_id).await
}

pub(crate) async fn packages_in(conn: &mut dyn Exec, fo_id: &str) -> StoreResult<Vec<Package>> {
    let rows = conn.rows(Sql::with("SELECT id, fulfillment_order_id, seq, weight_g, length_mm, width_mm, height_mm, contents \
         FROM packages WHERE fulfillment_order_id = $1 ORDER BY seq",[Arg::from(fo_id)])).await?;
    rows.iter().map(|r| package(r, "id")).collect()
}

/// A package from a row with its columns; `id_column` names its id (`id` in `packages`,
/// `package_id` in a shipment's row).
pub(crate) fn package(r: &crate::sql::exec::Row, id_column: &str) -> StoreResult<Package> {
    let contents: Vec<(u32, String, i64)> = serde_json::from_str(&r.text("contents")?)
        .map_err(|e| StoreError::Corrupt(format!("package contents: {e}")))?;
    Ok(Package {
        id: r.text(id_column)?,
        fulfillment_order_id: r.text("fulfillment_order_id")?,
        seq: r.int("seq")? as u32,
        weight_g: r.int("weight_g")?,
        dimensions_mm: [r.int("length_mm")?, r.int("width_mm")?, r.int("height_mm")?],
        contents: contents
            .into_iter()
            .map(|(line_no, sku, quantity)| {
                Ok(PackageContent {
                    line_no,
                    sku: corrupt("contents", ordo_domain::values::Sku::parse(&sku))?,
                    quantity,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?,
    })
}

pub(crate) async fn insert_packages(
    conn: &mut dyn Exec,
    packages: &[Package],
    now_ms: i64,
) -> StoreResult<()> {
    for p in packages {
        let contents: Vec<(u32, &str, i64)> = p
            .contents
            .iter()
            .map(|c| (c.line_no, c.sku.as_str(), c.quantity))
            .collect();
        conn.run(Sql::with("INSERT INTO packages (id, fulfillment_order_id, seq, weight_g, length_mm, width_mm, height_mm, contents, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",[Arg::from(p.id.as_str()), Arg::from(p.fulfillment_order_id.as_str()), Arg::from(i64::from(p.seq)), Arg::from(p.weight_g), Arg::from(p.dimensions_mm[0]), Arg::from(p.dimensions_mm[1]), Arg::from(p.dimensions_mm[2]), Arg::from(serde_json::json!(contents).to_string()), Arg::from(now_ms)])).await?;
    }
    Ok(())
}

/// Multi-row inserts of new fulfilment orders and their lines.
pub(crate) fn fresh_inserts(fos: &[FulfillmentOrder]) -> Vec<Sql> {
    let columns: Vec<&str> = FO_COLUMNS.split(',').map(str::trim).collect();
    let mut statements = inserts(
        "fulfillment_orders",
        &columns,
        fos.iter().map(fo_row).collect(),
    );
    let lines = fos
        .iter()
        .flat_map(|fo| fo.lines.iter().map(move |l| line_row(&fo.id, l)))
        .collect();
    statements.extend(inserts("fulfillment_lines", &LINE_COLUMNS, lines));
    statements
}

const LINE_COLUMNS: [&str; 9] = [
    "fulfillment_order_id",
    "line_no",
    "sku",
    "quantity",
    "picked",
    "shipped",
    "short",
    "cancelled",
    "cancel_requested",
];

fn fo_row(fo: &FulfillmentOrder) -> Vec<Arg> {
    vec![
        fo.id.as_str().into(),
        fo.order_id.as_str().into(),
        fo.location.as_str().into(),
        fo.status.as_str().into(),
        fo.promised_date.map(|d| d.to_string()).into(),
        fo.released_at_ms.into(),
        fo.accepted_at_ms.into(),
        fo.shipped_at_ms.into(),
        fo.cancel_requested.into(),
        fo.created_at_ms.into(),
        fo.updated_at_ms.into(),
    ]
}

fn line_row(fo_id: &str, l: &FulfillmentLine) -> Vec<Arg> {
    vec![
        fo_id.into(),
        l.line_no.into(),
        l.sku.as_str().into(),
        l.quantity.into(),
        l.picked.into(),
        l.shipped.into(),
        l.short.into(),
        l.cancelled.into(),
        l.cancel_requested.into(),
    ]
}
