//! The demo network's tables: where its locations are and what it sells. Kept one row a
//! line, so the tables read as tables.

use ordo_domain::location::LocationKind;

/// (code, kind, city, region, daily order capacity, carrier cut-off)
#[rustfmt::skip]
pub(super) const LOCATIONS: &[(&str, LocationKind, &str, &str, i64, &str)] = &[
    ("WH-HAM", LocationKind::Warehouse, "Hamburg", "Hamburg", 6000, "18:00"),
    ("WH-BER", LocationKind::Warehouse, "Berlin", "Berlin", 5000, "18:00"),
    ("WH-DTM", LocationKind::Warehouse, "Dortmund", "Nordrhein-Westfalen", 6000, "18:00"),
    ("WH-FRA", LocationKind::Warehouse, "Frankfurt am Main", "Hessen", 5000, "17:30"),
    ("WH-LEJ", LocationKind::Warehouse, "Leipzig", "Sachsen", 3000, "17:00"),
    ("WH-MUC", LocationKind::Warehouse, "München", "Bayern", 5000, "17:30"),
    ("3PL-KSL", LocationKind::ThirdParty, "Kassel", "Hessen", 2500, "16:00"),
    ("ST-CGN", LocationKind::Store, "Köln", "Nordrhein-Westfalen", 150, "16:00"),
    ("ST-DUS", LocationKind::Store, "Düsseldorf", "Nordrhein-Westfalen", 120, "16:00"),
    ("ST-ESS", LocationKind::Store, "Essen", "Nordrhein-Westfalen", 80, "15:00"),
    ("ST-BRE", LocationKind::Store, "Bremen", "Bremen", 90, "15:30"),
    ("ST-HAJ", LocationKind::Store, "Hannover", "Niedersachsen", 110, "16:00"),
    ("ST-NUE", LocationKind::Store, "Nürnberg", "Bayern", 100, "16:00"),
    ("ST-DRS", LocationKind::Store, "Dresden", "Sachsen", 90, "15:30"),
    ("ST-STR", LocationKind::Store, "Stuttgart", "Baden-Württemberg", 140, "16:00"),
    ("ST-BON", LocationKind::Store, "Bonn", "Nordrhein-Westfalen", 60, "15:00"),
    ("ST-MUE", LocationKind::Store, "Münster", "Nordrhein-Westfalen", 60, "15:00"),
    ("ST-KAR", LocationKind::Store, "Karlsruhe", "Baden-Württemberg", 70, "15:30"),
    ("ST-FRE", LocationKind::Store, "Freiburg im Breisgau", "Baden-Württemberg", 50, "15:00"),
    ("ST-KIE", LocationKind::Store, "Kiel", "Schleswig-Holstein", 50, "15:00"),
    ("ST-RST", LocationKind::Store, "Rostock", "Mecklenburg-Vorpommern", 40, "15:00"),
    ("ST-ERF", LocationKind::Store, "Erfurt", "Thüringen", 50, "15:00"),
    ("ST-RGB", LocationKind::Store, "Regensburg", "Bayern", 45, "15:00"),
    ("ST-AGB", LocationKind::Store, "Augsburg", "Bayern", 60, "15:30"),
    ("ST-MAN", LocationKind::Store, "Mannheim", "Baden-Württemberg", 70, "15:30"),
];

/// A product family: SKU prefix, name, weight in grams, dimensions in millimetres, variant
/// axes as (SKU part, name part) lists, and whether it may be backordered (made to order).
pub(super) struct Family {
    pub prefix: &'static str,
    pub name: &'static str,
    pub weight_g: i64,
    pub dims_mm: (i64, i64, i64),
    pub axes: &'static [&'static [(&'static str, &'static str)]],
    pub backorder: bool,
    /// Sold before release, up to this many units.
    pub preorder_cap: Option<i64>,
}

const fn family(
    prefix: &'static str,
    name: &'static str,
    weight_g: i64,
    dims_mm: (i64, i64, i64),
    axes: &'static [&'static [(&'static str, &'static str)]],
) -> Family {
    Family {
        prefix,
        name,
        weight_g,
        dims_mm,
        axes,
        backorder: false,
        preorder_cap: None,
    }
}

