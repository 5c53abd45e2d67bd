-- Shipments as customers and support see them: the carrier's tracking link, fixed when the
-- parcel leaves, and orders found by a tracking number. Keep in step with the other backend.
ALTER TABLE shipments ADD COLUMN tracking_url TEXT;
CREATE INDEX shipments_by_tracking_number ON shipments (tracking_number);
CREATE INDEX shipments_by_fulfillment_order ON shipments (fulfillment_order_id);
CREATE INDEX work_alerts_by_order ON work_alerts (order_id);
