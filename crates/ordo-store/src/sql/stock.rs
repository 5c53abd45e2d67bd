//! The stock work the transaction scripts still in the store share, built on the same loads
//! and writes as the app's use cases ([`StockChanges`], `stock_tx.rs`). It goes when the last
//! of them has moved to the app. [`StockWork::begin`] locks every position of the items
//! involved and releases the checkout holds on them that have expired;
//! [`StockWork::fill_backorders`] gives units that became available to waiting order lines,
//! by the backorder policy; [`StockWork::finish`] writes it all.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use ordo_domain::allocation::Routing;
use ordo_domain::inventory::StockBook;
use ordo_domain::order::{FillContext, Order, fill_backorders};
use ordo_domain::reservation::release_expired;
use ordo_domain::values::{LocationCode, Sku};

use super::args::Sql;
use super::router_cache::RouterCache;
use super::routing::{self, Routers};
use super::stock_tx::{
    StockChanges, expired_holds_on, lock_positions, orders_waiting_for, write_changes,
};
use super::write::stock_alerts;
use super::{Backend, SqlStore, load, orders};
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::types::Deciders;

pub(crate) struct StockWork {
    pub backend: Backend,
    changes: StockChanges,
    skus: BTreeSet<Sku>,
    router_cache: Arc<RouterCache>,
}

impl Deref for StockWork {
    type Target = StockChanges;
    fn deref(&self) -> &StockChanges {
        &self.changes
    }
}

impl DerefMut for StockWork {
    fn deref_mut(&mut self) -> &mut StockChanges {
        &mut self.changes
    }
}

impl StockWork {
    pub async fn begin(
        conn: &mut dyn Exec,
        store: &SqlStore,
        skus: BTreeSet<Sku>,
        now_ms: i64,
    ) -> StoreResult<Self> {
        let backend = store.backend;
        let positions = lock_positions(conn, backend, &skus).await?;
        let mut work = StockWork {
            backend,
            changes: StockChanges::new(StockBook::new(positions), now_ms),
            skus,
            router_cache: store.routers.clone(),
        };
        work.release_expired_holds(conn).await?;
        Ok(work)
    }

    /// Releases held reservations past their expiry on this work's items.
    async fn release_expired_holds(&mut self, conn: &mut dyn Exec) -> StoreResult<()> {
        let mut expired = expired_holds_on(conn, &self.skus, self.now_ms).await?;
        if expired.is_empty() {
            return Ok(());
        }
        let now = self.now_ms;
        let entries = release_expired(
            &mut expired,
            &mut self.changes.book,
            now,
            "system:hold-expiry",
        )
        .map_err(|e| StoreError::Corrupt(format!("releasing an expired hold: {e}")))?;
        self.changes.expired(expired, entries);
        Ok(())
    }

