//! Holds on orders and fulfilment orders: placed and released by people or checks.

use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use std::collections::BTreeSet;

use ordo_domain::order::{
    HoldReason, HoldRefusal, OrderHold, may_hold_work, place_hold, release_hold as lift_hold,
};
use ordo_domain::values::Sku;
use ordo_store::ids::new_id;
use ordo_store::{Deciders, OrderKey, Store};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::stock::StockWork;
use crate::transact::{Attempt, retrying};

fn refused(e: HoldRefusal) -> AppError {
    match e {
        HoldRefusal::Illegal(t) => AppError::IllegalTransition {
            status: t.from,
            wanted: t.to,
        },
        HoldRefusal::UnknownFulfillmentOrder(_) => {
            AppError::Invalid(FieldErrors::single("fulfillment_order", e.to_string()))
        }
        e => AppError::Conflict(FieldErrors::single("hold", e.to_string())),
    }
}

impl App {
    pub async fn place_order_hold(
        &self,
        principal: &Principal,
        order: &str,
        reason: HoldReason,
        note: Option<String>,
        fulfillment_order: Option<String>,
    ) -> AppResult<OrderHold> {
        let scope = principal.scope(Action::HoldOrders)?;
        principal.scope(reason.action())?;
        let record = self.order_in(scope, order).await?;
        let now = self.clock.now_ms();
        let hold = OrderHold {
            id: new_id("ohd", now),
            order_id: record.order.id.clone(),
            fulfillment_order_id: fulfillment_order,
            reason,
            note,
            placed_at_ms: now,
            placed_by: principal.actor(),
            released_at_ms: None,
            released_by: None,
        };
        retrying(|| hold_order(self.store.as_ref(), &hold)).await?;
        Ok(hold)
    }

    /// Releases a hold; the order's waiting units are routed again in the same transaction:
    /// what kept them waiting (no carrier for the address, say) may be gone.
    pub async fn release_order_hold(
        &self,
        principal: &Principal,
        order: &str,
        hold_id: &str,
    ) -> AppResult<OrderHold> {
        let scope = principal.scope(Action::HoldOrders)?;
        let record = self.order_in(scope, order).await?;
        let holds = self.store.order_holds(&record.order.id).await?;
        let hold = holds.iter().find(|h| h.id == hold_id);
        let hold = hold.ok_or_else(|| AppError::NotFound(format!("hold {hold_id}")))?;
        principal.scope(hold.reason.action())?;
        let release = Release {
            order: OrderKey::Id(record.order.id.clone()),
            hold_id,
            actor: principal.actor(),
            now_ms: self.clock.now_ms(),
        };
        let deciders = self.deciders();
        retrying(|| release_hold(self.store.as_ref(), &release, &deciders)).await
    }

    pub async fn order_holds(
        &self,
        principal: &Principal,
        order: &str,
    ) -> AppResult<Vec<OrderHold>> {
        let record = self.order(principal, order).await?;
        Ok(self.store.order_holds(&record.order.id).await?)
    }
}

/// Places a hold on an order, or on one of its fulfilment orders whose work is not finished:
/// the order goes on hold and its timeline says who held it and why.
async fn hold_order(store: &dyn Store, hold: &OrderHold) -> Attempt<()> {
    let mut tx = store.transaction().await?;
    let key = OrderKey::Id(hold.order_id.clone());
    let not_found = || AppError::NotFound(format!("order {}", hold.order_id));
    let mut record = tx.lock_order(&key).await?.ok_or_else(not_found)?;
    if let Some(work) = &hold.fulfillment_order_id {
        let status = tx.fulfillment_status(&hold.order_id, work).await?;
        may_hold_work(work, status).map_err(refused)?;
    }
    let seq_before = record.order.event_seq;
    let event = place_hold(&mut record.order, hold).map_err(|e| refused(e.into()))?;
    tx.insert_order_hold(hold).await?;
    tx.update_order(&record.order, seq_before).await?;
    tx.append_order_events(&[event]).await?;
    tx.commit().await?;
    Ok(())
}

/// A hold to release, by whom and when.
struct Release<'a> {
    order: OrderKey,
    hold_id: &'a str,
    actor: String,
    now_ms: i64,
}

async fn release_hold(
    store: &dyn Store,
    release: &Release<'_>,
    deciders: &Deciders<'_>,
) -> Attempt<OrderHold> {
    let mut tx = store.transaction().await?;
    let started = StockWork::begin_order_change(&mut tx, &release.order, release.now_ms).await?;
    let not_found = || AppError::NotFound(format!("hold {}", release.hold_id));
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let holds = tx.order_holds(&record.order.id).await?;
    let seq_before = record.order.event_seq;
    let (now, actor) = (release.now_ms, release.actor.as_str());
    let (hold, event) = match lift_hold(&mut record.order, &holds, release.hold_id, now, actor) {
        Err(HoldRefusal::UnknownHold(_)) => return Err(not_found().into()),
        decided => decided.map_err(refused)?,
    };
    tx.update_order_hold(&hold).await?;
    let waiting: BTreeSet<Sku> = record
        .order
        .lines
        .iter()
        .filter(|l| l.quantities.backordered > 0)
        .map(|l| l.sku.clone())
        .collect();
    work.changes.order_events.push(event);
    work.changes.orders.push((record.order, seq_before));
    let reason = "a hold on the order was released";
    work.fill_backorders_of(&mut tx, deciders, &waiting, reason)
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(hold)
}
