//! Every route's action in the access table (`ordo_domain::auth::access`), and the resource
//! its path names. The authentication middleware looks a request up here and asks the app
//! to authorise it before any handler reads the body; a route missing here is refused.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::Method;
use ordo_domain::auth::{Action, Resource};

/// A route: method, path as the router matches it, its action, and the path parameter that
/// names the resource whose owner decides an `Own` grant.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    pub target: Option<(Resource, &'static str)>,
}

const fn route(method: Method, path: &'static str, action: Action) -> Route {
    Route {
        method,
        path,
        action,
        target: None,
    }
}

const fn on(
    method: Method,
    path: &'static str,
    action: Action,
    resource: Resource,
    param: &'static str,
) -> Route {
    Route {
        method,
        path,
        action,
        target: Some((resource, param)),
    }
}

use Action as A;
use Resource as R;
const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const PATCH: Method = Method::PATCH;
const DELETE: Method = Method::DELETE;

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route(GET, "/v1/orders", A::ReadOrders),
    route(POST, "/v1/orders", A::PlaceOrders),
    on(GET, "/v1/orders/{id}", A::ReadOrders, R::Order, "id"),
    on(PATCH, "/v1/orders/{id}", A::ChangeOrders, R::Order, "id"),
    on(POST, "/v1/orders/{id}/cancel", A::ChangeOrders, R::Order, "id"),
    on(GET, "/v1/orders/{id}/events", A::ReadOrders, R::Order, "id"),
    on(GET, "/v1/orders/{id}/routing", A::ReadOrders, R::Order, "id"),
    on(GET, "/v1/orders/{id}/holds", A::ReadOrders, R::Order, "id"),
    on(POST, "/v1/orders/{id}/holds", A::HoldOrders, R::Order, "id"),
    on(POST, "/v1/orders/{id}/holds/{hold_id}/release", A::HoldOrders, R::Order, "id"),
    route(GET, "/v1/backorders", A::ReadOrders),
    route(GET, "/v1/backorders/policy", A::ReadCatalog),
    route(PUT, "/v1/backorders/policy", A::WriteCatalog),
    route(POST, "/v1/holds", A::WriteCheckoutHolds),
    on(GET, "/v1/holds/{id}", A::ReadCheckoutHolds, R::CheckoutHold, "id"),
    on(DELETE, "/v1/holds/{id}", A::WriteCheckoutHolds, R::CheckoutHold, "id"),
    route(GET, "/v1/availability", A::ReadAvailability),
    route(GET, "/v1/locations", A::ReadCatalog),
    route(POST, "/v1/locations", A::WriteCatalog),
    route(GET, "/v1/locations/{code}", A::ReadCatalog),
    route(PATCH, "/v1/locations/{code}", A::WriteCatalog),
    on(GET, "/v1/locations/{code}/fulfillment-orders", A::ReadWork, R::Location, "code"),
    on(GET, "/v1/locations/{code}/pick-list", A::ReadWork, R::Location, "code"),
    route(GET, "/v1/items", A::ReadCatalog),
    route(POST, "/v1/items", A::WriteCatalog),
    route(GET, "/v1/items/{sku}", A::ReadCatalog),
    route(PATCH, "/v1/items/{sku}", A::WriteCatalog),
    route(GET, "/v1/channels", A::ReadCatalog),
    route(POST, "/v1/channels", A::WriteCatalog),
    route(GET, "/v1/channels/{code}/stock-rules", A::ReadCatalog),
    route(PUT, "/v1/channels/{code}/stock-rules", A::WriteCatalog),
    route(GET, "/v1/carriers", A::ReadCatalog),
    route(GET, "/v1/carriers/{code}", A::ReadCatalog),
    route(PUT, "/v1/carriers/{code}", A::WriteCatalog),
    route(GET, "/v1/carriers/{code}/manifest", A::ReadManifests),
    route(POST, "/v1/shipping/rates", A::ReadCatalog),
    route(PUT, "/v1/shipping/settings", A::WriteCatalog),
    route(GET, "/v1/inventory/thresholds", A::ReadCatalog),
    route(PUT, "/v1/inventory/thresholds", A::WriteCatalog),
    route(DELETE, "/v1/inventory/thresholds", A::WriteCatalog),
    route(GET, "/v1/routing/profiles", A::ReadCatalog),
    route(POST, "/v1/routing/profiles", A::WriteCatalog),
    route(GET, "/v1/routing/profiles/{id}", A::ReadCatalog),
    route(PUT, "/v1/routing/profiles/{id}/draft", A::WriteCatalog),
    route(DELETE, "/v1/routing/profiles/{id}/draft", A::WriteCatalog),
    route(POST, "/v1/routing/profiles/{id}/activate", A::WriteCatalog),
    route(GET, "/v1/inventory", A::ReadStock),
    route(GET, "/v1/inventory/ledger", A::ReadStock),
    route(POST, "/v1/inventory/adjustments", A::WriteStock),
    route(POST, "/v1/inventory/reclassifications", A::WriteStock),
    route(POST, "/v1/inventory/sync", A::WriteStock),
    route(PUT, "/v1/inventory/{location}/{sku}", A::WriteStock),
    route(GET, "/v1/transfers", A::ReadStock),
    route(POST, "/v1/transfers", A::WriteStock),
    route(GET, "/v1/transfers/{id}", A::ReadStock),
    route(POST, "/v1/transfers/{id}/ship", A::WriteStock),
    route(POST, "/v1/transfers/{id}/receive", A::WriteStock),
    route(POST, "/v1/transfers/{id}/cancel", A::WriteStock),
    route(GET, "/v1/inbound", A::ReadStock),
    route(POST, "/v1/inbound", A::WriteStock),
    route(GET, "/v1/inbound/{id}", A::ReadStock),
    route(POST, "/v1/inbound/{id}/receive", A::WriteStock),
    route(POST, "/v1/inbound/{id}/cancel", A::WriteStock),
    on(GET, "/v1/fulfillment-orders/{id}", A::ReadWork, R::FulfillmentOrder, "id"),
    on(GET, "/v1/fulfillment-orders/{id}/packing-slip", A::ReadWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/accept", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/start-pick", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/pick", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/pack", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/ship", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/reject", A::DoWork, R::FulfillmentOrder, "id"),
    on(POST, "/v1/fulfillment-orders/{id}/confirm-cancel", A::DoWork, R::FulfillmentOrder, "id"),
    route(GET, "/v1/shipments", A::ReadShipments),
    on(GET, "/v1/shipments/{id}", A::ReadShipments, R::Shipment, "id"),
    on(GET, "/v1/shipments/{id}/label", A::ReadShipments, R::Shipment, "id"),
    route(POST, "/v1/tracking-events", A::RecordTracking),
    route(GET, "/v1/alerts", A::ReadAlerts),
    on(POST, "/v1/alerts/{id}/acknowledge", A::ActOnAlerts, R::Alert, "id"),
    on(POST, "/v1/alerts/{id}/resolve", A::ActOnAlerts, R::Alert, "id"),
    route(GET, "/v1/exceptions", A::ReadExceptions),
    route(GET, "/v1/purchase-requests", A::ReadPurchaseRequests),
    route(GET, "/v1/events", A::ReadEvents),
    route(POST, "/v1/fulfillment-orders/release", A::Operate),
    route(POST, "/v1/allocations/{id}/ship", A::Operate),
    route(POST, "/v1/allocations/{id}/reject", A::Operate),
    route(POST, "/v1/exceptions/{id}/resolve", A::Operate),
    route(POST, "/v1/alerts/scan", A::Operate),
    route(POST, "/v1/routing/reoptimize", A::Operate),
    route(POST, "/v1/routing/backtest", A::Operate),
    route(GET, "/v1/api-keys", A::ManageKeys),
    route(POST, "/v1/api-keys", A::ManageKeys),
    route(DELETE, "/v1/api-keys/{id}", A::ManageKeys),
    route(GET, "/metrics", A::ReadMetrics),
];

static BY_ROUTE: LazyLock<HashMap<(Method, &'static str), &'static Route>> = LazyLock::new(|| {
    ROUTES
        .iter()
        .map(|r| ((r.method.clone(), r.path), r))
        .collect()
});

/// The route a request matched, by method and matched path.
pub fn route_of(method: &Method, path: &str) -> Option<&'static Route> {
    BY_ROUTE.get(&(method.clone(), path)).copied()
}
