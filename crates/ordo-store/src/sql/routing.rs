//! Routing profiles — one per channel, versioned: a draft, then active, earlier ones retired —
//! the routers a transaction routes with, and the network as routing sees it. The decisions
//! it stores are in `decisions.rs`, each location's orders per day in `location_loads.rs`.

use crate::sql::exec::Exec;
use std::collections::HashMap;
use std::sync::Arc;

use ordo_domain::field::FieldErrors;
use ordo_domain::routing::{ProfileLabel, ProfileRouter, Router, RoutingProfile};
use ordo_domain::values::ChannelCode;

use super::SqlStore;
use super::args::{Arg, Sql};
use super::router_cache::RouterCache;
use super::rows::{self, RowExt};
use super::write::existing;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::routing::*;

/// The channel column's value for the default profile.
const DEFAULT_CHANNEL: &str = "*";

/// The routers one transaction routes with: a custom router if the app set one, else each
/// channel's active profile, else the default profile, else the built-in default.
pub struct Routers<'a> {
    custom: Option<&'a dyn Router>,
    by_channel: HashMap<String, Arc<ProfileRouter>>,
    default: Arc<ProfileRouter>,
}

impl Routers<'_> {
    /// The settings in force for a channel (the default profile's under a custom router).
    pub fn profile_for(&self, channel: Option<&ChannelCode>) -> Arc<RoutingProfile> {
        channel
            .and_then(|c| self.by_channel.get(c.as_str()))
            .unwrap_or(&self.default)
            .profile
            .clone()
    }

    /// The channel's profile router (the default profile's when it has none), whose costs
    /// and shipping prices its plans are costed with, even under a custom router.
    pub fn profile_router(&self, channel: Option<&ChannelCode>) -> &ProfileRouter {
        channel
            .and_then(|c| self.by_channel.get(c.as_str()))
            .unwrap_or(&self.default)
    }

    pub fn for_channel(&self, channel: Option<&ChannelCode>) -> &dyn Router {
        if let Some(custom) = self.custom {
            return custom;
        }
        channel
            .and_then(|c| self.by_channel.get(c.as_str()))
            .unwrap_or(&self.default)
            .as_ref()
    }
}

/// Loads the active profiles of these channels and the default one.
pub(crate) async fn routers<'a, 'c>(
    conn: &mut dyn Exec,
    cache: &RouterCache,
    channels: impl IntoIterator<Item = &'c str>,
    custom: Option<&'a dyn Router>,
) -> StoreResult<Routers<'a>> {
    let mut routers = Routers {
        custom,
        by_channel: HashMap::new(),
        default: Arc::new(ProfileRouter::default()),
    };
    if custom.is_some() {
        return Ok(routers);
    }
    // Configured carriers price shipping for every profile; without them, each profile's
    // own rate table does.
    let mut pricing = super::shipping::Pricing::read(conn).await?;
    let (carriers_n, carriers_at) = pricing.stamp;
    if carriers_n > 0 {
        let key = (String::new(), 0, carriers_n, carriers_at);
        let cached = cache.lock().ok().and_then(|c| c.get(&key).cloned());
        routers.default = match cached {
            Some(router) => router,
            None => {
                let router = Arc::new(pricing.price(ProfileRouter::default(), conn).await?);
                if let Ok(mut cache) = cache.lock() {
                    cache.insert(key, router.clone());
                }
                router
            }
        };
    }
    let mut sql = Sql::new(
        "SELECT p.id, p.name, p.channel, v.version, v.settings FROM routing_profiles p \
         JOIN routing_profile_versions v ON v.profile_id = p.id AND v.status = 'active' \
         WHERE p.channel IN (",
    );
    sql.arg(DEFAULT_CHANNEL);
    for channel in channels {
        sql.push(", ").arg(channel);
    }
    sql.push(")");
    for row in conn.rows(sql).await? {
        let key = (
            row.text("id")?,
            row.int("version")?,
            carriers_n,
            carriers_at,
        );
        let cached = cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let router = match cached {
            Some(router) => router,
            None => {
                let settings = parse_settings(&row.text("settings")?)?;
                let label = ProfileLabel {
                    id: key.0.clone(),
                    name: row.text("name")?,
                    version: key.1 as u32,
                };
                let router = Arc::new(
                    pricing
                        .price(ProfileRouter::new(settings).labelled(label), conn)
                        .await?,
                );
                if let Ok(mut cache) = cache.lock() {
                    cache.insert(key, router.clone());
                }
                router
            }
        };
        match row.text("channel")?.as_str() {
            DEFAULT_CHANNEL => routers.default = router,
            channel => {
                routers.by_channel.insert(channel.to_string(), router);
            }
        }
    }
    Ok(routers)
}

