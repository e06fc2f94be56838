package store

// Several worker replicas share one store (issue 14, point 2): two processes can run the same
// activity at once (a retry that starts while the first attempt still runs on a worker that
// lost its connection to Temporal) or start together. Each test here gives every "replica"
// a Store of its own on the same database, as separate processes would have, and runs them
// from goroutines that start together.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// together runs each fn in a goroutine of its own, released at the same moment, and returns
// their errors.
func together(fns ...func() error) []error {
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		errs  = make([]error, len(fns))
	)
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// TestReplicasStartTogether: replicas that start at the same moment migrate and seed one
// database without an error, and the schema is there once.
func TestReplicasStartTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		loc := b.location(t)
		const replicas = 3
		stores := make([]*Store, replicas)
		fns := make([]func() error, replicas)
		for i := range fns {
			fns[i] = func() error {
				s, err := Open(ctx, loc)
				if err != nil {
					return err
				}
				stores[i] = s
				return s.Seed(ctx)
			}
		}
		errs := together(fns...)
		for _, s := range stores {
			if s != nil {
				t.Cleanup(func() { _ = s.Close() })
			}
		}
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i+1, err)
			}
		}
		if t.Failed() {
			return
		}
		s := stores[0]
		if v, err := s.SchemaVersion(ctx); err != nil || v != newestMigration(t) {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, newestMigration(t))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM regions`); n != len(domain.Regions()) {
			t.Errorf("%d regions, want %d", n, len(domain.Regions()))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM catalogue_generations`); n != len(domain.Catalogue()) {
			t.Errorf("%d catalogue generations, want %d", n, len(domain.Catalogue()))
		}
	})
}

// activityWrite is one store write an activity makes, at a revision where the row has one.
type activityWrite struct {
	name string
	do   func(ctx context.Context, s *Store, revision int64) error
}

// revisions is how many revisions of each read-model row the replicas write.
const revisions = 12

// The rows of TestActivityWritesFromTwoReplicas.
const (
	raceCycle      = "inst-a"
	raceStep       = "cycle/inst-a/1/self-evaluation-1"
	raceAssignment = "cycle/inst-a/1/external-evaluation/lead/rev-2"
	raceVisit      = "cycle/inst-a/1/external-evaluation/visit"
	raceSubmission = "cycle/inst-a/1/self-evaluation-1/submission"
	raceReport     = "cycle/inst-a/1/external-evaluation/report"
	raceAudit      = "cycle/inst-a/1/self-evaluation-1/extend/1"
	raceOutbox     = "reminder/inst-a/1/self-evaluation-1/14d/mgr-inst-a"
)

