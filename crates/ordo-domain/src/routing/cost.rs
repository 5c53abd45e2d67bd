//! What a plan costs. Shipping comes from a [`ShippingCostEstimator`], which prices a lane
//! (origin to destination, one service) as a [`RateCard`] of weight breaks; until carriers
//! bring their own tables, a [`DistanceRateTable`] prices by distance band × weight. The rest
//! of a plan's cost is set by the routing profile's [`CostModel`]: handling per package, a
//! penalty per extra shipment, per day late, for a busy location, for a store's last units.
//!
//! Costs are whole minor units of the cost currency (cents), like all money in Ordo.

use std::collections::HashMap;

use crate::geo::{CountryCode, GeoPoint};
use crate::values::LocationCode;

/// Where a parcel leaves from and where it goes: two points, and the destination's address
/// as far as it is known (carriers cover countries, regions and postal areas).
#[derive(Debug, Clone, Copy, Default)]
pub struct Lane<'a> {
    pub from: Option<GeoPoint>,
    pub to: Option<GeoPoint>,
    pub country: Option<CountryCode>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
}

impl Lane<'_> {
    /// The lane between two points, address unknown.
    pub fn between(from: Option<GeoPoint>, to: Option<GeoPoint>) -> Lane<'static> {
        Lane {
            from,
            to,
            ..Lane::default()
        }
    }

    /// The great-circle distance, when both ends are known.
    pub fn km(&self) -> Option<f64> {
        Some(self.from?.distance_km(self.to?))
    }
}

/// Prices parcels along lanes.
pub trait ShippingCostEstimator: Send + Sync {
    /// The rate card of one lane and service; `None` when nothing serves it.
    fn lane(&self, lane: &Lane<'_>, service: &str) -> Option<RateCard>;
}

/// Prices of one lane by weight: each break's price covers parcels up to its weight; heavier
/// parcels pay the last break's price plus `over_per_kg` for each started kilogram beyond it.
/// Prices never fall as weight rises, so adding goods to a parcel never makes it cheaper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCard {
    pub breaks: Vec<(i64, i64)>,
    pub over_per_kg: i64,
}

impl RateCard {
    /// The price of a parcel of `weight_g` grams.
    pub fn price(&self, weight_g: i64) -> i64 {
        for (max_g, price) in &self.breaks {
            if weight_g <= *max_g {
                return *price;
            }
        }
        let (last_g, last_price) = self.breaks.last().copied().unwrap_or((0, 0));
        let over_kg = (weight_g - last_g + 999) / 1000;
        last_price + over_kg * self.over_per_kg
    }
}

/// One distance band of a [`DistanceRateTable`]: up to `max_km` (the last band has none),
/// one price per weight break.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceBand {
    pub max_km: Option<f64>,
    pub prices: Vec<i64>,
}

/// Shipping by great-circle distance band × weight break. Lanes without coordinates fall in
/// the last band.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceRateTable {
    pub weight_breaks_g: Vec<i64>,
    pub bands: Vec<DistanceBand>,
    pub over_per_kg: i64,
}

impl Default for DistanceRateTable {
    /// Parcel prices of one European country's networks, in euro cents.
    fn default() -> Self {
        let band = |max_km: Option<f64>, prices: [i64; 6]| DistanceBand {
            max_km,
            prices: prices.to_vec(),
        };
        Self {
            weight_breaks_g: vec![1_000, 2_000, 5_000, 10_000, 20_000, 31_500],
            bands: vec![
                band(Some(150.0), [450, 520, 620, 790, 1_090, 1_490]),
                band(Some(450.0), [490, 570, 690, 880, 1_200, 1_640]),
                band(Some(900.0), [560, 650, 790, 990, 1_350, 1_850]),
                band(None, [690, 790, 950, 1_190, 1_590, 2_190]),
            ],
            over_per_kg: 60,
        }
    }
}

