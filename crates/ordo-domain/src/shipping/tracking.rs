//! Tracking: numbers in each carrier's format, carrier events normalised to one set of
//! statuses, a shipment's status from its events whatever order they came in, and a
//! carrier's reliability from its delivery history.

use serde::{Deserialize, Serialize};

/// A carrier's tracking number: a prefix, a serial of `digits` digits and a check digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TrackingFormat {
    #[serde(default)]
    pub prefix: String,
    pub digits: u32,
    #[serde(default)]
    pub check: CheckDigit,
    /// The carrier also takes numbers Ordo did not make, in any form (labels printed by a
    /// shipping app): supplied numbers are then not checked against this format.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub free_form: bool,
}

impl Default for TrackingFormat {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            digits: 12,
            check: CheckDigit::Mod10,
            free_form: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum CheckDigit {
    None,
    /// Luhn, as many parcel networks use.
    #[default]
    Mod10,
    /// The remainder of the serial divided by 7.
    Mod7,
}

impl TrackingFormat {
    pub fn check(&self) -> Result<(), String> {
        if self.prefix.len() > 10
            || !self
                .prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err("tracking.prefix must be up to 10 upper-case letters or digits".into());
        }
        if !(6..=30).contains(&self.digits) {
            return Err("tracking.digits must be 6 to 30".into());
        }
        Ok(())
    }

    /// The tracking number of the carrier's `serial`th parcel.
    pub fn number(&self, serial: u64) -> String {
        let width = self.digits as usize;
        let mut digits = format!("{serial:0width$}");
        if digits.len() > width {
            digits = digits[digits.len() - width..].to_string();
        }
        let check = match self.check {
            CheckDigit::None => String::new(),
            CheckDigit::Mod10 => luhn(&digits).to_string(),
            CheckDigit::Mod7 => (serial % 7).to_string(),
        };
        format!("{}{digits}{check}", self.prefix)
    }

    /// Whether a number a location supplies may be used: it matches, or any number may.
    pub fn accepts(&self, number: &str) -> bool {
        self.free_form || self.matches(number)
    }

    /// The format in words, for an error message.
    pub fn describe(&self) -> String {
        let check = match self.check {
            CheckDigit::None => "",
            CheckDigit::Mod10 => " and a Luhn check digit",
            CheckDigit::Mod7 => " and a mod-7 check digit",
        };
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{} then ", self.prefix)
        };
        format!("{prefix}{} digits{check}", self.digits)
    }

    /// Whether `number` could be one of this carrier's.
    pub fn matches(&self, number: &str) -> bool {
        let Some(rest) = number.strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        let check_len = usize::from(self.check != CheckDigit::None);
        if rest.len() != self.digits as usize + check_len
            || !rest.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
        let (serial, check) = rest.split_at(self.digits as usize);
        match self.check {
            CheckDigit::None => true,
            CheckDigit::Mod10 => luhn(serial).to_string() == check,
            CheckDigit::Mod7 => serial
                .parse::<u64>()
                .is_ok_and(|s| (s % 7).to_string() == check),
        }
    }
}

/// The Luhn check digit of a string of digits.
fn luhn(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Checks a tracking number a location supplies: 4 to 40 letters and digits.
pub fn parse_tracking_number(raw: &str) -> Result<String, String> {
    let number: String = raw.trim().to_ascii_uppercase();
    if !(4..=40).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("must be 4 to 40 letters and digits".into());
    }
    Ok(number)
}

/// How far a carrier's clock may be ahead of ours, or an event stamped before we recorded the
/// hand-over: beyond it, an event time is impossible.
pub const CLOCK_SKEW_MS_MAX: i64 = 15 * 60_000;

/// Refuses an event dated before its shipment left or in the future, beyond the clock-skew
/// allowance: such a date would corrupt delivery dates and carrier reliability.
pub fn check_event_time(at_ms: i64, shipped_at_ms: i64, now_ms: i64) -> Result<(), String> {
    if at_ms < shipped_at_ms.saturating_sub(CLOCK_SKEW_MS_MAX) {
        return Err("the event is dated before the shipment left".into());
    }
    if at_ms > now_ms.saturating_add(CLOCK_SKEW_MS_MAX) {
        return Err("the event is dated in the future".into());
    }
    Ok(())
}

/// What a carrier event says, in Ordo's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum TrackingStatus {
    InTransit,
    OutForDelivery,
    Delivered,
    FailedAttempt,
    Exception,
    ReturnedToSender,
}

impl TrackingStatus {
    pub const ALL: [TrackingStatus; 6] = [
        Self::InTransit,
        Self::OutForDelivery,
        Self::Delivered,
        Self::FailedAttempt,
        Self::Exception,
        Self::ReturnedToSender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InTransit => "in_transit",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::FailedAttempt => "failed_attempt",
            Self::Exception => "exception",
            Self::ReturnedToSender => "returned_to_sender",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                "must be one of in_transit, out_for_delivery, delivered, failed_attempt, exception, returned_to_sender".into()
            })
    }

    /// The parcel's journey is over.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::ReturnedToSender)
    }
}

/// A shipment's status as stored: its latest carrier event's, or `shipped` before any.
pub fn shipment_status_name(status: Option<TrackingStatus>) -> &'static str {
    status.map_or("shipped", TrackingStatus::as_str)
}

