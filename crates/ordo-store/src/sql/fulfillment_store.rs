//! [`FulfillmentStore`] for [`SqlStore`]: each method one transaction in `fulfillment` or
//! `shipping`.

use async_trait::async_trait;
use ordo_domain::fulfillment::Due;

use ordo_domain::fulfillment::{FulfillmentOrder, Package};
use ordo_domain::order::OrderHold;
use ordo_domain::shipping::{Carrier, DeliveryHistory};
use ordo_domain::values::LocationCode;

use super::{
    SqlStore, alert_scan, fulfillment, order_holds, release, retrying, shipping, work_alerts,
};
use crate::error::StoreResult;
use crate::fulfillment::*;

#[async_trait]
impl FulfillmentStore for SqlStore {
    async fn orders_due_for_release(
        &self,
        filter: &ReleaseFilter,
        due: &[(LocationCode, Due)],
    ) -> StoreResult<Vec<String>> {
        retrying!(release::orders_due(self, filter, due))
    }

    async fn fulfillment_order(&self, id: &str) -> StoreResult<Option<FulfillmentOrder>> {
        fulfillment::fulfillment_order(self, id).await
    }

    async fn location_work(
        &self,
        location: &LocationCode,
        limit: i64,
    ) -> StoreResult<Vec<FulfillmentOrder>> {
        fulfillment::location_work(self, location, limit).await
    }

    async fn packages(&self, fulfillment_order_id: &str) -> StoreResult<Vec<Package>> {
        fulfillment::packages(self, fulfillment_order_id).await
    }

    async fn order_holds(&self, order_id: &str) -> StoreResult<Vec<OrderHold>> {
        order_holds::order_holds(self, order_id).await
    }

    async fn open_work_page(
        &self,
        after: Option<&(i64, String)>,
    ) -> StoreResult<crate::fulfillment::WorkPage> {
        alert_scan::work_page(self, after).await
    }

    async fn open_shipment_page(
        &self,
        after: Option<&(i64, String)>,
    ) -> StoreResult<(Vec<crate::fulfillment::OpenShipment>, Option<(i64, String)>)> {
        alert_scan::shipment_page(self, after).await
    }

    async fn standing_alerts(&self) -> StoreResult<Vec<AlertRecord>> {
        alert_scan::standing_alerts(self).await
    }

    async fn work_alerts(&self, filter: &AlertFilter) -> StoreResult<Vec<AlertRecord>> {
        work_alerts::list(self, filter).await
    }

    async fn put_carrier(&self, carrier: &Carrier, now_ms: i64) -> StoreResult<bool> {
        retrying!(shipping::put_carrier(self, carrier, now_ms))
    }

    async fn carrier(&self, code: &str) -> StoreResult<Option<CarrierRecord>> {
        shipping::carrier(self, code).await
    }

    async fn carriers(&self) -> StoreResult<Vec<CarrierRecord>> {
        shipping::carriers(self).await
    }

    async fn delivery_history(&self) -> StoreResult<Vec<(String, DeliveryHistory)>> {
        shipping::delivery_history(self).await
    }

    async fn shipment(&self, id: &str) -> StoreResult<Option<ShipmentRecord>> {
        shipping::shipment(self, id).await
    }

    async fn fulfillment_shipments(
        &self,
        fulfillment_order_id: &str,
    ) -> StoreResult<Vec<ShipmentRecord>> {
        shipping::shipments_of_fulfillment(self, fulfillment_order_id).await
    }

    async fn manifest(&self, query: &ManifestQuery) -> StoreResult<Vec<ShipmentRecord>> {
        shipping::manifest(self, query).await
    }
}
