//! Transfers between locations ([`transfers`]) and inbound supply — purchase orders and ship
//! notices ([`inbound`]): creating, shipping, receiving and cancelling them, each one
//! transaction through [`StockWork`](super::stock::StockWork). Units that arrive go to waiting
//! backorders in the same transaction.

mod inbound;
mod transfers;

pub(crate) use inbound::{create_inbound, inbound, inbound_list, step_inbound};
pub(crate) use transfers::{create_transfer, step_transfer, transfer, transfers};

use crate::sql::exec::Exec;

use ordo_domain::field::FieldErrors;
use ordo_domain::values::{LocationCode, Sku};

use super::write::existing;
use crate::error::StoreResult;

/// Checks that the locations and items a request names exist; names the fields that do not.
pub(super) async fn check_references(
    conn: &mut dyn Exec,
    locations: &[(&str, &LocationCode)],
    skus: &[(String, &Sku)],
) -> StoreResult<Result<(), FieldErrors>> {
    let known_locations = existing(
        conn,
        "locations",
        "code",
        locations.iter().map(|(_, l)| l.as_str()),
    )
    .await?;
    let known_items = existing(conn, "items", "sku", skus.iter().map(|(_, s)| s.as_str())).await?;
    let mut errors = FieldErrors::new();
    for (field, code) in locations {
        if !known_locations.contains(code.as_str()) {
            errors.push(*field, format!("no location has code {code}"));
        }
    }
    for (field, sku) in skus {
        if !known_items.contains(sku.as_str()) {
            errors.push(field.clone(), format!("no item has SKU {sku}"));
        }
    }
    Ok(errors.into_result())
}

pub(super) fn line_skus<'a>(skus: impl Iterator<Item = &'a Sku>) -> Vec<(String, &'a Sku)> {
    skus.enumerate()
        .map(|(i, s)| (format!("lines[{i}].sku"), s))
        .collect()
}
