//! Reference data: settings, locations, items, channels and API keys.

use crate::sql::exec::{Exec, Row};

use ordo_domain::auth::ApiKey;
use ordo_domain::channel::{Channel, StockRules};
use ordo_domain::item::Item;
use ordo_domain::location::Location;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

use super::SqlStore;
use super::args::{Arg, Sql};
use super::inserts::inserts;
use super::rows::{self, ITEM_COLUMNS, LOCATION_COLUMNS};
use crate::error::{StoreError, StoreResult};
use crate::types::{Page, PageRequest};

/// Fetches one page ordered by a unique text column, ascending; `sql` holds the query up to
/// its conditions.
pub(crate) async fn page_by<T>(
    store: &SqlStore,
    mut sql: Sql,
    key_column: &str,
    page: &PageRequest,
    decode: fn(&Row) -> StoreResult<T>,
    cursor_of: fn(&T) -> String,
) -> StoreResult<Page<T>> {
    if let Some(cursor) = &page.cursor {
        sql.and_where()
            .push(key_column)
            .push(" > ")
            .arg(cursor.as_str());
    }
    sql.push(" ORDER BY ")
        .push(key_column)
        .push(" LIMIT ")
        .arg(page.limit() + 1);
    let rows = store.reader().await?.rows(sql).await?;
    let mut items = rows.iter().map(decode).collect::<StoreResult<Vec<T>>>()?;
    Ok(finish_page(&mut items, page, cursor_of))
}

/// Trims the one extra row fetched to learn whether another page follows.
pub(crate) fn finish_page<T>(
    items: &mut Vec<T>,
    page: &PageRequest,
    cursor_of: fn(&T) -> String,
) -> Page<T> {
    let limit = page.limit() as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(cursor_of)
    } else {
        None
    };
    Page {
        items: std::mem::take(items),
        next_cursor,
    }
}

fn already_exists(what: String) -> impl FnOnce(StoreError) -> StoreError {
    move |e| {
        if e.is_unique_violation() {
            StoreError::AlreadyExists(what)
        } else {
            e
        }
    }
}

pub(crate) async fn setting(store: &SqlStore, key: &str) -> StoreResult<Option<String>> {
    let row = store
        .reader()
        .await?
        .first(Sql::with(
            "SELECT value FROM settings WHERE key = $1",
            [Arg::from(key)],
        ))
        .await?;
    row.map(|r| r.text_at(0)).transpose()
}