const fn preorder(family: Family, cap: i64) -> Family {
    Family {
        preorder_cap: Some(cap),
        ..family
    }
}

const fn made_to_order(family: Family) -> Family {
    Family {
        backorder: true,
        ..family
    }
}

const SIZES: &[(&str, &str)] = &[("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL")];
#[rustfmt::skip]
const SHOE_SIZES: &[(&str, &str)] = &[("40", "40"), ("41", "41"), ("42", "42"), ("43", "43"), ("44", "44"), ("45", "45")];

#[rustfmt::skip]
pub(super) const FAMILIES: &[Family] = &[
    family("TEE", "Organic Cotton T-Shirt", 180, (300, 250, 20), &[&[("BLK", "Black"), ("WHT", "White"), ("NVY", "Navy"), ("OLV", "Olive")], SIZES]),
    family("HOOD", "Heavyweight Hoodie", 550, (350, 300, 60), &[&[("GRY", "Grey"), ("BLK", "Black"), ("FOR", "Forest")], SIZES]),
    family("SHOE-TRL", "Trail Running Shoe", 900, (330, 220, 120), &[&[("BLU", "Blue"), ("RED", "Red")], SHOE_SIZES]),
    family("SNK", "Canvas Sneaker", 800, (320, 210, 110), &[&[("WHT", "White"), ("BLK", "Black")], &[("38", "38"), ("39", "39"), ("40", "40"), ("41", "41"), ("42", "42"), ("43", "43"), ("44", "44"), ("45", "45")]]),
    family("JEAN", "Slim Jeans", 700, (350, 280, 50), &[&[("IND", "Indigo"), ("BLK", "Black")], &[("W30", "W30"), ("W32", "W32"), ("W34", "W34"), ("W36", "W36")], &[("L32", "L32"), ("L34", "L34")]]),
    family("BAG-20L", "Commuter Backpack 20L", 1100, (450, 300, 150), &[&[("BLK", "Black"), ("GRY", "Grey"), ("SND", "Sand")]]),
    family("BTL-750", "Insulated Bottle 750 ml", 400, (280, 80, 80), &[&[("STL", "Steel"), ("BLK", "Black"), ("SGE", "Sage"), ("CRL", "Coral")]]),
    family("HP-WL", "Wireless Headphones", 300, (220, 190, 90), &[&[("BLK", "Black"), ("SLV", "Silver")]]),
    family("CASE", "Phone Case", 60, (180, 100, 20), &[&[("P12", "P12"), ("P13", "P13"), ("P14", "P14"), ("P15", "P15"), ("S22", "S22"), ("S23", "S23"), ("S24", "S24")], &[("CLR", "Clear"), ("BLK", "Black")]]),
    family("CBL-USBC", "USB-C Cable", 50, (150, 100, 30), &[&[("050", "0.5 m"), ("100", "1 m"), ("200", "2 m")], &[("BLK", "Black"), ("WHT", "White")]]),
    family("CHG-GAN", "GaN Charger", 150, (90, 70, 40), &[&[("30W", "30 W"), ("65W", "65 W"), ("100W", "100 W")]]),
    family("COF-1KG", "Coffee Beans 1 kg", 1050, (250, 150, 90), &[&[("BRA", "Brazil"), ("ETH", "Ethiopia"), ("COL", "Colombia"), ("GUA", "Guatemala"), ("KEN", "Kenya")]]),
    family("TEA-250", "Loose Leaf Tea 250 g", 280, (150, 100, 60), &[&[("ASM", "Assam"), ("DRJ", "Darjeeling"), ("SEN", "Sencha"), ("ROO", "Rooibos"), ("EGR", "Earl Grey"), ("CHA", "Chamomile")]]),
    family("NB-A5", "Dotted Notebook A5", 300, (215, 150, 15), &[&[("BLK", "Black"), ("RED", "Red"), ("BLU", "Blue"), ("GRN", "Green")]]),
    family("PEN-GEL", "Gel Pen Set", 120, (160, 90, 20), &[&[("05", "5 pens"), ("10", "10 pens"), ("20", "20 pens")]]),
    family("LAMP-LED", "LED Desk Lamp", 1600, (500, 200, 150), &[&[("BLK", "Black"), ("WHT", "White")]]),
    family("YOGA", "Yoga Mat", 1800, (620, 150, 150), &[&[("PUR", "Purple"), ("TEA", "Teal"), ("BLK", "Black")]]),
    family("DB-HEX", "Hex Dumbbell", 2100, (250, 110, 110), &[&[("02", "2 kg"), ("04", "4 kg"), ("06", "6 kg"), ("08", "8 kg"), ("10", "10 kg"), ("12", "12 kg")]]),
    family("SOCK-MER", "Merino Socks", 90, (200, 100, 30), &[&[("GRY", "Grey"), ("BLK", "Black")], &[("3942", "39-42"), ("4346", "43-46")]]),
    family("CAP", "Baseball Cap", 110, (280, 200, 120), &[&[("BLK", "Black"), ("NVY", "Navy"), ("BGE", "Beige")]]),
    family("SUN", "Sunglasses", 90, (170, 70, 50), &[&[("TRT", "Tortoise"), ("BLK", "Black")]]),
    family("PAN-CI", "Cast Iron Pan", 2900, (450, 300, 80), &[&[("20", "20 cm"), ("24", "24 cm"), ("28", "28 cm")]]),
    family("KNIFE-CH", "Chef's Knife 20 cm", 350, (350, 80, 30), &[&[("STD", "Standard")]]),
    family("GAME", "Board Game", 1400, (300, 300, 80), &[&[("STR", "Strategy"), ("PRT", "Party"), ("FAM", "Family"), ("PUZ", "Puzzle")]]),
    family("BOOK", "Paperback Novel", 320, (190, 125, 30), &[&[("0001", "The Quiet Harbour"), ("0002", "North of the River"), ("0003", "Salt and Iron"), ("0004", "The Last Timetable"), ("0005", "A Field of Lanterns"), ("0006", "Paper Birds"), ("0007", "The Glass Orchard"), ("0008", "Night Ferry"), ("0009", "Winter Accounts"), ("0010", "The Cartographer's Daughter")]]),
    family("BLD", "Building Set", 900, (380, 260, 80), &[&[("S", "Small"), ("M", "Medium"), ("L", "Large")]]),
    family("DRS-LIN", "Linen Dress", 300, (320, 260, 30), &[&[("SND", "Sand"), ("SKY", "Sky"), ("BLK", "Black")], &[("XS", "XS"), ("S", "S"), ("M", "M"), ("L", "L")]]),
    family("JKT-RAIN", "Rain Jacket", 650, (380, 300, 60), &[&[("YEL", "Yellow"), ("NVY", "Navy"), ("BLK", "Black")], SIZES]),
    family("CUSH-50", "Cushion Cover 50x50", 200, (300, 250, 20), &[&[("RST", "Rust"), ("OCH", "Ochre"), ("SGE", "Sage"), ("CRM", "Cream"), ("CHR", "Charcoal")]]),
    family("THROW", "Wool Throw", 1200, (400, 300, 100), &[&[("GRY", "Grey"), ("OAT", "Oat")]]),
    family("POT", "Planter Pot", 1500, (300, 300, 300), &[&[("S", "Small"), ("M", "Medium"), ("L", "Large")], &[("TER", "Terracotta"), ("WHT", "White")]]),
    family("BIKE-LGT", "Bike Light Set", 250, (200, 120, 60), &[&[("STD", "Standard")]]),
    family("BIKE-LCK", "Bike Lock", 1300, (300, 150, 60), &[&[("STD", "Standard")]]),
    family("HELM", "Bike Helmet", 350, (300, 230, 180), &[&[("SM", "S/M"), ("LXL", "L/XL")], &[("BLK", "Black"), ("WHT", "White")]]),
    made_to_order(family("DESK-OAK", "Custom Oak Desk", 38_000, (1600, 800, 120), &[&[("120", "120 cm"), ("140", "140 cm"), ("160", "160 cm")]])),
    made_to_order(family("BLZR", "Tailored Blazer", 900, (600, 400, 100), &[&[("46", "46"), ("48", "48"), ("50", "50"), ("52", "52")]])),
    preorder(family("WATCH-G3", "Smart Watch Gen 3", 250, (150, 120, 90), &[&[("BLK", "Black"), ("SLV", "Silver")]]), 300),
];
