//! Fulfilment orders in the store: releasing due allocations to their locations, a
//! location's work list, and each step a location takes — one transaction each. Steps that
//! change stock (a short pick or rejection routes units again; shipping commits them) run
//! through [`StockWork`], like every other stock change.

use sqlx::{AnyConnection, Connection};

use ordo_domain::fulfillment::{
    self as domain, FulfillmentLine, FulfillmentOrder, FulfillmentStatus, Package, PackageContent,
    ShortHandling,
};
use ordo_domain::order::{OrderEvent, RejectReason};
use ordo_domain::reservation::{ReservationOwner, ReservationStatus};

use super::args::{Arg, Sql, inserts};
use super::orders::{begin_order_change, event_inserts, load_orders, update_order};
use super::reroute::{RejectUnits, reject_units};
use super::rows::{self, RowExt};
use super::stock::StockWork;
use super::write::execute_all;
use super::{SqlStore, load, shipping};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::fulfillment::*;
use crate::ids::new_id;
use crate::types::{Deciders, OrderKey, OrderRecord};

const FO_COLUMNS: &str = "id, order_id, location, status, promised_date, released_at, accepted_at, shipped_at, \
     cancel_requested, created_at, updated_at";
const OPEN: &str = "('released', 'accepted', 'picking', 'picked', 'packed')";

/// Fulfilment orders matching `filter` (an SQL condition with its arguments already bound),
/// with their lines.
async fn load(conn: &mut AnyConnection, sql: Sql) -> StoreResult<Vec<FulfillmentOrder>> {
    let rows = sql.build().fetch_all(&mut *conn).await?;
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
    for r in lines.build().fetch_all(&mut *conn).await? {
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
    conn: &mut AnyConnection,
    order_id: &str,
    lock: &str,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut sql = select("order_id = ");
    sql.arg(order_id)
        .push(&format!(" AND status IN {OPEN} ORDER BY created_at, id"))
        .push(lock);
    load(conn, sql).await
}

/// Fulfilment orders by id.
pub(crate) async fn by_ids(
    conn: &mut AnyConnection,
    ids: &[String],
) -> StoreResult<Vec<FulfillmentOrder>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = select("id IN (");
    sql.list(ids.iter().map(String::as_str))
        .push(") ORDER BY released_at, id");
    load(conn, sql).await
}

fn select(condition: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {FO_COLUMNS} FROM fulfillment_orders WHERE {condition}"
    ))
}

/// Writes a fulfilment order and its lines, new or changed.
pub(crate) async fn save(conn: &mut AnyConnection, fo: &FulfillmentOrder) -> StoreResult<()> {
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
    if update.build().execute(&mut *conn).await?.rows_affected() == 0 {
        return execute_all(conn, fresh_inserts(std::slice::from_ref(fo))).await;
    }
    sqlx::query("DELETE FROM fulfillment_lines WHERE fulfillment_order_id = $1")
        .bind(fo.id.as_str())
        .execute(&mut *conn)
        .await?;
    let lines = fo.lines.iter().map(|l| line_row(&fo.id, l)).collect();
    execute_all(conn, inserts("fulfillment_lines", &LINE_COLUMNS, lines)).await
}

pub(crate) async fn fulfillment_order(
    store: &SqlStore,
    id: &str,
) -> StoreResult<Option<FulfillmentOrder>> {
    let mut conn = store.read.acquire().await?;
    let mut sql = select("id = ");
    sql.arg(id);
    Ok(load(&mut conn, sql).await?.pop())
}

pub(crate) async fn fulfillment_orders_of(
    store: &SqlStore,
    order_id: &str,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut conn = store.read.acquire().await?;
    let mut sql = select("order_id = ");
    sql.arg(order_id).push(" ORDER BY created_at, id");
    load(&mut conn, sql).await
}

pub(crate) async fn location_work(
    store: &SqlStore,
    location: &ordo_domain::values::LocationCode,
    limit: i64,
) -> StoreResult<Vec<FulfillmentOrder>> {
    let mut conn = store.read.acquire().await?;
    let mut sql = select("location = ");
    sql.arg(location.as_str())
        .push(&format!(" AND status IN {OPEN}"))
        .push(" ORDER BY CASE WHEN promised_date IS NULL THEN 1 ELSE 0 END, promised_date, released_at, id LIMIT ")
        .arg(limit);
    load(&mut conn, sql).await
}

pub(crate) async fn packages(store: &SqlStore, fo_id: &str) -> StoreResult<Vec<Package>> {
    let mut conn = store.read.acquire().await?;
    packages_in(&mut conn, fo_id).await
}

