//! What the alert scan reads: every open fulfilment order and shipment, page by page from the
//! read pool (never holding the writer), with the orders' promises and destinations and the
//! standing alerts; and the writes that raise and resolve alerts, each checked again as it is
//! written, since people and other writes go on meanwhile. The checks are the app's
//! (`ordo-app/src/alert_scan.rs`).

use crate::sql::exec::Exec;
use std::collections::{HashMap, HashSet};

use ordo_domain::fulfillment::alerts::Raised;
use ordo_domain::geo::CountryCode;
use ordo_domain::shipping::parse_shipment_status;

use super::args::Sql;
use super::rows::{self, RowExt};
use super::tx::Tx;
use super::work_alerts::{insert_unless_standing, resolve_if_open, standing};
use super::{SqlStore, fulfillment};
use crate::error::{StoreResult, corrupt};
use crate::fulfillment::{AlertRecord, OpenShipment, OrderDestination, WorkPage};

/// Open fulfilment orders or shipments read at a time.
const PAGE_ROWS: i64 = 500;

const OPEN_WORK: &str = "status IN ('released', 'accepted', 'picking', 'picked', 'packed')";

/// A page of open fulfilment orders after `after` (their release time and id), oldest release
/// first, with their orders' destinations.
pub(crate) async fn work_page(
    store: &SqlStore,
    after: Option<&(i64, String)>,
) -> StoreResult<WorkPage> {
    let mut conn = store.reader().await?;
    let mut sql = fulfillment::select(OPEN_WORK);
    after_key(&mut sql, "released_at", after);
    sql.push(" ORDER BY released_at, id LIMIT ").arg(PAGE_ROWS);
    let work = fulfillment::load(&mut conn, sql).await?;
    let ids: HashSet<&str> = work.iter().map(|f| f.order_id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let orders = destinations(&mut conn, &ids).await?;
    let next = match work.last() {
        Some(last) if work.len() as i64 == PAGE_ROWS => {
            Some((last.released_at_ms, last.id.clone()))
        }
        _ => None,
    };
    Ok(WorkPage { work, orders, next })
}

/// The alerts a scan compares its findings with.
pub(crate) async fn standing_alerts(store: &SqlStore) -> StoreResult<Vec<AlertRecord>> {
    let mut conn = store.reader().await?;
    standing(&mut conn).await
}

impl Tx {
    /// Raises a finding unless an alert of its kind stands for the subject (unresolved, or
    /// resolved by a person); answers the alert raised.
    pub async fn raise_alert_unless_standing(
        &mut self,
        finding: &Raised,
        now_ms: i64,
    ) -> StoreResult<Option<AlertRecord>> {
        insert_unless_standing(&mut self.write, finding, now_ms).await
    }

    /// Resolves an alert that has cleared, unless someone resolved it meanwhile.
    pub async fn resolve_alert_if_open(
        &mut self,
        alert: &AlertRecord,
        actor: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        resolve_if_open(&mut self.write, alert, actor, now_ms).await
    }
}

/// These orders' promised dates and where they go, as stored.
async fn destinations(
    conn: &mut dyn Exec,
    ids: &[&str],
) -> StoreResult<HashMap<String, OrderDestination>> {
    let mut found = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let mut sql = Sql::new(
        "SELECT id, promised_date, ship_to_country, ship_to_postal_code, ship_to_lat, ship_to_lon \
         FROM orders WHERE id IN (",
    );
    sql.list(ids.iter().copied()).push(")");
    for r in conn.rows(sql).await? {
        let point = corrupt(
            "ship_to_lat",
            ordo_domain::geo::parse_point(r.opt_real("ship_to_lat")?, r.opt_real("ship_to_lon")?),
        )?;
        let country = match r.opt_text("ship_to_country")? {
            Some(c) => Some(corrupt("ship_to_country", CountryCode::parse(&c))?),
            None => None,
        };
        let destination = OrderDestination {
            promised_date: rows::optional_date(&r, "promised_date")?,
            point,
            country,
            postal_code: r.opt_text("ship_to_postal_code")?.unwrap_or_default(),
        };
        found.insert(r.text("id")?, destination);
    }
    Ok(found)
}

/// A page of shipments not yet delivered or on their way back, after `after` (their ship
/// time and id), oldest first; with the cursor of the next page, if there is one.
pub(crate) async fn shipment_page(
    store: &SqlStore,
    after: Option<&(i64, String)>,
) -> StoreResult<(Vec<OpenShipment>, Option<(i64, String)>)> {
    let mut conn = store.reader().await?;
    let mut sql = Sql::new(
        "SELECT id, order_id, tracking_number, status, shipped_at, last_event_at FROM shipments \
         WHERE status NOT IN ('delivered', 'returned_to_sender')",
    );
    after_key(&mut sql, "shipped_at", after);
    sql.push(" ORDER BY shipped_at, id LIMIT ").arg(PAGE_ROWS);
    let rows = conn.rows(sql).await?;
    let mut page = Vec::with_capacity(rows.len());
    for r in &rows {
        page.push(OpenShipment {
            id: r.text("id")?,
            order_id: r.text("order_id")?,
            tracking_number: r.text("tracking_number")?,
            status: corrupt("status", parse_shipment_status(&r.text("status")?))?,
            shipped_at_ms: r.int("shipped_at")?,
            last_event_at_ms: r.opt_int("last_event_at")?,
        });
    }
    let next = match page.last() {
        Some(last) if page.len() as i64 == PAGE_ROWS => Some((last.shipped_at_ms, last.id.clone())),
        _ => None,
    };
    Ok((page, next))
}

/// Narrows a page's query to the rows after `after` in (`column`, id) order.
fn after_key(sql: &mut Sql, column: &str, after: Option<&(i64, String)>) {
    if let Some((at, id)) = after {
        sql.push(&format!(" AND ({column} > ")).arg(*at);
        sql.push(&format!(" OR ({column} = "))
            .arg(*at)
            .push(" AND id > ")
            .arg(id.as_str());
        sql.push("))");
    }
}
