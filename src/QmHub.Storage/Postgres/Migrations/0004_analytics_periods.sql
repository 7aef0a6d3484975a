-- The period of an interaction is its start, else its event_ts. The analytics queries range over exactly this
-- expression, so a period is one range of this index (no OR of two ranges), and interaction search reads its
-- newest-first pages in the index's order (the key, in the "C" order the pages use, breaks ties) instead of
-- sorting the whole period.
CREATE INDEX interactions_by_period ON interactions ((coalesce(start_ms, last_event_ts)), account_id COLLATE "C", interaction_id COLLATE "C");

-- An evaluation whose interaction is unknown belongs to the period of its own event_ts: the plain GROUP BY and
-- the evaluations of a period find those by this index instead of reading every evaluation.
CREATE INDEX evaluations_by_event_ts ON evaluations (last_event_ts);

-- Statistics for the new expression, so the planner estimates a period's rows before autovacuum gets to it.
ANALYZE interactions;
