//! The alert scan: what the checks find is read page by page from the read pool (never
//! holding the writer), compared with the standing alerts, and written in small transactions
//! — each raise and each resolution checked again as it is written, since people and other
//! writes go on meanwhile. Every open fulfilment order and shipment is looked at, however many.

use crate::sql::exec::Exec;
use std::collections::{HashMap, HashSet};

use ordo_domain::fulfillment::FulfillmentOrder;
use ordo_domain::fulfillment::alerts::{
    AlertKind, AlertSettings, Raised, ShipmentFacts, not_accepted, promise_at_risk, shipment_alerts,
};
use ordo_domain::geo::{CountryCode, GeoPoint, geocode_postal};
use ordo_domain::location::Location;
use ordo_domain::promise::TransitModel;

use super::args::Sql;
use super::rows::{self, RowExt};
use super::work_alerts::{insert_unless_standing, resolve_if_open, standing};
use super::{SqlStore, fulfillment, load};
use crate::error::{StoreResult, corrupt};
use crate::fulfillment::AlertRecord;

/// Open fulfilment orders or shipments read at a time.
const PAGE_ROWS: i64 = 500;
/// Alerts raised or resolved per write transaction: each holds the writer a few milliseconds.
const WRITE_ROWS: usize = 50;

const OPEN_WORK: &str = "status IN ('released', 'accepted', 'picking', 'picked', 'packed')";

