//! Carrier events in: each stored once, the shipment's progress worked out again from all of
//! its events (so repeats and late arrivals change nothing), the order told of every change,
//! and a parcel coming back raises an alert.

use ordo_domain::auth::{Action, Principal};
use ordo_domain::fulfillment::alerts::{ShipmentFacts, returned_to_sender};
use ordo_domain::order::{ShipmentNews, follow_shipment};
use ordo_domain::shipping::{ShipmentProgress, TrackingStatus, check_event_time};
use ordo_store::{OrderKey, ShipmentRecord, Store, TrackingInput, TrackingResult, Tx};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::transact::{Attempt, retrying};

impl App {
    /// Records carrier events, each in a transaction of its own.
    pub async fn record_tracking(
        &self,
        principal: &Principal,
        events: &[TrackingInput],
    ) -> AppResult<Vec<TrackingResult>> {
        principal.scope(Action::RecordTracking)?;
        let mut results = Vec::with_capacity(events.len());
        for event in events {
            let now_ms = self.clock.now_ms();
            results.push(retrying(|| track(self.store.as_ref(), event, now_ms)).await?);
        }
        Ok(results)
    }
}

/// One carrier event: load the shipment, let the domain check and place the event, write the
/// event and the shipment's progress, tell the order, commit.
async fn track(store: &dyn Store, event: &TrackingInput, now_ms: i64) -> Attempt<TrackingResult> {
    let mut tx = store.transaction().await?;
    let shipment = tx
        .lock_shipment_by_tracking(&event.carrier, &event.tracking_number)
        .await?;
    let Some(shipment) = shipment else {
        return Ok(TrackingResult::UnknownShipment);
    };
    let shipment_id = shipment.id.clone();
    if let Err(reason) = check_event_time(event.at_ms, shipment.shipped_at_ms, now_ms) {
        return Ok(TrackingResult::Refused {
            shipment_id,
            reason,
        });
    }
    let Some(status) = status_of(&mut tx, event).await? else {
        return Ok(TrackingResult::UnknownCode);
    };
    let key = event
        .event_id
        .clone()
        .unwrap_or_else(|| format!("{}@{}", status.as_str(), event.at_ms));
    if !tx
        .insert_tracking_event(&shipment_id, &key, status, event, now_ms)
        .await?
    {
        return Ok(TrackingResult::Duplicate { shipment_id });
    }
    let mut events: Vec<(i64, TrackingStatus)> = shipment
        .events
        .iter()
        .map(|e| (e.at_ms, e.status))
        .collect();
    events.push((event.at_ms, status));
    let progress = ShipmentProgress::of(&events);
    tx.update_shipment_progress(&shipment_id, &progress).await?;
    if progress.status != shipment.status {
        tell_order(&mut tx, &shipment, &progress, now_ms).await?;
    }
    tx.commit().await?;
    Ok(TrackingResult::Recorded {
        shipment_id,
        status: progress.status_str().into(),
    })
}

/// The event's status: as sent, or the carrier's own code read through its code table;
/// `None` when neither says.
async fn status_of(tx: &mut Tx, event: &TrackingInput) -> Attempt<Option<TrackingStatus>> {
    match (event.status, &event.code) {
        (Some(status), _) => Ok(Some(status)),
        (None, Some(code)) => {
            let carriers = tx.carriers().await?;
            let carrier = carriers.iter().find(|c| c.carrier.code == event.carrier);
            Ok(carrier.and_then(|c| c.carrier.event_codes.get(code).copied()))
        }
        (None, None) => Ok(None),
    }
}

/// The order hears of the shipment's new status (delivered units count on its lines); a
/// parcel on its way back raises an alert.
async fn tell_order(
    tx: &mut Tx,
    shipment: &ShipmentRecord,
    progress: &ShipmentProgress,
    now_ms: i64,
) -> Attempt<()> {
    let key = OrderKey::Id(shipment.order_id.clone());
    if let Some(mut record) = tx.lock_order(&key).await? {
        let news = ShipmentNews {
            shipment_id: &shipment.id,
            carrier: &shipment.carrier,
            tracking_number: &shipment.tracking_number,
            contents: &shipment.package.contents,
            before: shipment.status,
            after: progress.status,
        };
        let seq_before = record.order.event_seq;
        let event = follow_shipment(&mut record.order, &news, now_ms)
            .map_err(|e| AppError::Internal(format!("delivery: {e}")))?;
        tx.update_order(&record.order, seq_before).await?;
        tx.append_order_events(&[event]).await?;
    }
    if progress.status == Some(TrackingStatus::ReturnedToSender) {
        let facts = ShipmentFacts {
            id: &shipment.id,
            order_id: &shipment.order_id,
            tracking_number: &shipment.tracking_number,
            status: progress.status,
            shipped_at_ms: shipment.shipped_at_ms,
            last_event_at_ms: progress.last_event_at_ms,
        };
        tx.raise_alert(&returned_to_sender(&facts), now_ms).await?;
    }
    Ok(())
}
