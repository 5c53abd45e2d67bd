//! One batch of a stock sync, in one transaction that also records the sync's progress.
//! Each row counts a position (or moves it by a delta); a snapshot's last batch counts the
//! location's unlisted positions as zero. A count that leaves fewer sellable units than are
//! reserved takes units back first — checkout holds, then the newest orders, then transfers
//! (the domain's `shrink_to_fit`) — and the orders are routed again or wait as backorders;
//! every such case is in the report.

use std::collections::BTreeSet;

use ordo_domain::fulfillment::{TakeBack, take_back};
use ordo_domain::inventory::{Cause, Movement, Position, StockState};
use ordo_domain::reservation::{GivenBack, ReservationOwner, ReservationStatus, shrink_to_fit};
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::{
    Deciders, RejectedRow, Shortfall, Store, SyncBatch, SyncFigures, SyncReport, SyncRow, Tx,
};

use crate::error::{AppError, AppResult};
use crate::stock::StockWork;
use crate::transact::{Attempt, retrying};

/// Applies one batch of a sync in a transaction of its own, and answers the report so far.
/// A batch applied before is not applied again: the report as it stands is the answer.
pub async fn sync_batch(
    store: &dyn Store,
    batch: &SyncBatch<'_>,
    deciders: &Deciders<'_>,
) -> AppResult<SyncReport> {
    retrying(|| apply_batch(store, batch, deciders)).await
}

async fn apply_batch(
    store: &dyn Store,
    batch: &SyncBatch<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<SyncReport> {
    let mut tx = store.transaction().await?;
    let stored = tx.lock_sync_report(batch.sync_id).await?;
    let mut report = stored.ok_or_else(|| AppError::NotFound(format!("sync {}", batch.sync_id)))?;
    if report.completed || report.batches_done != batch.batch_no {
        return Ok(report);
    }
    apply(&mut tx, batch, &mut report, deciders).await?;
    report.batches_done += 1;
    report.completed = batch.last;
    tx.save_sync_report(&report).await?;
    tx.commit().await?;
    Ok(report)
}

/// Works a batch out exactly as [`apply_batch`] would, then rolls it back: the report says
/// what the sync would change, and nothing is stored, not even the sync's id.
pub(crate) async fn preview_batch(
    store: &dyn Store,
    batch: &SyncBatch<'_>,
    so_far: &SyncReport,
    deciders: &Deciders<'_>,
) -> Attempt<SyncReport> {
    let mut report = so_far.clone();
    let mut tx = store.transaction().await?;
    apply(&mut tx, batch, &mut report, deciders).await?;
    tx.rollback().await?;
    report.batches_done += 1;
    Ok(report)
}

/// One position a batch counts: from a row, or (no row) one a snapshot did not list.
struct Counted {
    row: Option<usize>,
    location: LocationCode,
    sku: Sku,
    figures: SyncFigures,
}

/// Applies a batch's rows (and, on a snapshot's last batch, zeroes what it did not list),
/// adding to `report`.
async fn apply(
    tx: &mut Tx,
    batch: &SyncBatch<'_>,
    report: &mut SyncReport,
    deciders: &Deciders<'_>,
) -> Attempt<()> {
    let counts = counted(tx, batch, report).await?;
    let skus: BTreeSet<Sku> = counts.iter().map(|c| c.sku.clone()).collect();
    let mut work = StockWork::begin(tx, &skus, batch.now_ms).await?;
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

/// The positions the batch counts: its rows that name known locations and items (the others
/// join the report's rejections), then on a snapshot's last batch the location's unlisted
/// positions, as zero.
async fn counted(
    tx: &mut Tx,
    batch: &SyncBatch<'_>,
    report: &mut SyncReport,
) -> Attempt<Vec<Counted>> {
    let locations = tx
        .existing_locations(&batch.rows.iter().map(|r| &r.location).collect())
        .await?;
    let items = tx
        .existing_items(&batch.rows.iter().map(|r| &r.sku).collect())
        .await?;
    let mut counts = Vec::with_capacity(batch.rows.len());
    for row in batch.rows {
        if !locations.contains(&row.location) {
            report.rejected.push(rejected(
                row,
                format!("no location has code {}", row.location),
            ));
        } else if !items.contains(&row.sku) {
            report
                .rejected
                .push(rejected(row, format!("no item has SKU {}", row.sku)));
        } else {
            let (location, sku) = (row.location.clone(), row.sku.clone());
            counts.push(Counted {
                row: Some(row.row),
                location,
                sku,
                figures: row.figures,
            });
        }
    }
    if let Some((location, listed)) = batch.unlisted {
        let nothing = SyncFigures::Snapshot {
            on_hand: 0,
            damaged: Some(0),
            quality_hold: Some(0),
        };
        for sku in tx.stocked_items_at(location).await? {
            if !listed.contains(&sku) {
                counts.push(Counted {
                    row: None,
                    location: location.clone(),
                    sku,
                    figures: nothing,
                });
            }
        }
    }
    Ok(counts)
}

fn rejected(row: &SyncRow, reason: String) -> RejectedRow {
    RejectedRow {
        row: row.row,
        sku: row.sku.to_string(),
        location: row.location.to_string(),
        reason,
    }
}

/// Counts one position, first taking back reserved units a lower count leaves no room for.
async fn count(
    tx: &mut Tx,
    work: &mut StockWork,
    batch: &SyncBatch<'_>,
    counted: Counted,
    report: &mut SyncReport,
    short_skus: &mut BTreeSet<Sku>,
) -> Attempt<()> {
    let reason = format!("sync {}", batch.sync_id);
    let cause = Cause {
        at_ms: batch.now_ms,
        reason: Some(&reason),
        reference: Some(batch.sync_id),
        actor: batch.actor,
    };
    let (location, sku) = (&counted.location, &counted.sku);
    let before = work.changes.book.get(location, sku).cloned();
    let before = before.unwrap_or_else(|| Position::empty(location.clone(), sku.clone()));
    let movement = match counted.figures {
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
                let given_back = make_room(tx, work, location, sku, room, cause).await?;
                short_skus.insert(sku.clone());
                report.shortfalls.push(Shortfall {
                    row: counted.row,
                    sku: sku.to_string(),
                    location: location.to_string(),
                    sellable: room,
                    reserved_before: before.reserved,
                    given_back,
                });
            }
            let (damaged, quality_hold) = (Some(damaged), Some(quality_hold));
            Movement::Count {
                on_hand,
                safety_stock: None,
                damaged,
                quality_hold,
            }
        }
    };
    record(work, &counted, &before, movement, cause, report);
    Ok(())
}

