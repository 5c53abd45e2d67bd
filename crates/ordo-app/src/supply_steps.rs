//! Supply's transactions: a transfer requested (units reserved at its source), shipped,
//! received or cancelled; an inbound announced, received or closed. Units that arrive go to
//! waiting backorders in the same transaction.

use std::collections::BTreeSet;

use ordo_domain::field::FieldErrors;
use ordo_domain::inbound::{Inbound, InboundError};
use ordo_domain::inventory::StockState;
use ordo_domain::transfer::{Transfer, TransferError};
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{Deciders, Store, TransferRecord, Tx};

use crate::error::AppError;
use crate::stock::StockWork;
use crate::transact::Attempt;

/// Units received: item, units, and the state they arrive in.
pub type Receipt = (Sku, i64, StockState);

/// What to do to a transfer.
#[derive(Debug, Clone, Copy)]
pub enum TransferAction<'a> {
    /// The units leave the source.
    Ship,
    /// Units arrive at the destination; everything in transit, sellable, when empty.
    Receive(&'a [Receipt]),
    /// Before shipping: the reserved units go back.
    Cancel,
}

/// Refuses a request naming locations (field, code) or line items that do not exist.
async fn check_references<'a>(
    tx: &mut Tx,
    locations: &[(&str, &'a LocationCode)],
    skus: impl Iterator<Item = &'a Sku>,
) -> Attempt<()> {
    let skus: Vec<&Sku> = skus.collect();
    let known_locations = tx
        .existing_locations(&locations.iter().map(|(_, c)| *c).collect())
        .await?;
    let known_items = tx.existing_items(&skus.iter().copied().collect()).await?;
    let mut errors = FieldErrors::new();
    for (field, code) in locations
        .iter()
        .filter(|(_, c)| !known_locations.contains(*c))
    {
        errors.push(*field, format!("no location has code {code}"));
    }
    for (i, sku) in skus
        .iter()
        .enumerate()
        .filter(|(_, s)| !known_items.contains(**s))
    {
        errors.push(format!("lines[{i}].sku"), format!("no item has SKU {sku}"));
    }
    errors
        .into_result()
        .map_err(|e| AppError::Invalid(e).into())
}

pub(crate) async fn request_transfer(
    store: &dyn Store,
    transfer: &Transfer,
    actor: &str,
) -> Attempt<TransferRecord> {
    let mut tx = store.transaction().await?;
    let locations = [("from", &transfer.from), ("to", &transfer.to)];
    check_references(&mut tx, &locations, transfer.lines.iter().map(|l| &l.sku)).await?;
    let skus: BTreeSet<Sku> = transfer.lines.iter().map(|l| l.sku.clone()).collect();
    let now = transfer.created_at_ms;
    let mut work = StockWork::begin(&mut tx, &skus, now).await?;
    let mut next_id = || new_id("res", now);
    let (transfer, reservations, ledger) = Transfer::request(
        transfer.clone(),
        &mut work.changes.book,
        actor,
        &mut next_id,
    )
    .map_err(transfer_refused)?;
    tx.insert_transfer(&transfer).await?;
    work.changes.ledger.extend(ledger);
    work.changes
        .reservations
        .extend(reservations.iter().cloned());
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(TransferRecord {
        transfer,
        reservations,
    })
}

/// One step of a transfer, by whom and when.
pub(crate) struct TransferStep<'a> {
    pub id: &'a str,
    pub action: TransferAction<'a>,
    pub actor: &'a str,
    pub now_ms: i64,
}

