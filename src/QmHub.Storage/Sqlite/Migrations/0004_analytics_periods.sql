-- The period of an interaction is its start, else its event_ts. The analytics queries range over exactly this
-- expression, so a period is one range of this index (no OR of two ranges), and interaction search reads its
-- newest-first pages in the index's order (the key breaks ties) instead of sorting the whole period. The key
-- makes the index cover the join to evaluations: an interaction's row is read only when it is needed, so the
-- evaluations of a long period do not read every interaction of it.
CREATE INDEX interactions_by_period ON interactions (coalesce(start_ms, last_event_ts), account_id, interaction_id);

-- An evaluation whose interaction is unknown belongs to the period of its own event_ts: the plain GROUP BY and
-- the evaluations of a period find those by this index instead of reading every evaluation.
CREATE INDEX evaluations_by_event_ts ON evaluations (last_event_ts);
