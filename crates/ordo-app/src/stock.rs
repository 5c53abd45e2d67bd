//! The work every use case that touches stock shares. [`StockWork::begin`] locks every
//! position of the items involved and releases the checkout holds on them that have expired;
//! the use case then decides against the book, gathering what it decided in the work's
//! [`StockChanges`]; [`StockWork::fill_backorders`] gives units that became available to
//! waiting order lines, by the backorder policy; [`StockWork::finish`] raises the stock alerts
//! the changes cross and writes it all.

use std::collections::{BTreeSet, HashMap};

use ordo_domain::alerts::alert;
use ordo_domain::allocation::Routing;
use ordo_domain::inventory::Position;
use ordo_domain::order::{FillContext, Order, fill_backorders};
use ordo_domain::reservation::release_expired;
use ordo_domain::routing::RoutingCause;
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{Deciders, OrderKey, OrderRecord, StockChanges, Tx};

use crate::error::AppError;
use crate::transact::Attempt;

pub(crate) struct StockWork {
    pub changes: StockChanges,
}

/// A decision the stored data should never have led to: a bug, reported as such.
fn broken(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("{what}: {e}"))
}

impl StockWork {
    /// Locks the positions of these items and releases the expired checkout holds on them.
    pub async fn begin(tx: &mut Tx, skus: &BTreeSet<Sku>, now_ms: i64) -> Attempt<Self> {
        let book = tx.lock_stock(skus).await?;
        let mut changes = StockChanges::new(book, now_ms);
        let mut expired = tx.expired_holds_on(skus, now_ms).await?;
        if !expired.is_empty() {
            let ledger = release_expired(
                &mut expired,
                &mut changes.book,
                now_ms,
                "system:hold-expiry",
            )
            .map_err(|e| broken("releasing an expired hold", e))?;
            changes.expired(expired, ledger);
        }
        Ok(Self { changes })
    }

    /// Starts a change of one order: reads it to learn its items, locks their positions,
    /// then locks the order itself. Positions are always locked before orders, so that
    /// changes of orders and of stock queue in one order. `None`: no such order.
    pub async fn begin_order_change(
        tx: &mut Tx,
        key: &OrderKey,
        now_ms: i64,
    ) -> Attempt<Option<(Self, OrderRecord)>> {
        let Some(peek) = tx.peek_order(key).await? else {
            return Ok(None);
        };
        let skus: BTreeSet<Sku> = peek.order.lines.iter().map(|l| l.sku.clone()).collect();
        let work = Self::begin(tx, &skus, now_ms).await?;
        let id = OrderKey::Id(peek.order.id.clone());
        let vanished =
            || ordo_store::StoreError::Contention(format!("order {} vanished", peek.order.id));
        let mut record = tx.lock_order(&id).await?.ok_or_else(vanished)?;
        work.changes.overlay(&mut record.reservations);
        Ok(Some((work, record)))
    }

    /// Loads the orders each location has taken today, once per work; routing decisions made
    /// in the work add theirs (`StockChanges::routed`).
    pub async fn load_loads(&mut self, tx: &mut Tx) -> Attempt<()> {
        if self.changes.loads.is_none() {
            self.changes.loads = Some(tx.location_loads(self.changes.now_ms).await?);
        }
        Ok(())
    }

    /// Orders each location has taken today, as the router should see them.
    pub async fn loads(&mut self, tx: &mut Tx) -> Attempt<HashMap<LocationCode, i64>> {
        self.load_loads(tx).await?;
        Ok(self.changes.loads.clone().unwrap_or_default())
    }

    /// Fills waiting order lines of every item whose availability rose in this work, in the
    /// order the backorder policy says.
    pub async fn fill_backorders(
        &mut self,
        tx: &mut Tx,
        deciders: &Deciders<'_>,
        reason: &str,
    ) -> Attempt<()> {
        self.fill_backorders_of(tx, deciders, &BTreeSet::new(), reason)
            .await
    }

