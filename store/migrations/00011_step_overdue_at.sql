-- When an open step becomes overdue, as an instant (Unix milliseconds) on its cycle's own
-- calendar: the tracking queries filter and sort on it with an index instead of working out
-- "today" for every cycle (issue 13). Filled by UpsertStep; rows written before this
-- migration are filled in once by the store when it opens. Portable SQL: SQLite and
-- PostgreSQL.

-- +goose Up
ALTER TABLE steps ADD COLUMN overdue_at BIGINT;
CREATE INDEX steps_open_overdue ON steps (status, overdue_at, id);
CREATE INDEX steps_open_region_overdue ON steps (region, status, overdue_at, id);
CREATE INDEX steps_institution_overdue ON steps (institution_id, status, overdue_at, id);
CREATE INDEX steps_holder_overdue ON steps (holder_id, status, overdue_at, id);
-- Covers the per-region and per-step counts.
CREATE INDEX steps_counts ON steps (status, region, step, overdue_at);

-- +goose Down
DROP INDEX steps_counts;
DROP INDEX steps_holder_overdue;
DROP INDEX steps_institution_overdue;
DROP INDEX steps_open_region_overdue;
DROP INDEX steps_open_overdue;
ALTER TABLE steps DROP COLUMN overdue_at;
