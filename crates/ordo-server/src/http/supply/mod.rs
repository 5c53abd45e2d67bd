//! `/v1/transfers` ([`transfers`]) and `/v1/inbound` ([`inbound`]): stock moving between
//! locations, and stock on its way from suppliers. What both read is here.

mod inbound;
mod transfers;

pub use inbound::router as inbound_router;
pub use transfers::router as transfers_router;

use ordo_app::Receipt;
use ordo_domain::field::FieldErrors;
use ordo_domain::inventory::{StockState, UNITS_MAX};
use ordo_domain::values::{Sku, parse_positive_quantity};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyLineBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 24)]
    pub quantity: Option<i64>,
}

/// Lines of a transfer or inbound: 1 to `max`, each an item and a quantity.
pub(super) fn parse_lines(
    raw: Option<Vec<SupplyLineBody>>,
    max: usize,
    e: &mut FieldErrors,
) -> Vec<(Sku, i64)> {
    let lines = e.required("lines", raw, |l| {
        if l.is_empty() || l.len() > max {
            Err(format!("must hold 1 to {max} lines"))
        } else {
            Ok(l)
        }
    });
    let mut parsed = Vec::new();
    for (i, line) in lines.into_iter().flatten().enumerate() {
        let sku = e.required(&format!("lines[{i}].sku"), line.sku, |s| Sku::parse(&s));
        let quantity = e.required(&format!("lines[{i}].quantity"), line.quantity, |q| {
            parse_positive_quantity(q, UNITS_MAX)
        });
        if let (Some(sku), Some(quantity)) = (sku, quantity) {
            parsed.push((sku, quantity));
        }
    }
    parsed
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    /// What arrived; for a transfer, everything in transit (sellable) when absent.
    pub lines: Option<Vec<ReceiptBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    #[schema(required = true, example = "TEE-BLK-M")]
    pub sku: Option<String>,
    #[schema(required = true, example = 24)]
    pub quantity: Option<i64>,
    /// `sellable` (when absent), `damaged` or `quality_hold`.
    pub state: Option<String>,
}

pub(super) fn parse_receipts(raw: Vec<ReceiptBody>, e: &mut FieldErrors) -> Vec<Receipt> {
    let mut receipts = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        let sku = e.required(&format!("lines[{i}].sku"), r.sku, |s| Sku::parse(&s));
        let quantity = e.required(&format!("lines[{i}].quantity"), r.quantity, |q| {
            parse_positive_quantity(q, UNITS_MAX)
        });
        let state = e.check(
            format!("lines[{i}].state"),
            r.state
                .map_or(Ok(StockState::Sellable), |s| StockState::parse(&s)),
        );
        if let (Some(sku), Some(quantity), Some(state)) = (sku, quantity, state) {
            receipts.push((sku, quantity, state));
        }
    }
    receipts
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupplyQuery {
    pub status: Option<String>,
    pub location: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
