-- Two indexes on interactions that no query reads any more: every period is now one range over
-- coalesce(start_ms, last_event_ts) (interactions_by_period, 0004), and queue filters are answered from the
-- rollups or within that range. Each delivery still paid for them: an index entry apiece, and, because SQLite
-- rebalances an index's rightmost leaves with their neighbours when one fills, three or four pages apiece in the
-- WAL at nearly every commit (8 of the 50 pages a commit of 24 deliveries wrote).
DROP INDEX IF EXISTS interactions_by_start;
DROP INDEX IF EXISTS interactions_by_queue_start;
