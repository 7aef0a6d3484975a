-- Calibration (CalibrationSums) per interaction, kept with the other rollups: per scorecard over calibrated groups
-- (one analysed interaction's scored evaluations on one scorecard, two or more), per evaluator, by hour and UTC day,
-- account and queue; and every calibrated group with its spread, for the worst disagreements.
CREATE TABLE calibration_scorecard_hourly (
    hour                       INTEGER NOT NULL,
    account_id                 TEXT    NOT NULL,
    queue_id                   TEXT    NOT NULL,
    scorecard_name             TEXT    NOT NULL,
    groups                     INTEGER NOT NULL,
    evaluations                INTEGER NOT NULL,
    pairs                      INTEGER NOT NULL,
    abs_difference_sum         REAL    NOT NULL,
    pairs_within               INTEGER NOT NULL,
    manual_minus_automated_sum REAL    NOT NULL,
    manual_automated_pairs     INTEGER NOT NULL,
    PRIMARY KEY (hour, account_id, queue_id, scorecard_name)
) WITHOUT ROWID;

CREATE TABLE calibration_scorecard_daily (
    day                        INTEGER NOT NULL,
    account_id                 TEXT    NOT NULL,
    queue_id                   TEXT    NOT NULL,
    scorecard_name             TEXT    NOT NULL,
    groups                     INTEGER NOT NULL,
    evaluations                INTEGER NOT NULL,
    pairs                      INTEGER NOT NULL,
    abs_difference_sum         REAL    NOT NULL,
    pairs_within               INTEGER NOT NULL,
    manual_minus_automated_sum REAL    NOT NULL,
    manual_automated_pairs     INTEGER NOT NULL,
    PRIMARY KEY (day, account_id, queue_id, scorecard_name)
) WITHOUT ROWID;

CREATE TABLE calibration_evaluator_hourly (
    hour              INTEGER NOT NULL,
    account_id        TEXT    NOT NULL,
    queue_id          TEXT    NOT NULL,
    evaluator_user_id TEXT    NOT NULL,
    evaluations       INTEGER NOT NULL,
    ratio_sum         REAL    NOT NULL,
    ratio_n           INTEGER NOT NULL,
    calibrated        INTEGER NOT NULL,
    deviation_sum     REAL    NOT NULL,
    PRIMARY KEY (hour, account_id, queue_id, evaluator_user_id)
) WITHOUT ROWID;

CREATE TABLE calibration_evaluator_daily (
    day               INTEGER NOT NULL,
    account_id        TEXT    NOT NULL,
    queue_id          TEXT    NOT NULL,
    evaluator_user_id TEXT    NOT NULL,
    evaluations       INTEGER NOT NULL,
    ratio_sum         REAL    NOT NULL,
    ratio_n           INTEGER NOT NULL,
    calibrated        INTEGER NOT NULL,
    deviation_sum     REAL    NOT NULL,
    PRIMARY KEY (day, account_id, queue_id, evaluator_user_id)
) WITHOUT ROWID;

CREATE TABLE calibration_groups (
    account_id     TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    scorecard_name TEXT    NOT NULL,
    hour           INTEGER NOT NULL,
    queue_id       TEXT    NOT NULL,
    spread         REAL    NOT NULL,
    PRIMARY KEY (account_id, interaction_id, scorecard_name)
) WITHOUT ROWID;

-- In the report's order: the widest groups of a period are found by walking it until ten fall in the period
-- (about 110 entries for 30 days of a year), instead of sorting every group of the period.
CREATE INDEX calibration_groups_by_spread ON calibration_groups (spread DESC, account_id, interaction_id, scorecard_name, hour, queue_id);

-- The evaluations whose interaction is unknown (or that name none), by event_ts: what a period's evaluations add
-- to those of its interactions, without testing every evaluation of the period for a missing interaction.
CREATE TABLE analytics_orphan_evaluations (
    account_id    TEXT    NOT NULL,
    evaluation_id TEXT    NOT NULL,
    last_event_ts INTEGER NOT NULL,
    PRIMARY KEY (account_id, evaluation_id)
) WITHOUT ROWID;

CREATE INDEX analytics_orphan_evaluations_by_ts ON analytics_orphan_evaluations (last_event_ts);

-- Every evaluated interaction with its search score key (mean evaluation_score_ratio x 100; 1e308 when none has a
-- ratio), in the order of lowest-score search: the period's lowest scores without scoring the whole period.
CREATE TABLE analytics_interaction_scores (
    account_id     TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    at_ms          INTEGER NOT NULL,
    score_key      REAL    NOT NULL,
    PRIMARY KEY (account_id, interaction_id)
) WITHOUT ROWID;

CREATE INDEX analytics_interaction_scores_by_score ON analytics_interaction_scores (score_key, at_ms, account_id, interaction_id);

-- Filled from the projections by SqliteRollups.BuildAfterMigrationAsync.
