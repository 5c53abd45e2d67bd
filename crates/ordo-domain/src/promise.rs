//! Delivery promises: when a location ships (its next cut-off, on shipping days), how long the
//! parcel travels, and so when it arrives. The transit model is a trait so that carriers'
//! transit tables can replace the distance bands used until they arrive.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::geo::GeoPoint;
use crate::location::Location;
use crate::location::location_point;
use crate::values::LocationCode;

/// Days a parcel travels between two points, counted in delivery days (Monday to Saturday).
pub trait TransitModel: Send + Sync {
    fn transit_days(&self, from: Option<GeoPoint>, to: Option<GeoPoint>) -> u32;
}

/// Transit by great-circle distance: up to each band's kilometres, its days; beyond the last
/// band, one more day per `beyond_km_per_day`. Unknown endpoints get `unknown_days`.
#[derive(Debug, Clone)]
pub struct DistanceBands {
    pub bands: Vec<(f64, u32)>,
    pub beyond_km_per_day: f64,
    pub unknown_days: u32,
}

impl Default for DistanceBands {
    /// Parcel networks in one European country: next day within a region, two days across it.
    fn default() -> Self {
        Self {
            bands: vec![(150.0, 1), (450.0, 2), (900.0, 3)],
            beyond_km_per_day: 600.0,
            unknown_days: 3,
        }
    }
}

impl TransitModel for DistanceBands {
    fn transit_days(&self, from: Option<GeoPoint>, to: Option<GeoPoint>) -> u32 {
        let (Some(from), Some(to)) = (from, to) else {
            return self.unknown_days;
        };
        let km = from.distance_km(to);
        if let Some((_, days)) = self.bands.iter().find(|(max_km, _)| km <= *max_km) {
            return *days;
        }
        let (last_km, last_days) = self.bands.last().copied().unwrap_or((0.0, 1));
        last_days + ((km - last_km) / self.beyond_km_per_day).ceil() as u32
    }
}

/// Carriers collect Monday to Friday.
pub fn is_ship_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Parcels are delivered Monday to Saturday.
fn is_delivery_day(date: Date) -> bool {
    date.weekday() != Weekday::Sunday
}

fn next_day(date: Date) -> Date {
    date.tomorrow().unwrap_or(date)
}

/// The first shipping day on or after `date`.
pub fn next_ship_day(mut date: Date) -> Date {
    while !is_ship_day(date) {
        date = next_day(date);
    }
    date
}

/// The day a location hands a parcel to its carrier if the order reaches it at `now_ms`:
/// today when today is a shipping day and its local time is before the cut-off, else the next
/// shipping day. A location without a cut-off ships the same shipping day.
pub fn ship_date(location: &Location, now_ms: i64) -> Date {
    let tz = TimeZone::get(location.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    let now = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz);
    let today = now.date();
    let before_cutoff = location.cutoff_local_time.is_none_or(|c| {
        Time::new(c.hour as i8, c.minute as i8, 0, 0).is_ok_and(|cutoff| now.time() < cutoff)
    });
    if is_ship_day(today) && before_cutoff {
        today
    } else {
        next_ship_day(next_day(today))
    }
}

/// The day a parcel shipped on `ship` arrives after `transit_days` delivery days.
pub fn delivery_date(ship: Date, transit_days: u32) -> Date {
    let mut date = ship;
    for _ in 0..transit_days {
        date = next_day(date);
        while !is_delivery_day(date) {
            date = next_day(date);
        }
    }
    date
}

/// Adds calendar days (receiving lead time) to a date.
pub fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(Span::new().days(days)).unwrap_or(date)
}

/// The calendar date of an instant, in UTC.
pub fn utc_date(ms: i64) -> Date {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(TimeZone::UTC)
        .date()
}

pub fn parse_date(raw: &str) -> Result<Date, String> {
    raw.trim()
        .parse::<Date>()
        .map_err(|_| "must be a date YYYY-MM-DD".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromiseSource {
    Stock,
    Inbound,
    Preorder,
}

impl PromiseSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stock => "stock",
            Self::Inbound => "inbound",
            Self::Preorder => "preorder",
        }
    }
}

