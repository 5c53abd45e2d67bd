//! The steps a location takes with a fulfilment order, each checked against the status
//! table and written to the order's timeline. Units that leave the work (short-picked,
//! rejected) leave the order line's released count here; routing them again is the caller's
//! next step, through the order's re-routing.

use serde_json::json;

use super::{FulfillmentOrder, FulfillmentStatus, Package, PackageInput, check_packages};
use crate::field::FieldErrors;
use crate::inventory::{Cause, InventoryError, LedgerEntry, StockBook};
use crate::order::{IllegalTransition, Order, OrderEvent, OrderEventKind};
use crate::reservation::{Reservation, ReservationStatus};
use crate::values::Sku;

#[derive(Debug, thiserror::Error)]
pub enum FulfillmentError {
    #[error("a fulfilment order that is {from} cannot become {to}")]
    Status {
        from: FulfillmentStatus,
        to: FulfillmentStatus,
    },
    #[error("the order is on hold")]
    OnHold,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Order(#[from] IllegalTransition),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error("{0}")]
    Broken(String),
}

/// What to do with units found missing at pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShortHandling {
    /// Route them again, away from this location.
    #[default]
    Reroute,
    /// Let them wait for stock as a backorder.
    Backorder,
}

impl ShortHandling {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "reroute" => Ok(Self::Reroute),
            "backorder" => Ok(Self::Backorder),
            _ => Err("must be reroute or backorder".into()),
        }
    }
}

/// The pick as the location confirms it: units picked per order line; lines not named were
/// picked in full.
#[derive(Debug, Clone, Default)]
pub struct PickInput {
    pub picked: Vec<(u32, i64)>,
    pub short: ShortHandling,
}

/// Units of one order line that left a fulfilment order unshipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Short {
    pub line_no: u32,
    pub sku: Sku,
    pub units: i64,
}

pub(super) fn step(
    fo: &mut FulfillmentOrder,
    next: FulfillmentStatus,
    now_ms: i64,
) -> Result<(), FulfillmentError> {
    if !fo.status.can_become(next) {
        return Err(FulfillmentError::Status {
            from: fo.status,
            to: next,
        });
    }
    fo.status = next;
    fo.updated_at_ms = now_ms;
    Ok(())
}

/// The order's timeline entry for a fulfilment order's step; the order's status follows its
/// quantities when they changed.
pub(super) fn record(
    order: &mut Order,
    fo: &FulfillmentOrder,
    now_ms: i64,
    actor: &str,
    mut data: serde_json::Value,
) -> Result<OrderEvent, FulfillmentError> {
    data["fulfillment_order"] = json!(fo.id);
    data["location"] = json!(fo.location.as_str());
    data["status"] = json!(fo.status.as_str());
    let kind = OrderEventKind::Work(fo.status);
    order.updated_at_ms = now_ms;
    Ok(
        match order.follow_quantities(now_ms, kind, actor, None, data.clone())? {
            Some(event) => event,
            None => order.event(now_ms, kind, None, actor, None, data),
        },
    )
}

pub fn accept(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    now_ms: i64,
    actor: &str,
) -> Result<OrderEvent, FulfillmentError> {
    step(fo, FulfillmentStatus::Accepted, now_ms)?;
    fo.accepted_at_ms = Some(now_ms);
    record(order, fo, now_ms, actor, json!({}))
}

pub fn start_pick(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    now_ms: i64,
    actor: &str,
) -> Result<OrderEvent, FulfillmentError> {
    step(fo, FulfillmentStatus::Picking, now_ms)?;
    record(order, fo, now_ms, actor, json!({}))
}

