-- Routing: versioned profiles per channel, the explanation of every routing decision, and the
-- orders each location has taken per day (for capacity). Keep in step with
-- postgres/0004_routing.sql.

-- One profile per channel; channel '*' is the default for channels without one.
CREATE TABLE routing_profiles (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    channel    TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A profile's settings over time: at most one draft and one active version; earlier active
-- versions are kept as retired.
CREATE TABLE routing_profile_versions (
    profile_id   TEXT NOT NULL REFERENCES routing_profiles (id),
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    settings     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    activated_at INTEGER,
    PRIMARY KEY (profile_id, version)
);
CREATE UNIQUE INDEX routing_profile_versions_one_active ON routing_profile_versions (profile_id) WHERE status = 'active';
CREATE UNIQUE INDEX routing_profile_versions_one_draft ON routing_profile_versions (profile_id) WHERE status = 'draft';

-- Why each order's lines went where they went: at placement, when backorders fill, when
-- lines are routed again.
CREATE TABLE routing_decisions (
    id INTEGER PRIMARY KEY,
    order_id    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    cause       TEXT NOT NULL,
    explanation TEXT NOT NULL
);
CREATE INDEX routing_decisions_by_order ON routing_decisions (order_id, id);

-- Orders (packages) each location has been given per UTC day.
CREATE TABLE location_loads (
    location TEXT NOT NULL,
    day      TEXT NOT NULL,
    orders   INTEGER NOT NULL,
    PRIMARY KEY (location, day)
);