impl DistanceRateTable {
    /// Checks the table is usable: ascending breaks and bands, prices that never fall as
    /// weight rises, one price per break, and a last band without a limit.
    pub fn check(&self) -> Result<(), String> {
        if self.weight_breaks_g.is_empty() || self.weight_breaks_g.len() > 20 {
            return Err("weight_breaks_g must hold 1 to 20 weights".into());
        }
        if self.weight_breaks_g[0] <= 0 || self.weight_breaks_g.windows(2).any(|w| w[0] >= w[1]) {
            return Err("weight_breaks_g must be positive and ascending".into());
        }
        if self.bands.is_empty() || self.bands.len() > 20 {
            return Err("bands must hold 1 to 20 distance bands".into());
        }
        let limits: Vec<Option<f64>> = self.bands.iter().map(|b| b.max_km).collect();
        if limits.last() != Some(&None) || limits[..limits.len() - 1].iter().any(Option::is_none) {
            return Err("every band but the last needs max_km; the last has none".into());
        }
        let kms: Vec<f64> = limits.iter().flatten().copied().collect();
        if kms.iter().any(|k| !k.is_finite() || *k <= 0.0) || kms.windows(2).any(|w| w[0] >= w[1]) {
            return Err("band max_km must be positive and ascending".into());
        }
        for (i, band) in self.bands.iter().enumerate() {
            if band.prices.len() != self.weight_breaks_g.len() {
                return Err(format!("bands[{i}] needs one price per weight break"));
            }
            if band.prices.iter().any(|p| !(0..=COST_MAX).contains(p)) {
                return Err(format!("bands[{i}] prices must be 0 to {COST_MAX}"));
            }
            if band.prices.windows(2).any(|w| w[0] > w[1]) {
                return Err(format!("bands[{i}] prices must not fall as weight rises"));
            }
        }
        if !(0..=COST_MAX).contains(&self.over_per_kg) {
            return Err(format!("over_per_kg must be 0 to {COST_MAX}"));
        }
        Ok(())
    }
}

impl ShippingCostEstimator for DistanceRateTable {
    fn lane(&self, lane: &Lane<'_>, _service: &str) -> Option<RateCard> {
        let km = lane.km();
        let band = self
            .bands
            .iter()
            .find(|b| match (b.max_km, km) {
                (Some(max), Some(km)) => km <= max,
                (None, _) => true,
                (Some(_), None) => false,
            })
            .or(self.bands.last())?;
        Some(RateCard {
            breaks: self
                .weight_breaks_g
                .iter()
                .copied()
                .zip(band.prices.iter().copied())
                .collect(),
            over_per_kg: self.over_per_kg,
        })
    }
}

/// Largest single cost figure a profile may set, in minor units (one million euros).
pub const COST_MAX: i64 = 100_000_000;

/// How a location's daily order capacity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityRule {
    /// A location that has taken its capacity of orders today takes no more.
    Hard,
    /// Each package costs `at_full` × (load after it ÷ capacity)², so busy locations grow
    /// dearer and full ones dearer still, but none refuses.
    Rising { at_full: i64 },
}

/// A store taking its last units of an item: when fewer than `below` would remain, `penalty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastUnits {
    pub below: i64,
    pub penalty: i64,
}

/// The costs a routing profile sets besides shipping.
#[derive(Debug, Clone, PartialEq)]
pub struct CostModel {
    /// Handling per package at any location, unless `handling_by_location` names it.
    pub handling: i64,
    pub handling_by_location: HashMap<LocationCode, i64>,
    /// Per shipment beyond the first.
    pub split_penalty: i64,
    /// Per day a package arrives after the promise date.
    pub late_per_day: i64,
    pub capacity: CapacityRule,
    pub last_units: Option<LastUnits>,
    /// Weight of an item that has none recorded.
    pub default_item_weight_g: i64,
    /// The shipping service priced.
    pub service: String,
}