/// A shipment's status from its stored name ([`shipment_status_name`]).
pub fn parse_shipment_status(raw: &str) -> Result<Option<TrackingStatus>, String> {
    match raw {
        "shipped" => Ok(None),
        raw => TrackingStatus::parse(raw).map(Some),
    }
}

/// Where a shipment stands: handed to the carrier (`shipped`) until its first event, then
/// the status of its latest event — except that once delivered or returned it stays so,
/// whatever arrives late.
pub fn shipment_status(events: &[(i64, TrackingStatus)]) -> Option<TrackingStatus> {
    let mut sorted: Vec<_> = events.to_vec();
    sorted.sort_by_key(|(at, s)| (*at, s.is_final()));
    let mut status = None;
    for (_, s) in sorted {
        status = Some(s);
        if s.is_final() {
            break;
        }
    }
    status
}

/// Where a shipment stands after all of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentProgress {
    /// `None` until the carrier's first event: the shipment is then just `shipped`.
    pub status: Option<TrackingStatus>,
    pub failed_attempts: i64,
    pub last_event_at_ms: Option<i64>,
    /// When it was first delivered, while it stands delivered.
    pub delivered_at_ms: Option<i64>,
}

impl ShipmentProgress {
    pub fn of(events: &[(i64, TrackingStatus)]) -> Self {
        let status = shipment_status(events);
        let at = |wanted: TrackingStatus| events.iter().filter(move |(_, s)| *s == wanted);
        Self {
            status,
            failed_attempts: at(TrackingStatus::FailedAttempt).count() as i64,
            last_event_at_ms: events.iter().map(|(at, _)| *at).max(),
            delivered_at_ms: (status == Some(TrackingStatus::Delivered))
                .then(|| at(TrackingStatus::Delivered).map(|(at, _)| *at).min())
                .flatten(),
        }
    }

    /// The status as a shipment stores it.
    pub fn status_str(&self) -> &'static str {
        shipment_status_name(self.status)
    }
}

/// A carrier's delivery record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryHistory {
    pub delivered: i64,
    pub on_time: i64,
    /// Shipments with at least one failed delivery attempt.
    pub with_failed_attempt: i64,
}

/// Shipments a carrier is assumed to have delivered, nine of ten on time, before any of its
/// own history counts: a new carrier starts at 0.9 and its record moves it from there.
const PRIOR_SHIPMENTS: f64 = 10.0;
const PRIOR_ON_TIME: f64 = 9.0;

impl DeliveryHistory {
    /// From 0 to 1: the on-time share, lowered by the share of shipments that needed more
    /// than one attempt; both smoothed towards the prior.
    pub fn reliability(&self) -> f64 {
        let n = self.delivered as f64 + PRIOR_SHIPMENTS;
        let on_time = (self.on_time as f64 + PRIOR_ON_TIME) / n;
        let failed = self.with_failed_attempt as f64 / n;
        (on_time * (1.0 - 0.5 * failed)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_format_and_their_check_digit_is_verified() {
        let format = TrackingFormat {
            prefix: "JD".into(),
            digits: 10,
            check: CheckDigit::Mod10,
            free_form: false,
        };
        let n = format.number(42);
        assert_eq!(n.len(), 2 + 10 + 1);
        assert!(n.starts_with("JD0000000042"));
        assert!(format.matches(&n));
        let mut wrong = n.clone();
        wrong.replace_range(12..13, if n.ends_with('0') { "1" } else { "0" });
        assert!(!format.matches(&wrong));
        assert_eq!(luhn("7992739871"), 3, "the textbook Luhn example");
    }

    #[test]
    fn late_and_repeated_events_do_not_move_a_delivered_shipment() {
        use TrackingStatus::*;
        let in_order = [(1, InTransit), (2, OutForDelivery), (3, Delivered)];
        let shuffled = [
            (3, Delivered),
            (1, InTransit),
            (2, OutForDelivery),
            (1, InTransit),
        ];
        assert_eq!(shipment_status(&in_order), Some(Delivered));
        assert_eq!(shipment_status(&shuffled), Some(Delivered));
        assert_eq!(
            shipment_status(&[(5, FailedAttempt), (4, OutForDelivery)]),
            Some(FailedAttempt)
        );
        assert_eq!(shipment_status(&[]), None);
    }

    #[test]
    fn event_times_before_the_hand_over_or_in_the_future_are_refused() {
        let (shipped, now) = (1_000_000_000, 2_000_000_000);
        assert!(check_event_time(shipped + 1, shipped, now).is_ok());
        assert!(check_event_time(shipped - CLOCK_SKEW_MS_MAX, shipped, now).is_ok());
        assert!(check_event_time(shipped - CLOCK_SKEW_MS_MAX - 1, shipped, now).is_err());
        assert!(check_event_time(now + CLOCK_SKEW_MS_MAX, shipped, now).is_ok());
        assert!(check_event_time(now + CLOCK_SKEW_MS_MAX + 1, shipped, now).is_err());
        assert!(check_event_time(i64::MIN, shipped, now).is_err());
    }

    #[test]
    fn reliability_starts_at_the_prior_and_follows_the_record() {
        assert!((DeliveryHistory::default().reliability() - 0.9).abs() < 1e-9);
        let good = DeliveryHistory {
            delivered: 100,
            on_time: 99,
            with_failed_attempt: 0,
        };
        let poor = DeliveryHistory {
            delivered: 100,
            on_time: 60,
            with_failed_attempt: 20,
        };
        assert!(good.reliability() > 0.95);
        assert!(poor.reliability() < 0.65);
    }
}
