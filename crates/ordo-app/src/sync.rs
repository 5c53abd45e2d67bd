//! Bulk stock sync: rows from a WMS or store system, as JSON or CSV, applied in batches under
//! a sync id.

use std::collections::BTreeSet;

use ordo_domain::field::FieldErrors;
use ordo_domain::values::{LocationCode, Sku, parse_stock_delta, parse_stock_figure};
use ordo_store::{RejectedRow, SyncBatch, SyncFigures, SyncMode, SyncReport, SyncRow, SyncStart};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::sync_batches::{preview_batch, sync_batch};
use crate::transact::retrying;

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

/// A sync as received: rows that parsed, rows that did not, and its identity.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub sync_id: String,
    pub mode: SyncMode,
    /// The snapshot's location (a snapshot covers one location; its unlisted positions count
    /// as zero), or the default location of deltas.
    pub location: Option<LocationCode>,
    pub rows: Vec<SyncRow>,
    pub rejected: Vec<RejectedRow>,
    /// A hash of what was sent, to tell a resend from a reuse of the id.
    pub request_hash: String,
    /// Work out and report what the sync would change, applying nothing.
    pub dry_run: bool,
    /// Apply a snapshot's good rows though some were rejected. Without it a snapshot with a
    /// rejected row applies nothing: what it does not list would be counted as zero.
    pub skip_bad_rows: bool,
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
    let column = |name: &str| headers.iter().position(|h| h == name);
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
        if column(name).is_none() {
            errors.push("body", format!("the CSV header has no `{name}` column"));
        }
    }
    if location.is_none() && column("location").is_none() {
        errors.push(
            "location",
            "is required when the CSV has no `location` column",
        );
    }
    errors.into_result()?;
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                rejected.push(RejectedRow {
                    row,
                    sku: String::new(),
                    location: String::new(),
                    reason: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        if record.len() != headers.len() {
            rejected.push(RejectedRow {
                row,
                sku: column("sku")
                    .and_then(|c| record.get(c))
                    .unwrap_or("")
                    .to_string(),
                location: String::new(),
                reason: format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let field = |name: &str| column(name).and_then(|c| record.get(c)).map(str::to_string);
        let raw = RawRow {
            location: field("location"),
            sku: field("sku"),
            on_hand: field("on_hand"),
            damaged: field("damaged"),
            quality_hold: field("quality_hold"),
            delta: field("delta"),
        };
        match parse_row(row, &raw, mode, location) {
            Ok(parsed) => rows.push(parsed),
            Err(reject) => rejected.push(reject),
        }
    }
    Ok((rows, rejected))
}

impl App {
    /// Applies a sync in batches of `sync_batch_rows`, each in one transaction, calling
    /// `progress(rows done, rows in all)` after each. Sent again under the same id, a finished
    /// sync answers with its report (`true`: replayed) and a cut-short one carries on. A dry
    /// run works every batch out and rolls it back.
    pub async fn sync_inventory(
        &self,
        mut request: SyncRequest,
        actor: &str,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> AppResult<(SyncReport, bool)> {
        let received = request.rows.len() + request.rejected.len();
        self.check_sync(&request, received)?;
        if let Some(location) = &request.location
            && self.store.location(location).await?.is_none()
        {
            let message = format!("no location has code {location}");
            return Err(AppError::Invalid(FieldErrors::single("location", message)));
        }
        let listed = reject_listed_twice(&mut request);
        self.reject_unknown_items(&mut request).await?;
        request.rejected.sort_by_key(|r| r.row);
        if request.mode == SyncMode::Snapshot
            && !request.rejected.is_empty()
            && !request.skip_bad_rows
        {
            return Err(AppError::Invalid(rejected_rows(&request.rejected)));
        }
        let initial = SyncReport {
            sync_id: request.sync_id.clone(),
            mode: request.mode,
            completed: false,
            rows_received: received,
            rows_applied: 0,
            positions_changed: 0,
            positions_zeroed: 0,
            dry_run: request.dry_run,
            rejected: request.rejected.clone(),
            shortfalls: Vec::new(),
            batches_done: 0,
        };
        let report = if request.dry_run {
            initial
        } else {
            match self
                .store
                .begin_sync(&initial, &request.request_hash, self.clock.now_ms())
                .await?
            {
                SyncStart::Done(report) => return Ok((report, true)),
                SyncStart::Mismatch => {
                    let message = "was already used for a sync with other content";
                    return Err(AppError::Invalid(FieldErrors::single("sync_id", message)));
                }
                SyncStart::New(report) | SyncStart::Resume(report) => report,
            }
        };
        let report = self
            .sync_batches(&request, &listed, report, actor, progress)
            .await?;
        Ok((report, false))
    }

    fn check_sync(&self, request: &SyncRequest, received: usize) -> AppResult<()> {
        if received > self.limits.sync_rows_max {
            return Err(AppError::Invalid(FieldErrors::single(
                "rows",
                format!("must hold at most {} rows", self.limits.sync_rows_max),
            )));
        }
        if request.mode == SyncMode::Snapshot && request.location.is_none() {
            return Err(AppError::Invalid(FieldErrors::single(
                "location",
                "is required for a snapshot",
            )));
        }
        Ok(())
    }

    /// Rejects, before anything is applied, rows naming an item or location that does not
    /// exist.
    async fn reject_unknown_items(&self, request: &mut SyncRequest) -> AppResult<()> {
        let skus: BTreeSet<&str> = request.rows.iter().map(|r| r.sku.as_str()).collect();
        let skus: Vec<&str> = skus.into_iter().collect();
        let unknown: BTreeSet<String> =
            self.store.unknown_items(&skus).await?.into_iter().collect();
        let mut places = BTreeSet::new();
        for row in &request.rows {
            if !places.contains(&row.location)
                && self.store.location(&row.location).await?.is_some()
            {
                places.insert(row.location.clone());
            }
        }
        let (kept, gone): (Vec<SyncRow>, Vec<SyncRow>) = request
            .rows
            .drain(..)
            .partition(|r| !unknown.contains(r.sku.as_str()) && places.contains(&r.location));
        request.rows = kept;
        request.rejected.extend(gone.into_iter().map(|r| {
            let reason = if places.contains(&r.location) {
                format!("no item has SKU {}", r.sku)
            } else {
                format!("no location has code {}", r.location)
            };
            RejectedRow {
                row: r.row,
                sku: r.sku.to_string(),
                location: r.location.to_string(),
                reason,
            }
        }));
        Ok(())
    }

    async fn sync_batches(
        &self,
        request: &SyncRequest,
        listed: &BTreeSet<Sku>,
        mut report: SyncReport,
        actor: &str,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> AppResult<SyncReport> {
        let batches: Vec<&[SyncRow]> = if request.rows.is_empty() {
            vec![&[]]
        } else {
            request
                .rows
                .chunks(self.limits.sync_batch_rows.max(1))
                .collect()
        };
        let count = batches.len();
        let unlisted = match (request.mode, &request.location) {
            (SyncMode::Snapshot, Some(location)) => Some((location, listed)),
            _ => None,
        };
        let mut done = 0;
        for (batch_no, rows) in batches.into_iter().enumerate() {
            done += rows.len();
            if batch_no < report.batches_done {
                continue;
            }
            let last = batch_no + 1 == count;
            let batch = SyncBatch {
                sync_id: &request.sync_id,
                batch_no,
                rows,
                unlisted: if last { unlisted } else { None },
                last,
                actor,
                now_ms: self.clock.now_ms(),
            };
            let (store, deciders) = (self.store.as_ref(), self.deciders());
            let next = if request.dry_run {
                retrying(|| preview_batch(store, &batch, &report, &deciders)).await?
            } else {
                sync_batch(store, &batch, &deciders).await?
            };
            report = next;
            progress(done, request.rows.len());
        }
        Ok(report)
    }
}

/// A snapshot lists each item once; a second row for it is a mistake, not an update. Answers
/// the items a snapshot listed.
fn reject_listed_twice(request: &mut SyncRequest) -> BTreeSet<Sku> {
    let mut listed = BTreeSet::new();
    if request.mode != SyncMode::Snapshot {
        return listed;
    }
    let mut kept = Vec::with_capacity(request.rows.len());
    for row in request.rows.drain(..) {
        if listed.insert(row.sku.clone()) {
            kept.push(row);
        } else {
            request.rejected.push(RejectedRow {
                row: row.row,
                sku: row.sku.to_string(),
                location: row.location.to_string(),
                reason: format!("{} is listed twice in the snapshot", row.sku),
            });
        }
    }
    request.rows = kept;
    listed
}

/// Rejected rows as field errors, `rows[N]` by their row number.
fn rejected_rows(rejected: &[RejectedRow]) -> FieldErrors {
    let mut e = FieldErrors::new();
    for r in rejected {
        e.push(
            format!("rows[{}]", r.row),
            format!("{}: {}", r.sku, r.reason),
        );
    }
    e.push(
        "skip_bad_rows",
        "a snapshot with rejected rows applies nothing (what it does not list would count as \
         zero); fix the rows or send skip_bad_rows=true",
    );
    e
}
