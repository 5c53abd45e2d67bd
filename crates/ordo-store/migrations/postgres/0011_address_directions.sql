-- Directions for the courier (a landmark, a gate) where addresses have no postal code or
-- street number. Keep in step with the other backend.
ALTER TABLE orders ADD COLUMN ship_to_directions TEXT;
