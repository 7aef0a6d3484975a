-- The analytics rollups of the SQLite engine's 0002_analytics.sql, in PostgreSQL types. Text that is ordered
-- or compared (keyset pages, the least user id, a queue name's tie-break) uses the "C" collation, so the
-- answers and their order are byte order whatever the database's locale, as on SQLite.

-- Agent identity: once a name is seen with a user id on an account (on an evaluation), that name resolves to
-- the user id everywhere; the least id when several are seen.
CREATE TABLE agent_identities (
    account_id    text COLLATE "C" NOT NULL,
    agent_name    text COLLATE "C" NOT NULL,
    agent_user_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, agent_name)
);

-- The display name of each queue: the one on the interaction with the latest start.
CREATE TABLE analytics_queues (
    account_id text COLLATE "C" NOT NULL,
    queue_id   text COLLATE "C" NOT NULL,
    queue_name text COLLATE "C" NOT NULL,
    seen_ms    bigint NOT NULL,
    PRIMARY KEY (account_id, queue_id)
);

-- Rollup: sums per UTC hour of an interaction's start (of an evaluation's event_ts while its interaction is
-- unknown) by account, agent, queue, channel and direction; '' stands for a missing value. Kept in the ingest
-- transaction by additive deltas (INSERT ... ON CONFLICT DO UPDATE SET x = x + delta), which concurrent
-- replicas can apply in any order. Integer sums are exact (bigint); score sums are double precision.
CREATE TABLE analytics_hourly (
    hour                   bigint NOT NULL,   -- Unix ms / 3600000
    account_id             text COLLATE "C" NOT NULL,
    agent_name             text COLLATE "C" NOT NULL,
    agent_user_id          text COLLATE "C" NOT NULL,   -- only for an evaluation with no interaction and no display name
    queue_id               text COLLATE "C" NOT NULL,
    channel_type           text COLLATE "C" NOT NULL,
    direction              text COLLATE "C" NOT NULL,
    interactions           bigint NOT NULL,
    handle_s_sum           bigint NOT NULL,
    handle_n               bigint NOT NULL,
    sentiment_sum          double precision NOT NULL,
    sentiment_n            bigint NOT NULL,
    below_target_n         bigint NOT NULL,
    engagement_sum         double precision NOT NULL,
    engagement_n           bigint NOT NULL,
    silence_sum            bigint NOT NULL,
    silence_n              bigint NOT NULL,
    hold_sum               bigint NOT NULL,
    hold_n                 bigint NOT NULL,
    crosstalk_sum          bigint NOT NULL,
    crosstalk_n            bigint NOT NULL,
    evaluations            bigint NOT NULL,
    evaluations_manual     bigint NOT NULL,
    evaluations_automated  bigint NOT NULL,
    ratio_sum              double precision NOT NULL,
    ratio_n                bigint NOT NULL,
    evaluated_interactions bigint NOT NULL,
    PRIMARY KEY (hour, account_id, agent_name, agent_user_id, queue_id, channel_type, direction)
);

-- Drill-downs (interaction search, queue dispositions, calibration) read the projections.
CREATE INDEX interactions_by_queue_start ON interactions (queue_id, start_ms);
CREATE INDEX interactions_by_agent_start ON interactions (account_id, agent_name, start_ms);
