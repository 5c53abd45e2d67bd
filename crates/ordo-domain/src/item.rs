//! Items: the stock keeping units Ordo sells and moves.

use jiff::civil::Date;

use crate::values::Sku;

/// Heaviest item we accept, in grams (one tonne).
pub const WEIGHT_G_MAX: i64 = 1_000_000;
/// Longest side we accept, in millimetres (ten metres).
pub const DIMENSION_MM_MAX: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub sku: Sku,
    pub name: String,
    pub weight_g: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    pub allow_backorder: bool,
    pub preorder: Option<Preorder>,
    pub active: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// An item sold before it is released: orders may wait for up to `cap` units until
/// `release_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preorder {
    pub release_date: Date,
    pub cap: i64,
}

pub fn parse_weight_g(raw: i64) -> Result<i64, String> {
    if !(0..=WEIGHT_G_MAX).contains(&raw) {
        return Err(format!(
            "must be a whole number of grams from 0 to {WEIGHT_G_MAX}"
        ));
    }
    Ok(raw)
}

pub fn parse_dimension_mm(raw: i64) -> Result<i64, String> {
    if !(0..=DIMENSION_MM_MAX).contains(&raw) {
        return Err(format!(
            "must be a whole number of millimetres from 0 to {DIMENSION_MM_MAX}"
        ));
    }
    Ok(raw)
}

/// What placing needs to know of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    pub active: bool,
    /// Grams per unit, when recorded.
    pub weight_g: Option<i64>,
    pub allow_backorder: bool,
    pub preorder: Option<PreorderFacts>,
}

/// An item's preorder: open until its release date, for at most `cap` units, of which `taken`
/// are already on order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreorderFacts {
    pub release_date: Date,
    pub cap: i64,
    pub taken: i64,
}
