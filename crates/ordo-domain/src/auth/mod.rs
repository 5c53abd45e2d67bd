//! Who may do what: API key roles, the principal a request acts as, and the table of what
//! each role may do ([`access`]).

pub mod access;

pub use access::{Action, Denied, Grant, Owner, Resource, Scope};

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

impl Principal {
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

    #[test]
    fn key_scope_pairs_roles_with_channels() {
        let web = ChannelCode::parse("web").unwrap();
        assert!(check_key_scope(Role::Channel, Some(&web), None).is_ok());
        assert!(check_key_scope(Role::Channel, None, None).is_err());
        assert!(check_key_scope(Role::Admin, Some(&web), None).is_err());
    }
}
