-- Searching orders by the start of the customer's name, through an index rather than a scan
-- of every order. Keep in step with the other backend.
CREATE INDEX orders_by_name ON orders (lower(customer_name));
