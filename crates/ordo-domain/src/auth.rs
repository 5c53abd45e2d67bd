//! Who may do what: API key roles and the principal a request acts as.

use crate::values::{ChannelCode, LocationCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything.
    Admin,
    /// Create and read its own channel's orders, read availability.
    Channel,
    /// Read everything, change nothing.
    ReadOnly,
    /// A location's system (a WMS, a store app): read reference data and stock, and work its
    /// own location's fulfilment orders.
    Location,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Channel => "channel",
            Self::ReadOnly => "read_only",
            Self::Location => "location",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "admin" => Ok(Self::Admin),
            "channel" => Ok(Self::Channel),
            "read_only" => Ok(Self::ReadOnly),
            "location" => Ok(Self::Location),
            _ => Err("must be one of admin, channel, read_only, location".into()),
        }
    }
}

/// A stored API key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    /// The first characters of the secret, to tell keys apart in listings.
    pub prefix: String,
    pub role: Role,
    pub channel: Option<ChannelCode>,
    /// The location a `location` key works for.
    pub location: Option<LocationCode>,
    /// What the key is for, as the admin who made it said (`Hamburg WMS`).
    pub name: Option<String>,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// Checks that a role and its scope belong together: channel keys name their channel,
/// location keys their location, others neither. Answers the field at fault and why.
pub fn check_key_scope(
    role: Role,
    channel: Option<&ChannelCode>,
    location: Option<&LocationCode>,
) -> Result<(), (&'static str, String)> {
    match (role, channel, location) {
        (Role::Channel, None, _) => {
            Err(("channel", "is required for a key with role channel".into()))
        }
        (Role::Location, _, None) => Err((
            "location",
            "is required for a key with role location".into(),
        )),
        (Role::Admin | Role::ReadOnly | Role::Location, Some(_), _) => Err((
            "channel",
            "may only be given for a key with role channel".into(),
        )),
        (Role::Admin | Role::ReadOnly | Role::Channel, _, Some(_)) => Err((
            "location",
            "may only be given for a key with role location".into(),
        )),
        _ => Ok(()),
    }
}

/// The caller of a request, from its API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub key_id: String,
    pub role: Role,
    pub channel: Option<ChannelCode>,
    pub location: Option<LocationCode>,
}

/// What a principal asks to do; [`Principal::may`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read reference data and stock: locations, items, inventory, channels.
    ReadCatalog,
    /// Read availability to promise.
    ReadAvailability,
    /// Change reference data, stock, channels or keys; read keys.
    Administer,
    /// Create an order of this channel.
    WriteOrder(&'a ChannelCode),
    /// Change (cancel) orders; a channel principal is further limited to its own channel's.
    ChangeOrders,
    /// Read orders; a channel principal is further limited to its own channel's orders.
    ReadOrders,
    /// Work a location's fulfilment orders: accept, pick, pack, ship, print.
    Fulfil(&'a LocationCode),
}

/// What a caller's role must allow before Ordo reads what it sends: a key that may never do
/// something is refused whatever its body says. Scope — which channel, which location — is
/// checked afterwards, against the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Administer,
    /// Place orders (for some channel).
    WriteOrders,
    ChangeOrders,
    /// Work fulfilment orders (at some location).
    Work,
    ReadCatalog,
}

impl Principal {
    /// Whether the role could ever pass: [`may`](Self::may) decides the rest.
    pub fn passes(&self, gate: Gate) -> bool {
        match gate {
            Gate::Administer => self.may(Action::Administer),
            Gate::WriteOrders => matches!(self.role, Role::Admin | Role::Channel),
            Gate::ChangeOrders => self.may(Action::ChangeOrders),
            Gate::Work => matches!(self.role, Role::Admin | Role::Location),
            Gate::ReadCatalog => self.may(Action::ReadCatalog),
        }
    }

    pub fn may(&self, action: Action<'_>) -> bool {
        match (self.role, action) {
            (Role::Admin, _) => true,
            (
                Role::ReadOnly,
                Action::ReadCatalog | Action::ReadAvailability | Action::ReadOrders,
            ) => true,
            (Role::ReadOnly, _) => false,
            (
                Role::Channel,
                Action::ReadAvailability | Action::ReadOrders | Action::ChangeOrders,
            ) => true,
            (Role::Channel, Action::WriteOrder(channel)) => self.channel.as_ref() == Some(channel),
            (Role::Channel, _) => false,
            (Role::Location, Action::ReadCatalog) => true,
            (Role::Location, Action::Fulfil(location)) => self.location.as_ref() == Some(location),
            (Role::Location, _) => false,
        }
    }

    /// The only channel whose orders this principal may see, if it is limited to one.
    pub fn order_scope(&self) -> Option<&ChannelCode> {
        match self.role {
            Role::Channel => self.channel.as_ref(),
            _ => None,
        }
    }

    /// How this principal appears in timelines and ledgers.
    pub fn actor(&self) -> String {
        match (&self.role, &self.channel) {
            (Role::Channel, Some(channel)) => format!("channel:{channel}:{}", self.key_id),
            (Role::Location, _) if self.location.is_some() => format!(
                "location:{}:{}",
                self.location.as_ref().map_or("", |l| l.as_str()),
                self.key_id
            ),
            (role, _) => format!("{}:{}", role.as_str(), self.key_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, channel: Option<&str>) -> Principal {
        Principal {
            key_id: "key_1".into(),
            role,
            channel: channel.map(|c| ChannelCode::parse(c).unwrap()),
            location: None,
        }
    }

    #[test]
    fn a_channel_key_writes_only_its_own_channels_orders() {
        let web = ChannelCode::parse("web").unwrap();
        let pos = ChannelCode::parse("pos").unwrap();
        let key = principal(Role::Channel, Some("web"));
        assert!(key.may(Action::WriteOrder(&web)));
        assert!(!key.may(Action::WriteOrder(&pos)));
        assert!(key.may(Action::ReadAvailability));
        assert!(key.may(Action::ChangeOrders));
        assert!(!key.may(Action::ReadCatalog));
        assert!(!key.may(Action::Administer));
        assert_eq!(key.order_scope(), Some(&web));
    }

    #[test]
    fn read_only_reads_and_admin_does_everything() {
        let web = ChannelCode::parse("web").unwrap();
        let reader = principal(Role::ReadOnly, None);
        assert!(reader.may(Action::ReadCatalog) && reader.may(Action::ReadOrders));
        assert!(!reader.may(Action::WriteOrder(&web)) && !reader.may(Action::Administer));
        assert!(!reader.may(Action::ChangeOrders));
        let admin = principal(Role::Admin, None);
        assert!(admin.may(Action::Administer) && admin.may(Action::WriteOrder(&web)));
        assert_eq!(admin.order_scope(), None);
    }

    #[test]
    fn key_scope_pairs_roles_with_channels() {
        let web = ChannelCode::parse("web").unwrap();
        assert!(check_key_scope(Role::Channel, Some(&web), None).is_ok());
        assert!(check_key_scope(Role::Channel, None, None).is_err());
        assert!(check_key_scope(Role::Admin, Some(&web), None).is_err());
    }
}