/// When a unit can be delivered, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub date: Date,
    pub source: PromiseSource,
    pub location: LocationCode,
    pub ship_date: Date,
    pub transit_days: u32,
}

/// The promise of shipping from `location` once the goods are there on `ready` (today's stock:
/// `None`, so the next cut-off decides).
pub fn promise_from(
    location: &Location,
    ready: Option<Date>,
    destination: Option<GeoPoint>,
    now_ms: i64,
    source: PromiseSource,
    transit: &dyn TransitModel,
) -> Promise {
    let from_stock = ship_date(location, now_ms);
    let ship = match ready {
        Some(ready) if ready > from_stock => next_ship_day(ready),
        _ => from_stock,
    };
    let transit_days = transit.transit_days(location_point(location), destination);
    Promise {
        date: delivery_date(ship, transit_days),
        source,
        location: location.code.clone(),
        ship_date: ship,
        transit_days,
    }
}

/// Shipping days of work waiting at a location that has taken `load` orders today: a
/// location at its daily capacity ships further orders on its next shipping day, one more for
/// each further full day's worth. Without a capacity, none.
pub fn backlog_days(location: &Location, load: i64) -> i64 {
    match location.daily_order_capacity {
        Some(capacity) if capacity > 0 => load.max(0) / capacity,
        _ => 0,
    }
}

/// `promise` with its shipping pushed back `days` shipping days, and its delivery with it.
pub fn after_backlog(promise: Promise, days: i64) -> Promise {
    let mut ship = promise.ship_date;
    for _ in 0..days.clamp(0, BACKLOG_DAYS_MAX) {
        ship = next_ship_day(next_day(ship));
    }
    Promise {
        date: delivery_date(ship, promise.transit_days),
        ship_date: ship,
        ..promise
    }
}

/// Most shipping days a backlog pushes a promise back: a bound, not a forecast.
const BACKLOG_DAYS_MAX: i64 = 60;

/// The promise of today's stock at `location`, after the backlog its `load` of orders today
/// makes.
pub fn from_stock(
    location: &Location,
    destination: Option<GeoPoint>,
    now_ms: i64,
    transit: &dyn TransitModel,
    load: i64,
) -> Promise {
    let p = promise_from(
        location,
        None,
        destination,
        now_ms,
        PromiseSource::Stock,
        transit,
    );
    after_backlog(p, backlog_days(location, load))
}

/// Supply that has not arrived: `quantity` units ready to ship from `location` on `ready`
/// (an inbound's expected date plus the location's receiving lead time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    pub location: LocationCode,
    pub ready: Date,
    pub quantity: i64,
}

