package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/notify/slackapp"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestActingFromSlackMovesTheCycleOn runs a real cycle on the embedded server with the
// worker's dispatcher and the Slack app against a slacktest workspace: the team's invitations
// arrive in Slack and are accepted by clicking their buttons (signed requests to
// /slack/interactivity, each as the invitee's Slack user), which opens the lead's visit-date
// task; the lead sets the date in the modal; the team and the manager get the visit's .ics;
// and the cancelled cycle sends its cancellation. Every message arrives once.
// slackCycle is a real cycle's world: the embedded server with the worker's dispatcher, the
// Slack app served as Slack calls it, and a slacktest workspace in which every person of the
// example registry is a member.
type slackCycle struct {
	*env
	ctx     context.Context
	s       *service.Service
	client  *cycles.Client
	app     *slackApp
	slackID map[string]string // person -> Slack member ID
}

// newSlackCycle starts the world on a calendar whose days last day; tune adjusts the cycle's
// durations.
func newSlackCycle(t *testing.T, day time.Duration, tune func(*config.Durations)) *slackCycle {
	t.Helper()
	ws := newWorkspace(t)
	ws.channel(chanHovedstaden)
	ws.channel(chanNational)
	cfg := fixture.EmbeddedConfig(t,
		"ACCREDIT_PUBLIC_BASE_URL=https://akkreditering.example.dk",
		"ACCREDIT_SLACK_BOT_TOKEN=xoxb-test",
		"ACCREDIT_SLACK_SIGNING_SECRET="+signingSecret,
		"ACCREDIT_SLACK_API_URL="+ws.URL(),
		"ACCREDIT_SLACK_MESSAGES_PER_SECOND=50",
		"ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:"+chanHovedstaden+",national:"+chanNational,
	)
	cfg.DayLength = day
	cfg.Cycle.SelfEvaluationInterval = domain.Period{Days: 2}
	cfg.Cycle.InvitationAnswer = domain.Period{Weeks: 3}
	if tune != nil {
		tune(&cfg.Cycle)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	s, err := service.Start(ctx, cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	fixture.ExampleRegistry(t, s.Store)
	// Everyone is a member of the workspace; those without a slack_user_id are found by e-mail.
	people, err := s.Store.ListPeople(ctx, store.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	slackID := map[string]string{}
	for _, p := range people {
		slackID[p.ID] = p.SlackUserID
		if p.SlackUserID == "" {
			slackID[p.ID] = "U" + strings.ReplaceAll(p.ID, "-", "")
			ws.member(p.Email, slackID[p.ID])
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		notify.New(s.Store, cfg, quiet(), notify.Options{Poll: 100 * time.Millisecond, HousekeepingEvery: 500 * time.Millisecond}).Run(runCtx)
	}()
	t.Cleanup(func() { stop(); <-done })
	client := cycles.New(s.Client, cycles.Options{TaskQueue: cfg.TaskQueue})
	e := &env{t: t, st: s.Store, cfg: cfg, ws: ws}
	return &slackCycle{env: e, ctx: ctx, s: s, client: client, slackID: slackID,
		app: e.slackAppOn(t, slackapp.New(s.Store, cfg, client, quiet()))}
}

// delivered are the institution's rows delivered to Slack.
func (c *slackCycle) delivered(inst string) []store.OutboxMessage {
	c.t.Helper()
	rows, err := c.st.Outbox(c.ctx, store.OutboxFilter{InstitutionID: inst, Status: store.OutboxDelivered})
	if err != nil {
		c.t.Fatal(err)
	}
	return rows
}

// accept clicks "Sig ja" on every invitation delivered and not yet clicked, as its invitee.
func (c *slackCycle) accept(inst string, clicked map[string]bool) {
	c.t.Helper()
	for _, r := range c.delivered(inst) {
		if r.Kind == notify.KindTask && strings.HasPrefix(r.Step, "invitation/") && !clicked[r.ID] {
			clicked[r.ID] = true
			id := c.app.click(c.slackID[r.RecipientID], notify.ActionAcceptInvitation, r.ID)
			if reply := c.reply(id); !strings.Contains(reply, "✅") {
				c.t.Errorf("%s's accept was answered %q", r.RecipientID, reply)
			}
		}
	}
}

// setDate sets the visit's date from the lead's task, in the modal.
func (c *slackCycle) setDate(inst string, task store.OutboxMessage, date domain.Date) {
	c.t.Helper()
	lead := c.slackID[task.RecipientID]
	c.app.click(lead, notify.ActionSetVisitDate, task.ID)
	out := c.app.submit(lead, notify.ViewSetVisitDate, task.ID, map[string]map[string]any{
		notify.BlockDate: {notify.ElementDate: map[string]any{"type": "datepicker", "selected_date": date.String()}}})
	if out != nil && out["response_action"] != "clear" {
		// (nil: the workflow was slower than Slack waits; the modal closed all the same.)
		c.t.Fatalf("the date's submission was answered %v", out)
	}
}

// TestActingFromSlackMovesTheCycleOn runs a real cycle on the embedded server with the
// worker's dispatcher and the Slack app against a slacktest workspace: the team's invitations
// arrive in Slack and are accepted by clicking their buttons (signed requests to
// /slack/interactivity, each as the invitee's Slack user), which opens the lead's visit-date
// task; the lead sets the date in the modal; the team and the manager get the visit's .ics;
// and the cancelled cycle sends its cancellation. Every message arrives once.
func TestActingFromSlackMovesTheCycleOn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const (
		inst    = "H-01"
		manager = "P-001"
	)
	began := time.Now()
	c := newSlackCycle(t, 300*time.Millisecond, nil)
	ctx, client, ws, slackID, e := c.ctx, c.client, c.ws, c.slackID, c.env
	if _, err := client.Start(ctx, cycles.StartRequest{InstitutionID: inst, StartDate: domain.DateOf(time.Now()), Actor: "P-131"}); err != nil {
		t.Fatal(err)
	}
	// The manager hands in each year's self-evaluation; the team's invitations come to Slack,
	// and each invitee accepts by clicking, until the lead's visit-date task arrives.
	clicked, submitted := map[string]bool{}, map[string]bool{}
	var dateTask store.OutboxMessage
	var stage *workflows.StageStatus
	for dateTask.ID == "" {
		select {
		case <-ctx.Done():
			t.Fatalf("the visit-date task did not arrive; accepted %v", clicked)
		case <-time.After(100 * time.Millisecond):
		}
		st, err := client.Status(ctx, inst)
		if err != nil {
			t.Fatal(err)
		}
		stage = st.Stage
		for _, step := range st.OpenSteps() {
			if step.Key == workflows.StepSelfEvaluation && !submitted[stageRun(st)] {
				if _, err := client.SubmitSelfEvaluation(ctx, inst, fixture.SelfEvaluation(manager)); err != nil {
					t.Fatal(err)
				}
				submitted[stageRun(st)] = true
			}
		}
		c.accept(inst, clicked)
		for _, r := range c.delivered(inst) {
			if r.Kind == notify.KindTask && r.Step == workflows.StepVisitDate {
				dateTask = r
			}
		}
	}
	t.Logf("the lead's visit-date task arrived after %s", time.Since(began).Round(time.Millisecond))
	// Each accepted invitation's message lost its buttons.
	for id := range clicked {
		if m := ws.byKey(id); len(m) != 1 || strings.Contains(m[0].Blocks, notify.ActionAcceptInvitation) {
			t.Errorf("the invitation %s: %d messages, the buttons still there", id, len(m))
		}
	}
	msgs := ws.byKey(dateTask.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Blocks, notify.ActionSetVisitDate) {
		t.Fatalf("the visit-date task in Slack: %+v", msgs)
	}

	// The lead opens the modal and sets a date beyond the notice period.
	date := stage.Clock.DateAt(time.Now()).AddDays(40)
	c.setDate(inst, dateTask, date)
	var st cycles.Status
	var err error
	waitFor(ctx, t, "the visit's date", func() bool {
		st, err = client.Status(ctx, inst)
		return err == nil && st.Stage != nil && st.Stage.Visit == date
	})
	team := map[string]bool{manager: true}
	for _, m := range st.Stage.Team {
		if m.Status == workflows.MemberAccepted || m.Status == workflows.MemberAssigned {
			team[m.PersonID] = true
		}
	}
	// The team and the manager get the visit's invitation.
	uid := ""
	waitFor(ctx, t, "the visit's invitations", func() bool {
		for p := range team {
			if len(ws.filesIn("D"+slackID[p])) == 0 {
				return false
			}
		}
		return true
	})
	for p := range team {
		inv := e.invites(t, "D"+slackID[p])
		if len(inv) != 1 || inv[0].method != "REQUEST" || inv[0].sequence != "0" || !inv[0].date.Equal(date.Time()) {
			t.Errorf("%s's invitations: %+v", p, inv)
			continue
		}
		if uid == "" {
			uid = inv[0].uid
		}
		if inv[0].uid != uid {
			t.Errorf("%s's invitation has UID %s, the others %s", p, inv[0].uid, uid)
		}
	}
	t.Logf("the invitations arrived after %s", time.Since(began).Round(time.Millisecond))

	// The cycle is cancelled: the event is cancelled, with the same UID.
	if _, err := client.Cancel(ctx, inst, workflows.Cancellation{Action: workflows.Action{Actor: "P-131"}, Reason: "Institutionen lukker."}); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the cancellations", func() bool {
		for p := range team {
			if len(ws.filesIn("D"+slackID[p])) < 2 {
				return false
			}
		}
		return true
	})
	for p := range team {
		inv := e.invites(t, "D"+slackID[p])
		if len(inv) != 2 || inv[1].method != "CANCEL" || inv[1].status != "CANCELLED" || inv[1].uid != uid || inv[1].sequence != "1" {
			t.Errorf("%s's invitations after the cancellation: %+v", p, inv)
		}
	}
	// Every message arrived once.
	rows, err := c.st.Outbox(ctx, store.OutboxFilter{InstitutionID: inst})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Status == store.OutboxDelivered && r.Kind != notify.KindCalendar && r.LeaderID == "" {
			if n := len(ws.byKey(r.ID)); n != 1 {
				t.Errorf("%s arrived %d times", r.ID, n)
			}
		}
	}
	if n := ws.count("files.completeUploadExternal"); n != 2*len(team) {
		t.Errorf("%d files shared, want %d", n, 2*len(team))
	}
	t.Logf("%d invitations accepted by a click; the test took %s", len(clicked), time.Since(began).Round(time.Millisecond))
}

