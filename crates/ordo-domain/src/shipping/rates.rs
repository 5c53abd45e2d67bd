//! Rate shopping: every service that covers the destination and takes the parcel, with its
//! price, the day the carrier collects and the day it delivers; the choice is the cheapest
//! that meets the promise, price weighed against reliability.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

use super::carrier::{Address, Carrier, DAY_NAMES, ServiceLevel};
use crate::location::{LocalTime, Location};
use crate::promise::delivery_date;

/// One parcel to price.
#[derive(Debug, Clone, Copy)]
pub struct RateRequest<'a> {
    pub origin: &'a Location,
    pub to: Address<'a>,
    pub weight_g: i64,
    pub now_ms: i64,
    /// The date promised to the customer, if any.
    pub deliver_by: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub carrier: String,
    pub service: String,
    pub level: ServiceLevel,
    pub zone: String,
    pub cost_minor: i64,
    pub currency: String,
    pub ship_date: Date,
    pub delivery_date: Date,
    /// Meets the promise; `None` when nothing was promised.
    pub on_time: Option<bool>,
    pub reliability: f64,
    /// The price raised by unreliability: `cost × (1 + weight × (1 − reliability))`.
    pub score: f64,
}

/// Every service of every active carrier that can take the parcel, best first: those that
/// meet the promise by score, then the rest by delivery date and score.
pub fn quotes(
    carriers: &[Carrier],
    reliability: &HashMap<String, f64>,
    reliability_weight: f64,
    request: &RateRequest<'_>,
) -> Vec<Quote> {
    let mut quotes = Vec::new();
    for carrier in carriers.iter().filter(|c| c.active) {
        let Some(zone) = carrier.zone(request.origin.address.point, request.to.point) else {
            continue;
        };
        let r = reliability.get(&carrier.code).copied().unwrap_or(0.9);
        for service in &carrier.services {
            if !service.coverage.iter().any(|c| c.covers(&request.to)) {
                continue;
            }
            let Some(&transit) = service.transit_days.get(&zone.code) else {
                continue;
            };
            let Some(cost) = carrier.price(service, &zone.code, request.weight_g) else {
                continue;
            };
            let cutoff = service
                .cutoff
                .as_deref()
                .or(carrier.cutoff.as_deref())
                .and_then(|c| LocalTime::parse(c).ok())
                .or(request.origin.cutoff_local_time);
            let ship =
                collection_date(request.origin, &carrier.pickup_days, cutoff, request.now_ms);
            let delivered = delivery_date(ship, transit);
            quotes.push(Quote {
                carrier: carrier.code.clone(),
                service: service.code.clone(),
                level: service.level,
                zone: zone.code.clone(),
                cost_minor: cost,
                currency: carrier.currency.clone(),
                ship_date: ship,
                delivery_date: delivered,
                on_time: request.deliver_by.map(|by| delivered <= by),
                reliability: r,
                score: cost as f64 * (1.0 + reliability_weight * (1.0 - r)),
            });
        }
    }
    quotes.sort_by(|a, b| {
        let late = |q: &Quote| q.on_time == Some(false);
        late(a)
            .cmp(&late(b))
            .then_with(|| {
                if late(a) {
                    a.delivery_date.cmp(&b.delivery_date)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| a.score.total_cmp(&b.score))
            .then_with(|| a.delivery_date.cmp(&b.delivery_date))
            .then_with(|| (&a.carrier, &a.service).cmp(&(&b.carrier, &b.service)))
    });
    quotes
}

/// The day the carrier collects a parcel ready at `now_ms`: today if it collects today and
/// the cut-off has not passed, else its next pickup day.
fn collection_date(
    origin: &Location,
    pickup_days: &[String],
    cutoff: Option<LocalTime>,
    now_ms: i64,
) -> Date {
    let tz = TimeZone::get(origin.time_zone.as_str()).unwrap_or(TimeZone::UTC);
    let now = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz);
    let collects = |d: Date| {
        let name = DAY_NAMES[weekday_index(d.weekday())];
        pickup_days.iter().any(|p| p == name)
    };
    let before_cutoff = cutoff.is_none_or(|c| {
        Time::new(c.hour as i8, c.minute as i8, 0, 0).is_ok_and(|t| now.time() < t)
    });
    let mut day = now.date();
    if !(collects(day) && before_cutoff) {
        day = day.tomorrow().unwrap_or(day);
        for _ in 0..7 {
            if collects(day) {
                break;
            }
            day = day.tomorrow().unwrap_or(day);
        }
    }
    day
}

fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}
