//! A small PDF writer: pages of text in the standard Helvetica fonts, filled rectangles and
//! lines — enough for labels, slips and lists, with no dependency and nothing to download.
//! The output is PDF 1.4 with a cross-reference table, readable by any PDF reader.

use std::fmt::Write as _;

/// Points per inch (PDF's unit is the point).
pub const PT_PER_IN: f64 = 72.0;
/// A4 portrait, in points.
pub const A4: (f64, f64) = (595.0, 842.0);

pub struct Page {
    pub width_pt: f64,
    pub height_pt: f64,
    content: String,
}

impl Page {
    pub fn new(width_pt: f64, height_pt: f64) -> Self {
        Self {
            width_pt,
            height_pt,
            content: String::new(),
        }
    }

    /// Text with its baseline's left end at (`x`, `y`), measured from the page's bottom left.
    pub fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, text: &str) {
        let font = if bold { "F2" } else { "F1" };
        let _ = writeln!(
            self.content,
            "BT /{font} {size:.1} Tf {x:.2} {y:.2} Td ({}) Tj ET",
            escape(text)
        );
    }

    /// A filled black rectangle from its bottom-left corner.
    pub fn rect(&mut self, x: f64, y: f64, width: f64, height: f64) {
        let _ = writeln!(self.content, "{x:.3} {y:.3} {width:.3} {height:.3} re f");
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, width: f64) {
        let _ = writeln!(
            self.content,
            "{width:.2} w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S"
        );
    }
}

/// Text for a PDF string in WinAnsi: parentheses and backslashes escaped, Latin-1 letters as
/// octal escapes, anything else as `?`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (0xA0..=0xFF).contains(&(c as u32)) => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            _ => out.push('?'),
        }
    }
    out
}

/// The document: a catalog, the page tree, two fonts, an info dictionary, then each page and
/// its content stream.
pub fn document(title: &str, pages: &[Page]) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 6 + 2 * i).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    for font in ["Helvetica", "Helvetica-Bold"] {
        objects.push(format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>"
        ));
    }
    objects.push(format!("<< /Title ({}) /Producer (Ordo) >>", escape(title)));
    for (page, id) in pages.iter().zip(&page_ids) {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            page.width_pt,
            page.height_pt,
            id + 1
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{}endstream",
            page.content.len(),
            page.content
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

/// Width of `text` in Helvetica at `size`, near enough to right-align and fit columns.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.55
}
