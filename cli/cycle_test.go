package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// No Temporal runs in these tests: every case must be decided before the starter dials.
// The address points at a closed port, so a command that dials by mistake fails with exit 1.

func testEnviron(t *testing.T, extra ...string) []string {
	t.Helper()
	return append([]string{
		"ACCREDIT_DATA_DIR=" + t.TempDir(),
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:1",
	}, extra...)
}

func runStarter(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, args, &stdout, &stderr, environ)
	return code, stdout.String(), stderr.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertRejected checks exit code 2 and a one-line error that contains every want.
func assertRejected(t *testing.T, code int, stdout, stderr string, want ...string) {
	t.Helper()
	if code != ExitRejected {
		t.Fatalf("exit code %d, want %d (rejected); stderr: %s", code, ExitRejected, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty, got %q", stdout)
	}
	if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("want one line starting with \"error: \", got %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not contain %q", stderr, w)
		}
	}
}

func TestActionsRejectedBeforeDialling(t *testing.T) {
	good := writeFile(t, "good.json", `{"ratings": {"1.1": 1, "2.1": 2, "3.1": 2, "4.1": 1, "5.1": 3, "6.1": 2}}`)
	badSyntax := writeFile(t, "bad.json", "{\n  \"ratings\": {\"1.1\": 1,}\n}")
	unknownField := writeFile(t, "unknown.json", `{"ratings": {"1.1": 1}, "rating": {"2.1": 2}}`)
	wrongType := writeFile(t, "type.json", `{"ratings": {"1.1": "to"}}`)
	empty := writeFile(t, "empty.json", "  \n")
	trailing := writeFile(t, "trailing.json", `{"ratings": {"1.1": 1}} {"ratings": {}}`)
	reportUnknown := writeFile(t, "report2.json", `{"assessments": [{"standard": "1.1", "met": true, "assessment": "ok", "score": 3}], "summary": "s", "verdict": 2}`)
	missing := filepath.Join(t.TempDir(), "missing.json")

	cases := []struct {
		name  string
		extra []string
		args  []string
		want  []string
	}{
		{"missing --as", nil, []string{"selfeval", "submit", "H-01", "--file", good}, []string{"say who is acting", "--as PERSON-ID", "ACCREDIT_ACTOR"}},
		{"missing --as on cycle start", nil, []string{"cycle", "start", "--institution", "H-01"}, []string{"say who is acting"}},
		{"missing --as on cancel", nil, []string{"cycle", "cancel", "H-01", "--reason", "lukket"}, []string{"say who is acting"}},
		{"actor from environment, then missing file", []string{"ACCREDIT_ACTOR=P-001"}, []string{"selfeval", "submit", "H-01", "--file", missing}, []string{"cannot read", "missing.json", "no such file"}},
		{"no --file", nil, []string{"selfeval", "submit", "H-01", "--as", "P-001"}, []string{"--file is required"}},
		{"bad JSON", nil, []string{"selfeval", "submit", "H-01", "--file", badSyntax, "--as", "P-001"}, []string{"bad.json", "invalid JSON at byte", "line 2"}},
		{"unknown field", nil, []string{"selfeval", "submit", "H-01", "--file", unknownField, "--as", "P-001"}, []string{"unknown.json", `unknown field "rating"`, "at byte", `"ratings", "indicators", "notes" and "participants"`}},
		{"wrong type", nil, []string{"selfeval", "submit", "H-01", "--file", wrongType, "--as", "P-001"}, []string{"type.json", "must be a whole number", "at byte"}},
		{"empty file", nil, []string{"selfeval", "submit", "H-01", "--file", empty, "--as", "P-001"}, []string{"empty.json is empty"}},
		{"two objects", nil, []string{"selfeval", "submit", "H-01", "--file", trailing, "--as", "P-001"}, []string{"unexpected data after the JSON object"}},
		{"bad start date", nil, []string{"cycle", "start", "--institution", "H-01", "--start", "2027-02-30", "--as", "P-131"}, []string{"--start", "February 2027 has 28 days"}},
		{"badly written date", nil, []string{"visit", "set", "H-01", "--date", "18/05/2027", "--as", "P-088"}, []string{"--date", "YYYY-MM-DD"}},
		{"bad extension date", nil, []string{"deadline", "extend", "H-01", "--step", "report", "--to", "2027-13-01", "--reason", "syg", "--as", "P-131"}, []string{"--to", "no month 13"}},
		{"uphold and verdict", nil, []string{"decide", "H-01", "--uphold", "--verdict", "2", "--reason", "x", "--as", "P-131"}, []string{"exactly one of --uphold or --verdict"}},
		{"verdict 0", nil, []string{"decide", "H-01", "--verdict", "0", "--reason", "x", "--as", "P-131"}, []string{"--verdict 0 is no verdict", "--uphold"}},
		{"neither uphold nor verdict", nil, []string{"decide", "H-01", "--reason", "x", "--as", "P-131"}, []string{"exactly one of --uphold or --verdict"}},
		{"report unknown field", nil, []string{"report", "submit", "H-01", "--file", reportUnknown, "--as", "P-088"}, []string{`unknown field "score"`}},
		{"unknown region on start", nil, []string{"cycle", "start", "--region", "jylland", "--as", "P-131"}, []string{`unknown region "jylland"`}},
		{"unknown region on steps", nil, []string{"steps", "list", "--region", "jylland"}, []string{`unknown region "jylland"`}},
		{"two selections", nil, []string{"cycle", "start", "--institution", "H-01", "--all", "--as", "P-131"}, []string{"exactly one of --institution ID, --region REGION or --all"}},
		{"institution not in registry", nil, []string{"cycle", "start", "--institution", "H-99", "--as", "P-131"}, []string{"institution H-99 is not in the registry", "starter institutions import"}},
		{"empty registry", nil, []string{"cycle", "start", "--all", "--as", "P-131"}, []string{"the registry has no institutions"}},
		{"wait for nothing", nil, []string{"cycle", "wait", "H-01"}, []string{"exactly one of --step KEY or --next-cycle"}},
		{"action plan twice", nil, []string{"actionplan", "submit", "H-01", "--file", good, "--text", "plan", "--as", "P-001"}, []string{"exactly one of --file PLAN.txt or --text TEXT"}},
		{"waive without step", nil, []string{"step", "waive", "H-01", "--reason", "x", "--as", "P-131"}, []string{"--step is required"}},
		{"template for a date before the catalogue", nil, []string{"selfeval", "template", "H-01", "--date", "2001-01-01"}, []string{"no standards catalogue is in force on 2001-01-01"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runStarter(t, testEnviron(t, tc.extra...), tc.args...)
			assertRejected(t, code, stdout, stderr, tc.want...)
		})
	}
}

