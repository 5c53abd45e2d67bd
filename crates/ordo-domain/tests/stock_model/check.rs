//! The invariants checked after every step.

use std::collections::HashMap;

use ordo_domain::hold::HoldStatus;
use ordo_domain::reservation::{ReservationOwner, ReservationStatus};
use ordo_domain::transfer::TransferStatus;
use ordo_domain::values::{LocationCode, Sku};

use crate::SKUS;
use crate::world::World;

impl World {
    /// Every invariant listed at the top of this file.
    pub fn check(&self) -> Result<(), String> {
        let mut held: HashMap<(LocationCode, Sku), i64> = HashMap::new();
        for r in self
            .reservations
            .iter()
            .filter(|r| r.status == ReservationStatus::Held)
        {
            if r.quantity < 1 {
                return Err(format!("reservation {} holds {} units", r.id, r.quantity));
            }
            *held.entry((r.location.clone(), r.sku.clone())).or_default() += r.quantity;
        }
        let mut explained: HashMap<(LocationCode, Sku), (i64, i64)> = HashMap::new();
        for e in &self.ledger {
            let sums = explained
                .entry((e.location.clone(), e.sku.clone()))
                .or_default();
            sums.0 += e.on_hand_delta;
            sums.1 += e.reserved_delta;
            if (sums.0, sums.1) != (e.on_hand_after, e.reserved_after) {
                return Err(format!(
                    "ledger deltas disagree with their after-figures at {}@{}",
                    e.sku, e.location
                ));
            }
        }
        let mut in_network: HashMap<Sku, i64> = HashMap::new();
        for p in self.book.positions() {
            p.check()
                .map_err(|e| format!("{}@{}: {e}", p.sku, p.location))?;
            let key = (p.location.clone(), p.sku.clone());
            let live = held.get(&key).copied().unwrap_or(0);
            if p.reserved != live {
                return Err(format!(
                    "{}@{} reserves {}, its reservations hold {live}",
                    p.sku, p.location, p.reserved
                ));
            }
            if explained.get(&key).copied().unwrap_or((0, 0)) != (p.on_hand, p.reserved) {
                return Err(format!(
                    "the ledger does not explain {}@{}",
                    p.sku, p.location
                ));
            }
            *in_network.entry(p.sku.clone()).or_default() += p.on_hand;
        }
        for t in &self.transfers {
            let mine: i64 = self
                .reservations
                .iter()
                .filter(|r| {
                    r.owner == ReservationOwner::Transfer
                        && r.owner_id == t.id
                        && r.status == ReservationStatus::Held
                })
                .map(|r| r.quantity)
                .sum();
            for l in &t.lines {
                if !(0 <= l.received && l.received <= l.shipped && l.shipped <= l.quantity) {
                    return Err(format!("transfer {} line: {l:?}", t.id));
                }
                *in_network.entry(l.sku.clone()).or_default() += l.shipped - l.received;
            }
            let wanted: i64 = t.lines.iter().map(|l| l.quantity).sum();
            let expected = if t.status == TransferStatus::Requested {
                wanted
            } else {
                0
            };
            if mine != expected {
                return Err(format!(
                    "transfer {} ({}) holds {mine} units, expected {expected}",
                    t.id,
                    t.status.as_str()
                ));
            }
        }
        for s in SKUS.map(|s| Sku::parse(s).unwrap()) {
            let (have, came) = (
                in_network.get(&s).copied().unwrap_or(0),
                self.net_in.get(&s).copied().unwrap_or(0),
            );
            if have != came {
                return Err(format!(
                    "{s}: {have} units in the network, {came} came in net"
                ));
            }
        }
        for h in &self.holds {
            let mine: i64 = self
                .reservations
                .iter()
                .filter(|r| {
                    r.owner == ReservationOwner::Hold
                        && r.owner_id == h.id
                        && r.status == ReservationStatus::Held
                })
                .map(|r| r.quantity)
                .sum();
            let asked: i64 = h.lines.iter().map(|l| l.quantity).sum();
            if mine > asked || (h.status != HoldStatus::Active && mine > 0) {
                return Err(format!(
                    "hold {} ({}) holds {mine} of {asked}",
                    h.id,
                    h.status.as_str()
                ));
            }
        }
        Ok(())
    }
}
