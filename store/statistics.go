package store

// What publication reads beyond the published records themselves (issue 12): a cheap check
// of whether anything public changed, the self-evaluations of published cycles (for the
// comparisons across institutions), and the times of the steps (for the annual report's
// "steps overdue and by how long"). Nothing here selects a person: no holder, author, note
// or payload.

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// PublicState is what the public pages' cache compares to know whether to rebuild: the
// published records (how many, and when the newest was written) and the people of the
// registry, whose names are kept out of every public text.
type PublicState struct {
	Records int `json:"records"`
	// LatestAt is the created_at of the newest published record (a first publication or a
	// correction); zero when nothing is published.
	LatestAt time.Time `json:"latest_at"`
	People   int       `json:"people"`
	// PeopleAt is the newest updated_at in the people registry; zero when it is empty.
	PeopleAt time.Time `json:"people_at"`
}

// PublicState reads the state from indexes (published_records_created) and the small people
// table: cheap enough to ask every second, or on every request.
func (s *Store) PublicState(ctx context.Context) (PublicState, error) {
	var st PublicState
	if err := s.db.GetContext(ctx, &st.Records, `SELECT COUNT(*) FROM published_records`); err != nil {
		return st, err
	}
	if st.Records > 0 {
		// ORDER BY ... LIMIT 1 rather than MAX(): the column keeps its type, so both drivers
		// return a time; the index gives the row at once.
		if err := s.db.GetContext(ctx, &st.LatestAt, `SELECT created_at FROM published_records
			ORDER BY created_at DESC LIMIT 1`); err != nil {
			return st, err
		}
	}
	if err := s.db.GetContext(ctx, &st.People, `SELECT COUNT(*) FROM people`); err != nil {
		return st, err
	}
	if st.People > 0 {
		if err := s.db.GetContext(ctx, &st.PeopleAt, `SELECT updated_at FROM people
			ORDER BY updated_at DESC LIMIT 1`); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return st, err
		}
	}
	st.LatestAt, st.PeopleAt = utcOrZero(st.LatestAt), utcOrZero(st.PeopleAt)
	return st, nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// PublishedSelfEvaluation is the latest self-evaluation of a published cycle (the one the
// external evaluation read): its rating of each standard and its indicator values. The
// ratings' notes, the payload and who submitted it are left out.
type PublishedSelfEvaluation struct {
	InstitutionID string      `json:"institution_id"`
	Cycle         int         `json:"cycle"`
	SubmissionID  string      `json:"-"`
	SubmittedOn   domain.Date `json:"submitted_on"`
	// Ratings maps a standard's code to its rating (1 met ... 4 not met).
	Ratings map[string]int `json:"ratings"`
	// Indicators maps an indicator's code to the value recorded, as written.
	Indicators map[string]string `json:"indicators"`
}

