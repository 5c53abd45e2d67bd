-- Orders no carrier can deliver wait on a `shipping` hold. SQLite cannot change a CHECK
-- constraint in place: the table is rebuilt. Keep in step with postgres/0009_shipping_holds.sql.
CREATE TABLE order_holds_new (
    id                   TEXT PRIMARY KEY,
    order_id             TEXT NOT NULL,
    fulfillment_order_id TEXT,
    reason               TEXT NOT NULL CHECK (reason IN ('payment', 'fraud_risk', 'address', 'inventory', 'customer_request', 'manual', 'shipping')),
    note                 TEXT,
    placed_at            INTEGER NOT NULL,
    placed_by            TEXT NOT NULL,
    released_at          INTEGER,
    released_by          TEXT
);
INSERT INTO order_holds_new SELECT id, order_id, fulfillment_order_id, reason, note, placed_at, placed_by, released_at, released_by FROM order_holds;
DROP TABLE order_holds;
ALTER TABLE order_holds_new RENAME TO order_holds;
CREATE INDEX order_holds_by_order ON order_holds (order_id);
