//! Availability to promise: per location and for the network, before and after a channel's
//! stock rules.

use crate::channel::StockRules;
use crate::values::{LocationCode, Sku};

use super::position::Position;

/// One location's figures for an item, and what may be promised from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationAvailability {
    pub position: Position,
    /// Available to promise here, after the channel's rules when a channel was named.
    pub available: i64,
}

/// What one item is available to promise, across the network and per location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuAvailability {
    pub sku: Sku,
    pub on_hand: i64,
    pub reserved: i64,
    pub unsellable: i64,
    /// The sum over locations of what each may promise.
    pub available: i64,
    pub locations: Vec<LocationAvailability>,
}

/// Sums the positions of one item at the locations that can fulfil, applying a channel's rules
/// when given. Each location contributes its own clamped availability: one location's deficit
/// never hides another's stock.
pub fn summarize(
    sku: Sku,
    positions: Vec<Position>,
    rules: Option<&StockRules>,
) -> SkuAvailability {
    let plain: Vec<(LocationCode, i64)> = positions
        .iter()
        .map(|p| (p.location.clone(), p.available()))
        .collect();
    let promised = match rules {
        Some(rules) => channel_available(&sku, &plain, rules),
        None => plain,
    };
    let locations: Vec<LocationAvailability> = positions
        .into_iter()
        .zip(promised)
        .map(|(position, (_, available))| LocationAvailability {
            position,
            available,
        })
        .collect();
    SkuAvailability {
        on_hand: locations.iter().map(|l| l.position.on_hand).sum(),
        reserved: locations.iter().map(|l| l.position.reserved).sum(),
        unsellable: locations.iter().map(|l| l.position.unsellable()).sum(),
        available: locations.iter().map(|l| l.available).sum(),
        sku,
        locations,
    }
}

/// What a channel may promise of one item at each location: excluded locations give nothing,
/// the channel's percentage is taken off each location (rounding down), and the item's fixed
/// buffer comes off the network total, from the locations holding the most first. The answer
/// keeps the order of `per_location`.
pub fn channel_available(
    sku: &Sku,
    per_location: &[(LocationCode, i64)],
    rules: &StockRules,
) -> Vec<(LocationCode, i64)> {
    let share = 100 - i64::from(rules.buffer_percent.min(100));
    let mut out: Vec<(LocationCode, i64)> = per_location
        .iter()
        .map(|(location, available)| {
            let allowed = if rules.excluded_locations.contains(location) {
                0
            } else {
                available * share / 100
            };
            (location.clone(), allowed.max(0))
        })
        .collect();
    let mut buffer = rules.item(sku).map_or(0, |r| r.buffer_units);
    let mut by_size: Vec<usize> = (0..out.len()).collect();
    by_size.sort_by(|a, b| {
        out[*b]
            .1
            .cmp(&out[*a].1)
            .then_with(|| out[*a].0.cmp(&out[*b].0))
    });
    for i in by_size {
        if buffer == 0 {
            break;
        }
        let taken = buffer.min(out[i].1);
        out[i].1 -= taken;
        buffer -= taken;
    }
    out
}
