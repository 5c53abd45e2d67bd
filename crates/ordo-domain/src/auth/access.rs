//! Who may do what: one table, action × role, each cell a [`Grant`]. The server consults it
//! for every route before the body is read, use cases consult it for the scope they work in,
//! and the documentation is rendered from it ([`markdown`]).

use super::{Principal, Role};
use crate::values::{ChannelCode, LocationCode};

/// What a caller asks to do. Each action is one row of [`TABLE`], in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadOrders,
    PlaceOrders,
    ChangeOrders,
    HoldOrders,
    HoldOrdersAnyReason,
    ReadCheckoutHolds,
    WriteCheckoutHolds,
    ReadAvailability,
    ReadCatalog,
    WriteCatalog,
    ReadStock,
    WriteStock,
    ReadWork,
    DoWork,
    ReadShipments,
    RecordTracking,
    ReadManifests,
    ReadAlerts,
    ActOnAlerts,
    ReadExceptions,
    ReadPurchaseRequests,
    ReadEvents,
    Operate,
    ManageKeys,
    ReadMetrics,
}

/// How far a role may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Never.
    No,
    /// On what belongs to the key's own channel (a channel key) or location (a location key).
    Own,
    /// On everything.
    All,
}

/// One action's row: its name, what it covers, and the grant of each role in [`ROLES`] order.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub action: Action,
    pub name: &'static str,
    pub what: &'static str,
    pub grants: [Grant; 4],
}

/// The table's columns.
pub const ROLES: [Role; 4] = [Role::Admin, Role::Channel, Role::ReadOnly, Role::Location];

use Action as Do;
use Grant::{All as A, No as N, Own as O};

const fn row(action: Action, name: &'static str, what: &'static str, grants: [Grant; 4]) -> Row {
    Row {
        action,
        name,
        what,
        grants,
    }
}

/// Columns: admin, channel, read_only, location.
#[rustfmt::skip]
pub const TABLE: [Row; 25] = [
    row(Do::ReadOrders, "orders.read", "read orders with their events, holds and routing decisions; list backorders", [A, O, A, N]),
    row(Do::PlaceOrders, "orders.place", "place orders", [A, O, N, N]),
    row(Do::ChangeOrders, "orders.change", "edit and cancel orders", [A, O, N, N]),
    row(Do::HoldOrders, "orders.hold", "place and release `customer_request` holds on orders", [A, O, N, N]),
    row(Do::HoldOrdersAnyReason, "orders.hold_any", "place and release order holds of every reason (payment, fraud risk, address, inventory, shipping, manual)", [A, N, N, N]),
    row(Do::ReadCheckoutHolds, "checkout_holds.read", "read checkout holds", [A, O, A, N]),
    row(Do::WriteCheckoutHolds, "checkout_holds.write", "place and release checkout holds, within the channel's hold limits", [A, O, N, N]),
    row(Do::ReadAvailability, "availability.read", "read availability to promise", [A, O, A, N]),
    row(Do::ReadCatalog, "catalog.read", "read locations, items, channels and their stock rules, carriers and rate quotes, stock thresholds, routing profiles, the backorder policy", [A, N, A, A]),
    row(Do::WriteCatalog, "catalog.write", "change locations, items, channels and their stock rules, carriers and shipping settings, stock thresholds, routing profiles, the backorder policy", [A, N, N, N]),
    row(Do::ReadStock, "stock.read", "read inventory positions, the ledger, transfers and inbound supply", [A, N, A, A]),
    row(Do::WriteStock, "stock.write", "adjust, count, reclassify and sync stock; create, ship, receive and cancel transfers and inbound supply", [A, N, N, N]),
    row(Do::ReadWork, "work.read", "read fulfilment orders and packing slips; a location's work list and pick list", [A, O, A, O]),
    row(Do::DoWork, "work.do", "take fulfilment orders through accept, pick, pack, ship, reject and confirm-cancel", [A, N, N, O]),
    row(Do::ReadShipments, "shipments.read", "read shipments and their labels", [A, O, A, O]),
    row(Do::RecordTracking, "tracking.record", "record carrier tracking events", [A, N, N, N]),
    row(Do::ReadManifests, "manifests.read", "read a carrier's end-of-day manifest for a location", [A, N, A, O]),
    row(Do::ReadAlerts, "alerts.read", "read fulfilment alerts", [A, O, A, O]),
    row(Do::ActOnAlerts, "alerts.act", "acknowledge and resolve fulfilment alerts", [A, N, N, O]),
    row(Do::ReadExceptions, "exceptions.read", "read routing exceptions", [A, O, A, N]),
    row(Do::ReadPurchaseRequests, "purchase_requests.read", "read drop-ship purchase requests", [A, O, A, O]),
    row(Do::ReadEvents, "events.read", "read the event feed", [A, N, A, N]),
    row(Do::Operate, "operations", "release work now, ship or reject allocations, resolve routing exceptions, scan for alerts, re-optimise, backtest", [A, N, N, N]),
    row(Do::ManageKeys, "keys.manage", "create, list and revoke API keys", [A, N, N, N]),
    row(Do::ReadMetrics, "metrics.read", "read the Prometheus metrics at `/metrics`", [A, N, A, N]),
];

impl Action {
    pub fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.row().name
    }

    pub fn grant(self, role: Role) -> Grant {
        let column = ROLES.iter().position(|r| *r == role).unwrap_or(0);
        self.row().grants[column]
    }
}

