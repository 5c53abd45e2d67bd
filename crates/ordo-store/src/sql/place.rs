//! Placing orders in batches: one transaction decides and writes many orders, which is what
//! lets order capture reach high rates on one small machine.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::allocation::Routing;
use ordo_domain::channel::StockRules;
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::{StockBook, channel_available};
use ordo_domain::location::Location;
use ordo_domain::order::{
    Delivery, HoldToConvert, PlaceContext, PlaceInput, PlaceRejection, Placement, place,
};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};

use super::args::{Arg, Sql, inserts};
use super::orders::{self, order_inserts};
use super::rows::RowExt;
use super::stock::StockWork;
use super::write::execute_all;
use super::{SqlStore, holds, load, retrying};
use crate::error::StoreResult;
use crate::ids::new_id;
use crate::types::*;

pub(crate) async fn place_orders(
    store: &SqlStore,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> StoreResult<Vec<PlaceOutcome>> {
    match retrying!(place_batch(store, batch, deciders)) {
        Err(e) if batch.len() > 1 => {
            // One order can sink a whole batch (a row another server wrote meanwhile, say);
            // placed one by one, each order gets its own answer.
            tracing::warn!(error = %e, orders = batch.len(), "order batch failed; placing its orders one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for command in batch {
                let mut single =
                    retrying!(place_batch(store, std::slice::from_ref(command), deciders))?;
                outcomes.extend(single.pop());
            }
            Ok(outcomes)
        }
        result => result,
    }
}

/// What one command came to while the batch was decided.
enum Decided {
    Done(Box<PlaceOutcome>),
    Placed(Box<Placement>),
    Replay(String),
}

/// Which items' incoming supply a batch loads: placing needs it only to date units that
/// must wait, so first only for the items that may run short.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SupplyScope {
    MayRunShort,
    Every,
}