/// Confirms the pick. Units not picked leave the fulfilment order and are answered as
/// shorts; when nothing at all was picked the fulfilment order ends rejected.
pub fn pick(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    input: &PickInput,
    now_ms: i64,
    actor: &str,
) -> Result<(Vec<Short>, OrderEvent), FulfillmentError> {
    let mut errors = FieldErrors::new();
    for (i, (line_no, units)) in input.picked.iter().enumerate() {
        match fo.lines.iter().find(|l| l.line_no == *line_no) {
            None => errors.push(
                format!("lines[{i}].line"),
                format!("line {line_no} is not in this fulfilment order"),
            ),
            Some(l) if *units < 0 || *units > l.quantity => errors.push(
                format!("lines[{i}].picked"),
                format!("must be 0 to the {} units to pick", l.quantity),
            ),
            Some(_) => {}
        }
        if input.picked[..i].iter().any(|(n, _)| n == line_no) {
            errors.push(format!("lines[{i}].line"), "names a line twice");
        }
    }
    if !errors.is_empty() {
        return Err(FulfillmentError::Invalid(errors));
    }
    let picked_of = |line_no: u32, quantity: i64| {
        input
            .picked
            .iter()
            .find(|(n, _)| *n == line_no)
            .map_or(quantity, |(_, units)| *units)
    };
    let mut shorts = Vec::new();
    for line in &mut fo.lines {
        let picked = picked_of(line.line_no, line.quantity);
        let short = line.quantity - picked;
        line.picked = picked;
        if short > 0 {
            line.short += short;
            line.quantity -= short;
            shorts.push(Short {
                line_no: line.line_no,
                sku: line.sku.clone(),
                units: short,
            });
        }
    }
    let next = if fo.lines.iter().all(|l| l.picked == 0) {
        FulfillmentStatus::Rejected
    } else {
        FulfillmentStatus::Picked
    };
    step(fo, next, now_ms)?;
    let missing = take_from_released(order, &shorts)?;
    let event = record(order, fo, now_ms, actor, json!({ "short": missing }))?;
    Ok((shorts, event))
}

/// Takes units leaving the work out of their order lines' released counts.
fn take_from_released(
    order: &mut Order,
    shorts: &[Short],
) -> Result<Vec<serde_json::Value>, FulfillmentError> {
    let mut described = Vec::new();
    for short in shorts {
        let line = order
            .lines
            .iter_mut()
            .find(|l| l.line_no == short.line_no)
            .ok_or_else(|| FulfillmentError::Broken(format!("line {} vanished", short.line_no)))?;
        line.quantities.released = (line.quantities.released - short.units).max(0);
        described.push(
            json!({ "line": short.line_no, "sku": short.sku.as_str(), "quantity": short.units }),
        );
    }
    Ok(described)
}

