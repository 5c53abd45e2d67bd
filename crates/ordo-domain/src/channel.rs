//! Channels: where orders come from.

use crate::field::FieldErrors;
use crate::values::{ChannelCode, LocationCode, Sku};

/// Longest a checkout hold may last, in seconds, whatever a channel's limits say.
pub const HOLD_TTL_S_MAX: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Web,
    Marketplace,
    Pos,
    Phone,
    B2b,
    Edi,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 6] = [
        Self::Web,
        Self::Marketplace,
        Self::Pos,
        Self::Phone,
        Self::B2b,
        Self::Edi,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Marketplace => "marketplace",
            Self::Pos => "pos",
            Self::Phone => "phone",
            Self::B2b => "b2b",
            Self::Edi => "edi",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| "must be one of web, marketplace, pos, phone, b2b, edi".to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub code: ChannelCode,
    pub name: String,
    pub kind: ChannelKind,
    pub active: bool,
    pub created_at_ms: i64,
}

/// Most item rules one channel may carry.
pub const ITEM_RULES_MAX: usize = 10_000;

/// What a channel may sell, less than the network has: a share of each location kept back,
/// some locations left out, and per item a fixed number of units kept back and its own say on
/// backorders and preorders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockRules {
    /// Percent of each location's availability this channel may not sell, 0 to 100.
    pub buffer_percent: u8,
    pub excluded_locations: Vec<LocationCode>,
    pub items: Vec<ItemRule>,
    pub holds: HoldLimits,
}

/// How much one checkout hold of the channel may set aside, so that one channel cannot starve
/// the others: units per line, a share of what the channel can sell of the item, and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldLimits {
    /// Most units of one line.
    pub units_max: i64,
    /// Most of the channel's availability of an item (network-wide, after its rules) one
    /// hold may take, in percent, rounded up: the last unit can always be held.
    pub share_percent_max: u8,
    /// Longest a hold may last, in seconds.
    pub ttl_s_max: i64,
}

impl Default for HoldLimits {
    fn default() -> Self {
        Self {
            units_max: 100,
            share_percent_max: 100,
            ttl_s_max: 3_600,
        }
    }
}

/// Largest `units_max` a channel may set.
pub const HOLD_UNITS_MAX: i64 = 1_000_000;

impl HoldLimits {
    /// Most units of an item one hold may take when the channel can sell `available`.
    pub fn units_allowed(&self, available: i64) -> i64 {
        let share = (available.max(0) * i64::from(self.share_percent_max) + 99) / 100;
        share.min(self.units_max)
    }

    /// Checks a channel's limits as set through the API.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if !(1..=HOLD_UNITS_MAX).contains(&self.units_max) {
            e.push("holds.units_max", format!("must be 1 to {HOLD_UNITS_MAX}"));
        }
        if !(1..=100).contains(&self.share_percent_max) {
            e.push("holds.share_percent_max", "must be 1 to 100");
        }
        if !(1..=HOLD_TTL_S_MAX).contains(&self.ttl_s_max) {
            let max = HOLD_TTL_S_MAX;
            e.push("holds.ttl_s_max", format!("must be 1 to {max} seconds"));
        }
        e.into_result()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRule {
    pub sku: Sku,
    /// Units of this item across the network the channel may not sell.
    pub buffer_units: i64,
    /// Overrides the item's own allow_backorder for this channel.
    pub allow_backorder: Option<bool>,
    /// Overrides whether the item's preorder is open to this channel.
    pub allow_preorder: Option<bool>,
}

impl StockRules {
    pub fn item(&self, sku: &Sku) -> Option<&ItemRule> {
        self.items.iter().find(|r| &r.sku == sku)
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

pub fn parse_buffer_percent(raw: i64) -> Result<u8, String> {
    u8::try_from(raw)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| "must be a whole number from 0 to 100".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_takes_a_share_of_what_the_channel_can_sell_rounded_up_within_its_units() {
        assert_eq!(
            HoldLimits::default().units_allowed(30),
            30,
            "no share limit unless set"
        );
        let limits = HoldLimits {
            share_percent_max: 50,
            ..HoldLimits::default()
        };
        assert_eq!(limits.units_allowed(1_000), 100, "units cap");
        assert_eq!(limits.units_allowed(10), 5, "half of ten");
        assert_eq!(limits.units_allowed(3), 2, "rounded up");
        assert_eq!(limits.units_allowed(1), 1, "the last unit can be held");
        assert_eq!(limits.units_allowed(0), 0);
        let bad = HoldLimits {
            units_max: 0,
            share_percent_max: 0,
            ttl_s_max: 86_401,
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "holds.units_max",
                "holds.share_percent_max",
                "holds.ttl_s_max"
            ]
        );
    }
}
