//! The body of `POST /v1/orders`, and how it becomes a checked [`OrderDraft`]: every field is
//! checked, and every bad one is reported at once.

use ordo_domain::field::FieldErrors;
use ordo_domain::geo::{CountryCode, parse_point};
use ordo_domain::money::Currency;
use ordo_domain::order::{
    Customer, Delivery, DraftLine, LINE_QUANTITY_MAX, OrderDraft, PRIORITY_MAX, ShipTo,
};
use ordo_domain::values::{
    ChannelCode, Email, LocationCode, Sku, parse_external_id, parse_name, parse_phone,
    parse_positive_quantity, parse_text,
};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// The channel the order comes from; a channel key may only name its own.
    #[schema(required = true, example = "web")]
    pub channel: Option<String>,
    /// The channel's own order number. A channel sending the same one twice gets 409.
    #[schema(required = true, example = "W-100234")]
    pub external_id: Option<String>,
    #[schema(required = true)]
    pub customer: Option<CustomerBody>,
    /// Where to ship; required unless the order is picked up.
    pub ship_to: Option<ShipToBody>,
    /// ISO 4217.
    #[schema(required = true, example = "EUR")]
    pub currency: Option<String>,
    #[schema(required = true)]
    pub lines: Option<Vec<LineBody>>,
    /// Shipped when absent.
    pub delivery: Option<DeliveryBody>,
    /// 0 (the default) to 100; higher priorities are served first when waiting units are
    /// filled and the backorder policy is `priority`.
    pub priority: Option<i64>,
    /// A checkout hold (from `POST /v1/holds`) whose units this order takes over.
    #[schema(example = "hld_01JD3M...")]
    pub hold_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    #[schema(required = true, example = "ann@example.com")]
    pub email: Option<String>,
    #[schema(required = true, example = "Ann Example")]
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipToBody {
    #[schema(required = true, example = "Ann Example")]
    pub name: Option<String>,
    #[schema(required = true, example = "Jungfernstieg 1")]
    pub line1: Option<String>,
    pub line2: Option<String>,
    #[schema(required = true, example = "Hamburg")]
    pub city: Option<String>,
    pub region: Option<String>,
    #[schema(required = true, example = "20095")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(required = true, example = "DE")]
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Directions for the courier where the address alone does not find the door: a
    /// landmark, a gate ("opposite the Total station, blue gate"). Printed on the label.
    #[schema(example = "Opposite the Total filling station, blue gate")]
    pub directions: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 2)]
    pub quantity: Option<i64>,
    /// A decimal string in the order's currency, such as `"19.90"`.
    #[schema(required = true, example = "19.90")]
    pub unit_price: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBody {
    /// `ship` or `pickup`.
    #[schema(required = true, example = "ship")]
    pub method: Option<String>,
    /// The store to pick up at; only for `pickup`.
    pub pickup_location: Option<String>,
}

/// Longest address line we store.
const ADDRESS_LINE_LEN_MAX: usize = 200;
/// Longest directions for the courier.
const ADDRESS_DIRECTIONS_LEN_MAX: usize = 300;

impl OrderBody {
    pub fn parse(self, order_lines_max: usize) -> Result<OrderDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let channel = e.required("channel", self.channel, |c| ChannelCode::parse(&c));
        let external_id = e.required("external_id", self.external_id, |x| parse_external_id(&x));
        let customer = match self.customer {
            None => {
                e.push("customer", "is required");
                None
            }
            Some(c) => {
                let email = e.required("customer.email", c.email, |m| Email::parse(&m));
                let name = e.required("customer.name", c.name, |n| parse_name(&n));
                let phone = e.optional("customer.phone", c.phone, |p| parse_phone(&p));
                match (email, name, phone) {
                    (Some(email), Some(name), Some(phone)) => Some(Customer { email, name, phone }),
                    _ => None,
                }
            }
        };
        let currency = e.required("currency", self.currency, |c| Currency::parse(&c));
        let delivery = parse_delivery(self.delivery, &mut e);
        let ship_to = match (self.ship_to, &delivery) {
            (Some(s), _) => s.parse(&mut e).map(Some),
            (None, Some(Delivery::Pickup { .. })) => Some(None),
            (None, _) => {
                e.push("ship_to", "is required for shipped orders");
                None
            }
        };
        let lines = parse_lines(self.lines, currency, order_lines_max, &mut e);
        let priority = e.check("priority", parse_priority(self.priority.unwrap_or(0)));
        let hold_id = e.optional("hold_id", self.hold_id, |h| {
            if ordo_domain::ids::looks_like_id("hld", &h) {
                Ok(h)
            } else {
                Err("must be a hold id from POST /v1/holds".into())
            }
        });
        let (
            Some(channel),
            Some(external_id),
            Some(customer),
            Some(currency),
            Some(delivery),
            Some(ship_to),
            Some(lines),
            Some(priority),
            Some(hold_id),
        ) = (
            channel,
            external_id,
            customer,
            currency,
            delivery,
            ship_to,
            lines,
            priority,
            hold_id,
        )
        else {
            return Err(e);
        };
        e.into_result()?;
        Ok(OrderDraft {
            channel,
            external_id,
            customer,
            ship_to,
            currency,
            lines,
            delivery,
            priority,
            hold_id,
            // Checked by the use case, which puts an order whose address fails on hold.
            address_problems: Vec::new(),
        })
    }
}

