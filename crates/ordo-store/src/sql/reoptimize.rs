//! Re-optimisation in the store: the pending orders' held allocations are planned again
//! together at least cost within each channel's profile (`ordo_domain::routing::reoptimize`),
//! and the orders whose plan changed are moved to it — all in one transaction through
//! [`StockWork`], or, on a dry run, only reported.

use crate::sql::exec::Exec;
use std::collections::{BTreeSet, HashMap};

use ordo_domain::channel::StockRules;
use ordo_domain::location::Location;
use ordo_domain::order::{
    Delivery, Move, MoveContext, OrderStatus, destination, move_allocations, sources_for,
};
use ordo_domain::reservation::{Reservation, ReservationOwner, ReservationStatus};
use ordo_domain::routing::reoptimize::{PendingPlan, Shared, reoptimize as replan};
use ordo_domain::routing::{PlannedAllocation, ProfileRouter, RouteLine, Strategy};
use ordo_domain::values::{ChannelCode, Sku};

use super::args::Sql;
use super::orders::load_orders;
use super::rows::RowExt;
use super::stock::StockWork;
use super::{SqlStore, load};
use crate::error::{StoreError, StoreResult};
use crate::ids::new_id;
use crate::routing::{ReoptimizeCommand, ReoptimizeReport, ReoptimizedOrder};
use crate::types::{Deciders, OrderRecord};

/// The ids of the pending orders, oldest first: allocated or waiting, holding allocations,
/// none of them yet released to a location (whose people may already be picking them).
async fn pending_ids(conn: &mut dyn Exec, command: &ReoptimizeCommand) -> StoreResult<Vec<String>> {
    let mut sql = Sql::new(
        "SELECT o.id FROM orders o WHERE o.status IN ('allocated', 'backordered') \
         AND EXISTS (SELECT 1 FROM reservations r WHERE r.owner_kind = 'order' AND r.owner_id = o.id AND r.status = 'held') \
         AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.qty_released > 0)",
    );
    if let Some(channel) = &command.channel {
        sql.push(" AND o.channel = ").arg(channel.as_str());
    }
    sql.push(" ORDER BY o.created_at, o.id LIMIT ")
        .arg(command.limit);
    let rows = conn.rows(sql).await?;
    rows.iter().map(|r| r.text("id")).collect()
}

fn held(record: &OrderRecord) -> impl Iterator<Item = &Reservation> {
    record
        .reservations
        .iter()
        .filter(|r| r.status == ReservationStatus::Held && r.owner == ReservationOwner::Order)
}

/// An order's allocated units as lines, and where they are now.
fn as_planned(
    record: &OrderRecord,
    weights: &HashMap<Sku, i64>,
) -> (Vec<RouteLine>, Vec<PlannedAllocation>) {
    let mut lines: Vec<RouteLine> = Vec::new();
    let mut plan = Vec::new();
    for r in held(record) {
        match lines.iter_mut().find(|l| l.line_no == r.line_no) {
            Some(line) => line.quantity += r.quantity,
            None => lines.push(RouteLine {
                line_no: r.line_no,
                sku: r.sku.clone(),
                quantity: r.quantity,
                unit_weight_g: weights.get(&r.sku).copied(),
            }),
        }
        plan.push(PlannedAllocation {
            line_no: r.line_no,
            location: r.location.clone(),
            quantity: r.quantity,
        });
    }
    (lines, plan)
}

fn rows_of<'a>(
    plan: impl Iterator<Item = &'a PlannedAllocation>,
    lines: &[RouteLine],
) -> Vec<(u32, String, String, i64)> {
    plan.map(|a| {
        let sku = lines
            .iter()
            .find(|l| l.line_no == a.line_no)
            .map(|l| l.sku.to_string())
            .unwrap_or_default();
        (a.line_no, sku, a.location.to_string(), a.quantity)
    })
    .collect()
}

