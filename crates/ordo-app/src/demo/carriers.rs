//! The demo's carriers: a national parcel network with economy, standard and express across
//! Germany, and a Berlin courier delivering the same day inside its postcodes.

use ordo_domain::shipping::Carrier;

pub(crate) fn carriers() -> Vec<Carrier> {
    let national = serde_json::json!({
        "code": "paketwerk", "name": "Paketwerk", "currency": "EUR",
        "tracking": { "prefix": "PW", "digits": 12, "check": "mod10" },
        "event_codes": { "ZU": "delivered", "AZ": "out_for_delivery", "TR": "in_transit", "NZ": "failed_attempt", "ST": "exception", "RS": "returned_to_sender" },
        "zones": [{ "code": "1", "max_km": 150 }, { "code": "2", "max_km": 450 }, { "code": "3" }],
        "weight_breaks_g": [1000, 2000, 5000, 10000, 20000, 31500],
        "fuel_surcharge_pct": 8.5,
        "pickup_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
        "cutoff": "18:00",
        "services": [
            { "code": "economy", "level": "economy", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 2, "2": 3, "3": 4 }, "over_per_kg": 50,
              "rates": { "1": [390, 450, 540, 690, 950, 1290], "2": [420, 490, 590, 750, 1030, 1390], "3": [460, 530, 640, 810, 1120, 1490] } },
            { "code": "standard", "level": "standard", "coverage": [{ "country": "DE" }],
              "transit_days": { "1": 1, "2": 1, "3": 2 }, "over_per_kg": 60,
              "rates": { "1": [450, 520, 620, 790, 1090, 1490], "2": [490, 570, 690, 880, 1200, 1640], "3": [560, 650, 790, 990, 1350, 1850] } },
            { "code": "express", "level": "express", "coverage": [{ "country": "DE" }], "cutoff": "16:00",
              "transit_days": { "1": 1, "2": 1, "3": 1 }, "over_per_kg": 90,
              "rates": { "1": [990, 1090, 1290, 1590, 1990, 2590], "2": [1090, 1190, 1390, 1690, 2090, 2690], "3": [1190, 1290, 1490, 1790, 2190, 2790] } }
        ]
    });
    let courier = serde_json::json!({
        "code": "spreebote", "name": "Spreebote Kurier", "currency": "EUR",
        "tracking": { "prefix": "SB", "digits": 8, "check": "mod7" },
        "zones": [{ "code": "city", "max_km": 40 }, { "code": "beyond" }],
        "weight_breaks_g": [5000, 15000],
        "pickup_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
        "cutoff": "13:00",
        "services": [
            { "code": "same-day", "level": "same_day",
              "coverage": [{ "country": "DE", "postal_prefixes": ["10", "12", "13", "14"] }],
              "transit_days": { "city": 0 }, "rates": { "city": [690, 990] } }
        ]
    });
    [national, courier]
        .into_iter()
        .map(|c| serde_json::from_value(c).expect("the demo carriers are well formed"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_carriers_pass_their_checks() {
        for carrier in super::carriers() {
            carrier.check().unwrap();
        }
    }
}
