-- payload.object is no longer copied into the projections: each projected row names the event that made it
-- (event_id), and the API cuts the object out of that event's body, byte for byte as received (the bytes that were
-- copied into object_json). The copy was a second 1-3 KB per delivery: about a tenth of the pages each commit wrote
-- to the WAL (45 -> 41 frames per 24-delivery commit; again at the checkpoint), 40% of the file per delivery, and a
-- UTF-16 string per delivery encoded back to UTF-8 to bind it.
-- SQLite rewrites each table's rows to drop a column (3.35 and later); the indexes do not name object_json.
ALTER TABLE interactions DROP COLUMN object_json;
ALTER TABLE evaluations DROP COLUMN object_json;
