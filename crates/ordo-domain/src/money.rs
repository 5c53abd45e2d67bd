//! Money: integer minor units with an ISO 4217 currency. Amounts travel as decimal strings.

use std::fmt;

/// Largest unit price we accept, in minor units (10 billion in a two-decimal currency). With
/// the order limits this keeps every total far inside `i64`.
pub const UNIT_PRICE_MINOR_MAX: i64 = 1_000_000_000_000;

/// An ISO 4217 currency with minor units (`EUR`, `JPY`, `BHD`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        let currency = iso_currency::Currency::from_code(&code)
            .ok_or_else(|| "must be an ISO 4217 currency code such as EUR".to_string())?;
        if currency.exponent().is_none() {
            return Err("must be a currency of money, not a metal or fund code".into());
        }
        Ok(Self(currency))
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for BHD.
    pub fn exponent(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// Reads a non-negative decimal string (`"19.90"`) as minor units. More decimals than the
    /// currency has is an error, never a silent rounding.
    pub fn parse_amount(self, raw: &str) -> Result<i64, String> {
        let exponent = self.exponent();
        let text = raw.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_ok(whole) || !digits_ok(fraction) || text.ends_with('.') {
            return Err(format!(
                "must be a decimal string such as \"19.90\" with at most {exponent} decimals"
            ));
        }
        if fraction.len() > exponent as usize {
            return Err(format!(
                "{} allows at most {exponent} decimals",
                self.code()
            ));
        }
        let scale = 10_i64.pow(exponent);
        let too_large = || format!("must be at most {}", self.format(UNIT_PRICE_MINOR_MAX));
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        let mut minor_fraction: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().unwrap_or(0)
        };
        minor_fraction *= 10_i64.pow(exponent - fraction.len() as u32);
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(minor_fraction))
            .filter(|m| *m <= UNIT_PRICE_MINOR_MAX)
            .ok_or_else(too_large)?;
        Ok(minor)
    }

    /// Writes minor units as a decimal string with exactly the currency's decimals.
    pub fn format(self, minor: i64) -> String {
        let exponent = self.exponent();
        if exponent == 0 {
            return minor.to_string();
        }
        let scale = 10_i64.pow(exponent);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale as u64,
            abs % scale as u64,
            width = exponent as usize
        )
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }

    #[test]
    fn amounts_are_read_exactly_in_minor_units() {
        assert_eq!(eur().parse_amount("19.90").unwrap(), 1990);
        assert_eq!(eur().parse_amount("19.9").unwrap(), 1990);
        assert_eq!(eur().parse_amount("7").unwrap(), 700);
        assert_eq!(
            Currency::parse("JPY")
                .unwrap()
                .parse_amount("1500")
                .unwrap(),
            1500
        );
        assert_eq!(
            Currency::parse("BHD")
                .unwrap()
                .parse_amount("1.234")
                .unwrap(),
            1234
        );
    }

    #[test]
    fn malformed_or_over_precise_amounts_are_refused() {
        for bad in [
            "",
            "-1.00",
            "1.999",
            "1,00",
            "abc",
            ".5",
            "5.",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(eur().parse_amount(bad).is_err(), "{bad} should be refused");
        }
        assert!(Currency::parse("JPY").unwrap().parse_amount("1.5").is_err());
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(eur().format(1990), "19.90");
        assert_eq!(eur().format(5), "0.05");
        assert_eq!(Currency::parse("JPY").unwrap().format(1500), "1500");
        assert!(Currency::parse("XAU").is_err());
        assert!(Currency::parse("EURO").is_err());
    }
}
