package store

// The read model the workflows own: cycles, steps, team assignments, visits and the
// reviewers' load. Every row a workflow writes carries a revision, and an older write
// never replaces a newer one.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// CycleRow is the read model of one cycle of one institution.
type CycleRow struct {
	InstitutionID string      `db:"institution_id" json:"institution_id"`
	Number        int         `db:"number" json:"number"`
	WorkflowID    string      `db:"workflow_id" json:"workflow_id"`
	StartDate     domain.Date `db:"start_date" json:"start_date"`
	Status        string      `db:"status" json:"status"`
	CurrentStep   string      `db:"current_step" json:"current_step"`
	EndedOn       domain.Date `db:"ended_on" json:"ended_on,omitempty"`
	Note          string      `db:"note" json:"note,omitempty"`
	Verdict       int         `db:"verdict" json:"verdict,omitempty"`
	Generation    int         `db:"generation" json:"generation"`
	AnchorDate    domain.Date `db:"anchor_date" json:"anchor_date"`
	AnchorTime    time.Time   `db:"anchor_time" json:"anchor_time"`
	DayLengthMS   int64       `db:"day_length_ms" json:"day_length_ms"`
	// Revision orders the workflow's writes: an older one never replaces a newer one.
	Revision int64 `db:"revision" json:"revision"`
}

// Clock is the cycle's calendar.
func (c CycleRow) Clock() domain.Clock {
	return domain.Clock{AnchorDate: c.AnchorDate, AnchorTime: c.AnchorTime, DayLength: time.Duration(c.DayLengthMS) * time.Millisecond}
}

// UpsertCycle writes the cycle's row; the workflow owns it and rewrites it whole. An older
// revision (a retried or late activity) never overwrites a newer one.
func (s *Store) UpsertCycle(ctx context.Context, c CycleRow) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO cycles (institution_id, number, workflow_id, start_date,
		status, current_step, ended_on, note, verdict, generation, anchor_date, anchor_time, day_length_ms, revision,
		updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (institution_id, number) DO UPDATE SET workflow_id = excluded.workflow_id,
			start_date = excluded.start_date, status = excluded.status, current_step = excluded.current_step,
			ended_on = excluded.ended_on, note = excluded.note, verdict = excluded.verdict,
			generation = excluded.generation, anchor_date = excluded.anchor_date, anchor_time = excluded.anchor_time,
			day_length_ms = excluded.day_length_ms, revision = excluded.revision, updated_at = excluded.updated_at
		WHERE cycles.revision < excluded.revision`),
		c.InstitutionID, c.Number, c.WorkflowID, c.StartDate, c.Status, c.CurrentStep, nullDate(c.EndedOn), c.Note,
		nullZero(c.Verdict), c.Generation, c.AnchorDate, dbTime(c.AnchorTime), c.DayLengthMS, c.Revision, s.stamp())
	return err
}

// StepRow is the read model of one step that waits for a person.
type StepRow struct {
	ID            string        `db:"id" json:"id"`
	InstitutionID string        `db:"institution_id" json:"institution_id"`
	Cycle         int           `db:"cycle_number" json:"cycle"`
	Step          string        `db:"step" json:"step"`
	Title         string        `db:"title" json:"title"`
	Region        domain.Region `db:"region" json:"region"`
	HolderID      string        `db:"holder_id" json:"holder_id"`
	HolderRole    string        `db:"holder_role" json:"holder_role"`
	Opened        domain.Date   `db:"opened_on" json:"opened"`
	Due           domain.Date   `db:"due_on" json:"due"`
	Status        string        `db:"status" json:"status"`
	Closed        domain.Date   `db:"closed_on" json:"closed,omitempty"`
	ClosedBy      string        `db:"closed_by" json:"closed_by,omitempty"`
	Note          string        `db:"note" json:"note,omitempty"`
	Escalation    int           `db:"escalation_level" json:"escalation_level"`
	Revision      int64         `db:"revision" json:"revision"`
	// Today and DaysOverdue are filled by OpenSteps from the cycle's calendar.
	Today       domain.Date `db:"-" json:"today,omitempty"`
	DaysOverdue int         `db:"-" json:"days_overdue"`
}

// UpsertStep writes a step; an older revision (a retried or late activity) never overwrites
// a newer one.
func (s *Store) UpsertStep(ctx context.Context, r StepRow) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO steps (id, institution_id, cycle_number, step, title,
		region, holder_id, holder_role, opened_on, due_on, status, closed_on, closed_by, note, escalation_level,
		revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, holder_id = excluded.holder_id,
			holder_role = excluded.holder_role, due_on = excluded.due_on, status = excluded.status,
			closed_on = excluded.closed_on, closed_by = excluded.closed_by, note = excluded.note,
			escalation_level = excluded.escalation_level, revision = excluded.revision,
			updated_at = excluded.updated_at
		WHERE steps.revision < excluded.revision`),
		r.ID, r.InstitutionID, r.Cycle, r.Step, r.Title, string(r.Region), r.HolderID, r.HolderRole, r.Opened, r.Due,
		r.Status, nullDate(r.Closed), r.ClosedBy, r.Note, r.Escalation, r.Revision, s.stamp())
	return err
}

