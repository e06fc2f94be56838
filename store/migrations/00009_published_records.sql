-- The published record of a cycle (issue 12): what the public may read, composed once the
-- result is final. A correction adds a version; the one it replaces stays, marked as
-- superseded. The record is JSON (store.PublishedRecord) with no personal data. Portable SQL:
-- SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE published_records (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    published_on   TEXT NOT NULL,
    verdict        INTEGER NOT NULL,
    region         TEXT NOT NULL,
    record         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    superseded_on  TEXT,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, cycle_number, version)
);
CREATE INDEX published_records_current ON published_records (superseded_on, published_on);
CREATE INDEX published_records_region ON published_records (region, published_on);

-- +goose Down
DROP TABLE published_records;
