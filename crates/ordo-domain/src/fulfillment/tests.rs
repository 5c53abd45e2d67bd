use super::*;
use crate::field::FieldErrors;

fn fo(lines: &[(u32, i64)]) -> FulfillmentOrder {
    FulfillmentOrder {
        id: "ful_1".into(),
        order_id: "ord_1".into(),
        location: LocationCode::parse("WH-1").unwrap(),
        status: FulfillmentStatus::Picked,
        lines: lines
            .iter()
            .map(|(n, q)| FulfillmentLine {
                line_no: *n,
                sku: Sku::parse(&format!("SKU-{n}")).unwrap(),
                quantity: *q,
                picked: *q,
                shipped: 0,
                short: 0,
                cancelled: 0,
                cancel_requested: 0,
            })
            .collect(),
        promised_date: None,
        released_at_ms: 0,
        accepted_at_ms: None,
        shipped_at_ms: None,
        cancel_requested: false,
        created_at_ms: 0,
        updated_at_ms: 0,
    }
}

fn fields(errors: &FieldErrors) -> Vec<String> {
    errors.iter().map(|e| e.field.clone()).collect()
}

#[test]
fn the_status_table_runs_one_way_and_ends_at_shipped_rejected_or_cancelled() {
    use FulfillmentStatus::*;
    let path = [Released, Accepted, Picking, Picked, Packed, Shipped];
    for pair in path.windows(2) {
        assert!(pair[0].can_become(pair[1]), "{} → {}", pair[0], pair[1]);
        assert!(!pair[1].can_become(pair[0]), "{} → {}", pair[1], pair[0]);
    }
    for end in [Shipped, Rejected, Cancelled] {
        assert!(!end.is_open());
        assert!(FulfillmentStatus::ALL.iter().all(|s| !end.can_become(*s)));
    }
    assert!(
        !Picked.can_become(Rejected),
        "a picked order is packed, not refused"
    );
    for s in FulfillmentStatus::ALL {
        assert_eq!(FulfillmentStatus::parse(s.as_str()).unwrap(), s);
    }
}

#[test]
fn packages_must_hold_every_picked_unit_exactly_once() {
    let work = fo(&[(1, 2), (2, 1)]);
    let mut n = 0;
    let mut ids = || {
        n += 1;
        format!("pkg_{n}")
    };
    let good = [
        PackageInput {
            weight_g: 900,
            dimensions_mm: [300, 200, 100],
            contents: vec![(1, 2)],
        },
        PackageInput {
            weight_g: 400,
            dimensions_mm: [200, 150, 100],
            contents: vec![(2, 1)],
        },
    ];
    let packed = check_packages(&work, &good, &mut ids).unwrap();
    assert_eq!(packed.len(), 2);
    assert_eq!(packed[1].seq, 2);
    assert_eq!(packed[0].contents[0].sku.as_str(), "SKU-1");

    let bad = [PackageInput {
        weight_g: 0,
        dimensions_mm: [300, 0, 100],
        contents: vec![(1, 1), (9, 1)],
    }];
    let errors = check_packages(&work, &bad, &mut ids).unwrap_err();
    let named = fields(&errors);
    for field in [
        "packages[0].weight_g",
        "packages[0].width_mm",
        "packages[0].contents[1].line",
        "packages",
    ] {
        assert!(named.iter().any(|f| f == field), "{field} in {named:?}");
    }
}

#[test]
fn waves_release_at_the_next_local_time_and_immediate_release_at_once() {
    use crate::location::{ReleaseWaves, TimeZoneName};
    let berlin = TimeZoneName::parse("Europe/Berlin").unwrap();
    let waves = ReleaseWaves::parse(&["13:00".into(), "09:00".into()]).unwrap();
    assert_eq!(waves.names(), vec!["09:00", "13:00"]);
    // 2026-11-23 10:00 in Berlin is 09:00 UTC.
    let at = jiff::Timestamp::from_second(1_795_424_400).unwrap();
    let next = waves.next_wave_ms(&berlin, at.as_millisecond());
    let local = jiff::Timestamp::from_millisecond(next)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    assert_eq!(local.time().to_string(), "13:00:00");
    assert_eq!(
        ReleaseWaves::default().next_wave_ms(&berlin, at.as_millisecond()),
        at.as_millisecond()
    );
    assert!(ReleaseWaves::parse(&["09:00".into(), "09:00".into()]).is_err());
    // At 10:00 the 09:00 wave has passed; at 08:00 the latest was yesterday's 13:00.
    let last = waves.last_wave_ms(&berlin, at.as_millisecond()).unwrap();
    assert_eq!(at.as_millisecond() - last, 3_600_000);
    let early = at.as_millisecond() - 2 * 3_600_000;
    assert_eq!(
        early - waves.last_wave_ms(&berlin, early).unwrap(),
        19 * 3_600_000
    );
    assert_eq!(ReleaseWaves::default().last_wave_ms(&berlin, early), None);
}
