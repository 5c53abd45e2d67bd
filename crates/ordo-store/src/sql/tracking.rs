//! Carrier events as a use case's transaction loads and writes them: each stored once per
//! `(shipment, event key)`, the shipment's progress written as the domain worked it out.

use ordo_domain::fulfillment::alerts::Raised;
use ordo_domain::shipping::{ShipmentProgress, TrackingStatus};

use super::args::{Arg, Sql};
use super::exec::Exec;
use super::shipping::{carriers_in, shipments_where};
use super::tx::Tx;
use crate::error::StoreResult;
use crate::fulfillment::{CarrierRecord, ShipmentRecord, TrackingInput};
use crate::ids::new_id;

impl Tx {
    /// The shipment a carrier knows by this tracking number, with its events, locked until the
    /// transaction ends; `None` when there is none.
    pub async fn lock_shipment_by_tracking(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> StoreResult<Option<ShipmentRecord>> {
        let lock = Sql::with(
            &format!(
                "SELECT id FROM shipments WHERE carrier = $1 AND tracking_number = $2{}",
                self.lock()
            ),
            [Arg::from(carrier), Arg::from(tracking_number)],
        );
        let Some(row) = self.write.first(lock).await? else {
            return Ok(None);
        };
        let id = row.text_at(0)?;
        Ok(shipments_where(&mut self.write, "s.id = ", &id, None)
            .await?
            .pop())
    }

    pub async fn carriers(&mut self) -> StoreResult<Vec<CarrierRecord>> {
        carriers_in(&mut self.write).await
    }

    /// Stores a carrier event under its key; false when an event of that key is stored already.
    pub async fn insert_tracking_event(
        &mut self,
        shipment_id: &str,
        key: &str,
        status: TrackingStatus,
        event: &TrackingInput,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let sql = Sql::with(
            "INSERT INTO tracking_events (id, shipment_id, event_key, status, carrier_code, at, \
             place, description, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (shipment_id, event_key) DO NOTHING",
            [
                Arg::from(new_id("trk", now_ms)),
                Arg::from(shipment_id),
                Arg::from(key),
                Arg::from(status.as_str()),
                Arg::from(event.code.clone()),
                Arg::from(event.at_ms),
                Arg::from(event.place.clone()),
                Arg::from(event.description.clone()),
                Arg::from(now_ms),
            ],
        );
        Ok(self.write.run(sql).await? == 1)
    }

    pub async fn update_shipment_progress(
        &mut self,
        shipment_id: &str,
        progress: &ShipmentProgress,
    ) -> StoreResult<()> {
        let sql = Sql::with(
            "UPDATE shipments SET status = $1, failed_attempts = $2, last_event_at = $3, \
             delivered_at = $4 WHERE id = $5",
            [
                Arg::from(progress.status_str()),
                Arg::from(progress.failed_attempts),
                Arg::from(progress.last_event_at_ms),
                Arg::from(progress.delivered_at_ms),
                Arg::from(shipment_id),
            ],
        );
        self.write.run(sql).await?;
        Ok(())
    }

    /// Raises an alert, unless one of its kind on its subject is standing already.
    pub async fn raise_alert(&mut self, alert: &Raised, now_ms: i64) -> StoreResult<()> {
        super::work_alerts::raise(&mut self.write, alert, now_ms).await
    }
}