pub(crate) async fn packages_in(
    conn: &mut AnyConnection,
    fo_id: &str,
) -> StoreResult<Vec<Package>> {
    let rows = sqlx::query(
        "SELECT id, fulfillment_order_id, seq, weight_g, length_mm, width_mm, height_mm, contents \
         FROM packages WHERE fulfillment_order_id = $1 ORDER BY seq",
    )
    .bind(fo_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(package).collect()
}

pub(crate) fn package(r: &sqlx::any::AnyRow) -> StoreResult<Package> {
    let contents: Vec<(u32, String, i64)> = serde_json::from_str(&r.text("contents")?)
        .map_err(|e| StoreError::Corrupt(format!("package contents: {e}")))?;
    Ok(Package {
        id: r.text("id")?,
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

async fn insert_packages(
    conn: &mut AnyConnection,
    packages: &[Package],
    now_ms: i64,
) -> StoreResult<()> {
    for p in packages {
        let contents: Vec<(u32, &str, i64)> = p
            .contents
            .iter()
            .map(|c| (c.line_no, c.sku.as_str(), c.quantity))
            .collect();
        sqlx::query(
            "INSERT INTO packages (id, fulfillment_order_id, seq, weight_g, length_mm, width_mm, height_mm, contents, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id.as_str())
        .bind(p.fulfillment_order_id.as_str())
        .bind(i64::from(p.seq))
        .bind(p.weight_g)
        .bind(p.dimensions_mm[0])
        .bind(p.dimensions_mm[1])
        .bind(p.dimensions_mm[2])
        .bind(serde_json::json!(contents).to_string())
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

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
    if let Some(location) = &filter.location {
        sql.push(" AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id AND r.status = 'held' AND r.location = ")
            .arg(location.as_str())
            .push(")");
    }
    sql.push(" ORDER BY o.created_at, l.order_id LIMIT ")
        .arg(RELEASE_ORDERS_MAX);
    let ids = {
        let mut conn = store.read.acquire().await?;
        sql.build()
            .fetch_all(&mut *conn)
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
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut records = load_orders(&mut tx, ids, store.backend.lock_rows()).await?;
    let locations = load::locations(&mut tx).await?;
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

/// Multi-row inserts of new fulfilment orders and their lines.
fn fresh_inserts(fos: &[FulfillmentOrder]) -> Vec<Sql> {
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

/// One step of a fulfilment order, in one transaction.
pub(crate) async fn step(
    store: &SqlStore,
    command: &FulfillmentCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<StepOutcome, StepRefusal>>> {
    let mut conn = store.write.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut peek = select("id = ");
    peek.arg(command.id.as_str());
    let Some(peek) = load(&mut tx, peek).await?.pop() else {
        return Ok(None);
    };
    if command
        .location_scope
        .as_ref()
        .is_some_and(|scope| *scope != peek.location)
    {
        return Ok(None);
    }
    let now = command.now_ms;
    let key = OrderKey::Id(peek.order_id.clone());
    let Some((mut work, mut record)) = begin_order_change(store, &mut tx, &key, None, now).await?
    else {
        return Ok(None);
    };
    work.overlay(&mut record.reservations);
    let mut locked = select("id = ");
    locked
        .arg(command.id.as_str())
        .push(store.backend.lock_rows());
    let mut fo = load(&mut tx, locked).await?.pop().ok_or_else(|| {
        StoreError::Contention(format!("fulfilment order {} vanished", command.id))
    })?;
    let rejecting = matches!(
        command.step,
        FulfillmentStep::Reject { .. } | FulfillmentStep::ConfirmCancel
    );
    if !rejecting && super::order_holds::held(&mut tx, &fo.order_id, &fo.id).await? {
        return Ok(Some(Err(StepRefusal::Fulfillment(
            domain::FulfillmentError::OnHold,
        ))));
    }
    let seq_before = record.order.event_seq;
    let actor = command.actor.as_str();
    let mut shipments = Vec::new();
    let mut rejections = Vec::new();
    let order = &mut record.order;
    let done: Result<(), StepRefusal> = match &command.step {
        FulfillmentStep::Accept => domain::accept(&mut fo, order, now, actor)
            .map(|e| work.order_events.push(e))
            .map_err(Into::into),
        FulfillmentStep::StartPick => domain::start_pick(&mut fo, order, now, actor)
            .map(|e| work.order_events.push(e))
            .map_err(Into::into),
        FulfillmentStep::Pack(input) => {
            match domain::pack(&mut fo, order, input, now, actor, &mut || {
                new_id("pkg", now)
            }) {
                Ok((packages, event)) => {
                    insert_packages(&mut tx, &packages, now).await?;
                    work.order_events.push(event);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Pick(input) => match domain::pick(&mut fo, order, input, now, actor) {
            Ok((shorts, event)) => {
                work.order_events.push(event);
                let reason = RejectReason::Stockout;
                let backorder = input.short == ShortHandling::Backorder;
                give_back(
                    &mut tx,
                    &mut work,
                    &mut record,
                    &fo,
                    &shorts,
                    reason,
                    backorder,
                    actor,
                    deciders,
                    &mut rejections,
                )
                .await?
            }
            Err(e) => Err(e.into()),
        },
        FulfillmentStep::ConfirmCancel => {
            match domain::confirm_cancel(
                &mut fo,
                order,
                &mut record.reservations,
                &mut work.book,
                now,
                actor,
            ) {
                Ok(done) => {
                    work.ledger.extend(done.ledger);
                    work.reservations.extend(done.reservations);
                    work.order_events.extend(done.events);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Reject { reason } => {
            let why = RejectReason::parse(reason).unwrap_or(RejectReason::NoCapacity);
            match domain::reject(&mut fo, order, reason, now, actor) {
                Ok((shorts, event)) => {
                    work.order_events.push(event);
                    give_back(
                        &mut tx,
                        &mut work,
                        &mut record,
                        &fo,
                        &shorts,
                        why,
                        false,
                        actor,
                        deciders,
                        &mut rejections,
                    )
                    .await?
                }
                Err(e) => Err(e.into()),
            }
        }
        FulfillmentStep::Ship(input) => {
            let packages = packages_in(&mut tx, &fo.id).await?;
            let mut ids = || new_id("res", now);
            match domain::ship(
                &mut fo,
                order,
                &mut record.reservations,
                &mut work.book,
                now,
                actor,
                &mut ids,
            ) {
                Ok(shipped) => {
                    work.ledger.extend(shipped.ledger);
                    work.reservations.extend(shipped.reservations);
                    work.order_events.extend(shipped.events);
                    match shipping::make_shipments(
                        &mut tx,
                        &fo,
                        &record.order,
                        &packages,
                        input,
                        now,
                    )
                    .await?
                    {
                        Ok(made) => {
                            shipments = made;
                            Ok(())
                        }
                        Err(refusal) => Err(refusal),
                    }
                }
                Err(e) => Err(e.into()),
            }
        }
    };
    if let Err(refusal) = done {
        return Ok(Some(Err(refusal)));
    }
    save(&mut tx, &fo).await?;
    work.orders.push((record.order.clone(), seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    let order = super::orders::order(store, &key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("order {}", fo.order_id)))?;
    Ok(Some(Ok(StepOutcome {
        fulfillment_order: fo,
        order,
        shipments,
        rejections,
    })))
}

/// Hands units that left a fulfilment order back to routing: each short is taken from the
/// line's held allocations at the location, newest first, and rejected there.
#[allow(clippy::too_many_arguments)]
async fn give_back(
    tx: &mut AnyConnection,
    work: &mut StockWork,
    record: &mut OrderRecord,
    fo: &FulfillmentOrder,
    shorts: &[domain::Short],
    reason: RejectReason,
    backorder: bool,
    actor: &str,
    deciders: &Deciders<'_>,
    rejections: &mut Vec<crate::routing::RejectionRecord>,
) -> StoreResult<Result<(), StepRefusal>> {
    for short in shorts {
        let mut units = short.units;
        let mut held: Vec<(i64, String, i64)> = record
            .reservations
            .iter()
            .filter(|r| {
                r.status == ReservationStatus::Held
                    && r.owner == ReservationOwner::Order
                    && r.line_no == short.line_no
                    && r.location == fo.location
            })
            .map(|r| (r.created_at_ms, r.id.clone(), r.quantity))
            .collect();
        held.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        for (_, id, quantity) in held {
            if units == 0 {
                break;
            }
            let take = units.min(quantity);
            let unit = RejectUnits {
                allocation_id: &id,
                reason,
                units: Some(take),
                note: None,
                backorder,
                actor,
            };
            match reject_units(tx, work, record, &unit, deciders).await? {
                Ok((rejection, _)) => rejections.push(rejection),
                Err(e) => {
                    return Ok(Err(StepRefusal::Shipping {
                        field: "lines".into(),
                        message: e.to_string(),
                    }));
                }
            }
            units -= take;
        }
    }
    Ok(Ok(()))
}
