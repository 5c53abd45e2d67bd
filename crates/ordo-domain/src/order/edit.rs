//! Editing an order before any of it is released to a location: change quantities and
//! prices, add or remove lines, change the address. Every unit is given back and routed again
//! from scratch (the new address may favour other locations), and the change in totals is
//! written to the timeline.

use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::fulfil::{FillContext, FulfilError, fill_backorders};
use super::{
    LineQuantities, Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus, ShipTo, ShortLine,
};
use crate::inventory::{Cause, InventoryError, LedgerEntry, StockBook};
use crate::reservation::{Reservation, ReservationStatus};
use crate::routing::Explanation;
use crate::values::Sku;

/// One change to the lines: an existing line (by number) gets a new quantity (0 removes it)
/// and perhaps price; a line without a number is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEdit {
    pub line_no: Option<u32>,
    pub sku: Option<Sku>,
    pub quantity: i64,
    pub unit_price_minor: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderEdit {
    pub lines: Vec<LineEdit>,
    pub ship_to: Option<ShipTo>,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the order is {0}; only orders not yet released to a location can be edited")]
    TooLate(&'static str),
    #[error("line {0} is not on this order")]
    UnknownLine(u32),
    #[error("{0}")]
    Invalid(String),
    #[error("not enough stock for {} line(s)", .0.len())]
    Short(Vec<ShortLine>),
    #[error(transparent)]
    Fulfil(#[from] FulfilError),
}

impl From<InventoryError> for EditError {
    fn from(e: InventoryError) -> Self {
        Self::Fulfil(FulfilError::Inventory(e))
    }
}

#[derive(Debug, Default)]
pub struct Edited {
    pub ledger: Vec<LedgerEntry>,
    pub reservations: Vec<Reservation>,
    pub events: Vec<OrderEvent>,
    pub routing: Option<Explanation>,
    /// Lines added by the edit, to be inserted.
    pub new_lines: Vec<u32>,
}

/// Refuses an edit that adds a line of an item that is unknown or no longer sold.
pub fn may_add_items(
    change: &OrderEdit,
    facts: &HashMap<Sku, super::ItemFacts>,
) -> Result<(), EditError> {
    for (i, l) in change.lines.iter().enumerate() {
        if let Some(sku) = &l.sku
            && l.line_no.is_none()
            && !facts.get(sku).is_some_and(|f| f.active)
        {
            return Err(EditError::Invalid(format!(
                "lines[{i}].sku: {sku} is not an active item"
            )));
        }
    }
    Ok(())
}

/// Applies `edit`, giving back every held unit and routing the order again as `context`
/// allows. `backorderable` says which items may wait for stock; a line of another item left
/// short refuses the edit (the caller drops the book).
pub fn edit(
    order: &mut Order,
    reservations: &mut [Reservation],
    change: &OrderEdit,
    backorderable: &HashMap<Sku, bool>,
    context: &FillContext<'_>,
    book: &mut StockBook,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Edited, EditError> {
    may_edit(order)?;
    let total_before = order.totals().total_minor;
    let order_id = order.id.clone();
    let cause = Cause {
        at_ms: context.now_ms,
        reason: Some("order edited"),
        reference: Some(&order_id),
        actor: context.actor,
    };
    let mut done = Edited::default();
    give_back_held(order, reservations, book, cause, &mut done)?;
    let changes = change_lines(order, change, &mut done)?;
    if let Some(ship_to) = &change.ship_to {
        order.ship_to = Some(ship_to.clone());
    }
    order.promised_date = None;
    let skus: BTreeSet<Sku> = order.lines.iter().map(|l| l.sku.clone()).collect();
    if let Some(filled) = fill_backorders(order, &skus, context, book, new_id)? {
        done.ledger.extend(filled.ledger);
        done.reservations.extend(filled.reservations);
        done.events.extend(filled.events);
        done.routing = filled.routing;
    }
    refuse_short(order, backorderable)?;
    let data = json!({
        "changes": changes, "address_changed": change.ship_to.is_some(),
        "total_before": order.currency.format(total_before),
        "total_after": order.currency.format(order.totals().total_minor),
    });
    order.updated_at_ms = context.now_ms;
    let kind = OrderEventKind::Edited;
    let event = match order
        .follow_quantities(context.now_ms, kind, context.actor, None, data.clone())
        .map_err(FulfilError::from)?
    {
        Some(event) => event,
        None => order.note(context.now_ms, kind, context.actor, None, data),
    };
    done.events.push(event);
    Ok(done)
}

/// An order may be edited until any of it is released to a location or shipped.
fn may_edit(order: &Order) -> Result<(), EditError> {
    let q = order.quantities();
    let over = matches!(
        order.status,
        OrderStatus::Cancelled | OrderStatus::Shipped | OrderStatus::Delivered
    );
    if !over && q.released == 0 && q.shipped == 0 {
        return Ok(());
    }
    let status = if q.released > 0 {
        "released"
    } else {
        order.status.as_str()
    };
    Err(EditError::TooLate(status))
}

/// Gives back every unit the order holds: its lines wait again, to be routed anew.
fn give_back_held(
    order: &mut Order,
    reservations: &mut [Reservation],
    book: &mut StockBook,
    cause: Cause<'_>,
    done: &mut Edited,
) -> Result<(), EditError> {
    let held = reservations.iter_mut();
    for r in held.filter(|r| r.status == ReservationStatus::Held) {
        done.ledger.push(r.release(book, cause)?);
        done.reservations.push(r.clone());
    }
    for line in &mut order.lines {
        let q = &mut line.quantities;
        q.backordered += q.allocated;
        q.allocated = 0;
        line.expected_date = None;
    }
    Ok(())
}

/// Changes and adds the edit's lines, checking the order's size and total after; answers
/// what changed, for the timeline.
fn change_lines(
    order: &mut Order,
    change: &OrderEdit,
    done: &mut Edited,
) -> Result<Vec<serde_json::Value>, EditError> {
    let mut changes = Vec::with_capacity(change.lines.len());
    for e in &change.lines {
        if e.quantity < 0 {
            return Err(EditError::Invalid("quantities must not be negative".into()));
        }
        changes.push(match e.line_no {
            Some(n) => change_line(order, n, e)?,
            None => {
                let (line_no, added) = add_line(order, e)?;
                done.new_lines.push(line_no);
                added
            }
        });
    }
    if order.lines.len() > super::ORDER_LINES_MAX {
        return Err(EditError::Invalid(format!(
            "an order holds at most {} lines",
            super::ORDER_LINES_MAX
        )));
    }
    let ordered = order.lines.iter();
    super::checked_total(ordered.map(|l| (l.quantities.ordered, l.unit_price_minor)))
        .map_err(EditError::Invalid)?;
    Ok(changes)
}

/// A line's new quantity (0 cancels it) and price.
fn change_line(order: &mut Order, n: u32, e: &LineEdit) -> Result<serde_json::Value, EditError> {
    let line = order
        .lines
        .iter_mut()
        .find(|l| l.line_no == n)
        .ok_or(EditError::UnknownLine(n))?;
    let q = &mut line.quantities;
    let before = q.ordered - q.cancelled;
    if e.quantity == 0 {
        q.cancelled = q.ordered;
        q.backordered = 0;
    } else {
        q.ordered = q.cancelled + e.quantity;
        q.backordered = e.quantity;
    }
    if let Some(price) = e.unit_price_minor {
        line.unit_price_minor = price;
    }
    Ok(json!({ "line": n, "quantity_before": before, "quantity": e.quantity }))
}

/// A new line after the last, waiting for stock; answers its number.
fn add_line(order: &mut Order, e: &LineEdit) -> Result<(u32, serde_json::Value), EditError> {
    let (Some(sku), Some(price)) = (&e.sku, e.unit_price_minor) else {
        return Err(EditError::Invalid(
            "a new line needs a sku and a unit_price".into(),
        ));
    };
    if e.quantity == 0 {
        return Err(EditError::Invalid(
            "a new line needs a quantity of at least 1".into(),
        ));
    }
    let line_no = order.lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
    order.lines.push(OrderLine {
        line_no,
        sku: sku.clone(),
        unit_price_minor: price,
        quantities: LineQuantities {
            ordered: e.quantity,
            backordered: e.quantity,
            ..Default::default()
        },
        expected_date: None,
        preorder: false,
    });
    let added =
        json!({ "line": line_no, "sku": sku.as_str(), "quantity": e.quantity, "added": true });
    Ok((line_no, added))
}

/// Refuses the edit when a line of an item that may not wait is left short.
fn refuse_short(order: &Order, backorderable: &HashMap<Sku, bool>) -> Result<(), EditError> {
    let short: Vec<ShortLine> = order
        .lines
        .iter()
        .filter(|l| {
            l.quantities.backordered > 0 && !backorderable.get(&l.sku).copied().unwrap_or(false)
        })
        .map(|l| ShortLine {
            line_no: l.line_no,
            sku: l.sku.clone(),
            requested: l.quantities.ordered - l.quantities.cancelled,
            available: l.quantities.allocated,
        })
        .collect();
    if short.is_empty() {
        Ok(())
    } else {
        Err(EditError::Short(short))
    }
}