fn parse_settings(raw: &str) -> StoreResult<RoutingProfile> {
    let value: serde_json::Value = serde_json::from_str(raw)
        .map_err(|e| StoreError::Corrupt(format!("routing profile settings: {e}")))?;
    RoutingProfile::from_json(&value)
        .map_err(|e| StoreError::Corrupt(format!("routing profile settings: {e}")))
}

/// The network as routing sees it now: every location, each item's weight, and the sellable
/// units of every position (on hand less damaged and quality hold, nothing reserved).
pub(crate) async fn network(store: &SqlStore) -> StoreResult<RoutingNetwork> {
    let mut conn = store.reader().await?;
    let locations = super::load::locations(&mut conn).await?;
    let mut weights = HashMap::new();
    for row in conn
        .rows(Sql::new(
            "SELECT sku, weight_g FROM items WHERE weight_g IS NOT NULL",
        ))
        .await?
    {
        weights.insert(rows::sku(&row, "sku")?, row.int("weight_g")?);
    }
    let rows = conn.rows(Sql::new("SELECT location, sku, on_hand - damaged - quality_hold AS sellable FROM inventory_positions \
         WHERE on_hand - damaged - quality_hold > 0 ORDER BY location, sku")).await?;
    let stock = rows
        .iter()
        .map(|r| {
            Ok(ordo_domain::inventory::Position {
                on_hand: r.int("sellable")?,
                ..ordo_domain::inventory::Position::empty(
                    rows::location_code(r, "location")?,
                    rows::sku(r, "sku")?,
                )
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(RoutingNetwork {
        locations,
        weights,
        stock,
    })
}

// ---- profiles ---------------------------------------------------------------------------

pub(crate) async fn create_profile(
    store: &SqlStore,
    new: &NewProfile,
) -> StoreResult<Result<ProfileRecord, ProfileRefusal>> {
    let mut tx = store.begin().await?;
    let channel = new.channel.as_ref().map_or(DEFAULT_CHANNEL, |c| c.as_str());
    if let Some(code) = &new.channel
        && existing(&mut tx, "channels", "code", [code.as_str()])
            .await?
            .is_empty()
    {
        let errors = FieldErrors::single("channel", format!("no channel has code {code}"));
        return Ok(Err(ProfileRefusal::Invalid(errors)));
    }
    let taken = tx
        .first(Sql::with(
            "SELECT id FROM routing_profiles WHERE channel = $1",
            [Arg::from(channel)],
        ))
        .await?;
    if let Some(row) = taken {
        let which = new
            .channel
            .as_ref()
            .map_or("the default".into(), |c| format!("channel {c}"));
        let errors = FieldErrors::single(
            "channel",
            format!(
                "{which} already has profile {}; change its draft instead",
                row.text("id")?
            ),
        );
        return Ok(Err(ProfileRefusal::Conflict(errors)));
    }
    tx.run(Sql::with("INSERT INTO routing_profiles (id, name, channel, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)", [Arg::from(new.id.as_str()), Arg::from(new.name.as_str()), Arg::from(channel), Arg::from(new.now_ms)])).await?;
    insert_version(&mut tx, &new.id, 1, &new.settings, &new.actor, new.now_ms).await?;
    tx.commit().await?;
    Ok(Ok(profile(store, &new.id)
        .await?
        .ok_or_else(|| StoreError::NotFound(new.id.clone()))?))
}

async fn insert_version(
    conn: &mut dyn Exec,
    id: &str,
    version: i64,
    settings: &RoutingProfile,
    actor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    conn.run(Sql::with("INSERT INTO routing_profile_versions (profile_id, version, status, settings, created_at, created_by) \
         VALUES ($1, $2, 'draft', $3, $4, $5)",[Arg::from(id), Arg::from(version), Arg::from(settings.to_json().to_string()), Arg::from(now_ms), Arg::from(actor)])).await?;
    Ok(())
}

/// Sets the draft's settings (and the profile's name), making a draft if there is none.
pub(crate) async fn put_draft(
    store: &SqlStore,
    id: &str,
    name: Option<&str>,
    settings: &RoutingProfile,
    actor: &str,
    now_ms: i64,
) -> StoreResult<Option<ProfileRecord>> {
    let mut tx = store.begin().await?;
    let mut sql = Sql::new("SELECT id FROM routing_profiles WHERE id = ");
    sql.arg(id).push(store.backend.lock_rows());
    if tx.first(sql).await?.is_none() {
        return Ok(None);
    }
    let updated = tx
        .run(Sql::with(
            "UPDATE routing_profile_versions SET settings = $1, created_at = $2, created_by = $3 \
         WHERE profile_id = $4 AND status = 'draft'",
            [
                Arg::from(settings.to_json().to_string()),
                Arg::from(now_ms),
                Arg::from(actor),
                Arg::from(id),
            ],
        ))
        .await?;
    if updated == 0 {
        let row = tx.one(Sql::with("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS last FROM routing_profile_versions WHERE profile_id = $1",[Arg::from(id)])).await?;
        insert_version(&mut tx, id, row.int("last")? + 1, settings, actor, now_ms).await?;
    }
    let mut sql = Sql::new("UPDATE routing_profiles SET updated_at = ");
    sql.arg(now_ms);
    if let Some(name) = name {
        sql.push(", name = ").arg(name);
    }
    sql.push(" WHERE id = ").arg(id);
    tx.run(sql).await?;
    tx.commit().await?;
    profile(store, id).await
}

/// Makes the draft the active version, retiring the one it replaces; or, with `discard`,
/// throws the draft away.
pub(crate) async fn step_profile(
    store: &SqlStore,
    id: &str,
    discard: bool,
    now_ms: i64,
) -> StoreResult<Option<Result<ProfileRecord, ProfileRefusal>>> {
    let mut tx = store.begin().await?;
    let mut sql = Sql::new("SELECT id FROM routing_profiles WHERE id = ");
    sql.arg(id).push(store.backend.lock_rows());
    if tx.first(sql).await?.is_none() {
        return Ok(None);
    }
    let draft = tx.first(Sql::with("SELECT version FROM routing_profile_versions WHERE profile_id = $1 AND status = 'draft'",[Arg::from(id)])).await?;
    let Some(draft) = draft else {
        let errors = FieldErrors::single("status", "the profile has no draft; put one first");
        return Ok(Some(Err(ProfileRefusal::Conflict(errors))));
    };
    let version = draft.int("version")?;
    if discard {
        tx.run(Sql::with(
            "DELETE FROM routing_profile_versions WHERE profile_id = $1 AND version = $2",
            [Arg::from(id), Arg::from(version)],
        ))
        .await?;
    } else {
        tx.run(Sql::with("UPDATE routing_profile_versions SET status = 'retired' WHERE profile_id = $1 AND status = 'active'", [Arg::from(id)])).await?;
        tx.run(Sql::with("UPDATE routing_profile_versions SET status = 'active', activated_at = $1 WHERE profile_id = $2 AND version = $3", [Arg::from(now_ms), Arg::from(id), Arg::from(version)])).await?;
    }
    tx.run(Sql::with(
        "UPDATE routing_profiles SET updated_at = $1 WHERE id = $2",
        [Arg::from(now_ms), Arg::from(id)],
    ))
    .await?;
    tx.commit().await?;
    Ok(profile(store, id).await?.map(Ok))
}

pub(crate) async fn profile(store: &SqlStore, id: &str) -> StoreResult<Option<ProfileRecord>> {
    Ok(load_profiles(store, Some(id)).await?.pop())
}

pub(crate) async fn profiles(store: &SqlStore) -> StoreResult<Vec<ProfileRecord>> {
    load_profiles(store, None).await
}

async fn load_profiles(store: &SqlStore, id: Option<&str>) -> StoreResult<Vec<ProfileRecord>> {
    let mut conn = store.reader().await?;
    let mut sql =
        Sql::new("SELECT id, name, channel, created_at, updated_at FROM routing_profiles");
    if let Some(id) = id {
        sql.and_where().push("id = ").arg(id);
    }
    sql.push(" ORDER BY channel");
    let mut records = Vec::new();
    for row in conn.rows(sql).await? {
        let channel = row.text("channel")?;
        records.push(ProfileRecord {
            id: row.text("id")?,
            name: row.text("name")?,
            channel: match channel.as_str() {
                DEFAULT_CHANNEL => None,
                code => Some(corrupt("channel", ChannelCode::parse(code))?),
            },
            versions: Vec::new(),
            created_at_ms: row.int("created_at")?,
            updated_at_ms: row.int("updated_at")?,
        });
    }
    if records.is_empty() {
        return Ok(records);
    }
    let mut sql = Sql::new(
        "SELECT profile_id, version, status, settings, created_at, created_by, activated_at \
         FROM routing_profile_versions WHERE profile_id IN (",
    );
    sql.list(records.iter().map(|r| r.id.as_str()))
        .push(") ORDER BY profile_id, version DESC");
    for row in conn.rows(sql).await? {
        let profile_id = row.text("profile_id")?;
        let status = row.text("status")?;
        let version = ProfileVersion {
            version: row.int("version")? as u32,
            status: corrupt("status", ProfileStatus::parse(&status).ok_or(status))?,
            settings: parse_settings(&row.text("settings")?)?,
            created_at_ms: row.int("created_at")?,
            created_by: row.text("created_by")?,
            activated_at_ms: row.opt_int("activated_at")?,
        };
        if let Some(record) = records.iter_mut().find(|r| r.id == profile_id) {
            record.versions.push(version);
        }
    }
    Ok(records)
}
