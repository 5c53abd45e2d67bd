//! The lines of an order being placed: what each got from the hold and the router, and what
//! becomes of the units left over — preordered (before the item's release, within its cap),
//! backordered with a date from incoming supply (if the item may wait), or short, which
//! refuses the order naming the line.

use std::collections::HashMap;

use super::dates::preorder_date;
use super::placement::{PlaceContext, PlaceInput, PlaceRejection, ShortLine, SupplyView};
use super::{LineQuantities, OrderLine};
use crate::allocation::allocated_per_line;
use crate::geo::GeoPoint;
use crate::item::ItemFacts;
use crate::location::Location;
use crate::promise::{promise_from_supply, utc_date};
use crate::routing::{Candidate, Explanation, PlannedAllocation, RouteLine};
use crate::values::Sku;

/// What the router made of the lines the hold did not cover.
pub(super) struct Routed {
    /// The locations it weighed, with their stock.
    pub candidates: Vec<Candidate>,
    pub plan: Vec<PlannedAllocation>,
    pub routing: Option<Explanation>,
}

/// Deciding the units an order could not be given now.
pub(super) struct Waiting<'w, 'c> {
    pub input: &'w PlaceInput<'w>,
    pub context: &'w PlaceContext<'c>,
    pub sources: &'w [&'w Location],
    pub destination: Option<GeoPoint>,
    /// Whether a carrier can bring the goods: units no carrier can bring wait on the order's
    /// shipping hold, promised nothing.
    pub served: bool,
}

impl Waiting<'_, '_> {
    /// The order's lines, each with its units allocated and waiting; refused when a line's
    /// missing units may neither be preordered nor backordered. Preorder units taken and
    /// units waiting ahead are counted in `items` and `supply`.
    pub fn order_lines(
        &self,
        lines: &[RouteLine],
        from_hold: &HashMap<u32, i64>,
        routed: &Routed,
        items: &mut HashMap<Sku, ItemFacts>,
        supply: &mut SupplyView,
    ) -> Result<Vec<OrderLine>, PlaceRejection> {
        let routed_per_line = allocated_per_line(&routed.plan);
        let mut order_lines = Vec::with_capacity(lines.len());
        let mut shorts = Vec::new();
        for (line, draft_line) in lines.iter().zip(&self.input.draft.lines) {
            let allocated = from_hold.get(&line.line_no).copied().unwrap_or(0)
                + routed_per_line.get(&line.line_no).copied().unwrap_or(0);
            let missing = line.quantity - allocated;
            let mut order_line = OrderLine {
                line_no: line.line_no,
                sku: line.sku.clone(),
                unit_price_minor: draft_line.unit_price_minor,
                quantities: LineQuantities {
                    ordered: line.quantity,
                    allocated,
                    backordered: missing,
                    ..Default::default()
                },
                expected_date: None,
                preorder: false,
            };
            if missing > 0 && self.served && !self.wait(&mut order_line, missing, items, supply) {
                let candidates = routed.candidates.iter();
                shorts.push(ShortLine {
                    line_no: line.line_no,
                    sku: line.sku.clone(),
                    requested: line.quantity,
                    available: candidates.map(|c| c.available_of(&line.sku)).sum(),
                });
            }
            order_lines.push(order_line);
        }
        if !shorts.is_empty() {
            return Err(PlaceRejection::Short(shorts));
        }
        Ok(order_lines)
    }

    /// Preorders the line's missing units, or backorders them with a date from incoming
    /// supply; false when the channel's rules and the item allow neither.
    fn wait(
        &self,
        line: &mut OrderLine,
        missing: i64,
        items: &mut HashMap<Sku, ItemFacts>,
        supply: &mut SupplyView,
    ) -> bool {
        let (input, context) = (self.input, self.context);
        let facts = items.get_mut(&line.sku);
        let rule = context.rules.and_then(|r| r.item(&line.sku));
        let preorder_open = rule.and_then(|r| r.allow_preorder) != Some(false);
        let may_wait = rule
            .and_then(|r| r.allow_backorder)
            .unwrap_or(facts.as_ref().is_some_and(|f| f.allow_backorder));
        let today = utc_date(input.now_ms);
        let transit = context.routing.transit;
        match facts.and_then(|f| f.preorder.as_mut()) {
            Some(p) if preorder_open && p.release_date > today && p.taken + missing <= p.cap => {
                p.taken += missing;
                line.preorder = true;
                line.expected_date = preorder_date(
                    p.release_date,
                    self.sources,
                    self.destination,
                    input.now_ms,
                    transit,
                    &input.draft.delivery,
                );
                true
            }
            _ if may_wait => {
                let ahead = supply.waiting.entry(line.sku.clone()).or_insert(0);
                let incoming = supply
                    .incoming
                    .get(&line.sku)
                    .map_or(&[][..], Vec::as_slice);
                line.expected_date = promise_from_supply(
                    incoming,
                    *ahead,
                    missing,
                    context.locations,
                    self.destination,
                    input.now_ms,
                    transit,
                )
                .map(|p| p.date);
                *ahead += missing;
                true
            }
            _ => false,
        }
    }
}
