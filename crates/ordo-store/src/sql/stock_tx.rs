//! Stock as a use case's transaction loads and writes it. [`Tx::lock_stock`] locks every
//! position of the items involved — on PostgreSQL, always in (sku, location) order, so that
//! concurrent transactions queue instead of deadlocking — and gives them back as a book for
//! the domain to decide against. What the use case decided gathers in [`StockChanges`];
//! [`Tx::write_stock`] writes it all: positions (compare-and-set), stock alerts, ledger,
//! reservations, orders with their timelines, routing decisions, location loads, holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use ordo_domain::alerts::{Alert, Threshold};
use ordo_domain::channel::StockRules;
use ordo_domain::hold::Hold;
use ordo_domain::inventory::{LedgerEntry, Position, StockBook};
use ordo_domain::location::Location;
use ordo_domain::order::{BackorderPolicy, ItemFacts, Order, OrderEvent};
use ordo_domain::reservation::{Reservation, ReservationOwner};
use ordo_domain::routing::{Explanation, Router, RoutingCause};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

use super::Backend;
use super::args::Sql;
use super::decisions::{self, Decision};
use super::exec::Exec;
use super::location_loads;
use super::routing::{self, Routers};
use super::rows::{self, POSITION_COLUMNS, RESERVATION_COLUMNS};
use super::tx::Tx;
use super::write::{alert_inserts, execute_all, ledger_inserts, update_hold, upsert_reservations};
use super::{drop_ship, load, orders, write};
use crate::error::StoreResult;

/// Most waiting orders one transaction fills; the rest are filled by the next one that adds
/// stock of the item, or by the hold sweeper's next pass.
pub(crate) const FILL_ORDERS_MAX: i64 = 500;

/// What a transaction that touches stock has decided so far, for [`Tx::write_stock`].
pub struct StockChanges {
    pub now_ms: i64,
    pub book: StockBook,
    pub ledger: Vec<LedgerEntry>,
    /// Reservations created or changed; written by id.
    pub reservations: Vec<Reservation>,
    /// Orders changed, each with its timeline position when loaded (for the compare-and-set).
    pub orders: Vec<(Order, u32)>,
    pub order_events: Vec<OrderEvent>,
    /// Checkout holds whose status changed.
    pub holds: Vec<Hold>,
    /// Checkout holds whose reservations were released for their expiry.
    pub expired_holds: BTreeSet<String>,
    pub decisions: Vec<Decision>,
    /// Orders each location has taken today, this transaction's included, once loaded.
    pub loads: Option<HashMap<LocationCode, i64>>,
    /// Packages this transaction gave each location.
    pub packages: BTreeMap<LocationCode, i64>,
}

impl StockChanges {
    pub fn new(book: StockBook, now_ms: i64) -> Self {
        Self {
            now_ms,
            book,
            ledger: Vec::new(),
            reservations: Vec::new(),
            orders: Vec::new(),
            order_events: Vec::new(),
            holds: Vec::new(),
            expired_holds: BTreeSet::new(),
            decisions: Vec::new(),
            loads: None,
            packages: BTreeMap::new(),
        }
    }

    /// Takes in reservations released for their expiry, with the ledger entries that freed
    /// their units; the checkout holds they belonged to end expired.
    pub fn expired(&mut self, released: Vec<Reservation>, ledger: Vec<LedgerEntry>) {
        self.ledger.extend(ledger);
        self.expired_holds.extend(
            released
                .iter()
                .filter(|r| r.owner == ReservationOwner::Hold)
                .map(|r| r.owner_id.clone()),
        );
        self.reservations.extend(released);
    }

    /// Brings reservations read from the database up to what this transaction already
    /// decided about them: a hold's reservation released for its expiry at the start, say.
    pub fn overlay(&self, reservations: &mut [Reservation]) {
        for r in reservations.iter_mut() {
            if let Some(mine) = self.reservations.iter().rev().find(|m| m.id == r.id) {
                *r = mine.clone();
            }
        }
    }

