//! Reading rows back into domain values, through the same parsers the edge uses: a row that
//! fails them is reported as corrupt, never passed on.

use ordo_domain::auth::{ApiKey, Role};
use ordo_domain::channel::{Channel, ChannelKind};
use ordo_domain::geo::{CountryCode, GeoPoint};
use ordo_domain::inventory::{LedgerEntry, LedgerKind, Position};
use ordo_domain::item::Item;
use ordo_domain::item::Preorder;
use ordo_domain::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, ReleaseWaves, TimeZoneName,
};
use ordo_domain::money::Currency;
use ordo_domain::order::{
    Customer, Delivery, LineQuantities, Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus,
    ShipTo,
};
use ordo_domain::promise::parse_date;
use ordo_domain::reservation::{Reservation, ReservationOwner, ReservationStatus};
use ordo_domain::values::{ChannelCode, Email, LocationCode, Sku};

use super::exec::{Row, Value, int_value};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::LedgerRecord;

pub(crate) trait RowExt {
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn text(&self, column: &str) -> StoreResult<String>;
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn opt_real(&self, column: &str) -> StoreResult<Option<f64>>;
    fn flag(&self, column: &str) -> StoreResult<bool> {
        Ok(self.int(column)? != 0)
    }
}

impl RowExt for Row {
    fn int(&self, column: &str) -> StoreResult<i64> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is null")))
    }
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
        int_value(self.get(column)?, column)
    }
    fn text(&self, column: &str) -> StoreResult<String> {
        self.opt_text(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is null")))
    }
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            other => Err(StoreError::Corrupt(format!(
                "{column} is not text: {other:?}"
            ))),
        }
    }
    fn opt_real(&self, column: &str) -> StoreResult<Option<f64>> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Real(f) => Ok(Some(*f)),
            Value::Int(i) => Ok(Some(*i as f64)),
            other => Err(StoreError::Corrupt(format!(
                "{column} is not a number: {other:?}"
            ))),
        }
    }
}

pub(crate) fn sku(row: &Row, column: &str) -> StoreResult<Sku> {
    corrupt(column, Sku::parse(&row.text(column)?))
}

pub(crate) fn location_code(row: &Row, column: &str) -> StoreResult<LocationCode> {
    corrupt(column, LocationCode::parse(&row.text(column)?))
}

pub(crate) fn channel_code(row: &Row, column: &str) -> StoreResult<ChannelCode> {
    corrupt(column, ChannelCode::parse(&row.text(column)?))
}

fn point(row: &Row, lat: &str, lon: &str) -> StoreResult<Option<GeoPoint>> {
    corrupt(
        lat,
        ordo_domain::geo::parse_point(row.opt_real(lat)?, row.opt_real(lon)?),
    )
}

pub(crate) const LOCATION_COLUMNS: &str = "code, name, kind, country, region, city, postal_code, lat, lon, \
     can_ship, can_pickup, daily_order_capacity, cutoff_local_time, time_zone, receiving_lead_time_days, release_waves, \
     active, created_at, updated_at, line1, line2";

pub(crate) fn location(row: &Row) -> StoreResult<Location> {
    Ok(Location {
        code: location_code(row, "code")?,
        name: row.text("name")?,
        kind: corrupt("kind", LocationKind::parse(&row.text("kind")?))?,
        address: LocationAddress {
            country: corrupt("country", CountryCode::parse(&row.text("country")?))?,
            region: row.opt_text("region")?,
            city: row.text("city")?,
            line1: row.opt_text("line1")?,
            line2: row.opt_text("line2")?,
            postal_code: row.text("postal_code")?,
            point: point(row, "lat", "lon")?,
        },
        capabilities: Capabilities {
            ship: row.flag("can_ship")?,
            pickup: row.flag("can_pickup")?,
        },
        daily_order_capacity: row.opt_int("daily_order_capacity")?,
        cutoff_local_time: row
            .opt_text("cutoff_local_time")?
            .map(|t| corrupt("cutoff_local_time", LocalTime::parse(&t)))
            .transpose()?,
        time_zone: corrupt("time_zone", TimeZoneName::parse(&row.text("time_zone")?))?,
        receiving_lead_time_days: row.int("receiving_lead_time_days")?,
        release_waves: corrupt(
            "release_waves",
            ReleaseWaves::parse(
                &row.text("release_waves")?
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>(),
            ),
        )?,
        active: row.flag("active")?,
        created_at_ms: row.int("created_at")?,
        updated_at_ms: row.int("updated_at")?,
    })
}

