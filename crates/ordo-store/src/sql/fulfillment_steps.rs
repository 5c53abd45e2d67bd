//! Fulfilment orders as a step's transaction loads and writes them: the work itself, whether
//! it is held, and its packages.

use ordo_domain::fulfillment::{FulfillmentOrder, Package};

use super::fulfillment::{insert_packages, load, packages_in, select};
use super::tx::Tx;
use crate::error::StoreResult;

impl Tx {
    /// A fulfilment order with its lines; locked until the transaction ends when `lock`.
    pub async fn load_fulfillment_order(
        &mut self,
        id: &str,
        lock: bool,
    ) -> StoreResult<Option<FulfillmentOrder>> {
        let mut sql = select("id = ");
        sql.arg(id).push(if lock { self.lock() } else { "" });
        Ok(load(&mut self.write, sql).await?.pop())
    }

    /// Whether the order, or this fulfilment order of it, has an active hold.
    pub async fn work_held(&mut self, order_id: &str, fo_id: &str) -> StoreResult<bool> {
        super::order_holds::held(&mut self.write, order_id, fo_id).await
    }

    pub async fn insert_packages(&mut self, packages: &[Package], now_ms: i64) -> StoreResult<()> {
        insert_packages(&mut self.write, packages, now_ms).await
    }

    /// A fulfilment order's packages, in order.
    pub async fn packages_of(&mut self, fo_id: &str) -> StoreResult<Vec<Package>> {
        packages_in(&mut self.write, fo_id).await
    }
}
