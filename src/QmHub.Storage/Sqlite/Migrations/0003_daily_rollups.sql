-- Rollups a 30-day report can read in milliseconds at ten million interactions. The hourly rollup alone holds
-- about 0.73 rows per interaction (an agent-hour rarely has two interactions of one queue, channel and
-- direction), so a month of it is as large as a month of interactions. A period [from, to) on whole hours is
-- answered as the whole UTC days it covers from the daily rollups, corrected by the hours between each end and
-- its nearest UTC midnight from the hourly ones (added or subtracted: RollupPlan). Every rollup below is a
-- coarser sum of the same facts, kept in the same ingest transaction.

-- The hourly rollup, keyed agent first: it is now read only for given agents (a page of the agent list, one
-- agent's page), for the hours at a period's ends.
CREATE TABLE analytics_hourly_by_agent (
    account_id             TEXT    NOT NULL,
    agent_name             TEXT    NOT NULL,
    agent_user_id          TEXT    NOT NULL,
    hour                   INTEGER NOT NULL,   -- Unix ms / 3600000
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
    PRIMARY KEY (account_id, agent_name, agent_user_id, hour, queue_id, channel_type, direction)
) WITHOUT ROWID;

INSERT INTO analytics_hourly_by_agent
SELECT account_id, agent_name, agent_user_id, hour, queue_id, channel_type, direction,
    interactions, handle_s_sum, handle_n, sentiment_sum, sentiment_n, below_target_n, engagement_sum, engagement_n,
    silence_sum, silence_n, hold_sum, hold_n, crosstalk_sum, crosstalk_n,
    evaluations, evaluations_manual, evaluations_automated, ratio_sum, ratio_n, evaluated_interactions
FROM analytics_hourly;

DROP TABLE analytics_hourly;
ALTER TABLE analytics_hourly_by_agent RENAME TO analytics_hourly;

-- Per UTC day (Unix ms / 86400000), agent first, with the same dimensions.
CREATE TABLE analytics_agent_daily (
    account_id             TEXT    NOT NULL,
    agent_name             TEXT    NOT NULL,
    agent_user_id          TEXT    NOT NULL,
    day                    INTEGER NOT NULL,
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
    PRIMARY KEY (account_id, agent_name, agent_user_id, day, queue_id, channel_type, direction)
) WITHOUT ROWID;

-- One row per agent and day: the agent list and agent pages without queue, channel or direction filters.
CREATE TABLE analytics_agent_total_daily (
    account_id             TEXT    NOT NULL,
    agent_name             TEXT    NOT NULL,
    agent_user_id          TEXT    NOT NULL,
    day                    INTEGER NOT NULL,
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
    PRIMARY KEY (account_id, agent_name, agent_user_id, day)
) WITHOUT ROWID;

-- Without the agent: what the queue list, queue pages, trends and totals read when no agent is asked for.
CREATE TABLE analytics_queue_hourly (
    hour                   INTEGER NOT NULL,
    account_id             TEXT    NOT NULL,
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
    PRIMARY KEY (hour, account_id, queue_id, channel_type, direction)
) WITHOUT ROWID;

CREATE TABLE analytics_queue_daily (
    day                    INTEGER NOT NULL,
    account_id             TEXT    NOT NULL,
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
    PRIMARY KEY (day, account_id, queue_id, channel_type, direction)
) WITHOUT ROWID;

-- Without channel and direction either: the queue list, queue pages, totals and trends without those filters.
CREATE TABLE analytics_queue_total_hourly (
    hour                   INTEGER NOT NULL,
    account_id             TEXT    NOT NULL,
    queue_id               TEXT    NOT NULL,
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
    PRIMARY KEY (hour, account_id, queue_id)
) WITHOUT ROWID;

CREATE TABLE analytics_queue_total_daily (
    day                    INTEGER NOT NULL,
    account_id             TEXT    NOT NULL,
    queue_id               TEXT    NOT NULL,
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
    PRIMARY KEY (day, account_id, queue_id)
) WITHOUT ROWID;

-- Interactions by queue and disposition: the disposition mix without channel or direction filters (the channel
-- and direction mix come from the queue rollups).
CREATE TABLE analytics_disposition_hourly (
    hour         INTEGER NOT NULL,
    account_id   TEXT    NOT NULL,
    queue_id     TEXT    NOT NULL,
    disposition  TEXT    NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (hour, account_id, queue_id, disposition)
) WITHOUT ROWID;

CREATE TABLE analytics_disposition_daily (
    day          INTEGER NOT NULL,
    account_id   TEXT    NOT NULL,
    queue_id     TEXT    NOT NULL,
    disposition  TEXT    NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (day, account_id, queue_id, disposition)
) WITHOUT ROWID;

-- Interactions by queue, channel, direction and disposition: the queue mix under a channel or direction filter.
CREATE TABLE analytics_mix_hourly (
    hour         INTEGER NOT NULL,
    account_id   TEXT    NOT NULL,
    queue_id     TEXT    NOT NULL,
    channel_type TEXT    NOT NULL,
    direction    TEXT    NOT NULL,
    disposition  TEXT    NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (hour, account_id, queue_id, channel_type, direction, disposition)
) WITHOUT ROWID;

CREATE TABLE analytics_mix_daily (
    day          INTEGER NOT NULL,
    account_id   TEXT    NOT NULL,
    queue_id     TEXT    NOT NULL,
    channel_type TEXT    NOT NULL,
    direction    TEXT    NOT NULL,
    disposition  TEXT    NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (day, account_id, queue_id, channel_type, direction, disposition)
) WITHOUT ROWID;

-- Every agent (name and, for evaluations that name no one, user id) the daily rollup has held: the agent list
-- walks it in key order a page at a time instead of grouping every agent's rows.
CREATE TABLE analytics_agents (
    account_id    TEXT NOT NULL,
    agent_name    TEXT NOT NULL,
    agent_user_id TEXT NOT NULL,
    PRIMARY KEY (account_id, agent_name, agent_user_id)
) WITHOUT ROWID;

CREATE TRIGGER analytics_agents_from_daily AFTER INSERT ON analytics_agent_daily
BEGIN
    INSERT OR IGNORE INTO analytics_agents (account_id, agent_name, agent_user_id) VALUES (new.account_id, new.agent_name, new.agent_user_id);
END;

-- Filled from the hourly rollup and the projections by SqliteRollups.BuildAfterMigrationAsync (the same SQL rebuilds them).
