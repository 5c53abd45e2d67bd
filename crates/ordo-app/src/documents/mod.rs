//! The documents a location prints: shipping labels (4×6 in PDF with a Code 128 barcode of
//! the tracking number, and ZPL for thermal printers), packing slips, pick lists (PDF and
//! CSV) and each carrier's end-of-day manifest (PDF and CSV). Each is a pure function of the
//! records it shows.
//!
//! - [`pdf`] — the PDF writer; [`code128`] — the barcode, both ways.

pub mod code128;
pub mod pdf;

use ordo_domain::fulfillment::FulfillmentOrder;
use ordo_domain::location::Location;
use ordo_domain::order::Order;
use ordo_store::ShipmentRecord;

use pdf::{A4, PT_PER_IN, Page};

/// A document as served: its media type, a file name and the bytes.
pub struct Document {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub const PDF: &str = "application/pdf";
pub const CSV: &str = "text/csv; charset=utf-8";
pub const ZPL: &str = "application/zpl";

/// Width of the label's barcode area and the widest a module may be, in points.
const LABEL_BARCODE_WIDTH_PT: f64 = 252.0;
const MODULE_PT_MAX: f64 = 1.5;
/// Quiet zone each side of a barcode, in modules.
const QUIET_MODULES: f64 = 10.0;

fn address_lines(order: &Order) -> Vec<String> {
    let Some(s) = &order.ship_to else {
        return vec![order.customer.name.clone(), "Collect in store".into()];
    };
    let mut lines = vec![s.name.clone(), s.line1.clone()];
    lines.extend(s.line2.clone());
    lines.push(format!("{} {}", s.postal_code, s.city).trim().to_string());
    if let Some(region) = &s.region {
        lines.push(region.clone());
    }
    lines.push(s.country.as_str().to_string());
    lines
}

/// The courier's directions, wrapped to lines of at most `width` characters.
fn directions_lines(order: &Order, width: usize) -> Vec<String> {
    let Some(text) = order.ship_to.as_ref().and_then(|s| s.directions.as_deref()) else {
        return Vec::new();
    };
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn location_lines(l: &Location) -> Vec<String> {
    let a = &l.address;
    let mut lines = vec![l.name.clone()];
    lines.extend(a.line1.clone());
    lines.extend(a.line2.clone());
    lines.push(format!("{} {}", a.postal_code, a.city).trim().to_string());
    lines.push(a.country.as_str().to_string());
    lines
}

/// Draws `text` as a Code 128 barcode with its bottom-left at (`x`, `y`), at most `width`
/// wide; answers the module width used.
fn barcode(page: &mut Page, x: f64, y: f64, width: f64, height: f64, text: &str) -> f64 {
    let Some(widths) = code128::encode(text) else {
        page.text(
            x,
            y,
            10.0,
            false,
            "(no barcode: the number is not printable ASCII)",
        );
        return 0.0;
    };
    let modules: f64 = widths.iter().map(|w| f64::from(*w)).sum::<f64>() + 2.0 * QUIET_MODULES;
    let module = (width / modules).min(MODULE_PT_MAX);
    let mut at = x + QUIET_MODULES * module;
    for (i, w) in widths.iter().enumerate() {
        let span = f64::from(*w) * module;
        if i % 2 == 0 {
            page.rect(at, y, span, height);
        }
        at += span;
    }
    module
}

/// The shipping label: 4×6 inches, from and to, carrier and service, the tracking number as
/// a Code 128 barcode and in text.
pub fn label_pdf(
    shipment: &ShipmentRecord,
    order: &Order,
    from: &Location,
    packages: usize,
) -> Document {
    let (w, h) = (4.0 * PT_PER_IN, 6.0 * PT_PER_IN);
    let mut page = Page::new(w, h);
    let margin = 18.0;
    let mut y = h - margin - 8.0;
    page.text(margin, y, 8.0, true, "FROM");
    for line in location_lines(from) {
        y -= 10.0;
        page.text(margin, y, 8.0, false, &line);
    }
    y -= 14.0;
    page.line(margin, y, w - margin, y, 1.0);
    y -= 16.0;
    page.text(margin, y, 9.0, true, "SHIP TO");
    for line in address_lines(order) {
        y -= 16.0;
        page.text(margin, y, 13.0, true, &line);
    }
    if let Some(phone) = &order.customer.phone {
        y -= 13.0;
        page.text(margin, y, 10.0, false, &format!("Tel. {phone}"));
    }
    let directions = directions_lines(order, 48);
    if !directions.is_empty() {
        y -= 14.0;
        page.text(margin, y, 8.0, true, "DIRECTIONS");
    }
    for line in directions {
        y -= 11.0;
        page.text(margin, y, 9.0, false, &line);
    }
    y -= 14.0;
    page.line(margin, y, w - margin, y, 1.0);
    y -= 18.0;
    page.text(
        margin,
        y,
        14.0,
        true,
        &format!(
            "{} {}",
            shipment.carrier.to_uppercase(),
            shipment.service.to_uppercase()
        ),
    );
    y -= 14.0;
    page.text(
        margin,
        y,
        9.0,
        false,
        &format!(
            "Order {}   Package {} of {}   {:.2} kg",
            order.number,
            shipment.package.seq,
            packages,
            shipment.package.weight_g as f64 / 1000.0
        ),
    );
    if let Some(date) = shipment.expected_date {
        y -= 12.0;
        page.text(margin, y, 9.0, false, &format!("Expected {date}"));
    }
    let bar_y = 60.0;
    barcode(
        &mut page,
        margin,
        bar_y,
        LABEL_BARCODE_WIDTH_PT,
        90.0,
        &shipment.tracking_number,
    );
    page.text(margin, bar_y - 18.0, 12.0, true, &shipment.tracking_number);
    Document {
        content_type: PDF,
        file_name: format!("label-{}.pdf", shipment.tracking_number),
        bytes: pdf::document(&format!("Label {}", shipment.tracking_number), &[page]),
    }
}

/// The same label in ZPL II for 203 dpi thermal printers (812 × 1218 dots).
pub fn label_zpl(
    shipment: &ShipmentRecord,
    order: &Order,
    from: &Location,
    packages: usize,
) -> Document {
    let field = |s: &str| s.replace(['^', '~'], " ");
    let mut zpl = String::from("^XA\n^CI28\n^PW812\n^LL1218\n");
    let mut y = 40;
    zpl.push_str(&format!("^FO40,{y}^A0N,24,24^FDFROM^FS\n"));
    for line in location_lines(from) {
        y += 28;
        zpl.push_str(&format!("^FO40,{y}^A0N,24,24^FD{}^FS\n", field(&line)));
    }
    y += 50;
    zpl.push_str(&format!("^FO40,{y}^GB732,3,3^FS\n"));
    y += 20;
    zpl.push_str(&format!("^FO40,{y}^A0N,28,28^FDSHIP TO^FS\n"));
    for line in address_lines(order) {
        y += 44;
        zpl.push_str(&format!("^FO40,{y}^A0N,40,40^FD{}^FS\n", field(&line)));
    }
    if let Some(phone) = &order.customer.phone {
        y += 36;
        zpl.push_str(&format!("^FO40,{y}^A0N,30,30^FDTel. {}^FS\n", field(phone)));
    }
    for line in directions_lines(order, 48) {
        y += 30;
        zpl.push_str(&format!("^FO40,{y}^A0N,26,26^FD{}^FS\n", field(&line)));
    }
    y += 70;
    zpl.push_str(&format!("^FO40,{y}^GB732,3,3^FS\n"));
    y += 24;
    zpl.push_str(&format!(
        "^FO40,{y}^A0N,44,44^FD{} {}^FS\n",
        field(&shipment.carrier.to_uppercase()),
        field(&shipment.service.to_uppercase())
    ));
    y += 56;
    zpl.push_str(&format!(
        "^FO40,{y}^A0N,28,28^FDOrder {} - Package {} of {} - {:.2} kg^FS\n",
        field(&order.number),
        shipment.package.seq,
        packages,
        shipment.package.weight_g as f64 / 1000.0
    ));
    zpl.push_str(&format!(
        "^FO60,900^BY3^BCN,200,Y,N,N^FD{}^FS\n^XZ\n",
        field(&shipment.tracking_number)
    ));
    Document {
        content_type: ZPL,
        file_name: format!("label-{}.zpl", shipment.tracking_number),
        bytes: zpl.into_bytes(),
    }
}

/// Lines per A4 page of a table.
const TABLE_ROWS_PER_PAGE: usize = 45;

/// A titled table over as many A4 pages as it needs.
fn table_pdf(
    title: &str,
    heading: &[String],
    columns: &[(&str, f64)],
    rows: &[Vec<String>],
) -> Vec<u8> {
    let mut pages = Vec::new();
    let chunks: Vec<&[Vec<String>]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(TABLE_ROWS_PER_PAGE).collect()
    };
    let count = chunks.len();
    for (n, chunk) in chunks.into_iter().enumerate() {
        let mut page = Page::new(A4.0, A4.1);
        let mut y = A4.1 - 50.0;
        page.text(40.0, y, 16.0, true, title);
        for line in heading {
            y -= 14.0;
            page.text(40.0, y, 10.0, false, line);
        }
        y -= 24.0;
        let mut x = 40.0;
        for (name, width) in columns {
            page.text(x, y, 9.0, true, name);
            x += width;
        }
        y -= 4.0;
        page.line(40.0, y, A4.0 - 40.0, y, 0.5);
        for row in chunk {
            y -= 14.0;
            let mut x = 40.0;
            for (cell, (_, width)) in row.iter().zip(columns) {
                page.text(x, y, 9.0, false, cell);
                x += width;
            }
        }
        page.text(
            A4.0 - 100.0,
            30.0,
            8.0,
            false,
            &format!("Page {} of {count}", n + 1),
        );
        pages.push(page);
    }
    pdf::document(title, &pages)
}

fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

/// Item names by SKU, for the documents that list items.
pub type ItemNames = std::collections::HashMap<String, String>;

/// The packing slip that goes in the parcel: the order, where it goes, and what is in it.
pub fn packing_slip(
    fo: &FulfillmentOrder,
    order: &Order,
    from: &Location,
    names: &ItemNames,
) -> Document {
    let mut heading = vec![
        format!("Order {}  ({})", order.number, order.external_id),
        format!("From {}", from.name),
        format!("Ship to: {}", address_lines(order).join(", ")),
    ];
    if let Some(date) = order.promised_date {
        heading.push(format!("Promised by {date}"));
    }
    let rows: Vec<Vec<String>> = fo
        .lines
        .iter()
        .map(|l| {
            let sent = if l.picked > 0 { l.picked } else { l.quantity };
            vec![
                l.line_no.to_string(),
                l.sku.to_string(),
                names.get(l.sku.as_str()).cloned().unwrap_or_default(),
                sent.to_string(),
                l.short.to_string(),
            ]
        })
        .collect();
    let columns = [
        ("Line", 40.0),
        ("SKU", 120.0),
        ("Item", 240.0),
        ("Quantity", 60.0),
        ("Short", 50.0),
    ];
    Document {
        content_type: PDF,
        file_name: format!("packing-slip-{}.pdf", order.number),
        bytes: table_pdf("Packing slip", &heading, &columns, &rows),
    }
}

/// One row of a pick list: where to go and what to take, for which order.
pub struct PickRow {
    pub fulfillment_order: String,
    pub order_number: String,
    pub line_no: u32,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub promised_date: Option<String>,
}

impl PickRow {
    fn csv(self) -> Vec<String> {
        vec![
            self.sku,
            self.quantity.to_string(),
            self.fulfillment_order,
            self.order_number,
            self.line_no.to_string(),
            self.promised_date.unwrap_or_default(),
            self.name,
        ]
    }

