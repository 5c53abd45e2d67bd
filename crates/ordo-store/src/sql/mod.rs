//! [`SqlStore`]: the store on SQLite or PostgreSQL, chosen by the URL.
//!
//! SQLite gets one writer connection and a pool of read-only ones (WAL lets readers run beside
//! the writer); its write transactions therefore run one at a time and need no row locks.
//! PostgreSQL gets one pool; write transactions lock the rows they decide on, always in the
//! same order, so that concurrent transactions queue instead of deadlocking.

mod access;
mod alert_scan;
mod args;
mod backorders;
mod catalog;
mod check;
mod checkpoint;
mod connect;
mod decisions;
mod dialect;
mod drop_ship;
mod events;
mod exec;
mod fulfillment;
mod fulfillment_steps;
mod fulfillment_store;
mod holds;
mod inserts;
mod inventory;
mod leases;
mod load;
mod location_loads;
mod migrate;
mod order_holds;
mod order_tx;
mod orders;
mod place;
mod read;
mod reference_cache;
mod release;
mod replays;
mod reroute;
mod router_cache;
mod routing;
mod routing_store;
mod rows;
mod seed;
mod ship_to;
mod shipping;
mod sqlite;
mod sqlite_read;
mod stock;
mod stock_tx;
mod supply;
mod sync;
mod tracking;
mod tx;
mod work_alerts;
mod write;

use crate::sql::args::Sql;
use crate::sql::exec::Exec;
use async_trait::async_trait;

use ordo_domain::alerts::Threshold;
use ordo_domain::auth::{ApiKey, Owner, Resource};
use ordo_domain::channel::{Channel, StockRules};
use ordo_domain::idempotency::{Answer, KeptRequest};
use ordo_domain::inbound::Inbound;
use ordo_domain::inventory::Position;
use ordo_domain::item::Item;
use ordo_domain::location::Location;
use ordo_domain::order::{BackorderPolicy, OrderEvent};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

pub use connect::{SqlStore, StoreOptions};
pub use decisions::Decision;
pub use dialect::Backend;
pub use place::{KnownOrder, NewClaim, StoredClaim};
pub use routing::Routers;
pub use stock_tx::StockChanges;
pub use tx::Tx;

use crate::Store;
use crate::error::StoreResult;
use crate::types::*;

/// How often a transaction that hit a deadlock or a concurrent change is run again.
const RETRIES_MAX: u32 = 5;

