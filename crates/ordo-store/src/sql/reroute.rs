//! Re-routing in the store: a location's rejection of an allocation, its history (which
//! keeps the line away from every location that refused it), and the routing exceptions a
//! person resolves. Each is one transaction through [`StockWork`].

use crate::sql::args::Arg;
use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::allocation::Routing;
use ordo_domain::order::{
    FillContext, OrderChange, RejectError, Rejection, RerouteOutcome, reject_allocation,
    resolve_exception,
};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

use super::args::Sql;
use super::orders::begin_order_change;
use super::rows::{self, RowExt};
use super::stock::StockWork;
use super::{SqlStore, load};
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::routing::*;
use crate::types::{Deciders, OrderKey};

/// Everything the work needs to route an order's line again: locations, rules, routers,
/// today's loads and the item's weight.
struct Scene {
    locations: Vec<ordo_domain::location::Location>,
    rules: Option<ordo_domain::channel::StockRules>,
    loads: HashMap<LocationCode, i64>,
    weights: HashMap<Sku, i64>,
}

async fn scene(
    conn: &mut dyn Exec,
    work: &mut StockWork,
    channel: &str,
    sku: &Sku,
) -> StoreResult<Scene> {
    let locations = load::locations(conn).await?;
    let rules = load::channel_rules(conn, &BTreeSet::from([channel]))
        .await?
        .into_values()
        .next();
    let loads = work.loads(conn).await?;
    let weights = load::item_facts(conn, &BTreeSet::from([sku]))
        .await?
        .into_iter()
        .filter_map(|(s, f)| Some((s, f.weight_g?)))
        .collect();
    Ok(Scene {
        locations,
        rules,
        loads,
        weights,
    })
}

/// The locations that rejected a line, and how often it was rejected.
async fn history(
    conn: &mut dyn Exec,
    order_id: &str,
    line_no: u32,
) -> StoreResult<(Vec<LocationCode>, u32)> {
    let rows = conn
        .rows(Sql::with(
            "SELECT location FROM allocation_rejections WHERE order_id = $1 AND line_no = $2",
            [Arg::from(order_id), Arg::from(i64::from(line_no))],
        ))
        .await?;
    let mut locations = rows
        .iter()
        .map(|r| rows::location_code(r, "location"))
        .collect::<StoreResult<Vec<_>>>()?;
    let count = locations.len() as u32;
    locations.sort();
    locations.dedup();
    Ok((locations, count))
}

/// New reservations an order change made (not the ones it changed).
fn made(
    change: &OrderChange,
    now_ms: i64,
    except: &str,
) -> Vec<ordo_domain::reservation::Reservation> {
    change
        .reservations
        .iter()
        .filter(|r| r.id != except && r.created_at_ms == now_ms)
        .cloned()
        .collect()
}

