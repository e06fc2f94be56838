package notify_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestCycleAlertsReachSlackOnce runs a real cycle on the embedded server, with the dispatcher
// as the worker runs it, against a slacktest workspace: the year-1 self-evaluation's task,
// reminders and escalations each arrive once, the manager's by direct message, the second
// escalation in Hovedstaden's channel, and the later ones only in the digest.
func TestCycleAlertsReachSlackOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const (
		inst = "H-01"
		day  = 500 * time.Millisecond
	)
	ws := newWorkspace(t)
	ws.channel(chanHovedstaden)
	ws.channel(chanNational)
	cfg := fixture.EmbeddedConfig(t,
		"ACCREDIT_SLACK_BOT_TOKEN=xoxb-test",
		"ACCREDIT_SLACK_API_URL="+ws.URL(),
		"ACCREDIT_SLACK_MESSAGES_PER_SECOND=50",
		"ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:"+chanHovedstaden+",national:"+chanNational,
	)
	cfg.DayLength = day
	cfg.Cycle.SelfEvaluationDue = domain.Period{Days: 20}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	s, err := service.Start(ctx, cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	fixture.ExampleRegistry(t, s.Store)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		notify.New(s.Store, cfg, quiet(), notify.Options{Poll: 100 * time.Millisecond, HousekeepingEvery: time.Second}).Run(runCtx)
	})
	// From the fourth escalation on, the repeats come from the read model, as in the worker.
	wg.Go(func() {
		service.RunEscalations(runCtx, activities.New(s.Store, cfg, quiet()), service.EscalationInterval(day), quiet())
	})
	defer func() { stop(); wg.Wait() }()

	if _, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CycleWorkflowID(inst),
		TaskQueue: cfg.TaskQueue}, workflows.CycleWorkflowName, workflows.CycleInput{InstitutionID: inst, Number: 1,
		StartDate: domain.DateOf(time.Now()), StartedBy: "P-136"}); err != nil {
		t.Fatal(err)
	}
	// Until the fourth escalation: due after 20 days, level 2 14 days later, then weekly.
	var rows []store.OutboxMessage
	for {
		rows, err = s.Store.Outbox(ctx, store.OutboxFilter{InstitutionID: inst})
		if err != nil {
			t.Fatal(err)
		}
		settled, level4 := true, false
		for _, r := range rows {
			settled = settled && (r.Status == store.OutboxDelivered || r.Status == store.OutboxLogged)
			level4 = level4 || (r.Kind == notify.KindEscalation && r.Level == 4)
		}
		if settled && level4 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the fourth escalation was not delivered in time; outbox: %+v", rows)
		case <-time.After(200 * time.Millisecond):
		}
	}

	var reminders, managerDMs, channel, digested int
	for _, r := range rows {
		switch {
		case r.Status == store.OutboxLogged:
			if r.Kind != notify.KindEscalation || r.Level < 3 || !strings.Contains(r.LastError, "digest") {
				t.Errorf("%s was only logged (%s), want only escalations from level 3 in the digest", r.ID, r.LastError)
			}
			digested++
			continue
		case r.LeaderID != "":
			continue
		}
		if got := len(ws.byKey(r.ID)); got != 1 {
			t.Errorf("%s arrived %d times, want once", r.ID, got)
		}
		switch {
		case r.RecipientID == "P-001" && r.SlackChannel == "DU01D0BL37":
			managerDMs++
			if r.Kind == notify.KindReminder {
				reminders++
			}
		case r.Kind == notify.KindEscalation && r.Level == 2 && r.SlackChannel == chanHovedstaden:
			channel++
		default:
			t.Errorf("%s (%s level %d to %s) went to %s", r.ID, r.Kind, r.Level, r.RecipientID, r.SlackChannel)
		}
	}
	// On a loaded machine a late timer merges alerts into the one that holds on the day
	// (workflows/deadline.go), so the counts are bounds; where each went is exact, above.
	if reminders < 1 || managerDMs < reminders+2 || channel != 1 || digested < 2 {
		t.Errorf("manager: %d direct messages, %d reminders; channel: %d; digest: %d; want the task, reminders and the first escalation, the second escalation in the channel once, and the third on in the digest for both secretariats",
			managerDMs, reminders, channel, digested)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
