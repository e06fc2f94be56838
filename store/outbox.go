package store

// The notification outbox: every task, reminder and escalation, queued once by its key, and
// its delivery by the dispatchers of package notify (migration 00007 describes the states).
// Several dispatchers, in several worker processes, may share one store: each claims rows
// with a lease, and every write about a claimed row names the lease, so a dispatcher whose
// lease expired (it stalled, and another took the row over) changes nothing.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// The states of an outbox row.
const (
	// OutboxQueued waits for a dispatcher, from NextAttemptMs on.
	OutboxQueued = "queued"
	// OutboxSending is leased by a dispatcher until LeaseExpiresMs; after that another may
	// take it over.
	OutboxSending = "sending"
	// OutboxDelivered was posted to Slack: SlackChannel and SlackTS say where.
	OutboxDelivered = "delivered"
	// OutboxLogged was written to the log only: Slack is not configured, or the message is
	// covered by the secretariat's daily digest (LastError says which).
	OutboxLogged = "logged"
	// OutboxFailed cannot be delivered until someone fixes the reason in LastError and
	// retries it (starter outbox retry).
	OutboxFailed = "failed"
)

// The states of the Slack copy of a superseded message (OutboxMessage.UpdateStatus).
const (
	UpdatePending = "pending"
	UpdateDone    = "done"
	UpdateFailed  = "failed"
)

// ErrLeaseLost is returned for a write about a claimed row whose lease this dispatcher no
// longer holds: it expired and another dispatcher took the row over.
var ErrLeaseLost = errors.New("the outbox row's lease was lost to another dispatcher")

// OutboxMessage is a notification waiting for, or past, delivery.
type OutboxMessage struct {
	ID            string         `db:"id" json:"id"`
	CreatedAt     time.Time      `db:"created_at" json:"created_at"`
	Kind          string         `db:"kind" json:"kind"`
	RecipientID   string         `db:"recipient_id" json:"recipient_id"`
	RecipientRole string         `db:"recipient_role" json:"recipient_role"`
	Channel       string         `db:"channel" json:"channel"`
	InstitutionID string         `db:"institution_id" json:"institution_id"`
	Cycle         int            `db:"cycle_number" json:"cycle"`
	Step          string         `db:"step" json:"step"`
	Subject       string         `db:"subject" json:"subject"`
	Body          string         `db:"body" json:"body"`
	Link          string         `db:"link" json:"link"`
	Due           sql.NullString `db:"due_on" json:"-"`
	Status        string         `db:"status" json:"status"`
	Attempts      int            `db:"attempts" json:"attempts"`
	// SentAt is when the row was delivered, logged or failed.
	SentAt sql.NullTime `db:"sent_at" json:"-"`
	// LastError is why the row failed, why it waits for another attempt, or why it was only
	// logged.
	LastError string `db:"last_error" json:"reason,omitempty"`
	Region    string `db:"region" json:"region,omitempty"`
	Level     int    `db:"level" json:"level,omitempty"`
	StepID    string `db:"step_id" json:"step_id,omitempty"`
	Content   string `db:"content" json:"-"`
	LeaderID  string `db:"leader_id" json:"leader_id,omitempty"`

	LeaseOwner      string `db:"lease_owner" json:"lease_owner,omitempty"`
	LeaseExpiresMs  int64  `db:"lease_expires_ms" json:"-"`
	NextAttemptMs   int64  `db:"next_attempt_ms" json:"-"`
	SlackChannel    string `db:"slack_channel" json:"slack_channel,omitempty"`
	SlackTS         string `db:"slack_ts" json:"slack_ts,omitempty"`
	Superseded      string `db:"superseded" json:"superseded,omitempty"`
	UpdateStatus    string `db:"update_status" json:"update_status,omitempty"`
	FailureReported bool   `db:"failure_reported" json:"-"`
}

const outboxColumns = `id, created_at, kind, recipient_id, recipient_role, channel, institution_id, cycle_number,
	step, subject, body, link, due_on, status, attempts, sent_at, last_error, region, level, step_id, content,
	leader_id, lease_owner, lease_expires_ms, next_attempt_ms, slack_channel, slack_ts, superseded,
	update_status, failure_reported`