    /// Records a routing decision for an order: its explanation, and one more package for
    /// each location its new reservations are at.
    pub fn routed(
        &mut self,
        order_id: &str,
        cause: RoutingCause,
        explanation: Option<Explanation>,
        reservations: &[Reservation],
    ) {
        for location in locations(reservations.iter()) {
            *self.packages.entry(location.clone()).or_default() += 1;
            if let Some(loads) = self.loads.as_mut() {
                *loads.entry(location.clone()).or_default() += 1;
            }
        }
        if let Some(explanation) = explanation {
            self.decisions.push(Decision {
                order_id: order_id.to_string(),
                cause,
                explanation,
            });
        }
    }

    /// Takes back the packages a decision made today counted, when its reservations are moved
    /// elsewhere: one less for each location they were at.
    pub fn unrouted(&mut self, reservations: &[Reservation]) {
        let today = ordo_domain::promise::utc_date(self.now_ms);
        let made_today = reservations
            .iter()
            .filter(|r| ordo_domain::promise::utc_date(r.created_at_ms) == today);
        for location in locations(made_today) {
            *self.packages.entry(location.clone()).or_default() -= 1;
            if let Some(load) = self.loads.as_mut().and_then(|l| l.get_mut(location)) {
                *load = (*load - 1).max(0);
            }
        }
    }

    /// The order being changed in this transaction, if it is one.
    pub fn order_mut(&mut self, id: &str) -> Option<&mut Order> {
        self.orders
            .iter_mut()
            .find(|(o, _)| o.id == id)
            .map(|(o, _)| o)
    }

    /// Items whose available units rose in this transaction.
    pub fn risen(&self) -> BTreeSet<Sku> {
        self.book
            .changed()
            .filter(|c| c.now.available() > c.loaded.map_or(0, |p| p.available()))
            .map(|c| c.now.sku.clone())
            .collect()
    }
}

/// The distinct locations of these reservations.
fn locations<'r>(reservations: impl Iterator<Item = &'r Reservation>) -> Vec<&'r LocationCode> {
    let mut locations: Vec<&LocationCode> = reservations.map(|r| &r.location).collect();
    locations.sort();
    locations.dedup();
    locations
}

impl Tx {
    /// Every position of these items, locked until the transaction ends, as a book.
    pub async fn lock_stock(&mut self, skus: &BTreeSet<Sku>) -> StoreResult<StockBook> {
        let positions = lock_positions(&mut self.write, self.backend, skus).await?;
        Ok(StockBook::new(positions))
    }

    /// Checkout holds' reservations of these items past their expiry, still holding units.
    pub async fn expired_holds_on(
        &mut self,
        skus: &BTreeSet<Sku>,
        now_ms: i64,
    ) -> StoreResult<Vec<Reservation>> {
        expired_holds_on(&mut self.write, skus, now_ms).await
    }

    /// Orders with waiting units of these items, oldest first, at most a few hundred: the
    /// rest wait for the next transaction that adds stock of the item, or the hold sweeper.
    pub async fn orders_waiting_for(&mut self, skus: &BTreeSet<Sku>) -> StoreResult<Vec<String>> {
        orders_waiting_for(&mut self.write, skus).await
    }

    pub async fn backorder_policy(&mut self) -> StoreResult<BackorderPolicy> {
        load::backorder_policy(&mut self.write).await
    }

    pub async fn locations(&mut self) -> StoreResult<Arc<Vec<Location>>> {
        self.reference.locations(&mut self.write).await
    }

    /// Active channels among these, with their stock rules.
    pub async fn channel_rules(
        &mut self,
        channels: &BTreeSet<&str>,
    ) -> StoreResult<HashMap<ChannelCode, StockRules>> {
        let rules = self.reference.channel_rules(&mut self.write).await?;
        Ok(rules
            .iter()
            .filter(|(code, _)| channels.contains(code.as_str()))
            .map(|(code, rules)| (code.clone(), rules.clone()))
            .collect())
    }

    /// Facts about these items, with the units open preorders already took.
    pub async fn item_facts(
        &mut self,
        skus: &BTreeSet<&Sku>,
    ) -> StoreResult<HashMap<Sku, ItemFacts>> {
        load::item_facts(&mut self.write, skus).await
    }

