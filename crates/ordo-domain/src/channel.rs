//! Channels: where orders come from.

use crate::values::ChannelCode;

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
