//! The demo network: warehouses, a 3PL and stores in German cities, a catalogue of a little
//! over 200 items, stock spread unevenly (popular items everywhere, the long tail thin, one
//! warehouse short), three channels with keys, and two carriers (`carriers`). Generated from a fixed seed, so every demo
//! is the same.

use ordo_domain::auth::Role;
use ordo_domain::channel::{Channel, ChannelKind};
use ordo_domain::geo::{CountryCode, de};
use ordo_domain::inventory::Position;
use ordo_domain::item::{Item, Preorder};
use ordo_domain::location::{
    Capabilities, LocalTime, Location, LocationAddress, LocationKind, ReleaseWaves, TimeZoneName,
};
use ordo_domain::promise::{add_days, utc_date};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::NetworkSeed;

use crate::App;
use crate::error::AppResult;

mod carriers;
mod data;
use data::{FAMILIES, LOCATIONS};

/// Set once the demo network is loaded, so a restart does not load it again.
const DEMO_LOADED_SETTING: &str = "demo.loaded_at";
const SEED: u64 = 20_261_122;

/// What loading the demo created; the channel keys' secrets are shown this once.
pub struct DemoLoaded {
    pub locations: usize,
    pub items: usize,
    pub positions: usize,
    pub channel_keys: Vec<(String, String)>,
}

impl App {
    /// Loads the demo network unless it was loaded before (then `None`).
    pub async fn load_demo(&self) -> AppResult<Option<DemoLoaded>> {
        if self.store.setting(DEMO_LOADED_SETTING).await?.is_some() {
            return Ok(None);
        }
        let now = self.clock.now_ms();
        let seed = demo_network(now);
        self.store.load_network(&seed).await?;
        for carrier in carriers::carriers() {
            self.store.put_carrier(&carrier, now).await?;
        }
        let mut channel_keys = Vec::new();
        for channel in &seed.channels {
            let issued = self
                .create_api_key(
                    Role::Channel,
                    Some(channel.code.clone()),
                    None,
                    Some(format!("demo {} channel", channel.code)),
                )
                .await?;
            channel_keys.push((channel.code.to_string(), issued.secret));
        }
        self.store
            .put_setting(DEMO_LOADED_SETTING, &now.to_string())
            .await?;
        Ok(Some(DemoLoaded {
            locations: seed.locations.len(),
            items: seed.items.len(),
            positions: seed.positions.len(),
            channel_keys,
        }))
    }
}

/// (code, kind, city, region, daily order capacity, cut-off)
pub(crate) fn items(now_ms: i64) -> Vec<Item> {
    let mut items = Vec::new();
    for f in FAMILIES {
        let mut variants: Vec<(String, String)> = vec![(f.prefix.to_string(), f.name.to_string())];
        for axis in f.axes {
            variants = variants
                .iter()
                .flat_map(|(sku, name)| {
                    axis.iter().map(move |(code, label)| {
                        (format!("{sku}-{code}"), format!("{name}, {label}"))
                    })
                })
                .collect();
        }
        for (sku, name) in variants {
            items.push(Item {
                sku: Sku::parse(&sku).expect("demo SKUs are valid"),
                name,
                weight_g: Some(f.weight_g),
                length_mm: Some(f.dims_mm.0),
                width_mm: Some(f.dims_mm.1),
                height_mm: Some(f.dims_mm.2),
                allow_backorder: f.backorder,
                preorder: f.preorder_cap.map(|cap| Preorder {
                    release_date: add_days(utc_date(now_ms), 30),
                    cap,
                }),
                active: true,
                created_at_ms: now_ms,
                updated_at_ms: now_ms,
            });
        }
    }
    items
}

