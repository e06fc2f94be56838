package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

func TestCycleOnTime(t *testing.T) {
	h := newHarness(t)
	h.run()

	next := h.continuedAs()
	if next.Number != 2 || next.StartDate != domain.NewDate(2030, time.January, 4) {
		t.Errorf("next cycle = %d from %s, want 2 from 2030-01-04", next.Number, next.StartDate)
	}
	if len(next.PreviousTeam) < 4 {
		t.Errorf("previous team carried to cycle 2 = %v, want the four members at least", next.PreviousTeam)
	}
	if next.Clock == nil || next.Clock.AnchorDate != cycleStart {
		t.Errorf("cycle 2 must keep the clock anchored on %s, got %+v", cycleStart, next.Clock)
	}

	rows := h.steps()
	for _, r := range rows {
		if r.Status == "open" {
			t.Errorf("step %s still open at the end of the cycle", r.Step)
		}
		if r.Escalation != 0 {
			t.Errorf("step %s escalated to level %d in an on-time cycle", r.Step, r.Escalation)
		}
	}
	pubs, err := h.store.Publications(context.Background(), institution)
	if err != nil || len(pubs) != 1 || pubs[0].Verdict != 1 {
		t.Fatalf("publications = %+v, %v; want one with verdict 1", pubs, err)
	}
	c, err := h.store.Cycle(context.Background(), institution, 1)
	if err != nil || c.Status != "completed" || c.Verdict != 1 {
		t.Errorf("cycle read model = %+v, %v; want completed with verdict 1", c, err)
	}
	for _, msg := range h.outbox(manager) {
		if msg.Kind == "escalation" {
			t.Errorf("manager got an escalation in an on-time cycle: %s", msg.Subject)
		}
	}
	if len(h.rejections) != 0 {
		t.Errorf("an on-time cycle had rejected actions: %v", h.rejections)
	}
}

// TestCycleGivenALaterReleaseWaitsForANewerWorker: a cycle started for a release this worker
// does not know (a starter deployed before the workers) fails its workflow task, which the
// server retries until a newer worker takes it; it never runs on the older code.
func TestCycleGivenALaterReleaseWaitsForANewerWorker(t *testing.T) {
	h := newHarness(t)
	h.env.ExecuteWorkflow(workflows.CycleWorkflowName, workflows.CycleInput{InstitutionID: institution, Number: 1,
		StartDate: cycleStart, StartedBy: secretariat, Release: workflows.LatestRelease() + 1})
	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "deploy the newer worker") {
		t.Fatalf("workflow error = %v, want a panic that asks for the newer worker", err)
	}
}

// stagesSeen records, day by day, which workflow ran each stage of cycle 1.
func stagesSeen(h *harness) map[string]string {
	seen := map[string]string{}
	h.checks = append(h.checks, func(h *harness, today domain.Date) {
		if st, ok := h.cycleStatus(); ok && st.ActiveWorkflowID != "" && st.Number == 1 {
			seen[fmt.Sprintf("%s-%d", st.Stage, len(st.Stages))] = st.ActiveWorkflowID
		}
	})
	return seen
}

// From release v12 on the cycle runs its self-evaluations itself: the cycle is the active
// workflow while one runs, takes its actions, and refuses them between self-evaluations.
func TestCycleRunsItsSelfEvaluationsItself(t *testing.T) {
	h := newHarness(t)
	seen := stagesSeen(h)
	cycleID := workflows.CycleWorkflowID(institution)
	refused := false
	h.checks = append(h.checks, func(h *harness, today domain.Date) {
		st, ok := h.cycleStatus()
		if !ok || refused || st.Stage != workflows.StageExternalEvaluation {
			return
		}
		refused = true
		h.mustReject(cycleID, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(manager), "no self-evaluation of this cycle is open now")
		h.mustReject(cycleID, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepVisitDate, NewDue: today.AddDays(30), Reason: "sygdom"}, "no self-evaluation of this cycle is open now")
		if _, err := h.env.QueryWorkflowByID(cycleID, workflows.QueryStageStatus); err == nil ||
			!strings.Contains(err.Error(), "no self-evaluation of this cycle is open now") {
			t.Errorf("stage query between self-evaluations: %v, want a refusal", err)
		}
	})
	h.run()
	h.continuedAs()

	for year := 1; year <= 3; year++ {
		if got := seen[fmt.Sprintf("%s-%d", workflows.StageSelfEvaluation, year)]; got != cycleID {
			t.Errorf("self-evaluation %d ran in %q, want the cycle %s", year, got, cycleID)
		}
	}
	if got := seen[string(workflows.StageExternalEvaluation)+"-4"]; got != workflows.StageWorkflowID(institution, 1, workflows.StageExternalEvaluation, 0) {
		t.Errorf("the external evaluation ran in %q, want its child workflow", got)
	}
	if !refused {
		t.Fatal("the external evaluation was never seen")
	}
	if kinds := h.submissionKinds(); kinds["self-evaluation"] != 3 {
		t.Errorf("stored submissions %v, want 3 self-evaluations", kinds)
	}
}

// A cycle begun before release v12 keeps running its self-evaluations as child workflows,
// and its next cycle begins on the latest release.
func TestCycleBegunBeforeV12RunsSelfEvaluationsAsChildren(t *testing.T) {
	h := newHarness(t)
	h.release = workflows.LatestRelease() - 1
	seen := stagesSeen(h)
	h.run()
	next := h.continuedAs()

	for year := 1; year <= 3; year++ {
		want := workflows.StageWorkflowID(institution, 1, workflows.StageSelfEvaluation, year)
		if got := seen[fmt.Sprintf("%s-%d", workflows.StageSelfEvaluation, year)]; got != want {
			t.Errorf("self-evaluation %d ran in %q, want its child workflow %s", year, got, want)
		}
	}
	if next.Release != workflows.LatestRelease() {
		t.Errorf("the next cycle begins on release %d, want %d", next.Release, workflows.LatestRelease())
	}
	if len(h.rejections) != 0 {
		t.Errorf("rejected actions: %v", h.rejections)
	}
}
