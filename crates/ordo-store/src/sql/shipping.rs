//! Carriers and shipments in the store: carriers and their rates, each carrier's delivery
//! record, the series tracking numbers come from, and the shipments. Which carrier and number
//! a package gets is the app's decision (`ordo-app/src/shipments.rs`). Tracking events are in
//! `tracking`.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::Exec;
use std::collections::HashMap;
use std::sync::Arc;

use ordo_domain::routing::ProfileRouter;
use ordo_domain::shipping::{Carrier, CarrierRates, DeliveryHistory};
use ordo_domain::shipping::{TrackingStatus, parse_shipment_status, shipment_status_name};

use super::SqlStore;
use super::rows::{self, RowExt};
use super::tx::Tx;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::fulfillment::*;

fn carrier_row(r: &crate::sql::exec::Row) -> StoreResult<CarrierRecord> {
    let carrier: Carrier = serde_json::from_str(&r.text("definition")?)
        .map_err(|e| StoreError::Corrupt(format!("carrier definition: {e}")))?;
    Ok(CarrierRecord {
        carrier,
        created_at_ms: r.int("created_at")?,
        updated_at_ms: r.int("updated_at")?,
    })
}

pub(crate) async fn put_carrier(
    store: &SqlStore,
    carrier: &Carrier,
    now_ms: i64,
) -> StoreResult<bool> {
    let definition = serde_json::to_string(carrier)
        .map_err(|e| StoreError::Corrupt(format!("carrier definition: {e}")))?;
    let mut tx = store.begin().await?;
    let updated = tx
        .run(Sql::with(
            "UPDATE carriers SET definition = $1, updated_at = $2 WHERE code = $3",
            [
                Arg::from(definition.as_str()),
                Arg::from(now_ms),
                Arg::from(carrier.code.as_str()),
            ],
        ))
        .await?;
    if updated == 0 {
        tx.run(Sql::with("INSERT INTO carriers (code, definition, next_serial, created_at, updated_at) VALUES ($1, $2, 0, $3, $3)", [Arg::from(carrier.code.as_str()), Arg::from(definition.as_str()), Arg::from(now_ms)])).await?;
    }
    tx.commit().await?;
    Ok(updated == 0)
}

pub(crate) async fn carrier(store: &SqlStore, code: &str) -> StoreResult<Option<CarrierRecord>> {
    let row = store
        .reader()
        .await?
        .first(Sql::with(
            "SELECT definition, created_at, updated_at FROM carriers WHERE code = $1",
            [Arg::from(code)],
        ))
        .await?;
    row.as_ref().map(carrier_row).transpose()
}

pub(crate) async fn carriers_in(conn: &mut dyn Exec) -> StoreResult<Vec<CarrierRecord>> {
    let rows = conn
        .rows(Sql::new(
            "SELECT definition, created_at, updated_at FROM carriers ORDER BY code",
        ))
        .await?;
    rows.iter().map(carrier_row).collect()
}

/// The carriers' rates as the routers' shipping-cost estimator: stamped by the carriers' count
/// and last change (the router cache's key), read only when a router must be built.
pub(crate) struct Pricing {
    pub stamp: (i64, i64),
    rates: Option<Arc<CarrierRates>>,
}

impl Pricing {
    pub async fn read(conn: &mut dyn Exec) -> StoreResult<Self> {
        let row = conn.one(Sql::new("SELECT COUNT(*) AS n, CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) AS at FROM carriers",)).await?;
        Ok(Self {
            stamp: (row.int("n")?, row.int("at")?),
            rates: None,
        })
    }

    /// `router`, pricing shipping with the carriers' rates when there are any.
    pub async fn price(
        &mut self,
        router: ProfileRouter,
        conn: &mut dyn Exec,
    ) -> StoreResult<ProfileRouter> {
        if self.stamp.0 == 0 {
            return Ok(router);
        }
        if self.rates.is_none() {
            let carriers = carriers_in(conn).await?.into_iter().map(|c| c.carrier);
            self.rates = Some(Arc::new(CarrierRates::new(carriers.collect())));
        }
        Ok(match &self.rates {
            Some(rates) if !rates.is_empty() => router.with_estimator(rates.clone()),
            _ => router,
        })
    }
}

pub(crate) async fn carriers(store: &SqlStore) -> StoreResult<Vec<CarrierRecord>> {
    let mut conn = store.reader().await?;
    carriers_in(&mut conn).await
}

/// Each carrier's delivered shipments: how many, how many by the promised date, how many
/// needed more than one attempt.
async fn history_in(conn: &mut dyn Exec) -> StoreResult<Vec<(String, DeliveryHistory)>> {
    let rows = conn.rows(Sql::new("SELECT carrier, promised_date, delivered_at, failed_attempts FROM shipments WHERE delivered_at IS NOT NULL")).await?;
    let mut by_carrier: HashMap<String, DeliveryHistory> = HashMap::new();
    for r in rows {
        let h = by_carrier.entry(r.text("carrier")?).or_default();
        h.delivered += 1;
        let delivered = utc_date(r.int("delivered_at")?);
        let promised = rows::optional_date(&r, "promised_date")?;
        if promised.is_none_or(|p| delivered <= p) {
            h.on_time += 1;
        }
        if r.int("failed_attempts")? > 0 {
            h.with_failed_attempt += 1;
        }
    }
    let mut list: Vec<_> = by_carrier.into_iter().collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(list)
}

