-- Inventory truth: unsellable stock, reservations for holds and transfers, inbound supply,
-- channel stock rules, backorders and preorders, bulk sync, stock alerts. Keep in step with
-- postgres/0002_inventory_truth.sql. SQLite cannot alter a CHECK or drop a foreign key, so
-- two tables are rebuilt here; the data is copied across unchanged.

-- Damaged and quality-hold units count in on hand but are never available; reserved units
-- must come out of what is left.
CREATE TABLE inventory_positions_v2 (
    sku          TEXT NOT NULL REFERENCES items (sku),
    location     TEXT NOT NULL REFERENCES locations (code),
    on_hand      INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved     INTEGER NOT NULL CHECK (reserved >= 0),
    safety_stock INTEGER NOT NULL CHECK (safety_stock >= 0),
    damaged      INTEGER NOT NULL DEFAULT 0 CHECK (damaged >= 0),
    quality_hold INTEGER NOT NULL DEFAULT 0 CHECK (quality_hold >= 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sku, location),
    CHECK (damaged + quality_hold + reserved <= on_hand)
);
INSERT INTO inventory_positions_v2 (sku, location, on_hand, reserved, safety_stock, damaged, quality_hold, updated_at)
    SELECT sku, location, on_hand, reserved, safety_stock, 0, 0, updated_at FROM inventory_positions;
DROP TABLE inventory_positions;
ALTER TABLE inventory_positions_v2 RENAME TO inventory_positions;
CREATE INDEX inventory_positions_by_location ON inventory_positions (location, sku);

ALTER TABLE inventory_ledger ADD COLUMN damaged_after INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_ledger ADD COLUMN quality_hold_after INTEGER NOT NULL DEFAULT 0;

-- A reservation belongs to an order line, a checkout hold line, or a transfer line. Holds
-- carry their expiry: a held reservation past it no longer counts as reserved.
CREATE TABLE reservations_v2 (
    id         TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    status     TEXT NOT NULL,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO reservations_v2 (id, owner_kind, owner_id, line_no, sku, location, quantity, status, expires_at, created_at, updated_at)
    SELECT id, 'order', order_id, line_no, sku, location, quantity, status, NULL, created_at, updated_at FROM reservations;
DROP TABLE reservations;
ALTER TABLE reservations_v2 RENAME TO reservations;
CREATE INDEX reservations_by_owner ON reservations (owner_kind, owner_id);
CREATE INDEX reservations_by_position ON reservations (sku, location, status);
CREATE INDEX reservations_expiring ON reservations (expires_at) WHERE status = 'held' AND expires_at IS NOT NULL;

ALTER TABLE locations ADD COLUMN receiving_lead_time_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN preorder_release_date TEXT;
ALTER TABLE items ADD COLUMN preorder_cap INTEGER;
ALTER TABLE channels ADD COLUMN stock_rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN promised_date TEXT;
ALTER TABLE order_lines ADD COLUMN expected_date TEXT;
ALTER TABLE order_lines ADD COLUMN preorder INTEGER NOT NULL DEFAULT 0;
CREATE INDEX order_lines_waiting ON order_lines (sku) WHERE qty_backordered > 0;

CREATE TABLE holds (
    id         TEXT PRIMARY KEY,
    channel    TEXT,
    status     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    order_id   TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE hold_lines (
    hold_id  TEXT NOT NULL REFERENCES holds (id),
    line_no  INTEGER NOT NULL,
    sku      TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (hold_id, line_no)
);

CREATE TABLE transfers (
    id            TEXT PRIMARY KEY,
    from_location TEXT NOT NULL REFERENCES locations (code),
    to_location   TEXT NOT NULL REFERENCES locations (code),
    status        TEXT NOT NULL,
    reason        TEXT,
    created_at    INTEGER NOT NULL,
    shipped_at    INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX transfers_by_status ON transfers (status, id);

CREATE TABLE transfer_lines (
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    shipped     INTEGER NOT NULL,
    received    INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, line_no)
);

CREATE TABLE inbound (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    location           TEXT NOT NULL REFERENCES locations (code),
    supplier_reference TEXT NOT NULL,
    expected_date      TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX inbound_by_status ON inbound (status, id);

CREATE TABLE inbound_lines (
    inbound_id TEXT NOT NULL REFERENCES inbound (id),
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    PRIMARY KEY (inbound_id, line_no)
);
CREATE INDEX inbound_lines_by_sku ON inbound_lines (sku);

-- Thresholds per item and location; '*' stands for every item or every location.
CREATE TABLE stock_thresholds (
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL,
    low_units  INTEGER NOT NULL,
    out_units  INTEGER NOT NULL,
    PRIMARY KEY (sku, location)
);

-- What happened, in order: stock alerts now, the outbox for webhooks later.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    type    TEXT NOT NULL,
    subject TEXT NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX events_by_type ON events (type, id);

CREATE TABLE inventory_syncs (
    id         TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    report     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
