//! The work every transaction that touches stock shares. [`StockWork::begin`] locks every
//! position of the items involved — on PostgreSQL, always in (sku, location) order, so that
//! concurrent transactions queue instead of deadlocking — and releases the checkout holds on
//! them that have expired. The operation then decides against the book.
//! [`StockWork::fill_backorders`] gives units that became available to waiting order lines, by
//! the backorder policy. [`StockWork::finish`] writes it all: positions (compare-and-set),
//! alerts, ledger, reservations, orders with their timelines, holds.

use crate::sql::exec::Exec;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use ordo_domain::allocation::Routing;
use ordo_domain::hold::Hold;
use ordo_domain::inventory::{LedgerEntry, Position, StockBook};
use ordo_domain::order::{FillContext, Order, OrderEvent, fill_backorders};
use ordo_domain::reservation::{Reservation, ReservationOwner, release_expired};
use ordo_domain::routing::Explanation;
use ordo_domain::values::{LocationCode, Sku};

use super::args::Sql;
use super::routing::{self, RouterCache, Routers};
use super::rows::{self, POSITION_COLUMNS, RESERVATION_COLUMNS};
use super::write::{
    alerts, execute_all, ledger_inserts, update_hold, upsert_reservations, write_book,
};
use super::{Backend, SqlStore, drop_ship, load, orders};
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::types::Deciders;

/// Most waiting orders one transaction fills; the rest are filled by the next one that adds
/// stock of the item, or by the hold sweeper's next pass.
const FILL_ORDERS_MAX: i64 = 500;