async fn place_batch(
    store: &SqlStore,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> StoreResult<Vec<PlaceOutcome>> {
    placed_or_raced(place_decided(store, batch, deciders).await)
}

/// A unique violation while placing means another transaction committed the same external
/// id or idempotency key meanwhile (PostgreSQL checks them only at insert): the batch is
/// tried again, and then finds that order — a replay or a duplicate, never an error.
fn placed_or_raced(result: StoreResult<Vec<PlaceOutcome>>) -> StoreResult<Vec<PlaceOutcome>> {
    match result {
        Err(e) if e.is_unique_violation() => Err(crate::StoreError::Contention(format!(
            "a concurrent order raced this one: {e}"
        ))),
        other => other,
    }
}

/// A batch, decided first with the supply of the items that may run short; if an item
/// thought safe had to wait after all (a router that leaves units unallocated), decided again
/// with the supply of every item.
async fn place_decided(
    store: &SqlStore,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
) -> StoreResult<Vec<PlaceOutcome>> {
    match decide_batch(store, batch, deciders, SupplyScope::MayRunShort).await? {
        Some(outcomes) => Ok(outcomes),
        None => decide_batch(store, batch, deciders, SupplyScope::Every)
            .await?
            .ok_or_else(|| {
                crate::StoreError::Corrupt("a batch with every item's supply asked for more".into())
            }),
    }
}

/// Decides and writes a batch in one transaction; `None` (nothing written) when an item whose
/// supply was not loaded had units waiting.
async fn decide_batch(
    store: &SqlStore,
    batch: &[PlaceCommand],
    deciders: &Deciders<'_>,
    scope: SupplyScope,
) -> StoreResult<Option<Vec<PlaceOutcome>>> {
    let mut tx = store.begin().await?;
    let now_ms = batch.iter().map(|c| c.now_ms).max().unwrap_or(0);

    // External ids before claims: each statement sees what was committed when it began
    // (PostgreSQL's read committed), so an order seen by its external id is seen by its
    // idempotency key too, and a retry is answered as a replay, not a duplicate.
    let mut external_ids = load_external_ids(&mut tx, batch).await?;
    let mut claims = load_claims(&mut tx, batch).await?;
    let hold_ids: BTreeSet<&str> = batch
        .iter()
        .filter_map(|c| c.draft.hold_id.as_deref())
        .collect();
    let mut skus: BTreeSet<Sku> = batch
        .iter()
        .flat_map(|c| c.draft.lines.iter().map(|l| l.sku.clone()))
        .collect();
    skus.extend(holds::skus_of(&mut tx, &hold_ids).await?);
    // Reference data first: the fewer statements run while positions are locked, the less
    // concurrent batches wait for each other.
    let locations = load::locations(&mut tx).await?;
    let channels: BTreeSet<&str> = batch.iter().map(|c| c.draft.channel.as_str()).collect();
    let channel_rules = load::channel_rules(&mut tx, &channels).await?;
    let mut work = StockWork::begin(&mut tx, store, skus, now_ms).await?;
    let mut named_holds = holds::load_holds(&mut tx, &hold_ids, store.backend.lock_rows()).await?;
    for (_, reservations) in named_holds.values_mut() {
        work.overlay(reservations);
    }

    let skus: BTreeSet<&Sku> = batch
        .iter()
        .flat_map(|c| c.draft.lines.iter().map(|l| &l.sku))
        .collect();
    let mut items = load::item_facts(&mut tx, &skus).await?;
    let dated: BTreeSet<&Sku> = match scope {
        SupplyScope::Every => skus,
        SupplyScope::MayRunShort => may_run_short(batch, &work.book, &locations, &channel_rules),
    };
    let mut supply = load::supply(&mut tx, &dated, &locations, deciders.transit).await?;
    let routers = work
        .routers(&mut tx, channels.iter().copied(), deciders)
        .await?;

    let mut decided = Vec::with_capacity(batch.len());
    let mut released_now = Vec::new();
    for command in batch {
        let claim_key = command
            .idempotency
            .as_ref()
            .map(|c| (c.scope.clone(), c.key.clone()));
        if let (Some(claim), Some(key)) = (&command.idempotency, &claim_key)
            && let Some((hash, order_id)) = claims.get(key)
        {
            let order_id = order_id.clone();
            decided.push(if *hash == claim.request_hash {
                Decided::Replay(order_id)
            } else {
                Decided::Done(Box::new(PlaceOutcome::KeyReused { order_id }))
            });
            continue;
        }
        let external_key = (
            command.draft.channel.to_string(),
            command.draft.external_id.clone(),
        );
        if let Some((order_id, number)) = external_ids.get(&external_key) {
            let duplicate = PlaceOutcome::Duplicate {
                order_id: order_id.clone(),
                number: number.clone(),
            };
            decided.push(Decided::Done(Box::new(duplicate)));
            continue;
        }
        let Some(rules) = channel_rules.get(&command.draft.channel) else {
            let message = format!("no active channel has code {}", command.draft.channel);
            let invalid = PlaceRejection::Invalid(FieldErrors::single("channel", message));
            decided.push(Decided::Done(Box::new(PlaceOutcome::Rejected(invalid))));
            continue;
        };
        let hold = match &command.draft.hold_id {
            None => None,
            Some(id) => match named_holds.get_mut(id) {
                Some((hold, reservations)) => Some(HoldToConvert { hold, reservations }),
                None => {
                    let invalid = PlaceRejection::Invalid(FieldErrors::single(
                        "hold_id",
                        format!("no hold has id {id}"),
                    ));
                    decided.push(Decided::Done(Box::new(PlaceOutcome::Rejected(invalid))));
                    continue;
                }
            },
        };
        let converting = hold.as_ref().map(|h| h.hold.id.clone());
        let input = PlaceInput {
            order_id: &command.order_id,
            draft: &command.draft,
            now_ms: command.now_ms,
            actor: &command.actor,
        };
        let loads = work.loads(&mut tx).await?;
        let mut context = PlaceContext {
            items: &mut items,
            locations: &locations,
            rules: (!rules.is_empty()).then_some(rules),
            supply: &mut supply,
            routing: Routing {
                router: routers.for_channel(Some(&command.draft.channel)),
                transit: deciders.transit,
                loads: &loads,
            },
            pickup_shortage: routers
                .profile_for(Some(&command.draft.channel))
                .pickup_shortage,
        };
        let mut new_reservation_id = || new_id("res", command.now_ms);
        match place(
            &input,
            &mut context,
            &mut work.book,
            hold,
            &mut new_reservation_id,
        ) {
            Ok(mut placement) => {
                if deciders.release_at_capture {
                    let released = ordo_domain::fulfillment::release(
                        &mut placement.order,
                        &placement.reservations,
                        &[],
                        &locations,
                        command.now_ms,
                        "system:release",
                        &mut || new_id("ful", command.now_ms),
                    );
                    placement.events.extend(released.events);
                    released_now.extend(released.fulfillment_orders);
                }
                let explanation = placement.routing.take();
                work.routed(
                    &command.order_id,
                    "placed",
                    explanation,
                    &placement.reservations,
                );
                if let Some((hold, reservations)) = converting.and_then(|id| named_holds.get(&id)) {
                    work.holds.push(hold.clone());
                    work.reservations.extend(reservations.iter().cloned());
                }
                if let (Some(claim), Some(key)) = (&command.idempotency, claim_key) {
                    claims.insert(key, (claim.request_hash.clone(), command.order_id.clone()));
                }
                // Its number is drawn below with the batch's others.
                external_ids.insert(external_key, (command.order_id.clone(), String::new()));
                decided.push(Decided::Placed(Box::new(placement)));
            }
            Err(rejection) => {
                decided.push(Decided::Done(Box::new(PlaceOutcome::Rejected(rejection))))
            }
        }
    }

    let undated = decided.iter().any(|d| match d {
        Decided::Placed(p) => p
            .order
            .lines
            .iter()
            .any(|l| l.quantities.backordered > 0 && !l.preorder && !dated.contains(&l.sku)),
        _ => false,
    });
    if undated {
        return Ok(None);
    }

    number_orders(store, &mut tx, &mut decided).await?;
    let placements: Vec<&Placement> = decided
        .iter()
        .filter_map(|d| {
            if let Decided::Placed(p) = d {
                Some(p.as_ref())
            } else {
                None
            }
        })
        .collect();
    write_placements(&mut tx, batch, &placements).await?;
    for hold in placements.iter().flat_map(|p| &p.holds) {
        super::order_holds::insert_hold(&mut tx, hold).await?;
    }
    execute_all(&mut tx, super::fulfillment::fresh_inserts(&released_now)).await?;
    for p in &placements {
        work.reservations.extend(p.reservations.iter().cloned());
        work.ledger.extend(p.ledger.iter().cloned());
        work.order_events.extend(p.events.iter().cloned());
    }
    work.finish(&mut tx).await?;
    tx.commit().await?;

    let mut outcomes = Vec::with_capacity(decided.len());
    for d in decided {
        outcomes.push(match d {
            Decided::Done(outcome) => *outcome,
            Decided::Placed(p) => {
                let p = *p;
                let fulfillment = released_now
                    .iter()
                    .filter(|f| f.order_id == p.order.id)
                    .map(FulfillmentRef::of)
                    .collect();
                PlaceOutcome::Placed(OrderRecord {
                    order: p.order,
                    reservations: p.reservations,
                    fulfillment,
                    // A new order has neither parcels nor alerts yet.
                    shipments: Vec::new(),
                    alerts: Vec::new(),
                })
            }
            Decided::Replay(order_id) => {
                match orders::order(store, &OrderKey::Id(order_id.clone())).await? {
                    Some(record) => PlaceOutcome::Replayed(record),
                    None => {
                        return Err(crate::StoreError::NotFound(format!(
                            "order {order_id} of a stored idempotency key"
                        )));
                    }
                }
            }
        });
    }
    Ok(Some(outcomes))
}

/// The items a batch may not find enough of. An item is safe when no order picks it up in a
/// store and every channel of the batch may promise more of it, over the locations that ship,
/// than the whole batch asks for.
fn may_run_short<'a>(
    batch: &'a [PlaceCommand],
    book: &StockBook,
    locations: &[Location],
    channel_rules: &HashMap<ChannelCode, StockRules>,
) -> BTreeSet<&'a Sku> {
    let mut demand: HashMap<&Sku, i64> = HashMap::new();
    let mut short = BTreeSet::new();
    for command in batch {
        for line in &command.draft.lines {
            *demand.entry(&line.sku).or_default() += line.quantity;
            if matches!(command.draft.delivery, Delivery::Pickup { .. }) {
                short.insert(&line.sku);
            }
        }
    }
    let shipping: Vec<&Location> = locations.iter().filter(|l| l.ships()).collect();
    // Each channel's rules once, however many of the batch's orders came through it.
    let rules: Vec<&StockRules> = batch
        .iter()
        .map(|c| &c.draft.channel)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|channel| channel_rules.get(channel))
        .collect();
    for (sku, wanted) in demand {
        let per_location: Vec<(LocationCode, i64)> = shipping
            .iter()
            .map(|l| (l.code.clone(), book.available(&l.code, sku)))
            .collect();
        let promisable = |rules: &StockRules| -> i64 {
            channel_available(sku, &per_location, rules)
                .iter()
                .map(|(_, units)| units)
                .sum()
        };
        let least = rules.iter().map(|r| promisable(r)).min().unwrap_or(0);
        if least < wanted {
            short.insert(sku);
        }
    }
    short
}

