//! Checkout holds: placing them, reading them, releasing them, and the sweep that releases the
//! ones past their expiry (readers already treat those units as free; the sweep makes the
//! figures and the ledger say so, and gives the units to waiting backorders).

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::allocation::Routing;
use ordo_domain::hold::{Hold, HoldLine, HoldRequest, HoldStatus, end_hold, place_hold};
use ordo_domain::order::PlaceRejection;
use ordo_domain::reservation::Reservation;
use ordo_domain::values::Sku;

use super::args::{Arg, Sql, inserts};
use super::orders::owned_reservations;
use super::rows::{self, RowExt};
use super::stock::StockWork;
use super::write::execute_all;
use super::{SqlStore, load};
use crate::error::{StoreError, StoreResult, corrupt};
use crate::ids::new_id;
use crate::types::*;

/// Most items one sweep releases expired holds of.
const SWEEP_SKUS_MAX: i64 = 200;

/// The items the holds' reservations are of.
pub(crate) async fn skus_of(
    conn: &mut dyn Exec,
    hold_ids: &BTreeSet<&str>,
) -> StoreResult<BTreeSet<Sku>> {
    if hold_ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut sql = Sql::new(
        "SELECT DISTINCT sku FROM reservations WHERE owner_kind = 'hold' AND owner_id IN (",
    );
    sql.list(hold_ids.iter().copied()).push(")");
    let rows = conn.rows(sql).await?;
    rows.iter().map(|r| rows::sku(r, "sku")).collect()
}

/// Holds by id with their reservations (locked, on PostgreSQL, when `lock` says so).
pub(crate) async fn load_holds(
    conn: &mut dyn Exec,
    ids: &BTreeSet<&str>,
    lock: &str,
) -> StoreResult<HashMap<String, (Hold, Vec<Reservation>)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(
        "SELECT id, channel, status, expires_at, order_id, created_at, updated_at FROM holds WHERE id IN (",
    );
    sql.list(ids.iter().copied())
        .push(") ORDER BY id")
        .push(lock);
    let mut holds = HashMap::new();
    for row in conn.rows(sql).await? {
        let status = row.text("status")?;
        let hold = Hold {
            id: row.text("id")?,
            channel: row
                .opt_text("channel")?
                .map(|c| corrupt("channel", ordo_domain::values::ChannelCode::parse(&c)))
                .transpose()?,
            status: HoldStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("hold status {status}")))?,
            expires_at_ms: row.int("expires_at")?,
            order_id: row.opt_text("order_id")?,
            lines: Vec::new(),
            created_at_ms: row.int("created_at")?,
            updated_at_ms: row.int("updated_at")?,
        };
        holds.insert(hold.id.clone(), (hold, Vec::new()));
    }
    let mut sql =
        Sql::new("SELECT hold_id, line_no, sku, quantity FROM hold_lines WHERE hold_id IN (");
    sql.list(ids.iter().copied())
        .push(") ORDER BY hold_id, line_no");
    for row in conn.rows(sql).await? {
        if let Some((hold, _)) = holds.get_mut(&row.text("hold_id")?) {
            let line_no = corrupt(
                "line_no",
                u32::try_from(row.int("line_no")?).map_err(|e| e.to_string()),
            )?;
            hold.lines.push(HoldLine {
                line_no,
                sku: rows::sku(&row, "sku")?,
                quantity: row.int("quantity")?,
            });
        }
    }
    let owners: Vec<&str> = ids.iter().copied().collect();
    for r in owned_reservations(conn, "hold", &owners).await? {
        if let Some((_, reservations)) = holds.get_mut(&r.owner_id) {
            reservations.push(r);
        }
    }
    Ok(holds)
}

pub(crate) async fn place(
    store: &SqlStore,
    command: &HoldCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Result<HoldRecord, PlaceRejection>> {
    let mut tx = store.begin().await?;
    let skus: BTreeSet<Sku> = command.lines.iter().map(|(s, _)| s.clone()).collect();
    let mut work = StockWork::begin(&mut tx, store, skus, command.now_ms).await?;
    let sku_refs: BTreeSet<&Sku> = command.lines.iter().map(|(s, _)| s).collect();
    let items = load::item_facts(&mut tx, &sku_refs).await?;
    let locations = load::locations(&mut tx).await?;
    let rules = match &command.channel {
        Some(channel) => {
            let codes = BTreeSet::from([channel.as_str()]);
            match load::channel_rules(&mut tx, &codes).await?.remove(channel) {
                Some(rules) => Some(rules),
                None => {
                    let invalid = ordo_domain::field::FieldErrors::single(
                        "channel",
                        format!("no active channel has code {channel}"),
                    );
                    return Ok(Err(PlaceRejection::Invalid(invalid)));
                }
            }
        }
        None => None,
    };
    let channels: Vec<&str> = command.channel.iter().map(|c| c.as_str()).collect();
    let routers = work.routers(&mut tx, channels, deciders).await?;
    let loads = work.loads(&mut tx).await?;
    let request = HoldRequest {
        hold_id: &command.hold_id,
        channel: command.channel.as_ref(),
        lines: &command.lines,
        location: command.location.as_ref(),
        destination: command.destination,
        country: command.country,
        ttl_s: command.ttl_s,
        now_ms: command.now_ms,
        actor: &command.actor,
    };
    let now = command.now_ms;
    let mut next_id = || new_id("res", now);
    let placed = match place_hold(
        &request,
        &items,
        &locations,
        rules.as_ref(),
        &mut work.book,
        &Routing {
            router: routers.for_channel(command.channel.as_ref()),
            transit: deciders.transit,
            loads: &loads,
        },
        &mut next_id,
    ) {
        Ok(placed) => placed,
        Err(rejection) => return Ok(Err(rejection)),
    };
    insert_hold(&mut tx, &placed.hold).await?;
    work.ledger.extend(placed.ledger);
    work.reservations
        .extend(placed.reservations.iter().cloned());
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Ok(HoldRecord {
        hold: placed.hold,
        reservations: placed.reservations,
    }))
}

