package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// The test institution and the people around it, from examples/.
const (
	institution = "H-01"
	manager     = "P-001"
	secretariat = "P-131" // Region Hovedstaden
	national    = "P-136"
)

// cycleStart is a Monday; with real days the calendar is the real one.
var cycleStart = domain.NewDate(2027, time.January, 4)

// action answers an open step on a given day; it returns true once it has acted.
type action func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool

// harness runs AccreditationCycle in the time-skipping test environment with the real
// activities on a SQLite store seeded with the example registry. A daily driver looks at
// the open steps and plays each one's action, so a scenario is just a set of actions.
type harness struct {
	t          *testing.T
	env        *testsuite.TestWorkflowEnvironment
	store      *store.Store
	acts       *activities.Activities
	cfg        config.Config
	actions    map[string]action
	acted      map[string]bool
	rejections []string
	sent       int
	stopped    bool
	clock      domain.Clock
	// checks run once per day, before the actions.
	checks []func(h *harness, today domain.Date)
	// release is the release the starter gives the cycle; 0 leaves it to the baseline marker.
	release int
}

func newHarness(t *testing.T, configure ...func(*config.Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	st := fixture.ExampleStore(t)
	cfg := config.Default()
	cfg.DataDir = dir
	for _, c := range configure {
		c(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	acts := activities.New(st, cfg, logger)

	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.CycleWorkflowID(institution)})
	env.SetStartTime(cycleStart.Time().Add(7 * time.Hour))
	workflows.Register(env)
	env.RegisterActivity(acts)
	h := &harness{t: t, env: env, store: st, acts: acts, cfg: cfg, actions: onTime(), acted: map[string]bool{},
		clock: domain.Clock{AnchorDate: cycleStart, AnchorTime: cycleStart.Time(), DayLength: 24 * time.Hour}}
	return h
}

// run starts the cycle and drives it until it continues as new (end of cycle 1) or ends.
func (h *harness) run() {
	h.t.Helper()
	h.scheduleDay(cycleStart)
	h.env.ExecuteWorkflow(workflows.CycleWorkflowName, workflows.CycleInput{
		InstitutionID: institution, Number: 1, StartDate: cycleStart, StartedBy: secretariat, Release: h.release,
	})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("the cycle did not finish")
	}
}

// scheduleDay runs the daily driver at 09:00 on the given date.
func (h *harness) scheduleDay(day domain.Date) {
	at := h.clock.TimeOf(day).Add(9 * time.Hour)
	h.env.RegisterDelayedCallback(func() {
		if h.stopped {
			return
		}
		h.drive(day)
		h.scheduleDay(day.AddDays(1))
	}, at.Sub(h.env.Now()))
}

func (h *harness) drive(today domain.Date) {
	for _, check := range h.checks {
		check(h, today)
	}
	status, ok := h.cycleStatus()
	if !ok || status.ActiveWorkflowID == "" {
		return
	}
	stage := h.stageStatus(status.ActiveWorkflowID)
	for _, st := range stage.Steps {
		if st.Status != workflows.StepOpen {
			continue
		}
		// The stage's number tells the years apart: the cycle runs each self-evaluation itself.
		key := fmt.Sprintf("%s#%d/%s", status.ActiveWorkflowID, len(status.Stages), st.Key)
		if h.acted[key] {
			continue
		}
		act, ok := h.actions[kindOf(st.Key)]
		if !ok {
			continue
		}
		if act(h, status.ActiveWorkflowID, st, today) {
			h.acted[key] = true
		}
	}
}

func kindOf(key string) string {
	kind, _, _ := strings.Cut(key, "/")
	return kind
}

func (h *harness) cycleStatus() (workflows.CycleStatus, bool) {
	var s workflows.CycleStatus
	v, err := h.env.QueryWorkflow(workflows.QueryStatus)
	if err != nil {
		return s, false
	}
	if err := v.Get(&s); err != nil {
		h.t.Fatal(err)
	}
	return s, true
}

func (h *harness) stageStatus(id string) workflows.StageStatus {
	var s workflows.StageStatus
	v, err := h.env.QueryWorkflowByID(id, workflows.StageStatusQuery(id))
	if err != nil {
		h.t.Fatalf("query %s: %v", id, err)
	}
	if err := v.Get(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// update sends an update; the test environment answers it asynchronously, so expect is
// called with the rejection (or nil) once the workflow has handled it.
func (h *harness) update(workflowID, name string, arg any, expect func(rejection error)) {
	h.sent++
	id := fmt.Sprintf("%s-%d", name, h.sent)
	err := h.env.UpdateWorkflowByID(workflowID, name, id, &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) {
			h.rejections = append(h.rejections, err.Error())
			expect(err)
		},
		OnComplete: func(_ any, err error) {
			if err != nil {
				h.rejections = append(h.rejections, err.Error())
			}
			expect(err)
		},
	}, arg)
	if err != nil {
		h.t.Errorf("send %s to %s: %v", name, workflowID, err)
	}
}

// mustUpdate sends an update that must be accepted and handled without error.
func (h *harness) mustUpdate(workflowID, name string, arg any) {
	h.update(workflowID, name, arg, func(err error) {
		if err != nil {
			h.t.Errorf("%s on %s was rejected: %v", name, workflowID, err)
		}
	})
}

