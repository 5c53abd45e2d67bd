//! Re-optimisation: the pending orders' held allocations are planned again together at least
//! cost within each channel's profile (`ordo_domain::routing::reoptimize`), and the orders
//! whose plan changed are moved to it — all in one transaction, or, on a dry run, only
//! reported.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ordo_domain::channel::StockRules;
use ordo_domain::location::Location;
use ordo_domain::order::{
    Delivery, Move, MoveContext, OrderStatus, destination, move_allocations, sources_for,
};
use ordo_domain::reservation::{Reservation, ReservationOwner, ReservationStatus};
use ordo_domain::routing::reoptimize::{PendingPlan, Reoptimization, Shared, reoptimize as replan};
use ordo_domain::routing::{PlannedAllocation, ProfileRouter, RouteLine, RoutingCause, Strategy};
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{Deciders, OrderRecord, ReoptimizeReport, ReoptimizedOrder, Store, Tx};

use crate::error::AppError;
use crate::stock::StockWork;
use crate::transact::Attempt;

/// A re-optimisation as asked: `channel`'s pending orders (every channel's when `None`), the
/// oldest `limit`; `dry_run` reports without changing anything.
pub(crate) struct Reoptimize {
    pub channel: Option<ChannelCode>,
    pub limit: i64,
    pub dry_run: bool,
    pub actor: String,
    pub now_ms: i64,
}

/// What planning the pending orders again needs besides the book.
struct PlanFacts {
    locations: Arc<Vec<Location>>,
    rules: HashMap<ChannelCode, StockRules>,
    weights: HashMap<Sku, i64>,
    loads: HashMap<LocationCode, i64>,
    /// Each channel's profile with the `optimal` strategy: at least cost within the profile,
    /// whatever strategy placed the orders.
    optimal: HashMap<ChannelCode, ProfileRouter>,
}

/// One pending order's allocated units as lines, and where they are now.
struct Planned {
    lines: Vec<RouteLine>,
    plan: Vec<PlannedAllocation>,
}

pub(crate) async fn reoptimize(
    store: &dyn Store,
    asked: &Reoptimize,
    deciders: &Deciders<'_>,
) -> Attempt<ReoptimizeReport> {
    let mut tx = store.transaction().await?;
    let ids = tx
        .pending_order_ids(asked.channel.as_ref(), asked.limit)
        .await?;
    // Positions first, then the order rows, as every other order change locks them.
    let skus: BTreeSet<Sku> = tx
        .peek_orders(&ids)
        .await?
        .iter()
        .flat_map(|r| r.order.lines.iter().map(|l| l.sku.clone()))
        .collect();
    let mut work = StockWork::begin(&mut tx, &skus, asked.now_ms).await?;
    let mut records = pending(&mut tx, &work, &ids).await?;
    let facts = load_facts(&mut tx, &mut work, &records, &skus, deciders).await?;
    let planned: Vec<Planned> = records
        .iter()
        .map(|r| as_planned(r, &facts.weights))
        .collect();
    let (result, destinations) = {
        let pending = pending_plans(&records, &planned, &facts, asked.now_ms);
        let shared = Shared {
            transit: deciders.transit,
            loads: &facts.loads,
            now_ms: asked.now_ms,
        };
        let result = replan(&pending, &mut work.changes.book, &shared).map_err(|e| {
            AppError::Internal(format!("the pending plans do not match the stock: {e}"))
        })?;
        (
            result,
            pending.iter().map(|p| p.to.point).collect::<Vec<_>>(),
        )
    };
    let report = report(asked, &records, &planned, &result);
    if asked.dry_run || result.replans.is_empty() {
        return Ok(report); // dropped, the transaction changes nothing
    }
    let moved = Moved {
        result,
        planned: &planned,
        destinations: &destinations,
    };
    move_orders(
        &mut records,
        moved,
        &facts.locations,
        &mut work,
        asked,
        deciders,
    )?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// The pending orders, locked: for delivery, allocated or waiting, holding allocations.
async fn pending(tx: &mut Tx, work: &StockWork, ids: &[String]) -> Attempt<Vec<OrderRecord>> {
    let mut records: Vec<OrderRecord> = tx
        .lock_orders(ids)
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
        work.changes.overlay(&mut record.reservations);
    }
    records.retain(|r| held(r).next().is_some());
    Ok(records)
}

async fn load_facts(
    tx: &mut Tx,
    work: &mut StockWork,
    records: &[OrderRecord],
    skus: &BTreeSet<Sku>,
    deciders: &Deciders<'_>,
) -> Attempt<PlanFacts> {
    let channels: BTreeSet<&str> = records.iter().map(|r| r.order.channel.as_str()).collect();
    let routers = tx
        .routers(channels.iter().copied(), deciders.router)
        .await?;
    let optimal = records
        .iter()
        .map(|r| &r.order.channel)
        .map(|c| {
            (
                c.clone(),
                routers
                    .profile_router(Some(c))
                    .with_strategy(Strategy::Optimal),
            )
        })
        .collect();
    let weights = tx
        .item_facts(&skus.iter().collect())
        .await?
        .into_iter()
        .filter_map(|(s, f)| Some((s, f.weight_g?)))
        .collect();
    Ok(PlanFacts {
        locations: tx.locations().await?,
        rules: tx.channel_rules(&channels).await?,
        weights,
        loads: work.loads(tx).await?,
        optimal,
    })
}

