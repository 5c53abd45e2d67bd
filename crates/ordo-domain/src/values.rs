//! Small checked value types. Raw strings become these at the edge; past it they are trusted.

use std::fmt;

/// Longest free-text name (customer, location, item) we store.
pub const NAME_LEN_MAX: usize = 200;
/// Longest code (location, channel, SKU) we accept.
pub const CODE_LEN_MAX: usize = 64;
/// Longest channel-side order number we accept.
pub const EXTERNAL_ID_LEN_MAX: usize = 128;

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn parse_code(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > CODE_LEN_MAX || !trimmed.chars().all(is_code_char) {
        return Err(format!(
            "must be 1 to {CODE_LEN_MAX} characters of A-Z, a-z, 0-9, '-', '_' or '.'"
        ));
    }
    Ok(trimmed.to_string())
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, String> {
                parse_code(raw).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

code_type!(
    /// A location's code, such as `WH-HAM`.
    LocationCode
);
code_type!(
    /// A channel's code, such as `web`.
    ChannelCode
);
code_type!(
    /// A stock keeping unit.
    Sku
);

/// Non-empty, trimmed free text of bounded length.
pub fn parse_name(raw: &str) -> Result<String, String> {
    parse_text(raw, NAME_LEN_MAX)
}

/// Non-empty, trimmed text of at most `len_max` characters.
pub fn parse_text(raw: &str, len_max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if trimmed.chars().count() > len_max {
        return Err(format!("must be at most {len_max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_string())
}

/// The channel's own order number: printable, no surrounding spaces.
pub fn parse_external_id(raw: &str) -> Result<String, String> {
    parse_text(raw, EXTERNAL_ID_LEN_MAX)
}

/// An email address, lower-cased. Only the shape is checked; delivery proves the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const LEN_MAX: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_lowercase();
        let invalid = || Err("must be an email address such as name@example.com".to_string());
        if value.len() > Self::LEN_MAX || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return invalid();
        }
        let Some((local, domain)) = value.split_once('@') else {
            return invalid();
        };
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return invalid();
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number as written, reduced to digits, spaces and `+()-.`.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'));
    if !allowed || !(5..=20).contains(&digits) {
        return Err("must be a phone number of 5 to 20 digits".into());
    }
    Ok(value.to_string())
}

/// A quantity of units on an order line or in a movement: a whole number from 1 to `max`.
pub fn parse_positive_quantity(raw: i64, max: i64) -> Result<i64, String> {
    if raw < 1 || raw > max {
        return Err(format!("must be a whole number from 1 to {max}"));
    }
    Ok(raw)
}

/// A stock figure: a whole number from 0 to [`crate::inventory::UNITS_MAX`].
pub fn parse_stock_figure(raw: i64) -> Result<i64, String> {
    let max = crate::inventory::UNITS_MAX;
    if !(0..=max).contains(&raw) {
        return Err(format!("must be a whole number from 0 to {max}"));
    }
    Ok(raw)
}

/// A change of stock: a non-zero whole number within [`crate::inventory::UNITS_MAX`] either
/// way. Compared as a range, never through `abs()`, which wraps at `i64::MIN`.
pub fn parse_stock_delta(raw: i64) -> Result<i64, String> {
    let max = crate::inventory::UNITS_MAX;
    if raw == 0 || !(-max..=max).contains(&raw) {
        return Err(format!(
            "must be a non-zero whole number from -{max} to {max}"
        ));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_deltas_at_the_edges_of_i64_are_refused_not_wrapped() {
        let max = crate::inventory::UNITS_MAX;
        for bad in [i64::MIN, i64::MIN + 1, i64::MAX, 0, max + 1, -max - 1] {
            assert!(parse_stock_delta(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_stock_delta(-max), Ok(-max));
        assert_eq!(parse_stock_delta(max), Ok(max));
    }

    #[test]
    fn codes_accept_the_usual_shapes_and_reject_spaces_and_length() {
        assert_eq!(Sku::parse(" TEE-BLU-M ").unwrap().as_str(), "TEE-BLU-M");
        assert!(Sku::parse("with space").is_err());
        assert!(Sku::parse("").is_err());
        assert!(LocationCode::parse(&"X".repeat(CODE_LEN_MAX + 1)).is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_need_a_dotted_domain() {
        assert_eq!(
            Email::parse("Ann@Example.COM").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "ann",
            "ann@",
            "@x.de",
            "ann@localhost",
            "a b@x.de",
            "ann@x..de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(parse_name("  Ann  ").unwrap(), "Ann");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"a".repeat(NAME_LEN_MAX + 1)).is_err());
        assert!(parse_name("a\u{0}b").is_err());
    }
}
