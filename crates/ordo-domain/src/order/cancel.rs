//! Cancelling an order: give back every unit it holds and close its open quantities.

use serde_json::json;

use super::{IllegalTransition, Order, OrderEvent, OrderStatus};
use crate::inventory::{Cause, InventoryError, LedgerEntry, StockBook};
use crate::reservation::{Reservation, ReservationStatus};

#[derive(Debug)]
pub struct CancelDecision {
    pub ledger: Vec<LedgerEntry>,
    pub events: Vec<OrderEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A held reservation exceeds its position's reserved figure: a broken invariant.
    #[error("releasing a reservation failed: {0}")]
    Inventory(#[from] InventoryError),
}

/// Cancels `order`, releasing its held reservations in `book`. Changes the order and the
/// reservations in place; on error nothing in them is to be written.
pub fn cancel(
    order: &mut Order,
    reservations: &mut [Reservation],
    book: &mut StockBook,
    reason: Option<&str>,
    actor: &str,
    now_ms: i64,
) -> Result<CancelDecision, CancelError> {
    let next = order.status.transition(OrderStatus::Cancelled)?;
    let cause = Cause {
        at_ms: now_ms,
        reason,
        reference: Some(&order.id),
        actor,
    };
    let mut ledger = Vec::new();
    let mut released = Vec::new();
    for r in reservations
        .iter_mut()
        .filter(|r| r.status == ReservationStatus::Held)
    {
        ledger.push(r.release(book, cause)?);
        released.push(json!({ "line": r.line_no, "sku": r.sku.as_str(), "location": r.location.as_str(), "quantity": r.quantity }));
    }
    for line in &mut order.lines {
        let q = &mut line.quantities;
        q.cancelled += q.allocated + q.backordered;
        q.allocated = 0;
        q.released = 0;
        q.backordered = 0;
        line.expected_date = None;
    }
    let from = order.status;
    order.status = next;
    order.promised_date = None;
    order.updated_at_ms = now_ms;
    let event = order.event(
        now_ms,
        "order.cancelled",
        Some((Some(from), next)),
        actor,
        reason,
        json!({ "released": released }),
    );
    Ok(CancelDecision {
        ledger,
        events: vec![event],
    })
}
