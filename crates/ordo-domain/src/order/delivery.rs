//! An order following its parcels: when a shipment's status changes, the order's timeline
//! says so, and units delivered (or no longer delivered) count on its lines.

use serde_json::json;

use super::{IllegalTransition, Order, OrderEvent, OrderEventKind};
use crate::fulfillment::PackageContent;
use crate::shipping::{TrackingStatus, shipment_status_name};

/// A shipment whose status changed, as the order hears of it.
pub struct ShipmentNews<'a> {
    pub shipment_id: &'a str,
    pub carrier: &'a str,
    pub tracking_number: &'a str,
    pub contents: &'a [PackageContent],
    /// The status before: `None` while no carrier event counted (`shipped`).
    pub before: Option<TrackingStatus>,
    /// The status now: `None` while no carrier event counts (`shipped`).
    pub after: Option<TrackingStatus>,
}

/// Counts the parcel's units as delivered when it arrives (and back when a delivery is
/// withdrawn), moves the order's status if its lines say so, and answers the timeline event.
pub fn follow_shipment(
    order: &mut Order,
    news: &ShipmentNews<'_>,
    now_ms: i64,
) -> Result<OrderEvent, IllegalTransition> {
    let delivered = TrackingStatus::Delivered;
    let sign: i64 = match (
        news.before == Some(delivered),
        news.after == Some(delivered),
    ) {
        (false, true) => 1,
        (true, false) => -1,
        _ => 0,
    };
    for c in news.contents {
        if let Some(line) = order.lines.iter_mut().find(|l| l.line_no == c.line_no) {
            let q = &mut line.quantities;
            q.delivered = (q.delivered + sign * c.quantity).clamp(0, q.shipped);
        }
    }
    let data = json!({
        "shipment": news.shipment_id, "carrier": news.carrier,
        "tracking_number": news.tracking_number, "from": shipment_status_name(news.before), "to": shipment_status_name(news.after),
    });
    let kind = OrderEventKind::Parcel(news.after);
    let actor = format!("carrier:{}", news.carrier);
    match order.follow_quantities(now_ms, kind, &actor, None, data.clone())? {
        Some(event) => Ok(event),
        None => {
            order.updated_at_ms = now_ms;
            Ok(order.note(now_ms, kind, &actor, None, data))
        }
    }
}