/// Runs a store transaction again while it fails in a way a retry can fix.
macro_rules! retrying {
    ($attempt:expr) => {{
        let mut retries = 0;
        loop {
            match $attempt.await {
                Err(e) if e.is_retryable() && retries < $crate::sql::RETRIES_MAX => {
                    retries += 1;
                    tracing::debug!(error = %e, retries, "retrying a store transaction");
                    tokio::time::sleep(std::time::Duration::from_millis(2 << retries)).await;
                }
                result => break result,
            }
        }
    }};
}
pub(crate) use retrying;

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn transaction(&self) -> StoreResult<Tx> {
        SqlStore::transaction(self).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.reader().await?.rows(Sql::new("SELECT 1")).await?;
        Ok(())
    }

    async fn close(&self) {
        if let Some(writer) = &self.sqlite {
            writer.close().await;
        }
        self.close_pools().await;
    }

    async fn lease_job(
        &self,
        job: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> StoreResult<bool> {
        retrying!(leases::lease(self, job, holder, now_ms, ttl_ms))
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        catalog::setting(self, key).await
    }

    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        catalog::put_setting(self, key, value).await
    }

    async fn insert_location(&self, location: &Location) -> StoreResult<()> {
        catalog::insert_location(self, location).await
    }

    async fn update_location(&self, location: &Location) -> StoreResult<()> {
        catalog::update_location(self, location).await
    }

    async fn location(&self, code: &LocationCode) -> StoreResult<Option<Location>> {
        catalog::location(self, code).await
    }

    async fn locations(&self, page: &PageRequest) -> StoreResult<Page<Location>> {
        catalog::locations(self, page).await
    }

    async fn all_locations(&self) -> StoreResult<Vec<Location>> {
        load::locations(&mut self.reader().await?).await
    }

    async fn insert_item(&self, item: &Item) -> StoreResult<()> {
        catalog::insert_item(self, item).await
    }

    async fn update_item(&self, item: &Item) -> StoreResult<()> {
        catalog::update_item(self, item).await
    }

    async fn item(&self, sku: &Sku) -> StoreResult<Option<Item>> {
        catalog::item(self, sku).await
    }

    async fn items(&self, page: &PageRequest) -> StoreResult<Page<Item>> {
        catalog::items(self, page).await
    }

    async fn insert_channel(&self, channel: &Channel) -> StoreResult<()> {
        catalog::insert_channel(self, channel).await
    }

    async fn channel(&self, code: &ChannelCode) -> StoreResult<Option<Channel>> {
        catalog::channel(self, code).await
    }

    async fn channels(&self, page: &PageRequest) -> StoreResult<Page<Channel>> {
        catalog::channels(self, page).await
    }

    async fn stock_rules(&self, code: &ChannelCode) -> StoreResult<Option<StockRules>> {
        catalog::stock_rules(self, code).await
    }

    async fn put_stock_rules(&self, code: &ChannelCode, rules: &StockRules) -> StoreResult<bool> {
        catalog::put_stock_rules(self, code, rules).await
    }

    async fn insert_api_key(&self, key: &ApiKey, secret_hash: &str) -> StoreResult<()> {
        catalog::insert_api_key(self, key, secret_hash).await
    }

    async fn api_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<ApiKey>> {
        catalog::api_key_by_hash(self, secret_hash).await
    }

    async fn api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
        catalog::api_keys(self, page).await
    }

    async fn revoke_api_key(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        catalog::revoke_api_key(self, id, now_ms).await
    }

    async fn count_api_keys(&self) -> StoreResult<i64> {
        catalog::count_api_keys(self).await
    }

    async fn owner(&self, resource: Resource, id: &str) -> StoreResult<Option<Owner>> {
        access::owner(self, resource, id).await
    }

    async fn claim_request(&self, claim: &RequestClaim) -> StoreResult<Option<KeptRequest>> {
        retrying!(replays::claim(self, claim))
    }

    async fn reclaim_request(&self, claim: &RequestClaim) -> StoreResult<bool> {
        retrying!(replays::reclaim(self, claim))
    }

    async fn answer_request(&self, scope: &str, key: &str, answer: &Answer) -> StoreResult<()> {
        retrying!(replays::answer(self, scope, key, answer))
    }

    async fn release_request(&self, scope: &str, key: &str) -> StoreResult<()> {
        retrying!(replays::release(self, scope, key))
    }

    async fn prune_requests(&self, now_ms: i64, limit: i64) -> StoreResult<u64> {
        replays::prune(self, now_ms, limit).await
    }

    async fn positions(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
        now_ms: i64,
    ) -> StoreResult<Page<Position>> {
        inventory::positions(self, filter, page, now_ms).await
    }

    async fn ledger(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<LedgerRecord>> {
        inventory::ledger(self, filter, page).await
    }

    async fn positions_for_availability(
        &self,
        skus: &[Sku],
        now_ms: i64,
    ) -> StoreResult<Vec<Position>> {
        inventory::positions_for_availability(self, skus, now_ms).await
    }

    async fn order(&self, key: &OrderKey) -> StoreResult<Option<OrderRecord>> {
        orders::order(self, key).await
    }

    async fn orders(
        &self,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<OrderRecord>> {
        orders::orders(self, filter, page).await
    }

    async fn order_events(&self, order_id: &str) -> StoreResult<Vec<OrderEvent>> {
        orders::order_events(self, order_id).await
    }

    async fn allocation_order(&self, allocation_id: &str) -> StoreResult<Option<String>> {
        orders::order_of_allocation(self, allocation_id).await
    }

    async fn hold(&self, id: &str) -> StoreResult<Option<HoldRecord>> {
        holds::hold(self, id).await
    }

    async fn promise_context(&self, skus: &[Sku]) -> StoreResult<PromiseContext> {
        let mut conn = self.reader().await?;
        let wanted: std::collections::BTreeSet<&Sku> = skus.iter().collect();
        let locations = load::locations(&mut conn).await?;
        let incoming = load::incoming(&mut conn, &wanted).await?;
        let items = load::item_facts(&mut conn, &wanted).await?;
        Ok(PromiseContext {
            locations,
            incoming,
            items,
        })
    }

    async fn backorders(
        &self,
        filter: &BackorderFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<WaitingLine>> {
        backorders::waiting(self, filter, page).await
    }

    async fn backorder_policy(&self) -> StoreResult<BackorderPolicy> {
        backorders::policy(self).await
    }

    async fn set_backorder_policy(&self, policy: BackorderPolicy) -> StoreResult<()> {
        backorders::set_policy(self, policy).await
    }

    async fn transfer(&self, id: &str) -> StoreResult<Option<TransferRecord>> {
        supply::transfer(self, id).await
    }

    async fn transfers(
        &self,
        filter: &TransferFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<TransferRecord>> {
        supply::transfers(self, filter, page).await
    }

    async fn inbound(&self, id: &str) -> StoreResult<Option<Inbound>> {
        supply::inbound(self, id).await
    }

    async fn inbound_list(
        &self,
        filter: &InboundFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Inbound>> {
        supply::inbound_list(self, filter, page).await
    }

    async fn begin_sync(
        &self,
        initial: &SyncReport,
        request_hash: &str,
        now_ms: i64,
    ) -> StoreResult<SyncStart> {
        retrying!(sync::begin(self, initial, request_hash, now_ms))
    }

    async fn unknown_items(&self, skus: &[&str]) -> StoreResult<Vec<String>> {
        sync::unknown_items(self, skus).await
    }

    async fn put_threshold(&self, threshold: &Threshold) -> StoreResult<()> {
        events::put_threshold(self, threshold).await
    }

    async fn delete_threshold(&self, threshold: &Threshold) -> StoreResult<bool> {
        events::delete_threshold(self, threshold).await
    }

    async fn thresholds(&self) -> StoreResult<Vec<Threshold>> {
        events::thresholds(self).await
    }

    async fn events(
        &self,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<EventRecord>> {
        events::events(self, filter, page).await
    }

    async fn check_invariants(&self) -> StoreResult<Vec<Breach>> {
        check::check_invariants(self).await
    }

    async fn load_network(&self, seed: &NetworkSeed) -> StoreResult<()> {
        seed::load_network(self, seed).await
    }
}
