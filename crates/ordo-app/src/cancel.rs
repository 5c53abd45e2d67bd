//! Cancelling an order, or units of its lines, in one transaction: the order's positions and
//! row locked as for every order change; units not released are freed at once, released ones
//! asked of their fulfilment orders; freed stock goes to waiting backorders.

use ordo_domain::auth::{Action, Principal};
use ordo_domain::field::FieldErrors;
use ordo_domain::order::{
    CancelError, CancelRequest, CancelUnits, CancelUnitsError, OrderStatus, decide_cancel,
};
use ordo_store::{OrderKey, OrderRecord, Store};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::stock::StockWork;
use crate::transact::{Attempt, retrying};

/// A cancellation as asked, by whom and when.
struct Cancel<'a> {
    key: OrderKey,
    request: CancelRequest<'a>,
}

impl App {
    /// Cancels the whole order (`lines: None`) or units of its lines.
    pub async fn cancel_order(
        &self,
        principal: &Principal,
        id_or_number: &str,
        reason: Option<String>,
        lines: Option<Vec<CancelUnits>>,
    ) -> AppResult<OrderRecord> {
        let scope = principal.scope(Action::ChangeOrders)?;
        let record = self.order_in(scope, id_or_number).await?;
        let actor = principal.actor();
        let cancel = Cancel {
            key: OrderKey::Id(record.order.id.clone()),
            request: CancelRequest {
                lines: lines.as_deref(),
                reason: reason.as_deref(),
                actor: &actor,
                now_ms: self.clock.now_ms(),
            },
        };
        let deciders = self.deciders();
        retrying(|| cancel_order(self.store.as_ref(), &cancel, &deciders)).await?;
        let after = self.store.order(&cancel.key).await?;
        let after = after.ok_or_else(|| AppError::NotFound(format!("order {id_or_number}")))?;
        // Cancellations, not requests: a request a location has yet to confirm is counted
        // when the order ends cancelled.
        if after.order.status == OrderStatus::Cancelled {
            metrics::counter!("ordo_orders_cancelled_total").increment(1);
        }
        Ok(after)
    }
}

async fn cancel_order(
    store: &dyn Store,
    cancel: &Cancel<'_>,
    deciders: &ordo_store::Deciders<'_>,
) -> Attempt<()> {
    let mut tx = store.transaction().await?;
    let now = cancel.request.now_ms;
    let started = StockWork::begin_order_change(&mut tx, &cancel.key, now).await?;
    let not_found = || AppError::NotFound("order".into());
    let (mut work, mut record) = started.ok_or_else(not_found)?;
    let seq_before = record.order.event_seq;
    let mut open = tx.lock_open_fulfillment_orders(&record.order.id).await?;
    let changes = &mut work.changes;
    let decided = decide_cancel(
        &mut record.order,
        &mut record.reservations,
        &mut open,
        &cancel.request,
        &mut changes.book,
    )
    .map_err(refused)?;
    // Asked of their locations, or cancelled at once where not yet accepted.
    for fo in open.iter().filter(|f| f.updated_at_ms == now) {
        tx.save_fulfillment_order(fo).await?;
    }
    changes.ledger.extend(decided.ledger);
    changes.order_events.extend(decided.events);
    changes.reservations.extend(record.reservations);
    changes.orders.push((record.order, seq_before));
    work.fill_backorders(&mut tx, deciders, "stock freed by a cancelled order")
        .await?;
    work.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

fn refused(e: CancelUnitsError) -> AppError {
    match e {
        CancelUnitsError::Cancel(CancelError::Illegal(t)) => AppError::IllegalTransition {
            status: t.from,
            wanted: t.to,
        },
        CancelUnitsError::Cancel(CancelError::Inventory(e)) => {
            AppError::Internal(format!("cancelling: {e}"))
        }
        e => AppError::Invalid(FieldErrors::single("lines", e.to_string())),
    }
}
