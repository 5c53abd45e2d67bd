//! How an order looks in the API.

use ordo_app::OrderRecord;
use ordo_domain::order::{Delivery, LineQuantities, OrderEvent};
use serde::Serialize;
use utoipa::ToSchema;

use super::common::timestamp;
use super::shipments::ShipmentView;
use super::work_alerts::AlertView;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    /// Short and human-friendly; works wherever the id does.
    pub number: String,
    pub channel: String,
    pub external_id: String,
    /// `received`, `allocated`, `backordered`, `released`, `partially_shipped`, `shipped`,
    /// `delivered`, `cancelled` or `on_hold`.
    pub status: String,
    pub customer: CustomerView,
    pub ship_to: Option<ShipToView>,
    pub currency: String,
    pub delivery: DeliveryView,
    pub lines: Vec<LineView>,
    pub priority: i64,
    /// The delivery date promised for the whole order (`YYYY-MM-DD`); `null` while a waiting
    /// line has no date.
    pub promised_date: Option<String>,
    /// Where each line's units are reserved (`held`), shipped from (`committed`) or were
    /// given back (`released`).
    pub allocations: Vec<AllocationView>,
    /// The work released to locations: one fulfilment order per location (and per release
    /// after the location accepted the first).
    pub fulfillment_orders: Vec<FulfillmentRefView>,
    /// Its parcels, in the order they left, with carrier, tracking link and events.
    pub shipments: Vec<ShipmentView>,
    /// Its alerts not yet resolved (a parcel returned to sender, a promise at risk...).
    pub alerts: Vec<AlertView>,
    pub totals: TotalsView,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipToView {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Directions for the courier: a landmark, a gate.
    pub directions: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub method: String,
    pub pickup_location: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineView {
    pub line: u32,
    pub sku: String,
    pub unit_price: String,
    /// unit_price × (ordered − cancelled).
    pub line_total: String,
    /// The status the line's quantities call for, as the order's status does.
    pub status: String,
    pub quantities: QuantitiesView,
    /// When the line is expected to arrive (`YYYY-MM-DD`): from its reservations, or for
    /// waiting units from incoming supply or the preorder's release.
    pub expected_date: Option<String>,
    /// The waiting units are a preorder.
    pub preorder: bool,
}

/// A line's units by state: ordered = allocated + backordered + shipped + cancelled;
/// released is the part of allocated handed to a location's fulfilment, and
/// cancel_requested the part of released the order asked the location not to send (a
/// cancellation waiting for the location to confirm).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuantitiesView {
    pub ordered: i64,
    pub allocated: i64,
    pub released: i64,
    pub cancel_requested: i64,
    pub backordered: i64,
    pub shipped: i64,
    pub delivered: i64,
    pub cancelled: i64,
    pub returned: i64,
}

