//! Whom a resource belongs to, for the access table's `Own` grants: the channel of its order
//! and the location that works it.

use crate::sql::args::{Arg, Sql};
use crate::sql::exec::{Exec, Row};

use ordo_domain::auth::{Owner, Resource};

use super::SqlStore;
use super::rows::{RowExt, channel_code, location_code};
use crate::error::StoreResult;
use crate::types::OrderKey;

const ORDER: &str = "SELECT channel FROM orders WHERE ";
const FULFILLMENT_ORDER: &str = "SELECT o.channel, f.location FROM fulfillment_orders f \
     JOIN orders o ON o.id = f.order_id WHERE f.id = $1";
const SHIPMENT: &str = "SELECT o.channel, s.location FROM shipments s \
     JOIN orders o ON o.id = s.order_id WHERE s.id = $1";
const CHECKOUT_HOLD: &str = "SELECT channel FROM holds WHERE id = $1";
const ALERT: &str = "SELECT o.channel, COALESCE(f.location, s.location) AS location \
     FROM work_alerts a JOIN orders o ON o.id = a.order_id \
     LEFT JOIN fulfillment_orders f ON f.id = a.subject \
     LEFT JOIN shipments s ON s.id = a.subject WHERE a.id = $1";
const LOCATION: &str = "SELECT code AS location FROM locations WHERE code = $1";

/// The owner of a resource; `None` when there is no such resource.
pub(crate) async fn owner(
    store: &SqlStore,
    resource: Resource,
    id: &str,
) -> StoreResult<Option<Owner>> {
    let order_query;
    let sql = match resource {
        Resource::Order => {
            order_query = match OrderKey::parse(id) {
                OrderKey::Id(_) => format!("{ORDER}id = $1"),
                OrderKey::Number(_) => format!("{ORDER}number = $1"),
            };
            order_query.as_str()
        }
        Resource::FulfillmentOrder => FULFILLMENT_ORDER,
        Resource::Shipment => SHIPMENT,
        Resource::CheckoutHold => CHECKOUT_HOLD,
        Resource::Alert => ALERT,
        Resource::Location => LOCATION,
    };
    let row = store
        .reader()
        .await?
        .first(Sql::with(sql, [Arg::from(id)]))
        .await?;
    row.as_ref().map(owner_row).transpose()
}

/// Reads whichever of `channel` and `location` the query selected.
fn owner_row(row: &Row) -> StoreResult<Owner> {
    let has = |name: &str| row.has(name);
    let channel = match has("channel") && row.opt_text("channel")?.is_some() {
        true => Some(channel_code(row, "channel")?),
        false => None,
    };
    let location = match has("location") && row.opt_text("location")?.is_some() {
        true => Some(location_code(row, "location")?),
        false => None,
    };
    Ok(Owner { channel, location })
}
