//! The dates an order promises: per line from its reservations or its waiting units, and for
//! the order the latest of its open lines.

use jiff::civil::Date;

use super::{Delivery, Order, OrderLine};
use crate::geo::GeoPoint;
use crate::location::Location;
use std::collections::HashMap;

use crate::promise::{PromiseSource, TransitModel, from_stock, promise_from};
use crate::reservation::Reservation;
use crate::values::LocationCode;

pub(super) fn is_pickup(delivery: &Delivery) -> bool {
    matches!(delivery, Delivery::Pickup { .. })
}

/// The date a preorder line arrives: the release date, shipped from the closest source.
pub(super) fn preorder_date(
    release: Date,
    sources: &[&Location],
    destination: Option<GeoPoint>,
    now_ms: i64,
    transit: &dyn TransitModel,
    delivery: &Delivery,
) -> Option<Date> {
    sources
        .iter()
        .map(|l| {
            promise_from(
                l,
                Some(release),
                destination,
                now_ms,
                PromiseSource::Preorder,
                transit,
            )
        })
        .map(|p| {
            if is_pickup(delivery) {
                p.ship_date
            } else {
                p.date
            }
        })
        .min()
}

/// What dating a line's reservations needs.
pub(super) struct Dating<'a> {
    pub locations: &'a [Location],
    pub destination: Option<GeoPoint>,
    pub now_ms: i64,
    pub transit: &'a dyn TransitModel,
    /// Orders each location has taken today: a full one ships later.
    pub loads: &'a HashMap<LocationCode, i64>,
}

/// A line's expected date: the latest of its reservations' deliveries and, for units still
/// waiting, the date already found for them (none found: no date).
pub(super) fn line_date(
    line: &OrderLine,
    reservations: &[Reservation],
    delivery: &Delivery,
    dating: &Dating<'_>,
) -> Option<Date> {
    let mut date = if line.quantities.backordered > 0 {
        Some(line.expected_date?)
    } else {
        None
    };
    for r in reservations.iter().filter(|r| r.line_no == line.line_no) {
        let location = dating.locations.iter().find(|l| l.code == r.location)?;
        let load = dating.loads.get(&location.code).copied().unwrap_or(0);
        let p = from_stock(
            location,
            dating.destination,
            dating.now_ms,
            dating.transit,
            load,
        );
        // Picked up where it is: ready when it could ship. Brought to the pickup store from
        // elsewhere: ready when it arrives there.
        let at_the_store =
            matches!(delivery, Delivery::Pickup { location } if *location == r.location);
        let arrives = if at_the_store { p.ship_date } else { p.date };
        date = Some(date.map_or(arrives, |d: Date| d.max(arrives)));
    }
    date
}

/// The order's promise: its latest line, if every line has a date.
pub(crate) fn promised_date(order: &Order) -> Option<Date> {
    order
        .lines
        .iter()
        .filter(|l| l.quantities.ordered > l.quantities.cancelled + l.quantities.shipped)
        .map(|l| l.expected_date)
        .try_fold(None, |latest: Option<Date>, d| {
            d.map(|d| Some(latest.map_or(d, |l| l.max(d))))
        })
        .flatten()
}
