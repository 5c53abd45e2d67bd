//! Bulk stock sync from a WMS or a store system: a full snapshot of a location, or deltas.
//! Each batch of rows is one transaction, which also records the sync's progress, so that a
//! sync cut short resumes where it stopped and a finished one answers with its report. A
//! snapshot that leaves fewer sellable units than are reserved takes units back — checkout
//! holds first, then the newest orders, then transfers — and the orders are routed again or
//! wait as backorders; every such case is in the report.

use crate::sql::args::Arg;
use crate::sql::exec::Exec;
use std::collections::BTreeSet;

use serde_json::{Value, json};

use ordo_domain::inventory::{Cause, Movement, Position, StockState};
use ordo_domain::order::return_to_waiting;
use ordo_domain::reservation::{GivenBack, ReservationOwner, shrink_to_fit};
use ordo_domain::values::{LocationCode, Sku};

use super::args::Sql;
use super::rows::{self, RESERVATION_COLUMNS};
use super::stock::StockWork;
use super::write::existing;
use super::{SqlStore, orders};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::*;

pub(crate) async fn begin(
    store: &SqlStore,
    initial: &SyncReport,
    request_hash: &str,
    now_ms: i64,
) -> StoreResult<SyncStart> {
    let mut tx = store.begin().await?;
    let row = tx
        .first(Sql::with(
            "SELECT request_hash, report FROM inventory_syncs WHERE id = $1",
            [Arg::from(initial.sync_id.as_str())],
        ))
        .await?;
    if let Some(row) = row {
        let hash: String = row.text_at(0)?;
        if hash != request_hash {
            return Ok(SyncStart::Mismatch);
        }
        let report = report_from_json(&row.text_at(1)?)?;
        return Ok(if report.completed {
            SyncStart::Done(report)
        } else {
            SyncStart::Resume(report)
        });
    }
    tx.run(Sql::with("INSERT INTO inventory_syncs (id, request_hash, report, created_at) VALUES ($1, $2, $3, $4)", [Arg::from(initial.sync_id.as_str()), Arg::from(request_hash), Arg::from(report_json(initial).to_string()), Arg::from(now_ms)])).await
        .map_err(|e| if e.is_unique_violation() { StoreError::Contention("the sync started meanwhile".into()) } else { e })?;
    tx.commit().await?;
    Ok(SyncStart::New(initial.clone()))
}

/// Applies batch number `batch_no` of a sync in one transaction, and answers the report so
/// far. A batch applied before is not applied again.
pub(crate) async fn batch(
    store: &SqlStore,
    batch: &SyncBatch<'_>,
    deciders: &Deciders<'_>,
) -> StoreResult<SyncReport> {
    let mut tx = store.begin().await?;
    let mut sql = Sql::new("SELECT report FROM inventory_syncs WHERE id = ");
    sql.arg(batch.sync_id).push(store.backend.lock_rows());
    let stored = tx
        .first(sql)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("sync {}", batch.sync_id)))?;
    let mut report = report_from_json(&stored.text_at(0)?)?;
    if report.completed || report.batches_done != batch.batch_no {
        return Ok(report);
    }
    apply(&mut tx, store, batch, &mut report, deciders).await?;
    report.batches_done += 1;
    report.completed = batch.last;
    tx.run(Sql::with(
        "UPDATE inventory_syncs SET report = $1 WHERE id = $2",
        [
            Arg::from(report_json(&report).to_string()),
            Arg::from(batch.sync_id),
        ],
    ))
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Works a batch out exactly as [`batch`] would, then rolls it back: the report says what the
/// sync would change, and nothing is stored, not even the sync's id.
pub(crate) async fn preview(
    store: &SqlStore,
    batch: &SyncBatch<'_>,
    so_far: &SyncReport,
    deciders: &Deciders<'_>,
) -> StoreResult<SyncReport> {
    let mut report = so_far.clone();
    let mut tx = store.begin().await?;
    apply(&mut tx, store, batch, &mut report, deciders).await?;
    tx.rollback().await?;
    report.batches_done += 1;
    Ok(report)
}

/// The items of `skus` that do not exist.
pub(crate) async fn unknown_items(store: &SqlStore, skus: &[&str]) -> StoreResult<Vec<String>> {
    let mut conn = store.read.acquire().await?;
    let mut unknown = Vec::new();
    for chunk in skus.chunks(super::args::STATEMENT_ARGS_MAX) {
        let known = existing(&mut conn, "items", "sku", chunk.iter().copied()).await?;
        unknown.extend(
            chunk
                .iter()
                .filter(|s| !known.contains(**s))
                .map(|s| s.to_string()),
        );
    }
    Ok(unknown)
}

