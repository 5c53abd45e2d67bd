//! Incoming supply as stored — open purchase-order and return lines, transfers on their way —
//! dated by when each location will have the units on its shelves: an inbound line on its
//! expected date, a transfer when it arrives by the transit model; either plus the location's
//! receiving lead time. Locations that are inactive or unknown do not count.

use std::collections::HashMap;

use jiff::civil::Date;

use super::SupplyView;
use crate::location::{Location, location_point};
use crate::promise::{Supply, TransitModel, add_days, delivery_date, utc_date};
use crate::values::{LocationCode, Sku};

/// Where incoming units come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// An open inbound line (a purchase order, say), expected at `location` on a date.
    Inbound {
        location: LocationCode,
        expected: Date,
    },
    /// A transfer shipped from one location to another.
    Transfer {
        from: LocationCode,
        to: LocationCode,
        shipped_at_ms: i64,
    },
}

/// Units of an item still to arrive from one inbound line or transfer line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingLine {
    pub sku: Sku,
    pub from: Incoming,
    pub units: i64,
}

/// What is still to arrive of some items, and the units of them orders already wait for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingSupply {
    pub lines: Vec<IncomingLine>,
    pub waiting: HashMap<Sku, i64>,
}

impl SupplyView {
    /// Dates each incoming line by when its location will have the units.
    pub fn dated(
        supply: IncomingSupply,
        locations: &[Location],
        transit: &dyn TransitModel,
    ) -> Self {
        let IncomingSupply { lines, waiting } = supply;
        let active = |code: &LocationCode| locations.iter().find(|l| &l.code == code && l.active);
        let known = |code: &LocationCode| locations.iter().find(|l| &l.code == code);
        let mut incoming: HashMap<Sku, Vec<Supply>> = HashMap::new();
        for line in &lines {
            let ready = match &line.from {
                Incoming::Inbound { location, expected } => {
                    active(location).map(|at| (at, *expected))
                }
                Incoming::Transfer {
                    from,
                    to,
                    shipped_at_ms,
                } => known(from).zip(active(to)).map(|(from, to)| {
                    let days = transit.transit_days(location_point(from), location_point(to));
                    (to, delivery_date(utc_date(*shipped_at_ms), days))
                }),
            };
            let Some((at, arrives)) = ready else {
                continue;
            };
            let supply = Supply {
                location: at.code.clone(),
                ready: add_days(arrives, at.receiving_lead_time_days),
                quantity: line.units,
            };
            incoming.entry(line.sku.clone()).or_default().push(supply);
        }
        Self { incoming, waiting }
    }
}