    /// The routers for these channels, or the app's own router.
    pub async fn routers<'d, 'c>(
        &self,
        conn: &mut dyn Exec,
        channels: impl IntoIterator<Item = &'c str>,
        deciders: &Deciders<'d>,
    ) -> StoreResult<Routers<'d>> {
        routing::routers(conn, &self.router_cache, channels, deciders.router).await
    }

    /// Orders each location has taken today, as the router should see them.
    pub async fn loads(&mut self, conn: &mut dyn Exec) -> StoreResult<HashMap<LocationCode, i64>> {
        if self.changes.loads.is_none() {
            self.changes.loads = Some(routing::loads(conn, self.now_ms).await?);
        }
        Ok(self.changes.loads.clone().unwrap_or_default())
    }

    /// Fills waiting order lines of every item whose availability rose in this work, and of
    /// `extra` items (whose orders may be routed again for another reason), in the order the
    /// backorder policy says.
    pub async fn fill_backorders_of(
        &mut self,
        conn: &mut dyn Exec,
        deciders: &Deciders<'_>,
        extra: &BTreeSet<Sku>,
        reason: &str,
    ) -> StoreResult<()> {
        let mut risen = self.changes.risen();
        risen.extend(extra.iter().cloned());
        if risen.is_empty() {
            return Ok(());
        }
        let mut ids = orders_waiting_for(conn, &risen).await?;
        for (order, _) in &self.orders {
            let waits = order
                .lines
                .iter()
                .any(|l| l.quantities.backordered > 0 && risen.contains(&l.sku));
            if waits && !ids.contains(&order.id) {
                ids.push(order.id.clone());
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        let loaded = orders::load_orders(conn, &ids, self.backend.lock_rows()).await?;
        let mut waiting: Vec<Order> = Vec::with_capacity(loaded.len());
        for record in loaded {
            match self.orders.iter().find(|(o, _)| o.id == record.order.id) {
                Some((changed, _)) => waiting.push(changed.clone()),
                None => {
                    let seq = record.order.event_seq;
                    self.orders.push((record.order.clone(), seq));
                    waiting.push(record.order);
                }
            }
        }
        load::backorder_policy(conn).await?.sort(&mut waiting);
        let locations = load::locations(conn).await?;
        let channels: BTreeSet<&str> = waiting.iter().map(|o| o.channel.as_str()).collect();
        let rules = load::channel_rules(conn, &channels).await?;
        let routers = self
            .routers(conn, channels.iter().copied(), deciders)
            .await?;
        let weights: HashMap<Sku, i64> = load::item_facts(conn, &risen.iter().collect())
            .await?
            .into_iter()
            .filter_map(|(sku, facts)| Some((sku, facts.weight_g?)))
            .collect();
        let actor = "system:backorders".to_string();
        for mut order in waiting {
            let loads = self.loads(conn).await?;
            let context = FillContext {
                locations: &locations,
                rules: rules.get(&order.channel),
                routing: Routing {
                    router: routers.for_channel(Some(&order.channel)),
                    transit: deciders.transit,
                    loads: &loads,
                },
                weights: &weights,
                excluded: &[],
                now_ms: self.now_ms,
                actor: &actor,
                reason,
            };
            let now = self.now_ms;
            let mut next_id = || new_id("res", now);
            let change =
                fill_backorders(&mut order, &risen, &context, &mut self.book, &mut next_id)
                    .map_err(|e| {
                        StoreError::Corrupt(format!("filling backorders of {}: {e}", order.id))
                    })?;
            if let Some(change) = change {
                self.routed(
                    &order.id,
                    "backorder_filled",
                    change.routing,
                    &change.reservations,
                );
                self.reservations.extend(change.reservations);
                self.ledger.extend(change.ledger);
                self.order_events.extend(change.events);
                if let Some(slot) = self.order_mut(&order.id) {
                    *slot = order;
                }
            }
        }
        Ok(())
    }

    /// Writes everything the work decided.
    pub async fn finish(self, conn: &mut dyn Exec) -> StoreResult<()> {
        let alerts = stock_alerts(conn, &self.changes.book).await?;
        write_changes(conn, &self.changes, &alerts).await
    }
}

/// Held reservations past their expiry still sit in `reserved` until something releases them;
/// readers subtract them, so an expired hold frees its units at once. This is the per-position
/// sum to subtract, as SQL joinable on (sku, location).
pub(crate) fn expired_holds_sql(now_ms: i64, sql: &mut Sql) {
    sql.push(
        "(SELECT sku, location, CAST(SUM(quantity) AS BIGINT) AS expired FROM reservations \
         WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= ",
    );
    sql.arg(now_ms).push(" GROUP BY sku, location)");
}

/// The positions of these items at active locations, as a reader sees them at `now_ms`.
pub(crate) fn effective_positions_sql(now_ms: i64) -> Sql {
    let mut sql = Sql::new(
        "SELECT p.location, p.sku, p.on_hand, p.reserved - COALESCE(x.expired, 0) AS reserved, p.safety_stock, \
         p.damaged, p.quality_hold FROM inventory_positions p LEFT JOIN ",
    );
    expired_holds_sql(now_ms, &mut sql);
    sql.push(" x ON x.sku = p.sku AND x.location = p.location");
    sql
}