fn parse_delivery(body: Option<DeliveryBody>, e: &mut FieldErrors) -> Option<Delivery> {
    let Some(body) = body else {
        return Some(Delivery::Ship);
    };
    match body.method.as_deref() {
        None => {
            e.push("delivery.method", "is required");
            None
        }
        Some("ship") => {
            if body.pickup_location.is_some() {
                e.push("delivery.pickup_location", "is only for pickup orders");
                return None;
            }
            Some(Delivery::Ship)
        }
        Some("pickup") => {
            let location = e.required("delivery.pickup_location", body.pickup_location, |l| {
                LocationCode::parse(&l)
            });
            location.map(|location| Delivery::Pickup { location })
        }
        Some(_) => {
            e.push("delivery.method", "must be ship or pickup");
            None
        }
    }
}

fn parse_lines(
    body: Option<Vec<LineBody>>,
    currency: Option<Currency>,
    max: usize,
    e: &mut FieldErrors,
) -> Option<Vec<DraftLine>> {
    let lines = e.required("lines", body, |lines| {
        if lines.is_empty() || lines.len() > max {
            Err(format!("must hold 1 to {max} lines"))
        } else {
            Ok(lines)
        }
    })?;
    let mut parsed = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let sku = e.required(&format!("lines[{i}].sku"), line.sku, |s| Sku::parse(&s));
        let quantity = e.required(&format!("lines[{i}].quantity"), line.quantity, |q| {
            parse_positive_quantity(q, LINE_QUANTITY_MAX)
        });
        // Without a valid currency a price cannot be read; the currency error says why.
        let price = match currency {
            Some(currency) => e.required(&format!("lines[{i}].unit_price"), line.unit_price, |p| {
                currency.parse_amount(&p)
            }),
            None => None,
        };
        if let (Some(sku), Some(quantity), Some(unit_price_minor)) = (sku, quantity, price) {
            parsed.push(DraftLine {
                sku,
                quantity,
                unit_price_minor,
            });
        }
    }
    e.is_empty().then_some(parsed)
}

impl ShipToBody {
    pub fn parse(self, e: &mut FieldErrors) -> Option<ShipTo> {
        let line = |raw: String| parse_text(&raw, ADDRESS_LINE_LEN_MAX);
        let name = e.required("ship_to.name", self.name, |n| parse_name(&n));
        // Fields an address needs are checked, per country, by the address checks: a
        // missing one puts the order on an address hold rather than refusing it.
        let mut needed = |field: &str, raw: Option<String>, len_max: usize| match raw {
            Some(raw) if !raw.trim().is_empty() => e.check(field, parse_text(&raw, len_max)),
            _ => Some(String::new()),
        };
        let line1 = needed("ship_to.line1", self.line1, ADDRESS_LINE_LEN_MAX);
        let city = needed("ship_to.city", self.city, 100);
        let postal_code = needed("ship_to.postal_code", self.postal_code, 20);
        let line2 = e.optional("ship_to.line2", self.line2, line);
        let region = e.optional("ship_to.region", self.region, |r| parse_text(&r, 100));
        let country = e.required("ship_to.country", self.country, |c| {
            CountryCode::parse_name_or_code(&c)
        });
        let point = e.check("ship_to.lat", parse_point(self.lat, self.lon));
        let directions = e.optional("ship_to.directions", self.directions, |d| {
            parse_text(&d, ADDRESS_DIRECTIONS_LEN_MAX)
        });
        Some(ShipTo {
            name: name?,
            line1: line1?,
            line2: line2?,
            city: city?,
            region: region?,
            postal_code: postal_code?,
            country: country?,
            point: point?,
            directions: directions?,
        })
    }
}

fn parse_priority(raw: i64) -> Result<i64, String> {
    if !(0..=PRIORITY_MAX).contains(&raw) {
        return Err(format!("must be a whole number from 0 to {PRIORITY_MAX}"));
    }
    Ok(raw)
}