// activityWrites are the store writes of package activities (UpsertCycle, UpsertStep,
// UpsertAssignment, UpsertVisit, Audit, InsertSubmission, InsertReport, FinaliseReport,
// Publish, PublishRecord) and of the Notify activity's queue (EnqueueNotification). A row with a revision is
// written as the workflow would at that revision; the others are the same write each time.
func activityWrites() []activityWrite {
	status := func(r int64) string {
		if r == revisions {
			return "done"
		}
		return "open"
	}
	return []activityWrite{
		{"UpsertCycle", func(ctx context.Context, s *Store, r int64) error {
			return s.UpsertCycle(ctx, CycleRow{InstitutionID: raceCycle, Number: 1, WorkflowID: "cycle/inst-a",
				StartDate: date(2027, 1, 4), Status: status(r), CurrentStep: fmt.Sprintf("step-%d", r), Generation: 1,
				AnchorDate: date(2027, 1, 4), AnchorTime: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC),
				DayLengthMS: 86_400_000, Revision: r})
		}},
		{"UpsertStep", func(ctx context.Context, s *Store, r int64) error {
			row := step(raceStep, "inst-a", domain.Hovedstaden, "self-evaluation-1", status(r), date(2027, 3, 1), int(r))
			row.Escalation = int(r)
			return s.UpsertStep(ctx, row)
		}},
		{"UpsertAssignment", func(ctx context.Context, s *Store, r int64) error {
			return s.UpsertAssignment(ctx, AssignmentRow{ID: raceAssignment, InstitutionID: "inst-a", Cycle: 1,
				Role: string(domain.SeatLead), PersonID: "rev-2", Status: fmt.Sprintf("status-%d", r),
				InvitedOn: date(2027, 1, 4), AnswerDue: date(2027, 1, 9), Revision: r})
		}},
		{"UpsertVisit", func(ctx context.Context, s *Store, r int64) error {
			return s.UpsertVisit(ctx, VisitRow{ID: raceVisit, InstitutionID: "inst-a", Cycle: 1, Kind: "visit",
				VisitOn: date(2027, 3, 1).AddDays(int(r)), SetBy: "rev-2", Revision: r})
		}},
		{"Audit", func(ctx context.Context, s *Store, r int64) error {
			return s.Audit(ctx, AuditEntry{ID: raceAudit, At: time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC),
				ActorID: "sec-1", Action: "extend", InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1",
				Details: fmt.Sprintf("attempt at %d", r)})
		}},
		{"InsertSubmission", func(ctx context.Context, s *Store, r int64) error {
			return s.InsertSubmission(ctx, Submission{ID: raceSubmission, InstitutionID: "inst-a", Cycle: 1,
				Step: "self-evaluation-1", Kind: "self-evaluation", SubmittedBy: "mgr-inst-a",
				SubmittedOn: date(2027, 2, 20), Payload: fmt.Sprintf(`{"attempt":%d}`, r)},
				[]Rating{{Standard: "1.1", Rating: 3}, {Standard: "2.1", Rating: 4}},
				map[string]string{"1.1.1": "yes", "2.1.1": "92 %", "3.1.1": "no"})
		}},
		{"InsertReport", func(ctx context.Context, s *Store, r int64) error {
			return s.InsertReport(ctx, ReportRow{ID: raceReport, InstitutionID: "inst-a", Cycle: 1, Kind: "report",
				AuthorID: "rev-2", SubmittedOn: date(2027, 3, 20), Verdict: 2, Summary: "s", Payload: "{}"},
				[]ReportAssessment{{Standard: "1.1", Met: true, Assessment: "a"}, {Standard: "2.1", Assessment: "b"}})
		}},
		{"FinaliseReport", func(ctx context.Context, s *Store, r int64) error {
			return s.FinaliseReport(ctx, raceReport, int(r%3)+1, date(2027, 4, 1).AddDays(int(r)), r)
		}},
		{"Publish", func(ctx context.Context, s *Store, r int64) error {
			return s.Publish(ctx, Publication{InstitutionID: "inst-a", Cycle: 1, Verdict: 1,
				PublishedOn: date(2027, 6, 1), Summary: "Akkrediteret"})
		}},
		{"PublishRecord", func(ctx context.Context, s *Store, r int64) error {
			_, err := s.PublishRecord(ctx, PublishedRecord{InstitutionID: "inst-a", InstitutionName: "A",
				Region: domain.Hovedstaden, Cycle: 1, PublishedOn: date(2027, 6, 1), Verdict: 1, Generation: 1,
				Summary: "Akkrediteret", AreasToImprove: []string{}})
			if errors.Is(err, ErrSameRecord) {
				return nil // a retry: published once already
			}
			return err
		}},
		{"EnqueueNotification", func(ctx context.Context, s *Store, r int64) error {
			_, err := s.EnqueueNotification(ctx, OutboxMessage{ID: raceOutbox, Kind: "reminder",
				RecipientID: "mgr-inst-a", InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1",
				Subject: "Selvevaluering", Body: "Husk", StepID: raceStep,
				Due: sql.NullString{String: "2027-03-01", Valid: true}})
			return err
		}},
	}
}

