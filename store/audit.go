package store

// The audit trail: who did what, when, to which cycle; each entry recorded once by ID.

import (
	"context"
	"time"
)

// AuditEntry is one action in the audit trail: who did what, when, to which cycle.
type AuditEntry struct {
	ID            string    `db:"id" json:"id"`
	At            time.Time `db:"at" json:"at"`
	ActorID       string    `db:"actor_id" json:"actor"`
	Action        string    `db:"action" json:"action"`
	InstitutionID string    `db:"institution_id" json:"institution_id"`
	Cycle         int       `db:"cycle_number" json:"cycle"`
	Step          string    `db:"step" json:"step"`
	Details       string    `db:"details" json:"details"`
}

// Audit appends to the audit trail once per ID.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO audit_log (id, at, actor_id, action, institution_id,
		cycle_number, step, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		e.ID, dbTime(e.At), e.ActorID, e.Action, e.InstitutionID, e.Cycle, e.Step, e.Details)
	return err
}

// AuditTrail lists the audit entries of one institution, oldest first.
func (s *Store) AuditTrail(ctx context.Context, institutionID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, at, actor_id, action, institution_id, cycle_number,
		step, details FROM audit_log WHERE institution_id = ? ORDER BY at, id`), institutionID)
	return out, err
}
