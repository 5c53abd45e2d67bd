//! Bulk stock sync as the store keeps it: a sync's id and report (its progress, so that a
//! sync cut short resumes where it stopped and a finished one answers with its report), and
//! what a batch of it loads and writes in its transaction. The batches themselves are the
//! app's (`ordo-app/src/sync_batches.rs`).

use crate::sql::args::Arg;
use crate::sql::exec::Exec;

use serde_json::{Value, json};

use ordo_domain::reservation::{GivenBack, Reservation, ReservationOwner};
use ordo_domain::values::{LocationCode, Sku};

use super::SqlStore;
use super::args::Sql;
use super::rows::{self, RESERVATION_COLUMNS};
use super::tx::Tx;
use super::write::existing;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::*;

pub(crate) async fn begin(
    store: &SqlStore,
    initial: &SyncReport,
    request_hash: &str,
    now_ms: i64,
) -> StoreResult<SyncStart> {
    let mut tx = store.begin().await?;
    let row = tx
        .first(Sql::with(
            "SELECT request_hash, report FROM inventory_syncs WHERE id = $1",
            [Arg::from(initial.sync_id.as_str())],
        ))
        .await?;
    if let Some(row) = row {
        let hash: String = row.text_at(0)?;
        if hash != request_hash {
            return Ok(SyncStart::Mismatch);
        }
        let report = report_from_json(&row.text_at(1)?)?;
        return Ok(if report.completed {
            SyncStart::Done(report)
        } else {
            SyncStart::Resume(report)
        });
    }
    tx.run(Sql::with("INSERT INTO inventory_syncs (id, request_hash, report, created_at) VALUES ($1, $2, $3, $4)", [Arg::from(initial.sync_id.as_str()), Arg::from(request_hash), Arg::from(report_json(initial).to_string()), Arg::from(now_ms)])).await
        .map_err(|e| if e.is_unique_violation() { StoreError::Contention("the sync started meanwhile".into()) } else { e })?;
    tx.commit().await?;
    Ok(SyncStart::New(initial.clone()))
}

/// The items of `skus` that do not exist.
pub(crate) async fn unknown_items(store: &SqlStore, skus: &[&str]) -> StoreResult<Vec<String>> {
    let mut conn = store.reader().await?;
    let mut unknown = Vec::new();
    for chunk in skus.chunks(super::inserts::STATEMENT_ARGS_MAX) {
        let known = existing(&mut conn, "items", "sku", chunk.iter().copied()).await?;
        unknown.extend(
            chunk
                .iter()
                .filter(|s| !known.contains(**s))
                .map(|s| s.to_string()),
        );
    }
    Ok(unknown)
}

impl Tx {
    /// A sync's report so far, locked until the transaction ends.
    pub async fn lock_sync_report(&mut self, sync_id: &str) -> StoreResult<Option<SyncReport>> {
        let mut sql = Sql::new("SELECT report FROM inventory_syncs WHERE id = ");
        sql.arg(sync_id).push(self.lock());
        match self.write.first(sql).await? {
            Some(row) => Ok(Some(report_from_json(&row.text_at(0)?)?)),
            None => Ok(None),
        }
    }

    pub async fn save_sync_report(&mut self, report: &SyncReport) -> StoreResult<()> {
        self.write
            .run(Sql::with(
                "UPDATE inventory_syncs SET report = $1 WHERE id = $2",
                [
                    Arg::from(report_json(report).to_string()),
                    Arg::from(report.sync_id.as_str()),
                ],
            ))
            .await?;
        Ok(())
    }

    /// The items a location has units of.
    pub async fn stocked_items_at(&mut self, location: &LocationCode) -> StoreResult<Vec<Sku>> {
        let rows = self
            .write
            .rows(Sql::with(
                "SELECT sku FROM inventory_positions WHERE location = $1 AND on_hand > 0 ORDER BY sku",
                [Arg::from(location.as_str())],
            ))
            .await?;
        rows.iter().map(|r| rows::sku(r, "sku")).collect()
    }