// TestActivityWritesFromTwoReplicas: two replicas run every activity write at once, one
// from the oldest revision up, the other from the newest down. Nothing fails (no unique key
// violation, deadlock or "database is locked"), every read-model row ends at the newest
// revision, and what is recorded once (a submission with its ratings, a report with its
// assessments, an audit entry, a publication, a notification) is there once.
func TestActivityWritesFromTwoReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		loc := b.location(t)
		first := b.open(t, loc)
		if err := first.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		fillRegistry(t, first)
		second := b.open(t, loc)

		writes := activityWrites()
		replica := func(s *Store, up bool) func() error {
			return func() error {
				for i := range int64(revisions) {
					r := i + 1
					if !up {
						r = revisions - i
					}
					for _, w := range writes {
						if err := w.do(ctx, s, r); err != nil {
							return fmt.Errorf("%s at revision %d: %w", w.name, r, err)
						}
					}
				}
				return nil
			}
		}
		for i, err := range together(replica(first, true), replica(second, false)) {
			if err != nil {
				t.Errorf("replica %d: %v", i+1, err)
			}
		}

		var cycle struct {
			Status   string `db:"status"`
			Step     string `db:"current_step"`
			Revision int64  `db:"revision"`
		}
		if err := first.DB().Get(&cycle, first.DB().Rebind(`SELECT status, current_step, revision FROM cycles
			WHERE institution_id = ? AND number = 1`), raceCycle); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("step-%d", revisions); cycle.Status != "done" || cycle.Step != want || cycle.Revision != revisions {
			t.Errorf("cycle = %+v, want done at %s, revision %d", cycle, want, revisions)
		}
		steps, err := first.Steps(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != 1 || steps[0].Revision != revisions || steps[0].Status != "done" || steps[0].Escalation != revisions {
			t.Errorf("steps = %+v, want one, done at revision %d", steps, revisions)
		}
		var assignment string
		if err := first.DB().Get(&assignment, first.DB().Rebind(`SELECT status FROM assignments WHERE id = ?`), raceAssignment); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("status-%d", revisions); assignment != want {
			t.Errorf("assignment status = %s, want %s", assignment, want)
		}
		var visitOn domain.Date
		if err := first.DB().Get(&visitOn, first.DB().Rebind(`SELECT visit_on FROM visits WHERE id = ?`), raceVisit); err != nil {
			t.Fatal(err)
		}
		if want := date(2027, 3, 1).AddDays(revisions); !visitOn.Equal(want) {
			t.Errorf("visit on %s, want %s (the newest revision's)", visitOn, want)
		}
		var final struct {
			Verdict  int   `db:"final_verdict"`
			Revision int64 `db:"final_revision"`
		}
		if err := first.DB().Get(&final, first.DB().Rebind(`SELECT final_verdict, final_revision FROM reports WHERE id = ?`), raceReport); err != nil {
			t.Fatal(err)
		}
		if final.Revision != revisions || final.Verdict != revisions%3+1 {
			t.Errorf("final verdict %d at revision %d, want %d at %d", final.Verdict, final.Revision, revisions%3+1, revisions)
		}
		for _, c := range []struct {
			query string
			want  int
		}{
			{`SELECT COUNT(*) FROM cycles`, 1},
			{`SELECT COUNT(*) FROM steps`, 1},
			{`SELECT COUNT(*) FROM assignments`, 1},
			{`SELECT COUNT(*) FROM visits`, 1},
			{`SELECT COUNT(*) FROM submissions`, 1},
			{`SELECT COUNT(*) FROM self_evaluation_ratings`, 2},
			{`SELECT COUNT(*) FROM indicator_values`, 3},
			{`SELECT COUNT(*) FROM reports`, 1},
			{`SELECT COUNT(*) FROM report_assessments`, 2},
			{`SELECT COUNT(*) FROM audit_log WHERE institution_id = 'inst-a'`, 1},
			{`SELECT COUNT(*) FROM publications`, 1},
			{`SELECT COUNT(*) FROM published_records`, 1},
			{`SELECT COUNT(*) FROM outbox`, 1},
		} {
			if n := count(t, first, c.query); n != c.want {
				t.Errorf("%s = %d, want %d", c.query, n, c.want)
			}
		}
	})
}
