-- The domain store's first schema: the registry (regions, institutions, people and what
-- makes them eligible as reviewers), the standards catalogue, and the read model that the
-- cycle workflows own (cycles, steps, submissions, assignments, visits, reports,
-- publications), plus the notification outbox and the audit log.
-- Portable SQL: it runs unchanged on SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code)
);

CREATE TABLE target_groups (
    code    TEXT PRIMARY KEY,
    name_da TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE institutions (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    region       TEXT NOT NULL REFERENCES regions (code),
    municipality TEXT REFERENCES municipalities (code),
    legal_basis  TEXT NOT NULL,
    places       INTEGER NOT NULL DEFAULT 0,
    address      TEXT NOT NULL DEFAULT '',
    postcode     TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    closed_on    TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX institutions_region ON institutions (region);

CREATE TABLE institution_target_groups (
    institution_id TEXT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    target_group   TEXT NOT NULL REFERENCES target_groups (code),
    PRIMARY KEY (institution_id, target_group)
);
CREATE INDEX institution_target_groups_group ON institution_target_groups (target_group);

CREATE TABLE people (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    slack_user_id    TEXT NOT NULL DEFAULT '',
    role             TEXT NOT NULL,
    region           TEXT REFERENCES regions (code),
    home_institution TEXT REFERENCES institutions (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX people_role_region ON people (role, region);
CREATE INDEX people_home_institution ON people (home_institution);

CREATE TABLE trainings (
    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE conflicts_of_interest (
    person_id      TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (person_id, institution_id)
);

CREATE TABLE employments (
    person_id      TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    from_date      TEXT NOT NULL,
    to_date        TEXT,
    PRIMARY KEY (person_id, institution_id, from_date)
);
CREATE INDEX employments_institution ON employments (institution_id);

CREATE TABLE catalogue_generations (
    number         INTEGER PRIMARY KEY,
    name_da        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    effective_from TEXT NOT NULL
);

CREATE TABLE themes (
    generation INTEGER NOT NULL REFERENCES catalogue_generations (number),
    code       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    name_da    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (generation, code)
);

CREATE TABLE standards (
    generation       INTEGER NOT NULL REFERENCES catalogue_generations (number),
    code             TEXT NOT NULL,
    theme            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    title_da         TEXT NOT NULL,
    title_en         TEXT NOT NULL,
    area_da          TEXT NOT NULL,
    area_en          TEXT NOT NULL,
    target_group_da  TEXT NOT NULL,
    target_group_en  TEXT NOT NULL,
    purpose_da       TEXT NOT NULL,
    purpose_en       TEXT NOT NULL,
    guideline_da     TEXT NOT NULL,
    guideline_en     TEXT NOT NULL,
    documentation_da TEXT NOT NULL,
    documentation_en TEXT NOT NULL,
    retired          BOOLEAN NOT NULL DEFAULT FALSE,
    position         INTEGER NOT NULL,
    PRIMARY KEY (generation, code),
    FOREIGN KEY (generation, theme) REFERENCES themes (generation, code)
);

CREATE TABLE indicators (
    generation INTEGER NOT NULL,
    standard   TEXT NOT NULL,
    code       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    text_da    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL,
    PRIMARY KEY (generation, code),
    FOREIGN KEY (generation, standard) REFERENCES standards (generation, code)
);

-- Read model of the cycle workflows: one row per institution and cycle number.
CREATE TABLE cycles (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    number         INTEGER NOT NULL,
    workflow_id    TEXT NOT NULL,
    start_date     TEXT NOT NULL,
    status         TEXT NOT NULL,
    current_step   TEXT NOT NULL DEFAULT '',
    ended_on       TEXT,
    note           TEXT NOT NULL DEFAULT '',
    verdict        INTEGER,
    generation     INTEGER NOT NULL,
    -- The cycle's calendar: anchor_date begins at anchor_time and each day lasts
    -- day_length_ms, so readers can tell what "today" is for a demo-speed cycle.
    anchor_date    TEXT NOT NULL,
    anchor_time    TIMESTAMP NOT NULL,
    day_length_ms  BIGINT NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, number)
);
CREATE INDEX cycles_status ON cycles (status);

-- Every step that waits for a person, open or closed.
CREATE TABLE steps (
    id               TEXT PRIMARY KEY,
    institution_id   TEXT NOT NULL REFERENCES institutions (id),
    cycle_number     INTEGER NOT NULL,
    step             TEXT NOT NULL,
    title            TEXT NOT NULL,
    region           TEXT NOT NULL,
    holder_id        TEXT NOT NULL DEFAULT '',
    holder_role      TEXT NOT NULL DEFAULT '',
    opened_on        TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL,
    closed_on        TEXT,
    closed_by        TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    escalation_level INTEGER NOT NULL DEFAULT 0,
    revision         BIGINT NOT NULL DEFAULT 0,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX steps_open ON steps (status, due_on);
CREATE INDEX steps_institution ON steps (institution_id, cycle_number);

CREATE TABLE submissions (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    step           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    submitted_by   TEXT NOT NULL,
    submitted_on   TEXT NOT NULL,
    payload        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX submissions_institution ON submissions (institution_id, cycle_number);

CREATE TABLE self_evaluation_ratings (
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    rating        INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (submission_id, standard)
);

CREATE TABLE indicator_values (
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    indicator     TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (submission_id, indicator)
);

CREATE TABLE assignments (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    role           TEXT NOT NULL,
    person_id      TEXT NOT NULL REFERENCES people (id),
    status         TEXT NOT NULL,
    invited_on     TEXT NOT NULL,
    answer_due     TEXT NOT NULL,
    answered_on    TEXT,
    reasons        TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX assignments_person ON assignments (person_id, status);
CREATE INDEX assignments_institution ON assignments (institution_id, cycle_number);

CREATE TABLE visits (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    visit_on       TEXT NOT NULL,
    set_by         TEXT NOT NULL,
    recorded_on    TEXT,
    recorded_by    TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    author_id      TEXT NOT NULL,
    submitted_on   TEXT NOT NULL,
    verdict        INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    suggestions    TEXT NOT NULL DEFAULT '',
    payload        TEXT NOT NULL,
    final_verdict  INTEGER,
    final_on       TEXT,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE report_assessments (
    report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    standard   TEXT NOT NULL,
    met        BOOLEAN NOT NULL,
    assessment TEXT NOT NULL,
    PRIMARY KEY (report_id, standard)
);

CREATE TABLE publications (
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    cycle_number   INTEGER NOT NULL,
    verdict        INTEGER NOT NULL,
    published_on   TEXT NOT NULL,
    summary        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, cycle_number)
);

-- Every task, reminder and escalation, keyed by an idempotency key so a retried activity
-- never queues a notification twice.
CREATE TABLE outbox (
    id             TEXT PRIMARY KEY,
    created_at     TIMESTAMP NOT NULL,
    kind           TEXT NOT NULL,
    recipient_id   TEXT NOT NULL,
    recipient_role TEXT NOT NULL DEFAULT '',
    channel        TEXT NOT NULL DEFAULT '',
    institution_id TEXT NOT NULL DEFAULT '',
    cycle_number   INTEGER NOT NULL DEFAULT 0,
    step           TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    link           TEXT NOT NULL DEFAULT '',
    due_on         TEXT,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    sent_at        TIMESTAMP,
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_status ON outbox (status, created_at);
CREATE INDEX outbox_recipient ON outbox (recipient_id);

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    at             TIMESTAMP NOT NULL,
    actor_id       TEXT NOT NULL,
    action         TEXT NOT NULL,
    institution_id TEXT NOT NULL DEFAULT '',
    cycle_number   INTEGER NOT NULL DEFAULT 0,
    step           TEXT NOT NULL DEFAULT '',
    details        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_institution ON audit_log (institution_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE outbox;
DROP TABLE publications;
DROP TABLE report_assessments;
DROP TABLE reports;
DROP TABLE visits;
DROP TABLE assignments;
DROP TABLE indicator_values;
DROP TABLE self_evaluation_ratings;
DROP TABLE submissions;
DROP TABLE steps;
DROP TABLE cycles;
DROP TABLE indicators;
DROP TABLE standards;
DROP TABLE themes;
DROP TABLE catalogue_generations;
DROP TABLE employments;
DROP TABLE conflicts_of_interest;
DROP TABLE trainings;
DROP TABLE people;
DROP TABLE institution_target_groups;
DROP TABLE institutions;
DROP TABLE target_groups;
DROP TABLE municipalities;
DROP TABLE regions;