/// Gives the batch's placed orders consecutive numbers in one statement, in the order they
/// arrived, and fills them into duplicates of those orders within the batch.
async fn number_orders(
    store: &SqlStore,
    conn: &mut dyn Exec,
    decided: &mut [Decided],
) -> StoreResult<()> {
    let placed = decided
        .iter()
        .filter(|d| matches!(d, Decided::Placed(_)))
        .count() as i64;
    let mut numbers = store
        .backend
        .next_order_numbers(conn, placed)
        .await?
        .into_iter();
    let mut assigned: HashMap<String, String> = HashMap::new();
    for d in decided.iter_mut() {
        if let Decided::Placed(p) = d {
            let number = numbers
                .next()
                .ok_or_else(|| crate::StoreError::Corrupt("too few order numbers".into()))?;
            p.order.number = number.to_string();
            assigned.insert(p.order.id.clone(), p.order.number.clone());
        }
    }
    for d in decided.iter_mut() {
        if let Decided::Done(outcome) = d
            && let PlaceOutcome::Duplicate { order_id, number } = outcome.as_mut()
            && number.is_empty()
            && let Some(assigned) = assigned.get(order_id)
        {
            number.clone_from(assigned);
        }
    }
    Ok(())
}

/// Inserts the placed orders with their lines and the idempotency claims they made.
async fn write_placements(
    conn: &mut dyn Exec,
    batch: &[PlaceCommand],
    placements: &[&Placement],
) -> StoreResult<()> {
    let mut statements = order_inserts(placements.iter().map(|p| &p.order));
    let claims: Vec<Vec<Arg>> = batch
        .iter()
        .filter(|c| placements.iter().any(|p| p.order.id == c.order_id))
        .filter_map(|c| {
            c.idempotency.as_ref().map(|claim| {
                vec![
                    claim.scope.as_str().into(),
                    claim.key.as_str().into(),
                    claim.request_hash.as_str().into(),
                    c.order_id.as_str().into(),
                    c.now_ms.into(),
                ]
            })
        })
        .collect();
    statements.extend(inserts(
        "idempotency_keys",
        &["scope", "key", "request_hash", "resource_id", "created_at"],
        claims,
    ));
    execute_all(conn, statements).await
}

