package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestLargeDocumentsNeverBreakAStage runs on the embedded server, where Temporal's payload
// limits hold: a self-evaluation with a 1.1 MB note is refused by the validator with its
// size and the limit (before, it was accepted and the stage failed on every workflow task
// for good); one with every text at its limit, in the characters that cost most as JSON, is
// accepted, stored whole in the domain store, and the stage goes on answering queries with
// the document's reference.
func TestLargeDocumentsNeverBreakAStage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const inst, manager = "H-02", "P-002"
	cfg := testConfig(t, t.TempDir())
	cfg.DayLength = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := startService(t, cfg)
	defer s.Stop()
	fixture.ExampleRegistry(t, s.Store)
	startCycle(ctx, t, s, cfg, inst)
	stage := workflows.CycleWorkflowID(inst) // the cycle runs its self-evaluations itself
	waitFor(ctx, t, "the self-evaluation step", func() []workflows.StepRecord {
		var st workflows.StageStatus
		if v, err := s.Client.QueryWorkflow(ctx, stage, "", workflows.QueryStageStatus); err != nil || v.Get(&st) != nil {
			return nil
		}
		return st.Steps
	})
	submit := func(sub workflows.SelfEvaluationSubmission) (workflows.StepRecord, error) {
		h, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: stage,
			UpdateName: workflows.UpdateSubmitSelfEvaluation, Args: []any{sub}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return workflows.StepRecord{}, err
		}
		var rec workflows.StepRecord
		return rec, h.Get(ctx, &rec)
	}

	big := fixture.SelfEvaluation(manager)
	big.Notes["2.1"] = strings.Repeat("Arbejdsmiljø. ", 1_100_000/14) + "......"
	if _, err := submit(big); err == nil || !strings.Contains(err.Error(), "the note on standard 2.1 is 1,100,000 characters long; the limit is 10,000") {
		t.Fatalf("a 1.1 MB note: %v, want a refusal with its length and the limit", err)
	}

	full := fixture.SelfEvaluation(manager)
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		full.Notes[st.Code] = strings.Repeat("æ<", domain.MaxNoteLength/2)
		for _, ind := range st.Indicators {
			full.Indicators[ind.Code] = strings.Repeat("ø&", domain.MaxIndicatorValueLength/2)
		}
	}
	rec, err := submit(full)
	if err != nil {
		t.Fatalf("a self-evaluation with every text at its limit: %v", err)
	}
	if rec.Status != workflows.StepDone {
		t.Errorf("the step is %s after the submission, want done", rec.Status)
	}
	// The cycle still answers, and carries the document's reference, not the document.
	docs := waitFor(ctx, t, "the submitted step in the cycle's status", func() []workflows.DocumentRef {
		var st workflows.CycleStatus
		if v, err := s.Client.QueryWorkflow(ctx, stage, "", workflows.QueryStatus); err != nil || v.Get(&st) != nil {
			return nil
		}
		for _, r := range st.Steps {
			if r.Key == workflows.StepSelfEvaluation {
				return r.Documents
			}
		}
		return nil
	})
	if len(docs) != 1 || docs[0].Kind != "self-evaluation" || len(docs[0].SHA256) != 64 || docs[0].Bytes < 6*domain.MaxNoteLength {
		t.Fatalf("documents of the step = %+v, want the stored self-evaluation's reference", docs)
	}
	var note string
	if err := s.Store.DB().GetContext(ctx, &note, `SELECT r.note FROM self_evaluation_ratings r
		JOIN submissions s ON s.id = r.submission_id WHERE s.id = ? AND r.standard = '2.1'`, docs[0].ID); err != nil {
		t.Fatal(err)
	}
	if note != full.Notes["2.1"] {
		t.Errorf("the stored note is %d characters, want the %d written", len([]rune(note)), domain.MaxNoteLength)
	}
}
