//! Locations: the nodes that hold stock and ship — warehouses, stores, suppliers, 3PLs.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;

use crate::geo::{CountryCode, GeoPoint, geocode_postal};
use crate::values::LocationCode;

/// Where a location is, from its coordinates or else its postal code.
pub fn location_point(location: &Location) -> Option<GeoPoint> {
    let address = &location.address;
    address
        .point
        .or_else(|| geocode_postal(address.country, &address.postal_code))
}

/// What a location is; written as [`LocationKind::as_str`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Warehouse,
    Store,
    Supplier,
    #[serde(rename = "3pl")]
    ThirdParty,
}

impl LocationKind {
    pub const ALL: [LocationKind; 4] = [
        Self::Warehouse,
        Self::Store,
        Self::Supplier,
        Self::ThirdParty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warehouse => "warehouse",
            Self::Store => "store",
            Self::Supplier => "supplier",
            Self::ThirdParty => "3pl",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| "must be one of warehouse, store, supplier, 3pl".to_string())
    }
}

/// What a location can do for a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub ship: bool,
    pub pickup: bool,
}

impl Capabilities {
    pub fn parse(raw: &[String]) -> Result<Self, String> {
        let mut caps = Self::default();
        for cap in raw {
            match cap.as_str() {
                "ship" => caps.ship = true,
                "pickup" => caps.pickup = true,
                _ => return Err(format!("unknown capability '{cap}': use ship or pickup")),
            }
        }
        Ok(caps)
    }

    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.ship {
            names.push("ship");
        }
        if self.pickup {
            names.push("pickup");
        }
        names
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocationAddress {
    pub country: CountryCode,
    pub region: Option<String>,
    pub city: String,
    /// Street and number, printed as the sender on labels.
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: String,
    pub point: Option<GeoPoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub code: LocationCode,
    pub name: String,
    pub kind: LocationKind,
    pub address: LocationAddress,
    pub capabilities: Capabilities,
    pub daily_order_capacity: Option<i64>,
    pub cutoff_local_time: Option<LocalTime>,
    pub time_zone: TimeZoneName,
    /// Days between goods arriving and being ready to ship.
    pub receiving_lead_time_days: i64,
    /// When released allocations reach the location: at once, or in waves.
    pub release_waves: ReleaseWaves,
    pub active: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// Longest receiving lead time a location may declare, in days.
pub const RECEIVING_LEAD_TIME_DAYS_MAX: i64 = 60;

pub fn parse_lead_time_days(raw: i64) -> Result<i64, String> {
    if !(0..=RECEIVING_LEAD_TIME_DAYS_MAX).contains(&raw) {
        return Err(format!(
            "must be a whole number of days from 0 to {RECEIVING_LEAD_TIME_DAYS_MAX}"
        ));
    }
    Ok(raw)
}

/// Largest daily order capacity a location may declare.
pub const DAILY_ORDER_CAPACITY_MAX: i64 = 10_000_000;

pub fn parse_daily_capacity(raw: i64) -> Result<i64, String> {
    if !(0..=DAILY_ORDER_CAPACITY_MAX).contains(&raw) {
        return Err(format!(
            "must be a whole number from 0 to {DAILY_ORDER_CAPACITY_MAX}"
        ));
    }
    Ok(raw)
}

/// A wall-clock time of day, `HH:MM`, 24-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    pub hour: u8,
    pub minute: u8,
}

impl LocalTime {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let invalid = || "must be a 24-hour time HH:MM such as 16:30".to_string();
        let (h, m) = raw.trim().split_once(':').ok_or_else(invalid)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(invalid());
        }
        let hour: u8 = h.parse().map_err(|_| invalid())?;
        let minute: u8 = m.parse().map_err(|_| invalid())?;
        if hour > 23 || minute > 59 {
            return Err(invalid());
        }
        Ok(Self { hour, minute })
    }

    pub fn to_hhmm(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

/// An IANA time zone name known to the bundled time zone database, such as `Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        jiff::tz::TimeZone::get(name)
            .map(|_| Self(name.to_string()))
            .map_err(|_| "must be an IANA time zone such as Europe/Berlin".to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The calendar day it is here at `at_ms`.
    pub fn date_at(&self, at_ms: i64) -> jiff::civil::Date {
        let tz = jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::from_millisecond(at_ms)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(tz)
            .date()
    }
}

impl Location {
    /// The location's own working day at `at_ms`: daily capacity is counted per local day,
    /// so that the day turns at its midnight, not at UTC's.
    pub fn day_at(&self, at_ms: i64) -> jiff::civil::Date {
        self.time_zone.date_at(at_ms)
    }

    /// Whether this stocking node sends shipments: it is active, can ship, and is not a
    /// supplier. Its stock counts towards availability and promises.
    pub fn ships(&self) -> bool {
        self.active && self.capabilities.ship && self.kind != LocationKind::Supplier
    }

    /// Whether routing may send shipments from here: a stocking node that ships, or a supplier
    /// that drop ships (when a routing profile lets suppliers in).
    pub fn routable(&self) -> bool {
        self.active && self.capabilities.ship
    }

    pub fn serves_pickup(&self) -> bool {
        self.active && self.capabilities.pickup
    }
}

/// Most release waves a location may have in a day.
pub const RELEASE_WAVES_MAX: usize = 24;

/// When a location takes new work: at once (no waves) or at these local times each day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseWaves(pub Vec<LocalTime>);

impl ReleaseWaves {
    /// Reads "HH:MM" times, sorting them and refusing duplicates.
    pub fn parse(raw: &[String]) -> Result<Self, String> {
        if raw.len() > RELEASE_WAVES_MAX {
            return Err(format!("must hold at most {RELEASE_WAVES_MAX} times"));
        }
        let mut times = raw
            .iter()
            .map(|t| LocalTime::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        times.sort_by_key(|t| (t.hour, t.minute));
        if times.windows(2).any(|w| w[0] == w[1]) {
            return Err("must not repeat a time".into());
        }
        Ok(Self(times))
    }

    /// The latest wave at or before `now_ms`: allocations made by then are due. `None` when
    /// the location releases at once.
    pub fn last_wave_ms(&self, time_zone: &TimeZoneName, now_ms: i64) -> Option<i64> {
        if self.0.is_empty() {
            return None;
        }
        let tz = TimeZone::get(time_zone.as_str()).unwrap_or(TimeZone::UTC);
        let today = Timestamp::from_millisecond(now_ms)
            .ok()?
            .to_zoned(tz.clone())
            .date();
        let mut latest = None;
        for day in [today.yesterday().unwrap_or(today), today] {
            for wave in &self.0 {
                let Ok(time) = Time::new(wave.hour as i8, wave.minute as i8, 0, 0) else {
                    continue;
                };
                let Ok(zoned) = day.to_datetime(time).to_zoned(tz.clone()) else {
                    continue;
                };
                let ms = zoned.timestamp().as_millisecond();
                if ms <= now_ms {
                    latest = Some(ms);
                }
            }
        }
        latest
    }

    /// The times as "HH:MM" strings, earliest first.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|t| t.to_hhmm()).collect()
    }

    /// The first wave at or after `after_ms` in the location's time zone; `after_ms` itself
    /// when the location releases at once.
    pub fn next_wave_ms(&self, time_zone: &TimeZoneName, after_ms: i64) -> i64 {
        if self.0.is_empty() {
            return after_ms;
        }
        let tz = TimeZone::get(time_zone.as_str()).unwrap_or(TimeZone::UTC);
        let Ok(at) = Timestamp::from_millisecond(after_ms) else {
            return after_ms;
        };
        let at = at.to_zoned(tz.clone());
        let mut day = at.date();
        for _ in 0..3 {
            for wave in &self.0 {
                let Ok(time) = Time::new(wave.hour as i8, wave.minute as i8, 0, 0) else {
                    continue;
                };
                let Ok(zoned) = day.to_datetime(time).to_zoned(tz.clone()) else {
                    continue;
                };
                let ms = zoned.timestamp().as_millisecond();
                if ms >= after_ms {
                    return ms;
                }
            }
            day = day.tomorrow().unwrap_or(day);
        }
        after_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_off_times_and_time_zones_are_checked() {
        assert_eq!(LocalTime::parse("07:05").unwrap().to_hhmm(), "07:05");
        for bad in ["7:05", "24:00", "12:60", "noon", "12-00"] {
            assert!(LocalTime::parse(bad).is_err(), "{bad}");
        }
        assert!(TimeZoneName::parse("Europe/Berlin").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn kinds_and_capabilities_round_trip() {
        for kind in LocationKind::ALL {
            assert_eq!(LocationKind::parse(kind.as_str()).unwrap(), kind);
        }
        let caps = Capabilities::parse(&["pickup".into(), "ship".into()]).unwrap();
        assert_eq!(caps.names(), vec!["ship", "pickup"]);
        assert!(Capabilities::parse(&["fly".into()]).is_err());
    }
}