// PublishedSelfEvaluations lists, for every cycle with a published record, the latest
// self-evaluation submitted in it (the third year's, unless one was waived), ordered by
// institution and cycle. Cycles never published (running, cancelled) are not read.
func (s *Store) PublishedSelfEvaluations(ctx context.Context) ([]PublishedSelfEvaluation, error) {
	const latest = `FROM submissions s
		WHERE s.kind = 'self-evaluation'
		AND EXISTS (SELECT 1 FROM published_records p WHERE p.institution_id = s.institution_id
			AND p.cycle_number = s.cycle_number)
		AND s.submitted_on = (SELECT MAX(s2.submitted_on) FROM submissions s2
			WHERE s2.institution_id = s.institution_id AND s2.cycle_number = s.cycle_number
			AND s2.kind = 'self-evaluation')`
	var subs []struct {
		ID            string      `db:"id"`
		InstitutionID string      `db:"institution_id"`
		Cycle         int         `db:"cycle_number"`
		SubmittedOn   domain.Date `db:"submitted_on"`
	}
	if err := s.db.SelectContext(ctx, &subs, `SELECT s.id, s.institution_id, s.cycle_number, s.submitted_on `+latest+`
		ORDER BY s.institution_id, s.cycle_number, s.id`); err != nil {
		return nil, err
	}
	// Two self-evaluations of one cycle on the same day: the last by ID stands.
	var out []PublishedSelfEvaluation
	for _, sub := range subs {
		if n := len(out); n > 0 && out[n-1].InstitutionID == sub.InstitutionID && out[n-1].Cycle == sub.Cycle {
			out = out[:n-1]
		}
		out = append(out, PublishedSelfEvaluation{InstitutionID: sub.InstitutionID, Cycle: sub.Cycle,
			SubmissionID: sub.ID, SubmittedOn: sub.SubmittedOn, Ratings: map[string]int{}, Indicators: map[string]string{}})
	}
	byID := make(map[string]*PublishedSelfEvaluation, len(out))
	for i := range out {
		byID[out[i].SubmissionID] = &out[i]
	}
	var ratings []struct {
		SubmissionID string `db:"submission_id"`
		Standard     string `db:"standard"`
		Rating       int    `db:"rating"`
	}
	if err := s.db.SelectContext(ctx, &ratings, `SELECT r.submission_id, r.standard, r.rating
		FROM self_evaluation_ratings r WHERE r.submission_id IN (SELECT s.id `+latest+`)`); err != nil {
		return nil, err
	}
	for _, r := range ratings {
		if se := byID[r.SubmissionID]; se != nil {
			se.Ratings[r.Standard] = r.Rating
		}
	}
	var values []struct {
		SubmissionID string `db:"submission_id"`
		Indicator    string `db:"indicator"`
		Value        string `db:"value"`
	}
	if err := s.db.SelectContext(ctx, &values, `SELECT v.submission_id, v.indicator, v.value
		FROM indicator_values v WHERE v.submission_id IN (SELECT s.id `+latest+`)`); err != nil {
		return nil, err
	}
	for _, v := range values {
		if se := byID[v.SubmissionID]; se != nil {
			se.Indicators[v.Indicator] = v.Value
		}
	}
	return out, nil
}

// StepTime is when one step opened, fell due and closed, and how: what the annual report
// counts as late. The holder is left out.
type StepTime struct {
	InstitutionID string        `db:"institution_id" json:"institution_id"`
	Cycle         int           `db:"cycle_number" json:"cycle"`
	Step          string        `db:"step" json:"step"`
	Region        domain.Region `db:"region" json:"region"`
	Opened        domain.Date   `db:"opened_on" json:"opened"`
	Due           domain.Date   `db:"due_on" json:"due"`
	Status        string        `db:"status" json:"status"`
	// Closed is zero while the step is open.
	Closed domain.Date `db:"closed_on" json:"closed,omitzero"`
	// Today is the date now on the step's cycle calendar (a demo-speed cycle runs ahead of
	// the wall clock), so that a report of the running year counts as overdue only what is.
	Today domain.Date `db:"-" json:"today"`
}

// StepTimesFilter narrows StepTimes; zero fields match everything.
type StepTimesFilter struct {
	Region domain.Region
	// From and To bound the period (inclusive) in which the step was open at some time: it
	// opened on or before To, and was still open on From or closed on or after it.
	From, To domain.Date
}

// StepTimes lists the steps that were open at some time in the filter's period, ordered by
// due date, institution and step, each with today's date on its cycle's calendar.
func (s *Store) StepTimes(ctx context.Context, f StepTimesFilter) ([]StepTime, error) {
	query := `SELECT institution_id, cycle_number, step, region, opened_on, due_on, status, closed_on
		FROM steps WHERE 1 = 1`
	var args []any
	if f.Region != "" {
		query += ` AND region = ?`
		args = append(args, string(f.Region))
	}
	if !f.To.IsZero() {
		query += ` AND opened_on <= ?`
		args = append(args, f.To)
	}
	if !f.From.IsZero() {
		query += ` AND (closed_on IS NULL OR closed_on >= ?)`
		args = append(args, f.From)
	}
	query += ` ORDER BY due_on, institution_id, cycle_number, step`
	var out []StepTime
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
	}
	return out, nil
}