pub(crate) async fn reoptimize(
    store: &SqlStore,
    command: &ReoptimizeCommand,
    deciders: &Deciders<'_>,
) -> StoreResult<ReoptimizeReport> {
    let now = command.now_ms;
    let mut tx = store.begin().await?;
    let ids = pending_ids(&mut tx, command).await?;
    // Positions first, then the order rows, as every other order change locks them.
    let peek = load_orders(&mut tx, &ids, "").await?;
    let skus: BTreeSet<Sku> = peek
        .iter()
        .flat_map(|r| r.order.lines.iter().map(|l| l.sku.clone()))
        .collect();
    let mut work = StockWork::begin(&mut tx, store, skus.clone(), now).await?;
    let mut records: Vec<OrderRecord> = load_orders(&mut tx, &ids, store.backend.lock_rows())
        .await?
        .into_iter()
        .filter(|r| {
            matches!(r.order.delivery, Delivery::Ship)
                && matches!(
                    r.order.status,
                    OrderStatus::Allocated | OrderStatus::Backordered
                )
        })
        .collect();
    for record in records.iter_mut() {
        work.overlay(&mut record.reservations);
    }
    records.retain(|r| held(r).next().is_some());

    let channels: BTreeSet<ChannelCode> = records.iter().map(|r| r.order.channel.clone()).collect();
    let routers = work
        .routers(&mut tx, channels.iter().map(|c| c.as_str()), deciders)
        .await?;
    // At least cost within each channel's profile, whatever strategy placed the orders.
    let optimal: HashMap<&ChannelCode, ProfileRouter> = channels
        .iter()
        .map(|c| {
            (
                c,
                routers
                    .profile_router(Some(c))
                    .with_strategy(Strategy::Optimal),
            )
        })
        .collect();
    let locations: Vec<Location> = load::locations(&mut tx).await?;
    let rules: HashMap<ChannelCode, StockRules> =
        load::channel_rules(&mut tx, &channels.iter().map(|c| c.as_str()).collect()).await?;
    let weights: HashMap<Sku, i64> = load::item_facts(&mut tx, &skus.iter().collect())
        .await?
        .into_iter()
        .filter_map(|(s, f)| Some((s, f.weight_g?)))
        .collect();
    let loads = work.loads(&mut tx).await?;

    let planned: Vec<_> = records.iter().map(|r| as_planned(r, &weights)).collect();
    let pending: Vec<PendingPlan<'_>> = records
        .iter()
        .zip(&planned)
        .map(|(record, (lines, plan))| {
            let order = &record.order;
            let rules = rules.get(&order.channel);
            let (sources, point) = sources_for(order, &locations, rules);
            let router = &optimal[&order.channel];
            PendingPlan {
                lines: lines.clone(),
                // Lateness counts from what the customer was promised.
                to: destination(order.ship_to.as_ref(), point, false, order.promised_date),
                sources,
                rules,
                router,
                costs: &router.profile.costs,
                estimator: router.estimator(),
                plan: plan.clone(),
                now_ms: now,
            }
        })
        .collect();
    let shared = Shared {
        transit: deciders.transit,
        loads: &loads,
        now_ms: now,
    };
    let result = replan(&pending, &mut work.book, &shared);
    let destinations: Vec<_> = pending.iter().map(|p| p.to.point).collect();
    drop(pending);

    let mut report = ReoptimizeReport {
        phase: result.phase.as_str().into(),
        strategy: ordo_domain::routing::reoptimize::STRATEGY,
        dry_run: command.dry_run,
        orders_considered: records.len(),
        orders_changed: result.replans.len(),
        packages_before: result.packages_before,
        packages_after: result.packages_after,
        split_orders_before: result.split_orders_before,
        split_orders_after: result.split_orders_after,
        cost_before: result.cost_before,
        cost_after: result.cost_after,
        changes: Vec::new(),
    };
    for r in &result.replans {
        let (record, (lines, plan)) = (&records[r.index], &planned[r.index]);
        report.changes.push(ReoptimizedOrder {
            order_id: record.order.id.clone(),
            order_number: record.order.number.clone(),
            packages_before: r.before.packages,
            packages_after: r.after.packages,
            cost_before: r.before.cost.total(),
            cost_after: r.after.cost.total(),
            from: rows_of(plan.iter(), lines),
            to: rows_of(r.plan.iter(), lines),
        });
    }
    if command.dry_run || result.replans.is_empty() {
        tx.rollback().await?;
        return Ok(report);
    }

    let mut by_index: HashMap<usize, _> =
        result.replans.into_iter().map(|r| (r.index, r)).collect();
    let mut moves = Vec::new();
    let mut seq_before = Vec::new();
    for (i, record) in records.iter_mut().enumerate() {
        let Some(r) = by_index.remove(&i) else {
            continue;
        };
        seq_before.push(record.order.event_seq);
        moves.push((record, i, r));
    }
    let mut moving: Vec<Move<'_>> = Vec::with_capacity(moves.len());
    let mut given: Vec<Vec<Reservation>> = Vec::with_capacity(moves.len());
    for (record, i, r) in moves.iter_mut() {
        given.push(held(record).cloned().collect());
        moving.push(Move {
            order: &mut record.order,
            reservations: &mut record.reservations,
            lines: &planned[*i].0,
            plan: &r.plan,
            destination: destinations[*i],
            explanation: r.explanation.take(),
        });
    }
    let context = MoveContext {
        locations: &locations,
        transit: deciders.transit,
        now_ms: now,
        actor: &command.actor,
        reason: "re-optimised with the other pending orders",
    };
    let mut next_id = || new_id("res", now);
    let changes = move_allocations(&mut moving, &context, &mut work.book, &mut next_id)
        .map_err(|e| StoreError::Corrupt(format!("moving a re-optimised order: {e}")))?;
    let orders: Vec<_> = moving.iter().map(|m| m.order.clone()).collect();
    drop(moving);
    for (((order, change), seq), old) in orders.into_iter().zip(changes).zip(seq_before).zip(given)
    {
        let fresh: Vec<Reservation> = change
            .reservations
            .iter()
            .filter(|r| r.status == ReservationStatus::Held && !old.iter().any(|o| o.id == r.id))
            .cloned()
            .collect();
        work.unrouted(&old);
        work.routed(&order.id, "reoptimized", change.routing, &fresh);
        work.reservations.extend(change.reservations);
        work.ledger.extend(change.ledger);
        work.order_events.extend(change.events);
        work.orders.push((order, seq));
    }
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}