pub(crate) async fn reject(
    store: &SqlStore,
    command: &RejectCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<Rejected, RejectError>>> {
    let mut tx = store.begin().await?;
    let key = OrderKey::Id(command.order_id.clone());
    let Some((mut work, mut record)) =
        begin_order_change(store, &mut tx, &key, None, command.now_ms).await?
    else {
        return Ok(None);
    };
    work.overlay(&mut record.reservations);
    let Some(reservation) = record
        .reservations
        .iter()
        .find(|r| r.id == command.allocation_id)
    else {
        return Ok(None);
    };
    if released_at(&mut tx, &record.order.id, reservation).await? {
        return Ok(Some(Err(RejectError::Released)));
    }
    let seq_before = record.order.event_seq;
    let unit = RejectUnits {
        allocation_id: &command.allocation_id,
        reason: command.reason,
        units: command.units,
        note: command.note.as_deref(),
        backorder: false,
        actor: &command.actor,
    };
    let (rejection, exception_id) =
        match reject_units(&mut tx, &mut work, &mut record, &unit, deciders).await? {
            Ok(done) => done,
            Err(e) => return Ok(Some(Err(e))),
        };
    work.orders.push((record.order.clone(), seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    let order = super::orders::order(store, &key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("order {}", command.order_id)))?;
    Ok(Some(Ok(Rejected {
        order,
        rejection,
        exception_id,
    })))
}

/// Whether the allocation's units at its location are released to a fulfilment order: then
/// the location rejects the fulfilment order, not the allocation.
pub(crate) async fn released_at(
    conn: &mut dyn Exec,
    order_id: &str,
    reservation: &ordo_domain::reservation::Reservation,
) -> StoreResult<bool> {
    let row = conn.one(Sql::with("SELECT COUNT(*) AS n FROM fulfillment_orders f JOIN fulfillment_lines l ON l.fulfillment_order_id = f.id \
         WHERE f.order_id = $1 AND f.location = $2 AND l.line_no = $3 AND l.quantity > l.shipped \
         AND f.status NOT IN ('shipped', 'rejected', 'cancelled')",[Arg::from(order_id), Arg::from(reservation.location.as_str()), Arg::from(i64::from(reservation.line_no))])).await?;
    Ok(row.int("n")? > 0)
}

/// Units of one allocation a location gives back, and what to do with them.
pub(crate) struct RejectUnits<'a> {
    pub allocation_id: &'a str,
    pub reason: ordo_domain::order::RejectReason,
    /// All of the allocation when `None`.
    pub units: Option<i64>,
    pub note: Option<&'a str>,
    /// Let the units wait as a backorder instead of routing them again.
    pub backorder: bool,
    pub actor: &'a str,
}

/// Rejects units of one of the order's allocations inside the caller's transaction: records
/// the rejection (and the exception, if it became one) and routes the units again as the
/// channel's profile allows. The caller writes the order and finishes the work.
pub(crate) async fn reject_units(
    tx: &mut dyn Exec,
    work: &mut StockWork,
    record: &mut crate::types::OrderRecord,
    unit: &RejectUnits<'_>,
    deciders: &Deciders<'_>,
) -> StoreResult<Result<(RejectionRecord, Option<String>), RejectError>> {
    let now = work.now_ms;
    let Some(index) = record
        .reservations
        .iter()
        .position(|r| r.id == unit.allocation_id)
    else {
        return Err(StoreError::Contention(format!(
            "allocation {} vanished",
            unit.allocation_id
        )));
    };
    let mut reservation = record.reservations[index].clone();
    let channel = record.order.channel.clone();
    let (mut excluded, attempts) = history(tx, &record.order.id, reservation.line_no).await?;
    if !excluded.contains(&reservation.location) {
        excluded.push(reservation.location.clone());
    }
    let routers = work.routers(tx, [channel.as_str()], deciders).await?;
    let profile = routers.profile_for(Some(&channel));
    let scene = scene(tx, work, channel.as_str(), &reservation.sku).await?;
    let units = unit.units.unwrap_or(reservation.quantity);
    let rejection = Rejection {
        reason: unit.reason,
        units,
        note: unit.note,
        attempt: attempts + 1,
        attempts_max: if unit.backorder {
            0
        } else {
            profile.reroute_attempts_max
        },
        after: if unit.backorder {
            ordo_domain::routing::profile::AfterAttempts::Backorder
        } else {
            profile.after_attempts
        },
    };
    let context = FillContext {
        locations: &scene.locations,
        rules: scene.rules.as_ref(),
        routing: Routing {
            router: routers.for_channel(Some(&channel)),
            transit: deciders.transit,
            loads: &scene.loads,
        },
        weights: &scene.weights,
        excluded: &excluded,
        now_ms: now,
        actor: unit.actor,
        reason: "re-routed after a location rejected it",
    };
    let mut next_id = || new_id("res", now);
    let (change, outcome) = match reject_allocation(
        &mut record.order,
        &mut reservation,
        &rejection,
        &context,
        &mut work.book,
        &mut next_id,
    ) {
        Ok(done) => done,
        Err(e) => return Ok(Err(e)),
    };
    record.reservations[index] = reservation.clone();
    let rejection_record = RejectionRecord {
        id: new_id("rej", now),
        order_id: record.order.id.clone(),
        line_no: reservation.line_no,
        location: reservation.location.to_string(),
        sku: reservation.sku.to_string(),
        units,
        reason: unit.reason.as_str().into(),
        attempt: attempts + 1,
        note: unit.note.map(String::from),
        outcome: outcome.as_str().into(),
        actor: unit.actor.to_string(),
        at_ms: now,
    };
    insert_rejection(tx, &rejection_record, &reservation.id).await?;
    let exception_id = if outcome == RerouteOutcome::Exception {
        let id = new_id("rex", now);
        tx.run(Sql::with("INSERT INTO routing_exceptions (id, order_id, line_no, sku, units, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",[Arg::from(id.as_str()), Arg::from(record.order.id.as_str()), Arg::from(i64::from(reservation.line_no)), Arg::from(reservation.sku.as_str()), Arg::from(units), Arg::from(format!("rejected {} times, last for {}", attempts + 1, unit.reason.as_str())), Arg::from(now)])).await?;
        Some(id)
    } else {
        None
    };
    let fresh = made(&change, now, &reservation.id);
    record.reservations.extend(fresh.iter().cloned());
    work.routed(&record.order.id, "rerouted", change.routing, &fresh);
    work.reservations.extend(change.reservations);
    work.ledger.extend(change.ledger);
    work.order_events.extend(change.events);
    Ok(Ok((rejection_record, exception_id)))
}

async fn insert_rejection(
    conn: &mut dyn Exec,
    r: &RejectionRecord,
    reservation_id: &str,
) -> StoreResult<()> {
    conn.run(Sql::with("INSERT INTO allocation_rejections (id, order_id, line_no, reservation_id, location, sku, units, reason, attempt, note, outcome, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",[Arg::from(r.id.as_str()), Arg::from(r.order_id.as_str()), Arg::from(i64::from(r.line_no)), Arg::from(reservation_id), Arg::from(r.location.as_str()), Arg::from(r.sku.as_str()), Arg::from(r.units), Arg::from(r.reason.as_str()), Arg::from(i64::from(r.attempt)), Arg::from(r.note.clone()), Arg::from(r.outcome.as_str()), Arg::from(r.actor.as_str()), Arg::from(r.at_ms)])).await?;
    Ok(())
}

pub(crate) async fn rejections(
    store: &SqlStore,
    order_id: &str,
) -> StoreResult<Vec<RejectionRecord>> {
    let rows = store.read.acquire().await?.rows(Sql::with("SELECT id, order_id, line_no, location, sku, units, reason, attempt, note, outcome, actor, at \
         FROM allocation_rejections WHERE order_id = $1 ORDER BY at, line_no, attempt",[Arg::from(order_id)])).await?;
    rows.iter()
        .map(|r| {
            Ok(RejectionRecord {
                id: r.text("id")?,
                order_id: r.text("order_id")?,
                line_no: r.int("line_no")? as u32,
                location: r.text("location")?,
                sku: r.text("sku")?,
                units: r.int("units")?,
                reason: r.text("reason")?,
                attempt: r.int("attempt")? as u32,
                note: r.opt_text("note")?,
                outcome: r.text("outcome")?,
                actor: r.text("actor")?,
                at_ms: r.int("at")?,
            })
        })
        .collect()
}

const EXCEPTION_COLUMNS: &str =
    "id, order_id, line_no, sku, units, reason, created_at, resolved_at, resolution, resolved_by";

fn exception(r: &crate::sql::exec::Row) -> StoreResult<ExceptionRecord> {
    Ok(ExceptionRecord {
        id: r.text("id")?,
        order_id: r.text("order_id")?,
        line_no: r.int("line_no")? as u32,
        sku: r.text("sku")?,
        units: r.int("units")?,
        reason: r.text("reason")?,
        created_at_ms: r.int("created_at")?,
        resolved_at_ms: r.opt_int("resolved_at")?,
        resolution: r.opt_text("resolution")?,
        resolved_by: r.opt_text("resolved_by")?,
    })
}

/// Exceptions oldest first: the open ones, or the resolved ones; on one channel's orders or
/// on all.
pub(crate) async fn exceptions(
    store: &SqlStore,
    open: bool,
    channel: Option<&ChannelCode>,
    limit: i64,
) -> StoreResult<Vec<ExceptionRecord>> {
    let state = if open { "IS NULL" } else { "IS NOT NULL" };
    let mut sql = Sql::new(&format!(
        "SELECT {EXCEPTION_COLUMNS} FROM routing_exceptions WHERE resolved_at {state}"
    ));
    if let Some(channel) = channel {
        sql.push(" AND order_id IN (SELECT id FROM orders WHERE channel = ")
            .arg(channel.as_str())
            .push(")");
    }
    sql.push(" ORDER BY created_at, id LIMIT ").arg(limit);
    let rows = store.read.acquire().await?.rows(sql).await?;
    rows.iter().map(exception).collect()
}

pub(crate) async fn resolve(
    store: &SqlStore,
    id: &str,
    resolution: Resolution,
    actor: &str,
    now_ms: i64,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<ExceptionRecord, RejectError>>> {
    let mut tx = store.begin().await?;
    let row = tx
        .first(Sql::with(
            &format!("SELECT {EXCEPTION_COLUMNS} FROM routing_exceptions WHERE id = $1"),
            [Arg::from(id)],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let found = exception(&row)?;
    let sku = rows::sku(&row, "sku")?;
    if found.resolved_at_ms.is_some() {
        return Ok(Some(Err(RejectError::Resolved)));
    }
    let key = OrderKey::Id(found.order_id.clone());
    let Some((mut work, mut record)) =
        begin_order_change(store, &mut tx, &key, None, now_ms).await?
    else {
        return Ok(None);
    };
    let seq_before = record.order.event_seq;
    let channel = record.order.channel.clone();
    let (excluded, _) = history(&mut tx, &found.order_id, found.line_no).await?;
    let routers = work.routers(&mut tx, [channel.as_str()], deciders).await?;
    let scene = scene(&mut tx, &mut work, channel.as_str(), &sku).await?;
    let context = FillContext {
        locations: &scene.locations,
        rules: scene.rules.as_ref(),
        routing: Routing {
            router: routers.for_channel(Some(&channel)),
            transit: deciders.transit,
            loads: &scene.loads,
        },
        weights: &scene.weights,
        excluded: &excluded,
        now_ms,
        actor,
        reason: "a routing exception was resolved",
    };
    let reroute = resolution == Resolution::Reroute;
    let mut next_id = || new_id("res", now_ms);
    let change = match resolve_exception(
        &mut record.order,
        &sku,
        reroute,
        &context,
        &mut work.book,
        &mut next_id,
    ) {
        Ok(change) => change,
        Err(e) => return Ok(Some(Err(e))),
    };
    let fresh = made(&change, now_ms, "");
    work.routed(&record.order.id, "rerouted", change.routing, &fresh);
    work.reservations.extend(change.reservations);
    work.ledger.extend(change.ledger);
    work.order_events.extend(change.events);
    work.orders.push((record.order.clone(), seq_before));
    let label = if reroute { "rerouted" } else { "backordered" };
    tx.run(Sql::with("UPDATE routing_exceptions SET resolved_at = $1, resolution = $2, resolved_by = $3 WHERE id = $4", [Arg::from(now_ms), Arg::from(label), Arg::from(actor), Arg::from(id)])).await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(Ok(ExceptionRecord {
        resolved_at_ms: Some(now_ms),
        resolution: Some(label.into()),
        resolved_by: Some(actor.into()),
        ..found
    })))
}
