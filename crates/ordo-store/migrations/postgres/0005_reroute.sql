-- Re-routing: every rejection of an allocation by a location (the history that keeps a line
-- away from locations that refused it), and the routing exceptions waiting for a person.
-- Keep in step with sqlite/0005_reroute.sql.

CREATE TABLE allocation_rejections (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL,
    line_no        BIGINT NOT NULL,
    reservation_id TEXT NOT NULL,
    location       TEXT NOT NULL,
    sku            TEXT NOT NULL,
    units          BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    attempt        BIGINT NOT NULL,
    note           TEXT,
    outcome        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX allocation_rejections_by_line ON allocation_rejections (order_id, line_no);

CREATE TABLE routing_exceptions (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    line_no     BIGINT NOT NULL,
    sku         TEXT NOT NULL,
    units       BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution  TEXT,
    resolved_by TEXT
);
CREATE INDEX routing_exceptions_by_age ON routing_exceptions (created_at, id);