impl From<LineQuantities> for QuantitiesView {
    fn from(q: LineQuantities) -> Self {
        Self {
            ordered: q.ordered,
            allocated: q.allocated,
            released: q.released,
            cancel_requested: 0,
            backordered: q.backordered,
            shipped: q.shipped,
            delivered: q.delivered,
            cancelled: q.cancelled,
            returned: q.returned,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FulfillmentRefView {
    pub id: String,
    pub location: String,
    /// `released`, `accepted`, `picking`, `picked`, `packed`, `shipped`, `rejected` or
    /// `cancelled`.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    pub id: String,
    pub line: u32,
    pub sku: String,
    pub location: String,
    pub quantity: i64,
    /// `held`, `committed` or `released`.
    pub status: String,
}

/// Money as decimal strings in the order's currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsView {
    /// Units still wanted: ordered less cancelled.
    pub units: i64,
    pub subtotal: String,
    pub cancelled: String,
    pub total: String,
}

impl From<OrderRecord> for OrderView {
    fn from(record: OrderRecord) -> Self {
        let asked = |line: u32| -> i64 {
            record
                .fulfillment
                .iter()
                .flat_map(|f| &f.cancel_requested)
                .filter(|(l, _)| *l == line)
                .map(|(_, units)| units)
                .sum()
        };
        let cancel_requested: Vec<i64> = record
            .order
            .lines
            .iter()
            .map(|l| asked(l.line_no))
            .collect();
        let o = record.order;
        let currency = o.currency;
        let totals = o.totals();
        Self {
            totals: TotalsView {
                units: totals.units,
                subtotal: currency.format(totals.subtotal_minor),
                cancelled: currency.format(totals.cancelled_minor),
                total: currency.format(totals.total_minor),
            },
            id: o.id,
            number: o.number,
            channel: o.channel.to_string(),
            external_id: o.external_id,
            status: o.status.as_str().into(),
            customer: CustomerView {
                email: o.customer.email.as_str().into(),
                name: o.customer.name,
                phone: o.customer.phone,
            },
            ship_to: o.ship_to.map(|s| ShipToView {
                name: s.name,
                line1: s.line1,
                line2: s.line2,
                city: s.city,
                region: s.region,
                postal_code: s.postal_code,
                country: s.country.to_string(),
                lat: s.point.map(|p| p.lat),
                lon: s.point.map(|p| p.lon),
                directions: s.directions,
            }),
            currency: currency.code().into(),
            delivery: DeliveryView {
                method: o.delivery.method().into(),
                pickup_location: match o.delivery {
                    Delivery::Pickup { location } => Some(location.to_string()),
                    Delivery::Ship => None,
                },
            },
            lines: o
                .lines
                .into_iter()
                .zip(cancel_requested)
                .map(|(l, cancel_requested)| {
                    let q = l.quantities;
                    let quantities = QuantitiesView {
                        cancel_requested,
                        ..q.into()
                    };
                    LineView {
                        line: l.line_no,
                        sku: l.sku.to_string(),
                        unit_price: currency.format(l.unit_price_minor),
                        line_total: currency.format(l.unit_price_minor * (q.ordered - q.cancelled)),
                        status: q.status().as_str().into(),
                        quantities,
                        expected_date: l.expected_date.map(|d| d.to_string()),
                        preorder: l.preorder,
                    }
                })
                .collect(),
            priority: o.priority,
            promised_date: o.promised_date.map(|d| d.to_string()),
            allocations: record
                .reservations
                .into_iter()
                .map(|r| AllocationView {
                    id: r.id,
                    line: r.line_no,
                    sku: r.sku.to_string(),
                    location: r.location.to_string(),
                    quantity: r.quantity,
                    status: r.status.as_str().into(),
                })
                .collect(),
            fulfillment_orders: record
                .fulfillment
                .into_iter()
                .map(|f| FulfillmentRefView {
                    id: f.id,
                    location: f.location.to_string(),
                    status: f.status.as_str().into(),
                })
                .collect(),
            shipments: record.shipments.into_iter().map(Into::into).collect(),
            alerts: record.alerts.into_iter().map(Into::into).collect(),
            created_at: timestamp(o.created_at_ms),
            updated_at: timestamp(o.updated_at_ms),
        }
    }
}

/// One entry of an order's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderEventView {
    pub seq: u32,
    pub at: String,
    /// `order.received`, `order.allocated`, `order.backordered`, `order.cancelled`...
    #[serde(rename = "type")]
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// Who caused it: `channel:web:key_...`, `admin:key_...`, `system`.
    pub actor: String,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<OrderEvent> for OrderEventView {
    fn from(e: OrderEvent) -> Self {
        Self {
            seq: e.seq,
            at: timestamp(e.at_ms),
            kind: e.kind.to_string(),
            from_status: e.from_status.map(|s| s.as_str().into()),
            to_status: e.to_status.map(|s| s.as_str().into()),
            actor: e.actor,
            reason: e.reason,
            data: e.data,
        }
    }
}
