//! A location rejecting an allocation: the units leave its reservation (and, when they are
//! missing or damaged, its stock), and the line's units are routed again without every
//! location that rejected the line. After the profile's number of attempts the units wait
//! as a backorder, or the order goes on hold as a routing exception for a person to decide.

use std::collections::BTreeSet;

use serde_json::json;

use super::fulfil::{FillContext, FulfilError, OrderChange, fill_backorders};
use super::{Order, OrderEvent, OrderEventKind, OrderStatus};
use crate::inventory::{Cause, InventoryError, Movement, StockBook, StockState};
use crate::reservation::{Reservation, ReservationOwner, ReservationStatus};
use crate::routing::profile::AfterAttempts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The units are not where the stock says: on hand goes down.
    NotFound,
    /// The units are damaged: they become damaged stock.
    Damaged,
    /// The location cannot take the work today.
    NoCapacity,
    /// Found short while picking: on hand goes down.
    Stockout,
    /// The parcel missed the location's cut-off.
    MissedCutoff,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        Self::NotFound,
        Self::Damaged,
        Self::NoCapacity,
        Self::Stockout,
        Self::MissedCutoff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Damaged => "damaged",
            Self::NoCapacity => "no_capacity",
            Self::Stockout => "stockout",
            Self::MissedCutoff => "missed_cutoff",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                "must be one of not_found, damaged, no_capacity, stockout, missed_cutoff"
                    .to_string()
            })
    }

    /// What the rejection says about the location's stock.
    fn movement(self, units: i64) -> Option<Movement> {
        match self {
            Self::NotFound | Self::Stockout => Some(Movement::Adjust {
                delta: -units,
                state: StockState::Sellable,
            }),
            Self::Damaged => Some(Movement::Reclassify {
                quantity: units,
                from: StockState::Sellable,
                to: StockState::Damaged,
            }),
            Self::NoCapacity | Self::MissedCutoff => None,
        }
    }
}

/// What became of the rejected units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RerouteOutcome {
    /// Some or all of them are allocated elsewhere.
    Rerouted,
    /// They wait for stock as a backorder.
    Waiting,
    /// The order is on hold for a person to decide.
    Exception,
}

impl RerouteOutcome {
    const ALL: [RerouteOutcome; 3] = [Self::Rerouted, Self::Waiting, Self::Exception];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rerouted => "rerouted",
            Self::Waiting => "waiting",
            Self::Exception => "exception",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw)
            .ok_or_else(|| format!("unknown reroute outcome '{raw}'"))
    }
}

/// The rejection as the location sent it.
pub struct Rejection<'a> {
    pub reason: RejectReason,
    pub units: i64,
    pub note: Option<&'a str>,
    /// Rejections of this line so far, this one included.
    pub attempt: u32,
    pub attempts_max: u32,
    pub after: AfterAttempts,
}

