//! Units a stock count took back from an order line at one location: they wait again, and
//! the location's open work for the line loses whatever is no longer reserved there.

use super::{FulfillmentOrder, take_missing};
use crate::order::{FulfilError, Order, OrderEvent, return_to_waiting};
use crate::values::LocationCode;

/// What a count took from one order line.
pub struct TakeBack<'a> {
    pub line_no: u32,
    pub units: i64,
    pub location: &'a LocationCode,
    /// Units of the line still reserved at the location after the count.
    pub still_held: i64,
    pub now_ms: i64,
    pub actor: &'a str,
}

/// Returns the units to waiting and takes them out of the open work at the location that no
/// longer has them. Answers the order's event and the indexes of the work it changed.
pub fn take_back(
    order: &mut Order,
    open: &mut [FulfillmentOrder],
    taking: &TakeBack<'_>,
) -> Result<(OrderEvent, Vec<usize>), FulfilError> {
    let line_no = taking.line_no;
    let released_before = order
        .lines
        .iter()
        .find(|l| l.line_no == line_no)
        .map_or(0, |l| l.quantities.released);
    let location = taking.location.as_str();
    let event = return_to_waiting(
        order,
        line_no,
        taking.units,
        location,
        taking.now_ms,
        taking.actor,
    )?;
    let (mut taken, mut still_held, mut changed) = (0, taking.still_held, Vec::new());
    for (i, fo) in open.iter_mut().enumerate() {
        if fo.location != *taking.location {
            continue;
        }
        let open_units = fo.open_units(line_no);
        let kept = open_units.min(still_held);
        still_held -= kept;
        if open_units > kept {
            taken += take_missing(fo, line_no, open_units - kept, taking.now_ms);
            changed.push(i);
        }
    }
    if let Some(line) = order.lines.iter_mut().find(|l| l.line_no == line_no) {
        let q = &mut line.quantities;
        q.released = (released_before - taken).clamp(0, q.allocated);
    }
    Ok((event, changed))
}
