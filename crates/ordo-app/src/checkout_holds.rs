//! Checkout holds' transactions: placing one, releasing one, and the sweep that releases the
//! ones past their expiry (readers already treat those units as free; the sweep makes the
//! figures and the ledger say so, and gives the units to waiting backorders).

use std::collections::BTreeSet;

use ordo_domain::allocation::Routing;
use ordo_domain::field::FieldErrors;
use ordo_domain::hold::{HoldRequest, HoldStatus, end_hold, place_hold};
use ordo_domain::order::PlaceRejection;
use ordo_domain::values::{ChannelCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{Deciders, HoldRecord, Store};

use crate::error::AppError;
use crate::stock::StockWork;
use crate::transact::Attempt;

/// Sets units aside for a shopper, routed as the channel's orders would be.
pub(crate) async fn place(
    store: &dyn Store,
    request: &HoldRequest<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<HoldRecord> {
    let mut tx = store.transaction().await?;
    let skus: BTreeSet<Sku> = request.lines.iter().map(|(s, _)| s.clone()).collect();
    let mut work = StockWork::begin(&mut tx, &skus, request.now_ms).await?;
    let items = tx.item_facts(&skus.iter().collect()).await?;
    let locations = tx.locations().await?;
    let rules = match request.channel {
        Some(channel) => {
            let mut rules = tx
                .channel_rules(&BTreeSet::from([channel.as_str()]))
                .await?;
            Some(
                rules
                    .remove(channel)
                    .ok_or_else(|| unknown_channel(channel))?,
            )
        }
        None => None,
    };
    let channels = request.channel.iter().map(|c| c.as_str());
    let routers = tx.routers(channels, deciders.router).await?;
    let loads = work.loads(&mut tx).await?;
    let routing = Routing {
        router: routers.for_channel(request.channel),
        transit: deciders.transit,
        loads: &loads,
    };
    let now = request.now_ms;
    let mut next_id = || new_id("res", now);
    let book = &mut work.changes.book;
    let placed = place_hold(
        request,
        &items,
        &locations,
        rules.as_ref(),
        book,
        &routing,
        &mut next_id,
    )
    .map_err(refused)?;
    tx.insert_checkout_hold(&placed.hold).await?;
    work.changes.ledger.extend(placed.ledger);
    work.changes
        .reservations
        .extend(placed.reservations.iter().cloned());
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(HoldRecord {
        hold: placed.hold,
        reservations: placed.reservations,
    })
}

fn unknown_channel(channel: &ChannelCode) -> AppError {
    let why = format!("no active channel has code {channel}");
    AppError::Invalid(FieldErrors::single("channel", why))
}

fn refused(rejection: PlaceRejection) -> AppError {
    match rejection {
        PlaceRejection::Short(lines) => AppError::InsufficientStock(lines),
        PlaceRejection::Invalid(errors) => AppError::Invalid(errors),
        PlaceRejection::Internal(message) => AppError::Internal(message),
    }
}

/// A checkout hold to release, by whom and when; `channel`: only a hold of this channel.
pub(crate) struct Release<'a> {
    pub id: &'a str,
    pub channel: Option<&'a ChannelCode>,
    pub actor: String,
    pub now_ms: i64,
}

/// Releases an active hold: its units go back, and to waiting backorders.
pub(crate) async fn release(
    store: &dyn Store,
    release: &Release<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<HoldRecord> {
    let mut tx = store.transaction().await?;
    let now = release.now_ms;
    let skus = tx.checkout_hold_skus(release.id).await?;
    let mut work = StockWork::begin(&mut tx, &skus, now).await?;
    let not_found = || AppError::NotFound(format!("hold {}", release.id));
    let HoldRecord {
        mut hold,
        mut reservations,
    } = tx
        .lock_checkout_hold(release.id)
        .await?
        .ok_or_else(not_found)?;
    if release
        .channel
        .is_some_and(|own| hold.channel.as_ref() != Some(own))
    {
        return Err(not_found().into());
    }
    work.changes.overlay(&mut reservations);
    if !hold.is_active(now) {
        return Err(not_active(hold.status_at(now)).into());
    }
    let (book, actor) = (&mut work.changes.book, release.actor.as_str());
    let ledger = end_hold(
        &mut hold,
        &mut reservations,
        book,
        HoldStatus::Released,
        now,
        actor,
    )
    .map_err(|e| AppError::Internal(format!("releasing hold {}: {e}", release.id)))?;
    work.changes.ledger.extend(ledger);
    work.changes
        .reservations
        .extend(reservations.iter().cloned());
    work.changes.holds.push(hold.clone());
    work.fill_backorders(&mut tx, deciders, "stock freed by a released hold")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(HoldRecord { hold, reservations })
}

fn not_active(status: HoldStatus) -> AppError {
    let why = format!(
        "the hold is {} and holds nothing to release",
        status.as_str()
    );
    AppError::Conflict(FieldErrors::single("hold", why))
}

/// Releases held reservations past their expiry (of a few hundred items at most), marks
/// their holds expired, and gives the units to waiting backorders. Answers how many
/// reservations it released.
pub(crate) async fn sweep_expired(
    store: &dyn Store,
    now_ms: i64,
    deciders: &Deciders<'_>,
) -> Attempt<usize> {
    let mut tx = store.transaction().await?;
    let skus = tx.items_with_expired_holds(now_ms).await?;
    if skus.is_empty() {
        return Ok(0);
    }
    let mut work = StockWork::begin(&mut tx, &skus, now_ms).await?;
    let released = work.changes.reservations.len();
    work.fill_backorders(&mut tx, deciders, "stock freed by an expired hold")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(released)
}