// EnqueueNotification inserts a message as queued unless one with its ID exists, and reports
// whether it was new.
func (s *Store) EnqueueNotification(ctx context.Context, m OutboxMessage) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO outbox (id, created_at, kind, recipient_id,
		recipient_role, channel, institution_id, cycle_number, step, subject, body, link, due_on, status,
		region, level, step_id, content, leader_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		m.ID, s.now().UTC(), m.Kind, m.RecipientID, m.RecipientRole, m.Channel, m.InstitutionID, m.Cycle, m.Step,
		m.Subject, m.Body, m.Link, m.Due, m.Region, m.Level, m.StepID, m.Content, m.LeaderID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// OutboxFilter narrows Outbox.
type OutboxFilter struct {
	RecipientID   string
	InstitutionID string
	// Status is one of the Outbox* states.
	Status string
}

// Outbox lists notifications, oldest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	query := `SELECT ` + outboxColumns + ` FROM outbox WHERE 1 = 1`
	var args []any
	if f.RecipientID != "" {
		query += ` AND recipient_id = ?`
		args = append(args, f.RecipientID)
	}
	if f.InstitutionID != "" {
		query += ` AND institution_id = ?`
		args = append(args, f.InstitutionID)
	}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	query += ` ORDER BY created_at, id`
	var out []OutboxMessage
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...)
	return out, err
}

// Notification returns one outbox row.
func (s *Store) Notification(ctx context.Context, id string) (OutboxMessage, error) {
	var m OutboxMessage
	err := s.db.GetContext(ctx, &m, s.db.Rebind(`SELECT `+outboxColumns+` FROM outbox WHERE id = ?`), id)
	if err != nil {
		return OutboxMessage{}, notFound(err, "notification "+id)
	}
	return m, nil
}

// claimable is the condition of a row a dispatcher may claim at nowMs: queued and due, or
// sending under a lease that expired. Rows that share a leader's message are never claimed.
// Its first two terms are the condition of the partial index outbox_claimable (migration
// 00013), word for word: SQLite uses a partial index only for a query that repeats them.
const claimable = `leader_id = '' AND status IN ('queued', 'sending') AND ((status = 'queued' AND next_attempt_ms <= ?)
	OR (status = 'sending' AND lease_expires_ms < ?))`

// claimableIDs picks the oldest claimable rows, up to a limit.
const claimableIDs = `SELECT id FROM outbox WHERE ` + claimable + ` ORDER BY created_at, id LIMIT ?`

// ClaimNotifications leases up to limit claimable rows, oldest first, to lease (a token unique
// to this claim) until leaseUntilMs, counts an attempt on each, and returns them. It is one
// UPDATE, so two dispatchers never claim the same row: SQLite runs one writer at a time, and
// PostgreSQL re-checks the repeated condition on a row another transaction just claimed.
func (s *Store) ClaimNotifications(ctx context.Context, lease string, nowMs, leaseUntilMs int64, limit int) ([]OutboxMessage, error) {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET status = 'sending', lease_owner = ?,
		lease_expires_ms = ?, attempts = attempts + 1
		WHERE id IN (`+claimableIDs+`)
		AND `+claimable),
		lease, leaseUntilMs, nowMs, nowMs, limit, nowMs, nowMs)
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	var out []OutboxMessage
	err = s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT `+outboxColumns+` FROM outbox
		WHERE lease_owner = ? AND status = 'sending' ORDER BY created_at, id`), lease)
	return out, err
}

