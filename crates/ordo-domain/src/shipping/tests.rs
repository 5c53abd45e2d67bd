use std::collections::HashMap;

use super::*;
use crate::geo::{CountryCode, GeoPoint};
use crate::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, TimeZoneName,
};
use crate::values::LocationCode;

/// A national carrier (economy and express everywhere in DE) and a local courier that only
/// covers Hamburg's 20xxx and 22xxx postcodes, same day.
pub(crate) fn carriers() -> Vec<Carrier> {
    let national: Carrier = serde_json::from_value(serde_json::json!({
        "code": "parcelnet", "name": "ParcelNet", "currency": "EUR",
        "tracking": { "prefix": "PN", "digits": 12, "check": "mod10" },
        "event_codes": { "DLV": "delivered", "OFD": "out_for_delivery", "TRN": "in_transit", "NDL": "failed_attempt" },
        "zones": [{ "code": "1", "max_km": 150 }, { "code": "2", "max_km": 450 }, { "code": "3" }],
        "weight_breaks_g": [1000, 5000, 31500],
        "fuel_surcharge_pct": 10,
        "cutoff": "17:00",
        "services": [
            { "code": "economy", "level": "economy", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 2, "2": 3, "3": 4 },
              "rates": { "1": [400, 600, 900], "2": [450, 650, 950], "3": [500, 700, 1000] } },
            { "code": "express", "level": "express", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 1, "2": 1, "3": 1 },
              "rates": { "1": [900, 1200, 1800], "2": [1000, 1300, 1900], "3": [1100, 1400, 2000] } }
        ]
    }))
    .unwrap();
    let courier: Carrier = serde_json::from_value(serde_json::json!({
        "code": "hafenkurier", "name": "Hafen Kurier", "currency": "EUR",
        "tracking": { "prefix": "HK", "digits": 8, "check": "mod7" },
        "zones": [{ "code": "city" }],
        "weight_breaks_g": [5000],
        "pickup_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
        "cutoff": "12:00",
        "services": [
            { "code": "same-day", "level": "same_day",
              "coverage": [{ "country": "DE", "postal_prefixes": ["20", "22"] }],
              "transit_days": { "city": 0 }, "rates": { "city": [700] } }
        ]
    }))
    .unwrap();
    vec![national, courier]
}

fn hamburg_warehouse() -> Location {
    Location {
        code: LocationCode::parse("WH-HH").unwrap(),
        name: "Hamburg".into(),
        kind: LocationKind::Warehouse,
        address: LocationAddress {
            country: CountryCode::parse("DE").unwrap(),
            region: None,
            city: "Hamburg".into(),
            line1: None,
            line2: None,
            postal_code: "20095".into(),
            point: Some(GeoPoint::new(53.55, 9.99).unwrap()),
        },
        capabilities: Capabilities {
            ship: true,
            pickup: false,
        },
        daily_order_capacity: None,
        cutoff_local_time: Some(LocalTime::parse("18:00").unwrap()),
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        receiving_lead_time_days: 0,
        release_waves: Default::default(),
        active: true,
        created_at_ms: 0,
        updated_at_ms: 0,
    }
}

fn to(postal: &str, lat: f64, lon: f64) -> Address<'_> {
    Address {
        country: CountryCode::parse("DE").unwrap(),
        region: None,
        postal_code: postal,
        point: Some(GeoPoint::new(lat, lon).unwrap()),
    }
}

/// Monday 2026-11-23, 09:00 in Hamburg.
const MONDAY_9: i64 = 1_795_420_800_000;

#[test]
fn the_example_carriers_are_valid_and_a_bad_one_names_its_fields() {
    for c in carriers() {
        c.check().unwrap();
    }
    let mut bad = carriers().remove(0);
    bad.code = "Parcel Net".into();
    bad.zones[2].max_km = Some(10.0);
    bad.services[0].rates.insert("9".into(), vec![1, 2, 3]);
    let named: Vec<String> = bad
        .check()
        .unwrap_err()
        .iter()
        .map(|e| e.field.clone())
        .collect();
    for field in ["code", "zones[2].max_km", "services[0].rates.9"] {
        assert!(named.iter().any(|f| f == field), "{field} in {named:?}");
    }
}

#[test]
fn prices_follow_zone_and_weight_with_the_fuel_surcharge() {
    let national = &carriers()[0];
    let economy = &national.services[0];
    assert_eq!(national.price(economy, "1", 800), Some(440));
    assert_eq!(national.price(economy, "3", 4000), Some(770));
    assert_eq!(
        national.price(economy, "1", 40_000),
        None,
        "no price beyond the last break"
    );
}

