-- Agent identity: an interaction names its agent only by agent_name; an evaluation reveals the agent's
-- user id beside agent_info.display_name. Once a name is seen with a user id on an account, that name
-- resolves to the user id everywhere (the least id when several are seen, so the answer does not depend on
-- arrival order). The interaction an evaluation names is not used: interactions get reassigned, and a
-- reassigned interaction's old agent would take the new agent's id.
CREATE TABLE agent_identities (
    account_id    TEXT NOT NULL,
    agent_name    TEXT NOT NULL,
    agent_user_id TEXT NOT NULL,
    PRIMARY KEY (account_id, agent_name)
);

-- The display name of each queue: the one on the interaction with the latest start.
CREATE TABLE analytics_queues (
    account_id TEXT    NOT NULL,
    queue_id   TEXT    NOT NULL,
    queue_name TEXT    NOT NULL,
    seen_ms    INTEGER NOT NULL,
    PRIMARY KEY (account_id, queue_id)
);

-- Rollup: sums per UTC hour of an interaction's start (of an evaluation's event_ts while its interaction
-- is unknown) by account, agent, queue, channel and direction. '' stands for a missing value. Kept in the
-- ingest transaction: a projection change removes the old contribution of the interaction (with its
-- evaluations) and adds the new one. Integer sums are exact; only score sums are REAL.
CREATE TABLE analytics_hourly (
    hour                   INTEGER NOT NULL,   -- Unix ms / 3600000
    account_id             TEXT    NOT NULL,
    agent_name             TEXT    NOT NULL,
    agent_user_id          TEXT    NOT NULL,   -- only for an evaluation with no interaction and no display name
    queue_id               TEXT    NOT NULL,
    channel_type           TEXT    NOT NULL,
    direction              TEXT    NOT NULL,
    interactions           INTEGER NOT NULL,
    handle_s_sum           INTEGER NOT NULL,
    handle_n               INTEGER NOT NULL,
    sentiment_sum          REAL    NOT NULL,
    sentiment_n            INTEGER NOT NULL,
    below_target_n         INTEGER NOT NULL,
    engagement_sum         REAL    NOT NULL,
    engagement_n           INTEGER NOT NULL,
    silence_sum            INTEGER NOT NULL,
    silence_n              INTEGER NOT NULL,
    hold_sum               INTEGER NOT NULL,
    hold_n                 INTEGER NOT NULL,
    crosstalk_sum          INTEGER NOT NULL,
    crosstalk_n            INTEGER NOT NULL,
    evaluations            INTEGER NOT NULL,
    evaluations_manual     INTEGER NOT NULL,
    evaluations_automated  INTEGER NOT NULL,
    ratio_sum              REAL    NOT NULL,
    ratio_n                INTEGER NOT NULL,
    evaluated_interactions INTEGER NOT NULL,
    PRIMARY KEY (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction)
) WITHOUT ROWID;

-- Drill-downs (interaction search, queue dispositions, calibration) read the projections.
CREATE INDEX interactions_by_queue_start ON interactions (queue_id, start_ms);
CREATE INDEX interactions_by_agent_start ON interactions (account_id, agent_name, start_ms);
