//! Carrier events in the store: each stored once per `(shipment, event key)`; the shipment's
//! status recomputed from all of its events, so repeats and late arrivals change nothing; the
//! order told of every change, and delivered units counted on its lines.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::Exec;

use ordo_domain::fulfillment::alerts::{ShipmentFacts, returned_to_sender};
use ordo_domain::shipping::{TrackingStatus, check_event_time, shipment_status};

use super::orders::{event_inserts, load_one, update_order};
use super::rows::RowExt;
use super::shipping::{carriers_in, shipments_where};
use super::write::execute_all;
use super::{SqlStore, retrying};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::fulfillment::*;
use crate::ids::new_id;
use crate::types::OrderKey;

pub(crate) async fn record_tracking(
    store: &SqlStore,
    events: &[TrackingInput],
    now_ms: i64,
) -> StoreResult<Vec<TrackingResult>> {
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        results.push(retrying!(record_one(store, event, now_ms))?);
    }
    Ok(results)
}

/// One carrier event in one transaction: stored once, the shipment's status recomputed from
/// all its events, and the order told when units were delivered.
async fn record_one(
    store: &SqlStore,
    event: &TrackingInput,
    now_ms: i64,
) -> StoreResult<TrackingResult> {
    let mut tx = store.begin().await?;
    let row = tx.first(Sql::with("SELECT id, order_id, status, shipped_at FROM shipments WHERE carrier = $1 AND tracking_number = $2",[Arg::from(event.carrier.as_str()), Arg::from(event.tracking_number.as_str())])).await?;
    let Some(row) = row else {
        return Ok(TrackingResult::UnknownShipment);
    };
    let (shipment_id, order_id, before) =
        (row.text("id")?, row.text("order_id")?, row.text("status")?);
    if let Err(reason) = check_event_time(event.at_ms, row.int("shipped_at")?, now_ms) {
        return Ok(TrackingResult::Refused {
            shipment_id,
            reason,
        });
    }
    let status = match (event.status, &event.code) {
        (Some(status), _) => status,
        (None, Some(code)) => {
            let carrier = carriers_in(&mut tx)
                .await?
                .into_iter()
                .find(|c| c.carrier.code == event.carrier);
            match carrier.and_then(|c| c.carrier.event_codes.get(code).copied()) {
                Some(status) => status,
                None => return Ok(TrackingResult::UnknownCode),
            }
        }
        (None, None) => return Ok(TrackingResult::UnknownCode),
    };
    let key = event
        .event_id
        .clone()
        .unwrap_or_else(|| format!("{}@{}", status.as_str(), event.at_ms));
    let inserted = tx.run(Sql::with("INSERT INTO tracking_events (id, shipment_id, event_key, status, carrier_code, at, place, description, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (shipment_id, event_key) DO NOTHING",[Arg::from(new_id("trk", now_ms)), Arg::from(shipment_id.as_str()), Arg::from(key.as_str()), Arg::from(status.as_str()), Arg::from(event.code.clone()), Arg::from(event.at_ms), Arg::from(event.place.clone()), Arg::from(event.description.clone()), Arg::from(now_ms)])).await?;
    if inserted == 0 {
        return Ok(TrackingResult::Duplicate { shipment_id });
    }
    let all = tx
        .rows(Sql::with(
            "SELECT status, at FROM tracking_events WHERE shipment_id = $1",
            [Arg::from(shipment_id.as_str())],
        ))
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.int("at")?,
                corrupt("status", TrackingStatus::parse(&r.text("status")?))?,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let now_status = shipment_status(&all).map_or("shipped", TrackingStatus::as_str);
    let failed = all
        .iter()
        .filter(|(_, s)| *s == TrackingStatus::FailedAttempt)
        .count() as i64;
    let last_at = all.iter().map(|(at, _)| *at).max();
    let delivered_at = (now_status == "delivered")
        .then(|| {
            all.iter()
                .filter(|(_, s)| *s == TrackingStatus::Delivered)
                .map(|(at, _)| *at)
                .min()
        })
        .flatten();
    tx.run(Sql::with("UPDATE shipments SET status = $1, failed_attempts = $2, last_event_at = $3, delivered_at = $4 WHERE id = $5", [Arg::from(now_status), Arg::from(failed), Arg::from(last_at), Arg::from(delivered_at), Arg::from(shipment_id.as_str())])).await?;
    if now_status != before {
        let shipment = shipments_where(&mut tx, "s.id = ", &shipment_id, None)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Contention(format!("shipment {shipment_id} vanished")))?;
        tell_order(
            &mut tx, store, &order_id, &shipment, &before, now_status, now_ms,
        )
        .await?;
        if status == TrackingStatus::ReturnedToSender && now_status == status.as_str() {
            let facts = ShipmentFacts {
                id: &shipment.id,
                order_id: &shipment.order_id,
                tracking_number: &shipment.tracking_number,
                status: now_status,
                shipped_at_ms: shipment.shipped_at_ms,
                last_event_at_ms: shipment.last_event_at_ms,
            };
            super::work_alerts::raise(&mut tx, &returned_to_sender(&facts), now_ms).await?;
        }
    }
    tx.commit().await?;
    Ok(TrackingResult::Recorded {
        shipment_id,
        status: now_status.into(),
    })
}

/// Writes a shipment's new status to its order's timeline; delivered units count on the lines.
async fn tell_order(
    conn: &mut dyn Exec,
    store: &SqlStore,
    order_id: &str,
    shipment: &ShipmentRecord,
    before: &str,
    after: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let key = OrderKey::Id(order_id.into());
    let Some(mut record) = load_one(conn, &key, store.backend.lock_rows()).await? else {
        return Ok(());
    };
    let order = &mut record.order;
    let seq_before = order.event_seq;
    let sign: i64 = match (before == "delivered", after == "delivered") {
        (false, true) => 1,
        (true, false) => -1,
        _ => 0,
    };
    for c in &shipment.package.contents {
        if let Some(line) = order.lines.iter_mut().find(|l| l.line_no == c.line_no) {
            line.quantities.delivered =
                (line.quantities.delivered + sign * c.quantity).clamp(0, line.quantities.shipped);
        }
    }
    let data = serde_json::json!({
        "shipment": shipment.id, "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
        "from": before, "to": after,
    });
    let kind = format!("shipment.{after}");
    let actor = format!("carrier:{}", shipment.carrier);
    let event = match order
        .follow_quantities(now_ms, &kind, &actor, None, data.clone())
        .map_err(|e| StoreError::Corrupt(format!("delivery: {e}")))?
    {
        Some(event) => event,
        None => {
            order.updated_at_ms = now_ms;
            order.note(now_ms, &kind, &actor, None, data)
        }
    };
    update_order(conn, order, seq_before).await?;
    execute_all(conn, event_inserts(std::iter::once(&event))).await
}