/// The earliest promise from incoming supply for `quantity` units, after `ahead` units already
/// waiting for the same supply: supply is consumed in date order.
pub fn promise_from_supply(
    supply: &[Supply],
    ahead: i64,
    quantity: i64,
    locations: &[Location],
    destination: Option<GeoPoint>,
    now_ms: i64,
    transit: &dyn TransitModel,
) -> Option<Promise> {
    let mut sorted: Vec<&Supply> = supply.iter().collect();
    sorted.sort_by(|a, b| {
        a.ready
            .cmp(&b.ready)
            .then_with(|| a.location.cmp(&b.location))
    });
    let mut cumulative = 0;
    for s in sorted {
        cumulative += s.quantity;
        if cumulative >= ahead + quantity {
            let location = locations.iter().find(|l| l.code == s.location)?;
            return Some(promise_from(
                location,
                Some(s.ready),
                destination,
                now_ms,
                PromiseSource::Inbound,
                transit,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::CountryCode;
    use crate::location::{Capabilities, LocalTime, LocationAddress, LocationKind, TimeZoneName};

    fn warehouse(cutoff: &str) -> Location {
        Location {
            code: LocationCode::parse("WH").unwrap(),
            name: "WH".into(),
            kind: LocationKind::Warehouse,
            address: LocationAddress {
                country: CountryCode::parse("DE").unwrap(),
                region: None,
                city: "Hamburg".into(),
                line1: None,
                line2: None,
                postal_code: "20095".into(),
                point: Some(GeoPoint::new(53.551, 9.994).unwrap()),
            },
            capabilities: Capabilities {
                ship: true,
                pickup: false,
            },
            daily_order_capacity: None,
            cutoff_local_time: Some(LocalTime::parse(cutoff).unwrap()),
            time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
            receiving_lead_time_days: 0,
            release_waves: Default::default(),
            active: true,
            created_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn date(raw: &str) -> Date {
        parse_date(raw).unwrap()
    }

    #[test]
    fn the_cut_off_is_local_time_and_weekends_do_not_ship() {
        let wh = warehouse("17:00");
        // Wednesday 2026-11-25: 15:59 UTC is 16:59 in Berlin, before the cut-off.
        assert_eq!(
            ship_date(&wh, ms("2026-11-25T15:59:00Z")),
            date("2026-11-25")
        );
        assert_eq!(
            ship_date(&wh, ms("2026-11-25T16:00:00Z")),
            date("2026-11-26")
        );
        // Friday after the cut-off and Saturday both ship on Monday.
        assert_eq!(
            ship_date(&wh, ms("2026-11-27T17:00:00Z")),
            date("2026-11-30")
        );
        assert_eq!(
            ship_date(&wh, ms("2026-11-28T09:00:00Z")),
            date("2026-11-30")
        );
    }

    #[test]
    fn parcels_travel_by_distance_and_arrive_monday_to_saturday() {
        let bands = DistanceBands::default();
        let hamburg = Some(GeoPoint::new(53.551, 9.994).unwrap());
        let bremen = Some(GeoPoint::new(53.079, 8.802).unwrap());
        let munich = Some(GeoPoint::new(48.137, 11.575).unwrap());
        assert_eq!(bands.transit_days(hamburg, bremen), 1);
        assert_eq!(bands.transit_days(hamburg, munich), 3);
        assert_eq!(bands.transit_days(hamburg, None), 3);
        assert_eq!(
            delivery_date(date("2026-11-27"), 1),
            date("2026-11-28"),
            "Friday to Saturday"
        );
        assert_eq!(
            delivery_date(date("2026-11-28"), 1),
            date("2026-11-30"),
            "no Sunday deliveries"
        );
    }

    #[test]
    fn incoming_supply_serves_the_waiting_before_it_adds_to_what_is_available() {
        let wh = LocationCode::parse("WH").unwrap();
        let supply = vec![
            Supply {
                location: wh.clone(),
                ready: date("2026-12-10"),
                quantity: 5,
            },
            Supply {
                location: wh.clone(),
                ready: date("2026-12-03"),
                quantity: 2,
            },
            Supply {
                location: wh,
                ready: date("2026-12-10"),
                quantity: 1,
            },
        ];
        let dated = timeline(4, &supply, 3);
        assert_eq!(
            dated,
            vec![
                Dated {
                    date: date("2026-12-03"),
                    incoming: 2,
                    available: 4
                },
                Dated {
                    date: date("2026-12-10"),
                    incoming: 6,
                    available: 9
                },
            ]
        );
    }

    #[test]
    fn stock_now_beats_supply_which_beats_a_preorder() {
        let wh = warehouse("17:00");
        let now = ms("2026-11-25T08:00:00Z");
        let bands = DistanceBands::default();
        let supply = vec![Supply {
            location: wh.code.clone(),
            ready: date("2026-12-03"),
            quantity: 2,
        }];
        let locations = [wh.clone()];
        let scene = PromiseScene {
            locations: &locations,
            destination: None,
            now_ms: now,
            transit: &bands,
        };
        let from_stock = earliest_promise(&[&wh], &supply, 0, None, &scene).unwrap();
        assert_eq!(
            (from_stock.source, from_stock.ship_date),
            (PromiseSource::Stock, date("2026-11-25"))
        );
        let from_supply = earliest_promise(&[], &supply, 0, None, &scene).unwrap();
        assert_eq!(from_supply.source, PromiseSource::Inbound);
        let preorder = earliest_promise(&[], &supply, 2, Some(date("2027-01-15")), &scene).unwrap();
        assert_eq!(
            (preorder.source, preorder.ship_date),
            (PromiseSource::Preorder, date("2027-01-15"))
        );
        assert!(earliest_promise(&[], &[], 0, None, &scene).is_none());
    }

    #[test]
    fn supply_is_promised_in_date_order_after_those_already_waiting() {
        let wh = warehouse("17:00");
        let supply = vec![
            Supply {
                location: wh.code.clone(),
                ready: date("2026-12-10"),
                quantity: 5,
            },
            Supply {
                location: wh.code.clone(),
                ready: date("2026-12-03"),
                quantity: 2,
            },
        ];
        let now = ms("2026-11-25T08:00:00Z");
        let bands = DistanceBands::default();
        let locations = [wh];
        let first = promise_from_supply(&supply, 0, 2, &locations, None, now, &bands).unwrap();
        assert_eq!(
            (first.ship_date, first.source),
            (date("2026-12-03"), PromiseSource::Inbound)
        );
        let behind = promise_from_supply(&supply, 2, 1, &locations, None, now, &bands).unwrap();
        assert_eq!(behind.ship_date, date("2026-12-10"));
        assert!(promise_from_supply(&supply, 6, 2, &locations, None, now, &bands).is_none());
    }
}

/// One date of an item's availability: units arriving that day, and what may be promised
/// from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    pub date: Date,
    pub incoming: i64,
    pub available: i64,
}

/// What becomes available when: incoming supply by ready date serves the units already
/// waiting first; what is left adds to what is available now.
pub fn timeline(available_now: i64, supply: &[Supply], waiting: i64) -> Vec<Dated> {
    let mut by_date: Vec<(Date, i64)> = Vec::new();
    for s in supply {
        match by_date.iter_mut().find(|(d, _)| *d == s.ready) {
            Some((_, q)) => *q += s.quantity,
            None => by_date.push((s.ready, s.quantity)),
        }
    }
    by_date.sort();
    let mut arrived = 0;
    by_date
        .into_iter()
        .map(|(date, incoming)| {
            arrived += incoming;
            Dated {
                date,
                incoming,
                available: available_now + (arrived - waiting).max(0),
            }
        })
        .collect()
}

/// Where and when a promise is made.
#[derive(Clone, Copy)]
pub struct PromiseScene<'a> {
    pub locations: &'a [Location],
    pub destination: Option<GeoPoint>,
    pub now_ms: i64,
    pub transit: &'a dyn TransitModel,
}

/// The earliest delivery of one unit: from the stock at `stocked` locations now (their next
/// cut-off plus transit), else from incoming supply after the units already waiting (expected
/// date plus lead time plus transit), else from an open preorder's release.
pub fn earliest_promise(
    stocked: &[&Location],
    supply: &[Supply],
    waiting: i64,
    preorder_release: Option<Date>,
    scene: &PromiseScene<'_>,
) -> Option<Promise> {
    let PromiseScene {
        locations,
        destination,
        now_ms,
        transit,
    } = *scene;
    let from_stock = stocked
        .iter()
        .map(|l| promise_from(l, None, destination, now_ms, PromiseSource::Stock, transit))
        .min_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then_with(|| a.location.cmp(&b.location))
        });
    from_stock
        .or_else(|| {
            promise_from_supply(supply, waiting, 1, locations, destination, now_ms, transit)
        })
        .or_else(|| {
            let release = preorder_release?;
            locations
                .iter()
                .filter(|l| l.ships())
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
                .min_by(|a, b| {
                    a.date
                        .cmp(&b.date)
                        .then_with(|| a.location.cmp(&b.location))
                })
        })
}