async fn insert_hold(conn: &mut dyn Exec, hold: &Hold) -> StoreResult<()> {
    let row: Vec<Arg> = vec![
        hold.id.as_str().into(),
        hold.channel.as_ref().map(|c| c.to_string()).into(),
        hold.status.as_str().into(),
        hold.expires_at_ms.into(),
        hold.order_id.clone().into(),
        hold.created_at_ms.into(),
        hold.updated_at_ms.into(),
    ];
    let mut statements = inserts(
        "holds",
        &[
            "id",
            "channel",
            "status",
            "expires_at",
            "order_id",
            "created_at",
            "updated_at",
        ],
        vec![row],
    );
    let lines = hold
        .lines
        .iter()
        .map(|l| {
            vec![
                hold.id.as_str().into(),
                l.line_no.into(),
                l.sku.as_str().into(),
                l.quantity.into(),
            ]
        })
        .collect();
    statements.extend(inserts(
        "hold_lines",
        &["hold_id", "line_no", "sku", "quantity"],
        lines,
    ));
    execute_all(conn, statements).await
}

pub(crate) async fn hold(store: &SqlStore, id: &str) -> StoreResult<Option<HoldRecord>> {
    let mut conn = store.read.acquire().await?;
    let ids = BTreeSet::from([id]);
    Ok(load_holds(&mut conn, &ids, "")
        .await?
        .remove(id)
        .map(|(hold, reservations)| HoldRecord { hold, reservations }))
}

/// Releases an active hold. `Ok(None)`: no such hold (or another channel's).
pub(crate) async fn release(
    store: &SqlStore,
    id: &str,
    channel_scope: Option<&ordo_domain::values::ChannelCode>,
    now_ms: i64,
    actor: &str,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<HoldRecord, HoldStatus>>> {
    let mut tx = store.begin().await?;
    let ids = BTreeSet::from([id]);
    let skus = skus_of(&mut tx, &ids).await?;
    let mut work = StockWork::begin(&mut tx, store, skus, now_ms).await?;
    let Some((mut hold, mut reservations)) = load_holds(&mut tx, &ids, store.backend.lock_rows())
        .await?
        .remove(id)
    else {
        return Ok(None);
    };
    if channel_scope.is_some_and(|scope| hold.channel.as_ref() != Some(scope)) {
        return Ok(None);
    }
    work.overlay(&mut reservations);
    if !hold.is_active(now_ms) {
        return Ok(Some(Err(hold.status_at(now_ms))));
    }
    let ledger = end_hold(
        &mut hold,
        &mut reservations,
        &mut work.book,
        HoldStatus::Released,
        now_ms,
        actor,
    )
    .map_err(|e| StoreError::Corrupt(format!("releasing hold {id}: {e}")))?;
    work.ledger.extend(ledger);
    work.reservations.extend(reservations.iter().cloned());
    work.holds.push(hold.clone());
    work.fill_backorders(&mut tx, deciders, "stock freed by a released hold")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(Ok(HoldRecord { hold, reservations })))
}

/// Releases held reservations past their expiry (of up to [`SWEEP_SKUS_MAX`] items), marks
/// their holds expired, and gives the units to waiting backorders. Answers how many
/// reservations it released.
pub(crate) async fn sweep_expired(
    store: &SqlStore,
    now_ms: i64,
    deciders: &Deciders<'_>,
) -> StoreResult<usize> {
    let mut tx = store.begin().await?;
    let rows = tx.rows(Sql::with("SELECT DISTINCT sku FROM reservations WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY sku LIMIT $2",[Arg::from(now_ms), Arg::from(SWEEP_SKUS_MAX)])).await?;
    let skus: BTreeSet<Sku> = rows
        .iter()
        .map(|r| rows::sku(r, "sku"))
        .collect::<StoreResult<_>>()?;
    if skus.is_empty() {
        return Ok(0);
    }
    let mut work = StockWork::begin(&mut tx, store, skus, now_ms).await?;
    let released = work.reservations.len();
    work.fill_backorders(&mut tx, deciders, "stock freed by an expired hold")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(released)
}
