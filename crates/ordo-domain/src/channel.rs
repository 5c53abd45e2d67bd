//! Channels: where orders come from.

use crate::values::{ChannelCode, LocationCode, Sku};

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
