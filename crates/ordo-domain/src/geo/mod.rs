//! Geography: points, great-circle distance, country codes and a postal-code geocoder.

mod countries;
pub mod de;

use std::fmt;

/// A point on the earth in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, String> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err("latitude must be between -90 and 90".into());
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err("longitude must be between -180 and 180".into());
        }
        Ok(Self { lat, lon })
    }

    /// Great-circle distance by the haversine formula, in kilometres.
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0088;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
    }
}

/// Reads an optional latitude/longitude pair: both or neither.
pub fn parse_point(lat: Option<f64>, lon: Option<f64>) -> Result<Option<GeoPoint>, String> {
    match (lat, lon) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).map(Some),
        _ => Err("lat and lon must be given together".into()),
    }
}

/// Names people write for countries besides the ISO English short name.
const ALIASES: &[(&str, &str)] = &[
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("USA", "US"),
    ("United States of America", "US"),
    ("America", "US"),
    ("Deutschland", "DE"),
    ("Holland", "NL"),
    ("The Netherlands", "NL"),
    ("Nederland", "NL"),
    ("Brasil", "BR"),
    ("Bharat", "IN"),
    ("Republic of South Africa", "ZA"),
    ("Kenya", "KE"),
    ("Nigeria", "NG"),
];

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode(&'static str);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        countries::COUNTRIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| Self(c))
            .ok_or_else(|| "must be an ISO 3166-1 alpha-2 country code such as DE".to_string())
    }

    /// An ISO code, or a country's English name or a common local or short name
    /// (`Germany`, `Deutschland`, `UK`, `United States of America`...), in any case.
    pub fn parse_name_or_code(raw: &str) -> Result<Self, String> {
        if let Ok(code) = Self::parse(raw) {
            return Ok(code);
        }
        let key = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = key(raw);
        let alias = ALIASES
            .iter()
            .find(|(name, _)| key(name) == wanted)
            .map(|(_, code)| *code);
        let named = countries::COUNTRIES
            .iter()
            .find(|(_, name)| key(name) == wanted)
            .map(|(code, _)| *code);
        alias.or(named).map(Self).ok_or_else(|| {
            "must be an ISO 3166-1 alpha-2 country code such as DE, or a country's name".to_string()
        })
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> &'static str {
        countries::COUNTRIES
            .iter()
            .find(|(c, _)| *c == self.0)
            .map(|(_, n)| *n)
            .unwrap_or(self.0)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A place as a caller names it: coordinates, or a country and postal code to look up.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPlace {
    pub point: Option<GeoPoint>,
    pub country: Option<CountryCode>,
    pub postal_code: Option<String>,
}

impl NamedPlace {
    /// Where it is: the coordinates given, or else the postal code's; `None` when neither
    /// places it.
    pub fn point(&self) -> Option<GeoPoint> {
        self.point
            .or_else(|| geocode_postal(self.country?, self.postal_code.as_deref()?))
    }
}

/// Approximate coordinates for an address that came without them, from its postal code.
/// Only countries with a table are known; elsewhere the answer is `None` and routing falls back
/// to its distance-free order.
pub fn geocode_postal(country: CountryCode, postal_code: &str) -> Option<GeoPoint> {
    match country.as_str() {
        "DE" => de::geocode(postal_code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamburg_to_munich_is_about_612_km() {
        let hamburg = GeoPoint::new(53.551, 9.994).unwrap();
        let munich = GeoPoint::new(48.137, 11.575).unwrap();
        let km = hamburg.distance_km(munich);
        assert!((600.0..625.0).contains(&km), "{km}");
    }

    #[test]
    fn points_and_countries_are_checked() {
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, f64::NAN).is_err());
        assert!(parse_point(Some(1.0), None).is_err());
        assert_eq!(CountryCode::parse("de").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse("DE").unwrap().name(), "Germany");
        assert!(CountryCode::parse("XX").is_err());
    }
}
