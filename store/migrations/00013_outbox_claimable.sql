-- +goose Up
-- The dispatchers ask every second for the notifications they may claim. Without this index
-- the query walked every row the outbox ever held (outbox_leader matches them all): 8.7 ms a
-- poll with 10,000 delivered rows, about 2 % of a core at rest. Only queued and sending rows
-- are in this one, so an idle outbox answers at once however much it has delivered.
CREATE INDEX outbox_claimable ON outbox (leader_id, created_at, id) WHERE status IN ('queued', 'sending');

-- +goose Down
DROP INDEX outbox_claimable;