/// The rows of a batch that name known locations and items; the others join the report's
/// rejections.
async fn known_rows(
    conn: &mut dyn Exec,
    rows: &[SyncRow],
    report: &mut SyncReport,
) -> StoreResult<Vec<SyncRow>> {
    let locations: BTreeSet<&str> = rows.iter().map(|r| r.location.as_str()).collect();
    let skus: BTreeSet<&str> = rows.iter().map(|r| r.sku.as_str()).collect();
    let known_locations = existing(conn, "locations", "code", locations).await?;
    let known_items = existing(conn, "items", "sku", skus).await?;
    let mut valid = Vec::with_capacity(rows.len());
    for row in rows {
        if !known_locations.contains(row.location.as_str()) {
            let reason = format!("no location has code {}", row.location);
            report.rejected.push(rejected(row, reason));
        } else if !known_items.contains(row.sku.as_str()) {
            let reason = format!("no item has SKU {}", row.sku);
            report.rejected.push(rejected(row, reason));
        } else {
            valid.push(row.clone());
        }
    }
    Ok(valid)
}

/// One position a batch counts: from a row, or (no row) one a snapshot did not list.
type Counted = (Option<usize>, LocationCode, Sku, SyncFigures);

/// Applies a batch's rows (and, on a snapshot's last batch, zeroes what it did not list) in
/// the caller's transaction, adding to `report`.
async fn apply(
    tx: &mut dyn Exec,
    store: &SqlStore,
    batch: &SyncBatch<'_>,
    report: &mut SyncReport,
    deciders: &Deciders<'_>,
) -> StoreResult<()> {
    let valid = known_rows(tx, batch.rows, report).await?;
    let mut zeroed = Vec::new();
    if let Some((location, listed)) = batch.unlisted {
        for sku in positions_at(tx, location).await? {
            if !listed.contains(&sku) {
                zeroed.push((location.clone(), sku));
            }
        }
    }
    let mut work_skus: BTreeSet<Sku> = valid.iter().map(|r| r.sku.clone()).collect();
    work_skus.extend(zeroed.iter().map(|(_, s)| s.clone()));
    let mut work = StockWork::begin(tx, store, work_skus, batch.now_ms).await?;
    let nothing = SyncFigures::Snapshot {
        on_hand: 0,
        damaged: Some(0),
        quality_hold: Some(0),
    };
    let counts = valid
        .iter()
        .map(|r| (Some(r.row), r.location.clone(), r.sku.clone(), r.figures))
        .chain(zeroed.into_iter().map(|(l, s)| (None, l, s, nothing)));
    let mut short_skus = BTreeSet::new();
    for counted in counts {
        count(tx, &mut work, batch, counted, report, &mut short_skus).await?;
    }
    let why = "routed again after a stock count";
    work.fill_backorders_of(tx, deciders, &short_skus, why)
        .await?;
    work.finish(tx).await?;
    report.rejected.sort_by_key(|r| r.row);
    Ok(())
}

/// Counts one position, first taking back reserved units a lower count leaves no room for.
async fn count(
    tx: &mut dyn Exec,
    work: &mut StockWork,
    batch: &SyncBatch<'_>,
    (row, location, sku, figures): Counted,
    report: &mut SyncReport,
    short_skus: &mut BTreeSet<Sku>,
) -> StoreResult<()> {
    let reason = format!("sync {}", batch.sync_id);
    let cause = Cause {
        at_ms: batch.now_ms,
        reason: Some(&reason),
        reference: Some(batch.sync_id),
        actor: batch.actor,
    };
    let before = work
        .book
        .get(&location, &sku)
        .cloned()
        .unwrap_or_else(|| Position::empty(location.clone(), sku.clone()));
    let movement = match figures {
        SyncFigures::Delta { delta } => Movement::Adjust {
            delta,
            state: StockState::Sellable,
        },
        SyncFigures::Snapshot {
            on_hand,
            damaged,
            quality_hold,
        } => {
            let damaged = damaged.unwrap_or(before.damaged);
            let quality_hold = quality_hold.unwrap_or(before.quality_hold);
            let room = on_hand - damaged - quality_hold;
            if room >= 0 && room < before.reserved {
                let given = make_room(tx, work, &location, &sku, room, cause).await?;
                short_skus.insert(sku.clone());
                report.shortfalls.push(Shortfall {
                    row,
                    sku: sku.to_string(),
                    location: location.to_string(),
                    sellable: room,
                    reserved_before: before.reserved,
                    given_back: given,
                });
            }
            Movement::Count {
                on_hand,
                safety_stock: None,
                damaged: Some(damaged),
                quality_hold: Some(quality_hold),
            }
        }
    };
    match work.book.apply(&location, &sku, movement, cause) {
        Ok(entry) => {
            work.ledger.push(entry);
            report.rows_applied += usize::from(row.is_some());
            let after = work.book.get(&location, &sku);
            if after.is_some_and(|a| {
                a.on_hand != before.on_hand
                    || a.damaged != before.damaged
                    || a.quality_hold != before.quality_hold
            }) {
                report.positions_changed += 1;
                report.positions_zeroed += usize::from(row.is_none());
            }
        }
        Err(refusal) => report.rejected.push(RejectedRow {
            row: row.unwrap_or(0),
            sku: sku.to_string(),
            location: location.to_string(),
            reason: refusal.to_string(),
        }),
    }
    Ok(())
}

