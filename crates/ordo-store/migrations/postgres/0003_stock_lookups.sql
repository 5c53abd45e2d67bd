-- Indexes for lookups every order placement makes, so their cost stays flat as orders pile
-- up. Keep in step with sqlite/0003_stock_lookups.sql.

-- Units already taken by preorders of an item: only preorder lines, by item.
CREATE INDEX order_lines_preordered ON order_lines (sku) WHERE preorder = 1;

-- Expired checkout holds on the items a transaction works on: only held reservations that
-- expire, by item, then expiry.
CREATE INDEX reservations_expiring_by_sku ON reservations (sku, expires_at)
    WHERE status = 'held' AND expires_at IS NOT NULL;
