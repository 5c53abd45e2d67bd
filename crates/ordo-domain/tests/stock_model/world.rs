//! The model's world: the stock the store keeps, in memory, and the steps that change it,
//! each done with the domain functions the store calls.

use std::collections::HashMap;

use ordo_domain::allocation::{Destination, ReserveFor, Routing, reserve, route};
use ordo_domain::geo::{CountryCode, GeoPoint};
use ordo_domain::hold::{Hold, HoldRequest, HoldStatus, end_hold, place_hold};
use ordo_domain::inbound::{Inbound, InboundKind, InboundLine, InboundStatus};
use ordo_domain::inventory::{Cause, LedgerEntry, Movement, Position, StockBook, StockState};
use ordo_domain::location::{Capabilities, Location, LocationAddress, LocationKind, TimeZoneName};
use ordo_domain::order::ItemFacts;
use ordo_domain::promise::DistanceBands;
use ordo_domain::reservation::{
    Reservation, ReservationOwner, ReservationStatus, release_expired, shrink_to_fit,
};
use ordo_domain::routing::{ProfileRouter, RouteLine, RoutingProfile, Strategy};
use ordo_domain::transfer::{Transfer, TransferLine, TransferStatus};
use ordo_domain::values::{LocationCode, Sku};

use crate::{ACTOR, LOCATIONS, Op, SKUS};

mod supply;

fn location(code: &str, lat: f64) -> Location {
    Location {
        code: LocationCode::parse(code).unwrap(),
        name: code.into(),
        kind: LocationKind::Warehouse,
        address: LocationAddress {
            country: CountryCode::parse("DE").unwrap(),
            region: None,
            city: "X".into(),
            line1: None,
            line2: None,
            postal_code: "10115".into(),
            point: Some(GeoPoint::new(lat, 10.0).unwrap()),
        },
        capabilities: Capabilities {
            ship: true,
            pickup: true,
        },
        daily_order_capacity: None,
        cutoff_local_time: None,
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        receiving_lead_time_days: 1,
        release_waves: Default::default(),
        active: true,
        created_at_ms: 0,
        updated_at_ms: 0,
    }
}

/// Everything the store keeps about stock, in memory.
pub struct World {
    pub locations: Vec<Location>,
    pub items: HashMap<Sku, ItemFacts>,
    pub book: StockBook,
    pub reservations: Vec<Reservation>,
    pub holds: Vec<Hold>,
    pub transfers: Vec<Transfer>,
    pub inbound: Vec<Inbound>,
    pub ledger: Vec<LedgerEntry>,
    /// Per item: units that came into the network minus units shipped to customers.
    pub net_in: HashMap<Sku, i64>,
    pub now_ms: i64,
    pub next_id: u64,
}

/// What a refused step must leave untouched.
pub type Snapshot = (Vec<Position>, Vec<Reservation>, usize);

