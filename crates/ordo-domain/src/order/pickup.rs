//! Pickup in store when the store is short: under a profile whose `pickup_shortage` is
//! `transfer`, the missing units are routed from the locations that ship, to the store. They
//! are reserved where they are and ready at the store when a parcel sent now would arrive
//! there — later than the store's own units. Under `refuse` they are not brought: they wait
//! if the item may be backordered, else the order is refused naming the line.

use super::placement::PlaceContext;
use crate::allocation::{Destination, allocated_per_line, route};
use crate::inventory::StockBook;
use crate::location::{Location, location_point};
use crate::routing::{Explanation, PlannedAllocation, RouteLine};
use crate::values::LocationCode;

/// Adds to `routed` (what the store itself gives) the units of `lines` it lacks, from other
/// locations; answers the explanation of that second decision, if one was made.
pub(super) fn transfer_shortage(
    routed: &mut Vec<PlannedAllocation>,
    lines: &[RouteLine],
    store: &LocationCode,
    context: &PlaceContext<'_>,
    book: &StockBook,
    now_ms: i64,
) -> Result<Option<Explanation>, String> {
    let from_store = allocated_per_line(routed);
    let short: Vec<RouteLine> = lines
        .iter()
        .map(|l| RouteLine {
            quantity: l.quantity - from_store.get(&l.line_no).copied().unwrap_or(0),
            ..l.clone()
        })
        .filter(|l| l.quantity > 0)
        .collect();
    let Some(store) = context.locations.iter().find(|l| &l.code == store) else {
        return Ok(None);
    };
    if short.is_empty() {
        return Ok(None);
    }
    let excluded = |l: &Location| {
        context
            .rules
            .is_some_and(|r| r.excluded_locations.contains(&l.code))
    };
    let sources: Vec<&Location> = context
        .locations
        .iter()
        .filter(|l| l.code != store.code && l.ships() && !excluded(l))
        .collect();
    let to = Destination {
        point: location_point(store),
        country: Some(store.address.country),
        region: store.address.region.as_deref(),
        postal_code: Some(&store.address.postal_code),
        pickup: false,
        deliver_by: None,
    };
    let (_, checked) = route(
        &short,
        &sources,
        &to,
        book,
        context.rules,
        &context.routing,
        now_ms,
    )?;
    routed.extend(checked.plan);
    Ok(checked.explanation)
}
