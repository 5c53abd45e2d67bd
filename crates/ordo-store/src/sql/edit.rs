//! Editing an order before release, in one transaction: lock the positions of every item the
//! order has or gains, then the order; give everything back and route it again; write the
//! changed and added lines, the new address and, when the new address fails its checks, an
//! address hold.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::allocation::Routing;
use ordo_domain::order::{EditError, FillContext, OrderEdit, edit};
use ordo_domain::values::Sku;

use super::args::Sql;
use super::orders::{line_inserts, load_one};
use super::stock::StockWork;
use super::write::execute_all;
use super::{SqlStore, load};
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::types::{Deciders, OrderKey, OrderRecord};

/// An edit as checked at the edge.
#[derive(Debug, Clone)]
pub struct EditCommand {
    pub order_id: String,
    pub channel_scope: Option<ordo_domain::values::ChannelCode>,
    pub edit: OrderEdit,
    /// What the address checks found wrong with the new address.
    pub address_problems: Vec<String>,
    pub actor: String,
    pub now_ms: i64,
}

pub(crate) async fn edit_order(
    store: &SqlStore,
    command: &EditCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<Option<Result<OrderRecord, EditError>>> {
    let mut tx = store.begin().await?;
    let key = OrderKey::Id(command.order_id.clone());
    let Some(peek) = load_one(&mut tx, &key, "").await? else {
        return Ok(None);
    };
    if command
        .channel_scope
        .as_ref()
        .is_some_and(|c| *c != peek.order.channel)
    {
        return Ok(None);
    }
    let mut skus: BTreeSet<Sku> = peek.order.lines.iter().map(|l| l.sku.clone()).collect();
    skus.extend(command.edit.lines.iter().filter_map(|l| l.sku.clone()));
    let mut work = StockWork::begin(&mut tx, store, skus.clone(), command.now_ms).await?;
    let mut record = load_one(&mut tx, &key, store.backend.lock_rows())
        .await?
        .ok_or_else(|| StoreError::Contention(format!("order {} vanished", command.order_id)))?;
    work.overlay(&mut record.reservations);
    let facts = load::item_facts(&mut tx, &skus.iter().collect()).await?;
    for (i, l) in command.edit.lines.iter().enumerate() {
        if let Some(sku) = &l.sku
            && l.line_no.is_none()
            && !facts.get(sku).is_some_and(|f| f.active)
        {
            return Ok(Some(Err(EditError::Invalid(format!(
                "lines[{i}].sku: {sku} is not an active item"
            )))));
        }
    }
    let backorderable: HashMap<Sku, bool> = facts
        .iter()
        .map(|(s, f)| (s.clone(), f.allow_backorder))
        .collect();
    let weights: HashMap<Sku, i64> = facts
        .iter()
        .filter_map(|(s, f)| Some((s.clone(), f.weight_g?)))
        .collect();
    let channel = record.order.channel.clone();
    let locations = load::locations(&mut tx).await?;
    let rules = load::channel_rules(&mut tx, &BTreeSet::from([channel.as_str()]))
        .await?
        .into_values()
        .next();
    let loads = work.loads(&mut tx).await?;
    let routers = work.routers(&mut tx, [channel.as_str()], deciders).await?;
    let context = FillContext {
        locations: &locations,
        rules: rules.as_ref(),
        routing: Routing {
            router: routers.for_channel(Some(&channel)),
            transit: deciders.transit,
            loads: &loads,
        },
        weights: &weights,
        excluded: &[],
        now_ms: command.now_ms,
        actor: &command.actor,
        reason: "routed again after an edit",
    };
    let seq_before = record.order.event_seq;
    let before_lines: BTreeSet<u32> = record.order.lines.iter().map(|l| l.line_no).collect();
    let now = command.now_ms;
    let mut ids = || new_id("res", now);
    let edited = match edit(
        &mut record.order,
        &mut record.reservations,
        &command.edit,
        &backorderable,
        &context,
        &mut work.book,
        &mut ids,
    ) {
        Ok(edited) => edited,
        Err(e) => return Ok(Some(Err(e))),
    };
    let mut events = edited.events;
    if !command.address_problems.is_empty() {
        let id = new_id("ohd", now);
        let problems = &command.address_problems;
        match ordo_domain::order::address_hold(&mut record.order, id, problems, now) {
            Ok((hold, event)) => {
                events.push(event);
                super::order_holds::insert_hold(&mut tx, &hold).await?;
            }
            Err(e) => return Ok(Some(Err(EditError::Fulfil(e.into())))),
        }
    }
    let added: Vec<_> = record
        .order
        .lines
        .iter()
        .filter(|l| !before_lines.contains(&l.line_no))
        .cloned()
        .collect();
    execute_all(&mut tx, line_inserts(&record.order.id, &added)).await?;
    if command.edit.ship_to.is_some() {
        update_ship_to(&mut tx, &record.order).await?;
    }
    let fresh: Vec<_> = edited
        .reservations
        .iter()
        .filter(|r| r.status == ordo_domain::reservation::ReservationStatus::Held)
        .cloned()
        .collect();
    work.routed(&record.order.id, "rerouted", edited.routing, &fresh);
    work.ledger.extend(edited.ledger);
    work.reservations.extend(edited.reservations);
    work.order_events.extend(events);
    work.orders.push((record.order.clone(), seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(super::orders::order(store, &key).await?.map(Ok))
}

async fn update_ship_to(conn: &mut dyn Exec, order: &ordo_domain::order::Order) -> StoreResult<()> {
    let Some(s) = &order.ship_to else {
        return Ok(());
    };
    let mut sql = Sql::new("UPDATE orders SET ship_to_name = ");
    sql.arg(s.name.as_str())
        .push(", ship_to_line1 = ")
        .arg(s.line1.as_str())
        .push(", ship_to_line2 = ")
        .arg(s.line2.clone())
        .push(", ship_to_city = ")
        .arg(s.city.as_str())
        .push(", ship_to_region = ")
        .arg(s.region.clone())
        .push(", ship_to_postal_code = ")
        .arg(s.postal_code.as_str())
        .push(", ship_to_country = ")
        .arg(s.country.as_str())
        .push(", ship_to_lat = ")
        .arg(s.point.map(|p| p.lat))
        .push(", ship_to_lon = ")
        .arg(s.point.map(|p| p.lon))
        .push(", ship_to_directions = ")
        .arg(s.directions.clone())
        .push(" WHERE id = ")
        .arg(order.id.as_str());
    conn.run(sql).await?;
    Ok(())
}