async fn positions_at(conn: &mut dyn Exec, location: &LocationCode) -> StoreResult<Vec<Sku>> {
    let rows = conn
        .rows(Sql::with(
            "SELECT sku FROM inventory_positions WHERE location = $1 AND on_hand > 0 ORDER BY sku",
            [Arg::from(location.as_str())],
        ))
        .await?;
    rows.iter().map(|r| rows::sku(r, "sku")).collect()
}

fn rejected(row: &SyncRow, reason: String) -> RejectedRow {
    RejectedRow {
        row: row.row,
        sku: row.sku.to_string(),
        location: row.location.to_string(),
        reason,
    }
}

/// Takes reserved units at one position back until the rest fits in `room`; orders that gave
/// units have them waiting again, transfers carry fewer units.
async fn make_room(
    conn: &mut dyn Exec,
    work: &mut StockWork,
    location: &LocationCode,
    sku: &Sku,
    room: i64,
    cause: Cause<'_>,
) -> StoreResult<Vec<GivenBack>> {
    let rows = conn.rows(Sql::with(&format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE sku = $1 AND location = $2 AND status = 'held'"
    ), [Arg::from(sku.as_str()), Arg::from(location.as_str())])).await?;
    let mut held = rows
        .iter()
        .map(rows::reservation)
        .collect::<StoreResult<Vec<_>>>()?;
    work.overlay(&mut held);
    held.retain(|r| r.status == ordo_domain::reservation::ReservationStatus::Held);
    let (given, ledger) = shrink_to_fit(&mut held, room, &mut work.book, cause)
        .map_err(|e| StoreError::Corrupt(format!("making room at {sku}@{location}: {e}")))?;
    work.ledger.extend(ledger);
    work.reservations.extend(held.iter().cloned());
    for g in &given {
        match g.owner {
            ReservationOwner::Order => {
                if work.order_mut(&g.owner_id).is_none() {
                    let loaded = orders::load_orders(
                        conn,
                        std::slice::from_ref(&g.owner_id),
                        work.backend.lock_rows(),
                    )
                    .await?;
                    for record in loaded {
                        let seq = record.order.event_seq;
                        work.orders.push((record.order, seq));
                    }
                }
                let (now, actor) = (work.now_ms, cause.actor.to_string());
                let released_before = work
                    .order_mut(&g.owner_id)
                    .and_then(|o| o.lines.iter().find(|l| l.line_no == g.line_no))
                    .map_or(0, |l| l.quantities.released);
                if let Some(order) = work.order_mut(&g.owner_id) {
                    let event = return_to_waiting(
                        order,
                        g.line_no,
                        g.units,
                        location.as_str(),
                        now,
                        &actor,
                    )
                    .map_err(|e| {
                        StoreError::Corrupt(format!(
                            "returning units of {} to waiting: {e}",
                            g.owner_id
                        ))
                    })?;
                    work.order_events.push(event);
                }
                // Units a location was working on are gone from its work too: whatever its open
                // work at this location holds beyond what is still reserved there.
                let lock = work.backend.lock_rows();
                let left_here: i64 = held
                    .iter()
                    .filter(|r| r.owner_id == g.owner_id && r.line_no == g.line_no)
                    .filter(|r| r.status == ordo_domain::reservation::ReservationStatus::Held)
                    .map(|r| r.quantity)
                    .sum();
                let (mut taken, mut still_held) = (0, left_here);
                for mut fo in super::fulfillment::open_of(conn, &g.owner_id, lock).await? {
                    if fo.location != *location {
                        continue;
                    }
                    let open = fo.open_units(g.line_no);
                    let kept = open.min(still_held);
                    still_held -= kept;
                    if open > kept {
                        let missing = open - kept;
                        taken += ordo_domain::fulfillment::take_missing(
                            &mut fo, g.line_no, missing, now,
                        );
                        super::fulfillment::save(conn, &fo).await?;
                    }
                }
                if let Some(line) = work
                    .order_mut(&g.owner_id)
                    .and_then(|o| o.lines.iter_mut().find(|l| l.line_no == g.line_no))
                {
                    let q = &mut line.quantities;
                    q.released = (released_before - taken).clamp(0, q.allocated);
                }
            }
            ReservationOwner::Transfer => {
                let mut sql = Sql::new("UPDATE transfer_lines SET quantity = quantity - ");
                sql.arg(g.units)
                    .push(" WHERE transfer_id = ")
                    .arg(g.owner_id.as_str())
                    .push(" AND line_no = ")
                    .arg(g.line_no);
                conn.run(sql).await?;
            }
            // A hold simply holds less; taking it over gives the order what is left.
            ReservationOwner::Hold => {}
        }
    }
    Ok(given)
}

