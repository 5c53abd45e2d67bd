//! What placing a batch of orders loads and writes inside its transaction: the orders and
//! idempotency claims that already exist for the batch, the checkout holds it converts,
//! incoming supply, consecutive order numbers, and the new orders with their claims. The
//! decisions are the app's (`ordo-app/src/place_orders.rs`).

use std::collections::{BTreeSet, HashMap};

use ordo_domain::order::{IncomingSupply, Order};
use ordo_domain::values::Sku;

use super::args::{Arg, Sql};
use super::exec::Exec;
use super::holds::{load_holds, skus_of};
use super::inserts::inserts;
use super::load;
use super::orders::order_inserts;
use super::rows::RowExt;
use super::tx::Tx;
use super::write::execute_all;
use crate::error::{StoreError, StoreResult};
use crate::types::{HoldRecord, IdempotencyClaim};

/// An order already stored under a channel's external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownOrder {
    pub id: String,
    pub number: String,
}

/// An idempotency key already claimed: by which request, for which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub request_hash: String,
    pub order_id: String,
}

/// A claim a new order makes on its idempotency key.
pub struct NewClaim<'a> {
    pub claim: &'a IdempotencyClaim,
    pub order_id: &'a str,
    pub at_ms: i64,
}

impl Tx {
    /// Orders that already carry these (channel, external id) pairs. Both columns of the
    /// unique index are named, so the lookup uses it instead of a scan.
    pub async fn orders_by_external_id(
        &mut self,
        wanted: &BTreeSet<(&str, &str)>,
    ) -> StoreResult<HashMap<(String, String), KnownOrder>> {
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let channels: BTreeSet<&str> = wanted.iter().map(|(c, _)| *c).collect();
        let external: BTreeSet<&str> = wanted.iter().map(|(_, e)| *e).collect();
        let mut sql =
            Sql::new("SELECT id, number, channel, external_id FROM orders WHERE channel IN (");
        sql.list(channels)
            .push(") AND external_id IN (")
            .list(external)
            .push(")");
        let mut found = HashMap::new();
        for row in self.write.rows(sql).await? {
            let known = KnownOrder {
                id: row.text("id")?,
                number: row.text("number")?,
            };
            found.insert((row.text("channel")?, row.text("external_id")?), known);
        }
        Ok(found)
    }

    /// Stored claims on these keys: (scope, key) → the claim. Both key columns are named, so
    /// the lookup uses the primary key instead of a scan.
    pub async fn idempotency_claims(
        &mut self,
        claims: &[&IdempotencyClaim],
    ) -> StoreResult<HashMap<(String, String), StoredClaim>> {
        if claims.is_empty() {
            return Ok(HashMap::new());
        }
        let scopes: BTreeSet<&str> = claims.iter().map(|c| c.scope.as_str()).collect();
        let keys: BTreeSet<&str> = claims.iter().map(|c| c.key.as_str()).collect();
        let mut sql = Sql::new(
            "SELECT scope, key, request_hash, resource_id FROM idempotency_keys WHERE scope IN (",
        );
        sql.list(scopes).push(") AND key IN (").list(keys).push(")");
        let mut found = HashMap::new();
        for row in self.write.rows(sql).await? {
            let stored = StoredClaim {
                request_hash: row.text("request_hash")?,
                order_id: row.text("resource_id")?,
            };
            found.insert((row.text("scope")?, row.text("key")?), stored);
        }
        Ok(found)
    }

    /// The items these checkout holds' reservations are of.
    pub async fn checkout_holds_skus(
        &mut self,
        ids: &BTreeSet<&str>,
    ) -> StoreResult<BTreeSet<Sku>> {
        skus_of(&mut self.write, ids).await
    }

    /// These checkout holds with their reservations, locked until the transaction ends.
    pub async fn lock_checkout_holds(
        &mut self,
        ids: &BTreeSet<&str>,
    ) -> StoreResult<HashMap<String, HoldRecord>> {
        let lock = self.lock();
        let holds = load_holds(&mut self.write, ids, lock).await?;
        Ok(holds
            .into_iter()
            .map(|(id, (hold, reservations))| (id, HoldRecord { hold, reservations }))
            .collect())
    }

    /// Supply still to arrive for these items, and the units orders already wait for.
    pub async fn incoming_supply(&mut self, skus: &BTreeSet<&Sku>) -> StoreResult<IncomingSupply> {
        load::incoming(&mut self.write, skus).await
    }

    /// `count` consecutive order numbers, never handed out before.
    pub async fn next_order_numbers(&mut self, count: usize) -> StoreResult<Vec<i64>> {
        let backend = self.backend;
        backend
            .next_order_numbers(&mut self.write, count as i64)
            .await
    }

    /// Inserts new orders with their lines, and the idempotency claims they made.
    pub async fn insert_orders(
        &mut self,
        orders: &[&Order],
        claims: &[NewClaim<'_>],
    ) -> StoreResult<()> {
        let mut statements = order_inserts(orders.iter().copied());
        let rows: Vec<Vec<Arg>> = claims
            .iter()
            .map(|c| {
                vec![
                    c.claim.scope.as_str().into(),
                    c.claim.key.as_str().into(),
                    c.claim.request_hash.as_str().into(),
                    c.order_id.into(),
                    c.at_ms.into(),
                ]
            })
            .collect();
        statements.extend(inserts(
            "idempotency_keys",
            &["scope", "key", "request_hash", "resource_id", "created_at"],
            rows,
        ));
        // A unique key broken here means another transaction committed the same external id
        // or idempotency key meanwhile (PostgreSQL checks them only at insert): tried again,
        // the batch finds that order — a replay or a duplicate, never an error.
        execute_all(&mut self.write as &mut dyn Exec, statements)
            .await
            .map_err(|e| match e {
                e if e.is_unique_violation() => {
                    StoreError::Contention(format!("a concurrent order raced this one: {e}"))
                }
                e => e,
            })
    }
}