#[derive(Debug, thiserror::Error)]
pub enum RejectError {
    #[error("the allocation is {0} and cannot be rejected")]
    NotHeld(&'static str),
    #[error("{requested} units cannot be rejected from an allocation of {held}")]
    Units { held: i64, requested: i64 },
    #[error("the exception is already resolved")]
    Resolved,
    #[error("the order is {0}, not on hold for a routing exception")]
    NotOnHold(&'static str),
    #[error("the allocation is released to its location: reject its fulfilment order instead")]
    Released,
    #[error(transparent)]
    Fulfil(#[from] FulfilError),
}

impl From<InventoryError> for RejectError {
    fn from(e: InventoryError) -> Self {
        Self::Fulfil(FulfilError::Inventory(e))
    }
}

/// Rejects `rejection.units` of `reservation` (an allocation of `order`) and routes them
/// again as the context allows (its `excluded` locations: every one that rejected the line).
pub fn reject_allocation(
    order: &mut Order,
    reservation: &mut Reservation,
    rejection: &Rejection<'_>,
    context: &FillContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<(OrderChange, RerouteOutcome), RejectError> {
    if reservation.status != ReservationStatus::Held || reservation.owner != ReservationOwner::Order
    {
        return Err(RejectError::NotHeld(reservation.status.as_str()));
    }
    if rejection.units < 1 || rejection.units > reservation.quantity {
        return Err(RejectError::Units {
            held: reservation.quantity,
            requested: rejection.units,
        });
    }
    let mut change = give_back_rejected(order, reservation, rejection, context, book)?;
    if rejection.attempt > rejection.attempts_max {
        if rejection.after == AfterAttempts::Backorder {
            return Ok((change, RerouteOutcome::Waiting));
        }
        let event =
            routing_exception(order, reservation, rejection, context.now_ms, context.actor)?;
        change.events.push(event);
        return Ok((change, RerouteOutcome::Exception));
    }
    let skus = BTreeSet::from([reservation.sku.clone()]);
    match fill_backorders(order, &skus, context, book, new_id)? {
        Some(filled) => {
            change.reservations.extend(filled.reservations);
            change.ledger.extend(filled.ledger);
            change.events.extend(filled.events);
            change.routing = filled.routing;
            Ok((change, RerouteOutcome::Rerouted))
        }
        None => Ok((change, RerouteOutcome::Waiting)),
    }
}

/// Gives the rejected units back (and moves them to damaged or lost when the reason says so),
/// and has the line wait for them again, with the rejection in the timeline.
fn give_back_rejected(
    order: &mut Order,
    reservation: &mut Reservation,
    rejection: &Rejection<'_>,
    context: &FillContext<'_>,
    book: &mut StockBook,
) -> Result<OrderChange, RejectError> {
    let (now, actor) = (context.now_ms, context.actor);
    let (location, sku) = (reservation.location.clone(), reservation.sku.clone());
    let cause = Cause {
        at_ms: now,
        reason: Some(rejection.reason.as_str()),
        reference: Some(&order.id),
        actor,
    };
    let mut change = OrderChange::default();
    change
        .ledger
        .push(reservation.give_back(rejection.units, book, cause)?);
    if let Some(movement) = rejection.reason.movement(rejection.units) {
        change
            .ledger
            .push(book.apply(&location, &sku, movement, cause)?);
    }
    change.reservations.push(reservation.clone());
    let line = order
        .lines
        .iter_mut()
        .find(|l| l.line_no == reservation.line_no)
        .ok_or(FulfilError::Routing(format!(
            "line {} vanished",
            reservation.line_no
        )))?;
    line.quantities.allocated -= rejection.units;
    line.quantities.released = line.quantities.released.min(line.quantities.allocated);
    line.quantities.backordered += rejection.units;
    line.expected_date = None;
    order.promised_date = None;
    order.updated_at_ms = now;
    let data = json!({
        "line": reservation.line_no, "sku": sku.as_str(), "location": location.as_str(),
        "quantity": rejection.units, "reason": rejection.reason.as_str(),
        "attempt": rejection.attempt, "note": rejection.note,
    });
    let kind = OrderEventKind::AllocationRejected;
    let why = Some("a location rejected an allocation");
    let event = match order
        .follow_quantities(now, kind, actor, why, data.clone())
        .map_err(FulfilError::from)?
    {
        Some(event) => event,
        None => order.event(now, kind, None, actor, why, data),
    };
    change.events.push(event);
    Ok(change)
}

/// Puts the order on hold for a routing exception: its line was rejected more often than the
/// routing profile allows.
fn routing_exception(
    order: &mut Order,
    reservation: &Reservation,
    rejection: &Rejection<'_>,
    now: i64,
    actor: &str,
) -> Result<OrderEvent, RejectError> {
    let from = order.status;
    order.status = from
        .transition(OrderStatus::OnHold)
        .map_err(FulfilError::from)?;
    let data = json!({ "line": reservation.line_no, "sku": reservation.sku.as_str(), "quantity": rejection.units, "attempts": rejection.attempt });
    Ok(order.event(
        now,
        OrderEventKind::RoutingException,
        Some((Some(from), OrderStatus::OnHold)),
        actor,
        Some("rejected more often than the routing profile allows"),
        data,
    ))
}

/// Takes an order off its routing-exception hold: its status follows its quantities again and,
/// when `reroute`, the line's waiting units are routed again as the context allows.
pub fn resolve_exception(
    order: &mut Order,
    sku: &crate::values::Sku,
    reroute: bool,
    context: &FillContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<OrderChange, RejectError> {
    if order.status != OrderStatus::OnHold {
        return Err(RejectError::NotOnHold(order.status.as_str()));
    }
    let next = order.derived_status();
    order.status = OrderStatus::OnHold
        .transition(next)
        .map_err(FulfilError::from)?;
    order.updated_at_ms = context.now_ms;
    let resolution = if reroute { "rerouted" } else { "backordered" };
    let mut change = OrderChange::default();
    change.events.push(order.event(
        context.now_ms,
        OrderEventKind::ExceptionResolved,
        Some((Some(OrderStatus::OnHold), next)),
        context.actor,
        Some(context.reason),
        json!({ "sku": sku.as_str(), "resolution": resolution }),
    ));
    if reroute {
        let skus = BTreeSet::from([sku.clone()]);
        if let Some(filled) = fill_backorders(order, &skus, context, book, new_id)? {
            change.reservations = filled.reservations;
            change.ledger = filled.ledger;
            change.events.extend(filled.events);
            change.routing = filled.routing;
        }
    }
    Ok(change)
}
