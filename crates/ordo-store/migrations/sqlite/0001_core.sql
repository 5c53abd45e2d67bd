-- Ordo core schema, SQLite. Keep in step with postgres/0001_core.sql: same tables, same
-- columns, same meaning. Times are epoch milliseconds, money is integer minor units,
-- booleans are 0/1 integers (so one set of queries serves both databases).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Counters the store hands out inside its write transaction (PostgreSQL uses sequences).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('order_number', 100000);

CREATE TABLE locations (
    code                 TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    country              TEXT NOT NULL,
    region               TEXT,
    city                 TEXT NOT NULL,
    postal_code          TEXT NOT NULL,
    lat                  REAL,
    lon                  REAL,
    can_ship             INTEGER NOT NULL CHECK (can_ship IN (0, 1)),
    can_pickup           INTEGER NOT NULL CHECK (can_pickup IN (0, 1)),
    daily_order_capacity INTEGER,
    cutoff_local_time    TEXT,
    time_zone            TEXT NOT NULL,
    active               INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE items (
    sku             TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    weight_g        INTEGER,
    length_mm       INTEGER,
    width_mm        INTEGER,
    height_mm       INTEGER,
    allow_backorder INTEGER NOT NULL CHECK (allow_backorder IN (0, 1)),
    active          INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE inventory_positions (
    sku          TEXT NOT NULL REFERENCES items (sku),
    location     TEXT NOT NULL REFERENCES locations (code),
    on_hand      INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved     INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
    safety_stock INTEGER NOT NULL CHECK (safety_stock >= 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sku, location)
);
CREATE INDEX inventory_positions_by_location ON inventory_positions (location, sku);

CREATE TABLE inventory_ledger (
    id                 INTEGER PRIMARY KEY,
    at                 INTEGER NOT NULL,
    location           TEXT NOT NULL,
    sku                TEXT NOT NULL,
    kind               TEXT NOT NULL,
    on_hand_delta      INTEGER NOT NULL,
    reserved_delta     INTEGER NOT NULL,
    on_hand_after      INTEGER NOT NULL,
    reserved_after     INTEGER NOT NULL,
    safety_stock_after INTEGER NOT NULL,
    reason             TEXT,
    reference          TEXT,
    actor              TEXT NOT NULL
);
CREATE INDEX inventory_ledger_by_sku ON inventory_ledger (sku, location, id);
CREATE INDEX inventory_ledger_by_location ON inventory_ledger (location, id);

CREATE TABLE channels (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    role       TEXT NOT NULL,
    channel    TEXT REFERENCES channels (code),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    channel             TEXT NOT NULL REFERENCES channels (code),
    external_id         TEXT NOT NULL,
    status              TEXT NOT NULL,
    customer_email      TEXT NOT NULL,
    customer_name       TEXT NOT NULL,
    customer_phone      TEXT,
    ship_to_name        TEXT,
    ship_to_line1       TEXT,
    ship_to_line2       TEXT,
    ship_to_city        TEXT,
    ship_to_region      TEXT,
    ship_to_postal_code TEXT,
    ship_to_country     TEXT,
    ship_to_lat         REAL,
    ship_to_lon         REAL,
    currency            TEXT NOT NULL,
    delivery_method     TEXT NOT NULL,
    pickup_location     TEXT,
    total_minor         INTEGER NOT NULL,
    event_seq           INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_channel ON orders (channel, id);
CREATE INDEX orders_by_email ON orders (customer_email);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    qty_ordered      INTEGER NOT NULL,
    qty_allocated    INTEGER NOT NULL,
    qty_backordered  INTEGER NOT NULL,
    qty_shipped      INTEGER NOT NULL,
    qty_delivered    INTEGER NOT NULL,
    qty_cancelled    INTEGER NOT NULL,
    qty_returned     INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reservations (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX reservations_by_order ON reservations (order_id);
CREATE INDEX reservations_by_position ON reservations (sku, location, status);

CREATE TABLE order_events (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    actor       TEXT NOT NULL,
    reason      TEXT,
    data        TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
