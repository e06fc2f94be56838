-- The national reviewer plan (starter reviewers plan --apply): the proposed person for each
-- seat of an evaluation falling due, used by the ProposeTeam activity when that evaluation
-- comes due and the person is still eligible. Portable SQL: SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE planned_assignments (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    seat           TEXT NOT NULL,
    person_id      TEXT NOT NULL REFERENCES people (id),
    evaluation_on  TEXT NOT NULL,
    reasons        TEXT NOT NULL DEFAULT '',
    cost           BIGINT NOT NULL DEFAULT 0,
    planned_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, cycle_number, seat)
);
CREATE INDEX planned_assignments_person ON planned_assignments (person_id);

-- +goose Down
DROP TABLE planned_assignments;
