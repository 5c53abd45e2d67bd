//! Address checks at capture: spacing and case normalised, the fields each country needs,
//! and postal codes in their country's format (the demo's Germany and the common ones: US,
//! GB, DE, FR, NL, ZA, NG, KE, BR, IN). A bad address does not refuse the order: the
//! problems put it on an address hold for a person to fix.

use super::ShipTo;

/// Collapses runs of whitespace and trims.
fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// The postal code in its country's canonical form, or why it is not one.
pub fn postal_code(country: &str, raw: &str) -> Result<String, String> {
    let compact: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bad = |format: &str| {
        Err(format!(
            "{raw:?} is not a postal code of {country}: {format}"
        ))
    };
    match country {
        "DE" | "FR" | "KE" => {
            if digits(&compact, 5) {
                Ok(compact)
            } else {
                bad("five digits")
            }
        }
        "ZA" => {
            if digits(&compact, 4) {
                Ok(compact)
            } else {
                bad("four digits")
            }
        }
        "NG" => {
            if digits(&compact, 6) {
                Ok(compact)
            } else {
                bad("six digits")
            }
        }
        "IN" => {
            if digits(&compact, 6) && !compact.starts_with('0') {
                Ok(compact)
            } else {
                bad("six digits, not starting with 0")
            }
        }
        "US" => match compact.len() {
            5 if digits(&compact, 5) => Ok(compact),
            9 if digits(&compact, 9) => Ok(format!("{}-{}", &compact[..5], &compact[5..])),
            _ => bad("a ZIP code: five digits, or ZIP+4 as 12345-6789"),
        },
        "BR" => {
            if digits(&compact, 8) {
                Ok(format!("{}-{}", &compact[..5], &compact[5..]))
            } else {
                bad("a CEP: eight digits, as 01310-100")
            }
        }
        "NL" => {
            let (num, letters) = compact.split_at(compact.len().min(4));
            let ok = digits(num, 4)
                && !num.starts_with('0')
                && letters.len() == 2
                && letters.bytes().all(|b| b.is_ascii_uppercase())
                && !["SA", "SD", "SS"].contains(&letters);
            if ok {
                Ok(format!("{num} {letters}"))
            } else {
                bad("four digits and two letters, as 1012 AB")
            }
        }
        "GB" => {
            // Outward code (2 to 4 characters, starting with a letter), inward code (a digit
            // and two letters).
            let ok = (5..=7).contains(&compact.len()) && {
                let (outward, inward) = compact.split_at(compact.len() - 3);
                let i = inward.as_bytes();
                outward.as_bytes()[0].is_ascii_uppercase()
                    && outward.bytes().any(|b| b.is_ascii_digit())
                    && i[0].is_ascii_digit()
                    && i[1].is_ascii_uppercase()
                    && i[2].is_ascii_uppercase()
            };
            if ok {
                let (outward, inward) = compact.split_at(compact.len() - 3);
                Ok(format!("{outward} {inward}"))
            } else {
                bad("a postcode such as SW1A 1AA")
            }
        }
        _ => {
            let tidied = tidy(raw).to_uppercase();
            if tidied.is_empty() {
                Err("is required".into())
            } else {
                Ok(tidied)
            }
        }
    }
}

/// Countries where many addresses have no postal code (it exists but few use it, or there is
/// none): an address without one is complete; one that is given must still be well formed.
const POSTAL_CODE_OPTIONAL: &[&str] = &[
    "AE", "AO", "BW", "CI", "CM", "ET", "GH", "HK", "IE", "KE", "MW", "MZ", "NG", "QA", "RW", "SN",
    "TZ", "UG", "ZM", "ZW",
];

/// Countries whose addresses need a region (state or province).
const REGION_REQUIRED: &[&str] = &["US", "BR", "IN"];