pub(crate) async fn put_setting(store: &SqlStore, key: &str, value: &str) -> StoreResult<()> {
    store.write_one(Sql::with("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [Arg::from(key), Arg::from(value)])).await?;
    Ok(())
}

pub(crate) fn location_row(l: &Location) -> Vec<Arg> {
    let a = &l.address;
    vec![
        l.code.as_str().into(),
        l.name.as_str().into(),
        l.kind.as_str().into(),
        a.country.as_str().into(),
        a.region.clone().into(),
        a.city.as_str().into(),
        a.postal_code.as_str().into(),
        a.point.map(|p| p.lat).into(),
        a.point.map(|p| p.lon).into(),
        l.capabilities.ship.into(),
        l.capabilities.pickup.into(),
        l.daily_order_capacity.into(),
        l.cutoff_local_time.map(|t| t.to_hhmm()).into(),
        l.time_zone.as_str().into(),
        l.receiving_lead_time_days.into(),
        l.release_waves.names().join(",").into(),
        l.active.into(),
        l.created_at_ms.into(),
        l.updated_at_ms.into(),
        a.line1.clone().into(),
        a.line2.clone().into(),
    ]
}

fn columns(list: &'static str) -> Vec<&'static str> {
    list.split(',').map(str::trim).collect()
}

pub(crate) fn location_inserts(locations: &[Location]) -> Vec<Sql> {
    inserts(
        "locations",
        &columns(LOCATION_COLUMNS),
        locations.iter().map(location_row).collect(),
    )
}

pub(crate) async fn insert_location(store: &SqlStore, location: &Location) -> StoreResult<()> {
    for sql in location_inserts(std::slice::from_ref(location)) {
        store
            .write_one(sql)
            .await
            .map_err(already_exists(format!("location {}", location.code)))?;
    }
    Ok(())
}

/// Rewrites every column but the key and the creation time.
async fn update_row(
    store: &SqlStore,
    table: &str,
    key: &str,
    columns_list: &'static str,
    row: Vec<Arg>,
    what: String,
) -> StoreResult<()> {
    let names = columns(columns_list);
    let mut sql = Sql::new(&format!("UPDATE {table} SET "));
    let mut key_value = None;
    let mut first = true;
    for (name, value) in names.iter().zip(row) {
        if *name == key {
            key_value = Some(value);
        } else if *name != "created_at" {
            if !first {
                sql.push(", ");
            }
            first = false;
            sql.push(name).push(" = ").arg(value);
        }
    }
    sql.push(" WHERE ")
        .push(key)
        .push(" = ")
        .arg(key_value.unwrap_or(Arg::Text(None)));
    let done = store.write_one(sql).await?;
    if done == 0 {
        return Err(StoreError::NotFound(what));
    }
    Ok(())
}

pub(crate) async fn update_location(store: &SqlStore, location: &Location) -> StoreResult<()> {
    let what = format!("location {}", location.code);
    update_row(
        store,
        "locations",
        "code",
        LOCATION_COLUMNS,
        location_row(location),
        what,
    )
    .await
}

pub(crate) async fn location(
    store: &SqlStore,
    code: &LocationCode,
) -> StoreResult<Option<Location>> {
    let sql = format!("SELECT {LOCATION_COLUMNS} FROM locations WHERE code = $1");
    let row = store
        .reader()
        .await?
        .first(Sql::with(&sql, [Arg::from(code.as_str())]))
        .await?;
    row.as_ref().map(rows::location).transpose()
}

pub(crate) async fn locations(store: &SqlStore, page: &PageRequest) -> StoreResult<Page<Location>> {
    let sql = Sql::new(&format!("SELECT {LOCATION_COLUMNS} FROM locations"));
    page_by(store, sql, "code", page, rows::location, |l| {
        l.code.to_string()
    })
    .await
}

pub(crate) fn item_row(i: &Item) -> Vec<Arg> {
    vec![
        i.sku.as_str().into(),
        i.name.as_str().into(),
        i.weight_g.into(),
        i.length_mm.into(),
        i.width_mm.into(),
        i.height_mm.into(),
        i.allow_backorder.into(),
        i.preorder.map(|p| p.release_date.to_string()).into(),
        i.preorder.map(|p| p.cap).into(),
        i.active.into(),
        i.created_at_ms.into(),
        i.updated_at_ms.into(),
    ]
}

pub(crate) fn item_inserts(items: &[Item]) -> Vec<Sql> {
    inserts(
        "items",
        &columns(ITEM_COLUMNS),
        items.iter().map(item_row).collect(),
    )
}

pub(crate) async fn insert_item(store: &SqlStore, item: &Item) -> StoreResult<()> {
    for sql in item_inserts(std::slice::from_ref(item)) {
        store
            .write_one(sql)
            .await
            .map_err(already_exists(format!("item {}", item.sku)))?;
    }
    Ok(())
}

pub(crate) async fn update_item(store: &SqlStore, item: &Item) -> StoreResult<()> {
    update_row(
        store,
        "items",
        "sku",
        ITEM_COLUMNS,
        item_row(item),
        format!("item {}", item.sku),
    )
    .await
}

pub(crate) async fn item(store: &SqlStore, sku: &Sku) -> StoreResult<Option<Item>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE sku = $1");
    let row = store
        .reader()
        .await?
        .first(Sql::with(&sql, [Arg::from(sku.as_str())]))
        .await?;
    row.as_ref().map(rows::item).transpose()
}

pub(crate) async fn items(store: &SqlStore, page: &PageRequest) -> StoreResult<Page<Item>> {
    let sql = Sql::new(&format!("SELECT {ITEM_COLUMNS} FROM items"));
    page_by(store, sql, "sku", page, rows::item, |i| i.sku.to_string()).await
}

const CHANNEL_COLUMNS: &str = "code, name, kind, active, created_at";

pub(crate) fn channel_inserts(channels: &[Channel]) -> Vec<Sql> {
    let rows = channels
        .iter()
        .map(|c| {
            vec![
                c.code.as_str().into(),
                c.name.as_str().into(),
                c.kind.as_str().into(),
                c.active.into(),
                c.created_at_ms.into(),
            ]
        })
        .collect();
    inserts("channels", &columns(CHANNEL_COLUMNS), rows)
}

pub(crate) async fn insert_channel(store: &SqlStore, channel: &Channel) -> StoreResult<()> {
    for sql in channel_inserts(std::slice::from_ref(channel)) {
        store
            .write_one(sql)
            .await
            .map_err(already_exists(format!("channel {}", channel.code)))?;
    }
    Ok(())
}

pub(crate) async fn channel(store: &SqlStore, code: &ChannelCode) -> StoreResult<Option<Channel>> {
    let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE code = $1");
    let row = store
        .reader()
        .await?
        .first(Sql::with(&sql, [Arg::from(code.as_str())]))
        .await?;
    row.as_ref().map(rows::channel).transpose()
}

pub(crate) async fn channels(store: &SqlStore, page: &PageRequest) -> StoreResult<Page<Channel>> {
    let sql = Sql::new(&format!("SELECT {CHANNEL_COLUMNS} FROM channels"));
    page_by(store, sql, "code", page, rows::channel, |c| {
        c.code.to_string()
    })
    .await
}

const API_KEY_COLUMNS: &str = "id, prefix, role, channel, location, name, created_at, revoked_at";

pub(crate) async fn insert_api_key(
    store: &SqlStore,
    key: &ApiKey,
    secret_hash: &str,
) -> StoreResult<()> {
    store.write_one(Sql::with("INSERT INTO api_keys (id, key_hash, prefix, role, channel, location, created_at, revoked_at, name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", [Arg::from(key.id.as_str()), Arg::from(secret_hash), Arg::from(key.prefix.as_str()), Arg::from(key.role.as_str()), Arg::from(key.channel.as_ref().map(|c| c.to_string())), Arg::from(key.location.as_ref().map(|l| l.to_string())), Arg::from(key.created_at_ms), Arg::from(key.revoked_at_ms), Arg::from(key.name.clone())])).await
        .map_err(already_exists(format!("API key {}", key.id)))?;
    Ok(())
}

pub(crate) async fn api_key_by_hash(
    store: &SqlStore,
    secret_hash: &str,
) -> StoreResult<Option<ApiKey>> {
    let sql = format!(
        "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
    );
    let row = store
        .reader()
        .await?
        .first(Sql::with(&sql, [Arg::from(secret_hash)]))
        .await?;
    row.as_ref().map(rows::api_key).transpose()
}

pub(crate) async fn api_keys(store: &SqlStore, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
    let sql = Sql::new(&format!("SELECT {API_KEY_COLUMNS} FROM api_keys"));
    page_by(store, sql, "id", page, rows::api_key, |k| k.id.clone()).await
}

pub(crate) async fn revoke_api_key(store: &SqlStore, id: &str, now_ms: i64) -> StoreResult<bool> {
    let done = store
        .write_one(Sql::with(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            [Arg::from(now_ms), Arg::from(id)],
        ))
        .await?;
    Ok(done == 1)
}

pub(crate) async fn count_api_keys(store: &SqlStore) -> StoreResult<i64> {
    let row = store
        .reader()
        .await?
        .one(Sql::new("SELECT COUNT(*) FROM api_keys"))
        .await?;
    row.int_at(0)
}

pub(crate) async fn stock_rules(
    store: &SqlStore,
    code: &ChannelCode,
) -> StoreResult<Option<StockRules>> {
    let row = store
        .reader()
        .await?
        .first(Sql::with(
            "SELECT stock_rules FROM channels WHERE code = $1",
            [Arg::from(code.as_str())],
        ))
        .await?;
    row.map(|r| {
        let raw: String = r.text_at(0)?;
        crate::error::corrupt("stock_rules", super::load::parse_rules(&raw))
    })
    .transpose()
}

pub(crate) async fn put_stock_rules(
    store: &SqlStore,
    code: &ChannelCode,
    rules: &StockRules,
) -> StoreResult<bool> {
    let done = store
        .write_one(Sql::with(
            "UPDATE channels SET stock_rules = $1 WHERE code = $2",
            [
                Arg::from(super::load::rules_json(rules)),
                Arg::from(code.as_str()),
            ],
        ))
        .await?;
    Ok(done == 1)
}