/// Stored idempotency claims for the batch's keys: (scope, key) → (request hash, order id).
/// Both key columns are named so the lookup uses the primary key instead of a scan.
async fn load_claims(
    conn: &mut dyn Exec,
    batch: &[PlaceCommand],
) -> StoreResult<HashMap<(String, String), (String, String)>> {
    let claims: Vec<&IdempotencyClaim> = batch
        .iter()
        .filter_map(|c| c.idempotency.as_ref())
        .collect();
    if claims.is_empty() {
        return Ok(HashMap::new());
    }
    let scopes: BTreeSet<&str> = claims.iter().map(|c| c.scope.as_str()).collect();
    let keys: BTreeSet<&str> = claims.iter().map(|c| c.key.as_str()).collect();
    let mut sql = Sql::new(
        "SELECT scope, key, request_hash, resource_id FROM idempotency_keys WHERE scope IN (",
    );
    sql.list(scopes).push(") AND key IN (").list(keys).push(")");
    let mut found = HashMap::new();
    for row in conn.rows(sql).await? {
        found.insert(
            (row.text("scope")?, row.text("key")?),
            (row.text("request_hash")?, row.text("resource_id")?),
        );
    }
    Ok(found)
}

/// Orders that already carry the batch's external ids: (channel, external id) → (id, number).
/// Both columns of the unique index are named so the lookup uses it instead of a scan.
async fn load_external_ids(
    conn: &mut dyn Exec,
    batch: &[PlaceCommand],
) -> StoreResult<HashMap<(String, String), (String, String)>> {
    let channels: BTreeSet<&str> = batch.iter().map(|c| c.draft.channel.as_str()).collect();
    let external: BTreeSet<&str> = batch.iter().map(|c| c.draft.external_id.as_str()).collect();
    let mut sql =
        Sql::new("SELECT id, number, channel, external_id FROM orders WHERE channel IN (");
    sql.list(channels)
        .push(") AND external_id IN (")
        .list(external)
        .push(")");
    let mut found = HashMap::new();
    for row in conn.rows(sql).await? {
        found.insert(
            (row.text("channel")?, row.text("external_id")?),
            (row.text("id")?, row.text("number")?),
        );
    }
    Ok(found)
}
