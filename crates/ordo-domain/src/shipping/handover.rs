//! How one package leaves a location: with a service of a configured carrier (the one the
//! location names, or the best rate shopping finds), or with an outside carrier whose label a
//! WMS or a shipping app printed — then Ordo knows only its name, service and tracking number.
//! Tracking numbers a location supplies are checked here too.

use std::collections::{HashMap, HashSet};

use super::carrier::Carrier;
use super::rates::{Quote, RateRequest, quotes};
use crate::field::FieldErrors;

/// What the location asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShipAsk<'a> {
    pub carrier: Option<&'a str>,
    pub service: Option<&'a str>,
    /// The location brings its own tracking numbers.
    pub numbers_supplied: bool,
}

/// The carrier and service a package goes with.
#[derive(Debug, Clone, PartialEq)]
pub enum Handover {
    /// A configured carrier's service, priced and dated.
    Rated(Quote),
    /// A carrier Ordo has no configuration for: nothing is priced or dated.
    Outside { carrier: String, service: String },
}

impl Handover {
    pub fn carrier(&self) -> &str {
        match self {
            Self::Rated(q) => &q.carrier,
            Self::Outside { carrier, .. } => carrier,
        }
    }
}

/// Why a package cannot go as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    /// The request is incomplete for what it names (answered 422).
    #[error("{0}")]
    Invalid(FieldErrors),
    /// No carrier or service can take the package as asked (answered 409).
    #[error("{field}: {message}")]
    Unserved { field: String, message: String },
}

/// Chooses the carrier and service of one package. A carrier that is not configured is an
/// outside carrier: the location must then name the service and bring the tracking numbers.
pub fn choose(
    carriers: &[Carrier],
    reliability: &HashMap<String, f64>,
    reliability_weight: f64,
    request: &RateRequest<'_>,
    ask: &ShipAsk<'_>,
) -> Result<Handover, HandoverError> {
    if let Some(code) = ask.carrier
        && !carriers.iter().any(|c| c.code == code)
    {
        return outside(code, ask);
    }
    let allowed: Vec<Carrier> = carriers
        .iter()
        .filter(|c| ask.carrier.is_none_or(|code| code == c.code))
        .cloned()
        .collect();
    let best = quotes(&allowed, reliability, reliability_weight, request)
        .into_iter()
        .find(|q| ask.service.is_none_or(|s| s == q.service));
    if let Some(quote) = best {
        return Ok(Handover::Rated(quote));
    }
    let to = &request.to;
    let message = if carriers.is_empty() {
        "no carrier is configured: name the carrier, service and tracking numbers of the \
         label you printed, or configure a carrier at /v1/carriers"
            .to_string()
    } else {
        format!(
            "no service takes a {} g parcel from {} to {} {}",
            request.weight_g,
            request.origin.code,
            to.country.as_str(),
            to.postal_code
        )
    };
    let field = if ask.service.is_some() {
        "service"
    } else {
        "carrier"
    };
    Err(HandoverError::Unserved {
        field: field.into(),
        message,
    })
}

fn outside(code: &str, ask: &ShipAsk<'_>) -> Result<Handover, HandoverError> {
    let mut e = FieldErrors::new();
    if ask.service.is_none() {
        e.push(
            "service",
            format!("is required: {code} is not a carrier configured in Ordo"),
        );
    }
    if !ask.numbers_supplied {
        e.push(
            "tracking_numbers",
            format!("are required: {code} is not a carrier configured in Ordo"),
        );
    }
    match ask.service {
        Some(service) if e.is_empty() => Ok(Handover::Outside {
            carrier: code.to_string(),
            service: service.to_string(),
        }),
        _ => Err(HandoverError::Invalid(e)),
    }
}

/// Checks the tracking numbers a location supplies for its packages: one per package, none
/// twice.
pub fn check_supplied(numbers: &[String], packages: usize) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if !numbers.is_empty() && numbers.len() != packages {
        e.push(
            "tracking_numbers",
            format!(
                "must give one number per package: {} given for {packages}",
                numbers.len()
            ),
        );
    }
    let mut seen = HashSet::new();
    for (i, n) in numbers.iter().enumerate() {
        if !seen.insert(n) {
            e.push(
                format!("tracking_numbers[{i}]"),
                format!("{n} is given twice"),
            );
        }
    }
    e.into_result()
}

/// Checks a supplied number against the carrier's declared format, unless it takes free-form
/// numbers (labels printed outside Ordo).
pub fn check_format(carrier: &Carrier, index: usize, number: &str) -> Result<(), FieldErrors> {
    if carrier.tracking.accepts(number) {
        return Ok(());
    }
    Err(FieldErrors::single(
        format!("tracking_numbers[{index}]"),
        format!(
            "{number} is not a {} tracking number ({})",
            carrier.name,
            carrier.tracking.describe()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_must_match_the_packages_and_each_other() {
        let two = ["A1234".to_string(), "A1234".to_string()];
        let e = check_supplied(&two, 2).unwrap_err();
        assert_eq!(e.iter().next().unwrap().field, "tracking_numbers[1]");
        let e = check_supplied(&two[..1], 2).unwrap_err();
        assert!(e.to_string().contains("1 given for 2"), "{e}");
        assert!(
            check_supplied(&[], 3).is_ok(),
            "none supplied: Ordo makes them"
        );
    }

    #[test]
    fn an_outside_carrier_needs_its_service_and_numbers() {
        let ask = ShipAsk {
            carrier: Some("ups"),
            service: None,
            numbers_supplied: false,
        };
        let Err(HandoverError::Invalid(e)) = outside("ups", &ask) else {
            panic!("refused")
        };
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["service", "tracking_numbers"]);
        let ask = ShipAsk {
            service: Some("ground"),
            numbers_supplied: true,
            ..ask
        };
        assert_eq!(
            outside("ups", &ask),
            Ok(Handover::Outside {
                carrier: "ups".into(),
                service: "ground".into()
            })
        );
    }
}
