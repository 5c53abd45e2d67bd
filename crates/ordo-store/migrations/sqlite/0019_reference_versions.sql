-- Reference data a transaction reads every time (the locations, to begin with) is kept in
-- memory between transactions, with the version of the table it was read at. Every change
-- to the table sets its version here to a value never used before, in the same transaction,
-- by trigger: no code path can change the data and leave a copy stale, on one server or
-- several, and a change rolled back leaves no version behind that a later one could reuse.
-- Keep in step with the other backend.
CREATE TABLE reference_versions (
    kind    TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO reference_versions (kind, version) VALUES ('locations', 0);
CREATE TRIGGER locations_inserted AFTER INSERT ON locations
BEGIN
    UPDATE reference_versions SET version = random() WHERE kind = 'locations';
END;
CREATE TRIGGER locations_updated AFTER UPDATE ON locations
BEGIN
    UPDATE reference_versions SET version = random() WHERE kind = 'locations';
END;
CREATE TRIGGER locations_deleted AFTER DELETE ON locations
BEGIN
    UPDATE reference_versions SET version = random() WHERE kind = 'locations';
END;