    /// The routers for these channels: the app's own router when it brings one, else each
    /// channel's active routing profile, else the default one.
    pub async fn routers<'d, 'c>(
        &mut self,
        channels: impl IntoIterator<Item = &'c str>,
        custom: Option<&'d dyn Router>,
    ) -> StoreResult<Routers<'d>> {
        routing::routers(&mut self.write, &self.routers, channels, custom).await
    }

    /// Orders each location has been given today, in its own time zone.
    pub async fn location_loads(&mut self, now_ms: i64) -> StoreResult<HashMap<LocationCode, i64>> {
        let locations = self.locations().await?;
        location_loads::loads(&mut self.write, &locations, now_ms).await
    }

    /// Alert thresholds that may cover these items.
    pub async fn stock_thresholds(&mut self, skus: &BTreeSet<&Sku>) -> StoreResult<Vec<Threshold>> {
        load::thresholds(&mut self.write, skus).await
    }

    /// Writes everything a stock change decided, with the stock alerts it raised.
    pub async fn write_stock(
        &mut self,
        changes: &StockChanges,
        alerts: &[Alert],
    ) -> StoreResult<()> {
        // Today's loads are counted in each location's own day; an order's units at a
        // supplier are a purchase request to it.
        let orders_held = changes
            .reservations
            .iter()
            .any(|r| r.owner == ReservationOwner::Order);
        let locations = if changes.packages.is_empty() && !orders_held {
            Arc::default()
        } else {
            self.locations().await?
        };
        write_changes(&mut self.write, &locations, changes, alerts).await
    }
}

pub(crate) async fn write_changes(
    conn: &mut dyn Exec,
    locations: &[Location],
    changes: &StockChanges,
    alerts: &[Alert],
) -> StoreResult<()> {
    let now_ms = changes.now_ms;
    write::write_book(conn, &changes.book, now_ms).await?;
    execute_all(conn, alert_inserts(alerts, now_ms)).await?;
    execute_all(conn, ledger_inserts(&changes.ledger)).await?;
    upsert_reservations(conn, &changes.reservations).await?;
    drop_ship::follow(conn, locations, &changes.reservations, now_ms).await?;
    for (order, seq_before) in &changes.orders {
        if order.event_seq != *seq_before {
            orders::update_order(conn, order, *seq_before).await?;
        }
    }
    execute_all(conn, orders::event_inserts(changes.order_events.iter())).await?;
    execute_all(
        conn,
        decisions::decision_inserts(&changes.decisions, now_ms)?,
    )
    .await?;
    location_loads::add_loads(conn, locations, &changes.packages, now_ms).await?;
    for hold in &changes.holds {
        update_hold(conn, hold).await?;
    }
    expire_holds(conn, changes).await
}

/// Marks expired the checkout holds whose reservations were released for their expiry,
/// unless the transaction changed them otherwise.
async fn expire_holds(conn: &mut dyn Exec, changes: &StockChanges) -> StoreResult<()> {
    let expired: Vec<&String> = changes
        .expired_holds
        .iter()
        .filter(|id| !changes.holds.iter().any(|h| &h.id == *id))
        .collect();
    if expired.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("UPDATE holds SET status = 'expired', updated_at = ");
    sql.arg(changes.now_ms)
        .push(" WHERE status = 'active' AND id IN (")
        .list(expired.into_iter().map(String::as_str))
        .push(")");
    conn.run(sql).await?;
    Ok(())
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

/// Checkout holds' reservations of these items past their expiry, still holding units.
pub(crate) async fn expired_holds_on(
    conn: &mut dyn Exec,
    skus: &BTreeSet<Sku>,
    now_ms: i64,
) -> StoreResult<Vec<Reservation>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= "
    ));
    sql.arg(now_ms)
        .push(" AND sku IN (")
        .list(skus.iter().map(|s| s.as_str()))
        .push(") ORDER BY id");
    let rows = conn.rows(sql).await?;
    rows.iter().map(rows::reservation).collect()
}

/// Orders with waiting units of these items, oldest first, at most [`FILL_ORDERS_MAX`].
pub(crate) async fn orders_waiting_for(
    conn: &mut dyn Exec,
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
