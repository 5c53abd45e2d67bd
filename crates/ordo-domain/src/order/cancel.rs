//! Cancelling an order: give back every unit it holds and close its open quantities.

use serde_json::json;

use super::{IllegalTransition, Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus};
use crate::fulfillment::{FulfillmentOrder, FulfillmentStatus, confirm_cancel};
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
        OrderEventKind::Cancelled,
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

/// Units of one line to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelUnits {
    pub line_no: u32,
    pub units: i64,
}

/// What cancelling units decided: stock given back at once, and what was asked of locations.
#[derive(Debug, Default)]
pub struct UnitsCancelled {
    pub ledger: Vec<LedgerEntry>,
    pub events: Vec<OrderEvent>,
    /// Units that stay with a location until it confirms: (fulfilment order, line, units).
    pub asked: Vec<(String, u32, i64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CancelUnitsError {
    #[error("line {0} is not on this order")]
    UnknownLine(u32),
    #[error("line {line} has {open} units that can still be cancelled, not {requested}")]
    TooMany {
        line: u32,
        open: i64,
        requested: i64,
    },
    #[error(transparent)]
    Cancel(#[from] CancelError),
    /// Cancelling work its location had not accepted failed: a broken invariant.
    #[error("cancelling released work: {0}")]
    Work(String),
}

/// Cancels units of lines: waiting units at once, then allocated units not yet released to a
/// location (their reservations given back at once), then released units — those are asked
/// of their fulfilment orders (`cancel_requested`). Work its location has not accepted has not
/// started: it is cancelled at once. Units a location has accepted stay until it confirms or
/// ships anyway. The order's status follows its quantities.
#[allow(clippy::too_many_arguments)]
pub fn cancel_units(
    order: &mut Order,
    reservations: &mut [Reservation],
    work: &mut [FulfillmentOrder],
    requests: &[CancelUnits],
    book: &mut StockBook,
    reason: Option<&str>,
    actor: &str,
    now_ms: i64,
) -> Result<UnitsCancelled, CancelUnitsError> {
    let mut done = UnitsCancelled::default();
    let cause = Cause {
        at_ms: now_ms,
        reason,
        reference: Some(&order.id),
        actor,
    };
    let mut cancelled = Vec::with_capacity(requests.len());
    for request in requests {
        let line = order
            .lines
            .iter_mut()
            .find(|l| l.line_no == request.line_no)
            .ok_or(CancelUnitsError::UnknownLine(request.line_no))?;
        let mut units = Units {
            line,
            reservations,
            work,
            done: &mut done,
        };
        units.cancel(request, book, cause, now_ms)?;
        cancelled.push(json!({ "line": request.line_no, "quantity": request.units }));
    }
    cancel_unaccepted(order, reservations, work, book, actor, now_ms, &mut done)?;
    order.updated_at_ms = now_ms;
    order.promised_date = super::dates::promised_date(order);
    let asked: Vec<_> = done
        .asked
        .iter()
        .map(
            |(fo, line, units)| json!({ "fulfillment_order": fo, "line": line, "quantity": units }),
        )
        .collect();
    let kind = if asked.is_empty() {
        OrderEventKind::UnitsCancelled
    } else {
        OrderEventKind::CancelRequested
    };
    let data = json!({ "lines": cancelled, "asked_locations": asked });
    let event = match order
        .follow_quantities(now_ms, kind, actor, reason, data.clone())
        .map_err(CancelError::from)?
    {
        Some(event) => event,
        None => order.event(now_ms, kind, None, actor, reason, data),
    };
    done.events.push(event);
    Ok(done)
}

/// One line's units being cancelled, with what the order holds for it.
struct Units<'a> {
    line: &'a mut OrderLine,
    reservations: &'a mut [Reservation],
    work: &'a mut [FulfillmentOrder],
    done: &'a mut UnitsCancelled,
}

impl Units<'_> {
    /// Waiting units first, then allocated units no location holds, then asks the locations.
    fn cancel(
        &mut self,
        request: &CancelUnits,
        book: &mut StockBook,
        cause: Cause<'_>,
        now_ms: i64,
    ) -> Result<(), CancelUnitsError> {
        let line_no = request.line_no;
        let q = &self.line.quantities;
        let open = q.ordered - q.cancelled - q.shipped;
        let asked_already: i64 = self
            .work
            .iter()
            .flat_map(|f| f.lines.iter().filter(|l| l.line_no == line_no))
            .map(|l| l.cancel_requested)
            .sum();
        if request.units < 1 || request.units > open - asked_already {
            return Err(CancelUnitsError::TooMany {
                line: line_no,
                open: open - asked_already,
                requested: request.units,
            });
        }
        let q = &mut self.line.quantities;
        let waiting = request.units.min(q.backordered);
        q.backordered -= waiting;
        q.cancelled += waiting;
        let left = request.units - waiting;
        let left = self.give_back_free(left, book, cause)?;
        let left = self.ask_locations(left, now_ms);
        if left > 0 {
            return Err(CancelUnitsError::TooMany {
                line: line_no,
                open: request.units - left,
                requested: request.units,
            });
        }
        let q = &self.line.quantities;
        if q.backordered == 0 && q.allocated == 0 {
            self.line.expected_date = None;
        }
        Ok(())
    }

    /// Gives back allocated units not in a location's open work, newest first; answers how
    /// many of `left` remain.
    fn give_back_free(
        &mut self,
        mut left: i64,
        book: &mut StockBook,
        cause: Cause<'_>,
    ) -> Result<i64, CancelUnitsError> {
        let line_no = self.line.line_no;
        let reservations = &mut *self.reservations;
        let is_held = |r: &Reservation| r.status == ReservationStatus::Held && r.line_no == line_no;
        let mut held: Vec<usize> = (0..reservations.len())
            .filter(|&i| is_held(&reservations[i]))
            .collect();
        held.sort_by_key(|&i| {
            std::cmp::Reverse((reservations[i].created_at_ms, reservations[i].id.clone()))
        });
        for i in held {
            if left == 0 {
                break;
            }
            let location = &reservations[i].location;
            let held_there: i64 = reservations
                .iter()
                .filter(|r| is_held(r) && &r.location == location)
                .map(|r| r.quantity)
                .sum();
            let in_work: i64 = self
                .work
                .iter()
                .filter(|f| &f.location == location)
                .map(|f| f.open_units(line_no))
                .sum();
            let free = (held_there - in_work)
                .min(reservations[i].quantity)
                .min(left);
            if free <= 0 {
                continue;
            }
            let entry = reservations[i]
                .give_back(free, book, cause)
                .map_err(CancelError::from)?;
            self.done.ledger.push(entry);
            let q = &mut self.line.quantities;
            q.allocated -= free;
            q.cancelled += free;
            left -= free;
        }
        Ok(left)
    }

    /// Asks the locations holding the line's units in open work to cancel what is left;
    /// answers how many of `left` no location could be asked for.
    fn ask_locations(&mut self, mut left: i64, now_ms: i64) -> i64 {
        let line_no = self.line.line_no;
        for fo in self.work.iter_mut().filter(|f| f.status.is_open()) {
            if left == 0 {
                break;
            }
            if let Some(fl) = fo.lines.iter_mut().find(|l| l.line_no == line_no) {
                let ask = (fl.quantity - fl.shipped - fl.cancel_requested).min(left);
                if ask > 0 {
                    fl.cancel_requested += ask;
                    fo.cancel_requested = true;
                    fo.updated_at_ms = now_ms;
                    self.done.asked.push((fo.id.clone(), line_no, ask));
                    left -= ask;
                }
            }
        }
        left
    }
}

/// Confirms at once what was asked of work its location has not accepted yet.
fn cancel_unaccepted(
    order: &mut Order,
    reservations: &mut [Reservation],
    work: &mut [FulfillmentOrder],
    book: &mut StockBook,
    actor: &str,
    now_ms: i64,
    done: &mut UnitsCancelled,
) -> Result<(), CancelUnitsError> {
    let asked: Vec<String> = done.asked.iter().map(|(id, _, _)| id.clone()).collect();
    let unaccepted = |f: &FulfillmentOrder| {
        f.status == FulfillmentStatus::Released && f.cancel_requested && asked.contains(&f.id)
    };
    for fo in work.iter_mut().filter(|f| unaccepted(f)) {
        let confirmed = confirm_cancel(fo, order, reservations, book, now_ms, actor)
            .map_err(|e| CancelUnitsError::Work(e.to_string()))?;
        done.ledger.extend(confirmed.ledger);
        done.events.extend(confirmed.events);
        done.asked.retain(|(id, _, _)| *id != fo.id);
    }
    Ok(())
}