// RecordTarget notes, just before the message is posted, the conversation it is posted in,
// so that a dispatcher taking the row over knows where to look for it, and renews the lease
// until leaseUntilMs. It returns ErrLeaseLost, and the caller must not post, when another
// dispatcher has taken the row over.
func (s *Store) RecordTarget(ctx context.Context, id, lease, channel string, leaseUntilMs int64) error {
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET slack_channel = ?, lease_expires_ms = ?
		WHERE id = ? AND lease_owner = ? AND status = 'sending'`), channel, leaseUntilMs, id, lease)
	return leased(res, err)
}

// Outcome is what became of a claimed row.
type Outcome struct {
	// Status is OutboxDelivered, OutboxLogged or OutboxFailed.
	Status       string
	SlackChannel string
	SlackTS      string
	// Reason is why it failed or was only logged.
	Reason string
	// Rendered is the superseded reason the message was posted with ('' for a current
	// message): if the row was superseded for another reason while it was being posted, its
	// Slack copy is left for an update.
	Rendered string
	At       time.Time
}

// FinishNotification records the outcome of a claimed row, and the same outcome for the rows
// that share its message, in one transaction. A row superseded while it was being posted is
// left for an update.
func (s *Store) FinishNotification(ctx context.Context, id, lease string, o Outcome) error {
	switch o.Status {
	case OutboxDelivered, OutboxLogged, OutboxFailed:
	default:
		return fmt.Errorf("finish notification %s: %q is not a final state", id, o.Status)
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		set := `SET status = ?, slack_channel = CASE WHEN ? = '' THEN slack_channel ELSE ? END, slack_ts = ?,
			last_error = ?, sent_at = ?, lease_owner = '', lease_expires_ms = 0,
			update_status = CASE WHEN superseded <> ? AND ? <> '' THEN 'pending' ELSE update_status END`
		args := []any{o.Status, o.SlackChannel, o.SlackChannel, o.SlackTS, o.Reason, o.At.UTC(), o.Rendered, o.SlackTS}
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox `+set+`
			WHERE id = ? AND lease_owner = ? AND status = 'sending'`), append(args, id, lease)...)
		if err := leased(res, err); err != nil {
			return err
		}
		// The followers share the message; the leader alone carries its Slack copy.
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET status = ?, slack_channel = ?, slack_ts = ?,
			last_error = ?, sent_at = ? WHERE leader_id = ?`),
			o.Status, o.SlackChannel, o.SlackTS, o.Reason, o.At.UTC(), id)
		return err
	})
}

// RequeueNotification gives a claimed row back: it is tried again from nextAttemptMs, and
// reason says why it waits. counted says whether the claim was an attempt (a post was tried);
// a row released untried gets its attempt back.
func (s *Store) RequeueNotification(ctx context.Context, id, lease string, nextAttemptMs int64, reason string, counted bool) error {
	back := 0
	if !counted {
		back = 1
	}
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET status = 'queued', lease_owner = '',
		lease_expires_ms = 0, next_attempt_ms = ?, last_error = ?, attempts = attempts - ?
		WHERE id = ? AND lease_owner = ? AND status = 'sending'`), nextAttemptMs, reason, back, id, lease)
	return leased(res, err)
}

// RetryNotification queues a failed row again (with the rows that share its message; a
// follower's ID retries its leader) and records who did it in the audit trail, in one
// transaction. It returns the row as it was.
func (s *Store) RetryNotification(ctx context.Context, id string, audit AuditEntry) (OutboxMessage, error) {
	var before OutboxMessage
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &before, tx.Rebind(`SELECT `+outboxColumns+` FROM outbox WHERE id = ?`), id); err != nil {
			return notFound(err, "notification "+id)
		}
		leader := before.ID
		if before.LeaderID != "" {
			leader = before.LeaderID
		}
		if before.Status != OutboxFailed {
			return fmt.Errorf("notification %s is %s, not failed: only a failed notification can be retried", id, before.Status)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET status = 'queued', next_attempt_ms = 0,
			last_error = '', lease_owner = '', lease_expires_ms = 0
			WHERE (id = ? OR leader_id = ?) AND status = 'failed'`), leader, leader); err != nil {
			return err
		}
		audit.Details = strings.TrimSpace(audit.Details + " (the failure was: " + before.LastError + ")")
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO audit_log (id, at, actor_id, action, institution_id,
			cycle_number, step, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			audit.ID, audit.At.UTC(), audit.ActorID, audit.Action, audit.InstitutionID, audit.Cycle, audit.Step, audit.Details)
		return err
	})
	return before, err
}

// UnreportedFailures lists failed rows (leaders only: one per Slack message) whose failure the
// secretariat has not been told of yet.
func (s *Store) UnreportedFailures(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT `+outboxColumns+` FROM outbox
		WHERE status = 'failed' AND leader_id = '' AND failure_reported = ? ORDER BY created_at, id LIMIT ?`), false, limit)
	return out, err
}