#[test]
fn rate_shopping_takes_the_cheapest_service_that_meets_the_promise() {
    let origin = hamburg_warehouse();
    let carriers = carriers();
    let munich = to("80331", 48.14, 11.58);
    // Monday → economy arrives Friday (4 days in zone 3), express Tuesday.
    let relaxed = RateRequest {
        origin: &origin,
        to: munich,
        weight_g: 800,
        now_ms: MONDAY_9,
        deliver_by: Some(jiff::civil::date(2026, 11, 28)),
    };
    let quotes_relaxed = quotes(&carriers, &HashMap::new(), 0.5, &relaxed);
    assert_eq!(quotes_relaxed[0].service, "economy");
    assert_eq!(
        quotes_relaxed[0].delivery_date,
        jiff::civil::date(2026, 11, 27)
    );
    let tight = RateRequest {
        deliver_by: Some(jiff::civil::date(2026, 11, 24)),
        ..relaxed
    };
    let quotes_tight = quotes(&carriers, &HashMap::new(), 0.5, &tight);
    assert_eq!(quotes_tight[0].service, "express");
    assert_eq!(quotes_tight[0].on_time, Some(true));
    assert!(
        quotes_tight.iter().all(|q| q.carrier != "hafenkurier"),
        "the courier does not cover Munich"
    );
}

#[test]
fn a_local_courier_wins_inside_its_postcodes_unless_its_record_is_poor() {
    let origin = hamburg_warehouse();
    let carriers = carriers();
    let altona = to("22765", 53.55, 9.93);
    let today = RateRequest {
        origin: &origin,
        to: altona,
        weight_g: 800,
        now_ms: MONDAY_9,
        deliver_by: Some(jiff::civil::date(2026, 11, 23)),
    };
    let best = &quotes(&carriers, &HashMap::new(), 0.5, &today)[0];
    assert_eq!(
        (best.carrier.as_str(), best.delivery_date),
        ("hafenkurier", jiff::civil::date(2026, 11, 23))
    );

    let relaxed = RateRequest {
        deliver_by: Some(jiff::civil::date(2026, 11, 30)),
        ..today
    };
    let reliable = HashMap::from([
        ("hafenkurier".to_string(), 0.95),
        ("parcelnet".to_string(), 0.95),
    ]);
    assert_eq!(
        quotes(&carriers, &reliable, 1.0, &relaxed)[0].carrier,
        "parcelnet",
        "economy at 440 beats the courier's 700"
    );
    let poor_economy = HashMap::from([
        ("parcelnet".to_string(), 0.0),
        ("hafenkurier".to_string(), 1.0),
    ]);
    assert_eq!(
        quotes(&carriers, &poor_economy, 1.0, &relaxed)[0].carrier,
        "hafenkurier",
        "440 × 2 loses to 700 × 1"
    );
}

#[test]
fn after_the_cut_off_the_carrier_collects_the_next_pickup_day() {
    let origin = hamburg_warehouse();
    let carriers = carriers();
    let friday_evening = MONDAY_9 + 4 * 86_400_000 + 9 * 3_600_000;
    let request = RateRequest {
        origin: &origin,
        to: to("80331", 48.14, 11.58),
        weight_g: 800,
        now_ms: friday_evening,
        deliver_by: None,
    };
    let q = &quotes(&carriers, &HashMap::new(), 0.5, &request)[0];
    assert_eq!(
        q.ship_date,
        jiff::civil::date(2026, 11, 30),
        "Monday: no pickup at the weekend"
    );
}

#[test]
fn a_shipments_progress_is_read_from_all_its_events_in_whatever_order_they_came() {
    use super::{ShipmentProgress, TrackingStatus::*};
    let events = [
        (300, Delivered),
        (100, InTransit),
        (200, FailedAttempt),
        (400, InTransit),
    ];
    let progress = ShipmentProgress::of(&events);
    assert_eq!(
        progress.status,
        Some(Delivered),
        "delivered stays delivered"
    );
    assert_eq!(progress.status_str(), "delivered");
    assert_eq!(progress.failed_attempts, 1);
    assert_eq!(progress.last_event_at_ms, Some(400));
    assert_eq!(progress.delivered_at_ms, Some(300));
    let moving = ShipmentProgress::of(&[(100, InTransit), (200, FailedAttempt)]);
    assert_eq!(moving.status, Some(FailedAttempt));
    assert_eq!(moving.delivered_at_ms, None);
    assert_eq!(ShipmentProgress::of(&[]).status_str(), "shipped");
}