// mustReject sends an update that must be rejected with a message containing want.
func (h *harness) mustReject(workflowID, name string, arg any, want string) {
	h.update(workflowID, name, arg, func(err error) {
		switch {
		case err == nil:
			h.t.Errorf("%s on %s was accepted; want rejection %q", name, workflowID, want)
		case !strings.Contains(err.Error(), want):
			h.t.Errorf("%s on %s: rejection %q does not contain %q", name, workflowID, err, want)
		}
	})
}

// continuedAs returns the input of the next run after the cycle continued as new.
func (h *harness) continuedAs() workflows.CycleInput {
	h.t.Helper()
	err := h.env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		h.t.Fatalf("the cycle ended with %v, want continue-as-new into the next cycle", err)
	}
	var next workflows.CycleInput
	if err := h.decode(can, &next); err != nil {
		h.t.Fatal(err)
	}
	return next
}

// finalStatus is the cycle's result when it ended (cancelled).
func (h *harness) finalStatus() workflows.CycleStatus {
	h.t.Helper()
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("the cycle failed: %v", err)
	}
	var s workflows.CycleStatus
	if err := h.env.GetWorkflowResult(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// steps returns the cycle's read model steps, in the order they opened.
func (h *harness) steps() []store.StepRow {
	rows, err := h.store.Steps(context.Background(), institution, 1)
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func (h *harness) outbox(person string) []store.OutboxMessage {
	msgs, err := h.store.Outbox(context.Background(), store.OutboxFilter{RecipientID: person, InstitutionID: institution})
	if err != nil {
		h.t.Fatal(err)
	}
	return msgs
}

// stepRecord finds a step of the cycle by key in the parent's completed stages.
func stepRecord(t *testing.T, steps []workflows.StepRecord, key string) workflows.StepRecord {
	t.Helper()
	for _, s := range steps {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no step %s in %v", key, keys(steps))
	return workflows.StepRecord{}
}

func keys(steps []workflows.StepRecord) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Key + "(" + string(s.Status) + ")"
	}
	return out
}

// onTime is a team that does everything promptly: the default actions.
func onTime() map[string]action {
	return map[string]action{
		workflows.StepSelfEvaluation: submitSelfEvaluation(10),
		workflows.StepInvitation:     answerInvitation(nil),
		workflows.StepVisitDate:      setVisitDate(35),
		workflows.StepVisit:          recordVisit,
		workflows.StepReport:         submitReport(domain.VerdictMeets),
		workflows.StepRevisitDate:    setVisitDate(20),
		workflows.StepRevisit:        recordVisit,
		workflows.StepRevisitReport:  submitReport(domain.VerdictMeets),
		workflows.StepActionPlan:     submitActionPlan(20),
	}
}

// submitSelfEvaluation submits the self-evaluation `after` days after it opened.
func submitSelfEvaluation(after int) action {
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if today.DaysSince(st.Opened) < after {
			return false
		}
		h.mustUpdate(stage, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(manager))
		return true
	}
}

// answerInvitation accepts every invitation except the seats named in decline (first
// invitee only) and those in ignore (never answered).
func answerInvitation(decline map[domain.TeamRole]bool) action {
	declined := map[domain.TeamRole]bool{}
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		seat := domain.TeamRole(st.HolderRole)
		if decline[seat] && !declined[seat] {
			declined[seat] = true
			h.mustUpdate(stage, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{
				Action: workflows.Action{Actor: st.HolderID}, Accept: false, Reason: "travelling that month"})
			return true
		}
		h.mustUpdate(stage, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{
			Action: workflows.Action{Actor: st.HolderID}, Accept: true})
		return true
	}
}

func setVisitDate(ahead int) action {
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustUpdate(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{
			Action: workflows.Action{Actor: st.HolderID}, Date: today.AddDays(ahead)})
		return true
	}
}

func recordVisit(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
	status := h.stageStatus(stage)
	date := status.Visit
	if st.Key == workflows.StepRevisit {
		date = status.Revisit
	}
	if today.Before(date) {
		return false
	}
	h.mustUpdate(stage, workflows.UpdateRecordVisit, workflows.VisitRecord{
		Action: workflows.Action{Actor: st.HolderID}, Notes: "Interview med ledelse, medarbejdere, beboere og pårørende."})
	return true
}

func submitReport(verdict domain.Verdict) action {
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustUpdate(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, verdict))
		return true
	}
}

func submitActionPlan(after int) action {
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if today.DaysSince(st.Opened) < after {
			return false
		}
		h.mustUpdate(stage, workflows.UpdateSubmitActionPlan, workflows.ActionPlan{
			Action: workflows.Action{Actor: manager}, Plan: "Handleplaner revideres kvartalsvis fra næste måned.",
			Areas: []string{"5.1"}})
		return true
	}
}

func (h *harness) decode(can *workflow.ContinueAsNewError, out *workflows.CycleInput) error {
	return converter.GetDefaultDataConverter().FromPayloads(can.Input, out)
}

// submissionKinds counts the cycle's stored submissions by kind.
func (h *harness) submissionKinds() map[string]int {
	h.t.Helper()
	subs, err := h.store.Submissions(context.Background(), institution, 1)
	if err != nil {
		h.t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, s := range subs {
		kinds[s.Kind]++
	}
	return kinds
}