/// Raises what the checks find and is not yet raised; resolves what has cleared. Answers the
/// alerts raised.
pub(crate) async fn scan(
    store: &SqlStore,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> StoreResult<Vec<AlertRecord>> {
    let mut conn = store.read.acquire().await?;
    let found = findings(&mut conn, settings, transit, now_ms).await?;
    let standing = standing(&mut conn).await?;
    drop(conn);
    let known: HashSet<(&str, &str)> = standing
        .iter()
        .map(|a| (a.kind.as_str(), a.subject.as_str()))
        .collect();
    let new: Vec<&Raised> = found
        .iter()
        .filter(|f| !known.contains(&(f.kind.as_str(), f.subject.as_str())))
        .collect();
    // A person's resolution stands; the scan resolves only what it finds cleared, of the kinds
    // it looks for.
    let seen: HashSet<(&str, &str)> = found
        .iter()
        .map(|f| (f.kind.as_str(), f.subject.as_str()))
        .collect();
    let scanned = |kind: &str| AlertKind::parse(kind).is_ok_and(AlertKind::scanned);
    let cleared: Vec<&AlertRecord> = standing
        .iter()
        .filter(|a| {
            a.status != ordo_domain::fulfillment::alerts::AlertStatus::Resolved && scanned(&a.kind)
        })
        .filter(|a| !seen.contains(&(a.kind.as_str(), a.subject.as_str())))
        .collect();
    let mut raised = Vec::new();
    for chunk in new.chunks(WRITE_ROWS) {
        raised.extend(write(store, chunk, &[], now_ms).await?);
    }
    for chunk in cleared.chunks(WRITE_ROWS) {
        write(store, &[], chunk, now_ms).await?;
    }
    Ok(raised)
}

/// One short write transaction: raises and resolutions, each checked as it is written.
async fn write(
    store: &SqlStore,
    raise: &[&Raised],
    resolve: &[&AlertRecord],
    now_ms: i64,
) -> StoreResult<Vec<AlertRecord>> {
    let mut tx = store.begin().await?;
    let mut raised = Vec::new();
    for f in raise {
        raised.extend(insert_unless_standing(&mut tx, f, now_ms).await?);
    }
    for a in resolve {
        resolve_if_open(&mut tx, a, "system:alert-scan", now_ms).await?;
    }
    tx.commit().await?;
    Ok(raised)
}

/// What the checks find now, over every open fulfilment order and shipment.
async fn findings(
    conn: &mut dyn Exec,
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> StoreResult<Vec<Raised>> {
    let locations = load::locations(conn).await?;
    let mut raised = Vec::new();
    let mut after: Option<(i64, String)> = None;
    loop {
        let mut sql = fulfillment::select(OPEN_WORK);
        if let Some((at, id)) = &after {
            sql.push(" AND (released_at > ").arg(*at);
            sql.push(" OR (released_at = ")
                .arg(*at)
                .push(" AND id > ")
                .arg(id.as_str());
            sql.push("))");
        }
        sql.push(" ORDER BY released_at, id LIMIT ").arg(PAGE_ROWS);
        let page = fulfillment::load(conn, sql).await?;
        let orders = order_facts(conn, &page).await?;
        for fo in &page {
            raised.extend(work_alerts(
                fo, &orders, &locations, settings, transit, now_ms,
            ));
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE_ROWS => {
                after = Some((last.released_at_ms, last.id.clone()))
            }
            _ => break,
        }
    }
    raised.extend(shipment_findings(conn, settings, now_ms).await?);
    Ok(raised)
}

fn work_alerts(
    fo: &FulfillmentOrder,
    orders: &HashMap<String, OrderFacts>,
    locations: &[Location],
    settings: &AlertSettings,
    transit: &dyn TransitModel,
    now_ms: i64,
) -> Vec<Raised> {
    let mut raised: Vec<Raised> = not_accepted(fo, settings, now_ms).into_iter().collect();
    let order = orders.get(&fo.order_id);
    let location = locations.iter().find(|l| l.code == fo.location);
    if let (Some(order), Some(location)) = (order, location) {
        let at_risk = promise_at_risk(
            fo,
            order.promised_date,
            location,
            order.destination,
            transit,
            now_ms,
        );
        raised.extend(at_risk);
    }
    raised
}

/// What the checks need of an order: its promise and where it goes.
struct OrderFacts {
    promised_date: Option<jiff::civil::Date>,
    destination: Option<GeoPoint>,
}

async fn order_facts(
    conn: &mut dyn Exec,
    page: &[FulfillmentOrder],
) -> StoreResult<HashMap<String, OrderFacts>> {
    let ids: HashSet<&str> = page.iter().map(|f| f.order_id.as_str()).collect();
    let mut facts = HashMap::new();
    if ids.is_empty() {
        return Ok(facts);
    }
    let mut sql = Sql::new(
        "SELECT id, promised_date, ship_to_country, ship_to_postal_code, ship_to_lat, ship_to_lon \
         FROM orders WHERE id IN (",
    );
    sql.list(ids).push(")");
    for r in conn.rows(sql).await? {
        let point = corrupt(
            "ship_to_lat",
            ordo_domain::geo::parse_point(r.opt_real("ship_to_lat")?, r.opt_real("ship_to_lon")?),
        )?;
        let country = match r.opt_text("ship_to_country")? {
            Some(c) => Some(corrupt("ship_to_country", CountryCode::parse(&c))?),
            None => None,
        };
        let postal = r.opt_text("ship_to_postal_code")?.unwrap_or_default();
        let destination = point.or_else(|| country.and_then(|c| geocode_postal(c, &postal)));
        let promised_date = rows::optional_date(&r, "promised_date")?;
        facts.insert(
            r.text("id")?,
            OrderFacts {
                promised_date,
                destination,
            },
        );
    }
    Ok(facts)
}

async fn shipment_findings(
    conn: &mut dyn Exec,
    settings: &AlertSettings,
    now_ms: i64,
) -> StoreResult<Vec<Raised>> {
    let mut raised = Vec::new();
    let mut after: Option<(i64, String)> = None;
    loop {
        let mut sql = Sql::new(
            "SELECT id, order_id, tracking_number, status, shipped_at, last_event_at FROM shipments \
             WHERE status NOT IN ('delivered', 'returned_to_sender')",
        );
        if let Some((at, id)) = &after {
            sql.push(" AND (shipped_at > ").arg(*at);
            sql.push(" OR (shipped_at = ")
                .arg(*at)
                .push(" AND id > ")
                .arg(id.as_str());
            sql.push("))");
        }
        sql.push(" ORDER BY shipped_at, id LIMIT ").arg(PAGE_ROWS);
        let rows = conn.rows(sql).await?;
        for r in &rows {
            let (id, order_id) = (r.text("id")?, r.text("order_id")?);
            let (number, status) = (r.text("tracking_number")?, r.text("status")?);
            let facts = ShipmentFacts {
                id: &id,
                order_id: &order_id,
                tracking_number: &number,
                status: &status,
                shipped_at_ms: r.int("shipped_at")?,
                last_event_at_ms: r.opt_int("last_event_at")?,
            };
            raised.extend(shipment_alerts(&facts, settings, now_ms));
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE_ROWS => {
                after = Some((last.int("shipped_at")?, last.text("id")?))
            }
            _ => break,
        }
    }
    Ok(raised)
}
