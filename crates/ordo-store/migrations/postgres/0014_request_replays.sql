-- Idempotency keys of every write but placing an order (which keeps its own, with the order):
-- the request each came with and its first answer, kept for a day. Keep in step with the
-- other backend.
CREATE TABLE request_replays (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       BIGINT,
    content_type TEXT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX request_replays_by_expiry ON request_replays (expires_at);