pub(crate) fn locations(now_ms: i64) -> Vec<Location> {
    LOCATIONS
        .iter()
        .enumerate()
        .map(|(i, (code, kind, city_name, region, capacity, cutoff))| {
            let city = de::CITIES
                .iter()
                .find(|c| c.name == *city_name)
                .expect("demo cities are in the city table");
            let name = match kind {
                LocationKind::Warehouse => format!("{city_name} Distribution Centre"),
                LocationKind::ThirdParty => format!("{city_name} 3PL Partner"),
                _ => format!("{city_name} Store"),
            };
            Location {
                code: LocationCode::parse(code).expect("demo codes are valid"),
                name,
                kind: *kind,
                address: LocationAddress {
                    country: CountryCode::parse("DE").expect("DE"),
                    region: Some(region.to_string()),
                    city: city_name.to_string(),
                    line1: Some(match kind {
                        LocationKind::Store => format!("Marktplatz {}", i + 1),
                        _ => format!("Logistikpark {}", 10 + 2 * i),
                    }),
                    line2: None,
                    postal_code: city.postal_code.to_string(),
                    point: Some(city.point()),
                },
                capabilities: Capabilities {
                    ship: true,
                    pickup: *kind == LocationKind::Store,
                },
                daily_order_capacity: Some(*capacity),
                cutoff_local_time: Some(LocalTime::parse(cutoff).expect("demo cut-offs are valid")),
                time_zone: TimeZoneName::parse("Europe/Berlin").expect("Europe/Berlin"),
                receiving_lead_time_days: match kind {
                    LocationKind::Warehouse => 1,
                    LocationKind::ThirdParty => 2,
                    _ => 0,
                },
                // The 3PL takes work in three waves a day; everyone else at once.
                release_waves: match kind {
                    LocationKind::ThirdParty => {
                        ReleaseWaves::parse(&["08:00".into(), "12:00".into(), "16:00".into()])
                            .expect("demo waves are valid")
                    }
                    _ => ReleaseWaves::default(),
                },
                active: true,
                created_at_ms: now_ms,
                updated_at_ms: now_ms,
            }
        })
        .collect()
}

/// Stock by popularity: a random rank per item, units falling off with rank; warehouses carry
/// nearly everything, the 3PL much, stores a thin slice, Leipzig only half the range, and
/// made-to-order items next to nothing.
fn positions(items: &[Item], locations: &[Location]) -> Vec<Position> {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut ranks: Vec<usize> = (0..items.len()).collect();
    rng.shuffle(&mut ranks);
    let mut positions = Vec::new();
    for (item, rank) in items.iter().zip(ranks) {
        let popularity = 1.0 / ((rank + 1) as f64).powf(0.6);
        for location in locations {
            let (carry, base, safety_stock) = match (location.kind, location.code.as_str()) {
                _ if item.allow_backorder => (0.15, 4.0, 0),
                (LocationKind::Warehouse, "WH-LEJ") => (0.5, 300.0, 0),
                (LocationKind::Warehouse, _) => (0.92, 600.0, 0),
                (LocationKind::ThirdParty, _) => (0.6, 250.0, 0),
                _ => (0.45, 14.0, 1),
            };
            if item.sku.as_str().starts_with("WATCH-G3") || rng.f64() >= carry {
                continue;
            }
            let on_hand = (base * popularity * (0.3 + 1.2 * rng.f64())).round() as i64;
            // Now and then a few units are damaged: on hand, never available.
            let damaged = if on_hand > 20 && rng.f64() < 0.1 {
                rng.i64(1..=3)
            } else {
                0
            };
            positions.push(Position {
                on_hand,
                safety_stock: if on_hand > 3 { safety_stock } else { 0 },
                damaged,
                ..Position::empty(location.code.clone(), item.sku.clone())
            });
        }
    }
    positions
}

fn channels(now_ms: i64) -> Vec<Channel> {
    [
        ("web", "Web shop", ChannelKind::Web),
        ("marketplace", "Marketplace", ChannelKind::Marketplace),
        ("pos", "Store POS", ChannelKind::Pos),
    ]
    .into_iter()
    .map(|(code, name, kind)| Channel {
        code: ChannelCode::parse(code).expect("demo channel codes are valid"),
        name: name.to_string(),
        kind,
        active: true,
        created_at_ms: now_ms,
    })
    .collect()
}

pub fn demo_network(now_ms: i64) -> NetworkSeed {
    let items = items(now_ms);
    let locations = locations(now_ms);
    NetworkSeed {
        positions: positions(&items, &locations),
        items,
        locations,
        channels: channels(now_ms),
        actor: "demo".into(),
        now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_network_is_big_enough_and_uneven() {
        let seed = demo_network(0);
        assert!(seed.locations.len() >= 20);
        assert!(seed.items.len() >= 200, "{} items", seed.items.len());
        assert_eq!(seed.channels.len(), 3);
        let on_hand = |code: &str| -> i64 {
            seed.positions
                .iter()
                .filter(|p| p.location.as_str() == code)
                .map(|p| p.on_hand)
                .sum()
        };
        assert!(
            on_hand("WH-HAM") > 3 * on_hand("WH-LEJ"),
            "Leipzig is the short warehouse"
        );
        assert!(
            on_hand("WH-HAM") > 20 * on_hand("ST-RST"),
            "stores hold a thin slice"
        );
        let skus: std::collections::HashSet<_> = seed.items.iter().map(|i| &i.sku).collect();
        assert_eq!(skus.len(), seed.items.len(), "SKUs are unique");
    }
}
