package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestResetStageWritesNothingTwice resets a cycle that runs its self-evaluation to its first
// workflow task, after the stage had opened its step, told the manager, reminded and escalated: the new run
// does all of that again, under the same keys, so the store holds each row, message and
// audit entry once; then the manager submits and the cycle goes on, with nothing lost.
func TestResetStageWritesNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const inst, manager = "S-01", "P-009"
	cfg := testConfig(t, t.TempDir())
	cfg.DayLength = 300 * time.Millisecond
	cfg.Cycle.SelfEvaluationDue = domain.Period{Days: 10}
	cfg.Cycle.SelfEvaluationInterval = domain.Period{Weeks: 2}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := startService(t, cfg)
	defer s.Stop()
	fixture.ExampleRegistry(t, s.Store)
	if got := managerOf(ctx, t, s.Store, inst); got != manager {
		t.Fatalf("the example manager of %s is %s, want %s", inst, got, manager)
	}
	startCycle(ctx, t, s, cfg, inst)
	stage := workflows.CycleWorkflowID(inst) // the cycle runs its self-evaluations itself

	// Wait for the escalation at the due date: by then the stage has opened its step, told
	// the manager and reminded them.
	waitFor(ctx, t, "the escalation of the self-evaluation", func() []store.OutboxMessage {
		var out []store.OutboxMessage
		for _, m := range messages(ctx, t, s.Store, inst, manager) {
			if m.Kind == "escalation" {
				out = append(out, m)
			}
		}
		return out
	})
	before := messages(ctx, t, s.Store, inst, manager)

	// Reset the cycle to its first workflow task.
	desc, err := s.Client.DescribeWorkflowExecution(ctx, stage, "")
	if err != nil {
		t.Fatal(err)
	}
	runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	var firstTask int64
	iter := s.Client.GetWorkflowHistory(ctx, stage, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() && firstTask == 0 {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			firstTask = ev.GetEventId()
		}
	}
	reset, err := s.Client.WorkflowService().ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 cfg.Namespace(),
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: stage, RunId: runID},
		Reason:                    "test: a reset must write nothing twice",
		WorkflowTaskFinishEventId: firstTask,
		RequestId:                 uuid.NewString(),
	})
	if err != nil {
		t.Fatalf("reset %s to event %d: %v", stage, firstTask, err)
	}
	if reset.GetRunId() == runID {
		t.Fatal("the reset did not start a new run")
	}
	// Let the new run catch up, then submit through it.
	time.Sleep(2 * time.Second)
	h, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: stage, UpdateName: workflows.UpdateSubmitSelfEvaluation,
		Args: []any{fixture.SelfEvaluation(manager)}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		t.Fatal(err)
	}
	var rec workflows.StepRecord
	if err := h.Get(ctx, &rec); err != nil {
		t.Fatalf("submit after the reset: %v", err)
	}
	// The cycle goes on to the year-2 self-evaluation.
	waitFor(ctx, t, "the year-2 self-evaluation", func() []store.StepRow {
		var out []store.StepRow
		steps, err := s.Store.Steps(ctx, inst, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			if strings.Contains(st.ID, "/self-evaluation-2/") {
				out = append(out, st)
			}
		}
		return out
	})

	// Each alert of the year-1 step reached the manager once: the same kind, level and
	// date never under two keys.
	seen := map[string]string{}
	for _, m := range messages(ctx, t, s.Store, inst, manager) {
		if !strings.Contains(m.ID, "/self-evaluation-1/") {
			continue
		}
		parts := strings.Split(m.ID, "/")
		what := strings.Join(parts[len(parts)-4:], "/") // kind/level/date/person
		if other, dup := seen[what]; dup {
			t.Errorf("the manager was told %s twice: %s and %s", what, other, m.ID)
		}
		seen[what] = m.ID
	}
	for _, m := range before {
		if _, ok := seen[strings.Join(strings.Split(m.ID, "/")[len(strings.Split(m.ID, "/"))-4:], "/")]; !ok {
			t.Errorf("message %s from before the reset is gone", m.ID)
		}
	}
	// One row for the step, done; one submission; one audit entry per action.
	steps, err := s.Store.Steps(ctx, inst, 1)
	if err != nil {
		t.Fatal(err)
	}
	var year1 []store.StepRow
	for _, st := range steps {
		if strings.Contains(st.ID, "/self-evaluation-1/") {
			year1 = append(year1, st)
		}
	}
	if len(year1) != 1 || year1[0].Status != "done" {
		t.Errorf("read model of the year-1 step after the reset: %+v, want one row, done", year1)
	}
	subs, err := s.Store.Submissions(ctx, inst, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 {
		t.Errorf("%d submissions after the reset, want 1", len(subs))
	}
	trail, err := s.Store.AuditTrail(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range trail {
		actions[e.Action]++
	}
	if actions["start-cycle"] != 1 || actions["submit-self-evaluation"] != 1 {
		t.Errorf("audit trail after the reset: %v, want one start-cycle and one submit-self-evaluation", actions)
	}
}

// managerOf is the institution manager the registry names for an institution.
func managerOf(ctx context.Context, t *testing.T, st *store.Store, inst string) string {
	t.Helper()
	id, err := st.InstitutionManagerID(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
