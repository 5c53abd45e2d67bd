-- Drop ship: a purchase request to the supplier for each order allocation at a supplier
-- location. It follows the allocation: open while held (its quantity with it), shipped when
-- the supplier ships it, cancelled when the allocation is released.
-- Keep in step with postgres/0006_drop_ship.sql.

CREATE TABLE purchase_requests (
    id             TEXT PRIMARY KEY,
    reservation_id TEXT NOT NULL UNIQUE,
    order_id       TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    supplier       TEXT NOT NULL,
    sku            TEXT NOT NULL,
    quantity       INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'shipped', 'cancelled')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX purchase_requests_by_status ON purchase_requests (status, created_at, id);
CREATE INDEX purchase_requests_by_order ON purchase_requests (order_id);