/// Applies a count to the book and the report: a position changed (or zeroed), or the row
/// rejected with the book's reason.
fn record(
    work: &mut StockWork,
    counted: &Counted,
    before: &Position,
    movement: Movement,
    cause: Cause<'_>,
    report: &mut SyncReport,
) {
    let (location, sku, row) = (&counted.location, &counted.sku, counted.row);
    match work.changes.book.apply(location, sku, movement, cause) {
        Ok(entry) => {
            work.changes.ledger.push(entry);
            report.rows_applied += usize::from(row.is_some());
            let after = work.changes.book.get(location, sku);
            let figures = |p: &Position| (p.on_hand, p.damaged, p.quality_hold);
            if after.is_some_and(|a| figures(a) != figures(before)) {
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
}

/// Takes reserved units at one position back until the rest fits in `room`; orders that gave
/// units have them waiting again, transfers carry fewer units.
async fn make_room(
    tx: &mut Tx,
    work: &mut StockWork,
    location: &LocationCode,
    sku: &Sku,
    room: i64,
    cause: Cause<'_>,
) -> Attempt<Vec<GivenBack>> {
    let mut held = tx.held_reservations_at(location, sku).await?;
    work.changes.overlay(&mut held);
    held.retain(|r| r.status == ReservationStatus::Held);
    let (given, ledger) = shrink_to_fit(&mut held, room, &mut work.changes.book, cause)
        .map_err(|e| AppError::Internal(format!("making room at {sku}@{location}: {e}")))?;
    work.changes.ledger.extend(ledger);
    work.changes.reservations.extend(held.iter().cloned());
    for g in &given {
        match g.owner {
            ReservationOwner::Order => {
                let still_held: i64 = held
                    .iter()
                    .filter(|r| r.owner_id == g.owner_id && r.line_no == g.line_no)
                    .filter(|r| r.status == ReservationStatus::Held)
                    .map(|r| r.quantity)
                    .sum();
                let taking = TakeBack {
                    line_no: g.line_no,
                    units: g.units,
                    location,
                    still_held,
                    now_ms: work.changes.now_ms,
                    actor: cause.actor,
                };
                take_from_order(tx, work, &g.owner_id, &taking).await?;
            }
            ReservationOwner::Transfer => {
                tx.shrink_transfer_line(&g.owner_id, g.line_no, g.units)
                    .await?;
            }
            // A hold simply holds less; taking it over gives the order what is left.
            ReservationOwner::Hold => {}
        }
    }
    Ok(given)
}

/// Lets the domain take units back from an order and its open work at the location.
async fn take_from_order(
    tx: &mut Tx,
    work: &mut StockWork,
    order_id: &str,
    taking: &TakeBack<'_>,
) -> Attempt<()> {
    if work.changes.order_mut(order_id).is_none() {
        for record in tx.lock_orders(&[order_id.to_string()]).await? {
            let seq = record.order.event_seq;
            work.changes.orders.push((record.order, seq));
        }
    }
    let Some(order) = work.changes.order_mut(order_id) else {
        return Ok(());
    };
    let mut open = tx.lock_open_fulfillment_orders(order_id).await?;
    let (event, changed) = take_back(order, &mut open, taking).map_err(|e| {
        AppError::Internal(format!("returning units of {order_id} to waiting: {e}"))
    })?;
    work.changes.order_events.push(event);
    for i in changed {
        tx.save_fulfillment_order(&open[i]).await?;
    }
    Ok(())
}
