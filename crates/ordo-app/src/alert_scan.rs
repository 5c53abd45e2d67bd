//! The alert scan: the checks (`ordo_domain::fulfillment::alerts`) run over every open
//! fulfilment order and shipment, read a page at a time without holding the writer; what they find and is not
//! yet raised is raised, and what the scan raised before and no longer finds is resolved — in
//! small transactions, each raise and resolution checked again as it is written.

use std::collections::HashSet;

use ordo_domain::fulfillment::FulfillmentOrder;
use ordo_domain::fulfillment::alerts::{
    AlertKind, AlertSettings, AlertStatus, Raised, ShipmentFacts, not_accepted, promise_at_risk,
    shipment_alerts,
};
use ordo_domain::geo::geocode_postal;
use ordo_domain::location::Location;
use ordo_domain::promise::TransitModel;
use ordo_store::{AlertRecord, Store, WorkPage};

use crate::error::AppResult;
use crate::transact::{Attempt, retrying};

/// Alerts raised or resolved per write transaction: each holds the writer a few milliseconds.
const WRITE_ROWS: usize = 50;

/// Raises what the checks find and is not yet raised; resolves what has cleared. Answers the
/// alerts raised.
pub(crate) async fn scan(
    store: &dyn Store,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> AppResult<Vec<AlertRecord>> {
    let found = findings(store, settings, transit, now_ms).await?;
    let standing = store.standing_alerts().await?;
    let (new, cleared) = compare(&found, &standing);
    let mut raised = Vec::new();
    for chunk in new.chunks(WRITE_ROWS) {
        raised.extend(retrying(|| write(store, chunk, &[], now_ms)).await?);
    }
    for chunk in cleared.chunks(WRITE_ROWS) {
        retrying(|| write(store, &[], chunk, now_ms)).await?;
    }
    Ok(raised)
}

/// What the checks find now, over every open fulfilment order and shipment, a page at a time.
async fn findings(
    store: &dyn Store,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> AppResult<Vec<Raised>> {
    let locations = store.all_locations().await?;
    let mut raised = Vec::new();
    let mut after = None;
    loop {
        let page = store.open_work_page(after.as_ref()).await?;
        for fo in &page.work {
            raised.extend(work_alerts(
                fo, &page, &locations, settings, transit, now_ms,
            ));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut after = None;
    loop {
        let (shipments, next) = store.open_shipment_page(after.as_ref()).await?;
        for s in &shipments {
            let shipment = ShipmentFacts {
                id: &s.id,
                order_id: &s.order_id,
                tracking_number: &s.tracking_number,
                status: s.status,
                shipped_at_ms: s.shipped_at_ms,
                last_event_at_ms: s.last_event_at_ms,
            };
            raised.extend(shipment_alerts(&shipment, settings, now_ms));
        }
        match next {
            Some(next) => after = Some(next),
            None => return Ok(raised),
        }
    }
}

fn work_alerts(
    fo: &FulfillmentOrder,
    page: &WorkPage,
    locations: &[Location],
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> Vec<Raised> {
    let mut raised: Vec<Raised> = not_accepted(fo, settings, now_ms).into_iter().collect();
    let order = page.orders.get(&fo.order_id);
    let location = locations.iter().find(|l| l.code == fo.location);
    if let (Some(order), Some(location)) = (order, location) {
        let geocoded = order
            .country
            .and_then(|c| geocode_postal(c, &order.postal_code));
        let destination = order.point.or(geocoded);
        let promised = order.promised_date;
        raised.extend(promise_at_risk(
            fo,
            promised,
            location,
            destination,
            transit,
            now_ms,
        ));
    }
    raised
}

/// The findings not yet raised, and the alerts the scan looks for that it no longer finds.
/// A person's resolution stands: only what the scan finds cleared, of the kinds it looks for,
/// is resolved.
fn compare<'a>(
    found: &'a [Raised],
    standing: &'a [AlertRecord],
) -> (Vec<&'a Raised>, Vec<&'a AlertRecord>) {
    let known: HashSet<(&str, &str)> = standing
        .iter()
        .map(|a| (a.kind.as_str(), a.subject.as_str()))
        .collect();
    let seen: HashSet<(&str, &str)> = found
        .iter()
        .map(|f| (f.kind.as_str(), f.subject.as_str()))
        .collect();
    let new = found
        .iter()
        .filter(|f| !known.contains(&(f.kind.as_str(), f.subject.as_str())))
        .collect();
    let scanned = |kind: &str| AlertKind::parse(kind).is_ok_and(AlertKind::scanned);
    let cleared = standing
        .iter()
        .filter(|a| a.status != AlertStatus::Resolved && scanned(&a.kind))
        .filter(|a| !seen.contains(&(a.kind.as_str(), a.subject.as_str())))
        .collect();
    (new, cleared)
}

/// One short write transaction: raises and resolutions, each checked as it is written.
async fn write(
    store: &dyn Store,
    raise: &[&Raised],
    resolve: &[&AlertRecord],
    now_ms: i64,
) -> Attempt<Vec<AlertRecord>> {
    let mut tx = store.transaction().await?;
    let mut raised = Vec::new();
    for f in raise {
        raised.extend(tx.raise_alert_unless_standing(f, now_ms).await?);
    }
    for a in resolve {
        tx.resolve_alert_if_open(a, "system:alert-scan", now_ms)
            .await?;
    }
    tx.commit().await?;
    Ok(raised)
}
