//! Holds on an order (or on one of its fulfilment orders): typed reasons, placed and released
//! by someone. An order with an active hold is `on_hold`: nothing of it is released to
//! locations, and its reservations stay. A held fulfilment order cannot move on.

use serde_json::json;

use super::{IllegalTransition, Order, OrderEvent, OrderEventKind, OrderStatus};
use crate::fulfillment::FulfillmentStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldReason {
    Payment,
    FraudRisk,
    Address,
    Inventory,
    CustomerRequest,
    Manual,
    /// No carrier service delivers to the address from where the goods are.
    Shipping,
}

impl HoldReason {
    pub const ALL: [HoldReason; 7] = [
        Self::Payment,
        Self::FraudRisk,
        Self::Address,
        Self::Inventory,
        Self::CustomerRequest,
        Self::Manual,
        Self::Shipping,
    ];

    /// What placing or releasing a hold of this reason takes: a customer's own request is
    /// the channel's to make; the others are operations' (payment, risk, checks).
    pub fn action(self) -> crate::auth::Action {
        match self {
            Self::CustomerRequest => crate::auth::Action::HoldOrders,
            _ => crate::auth::Action::HoldOrdersAnyReason,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::FraudRisk => "fraud_risk",
            Self::Address => "address",
            Self::Inventory => "inventory",
            Self::CustomerRequest => "customer_request",
            Self::Manual => "manual",
            Self::Shipping => "shipping",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                "must be one of payment, fraud_risk, address, inventory, customer_request, manual, shipping"
                    .into()
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderHold {
    pub id: String,
    pub order_id: String,
    /// Set when only this fulfilment order is held.
    pub fulfillment_order_id: Option<String>,
    pub reason: HoldReason,
    pub note: Option<String>,
    pub placed_at_ms: i64,
    pub placed_by: String,
    pub released_at_ms: Option<i64>,
    pub released_by: Option<String>,
}

impl OrderHold {
    pub fn is_active(&self) -> bool {
        self.released_at_ms.is_none()
    }
}

/// Why a hold cannot be placed or released.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoldRefusal {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error("fulfilment order {0} is not one of this order's")]
    UnknownFulfillmentOrder(String),
    #[error("fulfilment order {0} is finished and cannot be held")]
    Finished(String),
    #[error("the hold is already released")]
    AlreadyReleased,
    #[error("hold {0} is not on this order")]
    UnknownHold(String),
}

/// Whether a hold may name this fulfilment order: one of the order's (`status` is `None`
/// when it is not) whose work is not finished.
pub fn may_hold_work(id: &str, status: Option<FulfillmentStatus>) -> Result<(), HoldRefusal> {
    match status {
        None => Err(HoldRefusal::UnknownFulfillmentOrder(id.to_string())),
        Some(s) if !s.is_open() => Err(HoldRefusal::Finished(id.to_string())),
        Some(_) => Ok(()),
    }
}

/// Puts a hold on the order (which becomes `on_hold`) or on one of its fulfilment orders.
pub fn place_hold(order: &mut Order, hold: &OrderHold) -> Result<OrderEvent, IllegalTransition> {
    let data = json!({
        "hold": hold.id, "reason": hold.reason.as_str(), "note": hold.note,
        "fulfillment_order": hold.fulfillment_order_id,
    });
    order.updated_at_ms = hold.placed_at_ms;
    let at = hold.placed_at_ms;
    if hold.fulfillment_order_id.is_some() || order.status == OrderStatus::OnHold {
        return Ok(order.note(at, OrderEventKind::HoldPlaced, &hold.placed_by, None, data));
    }
    let from = order.status;
    order.status = from.transition(OrderStatus::OnHold)?;
    Ok(order.event(
        at,
        OrderEventKind::HoldPlaced,
        Some((Some(from), OrderStatus::OnHold)),
        &hold.placed_by,
        Some(hold.reason.as_str()),
        data,
    ))
}

/// Puts an order whose address failed its checks on an `address` hold naming the problems:
/// it is kept, its units reserved, until a person fixes the address and releases the hold.
pub fn address_hold(
    order: &mut Order,
    hold_id: String,
    problems: &[String],
    now_ms: i64,
) -> Result<(OrderHold, OrderEvent), IllegalTransition> {
    let note = problems.join("; ");
    let by = "system:address-check";
    system_hold(order, hold_id, HoldReason::Address, note, by, now_ms)
}

/// Puts an order no carrier can deliver on a `shipping` hold saying why: its units wait,
/// promised nothing, until a person makes shipping possible (a carrier that covers the
/// address, another address) and releases the hold.
pub fn shipping_hold(
    order: &mut Order,
    hold_id: String,
    why: String,
    now_ms: i64,
) -> Result<(OrderHold, OrderEvent), IllegalTransition> {
    let by = "system:routing";
    system_hold(order, hold_id, HoldReason::Shipping, why, by, now_ms)
}

fn system_hold(
    order: &mut Order,
    hold_id: String,
    reason: HoldReason,
    note: String,
    by: &str,
    now_ms: i64,
) -> Result<(OrderHold, OrderEvent), IllegalTransition> {
    let hold = OrderHold {
        id: hold_id,
        order_id: order.id.clone(),
        fulfillment_order_id: None,
        reason,
        note: Some(note),
        placed_at_ms: now_ms,
        placed_by: by.into(),
        released_at_ms: None,
        released_by: None,
    };
    let event = place_hold(order, &hold)?;
    Ok((hold, event))
}

/// Releases one of the order's holds (`holds` are all of them). When it was the order's last
/// active order-level hold, the order's status follows its quantities again.
pub fn release_hold(
    order: &mut Order,
    holds: &[OrderHold],
    hold_id: &str,
    now_ms: i64,
    actor: &str,
) -> Result<(OrderHold, OrderEvent), HoldRefusal> {
    let found = holds.iter().find(|h| h.id == hold_id);
    let mut hold = found
        .cloned()
        .ok_or_else(|| HoldRefusal::UnknownHold(hold_id.into()))?;
    if !hold.is_active() {
        return Err(HoldRefusal::AlreadyReleased);
    }
    let others = holds
        .iter()
        .filter(|h| h.id != hold_id && h.is_active() && h.fulfillment_order_id.is_none())
        .count();
    let event = lift(order, &mut hold, others, now_ms, actor)?;
    Ok((hold, event))
}

fn lift(
    order: &mut Order,
    hold: &mut OrderHold,
    other_order_holds_active: usize,
    now_ms: i64,
    actor: &str,
) -> Result<OrderEvent, IllegalTransition> {
    hold.released_at_ms = Some(now_ms);
    hold.released_by = Some(actor.to_string());
    order.updated_at_ms = now_ms;
    let data = json!({ "hold": hold.id, "reason": hold.reason.as_str(), "fulfillment_order": hold.fulfillment_order_id });
    let lifts = hold.fulfillment_order_id.is_none()
        && other_order_holds_active == 0
        && order.status == OrderStatus::OnHold;
    if !lifts {
        return Ok(order.note(now_ms, OrderEventKind::HoldReleased, actor, None, data));
    }
    let next = order.derived_status();
    order.status = OrderStatus::OnHold.transition(next)?;
    Ok(order.event(
        now_ms,
        OrderEventKind::HoldReleased,
        Some((Some(OrderStatus::OnHold), next)),
        actor,
        None,
        data,
    ))
}