pub(crate) async fn step_transfer(
    store: &dyn Store,
    step: &TransferStep<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<TransferRecord> {
    let mut tx = store.transaction().await?;
    let not_found = || AppError::NotFound(format!("transfer {}", step.id));
    let peek = tx
        .load_transfer(step.id, false)
        .await?
        .ok_or_else(not_found)?;
    let skus: BTreeSet<Sku> = peek.transfer.lines.iter().map(|l| l.sku.clone()).collect();
    let (now, actor) = (step.now_ms, step.actor);
    let mut work = StockWork::begin(&mut tx, &skus, now).await?;
    let mut record = tx
        .load_transfer(step.id, true)
        .await?
        .ok_or_else(not_found)?;
    work.changes.overlay(&mut record.reservations);
    let (t, reservations, book) = (
        &mut record.transfer,
        &mut record.reservations,
        &mut work.changes.book,
    );
    let ledger = match step.action {
        TransferAction::Ship => t.ship(reservations, book, now, actor),
        TransferAction::Cancel => t.cancel(reservations, book, now, actor),
        TransferAction::Receive(receipts) => {
            let by_line = t.receipts_by_line(receipts).map_err(AppError::Invalid)?;
            t.receive(&by_line, book, now, actor)
        }
    }
    .map_err(transfer_refused)?;
    tx.update_transfer(&record.transfer).await?;
    work.changes.ledger.extend(ledger);
    work.changes
        .reservations
        .extend(record.reservations.iter().cloned());
    work.fill_backorders(&mut tx, deciders, "stock arrived")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(record)
}

fn transfer_refused(e: TransferError) -> AppError {
    let why = e.to_string();
    match e {
        TransferError::Short { .. } | TransferError::Inventory(_) => {
            AppError::StockConflict(FieldErrors::single("lines", why))
        }
        TransferError::WrongStatus(_) => AppError::Conflict(FieldErrors::single("status", why)),
        _ => AppError::Invalid(FieldErrors::single("lines", why)),
    }
}

pub(crate) async fn announce_inbound(store: &dyn Store, inbound: &Inbound) -> Attempt<()> {
    let mut tx = store.transaction().await?;
    let locations = [("location", &inbound.location)];
    check_references(&mut tx, &locations, inbound.lines.iter().map(|l| &l.sku)).await?;
    tx.insert_inbound(inbound).await?;
    tx.commit().await?;
    Ok(())
}

/// Units received of an inbound (`receipts`), or the inbound closed (`None`), by whom and when.
pub(crate) struct InboundStep<'a> {
    pub id: &'a str,
    pub receipts: Option<&'a [Receipt]>,
    pub actor: &'a str,
    pub now_ms: i64,
}

pub(crate) async fn step_inbound(
    store: &dyn Store,
    step: &InboundStep<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<Inbound> {
    let mut tx = store.transaction().await?;
    let not_found = || AppError::NotFound(format!("inbound {}", step.id));
    let peek = tx
        .load_inbound(step.id, false)
        .await?
        .ok_or_else(not_found)?;
    let skus: BTreeSet<Sku> = peek.lines.iter().map(|l| l.sku.clone()).collect();
    let mut work = StockWork::begin(&mut tx, &skus, step.now_ms).await?;
    let mut inbound = tx
        .load_inbound(step.id, true)
        .await?
        .ok_or_else(not_found)?;
    match step.receipts {
        Some(receipts) => {
            let book = &mut work.changes.book;
            let ledger = inbound.receive(receipts, book, step.now_ms, step.actor);
            work.changes.ledger.extend(ledger.map_err(inbound_refused)?);
        }
        None => inbound.close(step.now_ms).map_err(inbound_refused)?,
    }
    tx.update_inbound(&inbound).await?;
    work.fill_backorders(&mut tx, deciders, "stock arrived")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(inbound)
}

fn inbound_refused(e: InboundError) -> AppError {
    match e {
        InboundError::Closed(_) => AppError::Conflict(FieldErrors::single("status", e.to_string())),
        InboundError::UnknownItem(_) => {
            AppError::Invalid(FieldErrors::single("lines", e.to_string()))
        }
        InboundError::Inventory(e) => {
            AppError::StockConflict(FieldErrors::single("lines", e.to_string()))
        }
    }
}
