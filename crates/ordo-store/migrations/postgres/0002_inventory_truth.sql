-- Inventory truth: unsellable stock, reservations for holds and transfers, inbound supply,
-- channel stock rules, backorders and preorders, bulk sync, stock alerts. Keep in step with
-- sqlite/0002_inventory_truth.sql.

-- Damaged and quality-hold units count in on hand but are never available; reserved units
-- must come out of what is left.
ALTER TABLE inventory_positions
    ADD COLUMN damaged BIGINT NOT NULL DEFAULT 0 CHECK (damaged >= 0),
    ADD COLUMN quality_hold BIGINT NOT NULL DEFAULT 0 CHECK (quality_hold >= 0);
ALTER TABLE inventory_positions DROP CONSTRAINT inventory_positions_check;
ALTER TABLE inventory_positions ADD CONSTRAINT inventory_positions_reserved_check
    CHECK (reserved >= 0 AND damaged + quality_hold + reserved <= on_hand);

ALTER TABLE inventory_ledger ADD COLUMN damaged_after BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inventory_ledger ADD COLUMN quality_hold_after BIGINT NOT NULL DEFAULT 0;

-- A reservation belongs to an order line, a checkout hold line, or a transfer line. Holds
-- carry their expiry: a held reservation past it no longer counts as reserved.
ALTER TABLE reservations DROP CONSTRAINT reservations_order_id_fkey;
ALTER TABLE reservations RENAME COLUMN order_id TO owner_id;
ALTER TABLE reservations ADD COLUMN owner_kind TEXT NOT NULL DEFAULT 'order';
ALTER TABLE reservations ALTER COLUMN owner_kind DROP DEFAULT;
ALTER TABLE reservations ADD COLUMN expires_at BIGINT;
DROP INDEX reservations_by_order;
CREATE INDEX reservations_by_owner ON reservations (owner_kind, owner_id);
CREATE INDEX reservations_expiring ON reservations (expires_at) WHERE status = 'held' AND expires_at IS NOT NULL;

ALTER TABLE locations ADD COLUMN receiving_lead_time_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN preorder_release_date TEXT;
ALTER TABLE items ADD COLUMN preorder_cap BIGINT;
ALTER TABLE channels ADD COLUMN stock_rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE orders ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN promised_date TEXT;
ALTER TABLE order_lines ADD COLUMN expected_date TEXT;
ALTER TABLE order_lines ADD COLUMN preorder BIGINT NOT NULL DEFAULT 0;
CREATE INDEX order_lines_waiting ON order_lines (sku) WHERE qty_backordered > 0;

CREATE TABLE holds (
    id         TEXT PRIMARY KEY,
    channel    TEXT,
    status     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    order_id   TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE hold_lines (
    hold_id  TEXT NOT NULL REFERENCES holds (id),
    line_no  BIGINT NOT NULL,
    sku      TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (hold_id, line_no)
);

CREATE TABLE transfers (
    id            TEXT PRIMARY KEY,
    from_location TEXT NOT NULL REFERENCES locations (code),
    to_location   TEXT NOT NULL REFERENCES locations (code),
    status        TEXT NOT NULL,
    reason        TEXT,
    created_at    BIGINT NOT NULL,
    shipped_at    BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX transfers_by_status ON transfers (status, id);

CREATE TABLE transfer_lines (
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    line_no     BIGINT NOT NULL,
    sku         TEXT NOT NULL,
    quantity    BIGINT NOT NULL,
    shipped     BIGINT NOT NULL,
    received    BIGINT NOT NULL,
    PRIMARY KEY (transfer_id, line_no)
);

CREATE TABLE inbound (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    location           TEXT NOT NULL REFERENCES locations (code),
    supplier_reference TEXT NOT NULL,
    expected_date      TEXT NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX inbound_by_status ON inbound (status, id);

CREATE TABLE inbound_lines (
    inbound_id TEXT NOT NULL REFERENCES inbound (id),
    line_no    BIGINT NOT NULL,
    sku        TEXT NOT NULL,
    quantity   BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    PRIMARY KEY (inbound_id, line_no)
);
CREATE INDEX inbound_lines_by_sku ON inbound_lines (sku);

-- Thresholds per item and location; '*' stands for every item or every location.
CREATE TABLE stock_thresholds (
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL,
    low_units  BIGINT NOT NULL,
    out_units  BIGINT NOT NULL,
    PRIMARY KEY (sku, location)
);

-- What happened, in order: stock alerts now, the outbox for webhooks later.
CREATE TABLE events (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      BIGINT NOT NULL,
    type    TEXT NOT NULL,
    subject TEXT NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX events_by_type ON events (type, id);

CREATE TABLE inventory_syncs (
    id         TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    report     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