    /// Like [`fill_backorders`](Self::fill_backorders), for `extra` items too: those whose
    /// waiting orders may be routed again for another reason (a hold released, say).
    pub async fn fill_backorders_of(
        &mut self,
        tx: &mut Tx,
        deciders: &Deciders<'_>,
        extra: &BTreeSet<Sku>,
        reason: &str,
    ) -> Attempt<()> {
        let mut risen = self.changes.risen();
        risen.extend(extra.iter().cloned());
        if risen.is_empty() {
            return Ok(());
        }
        let waiting = self.waiting_orders(tx, &risen).await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let locations = tx.locations().await?;
        let channels: BTreeSet<&str> = waiting.iter().map(|o| o.channel.as_str()).collect();
        let rules = tx.channel_rules(&channels).await?;
        let routers = tx
            .routers(channels.iter().copied(), deciders.router)
            .await?;
        let weights: HashMap<Sku, i64> = tx
            .item_facts(&risen.iter().collect())
            .await?
            .into_iter()
            .filter_map(|(sku, facts)| Some((sku, facts.weight_g?)))
            .collect();
        let actor = "system:backorders".to_string();
        for mut order in waiting {
            let loads = self.loads(tx).await?;
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
                now_ms: self.changes.now_ms,
                actor: &actor,
                reason,
            };
            self.fill(&mut order, &risen, &context)?;
        }
        Ok(())
    }

    /// Orders waiting for these items, as this work has them, in the backorder policy's order.
    async fn waiting_orders(&mut self, tx: &mut Tx, risen: &BTreeSet<Sku>) -> Attempt<Vec<Order>> {
        let mut ids = tx.orders_waiting_for(risen).await?;
        for (order, _) in &self.changes.orders {
            let waits = order
                .lines
                .iter()
                .any(|l| l.quantities.backordered > 0 && risen.contains(&l.sku));
            if waits && !ids.contains(&order.id) {
                ids.push(order.id.clone());
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut waiting = Vec::with_capacity(ids.len());
        for record in tx.lock_orders(&ids).await? {
            match self
                .changes
                .orders
                .iter()
                .find(|(o, _)| o.id == record.order.id)
            {
                Some((changed, _)) => waiting.push(changed.clone()),
                None => {
                    let seq = record.order.event_seq;
                    self.changes.orders.push((record.order.clone(), seq));
                    waiting.push(record.order);
                }
            }
        }
        tx.backorder_policy().await?.sort(&mut waiting);
        Ok(waiting)
    }

    /// Lets the domain fill one waiting order, and keeps what it decided.
    fn fill(
        &mut self,
        order: &mut Order,
        risen: &BTreeSet<Sku>,
        context: &FillContext,
    ) -> Attempt<()> {
        let now = self.changes.now_ms;
        let mut next_id = || new_id("res", now);
        let change = fill_backorders(order, risen, context, &mut self.changes.book, &mut next_id)
            .map_err(|e| broken(&format!("filling backorders of {}", order.id), e))?;
        let Some(change) = change else {
            return Ok(());
        };
        let changes = &mut self.changes;
        changes.routed(
            &order.id,
            RoutingCause::BackorderFilled,
            change.routing,
            &change.reservations,
        );
        changes.reservations.extend(change.reservations);
        changes.ledger.extend(change.ledger);
        changes.order_events.extend(change.events);
        if let Some(slot) = changes.order_mut(&order.id) {
            *slot = order.clone();
        }
        Ok(())
    }

    /// Raises the stock alerts the changed positions cross, and writes everything the work
    /// decided.
    pub async fn finish(self, tx: &mut Tx) -> Attempt<()> {
        let changed: Vec<_> = self.changes.book.changed().collect();
        let skus: BTreeSet<&Sku> = changed.iter().map(|c| &c.now.sku).collect();
        let thresholds = if skus.is_empty() {
            Vec::new()
        } else {
            tx.stock_thresholds(&skus).await?
        };
        let alerts: Vec<_> = changed
            .iter()
            .filter_map(|c| {
                let empty = || Position::empty(c.now.location.clone(), c.now.sku.clone());
                let before = c.loaded.cloned().unwrap_or_else(empty);
                alert(&before, c.now, &thresholds)
            })
            .collect();
        tx.write_stock(&self.changes, &alerts).await?;
        Ok(())
    }
}
