//! Supply: transfers between locations, and inbound purchase orders and ship notices.

use jiff::civil::Date;
use ordo_domain::auth::Action;
use ordo_domain::field::FieldErrors;
use ordo_domain::inbound::{Inbound, InboundKind, InboundLine, InboundStatus};
use ordo_domain::transfer::{Transfer, TransferLine, TransferStatus};
use ordo_domain::values::{LocationCode, Sku};
use ordo_store::ids::new_id;
use ordo_store::{InboundFilter, Page, PageRequest, TransferFilter, TransferRecord};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::supply_steps::{self, Receipt, TransferAction};
use crate::transact::retrying;

pub struct TransferRequest {
    pub from: LocationCode,
    pub to: LocationCode,
    pub lines: Vec<(Sku, i64)>,
    pub reason: Option<String>,
}

pub struct InboundRequest {
    pub kind: InboundKind,
    pub location: LocationCode,
    pub supplier_reference: String,
    pub expected_date: Date,
    pub lines: Vec<(Sku, i64)>,
}

impl App {
    /// Reserves a transfer's units at its source, all or none.
    pub async fn create_transfer(
        &self,
        request: TransferRequest,
        actor: &str,
    ) -> AppResult<TransferRecord> {
        if request.from == request.to {
            return Err(AppError::Invalid(FieldErrors::single(
                "to",
                "must differ from `from`",
            )));
        }
        let now_ms = self.clock.now_ms();
        let transfer = Transfer {
            id: new_id("trf", now_ms),
            from: request.from,
            to: request.to,
            status: TransferStatus::Requested,
            reason: request.reason,
            lines: request
                .lines
                .into_iter()
                .enumerate()
                .map(|(i, (sku, quantity))| TransferLine {
                    line_no: i as u32 + 1,
                    sku,
                    quantity,
                    shipped: 0,
                    received: 0,
                })
                .collect(),
            created_at_ms: now_ms,
            shipped_at_ms: None,
            updated_at_ms: now_ms,
        };
        retrying(|| supply_steps::request_transfer(self.store.as_ref(), &transfer, actor)).await
    }

    pub async fn transfer(&self, id: &str) -> AppResult<TransferRecord> {
        self.store
            .transfer(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("transfer {id}")))
    }

    pub async fn transfers(
        &self,
        filter: &TransferFilter,
        page: &PageRequest,
    ) -> AppResult<Page<TransferRecord>> {
        Ok(self.store.transfers(filter, page).await?)
    }

    /// Ships, receives or cancels a transfer.
    pub async fn step_transfer(
        &self,
        id: &str,
        action: TransferAction<'_>,
        actor: &str,
    ) -> AppResult<TransferRecord> {
        let step = supply_steps::TransferStep {
            id,
            action,
            actor,
            now_ms: self.clock.now_ms(),
        };
        let deciders = self.deciders();
        retrying(|| supply_steps::step_transfer(self.store.as_ref(), &step, &deciders)).await
    }

    pub async fn create_inbound(&self, request: InboundRequest) -> AppResult<Inbound> {
        let now_ms = self.clock.now_ms();
        let inbound = Inbound {
            id: new_id("inb", now_ms),
            kind: request.kind,
            location: request.location,
            supplier_reference: request.supplier_reference,
            expected_date: request.expected_date,
            status: InboundStatus::Open,
            lines: request
                .lines
                .into_iter()
                .enumerate()
                .map(|(i, (sku, quantity))| InboundLine {
                    line_no: i as u32 + 1,
                    sku,
                    quantity,
                    received: 0,
                })
                .collect(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        };
        retrying(|| supply_steps::announce_inbound(self.store.as_ref(), &inbound)).await?;
        Ok(inbound)
    }

    pub async fn inbound(&self, id: &str) -> AppResult<Inbound> {
        self.store
            .inbound(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("inbound {id}")))
    }

    pub async fn inbound_list(
        &self,
        filter: &InboundFilter,
        page: &PageRequest,
    ) -> AppResult<Page<Inbound>> {
        Ok(self.store.inbound_list(filter, page).await?)
    }

    /// Receives units of an inbound (`Some`), or closes it so nothing more is expected (`None`).
    pub async fn step_inbound(
        &self,
        id: &str,
        receipts: Option<&[Receipt]>,
        actor: &str,
    ) -> AppResult<Inbound> {
        let step = supply_steps::InboundStep {
            id,
            receipts,
            actor,
            now_ms: self.clock.now_ms(),
        };
        let deciders = self.deciders();
        retrying(|| supply_steps::step_inbound(self.store.as_ref(), &step, &deciders)).await
    }
}

impl App {
    /// Order lines waiting for stock, in the order they will be served. A channel principal
    /// sees only its own channel's.
    pub async fn backorders(
        &self,
        principal: &ordo_domain::auth::Principal,
        mut filter: ordo_store::BackorderFilter,
        page: &PageRequest,
    ) -> AppResult<Page<ordo_store::WaitingLine>> {
        if let Some(scope) = principal.scope(Action::ReadOrders)?.channel() {
            if filter.channel.as_ref().is_some_and(|c| c != scope) {
                return Ok(Page {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            filter.channel = Some(scope.clone());
        }
        Ok(self.store.backorders(&filter, page).await?)
    }

    pub async fn backorder_policy(&self) -> AppResult<ordo_domain::order::BackorderPolicy> {
        Ok(self.store.backorder_policy().await?)
    }

    pub async fn set_backorder_policy(
        &self,
        policy: ordo_domain::order::BackorderPolicy,
    ) -> AppResult<()> {
        Ok(self.store.set_backorder_policy(policy).await?)
    }
}
