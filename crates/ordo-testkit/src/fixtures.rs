//! Builders for domain values and API request bodies, with sensible defaults.

use ordo_app::{PlaceCommand, PlaceOutcome};
use ordo_domain::channel::{Channel, ChannelKind};
use ordo_domain::geo::{CountryCode, GeoPoint};
use ordo_domain::inventory::Position;
use ordo_domain::item::Item;
use ordo_domain::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, TimeZoneName,
};
use ordo_domain::money::Currency;
use ordo_domain::order::{Customer, Delivery, DraftLine, OrderDraft, ShipTo};
use ordo_domain::values::{ChannelCode, Email, LocationCode, Sku};
use ordo_store::{NetworkSeed, Store};
use serde_json::{Value, json};

use crate::CLOCK_START_MS;

pub fn code(raw: &str) -> LocationCode {
    LocationCode::parse(raw).expect("a valid location code")
}

pub fn sku(raw: &str) -> Sku {
    Sku::parse(raw).expect("a valid SKU")
}

pub fn channel_code(raw: &str) -> ChannelCode {
    ChannelCode::parse(raw).expect("a valid channel code")
}

/// A warehouse that ships, at the given coordinates in Germany.
pub fn location(raw_code: &str, lat: f64, lon: f64) -> Location {
    Location {
        code: code(raw_code),
        name: format!("Location {raw_code}"),
        kind: LocationKind::Warehouse,
        address: LocationAddress {
            country: CountryCode::parse("DE").unwrap(),
            region: None,
            city: "Somewhere".into(),
            line1: None,
            line2: None,
            postal_code: "10115".into(),
            point: Some(GeoPoint::new(lat, lon).unwrap()),
        },
        capabilities: Capabilities {
            ship: true,
            pickup: false,
        },
        daily_order_capacity: Some(1000),
        cutoff_local_time: Some(LocalTime::parse("16:00").unwrap()),
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        receiving_lead_time_days: 0,
        release_waves: Default::default(),
        active: true,
        created_at_ms: CLOCK_START_MS,
        updated_at_ms: CLOCK_START_MS,
    }
}

pub fn item(raw_sku: &str) -> Item {
    Item {
        sku: sku(raw_sku),
        name: format!("Item {raw_sku}"),
        weight_g: Some(500),
        length_mm: Some(300),
        width_mm: Some(200),
        height_mm: Some(100),
        allow_backorder: false,
        preorder: None,
        active: true,
        created_at_ms: CLOCK_START_MS,
        updated_at_ms: CLOCK_START_MS,
    }
}

pub fn channel(raw_code: &str, kind: ChannelKind) -> Channel {
    Channel {
        code: channel_code(raw_code),
        name: format!("Channel {raw_code}"),
        kind,
        active: true,
        created_at_ms: CLOCK_START_MS,
    }
}

pub fn position(location: &str, raw_sku: &str, on_hand: i64) -> Position {
    Position {
        on_hand,
        ..Position::empty(code(location), sku(raw_sku))
    }
}

/// Two warehouses (north and south), items A, B and C, channels `web` and `pos`, and the
/// given opening stock as (location, sku, on hand).
pub fn small_network(stock: &[(&str, &str, i64)]) -> NetworkSeed {
    NetworkSeed {
        locations: vec![
            location("NORTH", 53.55, 9.99),
            location("SOUTH", 48.14, 11.58),
        ],
        items: vec![item("A"), item("B"), item("C")],
        channels: vec![
            channel("web", ChannelKind::Web),
            channel("pos", ChannelKind::Pos),
        ],
        positions: stock.iter().map(|(l, s, q)| position(l, s, *q)).collect(),
        actor: "test".into(),
        now_ms: CLOCK_START_MS,
    }
}

/// A checked order draft for `web`, shipped to Hamburg.
pub fn draft(external_id: &str, lines: &[(&str, i64)]) -> OrderDraft {
    OrderDraft {
        channel: channel_code("web"),
        external_id: external_id.into(),
        customer: Customer {
            email: Email::parse("ann@example.com").unwrap(),
            name: "Ann Example".into(),
            phone: None,
        },
        ship_to: Some(ShipTo {
            name: "Ann Example".into(),
            line1: "Jungfernstieg 1".into(),
            line2: None,
            city: "Hamburg".into(),
            region: None,
            postal_code: "20095".into(),
            country: CountryCode::parse("DE").unwrap(),
            point: None,
            directions: None,
        }),
        currency: Currency::parse("EUR").unwrap(),
        lines: lines
            .iter()
            .map(|(s, q)| DraftLine {
                sku: sku(s),
                quantity: *q,
                unit_price_minor: 1999,
            })
            .collect(),
        delivery: Delivery::Ship,
        priority: 0,
        hold_id: None,
        address_problems: Vec::new(),
    }
}

pub fn place_command(external_id: &str, lines: &[(&str, i64)]) -> PlaceCommand {
    PlaceCommand {
        order_id: ordo_store::ids::new_id("ord", CLOCK_START_MS),
        draft: draft(external_id, lines),
        idempotency: None,
        actor: "test".into(),
        now_ms: CLOCK_START_MS,
    }
}

/// A fresh store on `backend` with the small network and this stock loaded; `None` when the
/// backend is not available here.
pub async fn store_with(
    backend: crate::Backend,
    stock: &[(&str, &str, i64)],
) -> Option<(crate::TestDb, std::sync::Arc<dyn Store>)> {
    let db = crate::TestDb::fresh(backend).await?;
    let store = db.store().await;
    store
        .load_network(&small_network(stock))
        .await
        .expect("the network loads");
    Some((db, store))
}

/// Places a batch of orders as the app's order writer does, answering each.
pub async fn place_orders(
    store: &dyn Store,
    batch: &[PlaceCommand],
    deciders: &ordo_store::Deciders<'_>,
) -> Vec<PlaceOutcome> {
    ordo_app::place_orders(store, batch, deciders)
        .await
        .expect("placing runs")
}

/// Places one order as the app does, and gives it back; panics when it is not placed.
pub async fn place_one(store: &dyn Store, command: PlaceCommand) -> ordo_store::OrderRecord {
    match place_orders(store, &[command], &deciders()).await.pop() {
        Some(PlaceOutcome::Placed(record)) => record,
        other => panic!("the order should be placed: {other:?}"),
    }
}

/// The JSON body of `POST /v1/orders` for `channel`, shipped to Hamburg.
pub fn order_body(channel: &str, external_id: &str, lines: &[(&str, i64)]) -> Value {
    json!({
        "channel": channel,
        "external_id": external_id,
        "customer": { "email": "ann@example.com", "name": "Ann Example" },
        "ship_to": {
            "name": "Ann Example", "line1": "Jungfernstieg 1", "city": "Hamburg",
            "postal_code": "20095", "country": "DE"
        },
        "currency": "EUR",
        "lines": lines.iter().map(|(s, q)| json!({ "sku": s, "quantity": q, "unit_price": "19.99" })).collect::<Vec<_>>(),
        "delivery": { "method": "ship" }
    })
}

/// The deciders the app uses by default: each channel's routing profile, distance bands.
pub fn deciders() -> ordo_store::Deciders<'static> {
    static TRANSIT: std::sync::LazyLock<ordo_domain::promise::DistanceBands> =
        std::sync::LazyLock::new(Default::default);
    ordo_store::Deciders {
        router: None,
        transit: &*TRANSIT,
        release_at_capture: false,
    }
}
