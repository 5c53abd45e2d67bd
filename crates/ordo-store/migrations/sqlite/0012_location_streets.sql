-- A location's street lines, printed as the sender on labels. Keep in step with the other
-- backend.
ALTER TABLE locations ADD COLUMN line1 TEXT;
ALTER TABLE locations ADD COLUMN line2 TEXT;
