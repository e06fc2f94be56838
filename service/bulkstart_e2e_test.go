package service_test

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/cli"
)

// TestBulkStartWaitsUntilEveryCycleIsUnderWay starts a region's cycles a few at a time on the
// embedded server (issue 13, point 2): --json reports progress lines on stderr and every result
// on stdout, --wait-open returns once each cycle's first step is open, and running the same
// command again starts nothing twice.
func TestBulkStartWaitsUntilEveryCycleIsUnderWay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	cfg := testConfig(t, t.TempDir())
	ctx, s, a := upWithExamples(t, cfg)

	code, out, errOut := a.run(ctx, "cycle", "start", "--region", "hovedstaden", "--as", secretariatH, "--json",
		"--concurrency", "3", "--in-flight", "2", "--wait-open")
	if code != cli.ExitOK {
		t.Fatalf("bulk start: exit %d: %s", code, errOut)
	}
	var results []struct {
		InstitutionID string `json:"institution_id"`
		Result        string `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("results: %v\n%s", err, out)
	}
	if len(results) < 4 {
		t.Fatalf("%d results, want every institution of the region: %s", len(results), out)
	}
	for _, r := range results {
		if r.Result != "started" {
			t.Errorf("%s: %s, want started", r.InstitutionID, r.Result)
		}
	}
	final := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(errOut))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("stderr line is not JSON: %q", sc.Text())
			continue
		}
		final[line["progress"].(string)] = line
	}
	for _, what := range []string{"starting cycles", "waiting for first steps"} {
		line := final[what]
		if line == nil || line["done"] != line["total"] || line["total"] != float64(len(results)) {
			t.Errorf("last %q progress line = %v, want done = total = %d", what, line, len(results))
		}
	}
	// Every cycle has opened its first step by the time the command returns.
	for _, r := range results {
		if _, stage, err := a.status(ctx, r.InstitutionID); err != nil || stage == nil || len(stage.Steps) == 0 {
			t.Errorf("%s has no open step after --wait-open (%v)", r.InstitutionID, err)
		}
	}
	// Started by the starter, a cycle and its first stage begin lean (release v11).
	checkLeanStart(ctx, t, s.Client, results[0].InstitutionID)
	// Again: nothing is started twice.
	out = a.mustRun(ctx, "cycle", "start", "--region", "hovedstaden", "--as", secretariatH)
	if strings.Contains(out, ": started") || !strings.Contains(out, "already running") {
		t.Errorf("second bulk start:\n%s\nwant every cycle already running", out)
	}
}