pub(crate) async fn delivery_history(
    store: &SqlStore,
) -> StoreResult<Vec<(String, DeliveryHistory)>> {
    let mut conn = store.reader().await?;
    history_in(&mut conn).await
}

fn utc_date(ms: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Most serials tried for a free tracking number before giving up: each one skipped is a
/// number a location supplied that happened to fall in the carrier's own series.
const SERIAL_TRIES_MAX: u32 = 1_000;

/// The carrier's next tracking number from its series, skipping numbers already in use.
async fn next_tracking_number(conn: &mut dyn Exec, carrier: &Carrier) -> StoreResult<String> {
    for _ in 0..SERIAL_TRIES_MAX {
        conn.run(Sql::with(
            "UPDATE carriers SET next_serial = next_serial + 1 WHERE code = $1",
            [Arg::from(carrier.code.as_str())],
        ))
        .await?;
        let row = conn
            .one(Sql::with(
                "SELECT next_serial FROM carriers WHERE code = $1",
                [Arg::from(carrier.code.as_str())],
            ))
            .await?;
        let number = carrier.tracking.number(row.int("next_serial")? as u64);
        if !tracking_number_taken(conn, &carrier.code, &number).await? {
            return Ok(number);
        }
    }
    Err(StoreError::Corrupt(format!(
        "carrier {}: {SERIAL_TRIES_MAX} tracking numbers in a row are taken",
        carrier.code
    )))
}

async fn tracking_number_taken(
    conn: &mut dyn Exec,
    carrier: &str,
    number: &str,
) -> StoreResult<bool> {
    let row = conn
        .one(Sql::with(
            "SELECT COUNT(*) AS n FROM shipments WHERE carrier = $1 AND tracking_number = $2",
            [Arg::from(carrier), Arg::from(number)],
        ))
        .await?;
    Ok(row.int("n")? > 0)
}

impl Tx {
    /// Each carrier's delivered shipments: how many, how many by the promised date, how many
    /// needed more than one attempt.
    pub async fn delivery_history(&mut self) -> StoreResult<Vec<(String, DeliveryHistory)>> {
        history_in(&mut self.write).await
    }

    /// The carrier's next tracking number from its series, skipping numbers already in use.
    pub async fn next_tracking_number(&mut self, carrier: &Carrier) -> StoreResult<String> {
        next_tracking_number(&mut self.write, carrier).await
    }

    /// Whether a shipment of this carrier has this tracking number already.
    pub async fn tracking_number_taken(
        &mut self,
        carrier: &str,
        number: &str,
    ) -> StoreResult<bool> {
        tracking_number_taken(&mut self.write, carrier, number).await
    }

    /// Writes a shipment; two steps racing for one supplied tracking number: the second
    /// fails with `AlreadyExists`.
    pub async fn insert_shipment(&mut self, shipment: &ShipmentRecord) -> StoreResult<()> {
        insert_shipment(&mut self.write, shipment).await
    }
}

async fn insert_shipment(conn: &mut dyn Exec, s: &ShipmentRecord) -> StoreResult<()> {
    conn.run(Sql::with("INSERT INTO shipments (id, fulfillment_order_id, package_id, order_id, location, carrier, service, tracking_number, status, \
         cost_minor, currency, promised_date, expected_date, shipped_at, failed_attempts, tracking_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15)",[Arg::from(s.id.as_str()), Arg::from(s.fulfillment_order_id.as_str()), Arg::from(s.package.id.as_str()), Arg::from(s.order_id.as_str()), Arg::from(s.location.as_str()), Arg::from(s.carrier.as_str()), Arg::from(s.service.as_str()), Arg::from(s.tracking_number.as_str()), Arg::from(shipment_status_name(s.status)), Arg::from(s.cost_minor), Arg::from(s.currency.clone()), Arg::from(s.promised_date.map(|d| d.to_string())), Arg::from(s.expected_date.map(|d| d.to_string())), Arg::from(s.shipped_at_ms), Arg::from(s.tracking_url.clone())])).await
    .map_err(|e| {
        // Two steps racing for one supplied number: the second one loses here.
        if e.is_unique_violation() {
            StoreError::AlreadyExists(format!("tracking number {}", s.tracking_number))
        } else {
            e
        }
    })?;
    Ok(())
}

const SHIPMENT_SELECT: &str = "SELECT s.id, s.fulfillment_order_id, s.order_id, s.location, s.carrier, s.service, s.tracking_number, \
     s.status, s.cost_minor, s.currency, s.promised_date, s.expected_date, s.shipped_at, s.delivered_at, s.last_event_at, \
     s.failed_attempts, s.tracking_url, p.id AS package_id, p.seq, p.weight_g, p.length_mm, p.width_mm, p.height_mm, p.contents \
     FROM shipments s JOIN packages p ON p.id = s.package_id";

fn shipment_row(r: &crate::sql::exec::Row) -> StoreResult<ShipmentRecord> {
    let p = super::fulfillment::package(r, "package_id")?;
    Ok(ShipmentRecord {
        id: r.text("id")?,
        fulfillment_order_id: r.text("fulfillment_order_id")?,
        package: p,
        order_id: r.text("order_id")?,
        location: rows::location_code(r, "location")?,
        carrier: r.text("carrier")?,
        service: r.text("service")?,
        tracking_number: r.text("tracking_number")?,
        status: corrupt("status", parse_shipment_status(&r.text("status")?))?,
        cost_minor: r.opt_int("cost_minor")?,
        currency: r.opt_text("currency")?,
        promised_date: rows::optional_date(r, "promised_date")?,
        expected_date: rows::optional_date(r, "expected_date")?,
        shipped_at_ms: r.int("shipped_at")?,
        delivered_at_ms: r.opt_int("delivered_at")?,
        last_event_at_ms: r.opt_int("last_event_at")?,
        failed_attempts: r.int("failed_attempts")?,
        tracking_url: r.opt_text("tracking_url")?,
        events: Vec::new(),
    })
}

/// Fills in each shipment's tracking events, oldest first.
async fn attach_events(conn: &mut dyn Exec, shipments: &mut [ShipmentRecord]) -> StoreResult<()> {
    for chunk in shipments.chunks_mut(super::inserts::STATEMENT_ARGS_MAX) {
        let mut sql = super::args::Sql::new(
            "SELECT shipment_id, at, status, carrier_code, place, description FROM tracking_events \
             WHERE shipment_id IN (",
        );
        sql.list(chunk.iter().map(|s| s.id.as_str()))
            .push(") ORDER BY at, id");
        for r in conn.rows(sql).await? {
            let id = r.text("shipment_id")?;
            let event = TrackingEventRecord {
                at_ms: r.int("at")?,
                status: crate::error::corrupt("status", TrackingStatus::parse(&r.text("status")?))?,
                code: r.opt_text("carrier_code")?,
                place: r.opt_text("place")?,
                description: r.opt_text("description")?,
            };
            if let Some(s) = chunk.iter_mut().find(|s| s.id == id) {
                s.events.push(event);
            }
        }
    }
    Ok(())
}

/// The shipments of these orders, with their events, in the order they left.
pub(crate) async fn shipments_of_orders(
    conn: &mut dyn Exec,
    order_ids: &[&str],
) -> StoreResult<Vec<ShipmentRecord>> {
    let mut all = Vec::new();
    for chunk in order_ids.chunks(super::inserts::STATEMENT_ARGS_MAX) {
        let mut sql = super::args::Sql::new(&format!("{SHIPMENT_SELECT} WHERE s.order_id IN ("));
        sql.list(chunk.iter().copied())
            .push(") ORDER BY s.shipped_at, s.id");
        let rows = conn.rows(sql).await?;
        all.extend(
            rows.iter()
                .map(shipment_row)
                .collect::<StoreResult<Vec<_>>>()?,
        );
    }
    attach_events(conn, &mut all).await?;
    Ok(all)
}

pub(crate) async fn shipments_where(
    conn: &mut dyn Exec,
    condition: &str,
    value: &str,
    extra: Option<(i64, i64)>,
) -> StoreResult<Vec<ShipmentRecord>> {
    let mut sql = super::args::Sql::new(&format!("{SHIPMENT_SELECT} WHERE {condition}"));
    sql.arg(value);
    if let Some((from, to)) = extra {
        sql.push(" AND s.shipped_at >= ")
            .arg(from)
            .push(" AND s.shipped_at < ")
            .arg(to);
    }
    sql.push(" ORDER BY s.shipped_at, s.id");
    let rows = conn.rows(sql).await?;
    let mut shipments = rows
        .iter()
        .map(shipment_row)
        .collect::<StoreResult<Vec<_>>>()?;
    attach_events(conn, &mut shipments).await?;
    Ok(shipments)
}

pub(crate) async fn shipment(store: &SqlStore, id: &str) -> StoreResult<Option<ShipmentRecord>> {
    let mut conn = store.reader().await?;
    Ok(shipments_where(&mut conn, "s.id = ", id, None).await?.pop())
}

/// The shipments of one fulfilment order.
pub(crate) async fn shipments_of_fulfillment(
    store: &SqlStore,
    fulfillment_order_id: &str,
) -> StoreResult<Vec<ShipmentRecord>> {
    let mut conn = store.reader().await?;
    shipments_where(
        &mut conn,
        "s.fulfillment_order_id = ",
        fulfillment_order_id,
        None,
    )
    .await
}

pub(crate) async fn manifest(
    store: &SqlStore,
    query: &ManifestQuery,
) -> StoreResult<Vec<ShipmentRecord>> {
    let mut conn = store.reader().await?;
    shipments_where(
        &mut conn,
        "s.carrier = ",
        &query.carrier,
        Some((query.from_ms, query.to_ms)),
    )
    .await
}