// StepFilter narrows OpenSteps; zero fields match everything.
type StepFilter struct {
	Region domain.Region
	// Step matches a step key and its sub-steps: "invitation" matches "invitation/lead/1".
	Step          string
	InstitutionID string
	HolderID      string
}

// OpenSteps lists the steps still waiting for someone, the longest overdue first.
func (s *Store) OpenSteps(ctx context.Context, f StepFilter) ([]StepRow, error) {
	query := `SELECT id, institution_id, cycle_number, step, title, region, holder_id, holder_role, opened_on, due_on,
		status, COALESCE(closed_on, '') AS closed_on, closed_by, note, escalation_level, revision
		FROM steps WHERE status = 'open'`
	var args []any
	if f.Region != "" {
		query += ` AND region = ?`
		args = append(args, string(f.Region))
	}
	if f.Step != "" {
		query += ` AND (step = ? OR step LIKE ? ESCAPE '\')`
		args = append(args, f.Step, likeEscaper.Replace(f.Step)+"/%")
	}
	if f.InstitutionID != "" {
		query += ` AND institution_id = ?`
		args = append(args, f.InstitutionID)
	}
	if f.HolderID != "" {
		query += ` AND holder_id = ?`
		args = append(args, f.HolderID)
	}
	query += ` ORDER BY due_on, institution_id, step`
	var out []StepRow
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	clocks, err := s.cycleClocks(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range out {
		clock, ok := clocks[cycleKey{out[i].InstitutionID, out[i].Cycle}]
		if !ok || clock.DayLength <= 0 {
			out[i].Today = domain.DateOf(now.UTC())
		} else {
			out[i].Today = clock.DateAt(now)
		}
		out[i].DaysOverdue = domain.DaysOverdue(out[i].Due, out[i].Today)
	}
	return out, nil
}

// likeEscaper escapes LIKE's wildcards so a step key matches only itself as a prefix.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

type cycleKey struct {
	institution string
	number      int
}

// cycleClocks reads every cycle's calendar, so that "today" is right for demo-speed cycles.
func (s *Store) cycleClocks(ctx context.Context) (map[cycleKey]domain.Clock, error) {
	var rows []CycleRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT institution_id, number, anchor_date, anchor_time, day_length_ms
		FROM cycles`); err != nil {
		return nil, err
	}
	out := make(map[cycleKey]domain.Clock, len(rows))
	for _, r := range rows {
		out[cycleKey{r.InstitutionID, r.Number}] = r.Clock()
	}
	return out, nil
}

// Steps lists every step of one institution's cycle in the order they opened.
func (s *Store) Steps(ctx context.Context, institutionID string, cycle int) ([]StepRow, error) {
	var out []StepRow
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, step, title, region,
		holder_id, holder_role, opened_on, due_on, status, COALESCE(closed_on, '') AS closed_on, closed_by, note,
		escalation_level, revision FROM steps WHERE institution_id = ? AND cycle_number = ?
		ORDER BY opened_on, id`), institutionID, cycle)
	return out, err
}

// Cycle returns the read model of one cycle.
func (s *Store) Cycle(ctx context.Context, institutionID string, number int) (CycleRow, error) {
	var c CycleRow
	err := s.db.GetContext(ctx, &c, s.db.Rebind(`SELECT institution_id, number, workflow_id, start_date, status,
		current_step, COALESCE(ended_on, '') AS ended_on, note, COALESCE(verdict, 0) AS verdict, generation,
		anchor_date, anchor_time, day_length_ms FROM cycles WHERE institution_id = ? AND number = ?`), institutionID, number)
	if err != nil {
		return CycleRow{}, notFound(err, fmt.Sprintf("cycle %d of %s", number, institutionID))
	}
	return c, nil
}

// AssignmentRow is one person's invitation to, or place on, a team.
type AssignmentRow struct {
	ID            string      `db:"id" json:"id"`
	InstitutionID string      `db:"institution_id" json:"institution_id"`
	Cycle         int         `db:"cycle_number" json:"cycle"`
	Role          string      `db:"role" json:"seat"`
	PersonID      string      `db:"person_id" json:"person_id"`
	Status        string      `db:"status" json:"status"`
	InvitedOn     domain.Date `db:"invited_on" json:"invited_on"`
	AnswerDue     domain.Date `db:"answer_due" json:"answer_due"`
	AnsweredOn    domain.Date `db:"answered_on" json:"answered_on,omitempty"`
	Reasons       string      `db:"reasons" json:"reasons,omitempty"`
	// Revision orders the workflow's writes: an "invited" retried after a crash never
	// replaces the "accepted" written after it (reviewer capacity reads this table).
	Revision int64 `db:"revision" json:"revision"`
}

