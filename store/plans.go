package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// PlannedAssignment is one seat of the applied national reviewer plan.
type PlannedAssignment struct {
	InstitutionID string          `db:"institution_id" json:"institution_id"`
	Cycle         int             `db:"cycle_number" json:"cycle"`
	Seat          domain.TeamRole `db:"seat" json:"seat"`
	PersonID      string          `db:"person_id" json:"person_id"`
	On            domain.Date     `db:"evaluation_on" json:"on"`
	// Reasons are the plan's reasons, one per line.
	Reasons string `db:"reasons" json:"reasons"`
	Cost    int64  `db:"cost" json:"cost"`
}

// EvaluationKey names one evaluation: an institution's cycle.
type EvaluationKey struct {
	InstitutionID string
	Cycle         int
}

// ReplacePlannedAssignments stores a plan: for every evaluation it covers, the earlier
// planned seats are replaced by these rows, in one transaction.
func (s *Store) ReplacePlannedAssignments(ctx context.Context, evaluations []EvaluationKey, rows []PlannedAssignment) error {
	now := s.stamp()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// A second plan applied at once would insert the same seats after this one's delete.
		if err := s.serialize(ctx, tx, "planned-assignments"); err != nil {
			return err
		}
		for _, ev := range evaluations {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM planned_assignments WHERE institution_id = ? AND cycle_number = ?`), ev.InstitutionID, ev.Cycle); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO planned_assignments
				(institution_id, cycle_number, seat, person_id, evaluation_on, reasons, cost, planned_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), r.InstitutionID, r.Cycle, string(r.Seat), r.PersonID, r.On,
				r.Reasons, r.Cost, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// PlannedAssignments returns the applied plan's seats for one evaluation.
func (s *Store) PlannedAssignments(ctx context.Context, institutionID string, cycle int) ([]PlannedAssignment, error) {
	var out []PlannedAssignment
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT institution_id, cycle_number, seat, person_id,
		evaluation_on, reasons, cost FROM planned_assignments WHERE institution_id = ? AND cycle_number = ?
		ORDER BY seat`), institutionID, cycle)
	return out, err
}

// SplitReasons reads the stored reasons back into a list.
func (p PlannedAssignment) SplitReasons() []string {
	if p.Reasons == "" {
		return nil
	}
	return strings.Split(p.Reasons, "\n")
}

// CycleStarts returns, per institution, its newest cycle's number and start date.
func (s *Store) CycleStarts(ctx context.Context) (map[string]CycleRow, error) {
	var rows []CycleRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT institution_id, number, start_date, status FROM cycles`); err != nil {
		return nil, err
	}
	out := map[string]CycleRow{}
	for _, r := range rows {
		if cur, ok := out[r.InstitutionID]; !ok || r.Number > cur.Number {
			out[r.InstitutionID] = r
		}
	}
	return out, nil
}

// PreviousTeam lists the people who sat on (accepted or were assigned to) the institution's
// team in the given cycle: the rotation rule's input for the next cycle.
func (s *Store) PreviousTeam(ctx context.Context, institutionID string, cycle int) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT DISTINCT person_id FROM assignments
		WHERE institution_id = ? AND cycle_number = ? AND status IN ('accepted', 'assigned') ORDER BY person_id`),
		institutionID, cycle)
	return out, err
}
