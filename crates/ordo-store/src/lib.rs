//! Ordo's storage: the [`Store`] trait — one method is one transaction is one business
//! operation — and [`SqlStore`], its implementation for SQLite and PostgreSQL with one set of
//! queries.
//!
//! - [`types`] — what goes in and out: pages, filters, commands and outcomes.
//! - [`routing`], [`fulfillment`] — the same for routing and for fulfilment and shipping, each
//!   with its supertrait of [`Store`].
//! - [`error`] — [`StoreError`], with "not found" and "already exists" given meaning.
//! - [`ids`] — random, time-ordered identifiers.
//! - `sql/` — the implementation: `dialect` (what differs between the databases), `migrate`,
//!   `args` (query building), `rows` (decoding, checked), then one module per area.

pub mod error;
pub mod fulfillment;
pub mod ids;
pub mod routing;
pub mod types;

mod sql;

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
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

pub use error::{StoreError, StoreResult};
pub use fulfillment::*;
pub use routing::*;
pub use sql::{
    Backend, Decision, KnownOrder, NewClaim, Routers, SqlStore, StockChanges, StoreOptions,
    StoredClaim, Tx,
};
pub use types::*;

#[async_trait]
pub trait Store: RoutingStore + FulfillmentStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A write transaction for a use case to load, write and commit through.
    async fn transaction(&self) -> StoreResult<Tx>;
    async fn ping(&self) -> StoreResult<()>;
    /// Waits for in-flight work and closes every connection.
    async fn close(&self);

    /// Takes or renews `holder`'s lease on a background job until `now_ms + ttl_ms`; false
    /// while another holder's lease runs. Several processes on one database so run each job
    /// once.
    async fn lease_job(
        &self,
        job: &str,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> StoreResult<bool>;

    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;

    /// Fails with [`StoreError::AlreadyExists`] when the code is taken.
    async fn insert_location(&self, location: &Location) -> StoreResult<()>;
    /// Fails with [`StoreError::NotFound`] when there is no such location.
    async fn update_location(&self, location: &Location) -> StoreResult<()>;
    async fn location(&self, code: &LocationCode) -> StoreResult<Option<Location>>;
    async fn locations(&self, page: &PageRequest) -> StoreResult<Page<Location>>;
    /// Every location, for decisions that weigh them all.
    async fn all_locations(&self) -> StoreResult<Vec<Location>>;

    async fn insert_item(&self, item: &Item) -> StoreResult<()>;
    async fn update_item(&self, item: &Item) -> StoreResult<()>;
    async fn item(&self, sku: &Sku) -> StoreResult<Option<Item>>;
    async fn items(&self, page: &PageRequest) -> StoreResult<Page<Item>>;

    async fn insert_channel(&self, channel: &Channel) -> StoreResult<()>;
    async fn channel(&self, code: &ChannelCode) -> StoreResult<Option<Channel>>;
    async fn channels(&self, page: &PageRequest) -> StoreResult<Page<Channel>>;
    /// A channel's stock rules; `None` when there is no such channel.
    async fn stock_rules(&self, code: &ChannelCode) -> StoreResult<Option<StockRules>>;
    /// Replaces a channel's stock rules; false when there is no such channel.
    async fn put_stock_rules(&self, code: &ChannelCode, rules: &StockRules) -> StoreResult<bool>;

    /// Stores a key by the hash of its secret; the secret itself is never stored.
    async fn insert_api_key(&self, key: &ApiKey, secret_hash: &str) -> StoreResult<()>;
    /// The live (not revoked) key whose secret has this hash.
    async fn api_key_by_hash(&self, secret_hash: &str) -> StoreResult<Option<ApiKey>>;
    async fn api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>>;
    /// Revokes a key; false when no live key has this id.
    async fn revoke_api_key(&self, id: &str, now_ms: i64) -> StoreResult<bool>;
    async fn count_api_keys(&self) -> StoreResult<i64>;
    /// Whom a resource belongs to (its order's channel, the location working it); `None`
    /// when there is no such resource.
    async fn owner(&self, resource: Resource, id: &str) -> StoreResult<Option<Owner>>;

    /// Claims an idempotency key for a request: `None` when claimed now, else what is kept
    /// under it.
    async fn claim_request(&self, claim: &RequestClaim) -> StoreResult<Option<KeptRequest>>;
    /// Claims afresh a key whose time is up; false when another request did first.
    async fn reclaim_request(&self, claim: &RequestClaim) -> StoreResult<bool>;
    /// Keeps the first answer to a claimed request.
    async fn answer_request(&self, scope: &str, key: &str, answer: &Answer) -> StoreResult<()>;
    /// Lets a claim without an answer go, so that a retry may do the work.
    async fn release_request(&self, scope: &str, key: &str) -> StoreResult<()>;
    /// Forgets keys whose time is up, at most `limit`; answers how many.
    async fn prune_requests(&self, now_ms: i64, limit: i64) -> StoreResult<u64>;

    /// Positions as a reader sees them at `now_ms`: units of expired holds are not reserved.
    async fn positions(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
        now_ms: i64,
    ) -> StoreResult<Page<Position>>;
    async fn ledger(
        &self,
        filter: &PositionFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<LedgerRecord>>;
    /// Positions of these items at active locations, as a reader sees them at `now_ms`.
    async fn positions_for_availability(
        &self,
        skus: &[Sku],
        now_ms: i64,
    ) -> StoreResult<Vec<Position>>;

    async fn order(&self, key: &OrderKey) -> StoreResult<Option<OrderRecord>>;
    async fn orders(
        &self,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<OrderRecord>>;
    async fn order_events(&self, order_id: &str) -> StoreResult<Vec<OrderEvent>>;
    /// The order an allocation belongs to.
    async fn allocation_order(&self, allocation_id: &str) -> StoreResult<Option<String>>;

    async fn hold(&self, id: &str) -> StoreResult<Option<HoldRecord>>;
    /// The locations, incoming supply (with the units already waiting for it) and item facts
    /// that promising these items needs.
    async fn promise_context(&self, skus: &[Sku]) -> StoreResult<PromiseContext>;

    /// Order lines waiting for stock, in the order the backorder policy serves them.
    async fn backorders(
        &self,
        filter: &BackorderFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<WaitingLine>>;
    async fn backorder_policy(&self) -> StoreResult<BackorderPolicy>;
    async fn set_backorder_policy(&self, policy: BackorderPolicy) -> StoreResult<()>;

    async fn transfer(&self, id: &str) -> StoreResult<Option<TransferRecord>>;
    async fn transfers(
        &self,
        filter: &TransferFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<TransferRecord>>;
    async fn inbound(&self, id: &str) -> StoreResult<Option<Inbound>>;
    async fn inbound_list(
        &self,
        filter: &InboundFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Inbound>>;
    /// Starts a sync under its id, or finds it: new, to resume, done, or the id reused.
    async fn begin_sync(
        &self,
        initial: &SyncReport,
        request_hash: &str,
        now_ms: i64,
    ) -> StoreResult<SyncStart>;
    async fn unknown_items(&self, skus: &[&str]) -> StoreResult<Vec<String>>;

    /// Sets the threshold for an item (or every item) at a location (or every location).
    async fn put_threshold(&self, threshold: &Threshold) -> StoreResult<()>;
    /// Removes a threshold; false when there was none.
    async fn delete_threshold(&self, threshold: &Threshold) -> StoreResult<bool>;
    async fn thresholds(&self) -> StoreResult<Vec<Threshold>>;
    /// Events in the order they happened, after the cursor.
    async fn events(
        &self,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<EventRecord>>;

    /// Checks the stored invariants; an empty list means all hold.
    async fn check_invariants(&self) -> StoreResult<Vec<Breach>>;
    /// Loads reference data and opening stock in one transaction (the demo network, imports).
    async fn load_network(&self, seed: &NetworkSeed) -> StoreResult<()>;
}

/// What routing keeps: profiles, decisions, rejections and exceptions, and the network as
/// backtests see it.
#[async_trait]
pub trait RoutingStore: Send + Sync {
    /// Creates a profile whose first version is a draft; one profile per channel (and one
    /// default).
    async fn create_routing_profile(
        &self,
        new: &NewProfile,
    ) -> StoreResult<Result<ProfileRecord, ProfileRefusal>>;
    /// Sets the draft's settings (and the name), making a draft if there is none; `None` when
    /// there is no such profile.
    async fn put_profile_draft(
        &self,
        id: &str,
        name: Option<&str>,
        settings: &RoutingProfile,
        actor: &str,
        now_ms: i64,
    ) -> StoreResult<Option<ProfileRecord>>;
    /// Makes the draft active (retiring the active version), or with `discard` deletes it.
    async fn step_routing_profile(
        &self,
        id: &str,
        discard: bool,
        now_ms: i64,
    ) -> StoreResult<Option<Result<ProfileRecord, ProfileRefusal>>>;
    async fn routing_profile(&self, id: &str) -> StoreResult<Option<ProfileRecord>>;
    async fn routing_profiles(&self) -> StoreResult<Vec<ProfileRecord>>;
    /// An order's rejections, oldest first.
    async fn rejections(&self, order_id: &str) -> StoreResult<Vec<RejectionRecord>>;
    /// Routing exceptions oldest first, open or resolved, on one channel's orders or all, at
    /// most `limit`.
    async fn routing_exceptions(
        &self,
        open: bool,
        channel: Option<&ChannelCode>,
        limit: i64,
    ) -> StoreResult<Vec<ExceptionRecord>>;
    /// Drop-ship purchase requests, oldest first.
    async fn purchase_requests(
        &self,
        filter: &PurchaseRequestFilter,
        limit: i64,
    ) -> StoreResult<Vec<PurchaseRequestRecord>>;
    /// The network as routing sees it now, for backtests.
    async fn routing_network(&self) -> StoreResult<RoutingNetwork>;
    /// Every routing decision made for an order, oldest first.
    async fn routing_decisions(&self, order_id: &str) -> StoreResult<Vec<RoutingDecisionRecord>>;
}
