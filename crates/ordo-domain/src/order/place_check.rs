//! What placing checks before it routes: the items exist and are active, the total fits,
//! a named hold was made for the order's channel, and the delivery can be made — a pickup
//! location that exists, offers pickup and serves the channel. Answers the locations that
//! may fulfil the order and where its goods go.

use super::placement::{HoldToConvert, PlaceContext};
use super::{Delivery, OrderDraft, ShipTo};
use crate::field::FieldErrors;
use crate::geo::GeoPoint;
use crate::location::{Location, location_point};
use crate::values::LocationCode;

/// Checks the items, the delivery method and the hold; answers with the locations that may
/// fulfil and where the goods go.
pub(super) fn check_order<'a>(
    draft: &OrderDraft,
    context: &PlaceContext<'a>,
    hold: Option<&HoldToConvert<'_>>,
) -> Result<(Vec<&'a Location>, Option<GeoPoint>), FieldErrors> {
    let mut errors = FieldErrors::new();
    for (i, line) in draft.lines.iter().enumerate() {
        match context.items.get(&line.sku) {
            None => errors.push(
                format!("lines[{i}].sku"),
                format!("no item has SKU {}", line.sku),
            ),
            Some(facts) if !facts.active => errors.push(
                format!("lines[{i}].sku"),
                "the item is inactive and cannot be ordered",
            ),
            Some(_) => {}
        }
    }
    let priced = draft.lines.iter().map(|l| (l.quantity, l.unit_price_minor));
    if let Err(message) = super::checked_total(priced) {
        errors.push("lines", message);
    }
    if let Some(h) = hold
        && h.hold.channel.as_ref().is_some_and(|c| *c != draft.channel)
    {
        errors.push("hold_id", "the hold was made for another channel");
    }
    let excluded = |code: &LocationCode| {
        context
            .rules
            .is_some_and(|r| r.excluded_locations.contains(code))
    };
    let routing = match &draft.delivery {
        Delivery::Ship => {
            let destination = draft.ship_to.as_ref().and_then(ShipTo::point_or_postal);
            Some((
                context
                    .locations
                    .iter()
                    .filter(|l| l.active && !excluded(&l.code))
                    .collect(),
                destination,
            ))
        }
        Delivery::Pickup { location } => {
            match context.locations.iter().find(|l| &l.code == location) {
                None => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("no location has code {location}"),
                    );
                    None
                }
                Some(l) if !l.serves_pickup() => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("{location} does not offer pickup"),
                    );
                    None
                }
                Some(l) if excluded(&l.code) => {
                    errors.push(
                        "delivery.pickup_location",
                        format!("{location} does not serve this channel"),
                    );
                    None
                }
                Some(l) => Some((vec![l], location_point(l))),
            }
        }
    };
    errors.into_result()?;
    Ok(routing.unwrap_or_default())
}