func TestSelfEvalTemplate(t *testing.T) {
	code, stdout, stderr := runStarter(t, importedExamples(t), "selfeval", "template", "H-01", "--date", "2027-03-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var tpl selfEvaluationFile
	if err := dec.Decode(&tpl); err != nil {
		t.Fatalf("template is not a self-evaluation file: %v\n%s", err, stdout)
	}
	want := []string{"1.1", "2.1", "3.1", "4.1", "5.1", "6.1"}
	if len(tpl.Ratings) != len(want) || len(tpl.Notes) != len(want) {
		t.Fatalf("want the six standards, got ratings %v notes %v", tpl.Ratings, tpl.Notes)
	}
	for _, code := range want {
		if r, ok := tpl.Ratings[code]; !ok || r == nil || *r != 0 {
			t.Errorf("standard %s: rating %v (present %t), want 0", code, r, ok)
		}
		if _, ok := tpl.Notes[code]; !ok {
			t.Errorf("standard %s has no note", code)
		}
		if _, ok := tpl.Indicators[code+".1"]; !ok {
			t.Errorf("indicator %s.1 is missing", code)
		}
		if !strings.Contains(stderr, code+" ") {
			t.Errorf("the legend on stderr does not explain standard %s", code)
		}
	}
	if tpl.Participants == nil {
		t.Error("participants should be an empty list, not null")
	}
	for code, v := range tpl.Indicators {
		if v != "" {
			t.Errorf("indicator %s = %q, want empty", code, v)
		}
	}

	// The filled-in example is a valid file for the same reader.
	var example selfEvaluationFile
	if err := readJSONFile(filepath.Join("..", "examples", "selfevaluation.json"), &example, selfEvaluationFields); err != nil {
		t.Fatalf("examples/selfevaluation.json: %v", err)
	}
	for code := range tpl.Ratings {
		if r := example.Ratings[code]; r == nil || !r.Valid() {
			t.Errorf("examples/selfevaluation.json does not rate standard %s", code)
		}
	}
	for code := range tpl.Indicators {
		if example.Indicators[code] == "" {
			t.Errorf("examples/selfevaluation.json has no value for indicator %s", code)
		}
	}
}

func TestExampleReportsAreReadable(t *testing.T) {
	for _, name := range []string{"report.json", "report-verdict1.json"} {
		var rf reportFile
		if err := readJSONFile(filepath.Join("..", "examples", name), &rf, reportFields); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rf.Assessments) != 6 || !rf.Verdict.Valid() {
			t.Errorf("%s: %d assessments, verdict %d", name, len(rf.Assessments), rf.Verdict)
		}
	}
}

