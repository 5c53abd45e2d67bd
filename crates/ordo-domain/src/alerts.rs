//! Stock alerts: thresholds per item and location, and the events a position's availability
//! crossing them produces (`inventory.low`, `inventory.out`, `inventory.back`).

use crate::inventory::Position;
use crate::values::{LocationCode, Sku};

/// Alert when available falls to `low_units` (low) or to `out_units` (out). `None` for the
/// item or location means every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub sku: Option<Sku>,
    pub location: Option<LocationCode>,
    pub low_units: i64,
    pub out_units: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Out,
    Low,
    Ok,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Out => "out",
            Self::Low => "low",
            Self::Ok => "ok",
        }
    }
}

impl Threshold {
    pub fn level(&self, available: i64) -> Level {
        if available <= self.out_units {
            Level::Out
        } else if available <= self.low_units {
            Level::Low
        } else {
            Level::Ok
        }
    }

    /// How closely it names a position: item and location beat item alone, which beats
    /// location alone, which beats neither.
    fn specificity(&self) -> u8 {
        u8::from(self.sku.is_some()) * 2 + u8::from(self.location.is_some())
    }

    fn covers(&self, sku: &Sku, location: &LocationCode) -> bool {
        self.sku.as_ref().is_none_or(|s| s == sku)
            && self.location.as_ref().is_none_or(|l| l == location)
    }
}

/// The most specific threshold covering a position.
pub fn threshold_for<'a>(
    thresholds: &'a [Threshold],
    sku: &Sku,
    location: &LocationCode,
) -> Option<&'a Threshold> {
    thresholds
        .iter()
        .filter(|t| t.covers(sku, location))
        .max_by_key(|t| t.specificity())
}

/// An alert a change of position produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `inventory.low`, `inventory.out` or `inventory.back`.
    pub kind: &'static str,
    pub sku: Sku,
    pub location: LocationCode,
    pub available: i64,
    pub from: Level,
    pub to: Level,
}

/// The alert for a position going from `before` to `after`, if its level changed: worse to
/// low or out, better is back.
pub fn alert(before: &Position, after: &Position, thresholds: &[Threshold]) -> Option<Alert> {
    let threshold = threshold_for(thresholds, &after.sku, &after.location)?;
    let (from, to) = (
        threshold.level(before.available()),
        threshold.level(after.available()),
    );
    let kind = match (from, to) {
        _ if from == to => return None,
        (_, Level::Out) => "inventory.out",
        (Level::Ok, Level::Low) => "inventory.low",
        _ => "inventory.back",
    };
    Some(Alert {
        kind,
        sku: after.sku.clone(),
        location: after.location.clone(),
        available: after.available(),
        from,
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(on_hand: i64) -> Position {
        Position {
            on_hand,
            ..Position::empty(LocationCode::parse("L").unwrap(), Sku::parse("S").unwrap())
        }
    }

    #[test]
    fn crossing_a_threshold_raises_one_alert_each_way() {
        let everywhere = Threshold {
            sku: None,
            location: None,
            low_units: 5,
            out_units: 0,
        };
        let thresholds = [everywhere];
        assert_eq!(
            alert(&position(10), &position(4), &thresholds)
                .unwrap()
                .kind,
            "inventory.low"
        );
        assert_eq!(
            alert(&position(4), &position(0), &thresholds).unwrap().kind,
            "inventory.out"
        );
        assert_eq!(
            alert(&position(0), &position(3), &thresholds).unwrap().kind,
            "inventory.back"
        );
        assert_eq!(
            alert(&position(3), &position(9), &thresholds).unwrap().kind,
            "inventory.back"
        );
        assert!(alert(&position(10), &position(8), &thresholds).is_none());
        assert!(
            alert(&position(10), &position(0), &[]).is_none(),
            "no threshold, no alert"
        );
    }

    #[test]
    fn the_most_specific_threshold_wins() {
        let (sku, location) = (Sku::parse("S").unwrap(), LocationCode::parse("L").unwrap());
        let thresholds = [
            Threshold {
                sku: None,
                location: None,
                low_units: 1,
                out_units: 0,
            },
            Threshold {
                sku: Some(sku.clone()),
                location: None,
                low_units: 9,
                out_units: 0,
            },
            Threshold {
                sku: None,
                location: Some(location.clone()),
                low_units: 5,
                out_units: 0,
            },
        ];
        assert_eq!(
            threshold_for(&thresholds, &sku, &location)
                .unwrap()
                .low_units,
            9
        );
        assert_eq!(
            threshold_for(&thresholds, &Sku::parse("T").unwrap(), &location)
                .unwrap()
                .low_units,
            5
        );
    }
}
