package store

// What people hand in (self-evaluations, reports, comments, plans, appeals, decisions),
// recorded once by ID, and the published results.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

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
			sub.ID, sub.InstitutionID, sub.Cycle, sub.Step, sub.Kind, sub.SubmittedBy, sub.SubmittedOn, sub.Payload, s.stamp())
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
			r.Payload, s.stamp())
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE reports SET final_verdict = ?, final_on = ?, final_revision = ?,
		updated_at = ? WHERE id = ? AND final_revision < ?`), verdict, on, revision, s.stamp(), id, revision)
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO publications (institution_id, cycle_number, verdict,
		published_on, summary, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (institution_id, cycle_number) DO NOTHING`),
		p.InstitutionID, p.Cycle, p.Verdict, p.PublishedOn, p.Summary, s.stamp())
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

func Payload(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}
