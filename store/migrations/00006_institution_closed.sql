-- Who closed an institution, and why (issue 9, point 6). The day it closed is the
-- institutions.closed_on column of the first schema, NULL while the institution is open:
-- a closed institution gets no new cycle, and closing it cancels the one that runs.
-- closed_by is the secretariat person who recorded the closure (the importer, when a
-- registry file set closed_on); closed_reason is the reason they gave, or the file it came
-- from. Both are '' while the institution is open. Portable SQL: SQLite and PostgreSQL.

-- +goose Up
ALTER TABLE institutions ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE institutions DROP COLUMN closed_reason;
ALTER TABLE institutions DROP COLUMN closed_by;
