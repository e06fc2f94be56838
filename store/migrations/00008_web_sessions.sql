-- The web app (issue 11): personal sign-in links, sessions, report drafts, and the indexes
-- of the managers' dashboard.
--
-- A sign-in link's token and a session's ID are secrets held by one browser: only their
-- SHA-256 (hex) is stored, so whoever reads this database cannot sign in with them. A link
-- is used once (used_ms is set in the same statement that checks it) and expires; a session
-- expires and is deleted at sign-out. Times are Unix milliseconds (BIGINT) so that SQLite and
-- PostgreSQL compare them the same way; 0 means "not yet".
-- Portable SQL: SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE signin_links (
    token_hash TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- The secretariat person who issued it (starter people link ID --as ...).
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX signin_links_person ON signin_links (person_id);
CREATE INDEX signin_links_expiry ON signin_links (expires_ms);

CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- The synchronizer token every form of the session carries (CSRF).
    csrf_token TEXT NOT NULL,
    -- How the person signed in: link or oidc.
    method     TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_person ON web_sessions (person_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_ms);

-- A lead reviewer's report while it is written: one draft per step and author, kept until
-- the report is submitted. content is the form as JSON.
CREATE TABLE report_drafts (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    step           TEXT NOT NULL,
    author_id      TEXT NOT NULL REFERENCES people (id),
    content        TEXT NOT NULL,
    saved_ms       BIGINT NOT NULL,
    PRIMARY KEY (institution_id, cycle_number, step, author_id)
);

-- The dashboard reads open steps only, filtered by region, holder or institution.
CREATE INDEX steps_open_region ON steps (region, due_on) WHERE status = 'open';
CREATE INDEX steps_open_holder ON steps (holder_id, due_on) WHERE status = 'open';
CREATE INDEX steps_open_institution ON steps (institution_id, due_on) WHERE status = 'open';
-- A reviewer's teams, for what they may see.
CREATE INDEX assignments_person_institution ON assignments (person_id, institution_id, cycle_number);

-- +goose Down
DROP INDEX assignments_person_institution;
DROP INDEX steps_open_institution;
DROP INDEX steps_open_holder;
DROP INDEX steps_open_region;
DROP TABLE report_drafts;
DROP TABLE web_sessions;
DROP TABLE signin_links;