pub(crate) const ITEM_COLUMNS: &str = "sku, name, weight_g, length_mm, width_mm, height_mm, allow_backorder, \
     preorder_release_date, preorder_cap, active, created_at, updated_at";

pub(crate) fn item(row: &Row) -> StoreResult<Item> {
    Ok(Item {
        sku: sku(row, "sku")?,
        name: row.text("name")?,
        weight_g: row.opt_int("weight_g")?,
        length_mm: row.opt_int("length_mm")?,
        width_mm: row.opt_int("width_mm")?,
        height_mm: row.opt_int("height_mm")?,
        allow_backorder: row.flag("allow_backorder")?,
        preorder: match (
            row.opt_text("preorder_release_date")?,
            row.opt_int("preorder_cap")?,
        ) {
            (Some(date), Some(cap)) => Some(Preorder {
                release_date: corrupt("preorder_release_date", parse_date(&date))?,
                cap,
            }),
            _ => None,
        },
        active: row.flag("active")?,
        created_at_ms: row.int("created_at")?,
        updated_at_ms: row.int("updated_at")?,
    })
}

pub(crate) fn channel(row: &Row) -> StoreResult<Channel> {
    Ok(Channel {
        code: channel_code(row, "code")?,
        name: row.text("name")?,
        kind: corrupt("kind", ChannelKind::parse(&row.text("kind")?))?,
        active: row.flag("active")?,
        created_at_ms: row.int("created_at")?,
    })
}

pub(crate) fn api_key(row: &Row) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: row.text("id")?,
        prefix: row.text("prefix")?,
        role: corrupt("role", Role::parse(&row.text("role")?))?,
        channel: row
            .opt_text("channel")?
            .map(|c| corrupt("channel", ChannelCode::parse(&c)))
            .transpose()?,
        location: row
            .opt_text("location")?
            .map(|l| corrupt("location", LocationCode::parse(&l)))
            .transpose()?,
        name: row.opt_text("name")?,
        created_at_ms: row.int("created_at")?,
        revoked_at_ms: row.opt_int("revoked_at")?,
    })
}

pub(crate) const POSITION_COLUMNS: &str =
    "location, sku, on_hand, reserved, safety_stock, damaged, quality_hold";

pub(crate) fn position(row: &Row) -> StoreResult<Position> {
    Ok(Position {
        location: location_code(row, "location")?,
        sku: sku(row, "sku")?,
        on_hand: row.int("on_hand")?,
        reserved: row.int("reserved")?,
        safety_stock: row.int("safety_stock")?,
        damaged: row.int("damaged")?,
        quality_hold: row.int("quality_hold")?,
    })
}

pub(crate) fn ledger_record(row: &Row) -> StoreResult<LedgerRecord> {
    let kind = row.text("kind")?;
    Ok(LedgerRecord {
        id: row.int("id")?,
        entry: LedgerEntry {
            at_ms: row.int("at")?,
            location: location_code(row, "location")?,
            sku: sku(row, "sku")?,
            kind: LedgerKind::parse(&kind)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("ledger kind {kind}")))?,
            on_hand_delta: row.int("on_hand_delta")?,
            reserved_delta: row.int("reserved_delta")?,
            on_hand_after: row.int("on_hand_after")?,
            reserved_after: row.int("reserved_after")?,
            safety_stock_after: row.int("safety_stock_after")?,
            damaged_after: row.int("damaged_after")?,
            quality_hold_after: row.int("quality_hold_after")?,
            reason: row.opt_text("reason")?,
            reference: row.opt_text("reference")?,
            actor: row.text("actor")?,
        },
    })
}

pub(crate) const ORDER_COLUMNS: &str = "id, number, channel, external_id, status, customer_email, customer_name, \
     customer_phone, ship_to_name, ship_to_line1, ship_to_line2, ship_to_city, ship_to_region, ship_to_postal_code, \
     ship_to_country, ship_to_lat, ship_to_lon, currency, delivery_method, pickup_location, total_minor, event_seq, \
     priority, promised_date, created_at, updated_at, ship_to_directions";