/// What a principal may reach with an action: everything, or one channel's or location's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    Channel(&'a ChannelCode),
    Location(&'a LocationCode),
}

/// Whom a resource belongs to: the channel of its order, the location that works it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    pub channel: Option<ChannelCode>,
    pub location: Option<LocationCode>,
}

impl<'a> Scope<'a> {
    /// The channel the caller is limited to, if any.
    pub fn channel(&self) -> Option<&'a ChannelCode> {
        match self {
            Self::Channel(c) => Some(c),
            _ => None,
        }
    }

    /// The location the caller is limited to, if any.
    pub fn location(&self) -> Option<&'a LocationCode> {
        match self {
            Self::Location(l) => Some(l),
            _ => None,
        }
    }

    pub fn covers(&self, owner: &Owner) -> bool {
        match self {
            Self::All => true,
            Self::Channel(c) => owner.channel.as_ref() == Some(*c),
            Self::Location(l) => owner.location.as_ref() == Some(*l),
        }
    }
}

/// What a route names in its path: the resource whose [`Owner`] decides an `Own` grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Order,
    FulfillmentOrder,
    Shipment,
    CheckoutHold,
    Alert,
    /// A location's own pages (its work list, its pick list): another location's are
    /// refused, not hidden, since locations are no secret.
    Location,
}

impl Resource {
    pub fn noun(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::FulfillmentOrder => "fulfilment order",
            Self::Shipment => "shipment",
            Self::CheckoutHold => "hold",
            Self::Alert => "alert",
            Self::Location => "location",
        }
    }
}

/// A refusal by the table: the role may never take the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {} key may not {}", .role.as_str(), .action.row().what)]
pub struct Denied {
    pub role: Role,
    pub action: Action,
}

impl Principal {
    /// What this principal may reach with `action`, or why it may not act at all.
    pub fn scope(&self, action: Action) -> Result<Scope<'_>, Denied> {
        let denied = Denied {
            role: self.role,
            action,
        };
        match action.grant(self.role) {
            Grant::No => Err(denied),
            Grant::All => Ok(Scope::All),
            Grant::Own => match (self.role, &self.channel, &self.location) {
                (Role::Channel, Some(channel), _) => Ok(Scope::Channel(channel)),
                (Role::Location, _, Some(location)) => Ok(Scope::Location(location)),
                _ => Err(denied),
            },
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.scope(action).is_ok()
    }
}

/// The table as a Markdown table, for the documentation.
pub fn markdown() -> String {
    let mut out = String::from("| action | what it covers |");
    for role in ROLES {
        out.push_str(&format!(" `{}` |", role.as_str()));
    }
    out.push_str("\n|---|---|---|---|---|---|\n");
    for row in &TABLE {
        out.push_str(&format!("| `{}` | {} |", row.name, row.what));
        for (role, grant) in ROLES.iter().zip(row.grants) {
            let cell = match (grant, role) {
                (Grant::No, _) => "—",
                (Grant::All, _) => "all",
                (Grant::Own, Role::Location) => "own location",
                (Grant::Own, _) => "own channel",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, channel: Option<&str>, location: Option<&str>) -> Principal {
        Principal {
            key_id: "key_1".into(),
            role,
            channel: channel.map(|c| ChannelCode::parse(c).unwrap()),
            location: location.map(|l| LocationCode::parse(l).unwrap()),
        }
    }

    #[test]
    fn each_action_is_its_own_row_and_names_are_unique() {
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.action as usize, i, "{} is out of place", row.name);
        }
        let mut names: Vec<_> = TABLE.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
        assert!(
            TABLE.iter().all(|r| r.grants[0] == Grant::All),
            "admin may do everything"
        );
        assert!(
            TABLE.iter().all(|r| r.grants[2] != Grant::Own),
            "read_only has no scope of its own"
        );
    }

    #[test]
    fn own_grants_scope_channel_and_location_keys() {
        let web = principal(Role::Channel, Some("web"), None);
        assert_eq!(
            web.scope(Action::ReadOrders)
                .unwrap()
                .channel()
                .unwrap()
                .as_str(),
            "web"
        );
        assert!(web.scope(Action::HoldOrdersAnyReason).is_err());
        assert!(!web.may(Action::ReadCatalog));
        let store = principal(Role::Location, None, Some("ST-1"));
        let scope = store.scope(Action::DoWork).unwrap();
        let mine = Owner {
            channel: None,
            location: Some(LocationCode::parse("ST-1").unwrap()),
        };
        let theirs = Owner {
            channel: None,
            location: Some(LocationCode::parse("ST-2").unwrap()),
        };
        assert!(scope.covers(&mine) && !scope.covers(&theirs));
        assert!(store.scope(Action::ReadOrders).is_err());
        let reader = principal(Role::ReadOnly, None, None);
        assert_eq!(reader.scope(Action::ReadManifests), Ok(Scope::All));
        assert!(!reader.may(Action::ChangeOrders));
        let denied = reader.scope(Action::ManageKeys).unwrap_err();
        assert_eq!(
            denied.to_string(),
            "a read_only key may not create, list and revoke API keys"
        );
    }

    #[test]
    fn the_markdown_has_a_row_per_action() {
        let table = markdown();
        assert_eq!(table.lines().count(), TABLE.len() + 2);
        assert!(table.contains("| `work.do` | take fulfilment orders"));
        assert!(table.contains("| all | — | — | own location |"));
    }
}
