package store

import (
	"context"

	"github.com/kvalitetsmodel/accredit/domain"
)

// RaiseEscalation records that an open step's escalations reached level, once its repeats
// are sent from the read model (activities.RepeatEscalations). It changes only a step still
// open, due on the same day and escalated past the workflow's last level, and never lowers
// the level; the revision stays the workflow's, so the workflow's next write (an extension,
// a close) still lands.
func (s *Store) RaiseEscalation(ctx context.Context, id string, due domain.Date, level int) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE steps SET escalation_level = ?, updated_at = ?
		WHERE id = ? AND status = 'open' AND due_on = ? AND escalation_level >= ? AND escalation_level < ?`),
		level, s.stamp(), id, due, domain.RepeatedEscalation, level)
	return err
}
