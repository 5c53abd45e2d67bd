//! Shipping units of one allocation straight from its location, without a fulfilment order:
//! on hand and reserved both go down, the line's units count as shipped, and the order's
//! status follows.

use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::{FulfilError, ShipError, ShipRequest, ship_allocation};
use ordo_store::ids::new_id;
use ordo_store::{OrderKey, OrderRecord, Store};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::stock::StockWork;
use crate::transact::{Attempt, retrying};

/// Units of one allocation to ship, by whom and when.
struct Ship<'a> {
    order: OrderKey,
    allocation_id: &'a str,
    quantity: Option<i64>,
    actor: String,
    now_ms: i64,
}

impl App {
    /// Ships units of one allocation (all of it when `quantity` is `None`).
    pub async fn ship_allocation(
        &self,
        principal: &Principal,
        allocation_id: &str,
        quantity: Option<i64>,
    ) -> AppResult<OrderRecord> {
        principal.scope(Action::Operate)?;
        let not_found = || AppError::NotFound(format!("allocation {allocation_id}"));
        let order_id = self.store.allocation_order(allocation_id).await?;
        let ship = Ship {
            order: OrderKey::Id(order_id.ok_or_else(not_found)?),
            allocation_id,
            quantity,
            actor: principal.actor(),
            now_ms: self.clock.now_ms(),
        };
        let record = retrying(|| ship_units(self.store.as_ref(), &ship)).await?;
        metrics::counter!("ordo_units_shipped_total")
            .increment(quantity.unwrap_or(0).max(0) as u64);
        Ok(record)
    }
}

async fn ship_units(store: &dyn Store, ship: &Ship<'_>) -> Attempt<OrderRecord> {
    let mut tx = store.transaction().await?;
    let started = StockWork::begin_order_change(&mut tx, &ship.order, ship.now_ms).await?;
    let not_found = || AppError::NotFound(format!("allocation {}", ship.allocation_id));
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let allocation = record
        .reservations
        .iter()
        .find(|r| r.id == ship.allocation_id);
    let released = match allocation {
        Some(r) => tx.allocation_released(&record.order.id, r).await?,
        None => false,
    };
    let seq_before = record.order.event_seq;
    let request = ShipRequest {
        allocation_id: ship.allocation_id,
        quantity: ship.quantity,
        released,
        now_ms: ship.now_ms,
        actor: &ship.actor,
    };
    let now = ship.now_ms;
    let mut next_id = || new_id("res", now);
    let (order, reservations) = (&mut record.order, &mut record.reservations);
    let change = ship_allocation(
        order,
        reservations,
        &request,
        &mut work.changes.book,
        &mut next_id,
    )
    .map_err(refused)?;
    let changes = &mut work.changes;
    changes.ledger.extend(change.ledger);
    changes.order_events.extend(change.events);
    changes.reservations.extend(change.reservations);
    changes.orders.push((record.order.clone(), seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(record)
}

fn refused(e: ShipError) -> AppError {
    match e {
        ShipError::UnknownAllocation(_) => AppError::Conflict(FieldErrors::single(
            "allocation",
            "is not held: it shipped or was released already",
        )),
        ShipError::OnHold => AppError::Conflict(FieldErrors::single("order", "is on hold")),
        e @ ShipError::Released => {
            AppError::Conflict(FieldErrors::single("allocation", e.to_string()))
        }
        e @ ShipError::TooMany { .. } => {
            AppError::Invalid(FieldErrors::single("quantity", e.to_string()))
        }
        ShipError::Fulfil(FulfilError::Illegal(t)) => AppError::IllegalTransition {
            status: t.from,
            wanted: t.to,
        },
        ShipError::Fulfil(e) => AppError::Internal(format!("shipping: {e}")),
    }
}
