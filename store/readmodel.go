package store

// The read model the workflows own: cycles, steps, team assignments, visits and the
// reviewers' load. Every row a workflow writes carries a revision, and an older write
// never replaces a newer one.

import (
	"context"
	"database/sql"
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO cycles (institution_id, number, workflow_id, start_date,
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
	clock, err := s.cycleClock(ctx, r.InstitutionID, r.Cycle)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO steps (id, institution_id, cycle_number, step, title,
		region, holder_id, holder_role, opened_on, due_on, status, closed_on, closed_by, note, escalation_level,
		revision, overdue_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, holder_id = excluded.holder_id,
			holder_role = excluded.holder_role, due_on = excluded.due_on, status = excluded.status,
			closed_on = excluded.closed_on, closed_by = excluded.closed_by, note = excluded.note,
			escalation_level = excluded.escalation_level, revision = excluded.revision,
			overdue_at = excluded.overdue_at, updated_at = excluded.updated_at
		WHERE steps.revision < excluded.revision`),
		r.ID, r.InstitutionID, r.Cycle, r.Step, r.Title, string(r.Region), r.HolderID, r.HolderRole, r.Opened, r.Due,
		r.Status, nullDate(r.Closed), r.ClosedBy, r.Note, r.Escalation, r.Revision, overdueAt(clock, r.Due), s.stamp())
	return err
}

// overdueAt is the instant a step due on due becomes overdue on its cycle's calendar: the
// start of the next day, in Unix milliseconds.
func overdueAt(clock domain.Clock, due domain.Date) int64 {
	if due.IsZero() {
		return 0
	}
	return clock.TimeOf(due.AddDays(1)).UnixMilli()
}

// cycleClock is one cycle's calendar; a cycle not (yet) in the read model runs on real days.
func (s *Store) cycleClock(ctx context.Context, institutionID string, number int) (domain.Clock, error) {
	var rows []CycleRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT institution_id, number, anchor_date, anchor_time,
		day_length_ms FROM cycles WHERE institution_id = ? AND number = ?`), institutionID, number); err != nil {
		return domain.Clock{}, err
	}
	if len(rows) == 0 || rows[0].DayLengthMS <= 0 {
		return realDays, nil
	}
	return rows[0].Clock(), nil
}

// realDays is the calendar of a cycle without a read-model row: real days, in UTC.
var realDays = domain.Clock{AnchorDate: domain.NewDate(2000, time.January, 1),
	AnchorTime: time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC), DayLength: 24 * time.Hour}

// fillOverdueAt fills in when each open step written without the column (before migration
// 00011, or by a replica still on older code) becomes overdue. It runs at every open, so it
// looks only at open steps, an index seek on steps_open_overdue; closed steps are never
// tracked.
func (s *Store) fillOverdueAt(ctx context.Context) error {
	var rows []StepRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, institution_id, cycle_number, due_on FROM steps
		WHERE status = 'open' AND overdue_at IS NULL`); err != nil {
		return fmt.Errorf("steps without overdue_at: %w", err)
	}
	for _, r := range rows {
		clock, err := s.cycleClock(ctx, r.InstitutionID, r.Cycle)
		if err != nil {
			return err
		}
		if _, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE steps SET overdue_at = ? WHERE id = ?`),
			overdueAt(clock, r.Due), r.ID); err != nil {
			return err
		}
	}
	return nil
}

// StepFilter narrows OpenSteps; zero fields match everything.
type StepFilter struct {
	Region domain.Region
	// Step matches a step key and its sub-steps: "invitation" matches "invitation/lead/1".
	Step          string
	InstitutionID string
	HolderID      string
	// Overdue keeps only the steps past their due date on their cycle's calendar.
	Overdue bool
	// Limit and Offset page the list; a zero Limit lists every step.
	Limit, Offset int
}

