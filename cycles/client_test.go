package cycles_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// People of the example registry.
const (
	secretariatH = "P-131" // Region Hovedstaden
	managerH01   = "P-001"
)

// startService runs the worker with its embedded Temporal server on a fresh data directory
// holding the example registry. Days last dayLength; the self-evaluations are a week apart
// and invitations wait long, so the test reaches the external evaluation in seconds and
// finds its invitations open.
func startService(t *testing.T, dayLength time.Duration) (*service.Service, config.Config) {
	t.Helper()
	cfg := fixture.EmbeddedConfig(t)
	cfg.DayLength = dayLength
	cfg.Cycle.SelfEvaluationInterval = domain.Period{Weeks: 1}
	cfg.Cycle.CycleLength = domain.Period{Months: 1}
	cfg.Cycle.InvitationAnswer = domain.Period{Weeks: 52}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := service.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start service: %v", err)
	}
	t.Cleanup(s.Stop)
	fixture.ExampleRegistry(t, s.Store)
	return s, cfg
}

// refused checks that err is a refusal of action whose reason contains want.
func refused(t *testing.T, what string, err error, action, want string) {
	t.Helper()
	var ref *cycles.RefusedError
	if !errors.As(err, &ref) {
		t.Errorf("%s: %T %v, want a *cycles.RefusedError", what, err, err)
		return
	}
	if ref.Action != action || !strings.Contains(ref.Reason, want) || ref.Error() != ref.Reason {
		t.Errorf("%s: refused %s with %q, want %s with %q", what, ref.Action, ref.Reason, action, want)
	}
}

