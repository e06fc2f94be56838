package cycles_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// scriptedQueries is a Temporal client that answers status queries from a script, one answer
// per call and workflow: it replays the instants between two queries that a live server
// makes too short to hit on purpose.
type scriptedQueries struct {
	client.Client // any other call panics: Status makes none

	mu      sync.Mutex
	answers map[string][]any // workflow ID → answers in turn; an error is returned as is
}

func (s *scriptedQueries) QueryWorkflow(_ context.Context, workflowID, _, _ string, _ ...any) (converter.EncodedValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.answers[workflowID]
	if len(queue) == 0 {
		return nil, serviceerror.NewNotFound("no scripted answer left for " + workflowID)
	}
	answer := queue[0]
	if len(queue) > 1 {
		s.answers[workflowID] = queue[1:]
	}
	if err, ok := answer.(error); ok {
		return nil, err
	}
	data, err := json.Marshal(answer)
	return jsonValue(data), err
}

type jsonValue []byte

func (v jsonValue) HasValue() bool    { return len(v) > 0 }
func (v jsonValue) Get(out any) error { return json.Unmarshal(v, out) }

func TestStatusAskedAsASelfEvaluationEndsShowsTheNextStage(t *testing.T) {
	const inst = "H-01"
	cycleID := workflows.CycleWorkflowID(inst)
	externalID := workflows.StageWorkflowID(inst, 1, workflows.StageExternalEvaluation, 0)
	selfEvaluating := workflows.CycleStatus{
		InstitutionID: inst, Number: 1, Stage: workflows.StageSelfEvaluation, ActiveWorkflowID: cycleID,
	}
	external := workflows.CycleStatus{
		InstitutionID: inst, Number: 1, Stage: workflows.StageExternalEvaluation, ActiveWorkflowID: externalID,
		Stages: []workflows.StageSummary{{Stage: workflows.StageSelfEvaluation}},
	}
	fake := &scriptedQueries{answers: map[string][]any{
		// The cycle answers its status, the self-evaluation ends, and the stage query finds
		// no handler; asked again, the cycle is in its external evaluation.
		cycleID: {selfEvaluating, serviceerror.NewQueryFailed("unknown queryType stage-status"), external},
		externalID: {workflows.StageStatus{
			Stage: workflows.StageExternalEvaluation, WorkflowID: externalID,
			Steps: []workflows.StepRecord{{Key: "team-accept", Stage: workflows.StageExternalEvaluation}},
		}},
	}}
	c := cycles.New(fake, cycles.Options{TaskQueue: "test"})

	got, err := c.Status(context.Background(), inst)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got.Cycle.Stage != workflows.StageExternalEvaluation || got.Stage == nil || got.Stage.WorkflowID != externalID {
		t.Fatalf("Status = cycle in %q, stage %+v, note %q; want the external evaluation read afresh",
			got.Cycle.Stage, got.Stage, got.Note)
	}
	if got.Note != "" {
		t.Errorf("note %q on a status read in full", got.Note)
	}
}

func TestStatusOfAStageThatRefusesItsQuerySaysSo(t *testing.T) {
	const inst = "H-02"
	externalID := workflows.StageWorkflowID(inst, 1, workflows.StageExternalEvaluation, 0)
	external := workflows.CycleStatus{
		InstitutionID: inst, Number: 1, Stage: workflows.StageExternalEvaluation, ActiveWorkflowID: externalID,
		Stages: []workflows.StageSummary{{Stage: workflows.StageSelfEvaluation}},
	}
	fake := &scriptedQueries{answers: map[string][]any{
		workflows.CycleWorkflowID(inst): {external},
		externalID:                      {serviceerror.NewQueryFailed("unknown queryType status")},
	}}
	c := cycles.New(fake, cycles.Options{TaskQueue: "test"})

	got, err := c.Status(context.Background(), inst)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got.Stage != nil || !strings.Contains(got.Note, "answers no status query") {
		t.Fatalf("Status = stage %+v, note %q; want the cycle alone and a note that the stage answers no status query",
			got.Stage, got.Note)
	}
}