// OpenSteps lists the steps still waiting for someone, the longest overdue first. The
// filters, the order and the page are SQL on indexed columns; "today" and the days overdue
// are worked out on each listed step's cycle calendar.
func (s *Store) OpenSteps(ctx context.Context, f StepFilter) ([]StepRow, error) {
	query := `SELECT s.id, s.institution_id, s.cycle_number, s.step, s.title, s.region, s.holder_id, s.holder_role,
		s.opened_on, s.due_on, s.status, COALESCE(s.closed_on, '') AS closed_on, s.closed_by, s.note,
		s.escalation_level, s.revision, c.anchor_date AS c_anchor_date, c.anchor_time AS c_anchor_time,
		c.day_length_ms AS c_day_length_ms
		FROM steps s LEFT JOIN cycles c ON c.institution_id = s.institution_id AND c.number = s.cycle_number
		WHERE s.status = 'open'`
	var args []any
	if f.Region != "" {
		query += ` AND s.region = ?`
		args = append(args, string(f.Region))
	}
	if f.Step != "" {
		query += ` AND (s.step = ? OR s.step LIKE ? ESCAPE '\')`
		args = append(args, f.Step, likeEscaper.Replace(f.Step)+"/%")
	}
	if f.InstitutionID != "" {
		query += ` AND s.institution_id = ?`
		args = append(args, f.InstitutionID)
	}
	if f.HolderID != "" {
		query += ` AND s.holder_id = ?`
		args = append(args, f.HolderID)
	}
	now := s.now()
	if f.Overdue {
		query += ` AND s.overdue_at <= ?`
		args = append(args, now.UnixMilli())
	}
	// Ties in the order (steps overdue from the same instant) go by ID, which begins with the
	// institution: the index gives the order, so a page reads only its own rows.
	query += ` ORDER BY s.overdue_at, s.id`
	if f.Limit > 0 {
		query += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []struct {
		StepRow
		AnchorDate domain.Date   `db:"c_anchor_date"`
		AnchorTime sql.NullTime  `db:"c_anchor_time"`
		DayLength  sql.NullInt64 `db:"c_day_length_ms"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	out := make([]StepRow, len(rows))
	for i, r := range rows {
		clock := realDays
		if r.DayLength.Valid && r.DayLength.Int64 > 0 && r.AnchorTime.Valid {
			clock = domain.Clock{AnchorDate: r.AnchorDate, AnchorTime: r.AnchorTime.Time, DayLength: time.Duration(r.DayLength.Int64) * time.Millisecond}
		}
		out[i] = r.StepRow
		out[i].Today = clock.DateAt(now)
		out[i].DaysOverdue = domain.DaysOverdue(out[i].Due, out[i].Today)
	}
	return out, nil
}

// StepCount is how many steps of one kind are open, and overdue, in one region.
type StepCount struct {
	Region  domain.Region `json:"region"`
	Step    string        `json:"step"`
	Open    int           `json:"open"`
	Overdue int           `json:"overdue"`
}

// OpenStepCounts counts the open and overdue steps per region and step kind ("invitation"
// for "invitation/lead/1"), in one grouped query.
func (s *Store) OpenStepCounts(ctx context.Context) ([]StepCount, error) {
	var rows []struct {
		Region  string `db:"region"`
		Step    string `db:"step"`
		Open    int    `db:"open"`
		Overdue int    `db:"overdue"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT region, step, COUNT(*) AS open,
		SUM(CASE WHEN overdue_at <= ? THEN 1 ELSE 0 END) AS overdue
		FROM steps WHERE status = 'open' GROUP BY region, step ORDER BY region, step`), s.now().UnixMilli()); err != nil {
		return nil, err
	}
	index := map[[2]string]int{}
	var out []StepCount
	for _, r := range rows {
		kind, _, _ := strings.Cut(r.Step, "/")
		k := [2]string{r.Region, kind}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, StepCount{Region: domain.Region(r.Region), Step: kind})
		}
		out[i].Open += r.Open
		out[i].Overdue += r.Overdue
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO assignments (id, institution_id, cycle_number, role,
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO visits (id, institution_id, cycle_number, kind, visit_on,
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

// InstitutionsWithSteps lists the institutions whose cycle number has opened at least one
// step: a bulk start waits on it until every new cycle is under way.
func (s *Store) InstitutionsWithSteps(ctx context.Context, cycle int) (map[string]bool, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT DISTINCT institution_id FROM steps
		WHERE cycle_number = ?`), cycle); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
