-- The alert scan pages through open work and parcels in transit, oldest first, without
-- holding the writer. Keep in step with the other backend.
CREATE INDEX fulfillment_orders_open ON fulfillment_orders (released_at, id)
    WHERE status IN ('released', 'accepted', 'picking', 'picked', 'packed');
CREATE INDEX shipments_in_transit ON shipments (shipped_at, id)
    WHERE status NOT IN ('delivered', 'returned_to_sender');
