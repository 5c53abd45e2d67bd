//! Orders as a use case's transaction loads and writes them.

use ordo_domain::order::{Order, OrderEvent};

use super::exec::Exec;
use super::orders::{event_inserts, load_one, load_orders, update_order};
use super::tx::Tx;
use super::write::execute_all;
use crate::error::StoreResult;
use crate::types::{OrderKey, OrderRecord};

impl Tx {
    /// An order as it stands, with its lines, reservations and work, locked until the
    /// transaction ends; `None` when there is no such order.
    pub async fn lock_order(&mut self, key: &OrderKey) -> StoreResult<Option<OrderRecord>> {
        let lock = self.lock();
        load_one(&mut self.write, key, lock).await
    }

    /// Orders as they stand, locked until the transaction ends, in id order; unknown ids are
    /// left out.
    pub async fn lock_orders(&mut self, ids: &[String]) -> StoreResult<Vec<OrderRecord>> {
        let lock = self.lock();
        load_orders(&mut self.write, ids, lock).await
    }

    /// Writes an order and its lines as the domain left them. Fails with
    /// [`StoreError::Contention`](crate::StoreError::Contention) when another transaction
    /// changed the order since its timeline stood at `seq_before`.
    pub async fn update_order(&mut self, order: &Order, seq_before: u32) -> StoreResult<()> {
        update_order(&mut self.write, order, seq_before).await
    }

    /// Adds events to their orders' timelines.
    pub async fn append_order_events(&mut self, events: &[OrderEvent]) -> StoreResult<()> {
        execute_all(&mut self.write, event_inserts(events.iter())).await
    }
}

impl Tx {
    /// An order as it stands, read without locking it: to learn which items to lock first.
    pub async fn peek_order(&mut self, key: &OrderKey) -> StoreResult<Option<OrderRecord>> {
        load_one(&mut self.write, key, "").await
    }

    /// An order's fulfilment orders still at work, locked until the transaction ends.
    pub async fn lock_open_fulfillment_orders(
        &mut self,
        order_id: &str,
    ) -> StoreResult<Vec<ordo_domain::fulfillment::FulfillmentOrder>> {
        let lock = self.lock();
        super::fulfillment::open_of(&mut self.write, order_id, lock).await
    }
}

impl Tx {
    /// Adds new lines to an order.
    pub async fn insert_order_lines(
        &mut self,
        order_id: &str,
        lines: &[ordo_domain::order::OrderLine],
    ) -> StoreResult<()> {
        execute_all(
            &mut self.write,
            super::orders::line_inserts(order_id, lines),
        )
        .await
    }

    /// Writes the order's address as it now stands.
    pub async fn update_ship_to(&mut self, order: &Order) -> StoreResult<()> {
        super::ship_to::update_ship_to(&mut self.write, order).await
    }
}

impl Tx {
    /// Whether an allocation's units at its location are released to a fulfilment order.
    pub async fn allocation_released(
        &mut self,
        order_id: &str,
        allocation: &ordo_domain::reservation::Reservation,
    ) -> StoreResult<bool> {
        super::reroute::released_at(&mut self.write, order_id, allocation).await
    }
}

impl Tx {
    /// Orders as they stand, read without locking them: to learn which items to lock first.
    pub async fn peek_orders(&mut self, ids: &[String]) -> StoreResult<Vec<OrderRecord>> {
        load_orders(&mut self.write, ids, "").await
    }

    /// The pending orders a re-optimisation may move, oldest first, at most `limit`:
    /// allocated or waiting, holding allocations, none of them yet released to a location
    /// (whose people may already be picking them); only `channel`'s when given.
    pub async fn pending_order_ids(
        &mut self,
        channel: Option<&ordo_domain::values::ChannelCode>,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        let mut sql = super::args::Sql::new(
            "SELECT o.id FROM orders o WHERE o.status IN ('allocated', 'backordered') \
             AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id AND r.status = 'held') \
             AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.qty_released > 0)",
        );
        if let Some(channel) = channel {
            sql.push(" AND o.channel = ").arg(channel.as_str());
        }
        sql.push(" ORDER BY o.created_at, o.id LIMIT ").arg(limit);
        let rows = self.write.rows(sql).await?;
        rows.iter().map(|r| r.text_at(0)).collect()
    }
}
