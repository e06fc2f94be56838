package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestOperationalCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC)
		clock := now
		s := b.seeded(t, WithClock(func() time.Time { return clock }))

		empty, err := s.OperationalCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{OutboxQueued: 0, OutboxSending: 0, OutboxDelivered: 0, OutboxLogged: 0, OutboxFailed: 0}
		if len(empty.Steps) != 0 || len(empty.Cycles) != 0 || !reflect.DeepEqual(empty.Outbox, want) || !empty.OldestWaiting.IsZero() {
			t.Fatalf("an empty store counts %+v; want no steps, no cycles, every outbox state at 0, nothing waiting", empty)
		}

		// Ten institutions, region i%5 and step i%5 alike, so each region has two steps of one
		// kind; i = 0, 3, 6 and 9 are overdue.
		trackingStore(t, s, 10, now)
		today := domain.DateOf(now)
		// A second invitation in region 1 counts under its kind; a closed overdue step not at all.
		regions := domain.Regions()
		for _, st := range []StepRow{
			{ID: "T-00001/1/invitation/professional/1", InstitutionID: "T-00001", Cycle: 1, Step: "invitation/professional/1",
				Title: "t", Region: regions[1], Opened: today.AddDays(-3), Due: today.AddDays(-1), Status: "open", Revision: 1},
			{ID: "T-00002/1/self-evaluation", InstitutionID: "T-00002", Cycle: 1, Step: "self-evaluation",
				Title: "t", Region: regions[2], Opened: today.AddDays(-90), Due: today.AddDays(-30), Status: "done", Revision: 1},
		} {
			if err := s.UpsertStep(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		start := domain.NewDate(2027, time.January, 4)
		for i, c := range []struct{ status, stage string }{
			{"running", "external-evaluation"}, {"running", "external-evaluation"}, {"running", "waiting"},
			{"completed", "publication"}, {"cancelled", "self-evaluation"},
		} {
			id := fmt.Sprintf("T-%05d", i)
			if err := s.UpsertCycle(ctx, CycleRow{InstitutionID: id, Number: 1, WorkflowID: "cycle/" + id, StartDate: start,
				Status: c.status, CurrentStep: c.stage, Generation: 1, AnchorDate: start, AnchorTime: start.Time(),
				DayLengthMS: 86_400_000, Revision: 2}); err != nil {
				t.Fatal(err)
			}
		}
		queued := now.Add(-90 * time.Minute)
		clock = queued
		queue(t, s, OutboxMessage{ID: "n1", RecipientID: "P-001"})
		clock = queued.Add(time.Minute)
		for _, id := range []string{"n2", "n3", "n4"} {
			queue(t, s, OutboxMessage{ID: id, RecipientID: "P-002"})
		}
		clock = now
		// n1 is delivered and n2 fails, so n3 is the oldest still waiting.
		claimed, err := s.ClaimNotifications(ctx, "L", now.UnixMilli(), now.Add(time.Minute).UnixMilli(), 2)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %d rows, %v", len(claimed), err)
		}
		for id, status := range map[string]string{"n1": OutboxDelivered, "n2": OutboxFailed} {
			if err := s.FinishNotification(ctx, id, "L", Outcome{Status: status, At: now}); err != nil {
				t.Fatal(err)
			}
		}

		got, err := s.OperationalCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got.Steps, func(a, b StepCount) int { return strings.Compare(string(a.Region)+a.Step, string(b.Region)+b.Step) })
		wantSteps := []StepCount{
			{Region: regions[0], Step: "self-evaluation", Open: 2, Overdue: 1},
			{Region: regions[1], Step: "invitation", Open: 3, Overdue: 2},
			{Region: regions[2], Step: "visit-date", Open: 2, Overdue: 0},
			{Region: regions[3], Step: "report", Open: 2, Overdue: 1},
			{Region: regions[4], Step: "hearing", Open: 2, Overdue: 1},
		}
		slices.SortFunc(wantSteps, func(a, b StepCount) int { return strings.Compare(string(a.Region)+a.Step, string(b.Region)+b.Step) })
		if !reflect.DeepEqual(got.Steps, wantSteps) {
			t.Errorf("steps = %+v\nwant %+v", got.Steps, wantSteps)
		}
		wantCycles := []CycleCount{
			{Status: "cancelled", Stage: "self-evaluation", N: 1},
			{Status: "completed", Stage: "publication", N: 1},
			{Status: "running", Stage: "", N: 5},
			{Status: "running", Stage: "external-evaluation", N: 2},
			{Status: "running", Stage: "waiting", N: 1},
		}
		if !reflect.DeepEqual(got.Cycles, wantCycles) {
			t.Errorf("cycles = %+v\nwant %+v", got.Cycles, wantCycles)
		}
		want = map[string]int{OutboxQueued: 2, OutboxSending: 0, OutboxDelivered: 1, OutboxLogged: 0, OutboxFailed: 1}
		if !reflect.DeepEqual(got.Outbox, want) {
			t.Errorf("outbox = %v, want %v", got.Outbox, want)
		}
		if !got.OldestWaiting.Equal(queued.Add(time.Minute)) {
			t.Errorf("oldest waiting = %s, want %s (n3, queued a minute after the delivered n1)", got.OldestWaiting, queued.Add(time.Minute))
		}

		// Another day: the step due today becomes overdue at the next count.
		clock = now.Add(30 * 24 * time.Hour)
		later, err := s.OperationalCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		late := 0
		for _, c := range later.Steps {
			late += c.Overdue
		}
		if late != 11 {
			t.Errorf("a month later %d steps are overdue, want all 11 open ones", late)
		}
	})
}
