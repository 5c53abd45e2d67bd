//! German cities: name, a central postal code, coordinates and population in thousands. The
//! demo network, the benchmark's customers and the postal-code geocoder all draw on it.

use super::GeoPoint;

pub struct City {
    pub name: &'static str,
    pub postal_code: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub population_k: u32,
}

const fn city(
    name: &'static str,
    postal_code: &'static str,
    lat: f64,
    lon: f64,
    population_k: u32,
) -> City {
    City {
        name,
        postal_code,
        lat,
        lon,
        population_k,
    }
}

/// Ordered by population, largest first: the geocoder takes the first match.
pub const CITIES: &[City] = &[
    city("Berlin", "10115", 52.520, 13.405, 3755),
    city("Hamburg", "20095", 53.551, 9.994, 1892),
    city("München", "80331", 48.137, 11.575, 1512),
    city("Köln", "50667", 50.938, 6.960, 1084),
    city("Frankfurt am Main", "60311", 50.110, 8.682, 773),
    city("Stuttgart", "70173", 48.776, 9.183, 633),
    city("Düsseldorf", "40213", 51.227, 6.773, 629),
    city("Leipzig", "04109", 51.340, 12.375, 616),
    city("Dortmund", "44135", 51.514, 7.466, 595),
    city("Essen", "45127", 51.456, 7.012, 586),
    city("Bremen", "28195", 53.079, 8.802, 577),
    city("Dresden", "01067", 51.050, 13.738, 563),
    city("Hannover", "30159", 52.376, 9.739, 548),
    city("Nürnberg", "90402", 49.452, 11.077, 526),
    city("Duisburg", "47051", 51.434, 6.762, 503),
    city("Bochum", "44787", 51.481, 7.216, 365),
    city("Wuppertal", "42103", 51.256, 7.151, 358),
    city("Bielefeld", "33602", 52.022, 8.532, 338),
    city("Bonn", "53111", 50.737, 7.098, 336),
    city("Münster", "48143", 51.961, 7.626, 320),
    city("Mannheim", "68159", 49.487, 8.466, 315),
    city("Karlsruhe", "76133", 49.007, 8.404, 308),
    city("Augsburg", "86150", 48.370, 10.898, 301),
    city("Wiesbaden", "65183", 50.082, 8.240, 283),
    city("Mönchengladbach", "41061", 51.185, 6.442, 268),
    city("Gelsenkirchen", "45879", 51.518, 7.086, 263),
    city("Aachen", "52062", 50.776, 6.084, 252),
    city("Braunschweig", "38100", 52.269, 10.521, 251),
    city("Chemnitz", "09111", 50.833, 12.925, 250),
    city("Kiel", "24103", 54.323, 10.123, 247),
    city("Halle (Saale)", "06108", 51.483, 11.970, 242),
    city("Magdeburg", "39104", 52.121, 11.628, 240),
    city("Freiburg im Breisgau", "79098", 47.999, 7.842, 237),
    city("Krefeld", "47798", 51.339, 6.586, 228),
    city("Mainz", "55116", 49.993, 8.247, 220),
    city("Lübeck", "23552", 53.866, 10.686, 218),
    city("Erfurt", "99084", 50.978, 11.029, 216),
    city("Oberhausen", "46045", 51.470, 6.852, 210),
    city("Rostock", "18055", 54.092, 12.099, 210),
    city("Kassel", "34117", 51.312, 9.480, 202),
    city("Hagen", "58095", 51.361, 7.474, 189),
    city("Potsdam", "14467", 52.391, 13.065, 185),
    city("Saarbrücken", "66111", 49.240, 6.997, 181),
    city("Hamm", "59065", 51.681, 7.815, 180),
    city("Oldenburg", "26122", 53.144, 8.214, 172),
    city("Ludwigshafen am Rhein", "67059", 49.477, 8.445, 172),
    city("Osnabrück", "49074", 52.279, 8.047, 167),
    city("Darmstadt", "64283", 49.873, 8.651, 162),
    city("Heidelberg", "69117", 49.399, 8.672, 160),
    city("Regensburg", "93047", 49.013, 12.102, 155),
    city("Paderborn", "33098", 51.719, 8.754, 152),
    city("Ingolstadt", "85049", 48.766, 11.426, 140),
    city("Offenbach am Main", "63065", 50.096, 8.776, 131),
    city("Fürth", "90762", 49.478, 10.989, 131),
    city("Würzburg", "97070", 49.791, 9.953, 128),
    city("Ulm", "89073", 48.401, 9.988, 128),
    city("Heilbronn", "74072", 49.142, 9.219, 128),
    city("Pforzheim", "75175", 48.892, 8.695, 126),
    city("Wolfsburg", "38440", 52.423, 10.787, 125),
    city("Göttingen", "37073", 51.541, 9.916, 118),
    city("Reutlingen", "72764", 48.491, 9.204, 117),
    city("Erlangen", "91052", 49.590, 11.004, 116),
    city("Koblenz", "56068", 50.356, 7.589, 114),
    city("Bremerhaven", "27568", 53.540, 8.581, 113),
    city("Trier", "54290", 49.750, 6.637, 111),
    city("Jena", "07743", 50.927, 11.589, 111),
    city("Recklinghausen", "45657", 51.614, 7.197, 111),
    city("Siegen", "57072", 50.875, 8.024, 102),
    city("Hanau", "63450", 50.133, 8.917, 101),
    city("Hildesheim", "31134", 52.152, 9.951, 101),
    city("Kaiserslautern", "67655", 49.444, 7.769, 100),
    city("Cottbus", "03046", 51.757, 14.329, 99),
    city("Schwerin", "19053", 53.635, 11.401, 98),
    city("Gera", "07545", 50.880, 12.082, 93),
    city("Iserlohn", "58636", 51.376, 7.700, 92),
    city("Düren", "52349", 50.804, 6.493, 92),
    city("Flensburg", "24937", 54.784, 9.436, 92),
    city("Tübingen", "72070", 48.521, 9.057, 91),
    city("Gießen", "35390", 50.584, 8.678, 90),
    city("Zwickau", "08056", 50.718, 12.496, 88),
    city("Konstanz", "78462", 47.660, 9.175, 86),
    city("Villingen-Schwenningen", "78050", 48.060, 8.459, 85),
    city("Worms", "67547", 49.634, 8.359, 83),
    city("Minden", "32423", 52.289, 8.917, 81),
    city("Neumünster", "24534", 54.071, 9.990, 80),
    city("Marburg", "35037", 50.810, 8.771, 77),
    city("Bamberg", "96047", 49.898, 10.902, 77),
    city("Lüneburg", "21335", 53.248, 10.407, 76),
    city("Wilhelmshaven", "26382", 53.530, 8.106, 76),
    city("Rheine", "48431", 52.280, 7.440, 76),
    city("Bayreuth", "95444", 49.948, 11.578, 74),
    city("Detmold", "32756", 51.939, 8.879, 74),
    city("Dessau-Roßlau", "06844", 51.833, 12.243, 74),
    city("Arnsberg", "59821", 51.396, 8.064, 73),
    city("Landshut", "84028", 48.537, 12.152, 73),
    city("Brandenburg an der Havel", "14770", 52.412, 12.532, 73),
    city("Aschaffenburg", "63739", 49.977, 9.152, 71),
    city("Kempten (Allgäu)", "87435", 47.728, 10.315, 70),
    city("Celle", "29221", 52.625, 10.081, 70),
    city("Fulda", "36037", 50.555, 9.680, 68),
    city("Aalen", "73430", 48.837, 10.093, 68),
    city("Weimar", "99423", 50.979, 11.330, 65),
    city("Plauen", "08523", 50.495, 12.138, 64),
    city("Rosenheim", "83022", 47.857, 12.129, 64),
    city("Neubrandenburg", "17033", 53.557, 13.261, 63),
    city("Friedrichshafen", "88045", 47.650, 9.479, 61),
    city("Wesel", "46483", 51.658, 6.618, 60),
    city("Offenburg", "77652", 48.473, 7.944, 60),
    city("Greifswald", "17489", 54.093, 13.387, 59),
    city("Stralsund", "18439", 54.309, 13.082, 59),
    city("Frankfurt (Oder)", "15230", 52.347, 14.550, 57),
    city("Görlitz", "02826", 51.153, 14.987, 56),
    city("Baden-Baden", "76530", 48.761, 8.240, 55),
    city("Lingen (Ems)", "49808", 52.522, 7.318, 55),
    city("Schweinfurt", "97421", 50.049, 10.221, 54),
    city("Passau", "94032", 48.574, 13.461, 53),
    city("Kleve", "47533", 51.788, 6.138, 52),
    city("Bad Kreuznach", "55543", 49.844, 7.867, 51),
    city("Emden", "26721", 53.367, 7.207, 50),
    city("Cuxhaven", "27472", 53.861, 8.694, 48),
    city("Straubing", "94315", 48.881, 12.574, 48),
    city("Landau in der Pfalz", "76829", 49.198, 8.118, 47),
    city("Hof", "95028", 50.313, 11.912, 46),
    city("Kaufbeuren", "87600", 47.880, 10.622, 45),
    city("Memmingen", "87700", 47.984, 10.181, 44),
    city("Weiden in der Oberpfalz", "92637", 49.675, 12.160, 43),
    city("Wismar", "23966", 53.893, 11.465, 43),
    city("Eberswalde", "16225", 52.834, 13.820, 42),
    city("Ansbach", "91522", 49.300, 10.572, 42),
    city("Amberg", "92224", 49.445, 11.863, 42),
    city("Siegburg", "53721", 50.800, 7.205, 41),
    city("Nordhausen", "99734", 51.502, 10.791, 41),
    city("Coburg", "96450", 50.259, 10.964, 41),
    city("Stendal", "39576", 52.606, 11.858, 39),
    city("Suhl", "98527", 50.609, 10.692, 36),
    city("Limburg an der Lahn", "65549", 50.388, 8.062, 36),
    city("Leer (Ostfriesland)", "26789", 53.231, 7.461, 34),
    city("Deggendorf", "94469", 48.834, 12.963, 34),
    city("Saalfeld/Saale", "07318", 50.648, 11.365, 28),
    city("Husum", "25813", 54.475, 9.051, 23),
];

