//! Ordo's use cases: each loads what it needs, lets the domain decide, and commits through
//! the store. Time comes from a [`Clock`], so every use case runs the same under test.
//!
//! - [`App`] — the use cases, one `impl App` block per area: [`auth`], [`catalog`],
//!   [`inventory`], [`orders`], [`cancel`], [`order_edits`], [`allocations`], [`holds`],
//!   [`order_holds`], [`supply`], [`routing`], [`fulfillment`], [`tracking`], [`release`],
//!   [`work_alerts`], [`demo`].
//! - A use case's transaction reads load → the domain decides → write → commit over a
//!   `Tx` from the store; `stock` is the work every one that touches stock shares
//!   (`checkout_holds`, `stock_moves` and `supply_steps` hold the transactions of their
//!   areas); `transact` runs an attempt again when a retry can fix it.
//! - `writer` — the order writer: batches concurrent orders into shared transactions.
//! - [`holds`] also runs the sweeper that releases expired checkout holds; `jobs` runs each
//!   background job in one process at a time.
//! - [`clock`], [`config`] (limits), [`error`] ([`AppError`]).

mod access;
mod alert_scan;
pub mod alerts;
pub mod allocations;
pub mod auth;
pub mod availability;
pub mod cancel;
pub mod catalog;
mod checkout_holds;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod fulfillment;
mod fulfillment_steps;
pub mod holds;
pub mod inventory;
mod jobs;
pub mod order_edits;
pub mod order_holds;
pub mod orders;
mod place_command;
mod place_facts;
pub mod place_orders;
pub mod printing;
pub mod release;
mod reoptimize;
pub mod replays;
mod reroute;
pub mod routing;
mod shipments;
pub mod simulate;
mod stock;
mod stock_moves;
pub mod supply;
mod supply_steps;
pub mod sync;
pub mod sync_batches;
mod sync_rows;
mod throttle;
pub mod tracking;
mod transact;
pub mod work_alerts;
mod writer;

use std::sync::{Arc, Mutex};

use ordo_domain::promise::{DistanceBands, TransitModel};
use ordo_domain::routing::Router;
use ordo_store::ids::new_id;
use ordo_store::{Deciders, Store};
use tokio::task::JoinHandle;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Limits;
pub use error::{AppError, AppResult};
pub use fulfillment_steps::StepOutcome;
/// Store types the use cases take and give, so callers need not reach past the app.
pub use ordo_store::{
    AlertFilter, AlertRecord, Backend, BackorderFilter, Breach, CarrierRecord, EventFilter,
    EventRecord, ExceptionRecord, FulfillmentStep, HoldRecord, InboundFilter, LedgerRecord,
    OrderFilter, OrderRecord, Page, PageRequest, PositionFilter, ProfileRecord, ProfileStatus,
    ProfileVersion, PurchaseRequestFilter, PurchaseRequestRecord, Rejected, RejectedRow,
    RejectionRecord, ReleaseFilter, ReoptimizeReport, ReoptimizedOrder, Resolution,
    RoutingDecisionRecord, ShipInput, ShipmentRecord, Shortfall, SyncMode, SyncReport, SyncRow,
    TrackingInput, TrackingResult, TransferFilter, TransferRecord, WaitingLine,
};
pub use place_command::{PlaceCommand, PlaceOutcome};
pub use place_orders::place_orders;
pub use supply_steps::{Receipt, TransferAction};

use writer::OrderWriter;

/// Writer tasks for PostgreSQL, each committing its own batches; SQLite has one writer. Two,
/// not more: batches that share items wait for each other's row locks on the positions, so
/// more writers make smaller batches that queue on the same locks (measured at 64 in flight:
/// 4 writers 677 orders/s, 2 writers 881, 1 writer 850; docs/BENCHMARKS.md).
const POSTGRES_WRITERS: usize = 2;

pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    keys: auth::KeyCache,
    throttle: throttle::Throttle,
    writer: OrderWriter,
    deciding: Arc<AppDeciders>,
    /// Background tasks: the hold sweeper and the releaser.
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// What the app decides with, shared with its background tasks: the transit model, and the
/// router that replaces routing profiles when the app was built with one.
pub(crate) struct AppDeciders {
    router: Option<Arc<dyn Router>>,
    transit: Arc<dyn TransitModel>,
    /// Releasing is automatic: orders are released to locations without waves as they are
    /// placed, and the releaser takes the waves.
    release_at_capture: bool,
}

impl AppDeciders {
    pub(crate) fn deciders(&self) -> Deciders<'_> {
        Deciders {
            router: self.router.as_deref(),
            transit: self.transit.as_ref(),
            release_at_capture: self.release_at_capture,
        }
    }
}

impl App {
    /// Builds the app, routing each channel's orders by its routing profile, and starts its
    /// order writer and hold sweeper; call [`App::shutdown`] before dropping it.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self::build(store, clock, limits, None)
    }

    /// Builds the app with `router` deciding where every order is fulfilled, in place of the
    /// routing profiles.
    pub fn with_router(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        limits: Limits,
        router: Arc<dyn Router>,
    ) -> Self {
        Self::build(store, clock, limits, Some(router))
    }

    fn build(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        limits: Limits,
        router: Option<Arc<dyn Router>>,
    ) -> Self {
        let deciding = Arc::new(AppDeciders {
            router,
            transit: Arc::new(DistanceBands::default()),
            release_at_capture: limits.release_interval_ms > 0,
        });
        let writers = match store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_WRITERS,
        };
        let writer = OrderWriter::start(
            store.clone(),
            deciding.clone(),
            writers,
            limits.order_batch_max,
            limits.order_queue_max,
        );
        let runner = jobs::Runner {
            store: store.clone(),
            clock: clock.clone(),
            holder: format!("{}-{}", std::process::id(), new_id("srv", clock.now_ms())).into(),
        };
        let sweeper = holds::start_sweeper(
            runner.clone(),
            deciding.clone(),
            limits.hold_sweep_interval_ms,
        );
        let mut workers = vec![sweeper];
        if limits.alert_scan_interval_ms > 0 {
            let scanner =
                work_alerts::start_scanner(runner.clone(), deciding.clone(), limits.clone());
            workers.push(scanner);
        }
        if limits.release_interval_ms > 0 {
            workers.push(release::start_releaser(runner, limits.release_interval_ms));
        }
        let throttle =
            throttle::Throttle::new(limits.auth_failures_burst, limits.auth_failures_per_minute);
        Self {
            store,
            clock,
            limits,
            keys: Default::default(),
            throttle,
            writer,
            deciding,
            workers: Mutex::new(workers),
        }
    }

    /// The deciders transactions consult.
    fn deciders(&self) -> Deciders<'_> {
        self.deciding.deciders()
    }

    pub fn transit(&self) -> &dyn TransitModel {
        self.deciding.transit.as_ref()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Whether the store answers.
    pub async fn ready(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    /// Every broken invariant in the store; empty when all hold.
    pub async fn check(&self) -> AppResult<Vec<Breach>> {
        Ok(self.store.check_invariants().await?)
    }

    /// Writes every queued order, stops the background tasks, then closes the store.
    pub async fn shutdown(&self) {
        self.writer.shutdown().await;
        let workers = self
            .workers
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        for worker in workers {
            worker.abort();
            let _ = worker.await;
        }
        self.store.close().await;
    }
}