fn report_json(r: &SyncReport) -> Value {
    let rejected: Vec<Value> = r
        .rejected
        .iter()
        .map(|x| json!({ "row": x.row, "sku": x.sku, "location": x.location, "reason": x.reason }))
        .collect();
    let shortfalls: Vec<Value> = r
        .shortfalls
        .iter()
        .map(|s| {
            let given: Vec<Value> = s
                .given_back
                .iter()
                .map(|g| json!({ "reservation_id": g.reservation_id, "owner": g.owner.as_str(), "owner_id": g.owner_id, "line": g.line_no, "units": g.units }))
                .collect();
            json!({ "row": s.row, "sku": s.sku, "location": s.location, "sellable": s.sellable, "reserved_before": s.reserved_before, "given_back": given })
        })
        .collect();
    json!({
        "sync_id": r.sync_id, "mode": r.mode.as_str(), "completed": r.completed, "rows_received": r.rows_received,
        "rows_applied": r.rows_applied, "positions_changed": r.positions_changed, "positions_zeroed": r.positions_zeroed,
        "rejected": rejected, "shortfalls": shortfalls, "batches_done": r.batches_done,
    })
}

fn report_from_json(raw: &str) -> StoreResult<SyncReport> {
    let v: Value = corrupt(
        "sync report",
        serde_json::from_str(raw).map_err(|e| e.to_string()),
    )?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let count = |v: &Value| v.as_u64().unwrap_or(0) as usize;
    Ok(SyncReport {
        sync_id: text(&v["sync_id"]),
        mode: corrupt(
            "sync mode",
            SyncMode::parse(v["mode"].as_str().unwrap_or_default()),
        )?,
        completed: v["completed"].as_bool().unwrap_or(false),
        rows_received: count(&v["rows_received"]),
        rows_applied: count(&v["rows_applied"]),
        positions_changed: count(&v["positions_changed"]),
        positions_zeroed: count(&v["positions_zeroed"]),
        dry_run: false,
        rejected: v["rejected"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| RejectedRow {
                row: count(&x["row"]),
                sku: text(&x["sku"]),
                location: text(&x["location"]),
                reason: text(&x["reason"]),
            })
            .collect(),
        shortfalls: v["shortfalls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| Shortfall {
                row: s["row"].as_u64().map(|r| r as usize),
                sku: text(&s["sku"]),
                location: text(&s["location"]),
                sellable: s["sellable"].as_i64().unwrap_or(0),
                reserved_before: s["reserved_before"].as_i64().unwrap_or(0),
                given_back: s["given_back"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|g| GivenBack {
                        reservation_id: text(&g["reservation_id"]),
                        owner: ReservationOwner::parse(g["owner"].as_str().unwrap_or_default())
                            .unwrap_or(ReservationOwner::Order),
                        owner_id: text(&g["owner_id"]),
                        line_no: g["line"].as_u64().unwrap_or(0) as u32,
                        units: g["units"].as_i64().unwrap_or(0),
                    })
                    .collect(),
            })
            .collect(),
        batches_done: count(&v["batches_done"]),
    })
}
