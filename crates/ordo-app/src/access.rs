//! The access table at work (`ordo_domain::auth::access`): before anything a caller sent is
//! read, its role must allow the action, and a resource the request names must be within
//! the scope of a channel or location key.

use ordo_domain::auth::{Action, Principal, Resource, Scope};

use crate::App;
use crate::error::{AppError, AppResult};

impl App {
    /// Decides whether `principal` may take `action` on `target`, the resource the request
    /// names. A role the table refuses is `Forbidden`; a resource outside the key's scope is
    /// `NotFound`, as if it did not exist — except another location's own pages, which are
    /// `Forbidden`, since locations are no secret.
    pub async fn authorize(
        &self,
        principal: &Principal,
        action: Action,
        target: Option<(Resource, &str)>,
    ) -> AppResult<()> {
        let scope = principal.scope(action)?;
        let Some((resource, id)) = target.filter(|_| scope != Scope::All) else {
            return Ok(());
        };
        match self.store.owner(resource, id).await? {
            Some(owner) if scope.covers(&owner) => Ok(()),
            Some(_) if resource == Resource::Location => Err(AppError::Forbidden(format!(
                "this key works for location {} only",
                principal.location.as_ref().map_or("", |l| l.as_str())
            ))),
            _ => Err(AppError::NotFound(format!("{} {id}", resource.noun()))),
        }
    }
}
