package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
)

// TestOutageEndsInOneMessageFromToday stops the whole service (worker and embedded server)
// while a self-evaluation waits for its first reminder, and starts it again two days past
// the due date. Every reminder and the first escalation fell in the outage: the manager gets
// one message, the escalation, which says how many days overdue the step is today, not a
// stale "due in 14 days" followed by a catch-up.
func TestOutageEndsInOneMessageFromToday(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server twice")
	}
	const (
		inst    = "H-01"
		manager = "P-001"
		day     = 600 * time.Millisecond
	)
	cfg := testConfig(t, t.TempDir())
	cfg.DayLength = day
	cfg.Cycle.SelfEvaluationDue = domain.Period{Days: 20}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	s := startService(t, cfg)
	fixture.ExampleRegistry(t, s.Store)
	startCycle(ctx, t, s, cfg, inst)
	task := waitFor(ctx, t, "the self-evaluation task", func() []store.OutboxMessage {
		return messages(ctx, t, s.Store, inst, manager)
	})
	cycle, err := s.Store.Cycle(ctx, inst, 1)
	if err != nil {
		t.Fatal(err)
	}
	clock := cycle.Clock()
	steps, err := s.Store.Steps(ctx, inst, 1)
	if err != nil || len(steps) != 1 {
		t.Fatalf("steps = %+v, %v; want the self-evaluation", steps, err)
	}
	due := steps[0].Due
	if today := clock.DateAt(time.Now()); !today.Before(due.AddDays(-14)) {
		t.Fatalf("today %s is already past the first reminder of a step due %s: the machine is too slow for a %s day", today, due, day)
	}
	s.Stop()

	// Down until two days past the due date.
	time.Sleep(time.Until(clock.TimeOf(due.AddDays(2)).Add(day / 2)))
	s = startService(t, cfg)
	defer s.Stop()
	back := clock.DateAt(time.Now())

	after := waitFor(ctx, t, "a message after the outage", func() []store.OutboxMessage {
		if msgs := messages(ctx, t, s.Store, inst, manager); len(msgs) > len(task) {
			return msgs[len(task):]
		}
		return nil
	})
	// Let a few more days pass (the second escalation is 14 days after the due date).
	time.Sleep(4 * day)
	after = messages(ctx, t, s.Store, inst, manager)[len(task):]
	if len(after) != 1 {
		var subjects []string
		for _, m := range after {
			subjects = append(subjects, m.Kind+": "+m.Subject)
		}
		t.Fatalf("after the outage the manager got %d messages, want 1:\n%s", len(after), strings.Join(subjects, "\n"))
	}
	m := after[0]
	if m.Kind != "escalation" {
		t.Errorf("the message after the outage is a %s (%s), want the escalation that holds today", m.Kind, m.Subject)
	}
	overdue := domain.DaysOverdue(due, back)
	if overdue < 1 || !strings.Contains(m.Subject, "overskredet med") || strings.Contains(m.Subject, "med 0 dage") {
		t.Errorf("escalation %q on %s for a step due %s: want it to say the step is overdue by about %d days", m.Subject, back, due, overdue)
	}
}

// messages lists what one person has been sent about an institution, oldest first.
func messages(ctx context.Context, t *testing.T, st *store.Store, inst, person string) []store.OutboxMessage {
	t.Helper()
	msgs, err := st.Outbox(ctx, store.OutboxFilter{RecipientID: person, InstitutionID: inst})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// waitFor polls until get returns something, or fails the test when ctx ends.
func waitFor[T any](ctx context.Context, t *testing.T, what string, get func() []T) []T {
	t.Helper()
	for {
		if got := get(); len(got) > 0 {
			return got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
