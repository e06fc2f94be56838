package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/activities"
)

// TestActivityLogsNameTheirCycle runs an activity through the worker interceptor and finds
// the workflow, institution and step on a line it logs with its context, and the
// institution and step on the SDK's activity logger.
func TestActivityLogsNameTheirCycle(t *testing.T) {
	var out, sdkOut bytes.Buffer
	logger := slog.New(ContextHandler(slog.NewJSONHandler(&out, nil)))
	record := func(ctx context.Context, w activities.StepWrite) error {
		logger.WarnContext(ctx, "step written late", "revision", w.Revision)
		logger.Warn("no context, no fields")
		activity.GetLogger(ctx).Info("from the SDK's logger")
		return nil
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewJSONHandler(&sdkOut, nil))))
	env := suite.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{NewLogInterceptor()}})
	env.RegisterActivity(record)
	if _, err := env.ExecuteActivity(record, activities.StepWrite{InstitutionID: "H-01", Step: "report", Revision: 7}); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), out.String())
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first[KeyInstitution] != "H-01" || first[KeyStep] != "report" || first[KeyWorkflowID] == nil || first[KeyWorkflowID] == "" {
		t.Errorf("the line logged with the activity's context = %v; want workflow_id, institution H-01, step report", first)
	}
	if _, ok := second[KeyInstitution]; ok {
		t.Errorf("a line logged without the context carries fields: %v", second)
	}
	sdkLine := ""
	for _, l := range strings.Split(sdkOut.String(), "\n") {
		if strings.Contains(l, "from the SDK's logger") {
			sdkLine = l
		}
	}
	if !strings.Contains(sdkLine, `"institution":"H-01"`) || !strings.Contains(sdkLine, `"step":"report"`) {
		t.Errorf("the SDK's activity logger line = %q; want institution H-01 and step report", sdkLine)
	}
}

func TestParseWorkflowID(t *testing.T) {
	for id, want := range map[string][2]string{
		"cycle/H-01":                       {"H-01", ""},
		"cycle/H-01/2/self-evaluation-3":   {"H-01", "self-evaluation-3"},
		"cycle/N-07/1/external-evaluation": {"N-07", "external-evaluation"},
		"ping/0193":                        {"", ""},
		"catalogue/import":                 {"", ""},
		"cycle/S.12_a/10/publication":      {"S.12_a", "publication"},
	} {
		inst, stage := parseWorkflowID(id)
		if inst != want[0] || stage != want[1] {
			t.Errorf("parseWorkflowID(%q) = %q, %q; want %q, %q", id, inst, stage, want[0], want[1])
		}
	}
}

func TestFromArgs(t *testing.T) {
	n := activities.Notification{InstitutionID: "H-02", Step: "invitation/lead/1"}
	for _, tc := range []struct {
		args       []any
		inst, step string
	}{
		{[]any{n}, "H-02", "invitation/lead/1"},
		{[]any{&n}, "H-02", "invitation/lead/1"},
		{[]any{"2027-01-04", activities.CycleWrite{InstitutionID: "H-03"}}, "H-03", ""},
		{[]any{42, "x"}, "", ""},
		{nil, "", ""},
		{[]any{(*activities.Notification)(nil)}, "", ""},
	} {
		inst, step := fromArgs(tc.args)
		if inst != tc.inst || step != tc.step {
			t.Errorf("fromArgs(%v) = %q, %q; want %q, %q", tc.args, inst, step, tc.inst, tc.step)
		}
	}
}
