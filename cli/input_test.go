package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// TestLargeFilesAreRefusedUnread is the reproduction of issue 7: a 10 MB JSON file reached
// Temporal and came back as a raw gRPC ResourceExhausted. A file over the limit is refused
// with its size and the limit; one under it whose submission is still too large is refused
// with the submission's size, before the starter dials.
func TestLargeFilesAreRefusedUnread(t *testing.T) {
	env := importedExamples(t)
	dir := t.TempDir()
	write := func(name string, size int) string {
		path := filepath.Join(dir, name)
		head := `{"ratings": {"1.1": 1}, "notes": {"1.1": "`
		body := head + strings.Repeat("x", size-len(head)-4) + `"}}` + "\n"
		if err := os.WriteFile(path, []byte(body[:size]), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tenMB := write("ten.json", 10<<20)
	code, stdout, stderr := runStarter(t, env, "selfeval", "submit", "H-01", "--file", tenMB, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "ten.json is 10 MiB (10,485,760 bytes)", "the limit for an input file is 4 MiB")

	over := write("over.json", domain.MaxInputFileBytes+1)
	code, stdout, stderr = runStarter(t, env, "report", "submit", "H-01", "--file", over, "--as", "P-088")
	assertRejected(t, code, stdout, stderr, "over.json is 4.0 MiB (4,194,305 bytes)", "the limit for an input file is 4 MiB")
	code, stdout, stderr = runStarter(t, env, "actionplan", "submit", "H-01", "--file", over, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "over.json is 4.0 MiB")

	// At the file limit the file is read; its submission is over the submission limit.
	atLimit := write("limit.json", domain.MaxInputFileBytes)
	code, stdout, stderr = runStarter(t, env, "selfeval", "submit", "H-01", "--file", atLimit, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "the submission is 4.0 MiB as JSON; the limit is 512 KiB")

	dirArg := t.TempDir()
	code, stdout, stderr = runStarter(t, env, "selfeval", "submit", "H-01", "--file", dirArg, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "it is a directory")
}

func TestJSONFilesMaySayTheyAreUTF8(t *testing.T) {
	withBOM := writeFile(t, "bom.json", "\ufeff"+`{"ratings": {"1.1": 2, "2.1": 1}, "participants": ["Ida"]}`)
	var se selfEvaluationFile
	if err := readJSONFile(withBOM, &se, selfEvaluationFields); err != nil {
		t.Fatalf("a file with a byte order mark: %v", err)
	}
	if r := se.Ratings["1.1"]; r == nil || *r != 2 || len(se.Participants) != 1 {
		t.Errorf("read %+v", se)
	}
	// Offsets in messages count from after the mark.
	bad := writeFile(t, "bad.json", "\ufeff{\n  \"ratings\": {\"1.1\": 1,}\n}")
	code, stdout, stderr := runStarter(t, testEnviron(t), "selfeval", "submit", "H-01", "--file", bad, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "invalid JSON at byte", "line 2")

	// A plan file that holds only the mark is an empty plan, which the validator refuses
	// (TestExitCodes).
	plan := writeFile(t, "plan.txt", "\ufeff")
	if got, err := readPlanFile(plan); err != nil || got != "" {
		t.Errorf("a plan file with only a byte order mark reads as %q, %v", got, err)
	}
}

func TestNullRatingIsNamedAsSuch(t *testing.T) {
	null := writeFile(t, "null.json", `{"ratings": {"1.1": null, "2.1": 2, "3.1": 0, "4.1": 7}}`)
	code, stdout, stderr := runStarter(t, testEnviron(t), "selfeval", "submit", "H-01", "--file", null, "--as", "P-001")
	// Ratings off the scale (0, 7) are the validator's to refuse, with the scale.
	assertRejected(t, code, stdout, stderr, "standard 1.1 has no rating (null)")
	if strings.Contains(stderr, "1.1 (0)") {
		t.Errorf("a null rating is reported as 0: %s", stderr)
	}
}

func TestAssessmentWithoutMetIsRefused(t *testing.T) {
	report := func(assessments string) string {
		return writeFile(t, "report.json", fmt.Sprintf(`{"assessments": [%s], "summary": "s", "verdict": 2}`, assessments))
	}
	for _, c := range []struct{ assessments, want string }{
		{`{"standard": "1.1", "met": true, "assessment": "ok"}, {"standard": "2.1", "assessment": "mangler"}`,
			`the assessment of standard 2.1 has no "met"`},
		{`{"standard": "1.1", "met": null, "assessment": "ok"}, {"standard": "2.1", "assessment": "x"}`,
			`the assessment of standard 1.1, standard 2.1 has no "met"`},
		{`{"met": true, "assessment": "ok"}, {"assessment": "x"}`, `the assessment of assessment 2 (no standard) has no "met"`},
	} {
		code, stdout, stderr := runStarter(t, testEnviron(t), "report", "submit", "H-01", "--file", report(c.assessments), "--as", "P-088")
		assertRejected(t, code, stdout, stderr, c.want, `write "met": true or "met": false`)
	}
	// "met": false is an answer, and is kept.
	rf := reportFile{}
	path := report(`{"standard": "1.1", "met": false, "assessment": "ikke opfyldt"}`)
	if err := readJSONFile(path, &rf, reportFields); err != nil {
		t.Fatal(err)
	}
	got, err := rf.assessments(path)
	if err != nil || len(got) != 1 || got[0].Met || got[0].Standard != "1.1" {
		t.Errorf("assessments = %+v, %v", got, err)
	}
}

// TestUnreachableTemporalIsExplained is the reproduction of issue 7: TEMPORAL_ADDRESS=nowhere:1
// said "no children to pick from".
func TestUnreachableTemporalIsExplained(t *testing.T) {
	code, _, stderr := runStarter(t, testEnviron(t, "TEMPORAL_ADDRESS=nowhere:1"), "ping")
	if code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	for _, want := range []string{"could not reach Temporal at nowhere:1 (from TEMPORAL_ADDRESS)", "correct TEMPORAL_ADDRESS"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("%q does not contain %q", stderr, want)
		}
	}
	if strings.Contains(stderr, "no children to pick from") {
		t.Errorf("gRPC's words leak through: %s", stderr)
	}
	code, _, stderr = runStarter(t, testEnviron(t), "ping")
	if code != ExitFailure || !strings.Contains(stderr, "could not reach Temporal at 127.0.0.1:1 (from ACCREDIT_EMBEDDED_TEMPORAL_ADDR): nothing listens there") ||
		!strings.Contains(stderr, "start the worker") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestUnknownInstitutionIsARefusal: every command that takes an institution ID refuses one
// that is not in the registry with exit code 2, before it dials.
func TestUnknownInstitutionIsARefusal(t *testing.T) {
	env := importedExamples(t)
	good := writeFile(t, "good.json", `{"ratings": {"1.1": 1, "2.1": 2, "3.1": 2, "4.1": 1, "5.1": 3, "6.1": 2}}`)
	for _, args := range [][]string{
		{"cycle", "status", "H-99"},
		{"cycle", "wait", "H-99", "--step", "report"},
		{"cycle", "cancel", "H-99", "--reason", "lukket", "--as", "P-131"},
		{"cycle", "start", "--institution", "H-99", "--as", "P-131"},
		{"selfeval", "template", "H-99"},
		{"selfeval", "submit", "H-99", "--file", good, "--as", "P-001"},
		{"assignment", "accept", "H-99", "--as", "P-088"},
		{"visit", "record", "H-99", "--as", "P-088"},
		{"report", "comment", "H-99", "--text", "x", "--as", "P-001"},
		{"step", "waive", "H-99", "--step", "hearing", "--reason", "x", "--as", "P-131"},
		{"steps", "list", "--institution", "H-99"},
		{"outbox", "list", "--institution", "H-99"},
		{"publications", "list", "--institution", "H-99"},
		{"audit", "H-99"},
		{"reviewers", "propose", "--institution", "H-99"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			code, stdout, stderr := runStarter(t, env, args...)
			assertRejected(t, code, stdout, stderr, "institution H-99 is not in the registry")
		})
	}
	// A known institution gets as far as Temporal.
	code, _, stderr := runStarter(t, env, "cycle", "status", "H-01")
	assertPassedTheChecks(t, code, stderr)
}

// TestTextThatIsNotUTF8IsRefused: a JSON file or a flag with bytes that are not UTF-8 is
// refused, instead of reaching the workflow with each bad byte turned into U+FFFD.
func TestTextThatIsNotUTF8IsRefused(t *testing.T) {
	latin1 := writeFile(t, "latin1.json", "{\"ratings\": {\"1.1\": 1}, \"notes\": {\"1.1\": \"Arbejdsmilj\xf8\"}}")
	code, stdout, stderr := runStarter(t, testEnviron(t), "selfeval", "submit", "H-01", "--file", latin1, "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "latin1.json is not UTF-8 text", "line 1")
	code, stdout, stderr = runStarter(t, testEnviron(t), "assignment", "decline", "H-01", "--reason", "ferie i K\xf8ge", "--as", "P-088")
	assertRejected(t, code, stdout, stderr, "--reason is not UTF-8 text")
}

// TestMissingDataDirectoryIsRefused: a starter pointed at a data directory that does not
// exist refuses, instead of creating an empty store the worker never reads.
func TestMissingDataDirectoryIsRefused(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	env := []string{"ACCREDIT_DATA_DIR=" + missing, "ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:1"}
	for _, args := range [][]string{
		{"institutions", "list"},
		{"steps", "list", "--overdue"},
		{"institutions", "import", "../examples/institutions.csv", "--as", "P-136"},
		{"cycle", "status", "H-01"},
	} {
		code, stdout, stderr := runStarter(t, env, args...)
		assertRejected(t, code, stdout, stderr, "the data directory "+missing+" does not exist")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the starter created %s: %v", missing, err)
	}
}
