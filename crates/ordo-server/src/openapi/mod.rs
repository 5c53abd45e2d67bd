//! The OpenAPI 3.1 description, served at `/openapi.json` and browsable at `/docs` (Swagger UI,
//! its assets compiled into the binary): derived from the routes, then finished by rule
//! ([`finish`]) with the enums of the domain ([`enums`]).

mod enums;
mod finish;

pub use finish::ENUM_NAMES;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ordo",
        description = "Order management: capture orders from every channel, promise only what can be delivered, \
                       and follow every order. Every /v1 call needs `Authorization: Bearer <API key>`. Errors are \
                       RFC 9457 problem details.",
    ),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "orders", description = "Capture, read and cancel orders; their timelines"),
                (name = "inventory", description = "Stock positions, counts, adjustments, the ledger, availability"),
                (name = "holds", description = "Checkout holds: units set aside while a shopper checks out"),
        (name = "supply", description = "Transfers between locations; purchase orders and ship notices"),
        (name = "routing", description = "Routing profiles: which locations fulfil a channel's orders, and how the plan is chosen"),
        (name = "locations", description = "Warehouses, stores, suppliers and 3PLs"),
        (name = "items", description = "SKUs"),
        (name = "channels", description = "Where orders come from"),
        (name = "api-keys", description = "Who may call, with which role"),
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "api_key",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The finished description, as served.
pub fn document(api: utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(&api).unwrap_or_default();
    finish::finish(&mut doc);
    doc
}
