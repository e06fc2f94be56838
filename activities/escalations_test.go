package activities_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
)

// TestRepeatEscalationsSendsEachWeeklyRepeatOnce: the repeats after the first come from the
// read model, one per level, to the regional and the national secretariat, whatever how many
// workers look and how often; steps the workflow still walks, extended ones and closed ones
// are left alone.
func TestRepeatEscalationsSendsEachWeeklyRepeatOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, time.April, 6, 9, 0, 0, 0, time.UTC) // due + 36 days: L5 was on 2027-04-05
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "accredit.db"), store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	fixture.ExampleRegistry(t, st)
	a := activities.New(st, config.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))

	due := domain.NewDate(2027, time.March, 1)
	step := func(id string, escalation int, status string, due domain.Date) {
		t.Helper()
		if err := st.UpsertStep(ctx, store.StepRow{ID: id, InstitutionID: "H-01", Cycle: 1, Step: "self-evaluation",
			Title: "Selvevaluering 2027 (år 1)", Region: domain.Hovedstaden, HolderID: "P-001",
			Opened: domain.NewDate(2027, time.January, 4), Due: due, Status: status, Escalation: escalation, Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	step("step/repeating", domain.RepeatedEscalation, "open", due)
	step("step/walked-by-its-workflow", domain.SecretariatEscalation, "open", due)
	step("step/extended", 0, "open", domain.NewDate(2027, time.May, 3))
	step("step/done", domain.RepeatedEscalation, "done", due)

	// Two workers look at the same moment, and again.
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for i := range counts {
		wg.Go(func() {
			n, err := a.RepeatEscalations(ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	msgs, err := st.Outbox(ctx, store.OutboxFilter{InstitutionID: "H-01"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"step/repeating/escalation/5/2027-04-05/P-131": true, // the regional secretariat
		"step/repeating/escalation/5/2027-04-05/P-136": true, // the national secretariat
	}
	if len(msgs) != len(want) {
		t.Fatalf("outbox holds %d messages, want %d: %+v", len(msgs), len(want), msgs)
	}
	for _, m := range msgs {
		if !want[m.ID] || m.Kind != string(activities.KindEscalation) || m.Level != 5 {
			t.Errorf("queued %s (kind %s, level %d), want only the level-5 repeat of step/repeating", m.ID, m.Kind, m.Level)
		}
	}
	rows, err := st.OpenSteps(ctx, store.StepFilter{InstitutionID: "H-01"})
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	for _, r := range rows {
		levels[r.ID] = r.Escalation
	}
	if levels["step/repeating"] != 5 || levels["step/walked-by-its-workflow"] != domain.SecretariatEscalation || levels["step/extended"] != 0 {
		t.Errorf("escalation levels = %v, want the repeated step at 5 and the others unchanged", levels)
	}

	// A week later, the next repeat; a workflow's write with a newer revision still lands.
	now = now.AddDate(0, 0, 7)
	if n, err := a.RepeatEscalations(ctx); err != nil || n != 1 {
		t.Fatalf("a week later RepeatEscalations queued %d (%v), want 1", n, err)
	}
	if n, err := a.RepeatEscalations(ctx); err != nil || n != 0 {
		t.Fatalf("again the same day RepeatEscalations queued %d (%v), want 0", n, err)
	}
	if err := st.UpsertStep(ctx, store.StepRow{ID: "step/repeating", InstitutionID: "H-01", Cycle: 1, Step: "self-evaluation",
		Title: "Selvevaluering 2027 (år 1)", Region: domain.Hovedstaden, HolderID: "P-001",
		Opened: domain.NewDate(2027, time.January, 4), Due: due, Status: "done", Escalation: domain.RepeatedEscalation, Revision: 2}); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 7)
	if n, err := a.RepeatEscalations(ctx); err != nil || n != 0 {
		t.Fatalf("after the step was done RepeatEscalations queued %d (%v), want 0", n, err)
	}
}
