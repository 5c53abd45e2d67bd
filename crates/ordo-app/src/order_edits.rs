//! Editing an order before release.

use ordo_domain::auth::Principal;
use ordo_domain::field::FieldErrors;

use crate::error::{AppError, AppResult};
use crate::{App, OrderRecord};

impl App {
    /// Edits an order not yet released to a location: lines and address change, and the
    /// order is routed again. A new address that fails its checks puts it on an address hold.
    pub async fn edit_order(
        &self,
        principal: &Principal,
        id_or_number: &str,
        edit: ordo_domain::order::OrderEdit,
        address_problems: Vec<String>,
    ) -> AppResult<OrderRecord> {
        use ordo_domain::order::EditError;
        let scope = principal.scope(ordo_domain::auth::Action::ChangeOrders)?;
        let record = self.order_in(scope, id_or_number).await?;
        let command = ordo_store::EditCommand {
            order_id: record.order.id.clone(),
            channel_scope: scope.channel().cloned(),
            edit,
            address_problems,
            actor: principal.actor(),
            now_ms: self.clock.now_ms(),
        };
        match self.store.edit_order(&command, &self.deciders()).await? {
            None => Err(AppError::NotFound(format!("order {id_or_number}"))),
            Some(Ok(record)) => Ok(record),
            Some(Err(EditError::Short(lines))) => Err(AppError::InsufficientStock(lines)),
            Some(Err(e @ EditError::TooLate(_))) => Err(AppError::Conflict(FieldErrors::single(
                "status",
                e.to_string(),
            ))),
            Some(Err(e @ (EditError::UnknownLine(_) | EditError::Invalid(_)))) => Err(
                AppError::Invalid(FieldErrors::single("lines", e.to_string())),
            ),
            Some(Err(EditError::Fulfil(e))) => Err(AppError::Internal(format!("editing: {e}"))),
        }
    }
}
