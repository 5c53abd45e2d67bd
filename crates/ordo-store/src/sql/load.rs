//! Loading what decisions need besides stock: locations, item facts, channel rules, incoming
//! supply and waiting demand, alert thresholds, the backorder policy.

use crate::sql::args::Arg;
use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use ordo_domain::alerts::Threshold;
use ordo_domain::channel::{HoldLimits, ItemRule, StockRules};
use ordo_domain::location::Location;
use ordo_domain::order::{
    BackorderPolicy, Incoming, IncomingLine, IncomingSupply, ItemFacts, PreorderFacts,
};
use ordo_domain::promise::parse_date;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

use super::args::Sql;
use super::rows::{self, LOCATION_COLUMNS, RowExt};
use crate::error::{StoreResult, corrupt};

/// The setting that names the backorder policy.
pub(crate) const BACKORDER_POLICY_SETTING: &str = "backorders.policy";

pub(crate) async fn locations(conn: &mut dyn Exec) -> StoreResult<Vec<Location>> {
    let sql = Sql::new(&format!(
        "SELECT {LOCATION_COLUMNS} FROM locations ORDER BY code"
    ));
    let rows = conn.rows(sql).await?;
    rows.iter().map(rows::location).collect()
}

/// Facts about these items, with the units already taken by open preorders.
pub(crate) async fn item_facts(
    conn: &mut dyn Exec,
    skus: &BTreeSet<&Sku>,
) -> StoreResult<HashMap<Sku, ItemFacts>> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(
        "SELECT sku, active, weight_g, allow_backorder, preorder_release_date, preorder_cap FROM items WHERE sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str())).push(")");
    let mut facts = HashMap::new();
    for row in conn.rows(sql).await? {
        let preorder = match (
            row.opt_text("preorder_release_date")?,
            row.opt_int("preorder_cap")?,
        ) {
            (Some(date), Some(cap)) => Some(PreorderFacts {
                release_date: corrupt("preorder_release_date", parse_date(&date))?,
                cap,
                taken: 0,
            }),
            _ => None,
        };
        let item = ItemFacts {
            active: row.flag("active")?,
            weight_g: row.opt_int("weight_g")?,
            allow_backorder: row.flag("allow_backorder")?,
            preorder,
        };
        facts.insert(rows::sku(&row, "sku")?, item);
    }
    let preordering: Vec<&str> = facts
        .iter()
        .filter(|(_, f)| f.preorder.is_some())
        .map(|(s, _)| s.as_str())
        .collect();
    if !preordering.is_empty() {
        let mut sql = Sql::new(
            "SELECT sku, CAST(SUM(qty_ordered - qty_cancelled) AS BIGINT) AS taken FROM order_lines WHERE preorder = 1 AND sku IN (",
        );
        sql.list(preordering).push(") GROUP BY sku");
        for row in conn.rows(sql).await? {
            let sku = rows::sku(&row, "sku")?;
            if let Some(p) = facts.get_mut(&sku).and_then(|f| f.preorder.as_mut()) {
                p.taken = row.int("taken")?;
            }
        }
    }
    Ok(facts)
}

