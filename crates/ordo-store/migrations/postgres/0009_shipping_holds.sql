-- Orders no carrier can deliver wait on a `shipping` hold.
-- Keep in step with sqlite/0009_shipping_holds.sql.
ALTER TABLE order_holds DROP CONSTRAINT order_holds_reason_check;
ALTER TABLE order_holds ADD CONSTRAINT order_holds_reason_check
    CHECK (reason IN ('payment', 'fraud_risk', 'address', 'inventory', 'customer_request', 'manual', 'shipping'));