    /// The reservations holding units at one position.
    pub async fn held_reservations_at(
        &mut self,
        location: &LocationCode,
        sku: &Sku,
    ) -> StoreResult<Vec<Reservation>> {
        let rows = self.write.rows(Sql::with(&format!(
            "SELECT {RESERVATION_COLUMNS} FROM reservations WHERE sku = $1 AND location = $2 AND status = 'held'"
        ), [Arg::from(sku.as_str()), Arg::from(location.as_str())])).await?;
        rows.iter().map(rows::reservation).collect()
    }

    /// A transfer line carries `units` fewer.
    pub async fn shrink_transfer_line(
        &mut self,
        transfer_id: &str,
        line_no: u32,
        units: i64,
    ) -> StoreResult<()> {
        let mut sql = Sql::new("UPDATE transfer_lines SET quantity = quantity - ");
        sql.arg(units)
            .push(" WHERE transfer_id = ")
            .arg(transfer_id)
            .push(" AND line_no = ")
            .arg(line_no);
        self.write.run(sql).await?;
        Ok(())
    }
}

fn report_json(r: &SyncReport) -> Value {
    let rejected: Vec<Value> = r
        .rejected
        .iter()
        .map(|x| json!({ "row": x.row, "sku": x.sku, "location": x.location, "reason": x.reason }))
        .collect();
    let shortfalls: Vec<Value> = r
        .shortfalls
        .iter()
        .map(|s| {
            let given: Vec<Value> = s
                .given_back
                .iter()
                .map(|g| json!({ "reservation_id": g.reservation_id, "owner": g.owner.as_str(), "owner_id": g.owner_id, "line": g.line_no, "units": g.units }))
                .collect();
            json!({ "row": s.row, "sku": s.sku, "location": s.location, "sellable": s.sellable, "reserved_before": s.reserved_before, "given_back": given })
        })
        .collect();
    json!({
        "sync_id": r.sync_id, "mode": r.mode.as_str(), "completed": r.completed, "rows_received": r.rows_received,
        "rows_applied": r.rows_applied, "positions_changed": r.positions_changed, "positions_zeroed": r.positions_zeroed,
        "rejected": rejected, "shortfalls": shortfalls, "batches_done": r.batches_done,
    })
}

fn report_from_json(raw: &str) -> StoreResult<SyncReport> {
    let v: Value = corrupt(
        "sync report",
        serde_json::from_str(raw).map_err(|e| e.to_string()),
    )?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let count = |v: &Value| v.as_u64().unwrap_or(0) as usize;
    Ok(SyncReport {
        sync_id: text(&v["sync_id"]),
        mode: corrupt(
            "sync mode",
            SyncMode::parse(v["mode"].as_str().unwrap_or_default()),
        )?,
        completed: v["completed"].as_bool().unwrap_or(false),
        rows_received: count(&v["rows_received"]),
        rows_applied: count(&v["rows_applied"]),
        positions_changed: count(&v["positions_changed"]),
        positions_zeroed: count(&v["positions_zeroed"]),
        dry_run: false,
        rejected: v["rejected"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| RejectedRow {
                row: count(&x["row"]),
                sku: text(&x["sku"]),
                location: text(&x["location"]),
                reason: text(&x["reason"]),
            })
            .collect(),
        shortfalls: v["shortfalls"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| Shortfall {
                row: s["row"].as_u64().map(|r| r as usize),
                sku: text(&s["sku"]),
                location: text(&s["location"]),
                sellable: s["sellable"].as_i64().unwrap_or(0),
                reserved_before: s["reserved_before"].as_i64().unwrap_or(0),
                given_back: s["given_back"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|g| GivenBack {
                        reservation_id: text(&g["reservation_id"]),
                        owner: ReservationOwner::parse(g["owner"].as_str().unwrap_or_default())
                            .unwrap_or(ReservationOwner::Order),
                        owner_id: text(&g["owner_id"]),
                        line_no: g["line"].as_u64().unwrap_or(0) as u32,
                        units: g["units"].as_i64().unwrap_or(0),
                    })
                    .collect(),
            })
            .collect(),
        batches_done: count(&v["batches_done"]),
    })
}
