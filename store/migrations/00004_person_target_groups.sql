-- The target groups a user or relative representative speaks for (people.csv's
-- target_groups): the similar-institution rule of PRODUCT.md §4 compares them with the
-- institution's, or, when a representative lists none, their home institution's. Reviewers
-- and other roles have none. Portable SQL: SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE person_target_groups (
    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    target_group TEXT NOT NULL REFERENCES target_groups (code),
    PRIMARY KEY (person_id, target_group)
);

-- +goose Down
DROP TABLE person_target_groups;
