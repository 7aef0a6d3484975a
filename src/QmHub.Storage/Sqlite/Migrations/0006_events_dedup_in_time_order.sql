-- The deduplication index in time order. The UNIQUE (dedup_key) index of 0001 is keyed by a SHA-256, so every
-- delivery landed on a random leaf of it: one more page written to the WAL (and again at the checkpoint) per
-- delivery, about a third of the ingest's writes, and, once the index outgrows the page cache, one random read.
-- Deliveries are now unique on (dedup_ts, dedup_key): dedup_ts is the body's event_ts (0 when it has none), so
-- new keys land at the right edge of the index. The same body always has the same event_ts, so this is exactly as
-- unique as the SHA-256 alone was. dedup_ts is written once, at insert: a reproject that re-reads event_ts never
-- moves it. SQLite cannot drop a UNIQUE constraint in place, so the table is rebuilt (ids kept).
CREATE TABLE events_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key     BLOB    NOT NULL,
    received_at   INTEGER NOT NULL,          -- Unix ms
    tracking_id   TEXT,
    secret_name   TEXT,
    event_name    TEXT,                      -- as sent
    kind          TEXT    NOT NULL,          -- as routed
    routing_note  TEXT,
    account_id    TEXT,
    event_ts      INTEGER,
    status        TEXT    NOT NULL CHECK (status IN ('accepted', 'quarantined')),
    findings      TEXT    NOT NULL,          -- JSON array of {path, severity, code, message}
    body          BLOB    NOT NULL,
    dedup_ts      INTEGER NOT NULL           -- event_ts as first stored, 0 when none: the time-ordered half of the dedup key
);
INSERT INTO events_rebuilt (id, dedup_key, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings, body, dedup_ts)
SELECT id, dedup_key, received_at, tracking_id, secret_name, event_name, kind, routing_note, account_id, event_ts, status, findings, body, coalesce(event_ts, 0)
FROM events ORDER BY id;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE INDEX events_by_status ON events (status, id);
CREATE UNIQUE INDEX events_by_dedup ON events (dedup_ts, dedup_key);
