//! Fulfilment and shipping use cases: releasing work to locations, the steps a location takes,
//! carriers, shipments and tracking events.

use ordo_domain::auth::{Action, Principal, Resource};
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::FulfillmentOrder;
use ordo_domain::shipping::{Carrier, Quote, RateRequest, quotes};
use ordo_domain::values::LocationCode;
use ordo_store::{CarrierRecord, FulfillmentStep, ManifestQuery, ShipmentRecord};

use crate::fulfillment_steps::StepOutcome;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::transact::retrying;

/// Most tracking events one request may carry.
pub const TRACKING_EVENTS_MAX: usize = 1_000;
/// Most fulfilment orders one work list shows.
pub const WORK_LIST_MAX: i64 = 500;
/// Setting key: how much unreliability weighs against price when rate shopping.
pub const RELIABILITY_WEIGHT_KEY: &str = "shipping.reliability_weight";
/// The weight when none is set: a carrier at 0.8 reliability costs 10% more than its price.
pub const RELIABILITY_WEIGHT_DEFAULT: f64 = 0.5;

impl App {
    pub async fn fulfillment_order(
        &self,
        principal: &Principal,
        id: &str,
    ) -> AppResult<FulfillmentOrder> {
        let target = Some((Resource::FulfillmentOrder, id));
        self.authorize(principal, Action::ReadWork, target).await?;
        let fo = self.store.fulfillment_order(id).await?;
        fo.ok_or_else(|| AppError::NotFound(format!("fulfilment order {id}")))
    }

    /// A fulfilment order with the parcels it sent.
    pub async fn fulfillment_order_shipped(
        &self,
        principal: &Principal,
        id: &str,
    ) -> AppResult<(FulfillmentOrder, Vec<ShipmentRecord>)> {
        let fo = self.fulfillment_order(principal, id).await?;
        let shipments = self.store.fulfillment_shipments(&fo.id).await?;
        Ok((fo, shipments))
    }

    pub async fn location_work(
        &self,
        principal: &Principal,
        location: &LocationCode,
        limit: i64,
    ) -> AppResult<Vec<FulfillmentOrder>> {
        let target = Some((Resource::Location, location.as_str()));
        self.authorize(principal, Action::ReadWork, target).await?;
        if self.store.location(location).await?.is_none() {
            return Err(AppError::NotFound(format!("location {location}")));
        }
        Ok(self
            .store
            .location_work(location, limit.clamp(1, WORK_LIST_MAX))
            .await?)
    }

    pub async fn step_fulfillment(
        &self,
        principal: &Principal,
        id: &str,
        step: FulfillmentStep,
    ) -> AppResult<StepOutcome> {
        // A location key reaches only its own location's work: others' are "not found".
        let location_scope = principal.scope(Action::DoWork)?.location().cloned();
        let mut step = step;
        let confirming = matches!(step, FulfillmentStep::ConfirmCancel);
        if let FulfillmentStep::Ship(input) = &mut step {
            input.reliability_weight = self.reliability_weight().await?;
        }
        let (actor, now_ms) = (principal.actor(), self.clock.now_ms());
        let asked = crate::fulfillment_steps::Step {
            id,
            step: &step,
            location: location_scope.as_ref(),
            actor: &actor,
            now_ms,
        };
        let deciders = self.deciders();
        let store = self.store.as_ref();
        let outcome = retrying(|| crate::fulfillment_steps::step(store, &asked, &deciders)).await?;
        let cancelled = ordo_domain::order::OrderStatus::Cancelled;
        if confirming && outcome.order.order.status == cancelled {
            metrics::counter!("ordo_orders_cancelled_total").increment(1);
        }
        Ok(outcome)
    }

    async fn reliability_weight(&self) -> AppResult<f64> {
        Ok(self
            .store
            .setting(RELIABILITY_WEIGHT_KEY)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(RELIABILITY_WEIGHT_DEFAULT))
    }

    pub async fn set_reliability_weight(
        &self,
        principal: &Principal,
        weight: f64,
    ) -> AppResult<()> {
        principal.scope(Action::WriteCatalog)?;
        if !(0.0..=10.0).contains(&weight) {
            return Err(AppError::Invalid(FieldErrors::single(
                "reliability_weight",
                "must be 0 to 10",
            )));
        }
        Ok(self
            .store
            .put_setting(RELIABILITY_WEIGHT_KEY, &weight.to_string())
            .await?)
    }