fn held(record: &OrderRecord) -> impl Iterator<Item = &Reservation> {
    record
        .reservations
        .iter()
        .filter(|r| r.status == ReservationStatus::Held && r.owner == ReservationOwner::Order)
}

fn as_planned(record: &OrderRecord, weights: &HashMap<Sku, i64>) -> Planned {
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
    Planned { lines, plan }
}

fn pending_plans<'a>(
    records: &'a [OrderRecord],
    planned: &[Planned],
    facts: &'a PlanFacts,
    now_ms: i64,
) -> Vec<PendingPlan<'a>> {
    records
        .iter()
        .zip(planned)
        .map(|(record, p)| {
            let order = &record.order;
            let rules = facts.rules.get(&order.channel);
            let (sources, point) = sources_for(order, &facts.locations, rules);
            let router = &facts.optimal[&order.channel];
            PendingPlan {
                lines: p.lines.clone(),
                // Lateness counts from what the customer was promised.
                to: destination(order.ship_to.as_ref(), point, false, order.promised_date),
                sources,
                rules,
                router,
                costs: &router.profile.costs,
                estimator: router.estimator(),
                plan: p.plan.clone(),
                now_ms,
            }
        })
        .collect()
}

fn report(
    asked: &Reoptimize,
    records: &[OrderRecord],
    planned: &[Planned],
    result: &Reoptimization,
) -> ReoptimizeReport {
    let changes = result
        .replans
        .iter()
        .map(|r| {
            let (record, p) = (&records[r.index], &planned[r.index]);
            ReoptimizedOrder {
                order_id: record.order.id.clone(),
                order_number: record.order.number.clone(),
                packages_before: r.before.packages,
                packages_after: r.after.packages,
                cost_before: r.before.cost.total(),
                cost_after: r.after.cost.total(),
                from: rows_of(p.plan.iter(), &p.lines),
                to: rows_of(r.plan.iter(), &p.lines),
            }
        })
        .collect();
    ReoptimizeReport {
        phase: result.phase.as_str().into(),
        strategy: ordo_domain::routing::reoptimize::STRATEGY,
        dry_run: asked.dry_run,
        orders_considered: records.len(),
        orders_changed: result.replans.len(),
        packages_before: result.packages_before,
        packages_after: result.packages_after,
        split_orders_before: result.split_orders_before,
        split_orders_after: result.split_orders_after,
        cost_before: result.cost_before,
        cost_after: result.cost_after,
        changes,
    }
}

fn rows_of<'a>(
    plan: impl Iterator<Item = &'a PlannedAllocation>,
    lines: &[RouteLine],
) -> Vec<(u32, String, String, i64)> {
    plan.map(|a| {
        let sku = lines
            .iter()
            .find(|l| l.line_no == a.line_no)
            .map(|l| l.sku.to_string());
        (
            a.line_no,
            sku.unwrap_or_default(),
            a.location.to_string(),
            a.quantity,
        )
    })
    .collect()
}

/// The new plans, with what moving each order to its plan needs.
struct Moved<'a> {
    result: Reoptimization,
    planned: &'a [Planned],
    destinations: &'a [Option<ordo_domain::geo::GeoPoint>],
}

/// Lets the domain move each re-planned order to its new plan, and keeps what it decided.
fn move_orders(
    records: &mut [OrderRecord],
    moved: Moved<'_>,
    locations: &[Location],
    work: &mut StockWork,
    asked: &Reoptimize,
    deciders: &Deciders<'_>,
) -> Attempt<()> {
    let mut replans = moved.result.replans;
    replans.sort_by_key(|r| r.index);
    let explanations: Vec<_> = replans.iter_mut().map(|r| r.explanation.take()).collect();
    let mut next = replans.iter().zip(explanations).peekable();
    let mut moving: Vec<Move<'_>> = Vec::new();
    let mut before: Vec<(u32, Vec<Reservation>)> = Vec::new();
    for (i, record) in records.iter_mut().enumerate() {
        let Some((r, explanation)) = next.next_if(|(r, _)| r.index == i) else {
            continue;
        };
        before.push((record.order.event_seq, held(record).cloned().collect()));
        moving.push(Move {
            order: &mut record.order,
            reservations: &mut record.reservations,
            lines: &moved.planned[i].lines,
            plan: &r.plan,
            destination: moved.destinations[i],
            explanation,
        });
    }
    let context = MoveContext {
        locations,
        transit: deciders.transit,
        now_ms: asked.now_ms,
        actor: &asked.actor,
        reason: "re-optimised with the other pending orders",
    };
    let now = asked.now_ms;
    let mut next_id = || new_id("res", now);
    let changes = move_allocations(&mut moving, &context, &mut work.changes.book, &mut next_id)
        .map_err(|e| AppError::Internal(format!("moving a re-optimised order: {e}")))?;
    let orders: Vec<_> = moving.iter().map(|m| m.order.clone()).collect();
    for ((order, change), (seq, old)) in orders.into_iter().zip(changes).zip(before) {
        let fresh: Vec<Reservation> = change
            .reservations
            .iter()
            .filter(|r| r.status == ReservationStatus::Held && !old.iter().any(|o| o.id == r.id))
            .cloned()
            .collect();
        let c = &mut work.changes;
        c.unrouted(&old);
        c.routed(&order.id, RoutingCause::Reoptimized, change.routing, &fresh);
        c.reservations.extend(change.reservations);
        c.ledger.extend(change.ledger);
        c.order_events.extend(change.events);
        c.orders.push((order, seq));
    }
    Ok(())
}
