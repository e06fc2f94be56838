-- The calendar invitations of visits and revisits (issue 10, point 6). Each visit row has at
-- most one calendar event: its UID, fixed when it is first sent, and the state its last
-- SEQUENCE announced (the date, or that it is cancelled). A dispatcher that sees the visit
-- row or the cycle differ from that state raises SEQUENCE by one (a compare-and-set on the
-- old value, so two dispatchers never both do), and then queues that SEQUENCE's .ics to each
-- person under an outbox ID made of UID, SEQUENCE and person; queued_sequence says up to
-- which SEQUENCE the rows are queued. A crash in between queues the same rows again, which
-- the outbox keeps once: an invitation is sent once per (UID, SEQUENCE, person).
-- Portable SQL: SQLite and PostgreSQL.

-- +goose Up
CREATE TABLE calendar_events (
    uid             TEXT PRIMARY KEY,
    visit_id        TEXT NOT NULL,
    institution_id  TEXT NOT NULL,
    cycle_number    INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    visit_on        TEXT NOT NULL,
    cancelled       BOOLEAN NOT NULL DEFAULT FALSE,
    -- When this SEQUENCE was decided: the event's DTSTAMP, the same in every copy of it.
    changed_at      TIMESTAMP NOT NULL,
    queued_sequence INTEGER NOT NULL DEFAULT -1
);
CREATE UNIQUE INDEX calendar_events_visit ON calendar_events (visit_id);

-- +goose Down
DROP INDEX calendar_events_visit;
DROP TABLE calendar_events;
