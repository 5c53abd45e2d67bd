//! Orders: placing them through the writer, reading them, their timeline, cancelling. A
//! channel's key sees and changes only that channel's orders; others look like they do not
//! exist.

use ordo_domain::auth::{Action, Principal, Scope};
use ordo_domain::order::{OrderDraft, OrderEvent, PlaceRejection};
use ordo_store::ids::new_id;
use ordo_store::{IdempotencyClaim, OrderFilter, OrderKey, OrderRecord, Page, PageRequest};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::place_command::{PlaceCommand, PlaceOutcome};

/// Longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_LEN_MAX: usize = 255;

pub struct PlaceRequest {
    pub draft: OrderDraft,
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// A hash of the request body, to tell a replay from a reuse of the key.
    pub request_hash: String,
}

pub enum Placed {
    New(OrderRecord),
    /// The same request came before under the same idempotency key: this is its order.
    Replayed(OrderRecord),
}

impl App {
    pub async fn place_order(
        &self,
        principal: &Principal,
        request: PlaceRequest,
    ) -> AppResult<Placed> {
        let channel = request.draft.channel.clone();
        let scope = principal.scope(Action::PlaceOrders)?;
        crate::holds::own_channel(scope, Some(channel.clone()))?;
        let now_ms = self.clock.now_ms();
        let mut draft = request.draft;
        // An address that fails its checks does not refuse the order: it holds it.
        draft.address_problems = draft
            .ship_to
            .as_mut()
            .map(ordo_domain::order::address::check_ship_to)
            .unwrap_or_default();
        let command = PlaceCommand {
            order_id: new_id("ord", now_ms),
            idempotency: request.idempotency_key.map(|key| IdempotencyClaim {
                // Scoped by channel: keys from different channels never collide, and a channel
                // keeps its keys across API-key rotations.
                scope: format!("orders:{channel}"),
                key,
                request_hash: request.request_hash,
            }),
            draft,
            actor: principal.actor(),
            now_ms,
        };
        let outcome = self.writer.place(command).await?;
        let label = [("channel", channel.to_string())];
        match outcome {
            PlaceOutcome::Placed(record) => {
                metrics::counter!("ordo_orders_placed_total", &label).increment(1);
                let units: i64 = record.reservations.iter().map(|r| r.quantity).sum();
                metrics::counter!("ordo_units_reserved_total").increment(units as u64);
                Ok(Placed::New(record))
            }
            PlaceOutcome::Replayed(record) => Ok(Placed::Replayed(record)),
            other => {
                let reason = match &other {
                    PlaceOutcome::Rejected(PlaceRejection::Short(_)) => "insufficient_stock",
                    PlaceOutcome::Rejected(_) => "invalid",
                    PlaceOutcome::Duplicate { .. } => "duplicate",
                    _ => "idempotency_key_reused",
                };
                metrics::counter!("ordo_orders_rejected_total", "reason" => reason).increment(1);
                Err(rejection(other))
            }
        }
    }

    /// An order by id or number, if this principal may see it.
    pub async fn order(&self, principal: &Principal, id_or_number: &str) -> AppResult<OrderRecord> {
        self.order_in(principal.scope(Action::ReadOrders)?, id_or_number)
            .await
    }

    /// An order by id or number within a scope: another channel's looks like it does not
    /// exist.
    pub(crate) async fn order_in(
        &self,
        scope: Scope<'_>,
        id_or_number: &str,
    ) -> AppResult<OrderRecord> {
        let record = self.store.order(&OrderKey::parse(id_or_number)).await?;
        record
            .filter(|r| scope.channel().is_none_or(|own| *own == r.order.channel))
            .ok_or_else(|| AppError::NotFound(format!("order {id_or_number}")))
    }

    pub async fn orders(
        &self,
        principal: &Principal,
        mut filter: OrderFilter,
        page: &PageRequest,
    ) -> AppResult<Page<OrderRecord>> {
        if let Some(own) = principal.scope(Action::ReadOrders)?.channel() {
            if filter.channel.as_ref().is_some_and(|c| c != own) {
                return Ok(Page {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            filter.channel = Some(own.clone());
        }
        Ok(self.store.orders(&filter, page).await?)
    }

    pub async fn order_events(
        &self,
        principal: &Principal,
        id_or_number: &str,
    ) -> AppResult<Vec<OrderEvent>> {
        let record = self.order(principal, id_or_number).await?;
        Ok(self.store.order_events(&record.order.id).await?)
    }
}

fn rejection(outcome: PlaceOutcome) -> AppError {
    match outcome {
        PlaceOutcome::Rejected(PlaceRejection::Short(lines)) => AppError::InsufficientStock(lines),
        PlaceOutcome::Rejected(PlaceRejection::Invalid(errors)) => AppError::Invalid(errors),
        PlaceOutcome::Rejected(PlaceRejection::Internal(message)) => AppError::Internal(message),
        PlaceOutcome::Duplicate { order_id, number } => {
            AppError::DuplicateOrder { order_id, number }
        }
        PlaceOutcome::KeyReused { order_id } => AppError::IdempotencyKeyReused {
            order_id: Some(order_id),
        },
        PlaceOutcome::Placed(_) | PlaceOutcome::Replayed(_) => {
            AppError::Internal("a placed order taken for a rejection".into())
        }
    }
}

/// A hash of a JSON request that does not depend on member order or white space, so that a
/// client's replay matches however its JSON library writes the body.
pub fn request_hash(document: &serde_json::Value) -> String {
    fn canonical(value: &serde_json::Value, out: &mut String) {
        use serde_json::Value;
        match value {
            Value::Object(members) => {
                let mut keys: Vec<&String> = members.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    canonical(&members[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut text = String::new();
    canonical(document, &mut text);
    crate::auth::hash_secret(&text)
}

#[cfg(test)]
mod tests {
    use super::request_hash;
    use serde_json::json;

    #[test]
    fn the_request_hash_ignores_member_order_but_not_values() {
        let a = json!({ "a": 1, "b": [1, { "x": "y", "z": 2 }] });
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "b": [1, {"z": 2, "x": "y"}], "a": 1 }"#).unwrap();
        assert_eq!(request_hash(&a), request_hash(&b));
        assert_ne!(
            request_hash(&a),
            request_hash(&json!({ "a": 2, "b": [1, { "x": "y", "z": 2 }] }))
        );
    }
}
