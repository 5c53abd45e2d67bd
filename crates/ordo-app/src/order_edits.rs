//! Editing an order before release, in one transaction: lock the positions of every item the
//! order has or gains, then the order; give everything back and route it again; write the
//! changed and added lines, the new address and, when the new address fails its checks, an
//! address hold.

use std::collections::{BTreeSet, HashMap};

use ordo_domain::allocation::Routing;
use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::{
    EditError, Edited, FillContext, OrderEdit, address, address_hold, may_add_items,
};
use ordo_domain::reservation::ReservationStatus;
use ordo_domain::routing::RoutingCause;
use ordo_domain::values::Sku;
use ordo_store::ids::new_id;
use ordo_store::{Deciders, OrderKey, Store, Tx};

use crate::error::{AppError, AppResult};
use crate::stock::StockWork;
use crate::transact::{Attempt, retrying};
use crate::{App, OrderRecord};

/// An edit as asked, by whom and when.
struct Edit {
    key: OrderKey,
    change: OrderEdit,
    /// What the address checks found wrong with the new address.
    address_problems: Vec<String>,
    actor: String,
    now_ms: i64,
}

impl App {
    /// Edits an order not yet released to a location: lines and address change, and the
    /// order is routed again. A new address that fails its checks puts it on an address hold.
    pub async fn edit_order(
        &self,
        principal: &Principal,
        id_or_number: &str,
        mut change: OrderEdit,
    ) -> AppResult<OrderRecord> {
        let scope = principal.scope(Action::ChangeOrders)?;
        let record = self.order_in(scope, id_or_number).await?;
        let address_problems = change
            .ship_to
            .as_mut()
            .map(address::check_ship_to)
            .unwrap_or_default();
        let edit = Edit {
            key: OrderKey::Id(record.order.id.clone()),
            change,
            address_problems,
            actor: principal.actor(),
            now_ms: self.clock.now_ms(),
        };
        let deciders = self.deciders();
        retrying(|| edit_order(self.store.as_ref(), &edit, &deciders)).await?;
        let after = self.store.order(&edit.key).await?;
        after.ok_or_else(|| AppError::NotFound(format!("order {id_or_number}")))
    }
}

async fn edit_order(store: &dyn Store, edit: &Edit, deciders: &Deciders<'_>) -> Attempt<()> {
    let mut tx = store.transaction().await?;
    let not_found = || AppError::NotFound("order".into());
    let peek = tx.peek_order(&edit.key).await?.ok_or_else(not_found)?;
    let mut skus: BTreeSet<Sku> = peek.order.lines.iter().map(|l| l.sku.clone()).collect();
    skus.extend(edit.change.lines.iter().filter_map(|l| l.sku.clone()));
    let mut work = StockWork::begin(&mut tx, &skus, edit.now_ms).await?;
    let vanished = || ordo_store::StoreError::Contention("the order vanished".into());
    let mut record = tx.lock_order(&edit.key).await?.ok_or_else(vanished)?;
    work.changes.overlay(&mut record.reservations);
    let seq_before = record.order.event_seq;
    let edited = decide(&mut tx, &mut work, &mut record, edit, &skus, deciders).await?;
    let mut events = edited.events;
    if !edit.address_problems.is_empty() {
        let id = new_id("ohd", edit.now_ms);
        let (hold, event) =
            address_hold(&mut record.order, id, &edit.address_problems, edit.now_ms)
                .map_err(|e| refused(EditError::Fulfil(e.into())))?;
        events.push(event);
        tx.insert_order_hold(&hold).await?;
    }
    let added: Vec<_> = record
        .order
        .lines
        .iter()
        .filter(|l| edited.new_lines.contains(&l.line_no))
        .cloned()
        .collect();
    tx.insert_order_lines(&record.order.id, &added).await?;
    if edit.change.ship_to.is_some() {
        tx.update_ship_to(&record.order).await?;
    }
    let fresh: Vec<_> = edited
        .reservations
        .iter()
        .filter(|r| r.status == ReservationStatus::Held)
        .cloned()
        .collect();
    let changes = &mut work.changes;
    changes.routed(
        &record.order.id,
        RoutingCause::Rerouted,
        edited.routing,
        &fresh,
    );
    changes.ledger.extend(edited.ledger);
    changes.reservations.extend(edited.reservations);
    changes.order_events.extend(events);
    changes.orders.push((record.order, seq_before));
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Loads what routing the edited order again needs, and lets the domain apply the edit.
async fn decide(
    tx: &mut Tx,
    work: &mut StockWork,
    record: &mut OrderRecord,
    edit: &Edit,
    skus: &BTreeSet<Sku>,
    deciders: &Deciders<'_>,
) -> Attempt<Edited> {
    let facts = tx.item_facts(&skus.iter().collect()).await?;
    may_add_items(&edit.change, &facts).map_err(refused)?;
    let backorderable: HashMap<Sku, bool> = facts
        .iter()
        .map(|(s, f)| (s.clone(), f.allow_backorder))
        .collect();
    let weights: HashMap<Sku, i64> = facts
        .iter()
        .filter_map(|(s, f)| Some((s.clone(), f.weight_g?)))
        .collect();
    let channel = record.order.channel.clone();
    let locations = tx.locations().await?;
    let rules = tx
        .channel_rules(&BTreeSet::from([channel.as_str()]))
        .await?;
    let loads = work.loads(tx).await?;
    let routers = tx.routers([channel.as_str()], deciders.router).await?;
    let context = FillContext {
        locations: &locations,
        rules: rules.get(&channel),
        routing: Routing {
            router: routers.for_channel(Some(&channel)),
            transit: deciders.transit,
            loads: &loads,
        },
        weights: &weights,
        excluded: &[],
        now_ms: edit.now_ms,
        actor: &edit.actor,
        reason: "routed again after an edit",
    };
    let now = edit.now_ms;
    let mut ids = || new_id("res", now);
    let (order, reservations) = (&mut record.order, &mut record.reservations);
    let book = &mut work.changes.book;
    let change = &edit.change;
    let edited = ordo_domain::order::edit(
        order,
        reservations,
        change,
        &backorderable,
        &context,
        book,
        &mut ids,
    );
    Ok(edited.map_err(refused)?)
}

fn refused(e: EditError) -> AppError {
    match e {
        EditError::Short(lines) => AppError::InsufficientStock(lines),
        e @ EditError::TooLate(_) => {
            AppError::Conflict(FieldErrors::single("status", e.to_string()))
        }
        e @ (EditError::UnknownLine(_) | EditError::Invalid(_)) => {
            AppError::Invalid(FieldErrors::single("lines", e.to_string()))
        }
        EditError::Fulfil(e) => AppError::Internal(format!("editing: {e}")),
    }
}
