-- One row that readiness probes rewrite and commit: "BEGIN IMMEDIATE; ROLLBACK" took the write lock and
-- succeeded on a read-only file and on a full disk, so /readyz said ready while every commit failed.
CREATE TABLE store_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL   -- Unix ms of the last probe that committed
);
