-- A name for each API key, to tell systems apart in listings and timelines.
-- Keep in step with the other backend.
ALTER TABLE api_keys ADD COLUMN name TEXT;
