-- A position's held reservations (what a count below the reserved units takes back) are
-- found through an index that grows with time: by location, then id (ids grow with time),
-- with the item beside the key to filter on, and only while held. The index it replaces
-- was keyed by item first, so every new reservation landed on a leaf of its own and cost a
-- page write at each commit; entries keyed by time share the newest leaf of their location.
-- Keep in step with the other backend.
DROP INDEX reservations_by_position;
CREATE INDEX reservations_held_at ON reservations (location, id, sku) WHERE status = 'held';
