-- Delivery of the notification outbox by dispatchers in the worker processes (issue 10).
-- The Notify activity only queues a row; a dispatcher leases it, delivers it to Slack (or,
-- without Slack, to the log) and records the outcome:
--
--   queued -> sending -> delivered | logged | failed
--   sending (lease expired: the dispatcher died) -> sending again, by another dispatcher,
--     which first looks for the message in the conversation before it posts again
--   failed -> queued (starter outbox retry)
--
-- Lease and retry times are Unix milliseconds (BIGINT) so that SQLite and PostgreSQL
-- compare them the same way; 0 means "none". Rows of earlier versions were never sent to
-- Slack: 'pending' ones are queued, and 'sent' ones (written to the log) are 'logged'.
-- Portable SQL: SQLite and PostgreSQL.

-- +goose Up
-- What the row is about, for routing, the digest and the failure report.
ALTER TABLE outbox ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN level INTEGER NOT NULL DEFAULT 0;
-- The read-model step (steps.id) a message with buttons is about, '' for every other
-- message: it is updated in Slack when the step is done, withdrawn, extended or handed over.
ALTER TABLE outbox ADD COLUMN step_id TEXT NOT NULL DEFAULT '';
-- The message as data (JSON), from which the dispatcher renders Block Kit.
ALTER TABLE outbox ADD COLUMN content TEXT NOT NULL DEFAULT '';
-- A channel post told to several people is one Slack message: the first person's row
-- (the leader) is delivered, and the others' rows name it here and share its outcome.
ALTER TABLE outbox ADD COLUMN leader_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_expires_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_ms BIGINT NOT NULL DEFAULT 0;
-- Where the message is (or is being) posted: the conversation ID and the message's ts.
ALTER TABLE outbox ADD COLUMN slack_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN slack_ts TEXT NOT NULL DEFAULT '';
-- Why the message is out of date ('' while it is not): done, withdrawn, extended, ... and
-- whether its Slack copy still has to be updated ('pending'), was ('done') or cannot be.
ALTER TABLE outbox ADD COLUMN superseded TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN update_status TEXT NOT NULL DEFAULT '';
-- Whether the secretariat was told that this row failed.
ALTER TABLE outbox ADD COLUMN failure_reported BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE outbox SET status = 'queued' WHERE status = 'pending';
UPDATE outbox SET status = 'logged' WHERE status = 'sent';

CREATE INDEX outbox_due ON outbox (status, next_attempt_ms);
-- The messages whose buttons are still live, which the dispatchers compare with the steps.
CREATE INDEX outbox_live ON outbox (superseded, step_id);
CREATE INDEX outbox_leader ON outbox (leader_id);
CREATE INDEX outbox_update ON outbox (update_status);

-- The Slack user found by users.lookupByEmail for a person without a slack_user_id in
-- people.csv, and the e-mail it was found for: a new address looks the person up again,
-- and a registry import, which rewrites slack_user_id, keeps what was found.
ALTER TABLE people ADD COLUMN slack_found_id TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN slack_found_for TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE people DROP COLUMN slack_found_for;
ALTER TABLE people DROP COLUMN slack_found_id;
DROP INDEX outbox_update;
DROP INDEX outbox_leader;
DROP INDEX outbox_live;
DROP INDEX outbox_due;
UPDATE outbox SET status = 'sent' WHERE status IN ('delivered', 'logged');
UPDATE outbox SET status = 'pending' WHERE status IN ('queued', 'sending', 'failed');
ALTER TABLE outbox DROP COLUMN failure_reported;
ALTER TABLE outbox DROP COLUMN update_status;
ALTER TABLE outbox DROP COLUMN superseded;
ALTER TABLE outbox DROP COLUMN slack_ts;
ALTER TABLE outbox DROP COLUMN slack_channel;
ALTER TABLE outbox DROP COLUMN next_attempt_ms;
ALTER TABLE outbox DROP COLUMN lease_expires_ms;
ALTER TABLE outbox DROP COLUMN lease_owner;
ALTER TABLE outbox DROP COLUMN leader_id;
ALTER TABLE outbox DROP COLUMN content;
ALTER TABLE outbox DROP COLUMN step_id;
ALTER TABLE outbox DROP COLUMN level;
ALTER TABLE outbox DROP COLUMN region;
