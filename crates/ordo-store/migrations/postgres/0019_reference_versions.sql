-- Reference data a transaction reads every time (the locations, to begin with) is kept in
-- memory between transactions, with the version of the table it was read at. Every change
-- to the table sets its version here to a value never used before, in the same transaction,
-- by trigger: no code path can change the data and leave a copy stale, on one server or
-- several, and a change rolled back leaves no version behind that a later one could reuse.
-- Keep in step with the other backend.
CREATE TABLE reference_versions (
    kind    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO reference_versions (kind, version) VALUES ('locations', 0);
-- One function for every kept table: its kind is the table's name.
CREATE FUNCTION reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_versions SET version = txid_current() WHERE kind = TG_TABLE_NAME;
    RETURN NULL;
END
$$;
CREATE TRIGGER locations_changed AFTER INSERT OR UPDATE OR DELETE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION reference_changed();
