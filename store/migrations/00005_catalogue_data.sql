-- The standards catalogue as data (issue 9, point 8): a generation is imported from a file
-- (starter catalogue import) and never changes afterwards. The generation row says whether it
-- is an example written for this project, with its notice; the rating scale's labels are
-- rows of their own; an indicator, like a standard, can be retired (kept because recorded
-- data refers to it). document is the generation as it was given (JSON), before standards with
-- recorded data were carried into it, so a second import of the same file is recognised;
-- source, imported_by and imported_at say where it came from. Rows of earlier versions (the
-- seeded first generation) have document '' until the seed rewrites them.
-- Portable SQL: SQLite and PostgreSQL.

-- +goose Up
ALTER TABLE catalogue_generations ADD COLUMN example BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE catalogue_generations ADD COLUMN notice_da TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_generations ADD COLUMN notice_en TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_generations ADD COLUMN document TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_generations ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_generations ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_generations ADD COLUMN imported_at TIMESTAMP;

ALTER TABLE indicators ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE catalogue_scale (
    generation INTEGER NOT NULL REFERENCES catalogue_generations (number),
    level      INTEGER NOT NULL,
    label_da   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    PRIMARY KEY (generation, level)
);

-- Which standards have recorded data: looked up by code when a new generation is imported.
CREATE INDEX self_evaluation_ratings_standard ON self_evaluation_ratings (standard);
CREATE INDEX report_assessments_standard ON report_assessments (standard);
CREATE INDEX indicator_values_indicator ON indicator_values (indicator);

-- +goose Down
DROP INDEX indicator_values_indicator;
DROP INDEX report_assessments_standard;
DROP INDEX self_evaluation_ratings_standard;
DROP TABLE catalogue_scale;
ALTER TABLE indicators DROP COLUMN retired;
ALTER TABLE catalogue_generations DROP COLUMN imported_at;
ALTER TABLE catalogue_generations DROP COLUMN imported_by;
ALTER TABLE catalogue_generations DROP COLUMN source;
ALTER TABLE catalogue_generations DROP COLUMN document;
ALTER TABLE catalogue_generations DROP COLUMN notice_en;
ALTER TABLE catalogue_generations DROP COLUMN notice_da;
ALTER TABLE catalogue_generations DROP COLUMN example;
