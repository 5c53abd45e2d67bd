-- When the releaser should next look at an order: set to the time of any change to an order
-- that holds allocations not yet released to their locations, and by the releaser to the
-- moment its next allocation becomes due at its location's wave (NULL: nothing waits). The
-- releaser reads only orders whose time has come, through a partial index that holds just
-- the orders waiting, instead of every order with unreleased allocations every pass.
-- Keep in step with the other backend.
ALTER TABLE orders ADD COLUMN release_check_at INTEGER;
UPDATE orders SET release_check_at = 0
    WHERE id IN (SELECT order_id FROM order_lines WHERE qty_allocated > qty_released);
CREATE INDEX orders_release_check ON orders (release_check_at, id) WHERE release_check_at IS NOT NULL;
