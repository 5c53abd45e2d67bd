-- Fulfilment: work released to locations, packages, carriers, shipments and their tracking.
-- Keep in step with postgres/0007_fulfillment.sql.

-- Allocated units handed to a location's fulfilment (a part of qty_allocated).
ALTER TABLE order_lines ADD COLUMN qty_released INTEGER NOT NULL DEFAULT 0;
-- Local times "HH:MM,HH:MM" at which a location takes released work; empty: at once.
ALTER TABLE locations ADD COLUMN release_waves TEXT NOT NULL DEFAULT '';

CREATE TABLE fulfillment_orders (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL,
    location         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('released', 'accepted', 'picking', 'picked', 'packed', 'shipped', 'rejected', 'cancelled')),
    promised_date    TEXT,
    released_at      INTEGER NOT NULL,
    accepted_at      INTEGER,
    shipped_at       INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX fulfillment_orders_by_order ON fulfillment_orders (order_id);
CREATE INDEX fulfillment_orders_by_location ON fulfillment_orders (location, status, promised_date, released_at);

CREATE TABLE fulfillment_lines (
    fulfillment_order_id TEXT NOT NULL,
    line_no              INTEGER NOT NULL,
    sku                  TEXT NOT NULL,
    quantity             INTEGER NOT NULL CHECK (quantity >= 0),
    picked               INTEGER NOT NULL CHECK (picked >= 0 AND picked <= quantity),
    shipped              INTEGER NOT NULL CHECK (shipped >= 0 AND shipped <= quantity),
    short                INTEGER NOT NULL CHECK (short >= 0),
    cancelled            INTEGER NOT NULL CHECK (cancelled >= 0),
    -- Units the order asked the location not to send, until it confirms or ships them.
    cancel_requested     INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested >= 0),
    PRIMARY KEY (fulfillment_order_id, line_no)
);

CREATE TABLE packages (
    id                   TEXT PRIMARY KEY,
    fulfillment_order_id TEXT NOT NULL,
    seq                  INTEGER NOT NULL,
    weight_g             INTEGER NOT NULL,
    length_mm            INTEGER NOT NULL,
    width_mm             INTEGER NOT NULL,
    height_mm            INTEGER NOT NULL,
    contents             TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    UNIQUE (fulfillment_order_id, seq)
);

CREATE TABLE carriers (
    code        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,
    next_serial INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One parcel handed to a carrier: a package of a fulfilment order.
CREATE TABLE shipments (
    id                   TEXT PRIMARY KEY,
    fulfillment_order_id TEXT NOT NULL,
    package_id           TEXT NOT NULL UNIQUE,
    order_id             TEXT NOT NULL,
    location             TEXT NOT NULL,
    carrier              TEXT NOT NULL,
    service              TEXT NOT NULL,
    tracking_number      TEXT NOT NULL,
    status               TEXT NOT NULL,
    cost_minor           INTEGER,
    currency             TEXT,
    promised_date        TEXT,
    expected_date        TEXT,
    shipped_at           INTEGER NOT NULL,
    delivered_at         INTEGER,
    last_event_at        INTEGER,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (carrier, tracking_number)
);
CREATE INDEX shipments_by_order ON shipments (order_id);
CREATE INDEX shipments_by_carrier_day ON shipments (carrier, shipped_at);

-- Carrier events as received; the same event twice is stored once.
CREATE TABLE tracking_events (
    id          TEXT PRIMARY KEY,
    shipment_id TEXT NOT NULL,
    event_key   TEXT NOT NULL,
    status      TEXT NOT NULL,
    carrier_code TEXT,
    at          INTEGER NOT NULL,
    place       TEXT,
    description TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (shipment_id, event_key)
);

-- Holds on an order, or on one of its fulfilment orders: typed, placed and released by someone.
CREATE TABLE order_holds (
    id                   TEXT PRIMARY KEY,
    order_id             TEXT NOT NULL,
    fulfillment_order_id TEXT,
    reason               TEXT NOT NULL CHECK (reason IN ('payment', 'fraud_risk', 'address', 'inventory', 'customer_request', 'manual')),
    note                 TEXT,
    placed_at            INTEGER NOT NULL,
    placed_by            TEXT NOT NULL,
    released_at          INTEGER,
    released_by          TEXT
);
CREATE INDEX order_holds_by_order ON order_holds (order_id);

-- Fulfilment alerts: raised once per kind and subject while unresolved; resolved by a person
-- or by the next scan when the condition has cleared.
CREATE TABLE work_alerts (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    message         TEXT NOT NULL,
    raised_at       INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    resolved_at     INTEGER,
    resolved_by     TEXT
);
CREATE INDEX work_alerts_by_status ON work_alerts (status, raised_at);

-- The releaser's search: order lines with allocated units not yet released.
CREATE INDEX order_lines_unreleased ON order_lines (order_id) WHERE qty_allocated > qty_released;

-- The location a `location` key (a WMS, a store app) works for.
ALTER TABLE api_keys ADD COLUMN location TEXT;