impl World {
    pub fn new() -> Self {
        let items = SKUS
            .iter()
            .map(|s| {
                let facts = ItemFacts {
                    active: true,
                    weight_g: None,
                    allow_backorder: false,
                    preorder: None,
                };
                (Sku::parse(s).unwrap(), facts)
            })
            .collect();
        Self {
            locations: vec![
                location(LOCATIONS[0], 54.0),
                location(LOCATIONS[1], 48.0),
                location(LOCATIONS[2], 51.0),
            ],
            items,
            book: StockBook::default(),
            reservations: Vec::new(),
            holds: Vec::new(),
            transfers: Vec::new(),
            inbound: Vec::new(),
            ledger: Vec::new(),
            net_in: HashMap::new(),
            now_ms: 1_800_000_000_000,
            next_id: 0,
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn cause(&self) -> Cause<'static> {
        Cause {
            at_ms: self.now_ms,
            reason: Some("model"),
            reference: None,
            actor: ACTOR,
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut positions: Vec<Position> = self.book.positions().cloned().collect();
        positions.sort_by(|a, b| (&a.location, &a.sku).cmp(&(&b.location, &b.sku)));
        (positions, self.reservations.clone(), self.ledger.len())
    }

    fn held_of(&self, owner: ReservationOwner) -> Vec<usize> {
        (0..self.reservations.len())
            .filter(|i| {
                let r = &self.reservations[*i];
                r.owner == owner && r.status == ReservationStatus::Held
            })
            .collect()
    }

    fn owned_mut(&mut self, owner: ReservationOwner, id: &str) -> Vec<Reservation> {
        let (mine, rest) = std::mem::take(&mut self.reservations)
            .into_iter()
            .partition(|r| r.owner == owner && r.owner_id == id);
        self.reservations = rest;
        mine
    }

    /// Applies one step; `Err` means the domain refused it, which must change nothing.
    pub fn step(&mut self, op: &Op) -> Result<(), String> {
        let loc = |i: usize| LocationCode::parse(LOCATIONS[i]).unwrap();
        let sku = |i: usize| Sku::parse(SKUS[i]).unwrap();
        let state = |i: usize| StockState::ALL[i];
        match *op {
            Op::Adjust {
                at,
                delta,
                state: s,
            } => {
                let movement = Movement::Adjust {
                    delta,
                    state: state(s),
                };
                let entry = self
                    .book
                    .apply(&loc(at.0), &sku(at.1), movement, self.cause())
                    .map_err(|e| e.to_string())?;
                *self.net_in.entry(sku(at.1)).or_default() += delta;
                self.ledger.push(entry);
            }
            Op::Sync {
                at,
                on_hand,
                damaged,
            } => {
                // As the store applies a snapshot row: make room for the count, then count.
                let (l, s) = (loc(at.0), sku(at.1));
                let current = self
                    .book
                    .get(&l, &s)
                    .cloned()
                    .unwrap_or(Position::empty(l.clone(), s.clone()));
                let room = on_hand - damaged.unwrap_or(current.damaged) - current.quality_hold;
                if room < 0 {
                    return Err("the count leaves no room for its unsellable units".into());
                }
                let (mut here, rest): (Vec<Reservation>, Vec<Reservation>) =
                    std::mem::take(&mut self.reservations)
                        .into_iter()
                        .partition(|r| r.location == l && r.sku == s);
                self.reservations = rest;
                let cause = self.cause();
                let (given, ledger) = shrink_to_fit(&mut here, room, &mut self.book, cause)
                    .map_err(|e| format!("BUG: making room failed: {e}"))?;
                self.reservations.extend(here);
                self.ledger.extend(ledger);
                for g in given
                    .iter()
                    .filter(|g| g.owner == ReservationOwner::Transfer)
                {
                    let t = self
                        .transfers
                        .iter_mut()
                        .find(|t| t.id == g.owner_id)
                        .unwrap();
                    let line = t.lines.iter_mut().find(|x| x.line_no == g.line_no).unwrap();
                    line.quantity -= g.units;
                }
                let movement = Movement::Count {
                    on_hand,
                    safety_stock: None,
                    damaged,
                    quality_hold: None,
                };
                let entry = self
                    .book
                    .apply(&l, &s, movement, cause)
                    .map_err(|e| format!("BUG: a count with room refused: {e}"))?;
                *self.net_in.entry(s).or_default() += entry.on_hand_delta;
                self.ledger.push(entry);
            }
            Op::Reclassify {
                at,
                quantity,
                from,
                to,
            } => {
                let movement = Movement::Reclassify {
                    quantity,
                    from: state(from),
                    to: state(to),
                };
                let entry = self
                    .book
                    .apply(&loc(at.0), &sku(at.1), movement, self.cause())
                    .map_err(|e| e.to_string())?;
                self.ledger.push(entry);
            }
            Op::Hold {
                sku: s,
                quantity,
                ttl_s,
                at_store,
            } => {
                let hold_id = self.id("h");
                let lines = [(sku(s), quantity)];
                let store = loc(2);
                let request = HoldRequest {
                    hold_id: &hold_id,
                    channel: None,
                    lines: &lines,
                    location: at_store.then_some(&store),
                    destination: Some(GeoPoint::new(50.0, 10.0).unwrap()),
                    country: None,
                    ttl_s,
                    now_ms: self.now_ms,
                    actor: ACTOR,
                };
                let mut next = self.next_id;
                let mut new_id = || {
                    next += 1;
                    format!("r{next}")
                };
                let placed = place_hold(
                    &request,
                    &self.items,
                    &self.locations,
                    None,
                    &mut self.book,
                    &Routing {
                        router: &ProfileRouter::default(),
                        transit: &DistanceBands::default(),
                        loads: &HashMap::new(),
                    },
                    &mut new_id,
                )
                .map_err(|e| format!("hold refused: {e:?}"))?;
                self.next_id = next;
                self.reservations.extend(placed.reservations);
                self.ledger.extend(placed.ledger);
                self.holds.push(placed.hold);
            }
            Op::EndHold { pick } => {
                let active: Vec<usize> = (0..self.holds.len())
                    .filter(|i| self.holds[*i].is_active(self.now_ms))
                    .collect();
                let Some(&i) = active.get(pick % active.len().max(1)) else {
                    return Ok(());
                };
                let id = self.holds[i].id.clone();
                let mut mine = self.owned_mut(ReservationOwner::Hold, &id);
                let ledger = end_hold(
                    &mut self.holds[i],
                    &mut mine,
                    &mut self.book,
                    HoldStatus::Released,
                    self.now_ms,
                    ACTOR,
                )
                .map_err(|e| format!("BUG: ending a hold failed: {e}"))?;
                self.reservations.extend(mine);
                self.ledger.extend(ledger);
            }
            Op::Reserve { sku: s, quantity } => {
                // An order line, routed at least cost; whatever is short waits.
                let order_id = self.id("o");
                let lines = [RouteLine {
                    line_no: 1,
                    sku: sku(s),
                    quantity,
                    unit_weight_g: None,
                }];
                let sources: Vec<&Location> = self.locations.iter().collect();
                let to = Destination {
                    point: Some(GeoPoint::new(50.0, 10.0).unwrap()),
                    ..Destination::default()
                };
                let optimal = ProfileRouter::new(RoutingProfile {
                    strategy: Strategy::Optimal,
                    ..RoutingProfile::default()
                });
                let routing = Routing {
                    router: &optimal,
                    transit: &DistanceBands::default(),
                    loads: &HashMap::new(),
                };
                let (_, checked) = route(
                    &lines,
                    &sources,
                    &to,
                    &self.book,
                    None,
                    &routing,
                    self.now_ms,
                )?;
                let planned = checked.plan;
                let owner = ReserveFor {
                    owner: ReservationOwner::Order,
                    owner_id: &order_id,
                    expires_at_ms: None,
                };
                let mut next = self.next_id;
                let mut new_id = || {
                    next += 1;
                    format!("r{next}")
                };
                let cause = self.cause();
                let (reservations, ledger) =
                    reserve(&planned, &lines, owner, &mut self.book, cause, &mut new_id)
                        .map_err(|e| format!("BUG: {e}"))?;
                self.next_id = next;
                self.reservations.extend(reservations);
                self.ledger.extend(ledger);
            }
            Op::Release { pick } => {
                let held = self.held_of(ReservationOwner::Order);
                let Some(&i) = held.get(pick % held.len().max(1)) else {
                    return Ok(());
                };
                let cause = self.cause();
                let entry = self.reservations[i]
                    .release(&mut self.book, cause)
                    .map_err(|e| format!("BUG: {e}"))?;
                self.ledger.push(entry);
            }
            Op::Commit { pick, quantity } => {
                let held = self.held_of(ReservationOwner::Order);
                let Some(&i) = held.get(pick % held.len().max(1)) else {
                    return Ok(());
                };
                let rest_id = self.id("r");
                let cause = self.cause();
                let r = &mut self.reservations[i];
                let sku = r.sku.clone();
                let (entry, rest) = r
                    .commit(quantity, &mut self.book, cause, || rest_id)
                    .map_err(|e| e.to_string())?;
                *self.net_in.entry(sku).or_default() -= quantity;
                self.ledger.push(entry);
                self.reservations.extend(rest);
            }
            Op::Tick { seconds } => {
                self.now_ms += seconds * 1000;
                let ledger =
                    release_expired(&mut self.reservations, &mut self.book, self.now_ms, ACTOR)
                        .map_err(|e| format!("BUG: releasing expired holds failed: {e}"))?;
                self.ledger.extend(ledger);
                let now = self.now_ms;
                for h in self
                    .holds
                    .iter_mut()
                    .filter(|h| h.status_at(now) == HoldStatus::Expired)
                {
                    h.status = HoldStatus::Expired;
                }
            }
            ref supply => self.step_supply(supply)?,
        }
        Ok(())
    }
}