impl City {
    pub fn point(&self) -> GeoPoint {
        GeoPoint {
            lat: self.lat,
            lon: self.lon,
        }
    }
}

/// German postal codes are five digits; the first two name a postal zone. The geocoder answers
/// with the largest listed city of the code's two-digit zone, else of its one-digit region.
pub fn geocode(postal_code: &str) -> Option<GeoPoint> {
    let code = postal_code.trim();
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    CITIES
        .iter()
        .find(|c| c.postal_code[..2] == code[..2])
        .or_else(|| CITIES.iter().find(|c| c.postal_code[..1] == code[..1]))
        .map(City::point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_land_in_their_zone() {
        let munich = geocode("80995").unwrap();
        assert!((munich.lat - 48.137).abs() < 0.01);
        // Zone 22 has no listed city: its region (2) answers with Hamburg.
        let hamburg = geocode("22767").unwrap();
        assert!((hamburg.lat - 53.551).abs() < 0.01);
        assert!(geocode("123").is_none());
        assert!(geocode("ABCDE").is_none());
    }

    #[test]
    fn every_city_has_a_five_digit_postal_code() {
        for city in CITIES {
            assert_eq!(city.postal_code.len(), 5, "{}", city.name);
            assert!(GeoPoint::new(city.lat, city.lon).is_ok());
        }
    }
}
