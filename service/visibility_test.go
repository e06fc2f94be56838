package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestDocumentedVisibilityQueries runs the README's Temporal queries through the visibility
// API of the embedded server: a query for a step finds the workflow that holds it (the cycle
// itself for a self-evaluation, which it runs from release v12 on), every workflow of a cycle
// carries its institution, region and number, and an overdue step is found by its due date.
func TestDocumentedVisibilityQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	cfg := testConfig(t, t.TempDir())
	cfg.DayLength = 300 * time.Millisecond
	cfg.Cycle.SelfEvaluationDue = domain.Period{Days: 3}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := startService(t, cfg)
	defer s.Stop()
	fixture.ExampleRegistry(t, s.Store)
	for _, inst := range []string{"H-01", "H-02", "N-01"} {
		startCycle(ctx, t, s, cfg, inst)
	}
	stage := workflows.CycleWorkflowID // the cycle runs its self-evaluations itself
	// N-01's self-evaluation falls due three days (moved to a working day) after it opens;
	// wait until a day after that, on the cycle's own clock.
	opened := waitFor(ctx, t, "N-01's self-evaluation", func() []workflows.StageStatus {
		var st workflows.StageStatus
		if v, err := s.Client.QueryWorkflow(ctx, stage("N-01"), "", workflows.QueryStageStatus); err != nil || v.Get(&st) != nil || len(st.Steps) == 0 {
			return nil
		}
		return []workflows.StageStatus{st}
	})[0]
	dueAt := opened.Clock.TimeOf(opened.Steps[0].Due)
	time.Sleep(time.Until(dueAt.Add(2 * cfg.DayLength)))
	overdueBefore := dueAt.Add(cfg.DayLength).UTC().Format(time.RFC3339Nano)

	for _, q := range []struct {
		query string
		want  []string
	}{
		{`Region = "hovedstaden" AND Step = "self-evaluation"`, []string{stage("H-01"), stage("H-02")}},
		{`InstitutionID = "H-01" AND ExecutionStatus = "Running"`, []string{workflows.CycleWorkflowID("H-01")}},
		{`StepHolder = "P-001"`, []string{stage("H-01")}},
		{fmt.Sprintf(`StepDueAt < %q AND Region = "nordjylland"`, overdueBefore), []string{stage("N-01")}},
		{`CycleNumber = 1 AND WorkflowType = "AccreditationCycle" AND Region = "hovedstaden"`,
			[]string{workflows.CycleWorkflowID("H-01"), workflows.CycleWorkflowID("H-02")}},
	} {
		// Visibility follows the workflows within moments; give each query ten seconds.
		var got []string
		for deadline := time.Now().Add(10 * time.Second); ; {
			got = list(ctx, t, s.Client, q.query)
			if slices.Equal(got, q.want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !slices.Equal(got, q.want) {
			t.Errorf("temporal workflow list --query '%s'\n got %v\nwant %v", q.query, got, q.want)
		}
	}
}

// list runs a visibility query and returns the workflow IDs it finds, sorted.
func list(ctx context.Context, t *testing.T, c client.Client, query string) []string {
	t.Helper()
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	var ids []string
	for _, e := range resp.GetExecutions() {
		ids = append(ids, e.GetExecution().GetWorkflowId())
	}
	slices.SortFunc(ids, strings.Compare)
	return ids
}