    fn printed(self) -> Vec<String> {
        vec![
            self.sku,
            self.quantity.to_string(),
            self.name,
            self.order_number,
            self.line_no.to_string(),
            self.promised_date.unwrap_or_default(),
        ]
    }
}

/// The pick list's CSV columns; `name` came last, so files read by column position still
/// work.
const PICK_HEADER: [&str; 7] = [
    "sku",
    "quantity",
    "fulfillment_order",
    "order",
    "line",
    "promised_date",
    "name",
];

/// A location's pick list for a wave: by SKU, so a picker walks each item once.
pub fn pick_list(
    location: &Location,
    wave: &str,
    mut rows: Vec<PickRow>,
    as_csv: bool,
) -> Document {
    rows.sort_by(|a, b| {
        (&a.sku, &a.promised_date, &a.fulfillment_order).cmp(&(
            &b.sku,
            &b.promised_date,
            &b.fulfillment_order,
        ))
    });
    let name = format!("pick-list-{}-{}", location.code, wave.replace(':', ""));
    if as_csv {
        let table: Vec<Vec<String>> = rows.into_iter().map(PickRow::csv).collect();
        return Document {
            content_type: CSV,
            file_name: format!("{name}.csv"),
            bytes: csv(&PICK_HEADER, &table),
        };
    }
    let units: i64 = rows.iter().map(|r| r.quantity).sum();
    // On paper the item's name takes the fulfilment order's place: the order number says
    // where it goes.
    let table: Vec<Vec<String>> = rows.into_iter().map(PickRow::printed).collect();
    let heading = vec![
        format!("{} ({})", location.name, location.code),
        format!("Wave {wave}: {} lines, {units} units", table.len()),
    ];
    let columns = [
        ("SKU", 110.0),
        ("Qty", 35.0),
        ("Item", 210.0),
        ("Order", 65.0),
        ("Line", 35.0),
        ("Promised", 70.0),
    ];
    Document {
        content_type: PDF,
        file_name: format!("{name}.pdf"),
        bytes: table_pdf("Pick list", &heading, &columns, &table),
    }
}

/// One parcel on a manifest: the shipment, its order's number and who it goes to.
pub struct ManifestRow {
    pub shipment: ShipmentRecord,
    pub order_number: String,
    /// The recipient's name and city.
    pub recipient: String,
}

const MANIFEST_HEADER: [&str; 9] = [
    "tracking_number",
    "service",
    "order",
    "location",
    "weight_g",
    "package",
    "shipped_at",
    "cost_minor",
    "recipient",
];

/// A carrier's end-of-day manifest: every parcel handed over that day.
pub fn manifest(carrier: &str, date: &str, shipments: &[ManifestRow], as_csv: bool) -> Document {
    let table: Vec<Vec<String>> = shipments
        .iter()
        .map(|row| {
            let s = &row.shipment;
            vec![
                s.tracking_number.clone(),
                s.service.clone(),
                row.order_number.clone(),
                s.location.to_string(),
                s.package.weight_g.to_string(),
                s.package.seq.to_string(),
                jiff::Timestamp::from_millisecond(s.shipped_at_ms)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                s.cost_minor.map(|c| c.to_string()).unwrap_or_default(),
                row.recipient.clone(),
            ]
        })
        .collect();
    let name = format!("manifest-{carrier}-{date}");
    if as_csv {
        return Document {
            content_type: CSV,
            file_name: format!("{name}.csv"),
            bytes: csv(&MANIFEST_HEADER, &table),
        };
    }
    let weight: i64 = shipments.iter().map(|r| r.shipment.package.weight_g).sum();
    // On paper, the recipient takes the place of the hand-over time and price.
    let table: Vec<Vec<String>> = table
        .into_iter()
        .map(|mut r| {
            let recipient = r.pop().unwrap_or_default();
            r.truncate(6);
            r.push(recipient);
            r
        })
        .collect();
    let heading = vec![
        format!("Carrier {carrier}, {date}"),
        format!(
            "{} parcels, {:.2} kg",
            shipments.len(),
            weight as f64 / 1000.0
        ),
    ];
    let columns = [
        ("Tracking number", 150.0),
        ("Service", 70.0),
        ("Order", 70.0),
        ("From", 70.0),
        ("Weight g", 50.0),
        ("Pkg", 30.0),
        ("To", 160.0),
    ];
    Document {
        content_type: PDF,
        file_name: format!("{name}.pdf"),
        bytes: table_pdf("End-of-day manifest", &heading, &columns, &table),
    }
}
