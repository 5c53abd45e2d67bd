//! Bulk stock sync: rows from a WMS or store system (read by `sync_rows.rs`), checked
//! against what exists and applied in batches under a sync id (`sync_batches.rs`).

use std::collections::BTreeSet;

use ordo_domain::field::FieldErrors;
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::{RejectedRow, SyncBatch, SyncMode, SyncReport, SyncRow, SyncStart};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::sync_batches::{preview_batch, sync_batch};
use crate::transact::retrying;

pub use crate::sync_rows::{RawRow, SYNC_ID_LEN_MAX, parse_csv, parse_row, parse_sync_id};

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
