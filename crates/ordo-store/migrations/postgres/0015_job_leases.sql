-- Which process runs each background job (releaser, hold sweeper, alert scan) when several
-- serve one database: the holder renews its lease every pass; another takes the job over once
-- the lease has run out. Keep in step with the other backend.
CREATE TABLE job_leases (
    job     TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   BIGINT NOT NULL
);
