package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

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
		nullZero(c.Verdict), c.Generation, c.AnchorDate, c.AnchorTime.UTC(), c.DayLengthMS, c.Revision, s.now().UTC())
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
		r.Status, nullDate(r.Closed), r.ClosedBy, r.Note, r.Escalation, r.Revision, s.now().UTC())
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

// Submission is anything a person handed in: a self-evaluation, a report, a comment, an
// action plan, an appeal or a decision. Payload is kept whole as JSON.
type Submission struct {
	ID            string      `db:"id" json:"id"`
	InstitutionID string      `db:"institution_id" json:"institution_id"`
	Cycle         int         `db:"cycle_number" json:"cycle"`
	Step          string      `db:"step" json:"step"`
	Kind          string      `db:"kind" json:"kind"`
	SubmittedBy   string      `db:"submitted_by" json:"submitted_by"`
	SubmittedOn   domain.Date `db:"submitted_on" json:"submitted_on"`
	Payload       string      `db:"payload" json:"payload"`
}

// Rating is one standard's rating in a self-evaluation.
type Rating struct {
	Standard string `db:"standard" json:"standard"`
	Rating   int    `db:"rating" json:"rating"`
	Note     string `db:"note" json:"note,omitempty"`
}

// InsertSubmission records a submission once: the ID is the idempotency key, and a second
// insert with the same ID changes nothing. Ratings and indicator values are stored
// alongside a self-evaluation so institutions can be compared on them.
func (s *Store) InsertSubmission(ctx context.Context, sub Submission, ratings []Rating, indicators map[string]string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO submissions (id, institution_id, cycle_number, step, kind,
			submitted_by, submitted_on, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`),
			sub.ID, sub.InstitutionID, sub.Cycle, sub.Step, sub.Kind, sub.SubmittedBy, sub.SubmittedOn, sub.Payload, s.now().UTC())
		if err != nil {
			return fmt.Errorf("submission %s: %w", sub.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, r := range ratings {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO self_evaluation_ratings (submission_id, standard, rating, note)
				VALUES (?, ?, ?, ?)`), sub.ID, r.Standard, r.Rating, r.Note); err != nil {
				return err
			}
		}
		for code, v := range indicators {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO indicator_values (submission_id, indicator, value)
				VALUES (?, ?, ?)`), sub.ID, code, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Submissions lists what was handed in for one cycle.
func (s *Store) Submissions(ctx context.Context, institutionID string, cycle int) ([]Submission, error) {
	var out []Submission
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, step, kind, submitted_by,
		submitted_on, payload FROM submissions WHERE institution_id = ? AND cycle_number = ? ORDER BY submitted_on, id`),
		institutionID, cycle)
	return out, err
}

// ReportRow is a visit or revisit report.
type ReportRow struct {
	ID            string      `db:"id"`
	InstitutionID string      `db:"institution_id"`
	Cycle         int         `db:"cycle_number"`
	Kind          string      `db:"kind"`
	AuthorID      string      `db:"author_id"`
	SubmittedOn   domain.Date `db:"submitted_on"`
	Verdict       int         `db:"verdict"`
	Summary       string      `db:"summary"`
	Suggestions   string      `db:"suggestions"`
	Payload       string      `db:"payload"`
}

// ReportAssessment is the report's assessment of one standard.
type ReportAssessment struct {
	Standard   string
	Met        bool
	Assessment string
}

// InsertReport records a report once, with its assessments.
func (s *Store) InsertReport(ctx context.Context, r ReportRow, assessments []ReportAssessment) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO reports (id, institution_id, cycle_number, kind, author_id,
			submitted_on, verdict, summary, suggestions, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`),
			r.ID, r.InstitutionID, r.Cycle, r.Kind, r.AuthorID, r.SubmittedOn, r.Verdict, r.Summary, r.Suggestions,
			r.Payload, s.now().UTC())
		if err != nil {
			return fmt.Errorf("report %s: %w", r.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, a := range assessments {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO report_assessments (report_id, standard, met, assessment)
				VALUES (?, ?, ?, ?)`), r.ID, a.Standard, a.Met, a.Assessment); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinaliseReport records the verdict that stands after the hearing, a revisit or an appeal;
// a verdict recorded at an older revision (a late retry) never replaces a newer one.
func (s *Store) FinaliseReport(ctx context.Context, id string, verdict int, on domain.Date, revision int64) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE reports SET final_verdict = ?, final_on = ?, final_revision = ?,
		updated_at = ? WHERE id = ? AND final_revision < ?`), verdict, on, revision, s.now().UTC(), id, revision)
	return err
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
		a.Reasons, a.Revision, s.now().UTC())
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
		v.Revision, s.now().UTC())
	return err
}

// Publication is the published result of a cycle: no personal data, only the verdict and
// a summary the public may read.
type Publication struct {
	InstitutionID string      `db:"institution_id" json:"institution_id"`
	Cycle         int         `db:"cycle_number" json:"cycle"`
	Verdict       int         `db:"verdict" json:"verdict"`
	PublishedOn   domain.Date `db:"published_on" json:"published_on"`
	Summary       string      `db:"summary" json:"summary"`
}

// Publish records a cycle's published result once.
func (s *Store) Publish(ctx context.Context, p Publication) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO publications (institution_id, cycle_number, verdict,
		published_on, summary, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (institution_id, cycle_number) DO NOTHING`),
		p.InstitutionID, p.Cycle, p.Verdict, p.PublishedOn, p.Summary, s.now().UTC())
	return err
}

// Publications lists published results, newest first.
func (s *Store) Publications(ctx context.Context, institutionID string) ([]Publication, error) {
	query := `SELECT institution_id, cycle_number, verdict, published_on, summary FROM publications`
	var args []any
	if institutionID != "" {
		query += ` WHERE institution_id = ?`
		args = append(args, institutionID)
	}
	query += ` ORDER BY published_on DESC, institution_id`
	var out []Publication
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...)
	return out, err
}

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
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO audit_log (id, at, actor_id, action, institution_id,
		cycle_number, step, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		e.ID, e.At.UTC(), e.ActorID, e.Action, e.InstitutionID, e.Cycle, e.Step, e.Details)
	return err
}

// AuditTrail lists the audit entries of one institution, oldest first.
func (s *Store) AuditTrail(ctx context.Context, institutionID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, at, actor_id, action, institution_id, cycle_number,
		step, details FROM audit_log WHERE institution_id = ? ORDER BY at, id`), institutionID)
	return out, err
}

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
func Payload(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

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
