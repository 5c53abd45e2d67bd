//! Shipping units of one allocation directly (not through a fulfilment order): the reservation
//! is committed, the line's units move from allocated to shipped, the order's status follows.

use serde_json::json;

use super::fulfil::{FulfilError, OrderChange};
use super::{Order, OrderEvent, OrderEventKind, OrderStatus};
use crate::inventory::{Cause, StockBook};
use crate::reservation::{Reservation, ReservationStatus};

/// Units of one allocation to ship: all of it when `quantity` is `None`.
#[derive(Debug, Clone, Copy)]
pub struct ShipRequest<'a> {
    pub allocation_id: &'a str,
    pub quantity: Option<i64>,
    /// Whether the allocation's units are released to a fulfilment order: then its location
    /// ships them, not this request.
    pub released: bool,
    pub now_ms: i64,
    pub actor: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    #[error("no held allocation {0} on this order")]
    UnknownAllocation(String),
    #[error("the order is on hold")]
    OnHold,
    #[error("the allocation is released to its location: ship its fulfilment order instead")]
    Released,
    #[error("{requested} units cannot ship from an allocation of {held}")]
    TooMany { requested: i64, held: i64 },
    #[error(transparent)]
    Fulfil(#[from] FulfilError),
}

/// Ships units of one allocation: the reservation is committed (on hand and reserved both go
/// down), the line's units move from allocated to shipped, and the order's status follows.
pub fn ship_allocation(
    order: &mut Order,
    reservations: &mut Vec<Reservation>,
    request: &ShipRequest<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<OrderChange, ShipError> {
    let (index, units) = shippable(order, reservations, request)?;
    let ShipRequest {
        allocation_id,
        now_ms,
        actor,
        ..
    } = *request;
    let cause = Cause {
        at_ms: now_ms,
        reason: Some("shipped"),
        reference: Some(&order.id),
        actor,
    };
    let (entry, rest) = reservations[index]
        .commit(units, book, cause, new_id)
        .map_err(FulfilError::from)?;
    let line_no = reservations[index].line_no;
    let line = order
        .lines
        .iter_mut()
        .find(|l| l.line_no == line_no)
        .ok_or_else(|| ShipError::UnknownAllocation(allocation_id.to_string()))?;
    line.quantities.allocated -= units;
    line.quantities.released = line.quantities.released.min(line.quantities.allocated);
    line.quantities.shipped += units;
    order.updated_at_ms = now_ms;
    let committed = reservations[index].clone();
    let mut changed = vec![committed.clone()];
    if let Some(rest) = rest {
        reservations.push(rest.clone());
        changed.push(rest);
    }
    let data = json!({ "allocation": allocation_id, "line": line_no, "sku": committed.sku.as_str(), "location": committed.location.as_str(), "quantity": units });
    let event = shipped_event(order, now_ms, actor, data)?;
    Ok(OrderChange {
        reservations: changed,
        ledger: vec![entry],
        events: vec![event],
        routing: None,
    })
}

/// Which held reservation ships, and how many of its units: refused for an order on hold, an
/// allocation released to its location, an unknown one, or more units than it holds.
fn shippable(
    order: &Order,
    reservations: &[Reservation],
    request: &ShipRequest<'_>,
) -> Result<(usize, i64), ShipError> {
    if request.released {
        return Err(ShipError::Released);
    }
    if order.status == OrderStatus::OnHold {
        return Err(ShipError::OnHold);
    }
    let id = request.allocation_id;
    let index = reservations
        .iter()
        .position(|r| r.id == id && r.status == ReservationStatus::Held)
        .ok_or_else(|| ShipError::UnknownAllocation(id.to_string()))?;
    let held = reservations[index].quantity;
    let units = request.quantity.unwrap_or(held);
    if units < 1 || units > held {
        return Err(ShipError::TooMany {
            requested: units,
            held,
        });
    }
    Ok((index, units))
}

/// The timeline's entry for a shipment: the status change it brought, if any, else its own.
fn shipped_event(
    order: &mut Order,
    now_ms: i64,
    actor: &str,
    data: serde_json::Value,
) -> Result<OrderEvent, ShipError> {
    let kind = OrderEventKind::ShipmentMade;
    let followed = order
        .follow_quantities(now_ms, kind, actor, None, data.clone())
        .map_err(FulfilError::from)?;
    Ok(match followed {
        Some(event) => event,
        None => order.event(now_ms, kind, None, actor, None, data),
    })
}