    /// Creates or replaces a carrier; answers whether it was new.
    pub async fn put_carrier(&self, principal: &Principal, carrier: Carrier) -> AppResult<bool> {
        principal.scope(Action::WriteCatalog)?;
        carrier.check().map_err(AppError::Invalid)?;
        Ok(self
            .store
            .put_carrier(&carrier, self.clock.now_ms())
            .await?)
    }

    pub async fn carrier(&self, principal: &Principal, code: &str) -> AppResult<CarrierRecord> {
        principal.scope(Action::ReadCatalog)?;
        self.store
            .carrier(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("carrier {code}")))
    }

    /// Every carrier with its reliability from delivery history.
    pub async fn carriers(&self, principal: &Principal) -> AppResult<Vec<(CarrierRecord, f64)>> {
        principal.scope(Action::ReadCatalog)?;
        let history = self.store.delivery_history().await?;
        let carriers = self.store.carriers().await?;
        Ok(carriers
            .into_iter()
            .map(|c| {
                let reliability = history
                    .iter()
                    .find(|(code, _)| *code == c.carrier.code)
                    .map(|(_, h)| *h)
                    .unwrap_or_default()
                    .reliability();
                (c, reliability)
            })
            .collect())
    }

    /// Prices a parcel with every carrier that can take it, best first.
    pub async fn quote(
        &self,
        principal: &Principal,
        origin: &LocationCode,
        to: ordo_domain::shipping::Address<'_>,
        weight_g: i64,
        deliver_by: Option<jiff::civil::Date>,
    ) -> AppResult<Vec<Quote>> {
        principal.scope(Action::ReadCatalog)?;
        let origin = self.store.location(origin).await?.ok_or_else(|| {
            AppError::Invalid(FieldErrors::single("from", "is not a known location"))
        })?;
        let carriers: Vec<Carrier> = self
            .store
            .carriers()
            .await?
            .into_iter()
            .map(|c| c.carrier)
            .collect();
        let reliability = self
            .store
            .delivery_history()
            .await?
            .into_iter()
            .map(|(code, h)| (code, h.reliability()))
            .collect();
        let request = RateRequest {
            origin: &origin,
            to: to.located(),
            weight_g,
            now_ms: self.clock.now_ms(),
            deliver_by,
        };
        Ok(quotes(
            &carriers,
            &reliability,
            self.reliability_weight().await?,
            &request,
        ))
    }

    pub async fn shipment(&self, principal: &Principal, id: &str) -> AppResult<ShipmentRecord> {
        let target = Some((Resource::Shipment, id));
        self.authorize(principal, Action::ReadShipments, target)
            .await?;
        self.store
            .shipment(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("shipment {id}")))
    }

    /// An order's parcels: a channel key's own orders', a location key's own parcels (an
    /// order it sent none of looks like it does not exist).
    pub async fn order_shipments(
        &self,
        principal: &Principal,
        id_or_number: &str,
    ) -> AppResult<Vec<ShipmentRecord>> {
        let scope = principal.scope(Action::ReadShipments)?;
        let mut shipments = self.order_in(scope, id_or_number).await?.shipments;
        if let Some(own) = scope.location() {
            shipments.retain(|s| s.location == *own);
            if shipments.is_empty() {
                return Err(AppError::NotFound(format!("order {id_or_number}")));
            }
        }
        Ok(shipments)
    }

    /// A carrier's shipments handed over on one day (UTC), for its end-of-day manifest: from
    /// every location, or from one. A location key sees its own location's.
    pub async fn manifest(
        &self,
        principal: &Principal,
        carrier: &str,
        date: jiff::civil::Date,
        location: Option<&LocationCode>,
    ) -> AppResult<Vec<ShipmentRecord>> {
        let location = match (principal.scope(Action::ReadManifests)?.location(), location) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(AppError::Forbidden(format!(
                    "this key works for location {own} only"
                )));
            }
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        let start = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .timestamp()
            .as_millisecond();
        let query = ManifestQuery {
            carrier: carrier.to_string(),
            from_ms: start,
            to_ms: start + 86_400_000,
        };
        let mut shipments = self.store.manifest(&query).await?;
        shipments.retain(|s| location.is_none_or(|l| s.location == *l));
        Ok(shipments)
    }
}
