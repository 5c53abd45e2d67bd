-- The channels' stock rules, read by every order placed, are kept in memory like the
-- locations (0019): every change to the table sets its version to a value never used before.
-- Keep in step with the other backend.
INSERT INTO reference_versions (kind, version) VALUES ('channels', 0);
CREATE TRIGGER channels_changed AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH STATEMENT EXECUTE FUNCTION reference_changed();
