//! Limits on everything, named with their units, set in one place.

/// The limits the API enforces. Each is documented in `docs/API.md`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub request_body_max_bytes: usize,
    /// Longest a request may take before it is answered with 503.
    pub request_timeout_ms: u64,
    /// Longest a client may leave its request body without sending more before it is
    /// answered with 408 (its fault, not the server's).
    pub request_body_idle_ms: u64,
    /// Longest a client may take to send a request's headers, and to send its next request on
    /// a kept-alive connection, before the connection is closed.
    pub header_read_timeout_ms: u64,
    /// Most connections open at once; more are closed as they arrive.
    pub connections_max: usize,
    /// Most API requests worked on at once; more wait for a turn.
    pub requests_in_flight_max: usize,
    /// Longest an API request waits for a turn before it is answered 503 with Retry-After.
    pub request_queue_ms: u64,
    /// Unknown API keys a client (by address) may send at once before it is answered 429.
    pub auth_failures_burst: u32,
    /// Unknown API keys a client earns back per minute.
    pub auth_failures_per_minute: u32,
    /// Most lines one order may have.
    pub order_lines_max: usize,
    /// Most movements one adjustment request may carry.
    pub adjustments_max: usize,
    /// Most SKUs one availability request may ask about.
    pub availability_skus_max: usize,
    /// Most rows one page of a list may hold; also the default page size's ceiling.
    pub page_limit_max: u32,
    /// Page size when a list request names none.
    pub page_limit_default: u32,
    /// Most orders the writer places in one transaction.
    pub order_batch_max: usize,
    /// Orders that may wait for the writer before new ones are refused with 503.
    pub order_queue_max: usize,
    /// How often expired checkout holds are swept. Readers never wait for the sweep: an
    /// expired hold's units count as free from the moment it expires.
    pub hold_sweep_interval_ms: u64,
    /// How often allocations due at their locations (at once, or at a release wave) are
    /// released as fulfilment orders; 0 leaves releasing to `POST
    /// /v1/fulfillment-orders/release`.
    pub release_interval_ms: u64,
    /// How often fulfilment alerts are checked; 0 leaves it to `POST /v1/alerts/scan`.
    pub alert_scan_interval_ms: u64,
    /// Days without tracking movement before a shipment raises an alert.
    pub alert_tracking_quiet_days: i64,
    /// Hours a location may take to accept released work before it raises an alert.
    pub alert_accept_within_hours: i64,
    /// Rows of a bulk stock sync applied per transaction.
    pub sync_batch_rows: usize,
    /// Most rows one bulk stock sync may carry.
    pub sync_rows_max: usize,
    /// Largest bulk sync body (a CSV upload, say), in bytes.
    pub sync_body_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_body_max_bytes: 256 * 1024,
            request_timeout_ms: 30_000,
            request_body_idle_ms: 10_000,
            header_read_timeout_ms: 10_000,
            connections_max: 4_096,
            requests_in_flight_max: 128,
            request_queue_ms: 100,
            auth_failures_burst: 10,
            auth_failures_per_minute: 10,
            order_lines_max: ordo_domain::order::ORDER_LINES_MAX,
            adjustments_max: 1_000,
            availability_skus_max: 100,
            page_limit_max: ordo_store::PAGE_LIMIT_MAX,
            page_limit_default: 50,
            order_batch_max: 128,
            order_queue_max: 10_000,
            hold_sweep_interval_ms: 1_000,
            release_interval_ms: 1_000,
            alert_scan_interval_ms: 60_000,
            alert_tracking_quiet_days: 3,
            alert_accept_within_hours: 4,
            sync_batch_rows: 500,
            sync_rows_max: 1_000_000,
            sync_body_max_bytes: 64 * 1024 * 1024,
        }
    }
}
