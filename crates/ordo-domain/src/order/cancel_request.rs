//! A request to cancel, decided as a whole: an order with nothing at a location and nothing
//! shipped goes at once; otherwise what is still open is cancelled unit by unit, and units
//! at a location are asked of it.

use super::cancel::{
    CancelError, CancelUnits, CancelUnitsError, UnitsCancelled, cancel, cancel_units,
};
use super::{IllegalTransition, Order, OrderStatus};
use crate::fulfillment::FulfillmentOrder;
use crate::inventory::StockBook;
use crate::reservation::Reservation;

/// What is asked: the whole order (`lines: None`) or units of its lines.
pub struct CancelRequest<'a> {
    pub lines: Option<&'a [CancelUnits]>,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
    pub now_ms: i64,
}

/// Decides a request to cancel. Changes the order, its reservations and its open fulfilment
/// orders in place (those asked carry `now_ms` as their update time); nothing decided when
/// everything open is already asked of its locations.
pub fn decide_cancel(
    order: &mut Order,
    reservations: &mut [Reservation],
    open: &mut [FulfillmentOrder],
    request: &CancelRequest<'_>,
    book: &mut StockBook,
) -> Result<UnitsCancelled, CancelUnitsError> {
    let quantities = order.quantities();
    let (reason, actor, now) = (request.reason, request.actor, request.now_ms);
    if request.lines.is_none() && quantities.released == 0 && quantities.shipped == 0 {
        let decided = cancel(order, reservations, book, reason, actor, now)?;
        return Ok(UnitsCancelled {
            ledger: decided.ledger,
            events: decided.events,
            asked: Vec::new(),
        });
    }
    let everything;
    let requests = match request.lines {
        Some(lines) => lines,
        None => {
            may_cancel_the_rest(order.status, quantities.shipped)?;
            everything = everything_open(order, open);
            &everything
        }
    };
    if requests.is_empty() {
        return Ok(UnitsCancelled::default());
    }
    cancel_units(
        order,
        reservations,
        open,
        requests,
        book,
        reason,
        actor,
        now,
    )
}

/// Whether an order in this status may have the rest of its units cancelled: not once it is
/// shipped, delivered or cancelled, nor when it could not become cancelled with none shipped.
fn may_cancel_the_rest(status: OrderStatus, shipped: i64) -> Result<(), CancelError> {
    let to = OrderStatus::Cancelled;
    if shipped == 0 {
        status.transition(to)?;
    }
    match status {
        OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Cancelled => {
            Err(IllegalTransition { from: status, to }.into())
        }
        _ => Ok(()),
    }
}

/// Every unit of the order that can still be cancelled or asked of a location.
fn everything_open(order: &Order, open: &[FulfillmentOrder]) -> Vec<CancelUnits> {
    order
        .lines
        .iter()
        .filter_map(|l| {
            let q = l.quantities;
            let asked: i64 = open
                .iter()
                .flat_map(|f| f.lines.iter().filter(|fl| fl.line_no == l.line_no))
                .map(|fl| fl.cancel_requested)
                .sum();
            let units = q.ordered - q.cancelled - q.shipped - asked;
            (units > 0).then_some(CancelUnits {
                line_no: l.line_no,
                units,
            })
        })
        .collect()
}
