-- Ordo core schema, PostgreSQL. Keep in step with sqlite/0001_core.sql: same tables, same
-- columns, same meaning. Times are epoch milliseconds, money is integer minor units,
-- booleans are 0/1 integers (so one set of queries serves both databases).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Order numbers; SQLite keeps the same in its counters table.
CREATE SEQUENCE order_number_seq START WITH 100001;

CREATE TABLE locations (
    code                 TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    country              TEXT NOT NULL,
    region               TEXT,
    city                 TEXT NOT NULL,
    postal_code          TEXT NOT NULL,
    lat                  DOUBLE PRECISION,
    lon                  DOUBLE PRECISION,
    can_ship             BIGINT NOT NULL CHECK (can_ship IN (0, 1)),
    can_pickup           BIGINT NOT NULL CHECK (can_pickup IN (0, 1)),
    daily_order_capacity BIGINT,
    cutoff_local_time    TEXT,
    time_zone            TEXT NOT NULL,
    active               BIGINT NOT NULL CHECK (active IN (0, 1)),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE items (
    sku             TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    weight_g        BIGINT,
    length_mm       BIGINT,
    width_mm        BIGINT,
    height_mm       BIGINT,
    allow_backorder BIGINT NOT NULL CHECK (allow_backorder IN (0, 1)),
    active          BIGINT NOT NULL CHECK (active IN (0, 1)),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE inventory_positions (
    sku          TEXT NOT NULL REFERENCES items (sku),
    location     TEXT NOT NULL REFERENCES locations (code),
    on_hand      BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved     BIGINT NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
    safety_stock BIGINT NOT NULL CHECK (safety_stock >= 0),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (sku, location)
);
CREATE INDEX inventory_positions_by_location ON inventory_positions (location, sku);

CREATE TABLE inventory_ledger (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at                 BIGINT NOT NULL,
    location           TEXT NOT NULL,
    sku                TEXT NOT NULL,
    kind               TEXT NOT NULL,
    on_hand_delta      BIGINT NOT NULL,
    reserved_delta     BIGINT NOT NULL,
    on_hand_after      BIGINT NOT NULL,
    reserved_after     BIGINT NOT NULL,
    safety_stock_after BIGINT NOT NULL,
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
    active     BIGINT NOT NULL CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    role       TEXT NOT NULL,
    channel    TEXT REFERENCES channels (code),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
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
    ship_to_lat         DOUBLE PRECISION,
    ship_to_lon         DOUBLE PRECISION,
    currency            TEXT NOT NULL,
    delivery_method     TEXT NOT NULL,
    pickup_location     TEXT,
    total_minor         BIGINT NOT NULL,
    event_seq           BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_channel ON orders (channel, id);
CREATE INDEX orders_by_email ON orders (customer_email);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          BIGINT NOT NULL,
    sku              TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    qty_ordered      BIGINT NOT NULL,
    qty_allocated    BIGINT NOT NULL,
    qty_backordered  BIGINT NOT NULL,
    qty_shipped      BIGINT NOT NULL,
    qty_delivered    BIGINT NOT NULL,
    qty_cancelled    BIGINT NOT NULL,
    qty_returned     BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reservations (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    line_no    BIGINT NOT NULL,
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0),
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reservations_by_order ON reservations (order_id);
CREATE INDEX reservations_by_position ON reservations (sku, location, status);

CREATE TABLE order_events (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
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
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
