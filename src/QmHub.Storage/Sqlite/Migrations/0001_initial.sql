-- The event log: every verified delivery, raw bytes as received, deduplicated by SHA-256 of the body.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key     BLOB    NOT NULL UNIQUE,
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
    body          BLOB    NOT NULL
);
CREATE INDEX events_by_status ON events (status, id);

-- Projection: the newest version (greatest event_ts, then greatest event id) of each interaction.
CREATE TABLE interactions (
    account_id            TEXT    NOT NULL,
    interaction_id        TEXT    NOT NULL,
    last_event_ts         INTEGER NOT NULL,
    event_id              INTEGER NOT NULL,
    start_time            TEXT,
    start_ms              INTEGER,           -- start_time parsed, Unix ms
    duration              INTEGER,
    queue_id              TEXT,
    queue_name            TEXT,
    engagement_id         TEXT,
    direction             TEXT,
    disposition           TEXT,
    silence_event_count   INTEGER,
    crosstalk_event_count INTEGER,
    hold_event_count      INTEGER,
    primary_language      TEXT,
    agent_name            TEXT,
    channel_type          TEXT,
    evaluation_score      REAL,
    sentiment_score       REAL,
    engagement_score      REAL,
    object_json           TEXT    NOT NULL,  -- the whole event object, every member as received
    -- Id first: lookups by id alone use the key itself, and no second index on a random key is written per event.
    PRIMARY KEY (interaction_id, account_id)
);
CREATE INDEX interactions_by_start ON interactions (start_ms);

-- Projection: the newest version of each evaluation. May exist before its interaction.
CREATE TABLE evaluations (
    account_id             TEXT    NOT NULL,
    evaluation_id          TEXT    NOT NULL,
    last_event_ts          INTEGER NOT NULL,
    event_id               INTEGER NOT NULL,
    interaction_id         TEXT,
    agent_user_id          TEXT,
    agent_display_name     TEXT,
    evaluator_user_id      TEXT,
    scorecard_name         TEXT,
    scoring_format         TEXT,
    total_possible_score   REAL,
    evaluation_score       REAL,
    evaluation_score_ratio REAL,
    evaluation_type        TEXT,
    object_json            TEXT    NOT NULL,
    PRIMARY KEY (evaluation_id, account_id)
);
CREATE INDEX evaluations_by_interaction ON evaluations (interaction_id, account_id);

-- API keys: only a SHA-256 of the key is kept; the key is shown once when created.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    prefix      TEXT    NOT NULL,
    key_hash    BLOB    NOT NULL UNIQUE,
    scope       TEXT    NOT NULL CHECK (scope IN ('read', 'admin')),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
