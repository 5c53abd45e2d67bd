//! The backorder queue: order lines waiting for stock, in the order the policy serves them.

use crate::sql::exec::Exec;
use ordo_domain::order::BackorderPolicy;

use super::SqlStore;
use super::args::Sql;
use super::load::BACKORDER_POLICY_SETTING;
use super::rows::{self, RowExt, optional_date};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::types::*;

pub(crate) async fn waiting(
    store: &SqlStore,
    filter: &BackorderFilter,
    page: &PageRequest,
) -> StoreResult<Page<WaitingLine>> {
    let mut conn = store.reader().await?;
    let policy = super::load::backorder_policy(&mut conn).await?;
    // The queue is ordered by the policy, not by a unique key, so its cursor is an offset.
    let offset: i64 = match &page.cursor {
        Some(c) => c
            .parse()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| StoreError::InvalidCursor(c.clone()))?,
        None => 0,
    };
    let mut sql = Sql::new(
        "SELECT o.id, o.number, o.channel, o.priority, o.created_at, o.promised_date, l.line_no, l.sku, \
         l.qty_backordered, l.preorder, l.expected_date FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE l.qty_backordered > 0 AND o.status NOT IN ('cancelled', 'on_hold')",
    );
    if let Some(sku) = &filter.sku {
        sql.push(" AND l.sku = ").arg(sku.as_str());
    }
    if let Some(channel) = &filter.channel {
        sql.push(" AND o.channel = ").arg(channel.as_str());
    }
    sql.push(match policy {
        BackorderPolicy::OldestFirst => " ORDER BY o.created_at, o.id, l.line_no",
        BackorderPolicy::Priority => " ORDER BY o.priority DESC, o.created_at, o.id, l.line_no",
        BackorderPolicy::PromiseDate => {
            " ORDER BY CASE WHEN o.promised_date IS NULL THEN 1 ELSE 0 END, o.promised_date, o.created_at, o.id, l.line_no"
        }
    });
    sql.push(" LIMIT ")
        .arg(page.limit() + 1)
        .push(" OFFSET ")
        .arg(offset);
    let rows = conn.rows(sql).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(WaitingLine {
            order_id: row.text("id")?,
            order_number: row.text("number")?,
            channel: corrupt(
                "channel",
                ordo_domain::values::ChannelCode::parse(&row.text("channel")?),
            )?,
            priority: row.int("priority")?,
            order_created_at_ms: row.int("created_at")?,
            promised_date: optional_date(row, "promised_date")?,
            line_no: corrupt(
                "line_no",
                u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
            )?,
            sku: rows::sku(row, "sku")?,
            waiting: row.int("qty_backordered")?,
            preorder: row.flag("preorder")?,
            expected_date: optional_date(row, "expected_date")?,
        });
    }
    let limit = page.limit() as usize;
    let next_cursor = (items.len() > limit).then(|| (offset + page.limit()).to_string());
    items.truncate(limit);
    Ok(Page { items, next_cursor })
}

pub(crate) async fn policy(store: &SqlStore) -> StoreResult<BackorderPolicy> {
    let mut conn = store.reader().await?;
    super::load::backorder_policy(&mut conn).await
}

pub(crate) async fn set_policy(store: &SqlStore, policy: BackorderPolicy) -> StoreResult<()> {
    super::catalog::put_setting(store, BACKORDER_POLICY_SETTING, policy.as_str()).await
}