pub(crate) struct StockWork {
    pub backend: Backend,
    pub now_ms: i64,
    pub book: StockBook,
    pub ledger: Vec<LedgerEntry>,
    /// Reservations created or changed; written by id.
    pub reservations: Vec<Reservation>,
    /// Orders changed, each with its timeline position when loaded (for the compare-and-set).
    pub orders: Vec<(Order, u32)>,
    pub order_events: Vec<OrderEvent>,
    /// Holds whose status changed.
    pub holds: Vec<Hold>,
    /// Holds found expired while their reservations were released.
    expired_holds: BTreeSet<String>,
    skus: BTreeSet<Sku>,
    /// Why orders' lines went where they went: (order, cause, explanation).
    pub decisions: Vec<(String, &'static str, Explanation)>,
    /// Orders each location has taken today, this work's included; loaded when first routed.
    loads: Option<HashMap<LocationCode, i64>>,
    /// Packages this work gave each location.
    packages: BTreeMap<LocationCode, i64>,
    router_cache: Arc<RouterCache>,
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
            now_ms,
            book: StockBook::new(positions),
            ledger: Vec::new(),
            reservations: Vec::new(),
            orders: Vec::new(),
            order_events: Vec::new(),
            holds: Vec::new(),
            expired_holds: BTreeSet::new(),
            skus,
            decisions: Vec::new(),
            loads: None,
            packages: BTreeMap::new(),
            router_cache: store.routers.clone(),
        };
        work.release_expired_holds(conn).await?;
        Ok(work)
    }

    /// Releases held reservations past their expiry on this work's items.
    async fn release_expired_holds(&mut self, conn: &mut dyn Exec) -> StoreResult<()> {
        if self.skus.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= "
        ));
        sql.arg(self.now_ms)
            .push(" AND sku IN (")
            .list(self.skus.iter().map(|s| s.as_str()))
            .push(") ORDER BY id");
        let rows = conn.rows(sql).await?;
        let mut expired = rows
            .iter()
            .map(rows::reservation)
            .collect::<StoreResult<Vec<_>>>()?;
        if expired.is_empty() {
            return Ok(());
        }
        let entries = release_expired(
            &mut expired,
            &mut self.book,
            self.now_ms,
            "system:hold-expiry",
        )
        .map_err(|e| StoreError::Corrupt(format!("releasing an expired hold: {e}")))?;
        self.ledger.extend(entries);
        self.expired_holds.extend(
            expired
                .iter()
                .filter(|r| r.owner == ReservationOwner::Hold)
                .map(|r| r.owner_id.clone()),
        );
        self.reservations.extend(expired);
        Ok(())
    }

    /// Brings reservations read from the database up to what this work already decided about
    /// them: a hold's reservation released for its expiry at the start, say.
    pub fn overlay(&self, reservations: &mut [Reservation]) {
        for r in reservations.iter_mut() {
            if let Some(mine) = self.reservations.iter().rev().find(|m| m.id == r.id) {
                *r = mine.clone();
            }
        }
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
        if self.loads.is_none() {
            self.loads = Some(routing::loads(conn, self.now_ms).await?);
        }
        Ok(self.loads.clone().unwrap_or_default())
    }

    /// Records a routing decision for an order: its explanation, and one more package for
    /// each location its new reservations are at.
    pub fn routed(
        &mut self,
        order_id: &str,
        cause: &'static str,
        explanation: Option<Explanation>,
        reservations: &[Reservation],
    ) {
        let mut locations: Vec<&LocationCode> = reservations.iter().map(|r| &r.location).collect();
        locations.sort();
        locations.dedup();
        for location in locations {
            *self.packages.entry(location.clone()).or_default() += 1;
            if let Some(loads) = self.loads.as_mut() {
                *loads.entry(location.clone()).or_default() += 1;
            }
        }
        if let Some(explanation) = explanation {
            self.decisions
                .push((order_id.to_string(), cause, explanation));
        }
    }

    /// Takes back the packages a decision made today counted, when its reservations are moved
    /// elsewhere: one less for each location they were at.
    pub fn unrouted(&mut self, reservations: &[Reservation]) {
        let today = ordo_domain::promise::utc_date(self.now_ms);
        let mut locations: Vec<&LocationCode> = reservations
            .iter()
            .filter(|r| ordo_domain::promise::utc_date(r.created_at_ms) == today)
            .map(|r| &r.location)
            .collect();
        locations.sort();
        locations.dedup();
        for location in locations {
            *self.packages.entry(location.clone()).or_default() -= 1;
            if let Some(load) = self.loads.as_mut().and_then(|l| l.get_mut(location)) {
                *load = (*load - 1).max(0);
            }
        }
    }

    /// The order being changed in this work, if it is one.
    pub fn order_mut(&mut self, id: &str) -> Option<&mut Order> {
        self.orders
            .iter_mut()
            .find(|(o, _)| o.id == id)
            .map(|(o, _)| o)
    }

    /// Fills waiting order lines of every item whose availability rose in this work, in the
    /// order the backorder policy says.
    pub async fn fill_backorders(
        &mut self,
        conn: &mut dyn Exec,
        deciders: &Deciders<'_>,
        reason: &str,
    ) -> StoreResult<()> {
        self.fill_backorders_of(conn, deciders, &BTreeSet::new(), reason)
            .await
    }

    /// Like [`fill_backorders`](Self::fill_backorders), for `extra` items too: those whose
    /// reserved units a count took, so their orders may be routed again.
    pub async fn fill_backorders_of(
        &mut self,
        conn: &mut dyn Exec,
        deciders: &Deciders<'_>,
        extra: &BTreeSet<Sku>,
        reason: &str,
    ) -> StoreResult<()> {
        let mut risen: BTreeSet<Sku> = self
            .book
            .changed()
            .filter(|c| c.now.available() > c.loaded.map_or(0, Position::available))
            .map(|c| c.now.sku.clone())
            .collect();
        risen.extend(extra.iter().cloned());
        if risen.is_empty() {
            return Ok(());
        }
        let mut ids = waiting_order_ids(conn, self.backend, &risen).await?;
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
        let alerts = alerts(conn, &self.book, self.now_ms).await?;
        write_book(conn, &self.book, self.now_ms).await?;
        execute_all(conn, alerts).await?;
        execute_all(conn, ledger_inserts(&self.ledger)).await?;
        upsert_reservations(conn, &self.reservations).await?;
        drop_ship::follow(conn, &self.reservations, self.now_ms).await?;
        for (order, seq_before) in &self.orders {
            if order.event_seq != *seq_before {
                orders::update_order(conn, order, *seq_before).await?;
            }
        }
        execute_all(conn, orders::event_inserts(self.order_events.iter())).await?;
        execute_all(
            conn,
            routing::decision_inserts(&self.decisions, self.now_ms),
        )
        .await?;
        routing::add_loads(conn, &self.packages, self.now_ms).await?;
        for hold in &self.holds {
            update_hold(conn, hold).await?;
        }
        let expired: Vec<&String> = self
            .expired_holds
            .iter()
            .filter(|id| !self.holds.iter().any(|h| &h.id == *id))
            .collect();
        if !expired.is_empty() {
            let mut sql = Sql::new("UPDATE holds SET status = 'expired', updated_at = ");
            sql.arg(self.now_ms)
                .push(" WHERE status = 'active' AND id IN (")
                .list(expired.into_iter().map(String::as_str))
                .push(")");
            conn.run(sql).await?;
        }
        Ok(())
    }
}

/// Loads (and on PostgreSQL locks) every position of these items, in (sku, location) order.
pub(crate) async fn lock_positions(
    conn: &mut dyn Exec,
    backend: Backend,
    skus: &BTreeSet<Sku>,
) -> StoreResult<Vec<Position>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {POSITION_COLUMNS} FROM inventory_positions WHERE sku IN ("
    ));
    sql.list(skus.iter().map(|s| s.as_str()))
        .push(") ORDER BY sku, location")
        .push(backend.lock_rows());
    let rows = conn.rows(sql).await?;
    rows.iter().map(rows::position).collect()
}

/// Orders with waiting units of these items, oldest first, at most [`FILL_ORDERS_MAX`].
async fn waiting_order_ids(
    conn: &mut dyn Exec,
    _backend: Backend,
    skus: &BTreeSet<Sku>,
) -> StoreResult<Vec<String>> {
    let mut sql = Sql::new(
        "SELECT DISTINCT l.order_id FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE l.qty_backordered > 0 AND o.status NOT IN ('cancelled', 'on_hold') AND l.sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str()))
        .push(") ORDER BY l.order_id LIMIT ")
        .arg(FILL_ORDERS_MAX);
    let rows = conn.rows(sql).await?;
    rows.iter().map(|r| r.text_at(0)).collect()
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
