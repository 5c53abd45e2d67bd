//! The `/v1` API: one module per resource, each with its own `router()`.

pub mod alerts;
pub mod availability;
pub mod backorders;
pub mod backtest;
pub mod carriers;
pub mod channels;
pub mod common;
pub mod drop_ship;
pub mod fulfillment;
pub mod holds;
pub mod inventory;
pub mod items;
pub mod locations;
pub mod order_body;
pub mod order_holds;
pub mod order_view;
pub mod orders;
pub mod reoptimize;
pub mod reroute;
pub mod routing;
pub mod schemas;
pub mod shipments;
pub mod supply;
pub mod sync;
pub mod work_alerts;

use std::sync::Arc;

use ordo_app::App;
use utoipa_axum::router::OpenApiRouter;

pub fn v1(sync_body_max_bytes: usize) -> OpenApiRouter<Arc<App>> {
    OpenApiRouter::new()
        .nest(
            "/v1/locations",
            locations::router().merge(fulfillment::locations_router()),
        )
        .nest("/v1/items", items::router())
        .nest("/v1/inventory/thresholds", alerts::thresholds_router())
        .nest(
            "/v1/inventory",
            inventory::router().merge(sync::router(sync_body_max_bytes)),
        )
        .nest("/v1/events", alerts::events_router())
        .nest("/v1/availability", availability::router())
        .nest(
            "/v1/channels",
            channels::channels_router().merge(channels::stock_rules_router()),
        )
        .nest("/v1/api-keys", channels::api_keys_router())
        .nest(
            "/v1/orders",
            orders::router()
                .merge(routing::order_routing_router())
                .merge(order_holds::router()),
        )
        .nest("/v1/routing/profiles", routing::profiles_router())
        .nest("/v1/routing/backtest", backtest::router())
        .nest("/v1/routing/reoptimize", reoptimize::router())
        .nest("/v1/holds", holds::holds_router())
        .nest("/v1/backorders", backorders::router())
        .nest("/v1/transfers", supply::transfers_router())
        .nest("/v1/inbound", supply::inbound_router())
        .nest(
            "/v1/allocations",
            holds::allocations_router().merge(reroute::allocations_router()),
        )
        .nest("/v1/exceptions", reroute::exceptions_router())
        .nest("/v1/purchase-requests", drop_ship::router())
        .nest("/v1/fulfillment-orders", fulfillment::router())
        .nest("/v1/carriers", carriers::router())
        .nest("/v1/shipping", carriers::shipping_router())
        .nest("/v1/shipments", shipments::router())
        .nest("/v1/tracking-events", shipments::tracking_router())
        .nest("/v1/alerts", work_alerts::router())
}
