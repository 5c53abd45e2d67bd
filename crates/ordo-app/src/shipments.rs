//! Making shipments as a fulfilment order ships: one per package, with the carrier and service
//! the location named or rate shopping chose (or an outside carrier's, as the location printed
//! its label), and a tracking number — the location's own, checked against the carrier's
//! format and every number in use, or the next free one of the carrier's series.

use std::collections::HashMap;

use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::{FulfillmentOrder, Package};
use ordo_domain::location::Location;
use ordo_domain::order::{Delivery, Order, ShipTo};
use ordo_domain::shipping::handover::{check_format, check_supplied, choose};
use ordo_domain::shipping::{
    Address, Carrier, Handover, HandoverError, Quote, RateRequest, ShipAsk,
};
use ordo_store::ids::new_id;
use ordo_store::{ShipInput, ShipmentRecord, StoreError, Tx};

use crate::error::AppError;
use crate::transact::Attempt;

/// Pickup orders are handed over at the store: no carrier, a collection number.
pub const PICKUP_CARRIER: &str = "pickup";

/// What every package of one shipping step is decided against.
struct Lanes {
    carriers: Vec<Carrier>,
    reliability: HashMap<String, f64>,
    origin: Location,
}

async fn lanes(tx: &mut Tx, fo: &FulfillmentOrder) -> Attempt<Lanes> {
    let carriers = tx
        .carriers()
        .await?
        .into_iter()
        .map(|c| c.carrier)
        .collect();
    let history = tx.delivery_history().await?;
    let reliability = history
        .into_iter()
        .map(|(code, h)| (code, h.reliability()))
        .collect();
    let locations = tx.locations().await?;
    let origin = locations.iter().find(|l| l.code == fo.location).cloned();
    let vanished = || StoreError::Corrupt(format!("location {} vanished", fo.location));
    Ok(Lanes {
        carriers,
        reliability,
        origin: origin.ok_or_else(vanished)?,
    })
}

fn conflict(field: &str, message: impl Into<String>) -> AppError {
    AppError::Conflict(FieldErrors::single(field, message.into()))
}

/// The shipping step's packages as written shipments.
pub(crate) struct Shipping<'a> {
    pub fo: &'a FulfillmentOrder,
    pub order: &'a Order,
    pub packages: &'a [Package],
    pub input: &'a ShipInput,
    pub now_ms: i64,
}

pub(crate) async fn make_shipments(tx: &mut Tx, s: &Shipping<'_>) -> Attempt<Vec<ShipmentRecord>> {
    let supplied = &s.input.tracking_numbers;
    check_supplied(supplied, s.packages.len()).map_err(AppError::Invalid)?;
    let pickup =
        matches!(&s.order.delivery, Delivery::Pickup { location } if *location == s.fo.location);
    let lanes = lanes(tx, s.fo).await?;
    let mut made = Vec::with_capacity(s.packages.len());
    for (i, p) in s.packages.iter().enumerate() {
        let mut shipment = hand_over(s.fo, s.order, p, s.now_ms);
        if !pickup {
            let to = s.order.ship_to.as_ref();
            let to =
                to.ok_or_else(|| conflict("carrier", "the order has no address to ship to"))?;
            match handover(&lanes, to, p, s) {
                Ok(Handover::Rated(q)) => rated(&mut shipment, q),
                Ok(Handover::Outside { carrier, service }) => {
                    (shipment.carrier, shipment.service) = (carrier, service)
                }
                Err(HandoverError::Invalid(e)) => return Err(AppError::Invalid(e).into()),
                Err(HandoverError::Unserved { field, message }) => {
                    return Err(conflict(&field, message).into());
                }
            }
        }
        let configured = lanes.carriers.iter().find(|c| c.code == shipment.carrier);
        let number = match (supplied.get(i), configured) {
            (Some(number), Some(carrier)) => {
                check_format(carrier, i, number).map_err(AppError::Invalid)?;
                number.clone()
            }
            (Some(number), None) => number.clone(),
            (None, Some(carrier)) => tx.next_tracking_number(carrier).await?,
            (None, None) => format!("PU{}{}", s.order.number.replace('-', ""), p.seq),
        };
        shipment.tracking_url = configured.and_then(|c| c.tracking_link(&number));
        shipment.tracking_number = number;
        if tx
            .tracking_number_taken(&shipment.carrier, &shipment.tracking_number)
            .await?
        {
            let why = format!(
                "{} is already in use for a {} shipment",
                shipment.tracking_number, shipment.carrier
            );
            return Err(conflict(&format!("tracking_numbers[{i}]"), why).into());
        }
        tx.insert_shipment(&shipment).await?;
        made.push(shipment);
    }
    Ok(made)
}

/// Lets the domain choose the package's carrier and service.
fn handover(
    lanes: &Lanes,
    to: &ShipTo,
    package: &Package,
    s: &Shipping<'_>,
) -> Result<Handover, HandoverError> {
    let point = to.point_or_postal();
    let request = RateRequest {
        origin: &lanes.origin,
        to: Address {
            country: to.country,
            region: to.region.as_deref(),
            postal_code: &to.postal_code,
            point,
        },
        weight_g: package.weight_g,
        now_ms: s.now_ms,
        deliver_by: s.order.promised_date,
    };
    let ask = ShipAsk {
        carrier: s.input.carrier.as_deref(),
        service: s.input.service.as_deref(),
        numbers_supplied: !s.input.tracking_numbers.is_empty(),
    };
    choose(
        &lanes.carriers,
        &lanes.reliability,
        s.input.reliability_weight,
        &request,
        &ask,
    )
}

/// A package handed over at the location, as a pickup until a carrier is chosen.
fn hand_over(
    fo: &FulfillmentOrder,
    order: &Order,
    package: &Package,
    now_ms: i64,
) -> ShipmentRecord {
    ShipmentRecord {
        id: new_id("shp", now_ms),
        fulfillment_order_id: fo.id.clone(),
        package: package.clone(),
        order_id: order.id.clone(),
        location: fo.location.clone(),
        carrier: PICKUP_CARRIER.into(),
        service: "collect".into(),
        tracking_number: String::new(),
        status: None,
        cost_minor: None,
        currency: None,
        promised_date: order.promised_date,
        expected_date: None,
        shipped_at_ms: now_ms,
        delivered_at_ms: None,
        last_event_at_ms: None,
        failed_attempts: 0,
        tracking_url: None,
        events: Vec::new(),
    }
}

fn rated(shipment: &mut ShipmentRecord, quote: Quote) {
    shipment.carrier = quote.carrier;
    shipment.service = quote.service;
    shipment.cost_minor = Some(quote.cost_minor);
    shipment.currency = Some(quote.currency);
    shipment.expected_date = Some(quote.delivery_date);
}
