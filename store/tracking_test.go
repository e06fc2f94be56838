package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// trackingStore is a store with n institutions, each with a running cycle on real days
// anchored on 2027-01-04 and one open step; every third step is overdue on now's calendar.
func trackingStore(tb testing.TB, s *Store, n int, now time.Time) {
	tb.Helper()
	ctx := context.Background()
	regions := domain.Regions()
	var ins []Institution
	for i := range n {
		ins = append(ins, institution(fmt.Sprintf("T-%05d", i), regions[i%len(regions)]))
	}
	if _, err := s.UpsertInstitutions(ctx, nil, ins); err != nil {
		tb.Fatal(err)
	}
	start := domain.NewDate(2027, time.January, 4)
	today := domain.DateOf(now.UTC())
	steps := []string{"self-evaluation", "invitation/lead/1", "visit-date", "report", "hearing"}
	for i, in := range ins {
		if err := s.UpsertCycle(ctx, CycleRow{InstitutionID: in.ID, Number: 1, WorkflowID: "cycle/" + in.ID, StartDate: start,
			Status: "running", Generation: 1, AnchorDate: start, AnchorTime: start.Time(), DayLengthMS: 86_400_000, Revision: 1}); err != nil {
			tb.Fatal(err)
		}
		due := today.AddDays(10 + i%20)
		if i%3 == 0 {
			due = today.AddDays(-1 - i%40)
		}
		if err := s.UpsertStep(ctx, StepRow{ID: in.ID + "/1/" + steps[i%len(steps)], InstitutionID: in.ID, Cycle: 1,
			Step: steps[i%len(steps)], Title: "t", Region: in.Region, HolderID: fmt.Sprintf("P-%03d", i%300),
			Opened: today.AddDays(-60), Due: due, Status: "open", Revision: 1}); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestTrackingQueries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC)
		s := b.seeded(t, WithClock(func() time.Time { return now }))
		trackingStore(t, s, 90, now)

		overdue, err := s.OpenSteps(ctx, StepFilter{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) != 30 {
			t.Fatalf("%d overdue steps, want 30 (every third)", len(overdue))
		}
		for i, r := range overdue {
			if r.DaysOverdue <= 0 || (i > 0 && r.DaysOverdue > overdue[i-1].DaysOverdue) {
				t.Errorf("overdue step %d: %s %d days overdue; want overdue, the longest first", i, r.ID, r.DaysOverdue)
			}
		}
		page, err := s.OpenSteps(ctx, StepFilter{Overdue: true, Limit: 10, Offset: 10})
		if err != nil || len(page) != 10 || page[0].ID != overdue[10].ID || page[9].ID != overdue[19].ID {
			t.Errorf("second page of 10 = %d rows (%v); want overdue[10:20]", len(page), err)
		}
		one, err := s.OpenSteps(ctx, StepFilter{InstitutionID: "T-00007"})
		if err != nil || len(one) != 1 || one[0].Today != domain.DateOf(now) {
			t.Errorf("one institution = %+v, %v; want its one step, today %s", one, err, domain.DateOf(now))
		}
		counts, err := s.OpenStepCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		open, late := 0, 0
		for _, c := range counts {
			open += c.Open
			late += c.Overdue
			rows, err := s.OpenSteps(ctx, StepFilter{Region: c.Region, Step: c.Step})
			if err != nil || len(rows) != c.Open {
				t.Errorf("count %s/%s = %d open, but the list has %d (%v)", c.Region, c.Step, c.Open, len(rows), err)
			}
		}
		if open != 90 || late != 30 {
			t.Errorf("counts add up to %d open and %d overdue, want 90 and 30", open, late)
		}
	})
}

// BenchmarkTracking measures the tracking queries over 10,000 cycles, each with an open step,
// and reports the 95th percentile of each query in milliseconds.
func BenchmarkTracking(b *testing.B) {
	now := time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	s, err := Open(ctx, Location{Path: filepath.Join(b.TempDir(), "accredit.db")}, WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Seed(ctx); err != nil {
		b.Fatal(err)
	}
	trackingStore(b, s, 10_000, now)
	queries := []struct {
		name string
		run  func() error
	}{
		{"overdue-first-page", func() error { _, err := s.OpenSteps(ctx, StepFilter{Overdue: true, Limit: 50}); return err }},
		{"one-institution", func() error { _, err := s.OpenSteps(ctx, StepFilter{InstitutionID: "T-04242"}); return err }},
		{"region-counts", func() error { _, err := s.OpenStepCounts(ctx); return err }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				if err := q.run(); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

func TestStepsWithoutOverdueAtAreFilledInAtOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC)
		s := b.seeded(t, WithClock(func() time.Time { return now }))
		trackingStore(t, s, 9, now)
		// As migration 00011 found them, or a replica on older code wrote them.
		if _, err := s.db.ExecContext(ctx, `UPDATE steps SET overdue_at = NULL`); err != nil {
			t.Fatal(err)
		}
		if rows, err := s.OpenSteps(ctx, StepFilter{Overdue: true}); err != nil || len(rows) != 0 {
			t.Fatalf("without overdue_at: %d overdue steps (%v), want none found", len(rows), err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if rows, err := s.OpenSteps(ctx, StepFilter{Overdue: true}); err != nil || len(rows) != 3 {
			t.Errorf("after the store opened again: %d overdue steps (%v), want 3", len(rows), err)
		}
	})
}
