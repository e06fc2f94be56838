-- Every read-model row a workflow writes carries the revision of that write, and an older
-- write (an activity retried after a crash, or delivered late) never replaces a newer one.
-- Revisions come from the workflow's clock, so they also order the writes of a workflow
-- that was reset or restarted. Portable SQL: SQLite and PostgreSQL.

-- +goose Up
ALTER TABLE assignments ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cycles ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN final_revision BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE reports DROP COLUMN final_revision;
ALTER TABLE cycles DROP COLUMN revision;
ALTER TABLE visits DROP COLUMN revision;
ALTER TABLE assignments DROP COLUMN revision;
