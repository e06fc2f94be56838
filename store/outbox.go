package store

// The notification outbox: every task, reminder and escalation, queued once by its key.

import (
	"context"
	"database/sql"
	"time"
)

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
}

// EnqueueNotification inserts a message unless one with its ID exists, and reports whether
// it was new.
func (s *Store) EnqueueNotification(ctx context.Context, m OutboxMessage) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO outbox (id, created_at, kind, recipient_id,
		recipient_role, channel, institution_id, cycle_number, step, subject, body, link, due_on, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (id) DO NOTHING`),
		m.ID, s.now().UTC(), m.Kind, m.RecipientID, m.RecipientRole, m.Channel, m.InstitutionID, m.Cycle, m.Step,
		m.Subject, m.Body, m.Link, m.Due)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkSent records a delivered message.
func (s *Store) MarkSent(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1
		WHERE id = ?`), s.now().UTC(), id)
	return err
}

// PendingNotification returns a message if it is still waiting for delivery.
func (s *Store) PendingNotification(ctx context.Context, id string) (OutboxMessage, bool, error) {
	var m OutboxMessage
	err := s.db.GetContext(ctx, &m, s.db.Rebind(`SELECT id, created_at, kind, recipient_id, recipient_role, channel,
		institution_id, cycle_number, step, subject, body, link, due_on, status, attempts
		FROM outbox WHERE id = ? AND status = 'pending'`), id)
	if err == sql.ErrNoRows {
		return OutboxMessage{}, false, nil
	}
	return m, err == nil, err
}

// OutboxFilter narrows Outbox.
type OutboxFilter struct {
	RecipientID   string
	InstitutionID string
}

// Outbox lists notifications, oldest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	query := `SELECT id, created_at, kind, recipient_id, recipient_role, channel, institution_id, cycle_number, step,
		subject, body, link, due_on, status, attempts FROM outbox WHERE 1 = 1`
	var args []any
	if f.RecipientID != "" {
		query += ` AND recipient_id = ?`
		args = append(args, f.RecipientID)
	}
	if f.InstitutionID != "" {
		query += ` AND institution_id = ?`
		args = append(args, f.InstitutionID)
	}
	query += ` ORDER BY created_at, id`
	var out []OutboxMessage
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...)
	return out, err
}