// UpsertAssignment writes an invitation and its answer; an older revision never overwrites a
// newer one.
func (s *Store) UpsertAssignment(ctx context.Context, a AssignmentRow) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO assignments (id, institution_id, cycle_number, role,
		person_id, status, invited_on, answer_due, answered_on, reasons, revision, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, answered_on = excluded.answered_on,
			reasons = excluded.reasons, revision = excluded.revision, updated_at = excluded.updated_at
		WHERE assignments.revision < excluded.revision`),
		a.ID, a.InstitutionID, a.Cycle, a.Role, a.PersonID, a.Status, a.InvitedOn, a.AnswerDue, nullDate(a.AnsweredOn),
		a.Reasons, a.Revision, s.stamp())
	return err
}

// VisitRow is a visit or revisit: its date, and when it was recorded as done.
type VisitRow struct {
	ID            string      `db:"id"`
	InstitutionID string      `db:"institution_id"`
	Cycle         int         `db:"cycle_number"`
	Kind          string      `db:"kind"`
	VisitOn       domain.Date `db:"visit_on"`
	SetBy         string      `db:"set_by"`
	RecordedOn    domain.Date `db:"recorded_on"`
	RecordedBy    string      `db:"recorded_by"`
	Notes         string      `db:"notes"`
	// Revision orders the workflow's writes: an older one never replaces a newer one.
	Revision int64 `db:"revision"`
}

// UpsertVisit writes a visit's date and, later, its record; an older revision never
// overwrites a newer one.
func (s *Store) UpsertVisit(ctx context.Context, v VisitRow) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO visits (id, institution_id, cycle_number, kind, visit_on,
		set_by, recorded_on, recorded_by, notes, revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET visit_on = excluded.visit_on, set_by = excluded.set_by,
			recorded_on = excluded.recorded_on, recorded_by = excluded.recorded_by, notes = excluded.notes,
			revision = excluded.revision, updated_at = excluded.updated_at
		WHERE visits.revision < excluded.revision`),
		v.ID, v.InstitutionID, v.Cycle, v.Kind, v.VisitOn, v.SetBy, nullDate(v.RecordedOn), v.RecordedBy, v.Notes,
		v.Revision, s.stamp())
	return err
}

// PeopleIDs returns the IDs of people in a role, in a region or (national) without one.
func (s *Store) PeopleIDs(ctx context.Context, role domain.Role, region domain.Region, national bool) ([]string, error) {
	query := `SELECT id FROM people WHERE role = ?`
	args := []any{string(role)}
	if national {
		query += ` AND region IS NULL`
	} else if region != "" {
		query += ` AND region = ?`
		args = append(args, string(region))
	}
	query += ` ORDER BY id`
	var out []string
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...)
	return out, err
}

// InstitutionManagerID returns the manager registered for an institution, or "".
func (s *Store) InstitutionManagerID(ctx context.Context, institutionID string) (string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id FROM people WHERE role = ? AND home_institution = ?
		ORDER BY id`), string(domain.RoleInstitutionManager), institutionID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// Payload marshals v for a submission's payload column.

func nullZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// Load is one reviewer's use so far: seats held or pending per calendar year, and the
// seats held in all (Completed) and as lead (Led).
type Load struct {
	ByYear    map[int]int
	Completed int
	Led       int
}

// ReviewerLoad counts, per person, the evaluations they are invited to or sit on.
func (s *Store) ReviewerLoad(ctx context.Context) (map[string]Load, error) {
	var rows []struct {
		Person    string      `db:"person_id"`
		Role      string      `db:"role"`
		Status    string      `db:"status"`
		InvitedOn domain.Date `db:"invited_on"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT person_id, role, status, invited_on FROM assignments
		WHERE status IN ('invited', 'accepted', 'assigned')`); err != nil {
		return nil, err
	}
	out := map[string]Load{}
	for _, r := range rows {
		l := out[r.Person]
		if l.ByYear == nil {
			l.ByYear = map[int]int{}
		}
		l.ByYear[r.InvitedOn.Year]++
		if r.Status != "invited" {
			l.Completed++
			if r.Role == string(domain.SeatLead) {
				l.Led++
			}
		}
		out[r.Person] = l
	}
	return out, nil
}