impl Default for CostModel {
    fn default() -> Self {
        Self {
            handling: 150,
            handling_by_location: HashMap::new(),
            split_penalty: 300,
            late_per_day: 500,
            capacity: CapacityRule::Hard,
            last_units: None,
            default_item_weight_g: 500,
            service: "standard".into(),
        }
    }
}

impl CostModel {
    pub fn handling_at(&self, location: &LocationCode) -> i64 {
        self.handling_by_location
            .get(location)
            .copied()
            .unwrap_or(self.handling)
    }

    /// What one more package costs a location that has taken `load` orders today.
    pub fn capacity_cost(&self, load: i64, capacity: Option<i64>) -> i64 {
        match (self.capacity, capacity) {
            (CapacityRule::Rising { at_full }, Some(capacity)) if capacity > 0 => {
                let utilisation = (load + 1) as f64 / capacity as f64;
                (at_full as f64 * utilisation * utilisation).round() as i64
            }
            _ => 0,
        }
    }
}

/// A plan's cost, by what it is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CostBreakdown {
    pub shipping: i64,
    pub handling: i64,
    pub splits: i64,
    pub late: i64,
    pub capacity: i64,
    pub last_units: i64,
}

impl CostBreakdown {
    pub fn total(&self) -> i64 {
        self.shipping + self.handling + self.splits + self.late + self.capacity + self.last_units
    }

    pub fn add(&mut self, other: &CostBreakdown) {
        self.shipping += other.shipping;
        self.handling += other.handling;
        self.splits += other.splits;
        self.late += other.late;
        self.capacity += other.capacity;
        self.last_units += other.last_units;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_card_prices_by_break_and_by_started_kilogram_beyond_the_last() {
        let card = RateCard {
            breaks: vec![(1_000, 400), (5_000, 600)],
            over_per_kg: 50,
        };
        assert_eq!(card.price(0), 400);
        assert_eq!(card.price(1_000), 400);
        assert_eq!(card.price(1_001), 600);
        assert_eq!(card.price(5_001), 650);
        assert_eq!(card.price(7_000), 700);
    }

    #[test]
    fn the_distance_table_picks_the_band_of_the_lane_and_the_last_one_without_coordinates() {
        let table = DistanceRateTable::default();
        table.check().unwrap();
        let hamburg = GeoPoint::new(53.55, 9.99).unwrap();
        let bremen = GeoPoint::new(53.08, 8.80).unwrap();
        let munich = GeoPoint::new(48.14, 11.58).unwrap();
        let lane = |from, to| table.lane(&Lane::between(from, Some(to)), "standard");
        let near = lane(Some(hamburg), bremen).unwrap();
        let far = lane(Some(hamburg), munich).unwrap();
        let unknown = lane(None, munich).unwrap();
        assert_eq!(near.price(800), 450);
        assert_eq!(far.price(800), 560);
        assert_eq!(unknown.price(800), 690);
    }

    #[test]
    fn a_table_whose_prices_fall_with_weight_is_refused() {
        let mut table = DistanceRateTable::default();
        table.bands[1].prices[3] = 10;
        assert!(table.check().unwrap_err().contains("bands[1]"));
        let mut table = DistanceRateTable::default();
        table.bands[3].max_km = Some(2_000.0);
        assert!(table.check().is_err(), "the last band has no limit");
    }

    #[test]
    fn rising_capacity_cost_grows_with_the_square_of_the_load() {
        let model = CostModel {
            capacity: CapacityRule::Rising { at_full: 1_000 },
            ..CostModel::default()
        };
        assert_eq!(model.capacity_cost(49, Some(100)), 250);
        assert_eq!(model.capacity_cost(99, Some(100)), 1_000);
        assert_eq!(model.capacity_cost(199, Some(100)), 4_000);
        assert_eq!(model.capacity_cost(10, None), 0);
        assert_eq!(CostModel::default().capacity_cost(99, Some(100)), 0);
    }
}
