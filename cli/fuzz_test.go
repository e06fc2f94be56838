package cli

// Fuzz targets of the files the starter hands to a workflow (issue 8, point 6): the
// self-evaluation and the report (JSON, `selfeval submit` and `report submit`) and the action
// plan (text, `actionplan submit`). Each target reads the bytes as the command does, carries
// the request through JSON as Temporal's data converter does, and runs the workflow's update
// validator on it, with no Temporal server. Every input must be refused with a one-line
// reason (a *RejectedError before the workflow, or the validator's error), or be accepted as
// a request that obeys the rules the validator promises.
//
// go test -run '^$' -fuzz '^FuzzSelfEvaluationFile$' -fuzztime 60s ./cli
// go test -run '^$' -fuzz '^FuzzReportFile$' -fuzztime 60s ./cli
// go test -run '^$' -fuzz '^FuzzActionPlanFile$' -fuzztime 60s ./cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

const fuzzActor = "P-001"

// fuzzSelfEvaluationYear is the year of the self-evaluation the validator is told of.
const fuzzSelfEvaluationYear = 2026

// fuzzSeeds returns the example file name (if any) and variants of JSON text that exercise
// the reader's refusals: a byte order mark, trailing data, wrong types, unknown fields, null,
// NUL and other escapes, invalid UTF-8, a very long text and deep nesting.
func fuzzSeeds(f *testing.F, examples ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, name := range examples {
		data, err := os.ReadFile(filepath.Join("..", "examples", name))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data, append([]byte("\ufeff"), data...), append(append([]byte(nil), data...), "\n{}"...))
	}
	long := strings.Repeat("æ", domain.MaxNameLength+1) // over a participant's limit; small inputs keep the fuzzer fast
	for _, s := range []string{
		"", "   \n", "{}", "[]", "null", "0", `"text"`, "{", `{"ratings": }`, "{} {}", "{}x", "\ufeff",
		`{"unknown": 1}`, `{"ratings": {"1.1": null}}`, `{"ratings": {"1.1": "1"}}`, `{"ratings": {"1.1": 1.5}}`,
		`{"ratings": {"1.1": 99999999999999999999}}`, `{"ratings": {"1.1": 1, "1.1": 2}}`, `{"RATINGS": {"1.1": 1}}`,
		`{"notes": {"1.1": "a\u0000b"}}`, `{"notes": {"1.1": "\ud800"}}`, "{\"notes\": {\"1.1\": \"Arbejdsmilj\xf8\"}}",
		`{"participants": ["` + long + `"]}`, strings.Repeat("[", 200) + strings.Repeat("]", 200),
		`{"assessments": [{"standard": "1.1"}]}`, `{"assessments": [{"standard": "1.1", "met": null}]}`,
		`{"assessments": [{"standard": "", "met": true, "assessment": "x"}], "summary": "s", "verdict": 1}`,
		`{"assessments": {}, "verdict": -1}`, `{"verdict": 4, "summary": "` + long + `"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// fuzzPath is the file the target writes each input to, one per fuzzing process.
func fuzzPath(f *testing.F, name string) string {
	return filepath.Join(f.TempDir(), name)
}

// viaTemporal is v as the workflow receives it: encoded and decoded as JSON, the way the
// SDK's default data converter carries an update's argument.
func viaTemporal[T any](t *testing.T, v T) T {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("the request does not encode: %v", err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("the request does not decode: %v\n%s", err, data)
	}
	return out
}

// checkRefusal checks a refusal before the workflow: a *RejectedError (the starter exits 2)
// with a message a person can read.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var rej *RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("refused with a %T, not a RejectedError: %v", err, err)
	}
	checkReason(t, err)
}

// checkReason checks that an error says something, as text: a validator's error travels in
// a Temporal failure, whose message must be UTF-8.
func checkReason(t *testing.T, err error) {
	t.Helper()
	if msg := err.Error(); strings.TrimSpace(msg) == "" || !utf8.ValidString(msg) {
		t.Fatalf("refusal %q is empty or not UTF-8", msg)
	}
}

// checkTexts fails when an accepted text would be refused by the limits.
func checkTexts(t *testing.T, what string, max int, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if err := domain.CheckText(what, s, max); err != nil {
			t.Fatalf("accepted %s: %v", what, err)
		}
	}
}

// readSelfEvaluation is what `selfeval submit` does with its --file before it sends the
// update.
func readSelfEvaluation(path string) (workflows.SelfEvaluationSubmission, error) {
	return readSelfEvaluationFile(path, fuzzActor)
}

// readReport is what `report submit` does with its --file before it sends the update.
func readReport(path string) (workflows.Report, error) {
	return readReportFile(path, fuzzActor)
}

func FuzzSelfEvaluationFile(f *testing.F) {
	for _, seed := range fuzzSeeds(f, "selfevaluation.json") {
		f.Add(seed)
	}
	gen := domain.FirstGeneration()
	path := fuzzPath(f, "selfevaluation.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		req, err := readSelfEvaluation(path)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		req = viaTemporal(t, req)
		if err := workflows.ValidateSelfEvaluation(gen, req, fuzzSelfEvaluationYear); err != nil {
			checkReason(t, err)
			return
		}
		// Accepted: every active standard rated on the scale, every indicator given a value,
		// nothing unknown, every text within its limit, and the same verdict once more.
		for _, st := range gen.ActiveStandards() {
			if r, ok := req.Ratings[st.Code]; !ok || !r.Valid() {
				t.Fatalf("accepted without a rating of %s on the scale: %v", st.Code, req.Ratings)
			}
			for _, ind := range st.Indicators {
				if strings.TrimSpace(req.Indicators[ind.Code]) == "" {
					t.Fatalf("accepted without a value of indicator %s", ind.Code)
				}
			}
		}
		for code := range req.Ratings {
			if _, ok := gen.Standard(code); !ok {
				t.Fatalf("accepted a rating of the unknown standard %q", code)
			}
		}
		for code, v := range req.Indicators {
			if !hasIndicator(gen, code) {
				t.Fatalf("accepted a value of the unknown indicator %q", code)
			}
			checkTexts(t, "indicator value", domain.MaxIndicatorValueLength, v)
		}
		for code, note := range req.Notes {
			if _, ok := gen.Standard(code); !ok {
				t.Fatalf("accepted a note on the unknown standard %q", code)
			}
			checkTexts(t, "note", domain.MaxNoteLength, note)
		}
		if len(req.Participants) > domain.MaxParticipants {
			t.Fatalf("accepted %d participants", len(req.Participants))
		}
		checkTexts(t, "participant", domain.MaxNameLength, req.Participants...)
		checkAgain(t, req, func(r workflows.SelfEvaluationSubmission) error {
			return workflows.ValidateSelfEvaluation(gen, r, fuzzSelfEvaluationYear)
		})
	})
}

func FuzzReportFile(f *testing.F) {
	for _, seed := range fuzzSeeds(f, "report.json", "report-verdict1.json") {
		f.Add(seed)
	}
	gen := domain.FirstGeneration()
	path := fuzzPath(f, "report.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		req, err := readReport(path)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		req = viaTemporal(t, req)
		if err := workflows.ValidateReport(gen, req); err != nil {
			checkReason(t, err)
			return
		}
		// Accepted: a verdict on the scale that agrees with the assessments, a summary, and
		// every active standard assessed exactly once, nothing else.
		if !req.Verdict.Valid() {
			t.Fatalf("accepted verdict %d", req.Verdict)
		}
		if strings.TrimSpace(req.Summary) == "" {
			t.Fatal("accepted without a summary")
		}
		checkTexts(t, "summary or suggestions", domain.MaxReportTextLength, req.Summary, req.Suggestions)
		assessed := map[string]int{}
		allMet := true
		for _, a := range req.Assessments {
			if _, ok := gen.Standard(a.Standard); !ok {
				t.Fatalf("accepted an assessment of the unknown standard %q", a.Standard)
			}
			if strings.TrimSpace(a.Assessment) == "" {
				t.Fatalf("accepted an empty assessment of %s", a.Standard)
			}
			checkTexts(t, "assessment", domain.MaxAssessmentLength, a.Assessment)
			assessed[a.Standard]++
			allMet = allMet && a.Met
		}
		for _, st := range gen.ActiveStandards() {
			if assessed[st.Code] != 1 {
				t.Fatalf("accepted with standard %s assessed %d times", st.Code, assessed[st.Code])
			}
		}
		if len(assessed) != len(req.Assessments) {
			t.Fatalf("accepted with a standard assessed twice: %v", assessed)
		}
		if allMet != (req.Verdict == domain.VerdictMeets) {
			t.Fatalf("accepted verdict %d with every standard met: %v", req.Verdict, allMet)
		}
		checkAgain(t, req, func(r workflows.Report) error { return workflows.ValidateReport(gen, r) })
	})
}

// FuzzActionPlanFile fuzzes the plan's text, read from --file as `actionplan submit` reads it
// (readPlanFile), and the areas, one --area flag per line.
func FuzzActionPlanFile(f *testing.F) {
	for _, seed := range []struct{ plan, areas string }{
		{"Kompetenceplan for alle medarbejdere inden 1. juni.\nOpfølgning på handleplanerne hver måned.\n", "5.1\n6.1"},
		{utf8BOM + "Handleplan\r\n", "1.1"},
		{"", ""}, {utf8BOM, ""}, {" \n\t", "5.1"}, {"plan", "5.1\n5.1"}, {"plan", "9.9\n \n"}, {"plan", "5.1 \n 6.1"},
		{"a\x00b", "5.1"}, {"a\x1b[2Jb", ""}, {"Arbejdsmilj\xf8", "2.1"}, {"plan", "\xff"},
	} {
		f.Add([]byte(seed.plan), seed.areas)
	}
	gen := domain.FirstGeneration()
	path := fuzzPath(f, "plan.txt")
	f.Fuzz(func(t *testing.T, data []byte, areas string) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		plan, err := readPlanFile(path)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		written := strings.TrimPrefix(string(data), utf8BOM)
		if plan != written {
			t.Fatalf("the plan is read as %q from a file that says %q", plan, written)
		}
		var clean []string
		for _, area := range strings.Split(areas, "\n") {
			if area = strings.TrimSpace(area); area != "" {
				clean = append(clean, area)
			}
		}
		req := viaTemporal(t, workflows.ActionPlan{Action: workflows.Action{Actor: fuzzActor}, Plan: plan, Areas: clean})
		if err := workflows.ValidateActionPlan(gen, req); err != nil {
			checkReason(t, err)
			return
		}
		// Accepted: the plan as written (not with U+FFFD for bytes that are not UTF-8), within
		// its limit, for standards of the catalogue, each named once.
		if strings.TrimSpace(req.Plan) == "" {
			t.Fatal("accepted an empty plan")
		}
		if req.Plan != plan {
			t.Fatalf("the plan changed on its way to the workflow: %q became %q", plan, req.Plan)
		}
		checkTexts(t, "action plan", domain.MaxStatementLength, req.Plan)
		seen := map[string]bool{}
		for _, area := range req.Areas {
			if _, ok := gen.Standard(area); !ok || seen[area] {
				t.Fatalf("accepted areas %q", req.Areas)
			}
			seen[area] = true
		}
		checkAgain(t, req, func(r workflows.ActionPlan) error { return workflows.ValidateActionPlan(gen, r) })
	})
}

// checkAgain checks that an accepted request is still the same, and still accepted, after it
// is carried once more: a workflow replaying its history sees the payload again.
func checkAgain[T any](t *testing.T, req T, validate func(T) error) {
	t.Helper()
	again := viaTemporal(t, req)
	if !reflect.DeepEqual(again, req) {
		t.Fatalf("the accepted request changes in transit:\n%+v\n%+v", req, again)
	}
	if err := validate(again); err != nil {
		t.Fatalf("the accepted request is refused the second time: %v", err)
	}
}

// hasIndicator reports whether code is an indicator of any standard of gen.
func hasIndicator(gen domain.Generation, code string) bool {
	for _, st := range gen.Standards() {
		if _, ok := st.Indicator(code); ok {
			return true
		}
	}
	return false
}
