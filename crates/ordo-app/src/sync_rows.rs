//! Rows of a stock sync as sent — JSON fields or CSV lines — checked one by one: a row that
//! parses becomes a `SyncRow`, one that does not a rejection with its reason.

use ordo_domain::field::FieldErrors;
use ordo_domain::values::{LocationCode, Sku, parse_stock_delta, parse_stock_figure};
use ordo_store::{RejectedRow, SyncFigures, SyncMode, SyncRow};

/// Longest sync id accepted.
pub const SYNC_ID_LEN_MAX: usize = 128;

/// One row as sent: text fields, checked by [`parse_row`].
#[derive(Debug, Default, Clone)]
pub struct RawRow {
    pub location: Option<String>,
    pub sku: Option<String>,
    pub on_hand: Option<String>,
    pub damaged: Option<String>,
    pub quality_hold: Option<String>,
    pub delta: Option<String>,
}

pub fn parse_sync_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if id.is_empty() || id.len() > SYNC_ID_LEN_MAX || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "must be 1 to {SYNC_ID_LEN_MAX} printable ASCII characters"
        ));
    }
    Ok(id.to_string())
}

fn figure(raw: &Option<String>, name: &str, signed: bool) -> Result<Option<i64>, String> {
    let Some(text) = raw.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let value: i64 = text
        .parse()
        .map_err(|_| format!("{name} '{text}' is not a whole number"))?;
    let checked = if signed {
        parse_stock_delta(value)
    } else {
        parse_stock_figure(value)
    };
    checked.map(Some).map_err(|m| format!("{name} {m}"))
}

/// Checks one row against the sync's mode; a bad row becomes a rejection with its reason.
pub fn parse_row(
    row: usize,
    raw: &RawRow,
    mode: SyncMode,
    default_location: Option<&LocationCode>,
) -> Result<SyncRow, RejectedRow> {
    let reject = |reason: String| RejectedRow {
        row,
        sku: raw.sku.clone().unwrap_or_default(),
        location: raw
            .location
            .clone()
            .or_else(|| default_location.map(|l| l.to_string()))
            .unwrap_or_default(),
        reason,
    };
    let sku =
        Sku::parse(raw.sku.as_deref().unwrap_or("")).map_err(|m| reject(format!("sku {m}")))?;
    let location = match raw
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(code) => LocationCode::parse(code).map_err(|m| reject(format!("location {m}")))?,
        None => default_location
            .cloned()
            .ok_or_else(|| reject("location is missing".into()))?,
    };
    if mode == SyncMode::Snapshot && default_location.is_some_and(|l| *l != location) {
        return Err(reject(format!(
            "a snapshot covers one location; this row names {location}"
        )));
    }
    let figures = match mode {
        SyncMode::Snapshot => {
            let on_hand = figure(&raw.on_hand, "on_hand", false)
                .map_err(reject)?
                .ok_or_else(|| reject("on_hand is missing".into()))?;
            let damaged = figure(&raw.damaged, "damaged", false).map_err(reject)?;
            let quality_hold = figure(&raw.quality_hold, "quality_hold", false).map_err(reject)?;
            if damaged.unwrap_or(0) + quality_hold.unwrap_or(0) > on_hand {
                return Err(reject("damaged and quality_hold exceed on_hand".into()));
            }
            SyncFigures::Snapshot {
                on_hand,
                damaged,
                quality_hold,
            }
        }
        SyncMode::Delta => SyncFigures::Delta {
            delta: figure(&raw.delta, "delta", true)
                .map_err(reject)?
                .ok_or_else(|| reject("delta is missing".into()))?,
        },
    };
    Ok(SyncRow {
        row,
        location,
        sku,
        figures,
    })
}

/// The columns a sync's CSV may have.
const CSV_COLUMNS: [&str; 6] = [
    "location",
    "sku",
    "on_hand",
    "damaged",
    "quality_hold",
    "delta",
];

/// Reads CSV with a header row naming its columns: `sku` and `on_hand` (with optional
/// `damaged`, `quality_hold`) for a snapshot, `sku` and `delta` for deltas, and `location`
/// unless the sync names it. Rows are numbered from 1 after the header.
pub fn parse_csv(
    text: &str,
    mode: SyncMode,
    location: Option<&LocationCode>,
) -> Result<(Vec<SyncRow>, Vec<RejectedRow>), FieldErrors> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FieldErrors::single("body", format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    check_header(&headers, mode, location)?;
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let read = record
            .map_err(|e| RejectedRow {
                row: i + 1,
                sku: String::new(),
                location: String::new(),
                reason: format!("unreadable row: {e}"),
            })
            .and_then(|record| raw_row(i + 1, &headers, &record))
            .and_then(|raw| parse_row(i + 1, &raw, mode, location));
        match read {
            Ok(parsed) => rows.push(parsed),
            Err(reject) => rejected.push(reject),
        }
    }
    Ok((rows, rejected))
}

/// Refuses a header naming columns Ordo does not read, missing the mode's columns, or
/// without `location` when the sync names none.
fn check_header(
    headers: &[String],
    mode: SyncMode,
    location: Option<&LocationCode>,
) -> Result<(), FieldErrors> {
    let has = |name: &str| headers.iter().any(|h| h == name);
    let needed: &[&str] = match mode {
        SyncMode::Snapshot => &["sku", "on_hand"],
        SyncMode::Delta => &["sku", "delta"],
    };
    let mut errors = FieldErrors::new();
    let unknown: Vec<&str> = headers
        .iter()
        .map(String::as_str)
        .filter(|h| !CSV_COLUMNS.contains(h))
        .collect();
    if !unknown.is_empty() {
        errors.push(
            "body",
            format!(
                "the CSV header names columns Ordo does not know: {} (it reads {})",
                unknown.join(", "),
                CSV_COLUMNS.join(", ")
            ),
        );
    }
    for name in needed {
        if !has(name) {
            errors.push("body", format!("the CSV header has no `{name}` column"));
        }
    }
    if location.is_none() && !has("location") {
        errors.push(
            "location",
            "is required when the CSV has no `location` column",
        );
    }
    errors.into_result()
}

/// One record's fields by column name, refused when it has more or fewer than the header.
fn raw_row(
    row: usize,
    headers: &[String],
    record: &csv::StringRecord,
) -> Result<RawRow, RejectedRow> {
    let column = |name: &str| headers.iter().position(|h| h == name);
    let field = |name: &str| column(name).and_then(|c| record.get(c)).map(str::to_string);
    if record.len() != headers.len() {
        return Err(RejectedRow {
            row,
            sku: field("sku").unwrap_or_default(),
            location: String::new(),
            reason: format!(
                "has {} fields; the header has {}",
                record.len(),
                headers.len()
            ),
        });
    }
    Ok(RawRow {
        location: field("location"),
        sku: field("sku"),
        on_hand: field("on_hand"),
        damaged: field("damaged"),
        quality_hold: field("quality_hold"),
        delta: field("delta"),
    })
}
