-- The same schema as the SQLite engine's 0001_initial.sql, in PostgreSQL types. JSON columns are text,
-- not jsonb: jsonb would reorder members and drop whitespace, and object_json must come back byte for byte.

-- The event log: every verified delivery, raw bytes as received, deduplicated by SHA-256 of the body.
CREATE TABLE events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedup_key     bytea   NOT NULL UNIQUE,
    received_at   bigint  NOT NULL,          -- Unix ms
    tracking_id   text,
    secret_name   text,
    event_name    text,                      -- as sent
    kind          text    NOT NULL,          -- as routed
    routing_note  text,
    account_id    text,
    event_ts      bigint,
    status        text    NOT NULL CHECK (status IN ('accepted', 'quarantined')),
    findings      text    NOT NULL,          -- JSON array of {path, severity, code, message}
    body          bytea   NOT NULL
);
CREATE INDEX events_by_status ON events (status, id);

-- Projection: the newest version (greatest event_ts, then greatest event id) of each interaction.
CREATE TABLE interactions (
    account_id            text    NOT NULL,
    interaction_id        text    NOT NULL,
    last_event_ts         bigint  NOT NULL,
    event_id              bigint  NOT NULL,
    start_time            text,
    start_ms              bigint,            -- start_time parsed, Unix ms
    duration              bigint,
    queue_id              text,
    queue_name            text,
    engagement_id         text,
    direction             text,
    disposition           text,
    silence_event_count   bigint,
    crosstalk_event_count bigint,
    hold_event_count      bigint,
    primary_language      text,
    agent_name            text,
    channel_type          text,
    evaluation_score      double precision,
    sentiment_score       double precision,
    engagement_score      double precision,
    object_json           text    NOT NULL,  -- the whole event object, every member as received
    PRIMARY KEY (account_id, interaction_id)
);
CREATE INDEX interactions_by_interaction_id ON interactions (interaction_id);
CREATE INDEX interactions_by_start ON interactions (start_ms);

-- Projection: the newest version of each evaluation. May exist before its interaction.
CREATE TABLE evaluations (
    account_id             text    NOT NULL,
    evaluation_id          text    NOT NULL,
    last_event_ts          bigint  NOT NULL,
    event_id               bigint  NOT NULL,
    interaction_id         text,
    agent_user_id          text,
    agent_display_name     text,
    evaluator_user_id      text,
    scorecard_name         text,
    scoring_format         text,
    total_possible_score   double precision,
    evaluation_score       double precision,
    evaluation_score_ratio double precision,
    evaluation_type        text,
    object_json            text    NOT NULL,
    PRIMARY KEY (account_id, evaluation_id)
);
CREATE INDEX evaluations_by_interaction ON evaluations (account_id, interaction_id);
CREATE INDEX evaluations_by_evaluation_id ON evaluations (evaluation_id);

-- API keys: only a SHA-256 of the key is kept; the key is shown once when created.
CREATE TABLE api_keys (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text    NOT NULL,
    prefix      text    NOT NULL,
    key_hash    bytea   NOT NULL UNIQUE,
    scope       text    NOT NULL CHECK (scope IN ('read', 'admin')),
    created_at  bigint  NOT NULL,
    revoked_at  bigint
);
