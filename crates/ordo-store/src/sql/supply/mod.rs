//! Transfers between locations ([`transfers`]) and inbound supply — purchase orders and ship
//! notices ([`inbound`]) — as the store reads and writes them.

mod inbound;
mod transfers;

pub(crate) use inbound::{inbound, inbound_list};
pub(crate) use transfers::{transfer, transfers};