/// Packs what was picked. Every picked unit goes in exactly one package.
pub fn pack(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    packages: &[PackageInput],
    now_ms: i64,
    actor: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Result<(Vec<Package>, OrderEvent), FulfillmentError> {
    if !fo.status.can_become(FulfillmentStatus::Packed) {
        return Err(FulfillmentError::Status {
            from: fo.status,
            to: FulfillmentStatus::Packed,
        });
    }
    let packed = check_packages(fo, packages, new_id).map_err(FulfillmentError::Invalid)?;
    step(fo, FulfillmentStatus::Packed, now_ms)?;
    let event = record(
        order,
        fo,
        now_ms,
        actor,
        json!({ "packages": packed.len() }),
    )?;
    Ok((packed, event))
}

/// The location refuses the work: every open unit leaves it, to be routed again.
pub fn reject(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    reason: &str,
    now_ms: i64,
    actor: &str,
) -> Result<(Vec<Short>, OrderEvent), FulfillmentError> {
    step(fo, FulfillmentStatus::Rejected, now_ms)?;
    let shorts = take_all(fo);
    let described = take_from_released(order, &shorts)?;
    let event = record(
        order,
        fo,
        now_ms,
        actor,
        json!({ "reason": reason, "lines": described }),
    )?;
    Ok((shorts, event))
}

/// What confirming a cancellation gave back.
#[derive(Debug, Default)]
pub struct CancelConfirmed {
    pub ledger: Vec<LedgerEntry>,
    pub reservations: Vec<Reservation>,
    pub events: Vec<OrderEvent>,
}

/// The location confirms the cancellation asked of it: those units leave the work, their
/// reservations are given back, and the order's lines count them cancelled. Work left with
/// nothing to send ends cancelled.
#[allow(clippy::too_many_arguments)]
pub fn confirm_cancel(
    fo: &mut FulfillmentOrder,
    order: &mut Order,
    reservations: &mut [Reservation],
    book: &mut StockBook,
    now_ms: i64,
    actor: &str,
) -> Result<CancelConfirmed, FulfillmentError> {
    if !fo.status.is_open() || !fo.cancel_requested {
        return Err(FulfillmentError::Invalid(FieldErrors::single(
            "status",
            "no cancellation is waiting for this fulfilment order",
        )));
    }
    let cause = Cause {
        at_ms: now_ms,
        reason: Some("cancelled"),
        reference: Some(&order.id),
        actor,
    };
    let mut done = CancelConfirmed::default();
    let mut lines = Vec::new();
    for fl in &mut fo.lines {
        let mut units = fl.cancel_requested.min(fl.quantity - fl.shipped);
        fl.cancel_requested = 0;
        if units <= 0 {
            continue;
        }
        fl.quantity -= units;
        fl.cancelled += units;
        fl.picked = fl.picked.min(fl.quantity);
        let line = order
            .lines
            .iter_mut()
            .find(|l| l.line_no == fl.line_no)
            .ok_or_else(|| FulfillmentError::Broken(format!("line {} vanished", fl.line_no)))?;
        line.quantities.allocated -= units;
        line.quantities.released = (line.quantities.released - units).max(0);
        line.quantities.cancelled += units;
        lines.push(json!({ "line": fl.line_no, "sku": fl.sku.as_str(), "quantity": units }));
        for r in reservations.iter_mut().filter(|r| {
            r.status == ReservationStatus::Held
                && r.line_no == fl.line_no
                && r.location == fo.location
        }) {
            if units == 0 {
                break;
            }
            let take = units.min(r.quantity);
            done.ledger.push(r.give_back(take, book, cause)?);
            done.reservations.push(r.clone());
            units -= take;
        }
    }
    fo.cancel_requested = false;
    fo.updated_at_ms = now_ms;
    if fo.lines.iter().all(|l| l.quantity == l.shipped) {
        step(fo, FulfillmentStatus::Cancelled, now_ms)?;
    }
    order.promised_date = crate::order::promised_date_of(order);
    let kind = OrderEventKind::CancelConfirmed;
    let data = json!({ "fulfillment_order": fo.id, "location": fo.location.as_str(), "status": fo.status.as_str(), "lines": lines });
    order.updated_at_ms = now_ms;
    done.events.push(
        match order.follow_quantities(now_ms, kind, actor, None, data.clone())? {
            Some(event) => event,
            None => order.note(now_ms, kind, actor, None, data),
        },
    );
    Ok(done)
}

/// A stock count found units of a line missing that this work was to send: they leave it
/// (counted short). Work left with nothing to send ends cancelled. Answers the units taken.
pub fn take_missing(fo: &mut FulfillmentOrder, line_no: u32, units: i64, now_ms: i64) -> i64 {
    let Some(line) = fo.lines.iter_mut().find(|l| l.line_no == line_no) else {
        return 0;
    };
    let taken = units.min(line.open()).max(0);
    line.quantity -= taken;
    line.short += taken;
    line.picked = line.picked.min(line.quantity);
    line.cancel_requested = line.cancel_requested.min(line.quantity - line.shipped);
    fo.updated_at_ms = now_ms;
    if fo.lines.iter().all(|l| l.quantity == l.shipped) && fo.status.is_open() {
        fo.status = FulfillmentStatus::Cancelled;
    }
    taken
}

fn take_all(fo: &mut FulfillmentOrder) -> Vec<Short> {
    let mut shorts = Vec::new();
    for line in &mut fo.lines {
        let open = line.open();
        if open > 0 {
            line.quantity -= open;
            line.short += open;
            line.picked = line.picked.min(line.quantity);
            shorts.push(Short {
                line_no: line.line_no,
                sku: line.sku.clone(),
                units: open,
            });
        }
    }
    shorts
}