/// Channel stock rules as stored: JSON with buffer_percent, excluded_locations and items.
pub(crate) fn parse_rules(raw: &str) -> Result<StockRules, String> {
    let value: Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    let buffer_percent = value["buffer_percent"].as_u64().unwrap_or(0).min(100) as u8;
    let excluded_locations = value["excluded_locations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| LocationCode::parse(l.as_str().unwrap_or("")))
        .collect::<Result<Vec<_>, _>>()?;
    let items = value["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            Ok(ItemRule {
                sku: Sku::parse(r["sku"].as_str().unwrap_or(""))?,
                buffer_units: r["buffer_units"].as_i64().unwrap_or(0),
                allow_backorder: r["allow_backorder"].as_bool(),
                allow_preorder: r["allow_preorder"].as_bool(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let defaults = HoldLimits::default();
    let holds = &value["holds"];
    let holds = HoldLimits {
        units_max: holds["units_max"].as_i64().unwrap_or(defaults.units_max),
        share_percent_max: holds["share_percent_max"]
            .as_u64()
            .map_or(defaults.share_percent_max, |p| p.min(100) as u8),
        ttl_s_max: holds["ttl_s_max"].as_i64().unwrap_or(defaults.ttl_s_max),
    };
    Ok(StockRules {
        buffer_percent,
        excluded_locations,
        items,
        holds,
    })
}

pub(crate) fn rules_json(rules: &StockRules) -> String {
    let items: Vec<Value> = rules
        .items
        .iter()
        .map(|r| {
            json!({ "sku": r.sku.as_str(), "buffer_units": r.buffer_units, "allow_backorder": r.allow_backorder, "allow_preorder": r.allow_preorder })
        })
        .collect();
    let excluded: Vec<&str> = rules
        .excluded_locations
        .iter()
        .map(|l| l.as_str())
        .collect();
    let holds = json!({
        "units_max": rules.holds.units_max,
        "share_percent_max": rules.holds.share_percent_max,
        "ttl_s_max": rules.holds.ttl_s_max,
    });
    json!({ "buffer_percent": rules.buffer_percent, "excluded_locations": excluded, "items": items, "holds": holds }).to_string()
}

/// Every active channel, with its stock rules.
pub(crate) async fn channel_rules(
    conn: &mut dyn Exec,
) -> StoreResult<HashMap<ChannelCode, StockRules>> {
    let sql = Sql::new("SELECT code, stock_rules FROM channels WHERE active = 1");
    let mut rules = HashMap::new();
    for row in conn.rows(sql).await? {
        let code = corrupt("code", ChannelCode::parse(&row.text("code")?))?;
        rules.insert(
            code,
            corrupt("stock_rules", parse_rules(&row.text("stock_rules")?))?,
        );
    }
    Ok(rules)
}

/// Incoming supply of these items — open inbound lines and transfers in transit — and the
/// units already waiting for it.
pub(crate) async fn incoming(
    conn: &mut dyn Exec,
    skus: &BTreeSet<&Sku>,
) -> StoreResult<IncomingSupply> {
    let mut supply = IncomingSupply::default();
    if skus.is_empty() {
        return Ok(supply);
    }
    let mut sql = Sql::new(
        "SELECT i.location, i.expected_date, l.sku, l.quantity - l.received AS outstanding FROM inbound i \
         JOIN inbound_lines l ON l.inbound_id = i.id \
         WHERE i.status IN ('open', 'partially_received') AND l.quantity > l.received AND l.sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str())).push(")");
    for row in conn.rows(sql).await? {
        let from = Incoming::Inbound {
            location: rows::location_code(&row, "location")?,
            expected: corrupt("expected_date", parse_date(&row.text("expected_date")?))?,
        };
        let (sku, units) = (rows::sku(&row, "sku")?, row.int("outstanding")?);
        supply.lines.push(IncomingLine { sku, from, units });
    }
    let mut sql = Sql::new(
        "SELECT t.from_location, t.to_location, t.shipped_at, l.sku, l.shipped - l.received AS open_units FROM transfers t \
         JOIN transfer_lines l ON l.transfer_id = t.id \
         WHERE t.status IN ('in_transit', 'partially_received') AND l.shipped > l.received AND l.sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str())).push(")");
    for row in conn.rows(sql).await? {
        let from = Incoming::Transfer {
            from: rows::location_code(&row, "from_location")?,
            to: rows::location_code(&row, "to_location")?,
            shipped_at_ms: row.opt_int("shipped_at")?.unwrap_or(0),
        };
        let (sku, units) = (rows::sku(&row, "sku")?, row.int("open_units")?);
        supply.lines.push(IncomingLine { sku, from, units });
    }
    let mut sql = Sql::new(
        "SELECT sku, CAST(SUM(qty_backordered) AS BIGINT) AS waiting FROM order_lines WHERE qty_backordered > 0 AND sku IN (",
    );
    sql.list(skus.iter().map(|s| s.as_str()))
        .push(") GROUP BY sku");
    for row in conn.rows(sql).await? {
        supply
            .waiting
            .insert(rows::sku(&row, "sku")?, row.int("waiting")?);
    }
    Ok(supply)
}

/// Thresholds that may cover these items: their own and the catch-all ones.
pub(crate) async fn thresholds(
    conn: &mut dyn Exec,
    skus: &BTreeSet<&Sku>,
) -> StoreResult<Vec<Threshold>> {
    let mut sql = Sql::new(
        "SELECT sku, location, low_units, out_units FROM stock_thresholds WHERE sku = '*'",
    );
    if !skus.is_empty() {
        sql.push(" OR sku IN (")
            .list(skus.iter().map(|s| s.as_str()))
            .push(")");
    }
    let rows = conn.rows(sql).await?;
    rows.iter().map(threshold).collect()
}

pub(crate) fn threshold(row: &crate::sql::exec::Row) -> StoreResult<Threshold> {
    let (sku, location) = (row.text("sku")?, row.text("location")?);
    Ok(Threshold {
        sku: if sku == "*" {
            None
        } else {
            Some(corrupt("sku", Sku::parse(&sku))?)
        },
        location: if location == "*" {
            None
        } else {
            Some(corrupt("location", LocationCode::parse(&location))?)
        },
        low_units: row.int("low_units")?,
        out_units: row.int("out_units")?,
    })
}

pub(crate) async fn backorder_policy(conn: &mut dyn Exec) -> StoreResult<BackorderPolicy> {
    let row = conn
        .first(Sql::with(
            "SELECT value FROM settings WHERE key = $1",
            [Arg::from(BACKORDER_POLICY_SETTING)],
        ))
        .await?;
    match row {
        Some(row) => corrupt(
            "backorder policy",
            BackorderPolicy::parse(&row.text("value")?),
        ),
        None => Ok(BackorderPolicy::default()),
    }
}
