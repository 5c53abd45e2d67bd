//! Pages of text, filled rectangles and lines, written as PDF by krilla with DejaVu Sans
//! embedded (subset to the glyphs a document uses): names in Latin Extended, Greek and
//! Cyrillic print as given, and text can be copied back out. The fonts are compiled in, so
//! nothing is read or fetched at run time (`assets/fonts/LICENSE`).
//!
//! Coordinates are PDF's: points from the page's bottom-left corner.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

/// Points per inch (PDF's unit is the point).
pub const PT_PER_IN: f64 = 72.0;
/// A4 portrait, in points.
pub const A4: (f64, f64) = (595.0, 842.0);

static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| {
    let data: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
    Font::new(data.into(), 0)
});
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| {
    let data: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
    Font::new(data.into(), 0)
});

enum Mark {
    Text {
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        text: String,
    },
    Rect {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    },
    Line {
        from: (f64, f64),
        to: (f64, f64),
        width: f64,
    },
}

pub struct Page {
    pub width_pt: f64,
    pub height_pt: f64,
    marks: Vec<Mark>,
}

impl Page {
    pub fn new(width_pt: f64, height_pt: f64) -> Self {
        Self {
            width_pt,
            height_pt,
            marks: Vec::new(),
        }
    }

    /// Text with its baseline's left end at (`x`, `y`).
    pub fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, text: &str) {
        // Control characters have no glyph and would only print as boxes.
        let text = text.chars().filter(|c| !c.is_control()).collect();
        self.marks.push(Mark::Text {
            x,
            y,
            size,
            bold,
            text,
        });
    }

    /// A filled black rectangle from its bottom-left corner.
    pub fn rect(&mut self, x: f64, y: f64, width: f64, height: f64) {
        self.marks.push(Mark::Rect {
            x,
            y,
            width,
            height,
        });
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, width: f64) {
        self.marks.push(Mark::Line {
            from: (x1, y1),
            to: (x2, y2),
            width,
        });
    }

    /// Draws the marks; krilla's origin is the top-left corner, so every `y` turns over.
    fn draw(&self, surface: &mut krilla::surface::Surface<'_>) {
        let flip = |y: f64| (self.height_pt - y) as f32;
        for mark in &self.marks {
            match mark {
                Mark::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } => {
                    let font = if *bold { &*BOLD } else { &*REGULAR };
                    if let Some(font) = font {
                        let at = Point::from_xy(*x as f32, flip(*y));
                        let size = *size as f32;
                        surface.draw_text(at, font.clone(), size, text, false, TextDirection::Auto);
                    }
                }
                Mark::Rect {
                    x,
                    y,
                    width,
                    height,
                } => {
                    let top = flip(y + height);
                    let rect = Rect::from_xywh(*x as f32, top, *width as f32, *height as f32);
                    let mut path = PathBuilder::new();
                    if let Some(rect) = rect {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                }
                Mark::Line { from, to, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(from.0 as f32, flip(from.1));
                    path.line_to(to.0 as f32, flip(to.1));
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: *width as f32,
                        ..Stroke::default()
                    }));
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                    surface.set_stroke(None);
                    surface.set_fill(Some(Default::default()));
                }
            }
        }
    }
}

/// The document, its pages in order, titled.
pub fn document(title: &str, pages: &[Page]) -> Vec<u8> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .producer("Ordo".into()),
    );
    for page in pages {
        let Some(settings) = PageSettings::from_wh(page.width_pt as f32, page.height_pt as f32)
        else {
            continue;
        };
        let mut started = document.start_page_with(settings);
        let mut surface = started.surface();
        page.draw(&mut surface);
        surface.finish();
        started.finish();
    }
    // Failing here would be a bug in how pages are drawn, never the data they show: say so
    // in the one document that cannot be made, rather than take the caller down.
    document.finish().unwrap_or_else(|e| {
        tracing::error!(error = ?e, "a PDF could not be written");
        Vec::new()
    })
}

/// Width of `text` in DejaVu Sans at `size`, near enough to right-align and fit columns.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_european_script_print_as_given_and_read_back() {
        let mut page = Page::new(288.0, 432.0);
        let names = [
            "Zoë Şahin-Łukasiewicz",
            "Ελένη Παπαδοπούλου",
            "Ольга Иванова",
        ];
        for (i, name) in names.iter().enumerate() {
            page.text(18.0, 400.0 - 20.0 * i as f64, 12.0, i == 1, name);
        }
        page.rect(18.0, 40.0, 2.0, 90.0);
        page.line(18.0, 30.0, 270.0, 30.0, 1.0);
        let pdf = document("Names", &[page]);
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        assert!(
            pdf.len() < 60_000,
            "the fonts are subset: {} bytes",
            pdf.len()
        );
        assert!(
            REGULAR.is_some() && BOLD.is_some(),
            "the embedded fonts load"
        );
    }
}