/// An order row; its lines come from [`order_line`] rows and are added by the caller.
pub(crate) fn order(row: &Row) -> StoreResult<Order> {
    let ship_to = match row.opt_text("ship_to_country")? {
        None => None,
        Some(country) => Some(ShipTo {
            name: row.text("ship_to_name")?,
            line1: row.text("ship_to_line1")?,
            line2: row.opt_text("ship_to_line2")?,
            city: row.text("ship_to_city")?,
            region: row.opt_text("ship_to_region")?,
            postal_code: row.text("ship_to_postal_code")?,
            country: corrupt("ship_to_country", CountryCode::parse(&country))?,
            point: point(row, "ship_to_lat", "ship_to_lon")?,
            directions: row.opt_text("ship_to_directions")?,
        }),
    };
    let delivery = match row.text("delivery_method")?.as_str() {
        "ship" => Delivery::Ship,
        _ => Delivery::Pickup {
            location: location_code(row, "pickup_location")?,
        },
    };
    Ok(Order {
        id: row.text("id")?,
        number: row.text("number")?,
        channel: channel_code(row, "channel")?,
        external_id: row.text("external_id")?,
        status: corrupt("status", OrderStatus::parse(&row.text("status")?))?,
        customer: Customer {
            email: corrupt("customer_email", Email::parse(&row.text("customer_email")?))?,
            name: row.text("customer_name")?,
            phone: row.opt_text("customer_phone")?,
        },
        ship_to,
        currency: corrupt("currency", Currency::parse(&row.text("currency")?))?,
        delivery,
        lines: Vec::new(),
        priority: row.int("priority")?,
        promised_date: optional_date(row, "promised_date")?,
        event_seq: corrupt(
            "event_seq",
            u32::try_from(row.int("event_seq")?).map_err(|e| e.to_string()),
        )?,
        created_at_ms: row.int("created_at")?,
        updated_at_ms: row.int("updated_at")?,
    })
}

pub(crate) const LINE_COLUMNS: &str = "order_id, line_no, sku, unit_price_minor, qty_ordered, qty_allocated, \
     qty_backordered, qty_shipped, qty_delivered, qty_cancelled, qty_returned, expected_date, preorder, qty_released";

pub(crate) fn order_line(row: &Row) -> StoreResult<(String, OrderLine)> {
    Ok((
        row.text("order_id")?,
        OrderLine {
            line_no: line_no(row)?,
            sku: sku(row, "sku")?,
            unit_price_minor: row.int("unit_price_minor")?,
            quantities: LineQuantities {
                ordered: row.int("qty_ordered")?,
                allocated: row.int("qty_allocated")?,
                backordered: row.int("qty_backordered")?,
                shipped: row.int("qty_shipped")?,
                delivered: row.int("qty_delivered")?,
                cancelled: row.int("qty_cancelled")?,
                returned: row.int("qty_returned")?,
                released: row.int("qty_released")?,
            },
            expected_date: optional_date(row, "expected_date")?,
            preorder: row.flag("preorder")?,
        },
    ))
}

fn line_no(row: &Row) -> StoreResult<u32> {
    corrupt(
        "line_no",
        u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
    )
}

pub(crate) const RESERVATION_COLUMNS: &str = "id, owner_kind, owner_id, line_no, sku, location, quantity, status, expires_at, created_at, updated_at";

pub(crate) fn reservation(row: &Row) -> StoreResult<Reservation> {
    let status = row.text("status")?;
    let owner = row.text("owner_kind")?;
    Ok(Reservation {
        id: row.text("id")?,
        owner: ReservationOwner::parse(&owner)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("reservation owner {owner}")))?,
        owner_id: row.text("owner_id")?,
        line_no: line_no(row)?,
        sku: sku(row, "sku")?,
        location: location_code(row, "location")?,
        quantity: row.int("quantity")?,
        status: ReservationStatus::parse(&status)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("reservation status {status}")))?,
        expires_at_ms: row.opt_int("expires_at")?,
        created_at_ms: row.int("created_at")?,
        updated_at_ms: row.int("updated_at")?,
    })
}

pub(crate) fn order_event(row: &Row) -> StoreResult<OrderEvent> {
    let status = |column: &str| -> StoreResult<Option<OrderStatus>> {
        row.opt_text(column)?
            .map(|s| corrupt(column, OrderStatus::parse(&s)))
            .transpose()
    };
    let kind = row.text("kind")?;
    let kind = OrderEventKind::parse(&kind)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("order event kind {kind}")))?;
    Ok(OrderEvent {
        order_id: row.text("order_id")?,
        seq: corrupt(
            "seq",
            u32::try_from(row.int("seq")?).map_err(|e| e.to_string()),
        )?,
        at_ms: row.int("at")?,
        kind,
        from_status: status("from_status")?,
        to_status: status("to_status")?,
        actor: row.text("actor")?,
        reason: row.opt_text("reason")?,
        data: corrupt(
            "data",
            serde_json::from_str(&row.text("data")?).map_err(|e| e.to_string()),
        )?,
    })
}

pub(crate) fn optional_date(row: &Row, column: &str) -> StoreResult<Option<jiff::civil::Date>> {
    row.opt_text(column)?
        .map(|d| corrupt(column, parse_date(&d)))
        .transpose()
}