// waitStatus asks for the status until ok holds.
func waitStatus(ctx context.Context, t *testing.T, c *cycles.Client, inst, what string, ok func(cycles.Status) bool) cycles.Status {
	t.Helper()
	for {
		st, err := c.Status(ctx, inst)
		if err == nil && ok(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v (last status %+v, %v)", what, ctx.Err(), st, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func openStep(st cycles.Status, prefix string) (workflows.StepRecord, bool) {
	for _, s := range st.OpenSteps() {
		if strings.HasPrefix(s.Key, prefix) {
			return s, true
		}
	}
	return workflows.StepRecord{}, false
}

// TestClientDrivesACycle runs the client against the embedded server: start, status, every
// action routed to the stage that holds it, each refusal typed with the validator's words,
// and the cancellation.
func TestClientDrivesACycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	s, cfg := startService(t, 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := cycles.New(s.Client, cycles.Options{TaskQueue: cfg.TaskQueue})
	const inst = "H-01"
	act := func(actor string) workflows.Action { return workflows.Action{Actor: actor} }

	// No cycle yet: a refusal, not a failure.
	_, err := c.CycleStatus(ctx, inst)
	refused(t, "status before the start", err, cycles.ActionStatus, "no cycle has been started for H-01")
	if !errors.Is(err, cycles.ErrNoCycle) {
		t.Errorf("status before the start: %v does not wrap ErrNoCycle", err)
	}

	started, err := c.Start(ctx, cycles.StartRequest{InstitutionID: inst, StartDate: domain.DateOf(time.Now()), Actor: secretariatH})
	if err != nil || started.RunID == "" || started.WorkflowID != workflows.CycleWorkflowID(inst) {
		t.Fatalf("start: %+v, %v", started, err)
	}
	again, err := c.Start(ctx, cycles.StartRequest{InstitutionID: inst, StartDate: domain.DateOf(time.Now()), Actor: secretariatH})
	refused(t, "a second start", err, cycles.ActionStart, "already running")
	if !errors.Is(err, cycles.ErrAlreadyRunning) || again.RunID != started.RunID {
		t.Errorf("a second start: %+v, %v; want ErrAlreadyRunning naming run %s", again, err, started.RunID)
	}

	// Right after the start, the status shows the first stage with its step.
	st, err := c.Status(ctx, inst)
	if err != nil || st.Stage == nil || st.Cycle.Stage != workflows.StageSelfEvaluation || len(st.Stage.Steps) != 1 {
		t.Fatalf("status right after the start: %+v, %v", st, err)
	}
	if tl := st.Timeline(); len(tl) != 1 || tl[0].Key != workflows.StepSelfEvaluation {
		t.Errorf("timeline right after the start: %+v", tl)
	}

	// An action for another stage is refused by the client, naming the stage.
	_, err = c.AnswerInvitation(ctx, inst, workflows.InvitationAnswer{Action: act("P-088"), Accept: true})
	refused(t, "an answer during the self-evaluation", err, workflows.UpdateAnswerInvitation, "self-evaluation stage")
	if !errors.Is(err, cycles.ErrNoStage) {
		t.Errorf("%v does not wrap ErrNoStage", err)
	}
	// The validator's refusal comes back with its own words.
	_, err = c.SubmitSelfEvaluation(ctx, inst, fixture.SelfEvaluation("P-088"))
	refused(t, "a self-evaluation by a stranger", err, workflows.UpdateSubmitSelfEvaluation, "P-088")
	_, err = c.ExtendDeadline(ctx, inst, workflows.Extension{Action: act(secretariatH), Step: workflows.StepSelfEvaluation,
		NewDue: st.Stage.Steps[0].Due.AddDays(7)})
	refused(t, "an extension without a reason", err, workflows.UpdateExtendDeadline, "give a reason")

	rec, err := c.ExtendDeadline(ctx, inst, workflows.Extension{Action: act(secretariatH), Step: workflows.StepSelfEvaluation,
		NewDue: st.Stage.Steps[0].Due.AddDays(7), Reason: "Ny leder"})
	if err != nil || rec.Due != st.Stage.Steps[0].Due.AddDays(7) {
		t.Errorf("extend: %+v, %v", rec, err)
	}
	rec, err = c.SubmitSelfEvaluation(ctx, inst, fixture.SelfEvaluation(managerH01))
	if err != nil || rec.Status != workflows.StepDone {
		t.Fatalf("submit the self-evaluation: %+v, %v", rec, err)
	}
	// Years 2 and 3 are waived, to reach the external evaluation.
	for year := 2; year <= 3; year++ {
		waitStatus(ctx, t, c, inst, "self-evaluation "+strconv.Itoa(year), func(st cycles.Status) bool {
			_, ok := openStep(st, workflows.StepSelfEvaluation)
			return ok && st.Stage.Year == year
		})
		if rec, err := c.WaiveStep(ctx, inst, workflows.Waiver{Action: act(secretariatH), Step: workflows.StepSelfEvaluation,
			Reason: "Ombygning"}); err != nil || rec.Status != workflows.StepWaived {
			t.Fatalf("waive year %d: %+v, %v", year, rec, err)
		}
	}

	st = waitStatus(ctx, t, c, inst, "the lead's invitation", func(st cycles.Status) bool {
		_, ok := openStep(st, workflows.StepInvitation+"/lead")
		return ok
	})
	invitation, _ := openStep(st, workflows.StepInvitation+"/lead")
	if n := len(st.Timeline()); n != len(st.Cycle.Steps)+len(st.Stage.Steps) || len(st.Cycle.Steps) < 3 {
		t.Errorf("timeline of %d steps, from %d finished and %d running", n, len(st.Cycle.Steps), len(st.Stage.Steps))
	}

	// Every other action goes to the external evaluation, whose validators refuse it now.
	refusals := []struct {
		action string
		call   func() error
		want   string
	}{
		{workflows.UpdateAnswerInvitation, func() error {
			_, err := c.AnswerInvitation(ctx, inst, workflows.InvitationAnswer{Action: act(managerH01), Accept: true})
			return err
		}, "has no open invitation"},
		{workflows.UpdateAssignReviewer, func() error {
			_, err := c.AssignReviewer(ctx, inst, workflows.ReviewerAssignment{Action: act(secretariatH), Seat: "captain", PersonID: "P-061", Reason: "x"})
			return err
		}, `unknown seat "captain"`},
		{workflows.UpdateSetVisitDate, func() error {
			_, err := c.SetVisitDate(ctx, inst, workflows.VisitDate{Action: act(invitation.HolderID), Date: st.Cycle.Today.AddDays(60)})
			return err
		}, "the team is not complete yet"},
		{workflows.UpdateRecordVisit, func() error {
			_, err := c.RecordVisit(ctx, inst, workflows.VisitRecord{Action: act(invitation.HolderID)})
			return err
		}, "no visit to record"},
		{workflows.UpdateSubmitReport, func() error {
			_, err := c.SubmitReport(ctx, inst, fixture.Report(invitation.HolderID, domain.VerdictMeets))
			return err
		}, "record the visit first"},
		{workflows.UpdateCommentReport, func() error {
			_, err := c.CommentReport(ctx, inst, workflows.Comment{Action: act(managerH01), Text: "Fejl"})
			return err
		}, "nothing to comment on"},
		{workflows.UpdateSubmitActionPlan, func() error {
			_, err := c.SubmitActionPlan(ctx, inst, workflows.ActionPlan{Action: act(managerH01), Plan: "Plan"})
			return err
		}, "action-plan"},
		{workflows.UpdateAppeal, func() error {
			_, err := c.Appeal(ctx, inst, workflows.Appeal{Action: act(managerH01), Reason: "Uenig"})
			return err
		}, "no final verdict to appeal"},
		{workflows.UpdateDecide, func() error {
			_, err := c.Decide(ctx, inst, workflows.Decision{Action: act(secretariatH), Reason: "x"})
			return err
		}, "nothing to decide"},
		{workflows.UpdateSubmitSelfEvaluation, func() error {
			_, err := c.SubmitSelfEvaluation(ctx, inst, fixture.SelfEvaluation(managerH01))
			return err
		}, "there is no self-evaluation to submit now"},
	}
	for _, r := range refusals {
		refused(t, r.action+" in the team phase", r.call(), r.action, r.want)
	}

	m, err := c.AnswerInvitation(ctx, inst, workflows.InvitationAnswer{Action: act(invitation.HolderID), Accept: true})
	if err != nil || m.Seat != domain.SeatLead || m.Status != workflows.MemberAccepted {
		t.Errorf("the lead accepts: %+v, %v", m, err)
	}

	// The cancellation: refused for someone outside the secretariat, then done, then refused.
	_, err = c.Cancel(ctx, inst, workflows.Cancellation{Action: act(managerH01), Reason: "Lukket"})
	refused(t, "a cancellation by the manager", err, workflows.UpdateCancelCycle, "only the secretariat cancels cycles")
	done, err := c.Cancel(ctx, inst, workflows.Cancellation{Action: act(secretariatH), Reason: "Lukket"})
	if err != nil || !done.Cancelled {
		t.Fatalf("cancel: %+v, %v", done, err)
	}
	waitStatus(ctx, t, c, inst, "the cancelled cycle", func(st cycles.Status) bool { return st.Cycle.Cancelled && st.Cycle.ActiveWorkflowID == "" })
	_, err = c.Cancel(ctx, inst, workflows.Cancellation{Action: act(secretariatH), Reason: "Lukket"})
	refused(t, "a second cancellation", err, workflows.UpdateCancelCycle, "already cancelled")
	_, err = c.RecordVisit(ctx, inst, workflows.VisitRecord{Action: act(invitation.HolderID)})
	refused(t, "an action on a cancelled cycle", err, workflows.UpdateRecordVisit, "was cancelled")
	if !errors.Is(err, cycles.ErrCancelled) {
		t.Errorf("%v does not wrap ErrCancelled", err)
	}

	// A cancelled cycle can be started again.
	if _, err := c.Start(ctx, cycles.StartRequest{InstitutionID: inst, StartDate: domain.DateOf(time.Now()), Actor: secretariatH}); err != nil {
		t.Errorf("start after the cancellation: %v", err)
	}

	// Without a worker on the task queue nothing answers: a failure, not a refusal.
	lost := cycles.New(s.Client, cycles.Options{TaskQueue: "nobody-polls-this", QueryTimeout: time.Second})
	if _, err := lost.Start(ctx, cycles.StartRequest{InstitutionID: "H-02", StartDate: domain.DateOf(time.Now()), Actor: secretariatH}); err != nil {
		t.Fatalf("start on an idle task queue: %v", err)
	}
	_, err = lost.Status(ctx, "H-02")
	if err == nil || cycles.IsRefused(err) || !strings.Contains(err.Error(), "nobody-polls-this") {
		t.Errorf("status without a worker: %v, want a failure naming the task queue", err)
	}
}