/// Normalises the address in place and answers every problem, each naming its field.
pub fn check_ship_to(s: &mut ShipTo) -> Vec<String> {
    let mut problems = Vec::new();
    s.name = tidy(&s.name);
    s.line1 = tidy(&s.line1);
    s.line2 = s.line2.as_deref().map(tidy).filter(|l| !l.is_empty());
    s.city = tidy(&s.city);
    s.region = s.region.as_deref().map(tidy).filter(|r| !r.is_empty());
    let country = s.country.as_str();
    if country == "US" || country == "BR" {
        s.region = s.region.take().map(|r| r.to_uppercase());
    }
    for (field, value) in [("ship_to.line1", &s.line1), ("ship_to.city", &s.city)] {
        if value.is_empty() {
            problems.push(format!("{field} is required"));
        }
    }
    if s.region.is_none() && REGION_REQUIRED.contains(&country) {
        problems.push(format!("ship_to.region is required in {country}"));
    }
    s.directions = s.directions.as_deref().map(tidy).filter(|d| !d.is_empty());
    let unused = s.postal_code.trim().is_empty() && POSTAL_CODE_OPTIONAL.contains(&country);
    if unused {
        s.postal_code = String::new();
    } else {
        match postal_code(country, &s.postal_code) {
            Ok(code) => s.postal_code = code,
            Err(why) => problems.push(format!("ship_to.postal_code {why}")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::CountryCode;

    #[test]
    fn postal_codes_of_the_common_countries_are_checked_and_put_in_form() {
        let ok = [
            ("DE", "20095", "20095"),
            ("FR", "75 001", "75001"),
            ("US", "94105-1234", "94105-1234"),
            ("US", "941051234", "94105-1234"),
            ("GB", "sw1a1aa", "SW1A 1AA"),
            ("GB", "M1 1AE", "M1 1AE"),
            ("NL", "1012ab", "1012 AB"),
            ("ZA", "8001", "8001"),
            ("NG", "100001", "100001"),
            ("KE", "00100", "00100"),
            ("BR", "01310100", "01310-100"),
            ("IN", "110001", "110001"),
        ];
        for (country, raw, want) in ok {
            assert_eq!(
                postal_code(country, raw).as_deref(),
                Ok(want),
                "{country} {raw}"
            );
        }
        let bad = [
            ("DE", "2009"),
            ("US", "ABCDE"),
            ("GB", "12345"),
            ("NL", "1012 SA"),
            ("IN", "010001"),
            ("BR", "1234"),
            ("ZA", "80011"),
        ];
        for (country, raw) in bad {
            assert!(postal_code(country, raw).is_err(), "{country} {raw}");
        }
    }

    #[test]
    fn an_address_is_tidied_and_each_problem_named() {
        let mut s = ShipTo {
            name: "  Ann   Example ".into(),
            line1: "1  Main St".into(),
            line2: Some("  ".into()),
            city: "San  Francisco".into(),
            region: None,
            postal_code: "9410".into(),
            country: CountryCode::parse_name_or_code("United States of America").unwrap(),
            point: None,
            directions: None,
        };
        let problems = check_ship_to(&mut s);
        assert_eq!(
            (
                s.name.as_str(),
                s.line1.as_str(),
                s.line2.clone(),
                s.city.as_str()
            ),
            ("Ann Example", "1 Main St", None, "San Francisco")
        );
        assert!(
            problems.iter().any(|p| p.starts_with("ship_to.region")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("ship_to.postal_code")),
            "{problems:?}"
        );
        assert_eq!(
            CountryCode::parse_name_or_code("deutschland")
                .unwrap()
                .as_str(),
            "DE"
        );
        assert_eq!(
            CountryCode::parse_name_or_code("The Netherlands")
                .unwrap()
                .as_str(),
            "NL"
        );
        assert!(CountryCode::parse_name_or_code("Atlantis").is_err());
    }
}

#[cfg(test)]
mod unused_postal_codes {
    use super::*;
    use crate::geo::CountryCode;

    fn lagos(postal: &str) -> ShipTo {
        ShipTo {
            name: "Ada Obi".into(),
            line1: "12 Adeola Odeku Street".into(),
            line2: None,
            city: "Lagos".into(),
            region: None,
            postal_code: postal.into(),
            country: CountryCode::parse("NG").unwrap(),
            point: None,
            directions: Some("  Opposite the  Total station,   blue gate ".into()),
        }
    }

    #[test]
    fn where_postal_codes_are_not_used_an_address_without_one_is_complete() {
        let mut s = lagos("");
        assert_eq!(check_ship_to(&mut s), Vec::<String>::new());
        assert_eq!(
            s.directions.as_deref(),
            Some("Opposite the Total station, blue gate")
        );
        let mut wrong = lagos("12");
        assert_eq!(check_ship_to(&mut wrong).len(), 1, "one given is checked");
        let mut german = ShipTo {
            country: CountryCode::parse("DE").unwrap(),
            ..lagos("")
        };
        assert_eq!(check_ship_to(&mut german).len(), 1, "Germany needs one");
    }
}