func TestStepsListEmptyStore(t *testing.T) {
	environ := testEnviron(t)
	code, stdout, stderr := runStarter(t, environ, "steps", "list", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != "[]" {
		t.Errorf("want [], got %q", stdout)
	}
	code, stdout, stderr = runStarter(t, environ, "steps", "list", "--overdue", "--region", "Region Sjælland")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "(0 open steps, 0 overdue)") {
		t.Errorf("want the count line, got %q", stdout)
	}
	code, stdout, stderr = runStarter(t, environ, "outbox", "list", "--json")
	if code != ExitOK || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("outbox list --json: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestMatchesStep(t *testing.T) {
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"invitation/lead/1", "invitation", true},
		{"invitation/lead/1", "invitation/lead", true},
		{"invitation/leadership/1", "invitation/lead", false},
		{"visit-date", "visit", false},
		{"visit", "visit", true},
	} {
		if got := matchesStep(tc.key, tc.want); got != tc.ok {
			t.Errorf("matchesStep(%q, %q) = %t, want %t", tc.key, tc.want, got, tc.ok)
		}
	}
}

func TestSelfEvalTemplateUsesTheStoresCatalogue(t *testing.T) {
	env := importedExamples(t)
	cfg, err := config.Load(config.Source{Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	gen := domain.FirstGeneration()
	gen.Number, gen.EffectiveFrom = 2, domain.NewDate(2028, 1, 1)
	gen.Name = domain.Text{DA: "Regionernes 2. generation", EN: "The regions' second generation"}
	extra := gen.Themes[0]
	extra.Code, extra.Slug, extra.Name = "7", "safety", domain.Text{DA: "Sikkerhed", EN: "Safety"}
	std := extra.Standards[0]
	std.Code, std.Theme = "7.1", "7"
	std.Indicators = []domain.Indicator{{Code: "7.1.1", Kind: domain.Structure,
		Text: domain.Text{DA: "Der er en sikkerhedsinstruks", EN: "There is a safety instruction"}},
		{Code: "7.1.2", Kind: domain.Process, Text: domain.Text{DA: "Instruksen gennemgås årligt", EN: "The instruction is reviewed yearly"}}}
	extra.Standards = []domain.Standard{std}
	gen.Themes = append(gen.Themes, extra)
	if _, err := st.ImportGeneration(context.Background(), gen, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, stdout, stderr := runStarter(t, env, "selfeval", "template", "H-01", "--date", "2028-03-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var tpl selfEvaluationFile
	if err := json.Unmarshal([]byte(stdout), &tpl); err != nil {
		t.Fatal(err)
	}
	if _, ok := tpl.Ratings["7.1"]; !ok || !strings.Contains(stderr, "generation 2") {
		t.Errorf("template on 2028-03-01 = %v\n%s\nwant generation 2 with standard 7.1", tpl.Ratings, stderr)
	}
	if _, ok := tpl.Indicators["7.1.1"]; !ok {
		t.Errorf("indicators %v lack 7.1.1", tpl.Indicators)
	}
}
