//! What placing takes and gives: a command per order, and what became of it.

use ordo_domain::order::{OrderDraft, PlaceRejection, Placement};
use ordo_store::{IdempotencyClaim, OrderRecord};

/// An order to place, with the id it will have and the key it claims.
#[derive(Debug, Clone)]
pub struct PlaceCommand {
    pub order_id: String,
    pub draft: OrderDraft,
    pub idempotency: Option<IdempotencyClaim>,
    pub actor: String,
    pub now_ms: i64,
}

/// What became of one order of a batch.
#[derive(Debug)]
pub enum PlaceOutcome {
    Placed(OrderRecord),
    /// The idempotency key was used before with the same request: here is that order.
    Replayed(OrderRecord),
    /// The idempotency key was used before with a different request.
    KeyReused {
        order_id: String,
    },
    /// The channel already sent an order with this external id.
    Duplicate {
        order_id: String,
        number: String,
    },
    Rejected(PlaceRejection),
}

/// What one command came to while its batch was decided.
pub(crate) enum Decided {
    Done(Box<PlaceOutcome>),
    Placed(Box<Placement>),
    /// The same request came before: its order is read once the batch has committed.
    Replay(String),
}

/// Keys for the maps of what the batch found stored.
pub(crate) fn claim_key(claim: &IdempotencyClaim) -> (String, String) {
    (claim.scope.clone(), claim.key.clone())
}

/// (channel, external id) of a command.
pub(crate) fn external_key(command: &PlaceCommand) -> (String, String) {
    let draft = &command.draft;
    (draft.channel.to_string(), draft.external_id.clone())
}