// MarkFailureReported records that the secretariat was told of a failed row.
func (s *Store) MarkFailureReported(ctx context.Context, id string) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET failure_reported = ? WHERE id = ?`), true, id)
	return err
}

// buttonKinds are the kinds of message that carry buttons and so are updated when they go
// out of date; information is left as it was.
const buttonKinds = `('task', 'reminder', 'escalation', 'extended')`

// staleStep is the condition, on a row of outbox, that its step in the read model has moved
// on: closed (done, waived, expired, withdrawn), its due date moved, or (for the holder's own
// task and reminders) handed to someone else.
const staleStep = `EXISTS (SELECT 1 FROM steps st WHERE st.id = outbox.step_id AND (st.status <> 'open'
	OR (outbox.due_on IS NOT NULL AND st.due_on <> outbox.due_on)
	OR (outbox.kind IN ('task', 'reminder') AND st.holder_id <> '' AND st.holder_id <> outbox.recipient_id)))`

// staleReason is why a stale row is out of date, in the words of SupersedeStale.
const staleReason = `(SELECT CASE WHEN st.status <> 'open' THEN st.status
	WHEN outbox.due_on IS NOT NULL AND st.due_on <> outbox.due_on THEN 'extended'
	ELSE 'handed-over' END FROM steps st WHERE st.id = outbox.step_id)`

// SupersedeStale marks the messages with buttons whose step the read model shows to have moved
// on (see staleStep), and leaves those already in Slack for an update. It is the trigger of
// the updates: the workflows write the read model, and the dispatchers compare the outbox
// with it, so no workflow has to ask for the update. It returns how many rows it marked.
func (s *Store) SupersedeStale(ctx context.Context) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE outbox SET superseded = `+staleReason+`,
		update_status = CASE WHEN status = 'delivered' AND slack_ts <> '' AND leader_id = '' THEN 'pending' ELSE '' END
		WHERE superseded = '' AND step_id > '' AND kind IN `+buttonKinds+` AND `+staleStep)
	if err != nil {
		return 0, fmt.Errorf("supersede messages of closed steps: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SupersedeStepMessages marks every message with buttons about one step as out of date for
// reason (done, withdrawn, extended, ...), and leaves those already in Slack for an update.
// It returns how many rows it marked.
func (s *Store) SupersedeStepMessages(ctx context.Context, stepID, reason string) (int, error) {
	if stepID == "" || reason == "" {
		return 0, errors.New("supersede step messages: the step ID and the reason are required")
	}
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET superseded = ?,
		update_status = CASE WHEN status = 'delivered' AND slack_ts <> '' AND leader_id = '' THEN 'pending' ELSE '' END
		WHERE superseded = '' AND step_id = ? AND kind IN `+buttonKinds), reason, stepID)
	if err != nil {
		return 0, fmt.Errorf("supersede messages of step %s: %w", stepID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PendingUpdates lists delivered messages whose Slack copy must be updated.
func (s *Store) PendingUpdates(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT `+outboxColumns+` FROM outbox
		WHERE update_status = 'pending' AND status = 'delivered' ORDER BY created_at, id LIMIT ?`), limit)
	return out, err
}

// FinishUpdate records that a message's Slack copy was updated (UpdateDone), or cannot be
// (UpdateFailed, with the reason).
func (s *Store) FinishUpdate(ctx context.Context, id, status, reason string) error {
	if status != UpdateDone && status != UpdateFailed {
		return fmt.Errorf("finish update of %s: %q is not a final update state", id, status)
	}
	query := `UPDATE outbox SET update_status = ? WHERE id = ?`
	args := []any{status, id}
	if reason != "" {
		query = `UPDATE outbox SET update_status = ?, last_error = ? WHERE id = ?`
		args = []any{status, "update: " + reason, id}
	}
	_, err := s.w.ExecContext(ctx, s.db.Rebind(query), args...)
	return err
}

// leased turns a fenced write that changed no row into ErrLeaseLost.
func leased(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// ChannelLeader returns the ID of the row, among those whose ID starts with prefix (one
// notification's rows), that carries the Slack message to channel for the others; "" when
// there is none yet.
func (s *Store) ChannelLeader(ctx context.Context, prefix, channel string) (string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id FROM outbox WHERE id LIKE ? ESCAPE '\'
		AND channel = ? AND leader_id = '' ORDER BY created_at, id LIMIT 1`), likeEscaper.Replace(prefix)+"%", channel)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// StepExists reports whether the read model holds a step with this ID.
func (s *Store) StepExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM steps WHERE id = ?`), id)
	return n > 0, err
}
