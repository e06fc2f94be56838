-- When the newest published record was written, read in one index lookup: the public pages
-- ask it (with the count) to know whether anything was published since their snapshot, and
-- without the index every row, its large record included, would be read (issue 12).
-- Portable SQL: SQLite and PostgreSQL.

-- +goose Up
CREATE INDEX published_records_created ON published_records (created_at);

-- +goose Down
DROP INDEX published_records_created;