// waitFor polls cond until it holds, or fails the test when ctx ends.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not happen in time", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestWholeCycleReachesSlackOnce runs one institution's whole cycle, from its start until
// cycle 2 begins, with people acting from Slack where they can (accepting the invitations,
// setting the visit's date, recording the visit) and through the client of the cycles
// otherwise (the self-evaluations, the report): every notification of the cycle arrives once,
// in the direct messages of its person or in its secretariat channel, and the visit's .ics
// reaches the team and the manager.
func TestWholeCycleReachesSlackOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const (
		inst    = "H-04"
		manager = "P-004"
	)
	began := time.Now()
	c := newSlackCycle(t, 150*time.Millisecond, func(d *config.Durations) { d.CycleLength = domain.Period{Months: 1} })
	ctx, client := c.ctx, c.client
	if _, err := client.Start(ctx, cycles.StartRequest{InstitutionID: inst, StartDate: domain.DateOf(time.Now()), Actor: "P-131"}); err != nil {
		t.Fatal(err)
	}
	clicked, done := map[string]bool{}, map[string]bool{}
	var visit domain.Date
	for {
		select {
		case <-ctx.Done():
			t.Fatalf("the cycle did not reach cycle 2; done %v", done)
		case <-time.After(100 * time.Millisecond):
		}
		st, err := client.Status(ctx, inst)
		if err != nil {
			t.Fatal(err)
		}
		if st.Cycle.Number > 1 {
			break
		}
		if st.Stage != nil {
			visit = st.Stage.Visit
		}
		for _, step := range st.OpenSteps() {
			key := stageRun(st) + "/" + step.Key
			if done[key] {
				continue
			}
			switch step.Key {
			case workflows.StepSelfEvaluation:
				_, err = client.SubmitSelfEvaluation(ctx, inst, fixture.SelfEvaluation(manager))
			case workflows.StepReport:
				_, err = client.SubmitReport(ctx, inst, fixture.Report(step.HolderID, domain.VerdictMeets))
			default:
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", step.Key, err)
			}
			done[key] = true
		}
		c.accept(inst, clicked)
		for _, r := range c.delivered(inst) {
			if r.Kind != notify.KindTask || done[r.ID] {
				continue
			}
			switch r.Step {
			case workflows.StepVisitDate:
				c.setDate(inst, r, st.Stage.Clock.DateAt(time.Now()).AddDays(30))
				done[r.ID] = true
			case workflows.StepVisit:
				// The step opens on the visit's day; a click a moment too early is refused.
				id := c.app.click(c.slackID[r.RecipientID], notify.ActionRecordVisit, r.ID)
				reply := c.reply(id)
				if strings.Contains(reply, "✅") {
					done[r.ID] = true
				} else if !strings.Contains(reply, "can be recorded on that day or later") {
					t.Fatalf("recording the visit was answered %q", reply)
				}
			}
		}
	}
	t.Logf("cycle 2 began after %s; %d invitations accepted in Slack", time.Since(began).Round(time.Millisecond), len(clicked))

	// Every row of cycle 1 settles, and each arrives once where it belongs.
	var rows []store.OutboxMessage
	waitFor(ctx, t, "every notification", func() bool {
		var err error
		rows, err = c.st.Outbox(ctx, store.OutboxFilter{InstitutionID: inst})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Status != store.OutboxDelivered && r.Status != store.OutboxLogged {
				return false
			}
		}
		return true
	})
	kinds := map[string]int{}
	for _, r := range rows {
		if r.Cycle != 1 || r.LeaderID != "" {
			continue
		}
		if r.Status == store.OutboxLogged {
			if r.Kind != notify.KindEscalation || r.Level < 3 {
				t.Errorf("%s (%s) was only logged: %s", r.ID, r.Kind, r.LastError)
			}
			continue
		}
		kinds[r.Kind]++
		where := "D" + c.slackID[r.RecipientID]
		if r.Channel != notify.RouteDM {
			where = r.Channel
		}
		if r.SlackChannel != where {
			t.Errorf("%s (%s to %s) was delivered in %s, want %s", r.ID, r.Kind, r.RecipientID, r.SlackChannel, where)
		}
		if r.Kind == notify.KindCalendar {
			continue // a file: TestActingFromSlackMovesTheCycleOn and the calendar tests count them
		}
		if m := c.ws.byKey(r.ID); len(m) != 1 || m[0].Channel != where {
			t.Errorf("%s arrived %d times (%+v), want once in %s", r.ID, len(m), m, where)
		}
	}
	if kinds[notify.KindTask] == 0 || kinds[notify.KindCalendar] == 0 || kinds[notify.KindInfo] == 0 {
		t.Errorf("delivered per kind: %v; want tasks, information and calendar invitations", kinds)
	}
	if n := len(c.ws.filesIn("D" + c.slackID[manager])); n != 1 {
		t.Errorf("the manager got %d .ics files, want 1 (the visit on %s)", n, visit)
	}
	t.Logf("delivered per kind: %v; the test took %s", kinds, time.Since(began).Round(time.Millisecond))
}

// stageRun names the running stage of a cycle: its workflow and its place among the cycle's
// stages, since the cycle runs its three self-evaluations itself.
func stageRun(st cycles.Status) string {
	return fmt.Sprintf("%s/%d", st.Cycle.ActiveWorkflowID, len(st.Cycle.Stages))
}
