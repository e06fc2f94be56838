package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Closed institutions (issue 9, point 6), as far as no Temporal is needed: every case here is
// decided before the starter dials (the address is a closed port, see testEnviron).

// northClosedOn is the day the example file of closedNorth closes Region Nordjylland's
// institutions.
const northClosedOn = "2025-06-30"

// closedNorth imports the examples with every institution of Region Nordjylland (N-01 to
// N-08) closed: the first import creates them closed, so no cycle can run and no Temporal is
// asked.
func closedNorth(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "institutions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "N-") {
			lines[i] = l + northClosedOn
		}
	}
	path := writeFile(t, "institutions.csv", strings.Join(lines, "\n"))
	env := testEnviron(t)
	code, stdout, stderr := runStarter(t, env, "institutions", "import", path, "--as", nationalSecretariat)
	if code != ExitOK {
		t.Fatalf("institutions import: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "closed: N-01 closed on "+northClosedOn+" (closed_on in institutions.csv); it had no cycle") {
		t.Errorf("the import does not list N-01's closure:\n%s", stdout)
	}
	if code, _, stderr := runStarter(t, env, "people", "import", filepath.Join("..", "examples", "people.csv"), "--as", nationalSecretariat); code != ExitOK {
		t.Fatalf("people import: exit %d: %s", code, stderr)
	}
	return env
}

func TestStartingAClosedInstitutionIsRefused(t *testing.T) {
	env := closedNorth(t)
	code, stdout, stderr := runStarter(t, env, "cycle", "start", "--institution", "N-01", "--as", "P-135")
	assertRejected(t, code, stdout, stderr, "N-01", "was closed on "+northClosedOn+" by "+nationalSecretariat+" (closed_on in institutions.csv)",
		"a closed institution gets no new cycle", "starter institutions reopen N-01")
}

func TestBulkStartSkipsClosedInstitutions(t *testing.T) {
	env := closedNorth(t)
	code, stdout, stderr := runStarter(t, env, "cycle", "start", "--region", "nordjylland", "--as", "P-135")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for i := 1; i <= 8; i++ {
		want := "N-0" + string(rune('0'+i)) + ": skipped: closed on " + northClosedOn + ": closed_on in institutions.csv\n"
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.HasSuffix(stdout, "(0 started, 8 skipped because closed (N-01, N-02, N-03, N-04, N-05, N-06, N-07, N-08))\n") {
		t.Errorf("no summary with the skipped count:\n%s", stdout)
	}

	code, stdout, stderr = runStarter(t, env, "cycle", "start", "--region", "nordjylland", "--as", "P-135", "--json")
	if code != ExitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(stdout), &results); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	if len(results) != 8 {
		t.Fatalf("%d results, want 8:\n%s", len(results), stdout)
	}
	want := map[string]any{"institution_id": "N-01", "workflow_id": "cycle/N-01", "result": "skipped",
		"reason": "closed on " + northClosedOn + ": closed_on in institutions.csv", "closed_on": northClosedOn}
	for k, v := range want {
		if results[0][k] != v {
			t.Errorf("--json: %s = %v, want %v (%v)", k, results[0][k], v, results[0])
		}
	}
}

func TestInstitutionsListShowsClosed(t *testing.T) {
	env := closedNorth(t)
	code, stdout, stderr := runStarter(t, env, "institutions", "list", "--region", "nordjylland")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(stdout, "closed "+northClosedOn) != 8 || !strings.Contains(stdout, "(8 institutions, 8 of them closed)") {
		t.Errorf("list:\n%s", stdout)
	}
	code, stdout, stderr = runStarter(t, env, "institutions", "list", "--json")
	if code != ExitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr)
	}
	var rows []store.Institution
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, in := range rows {
		if in.Closed() {
			closed++
			if in.ClosedOn.String() != northClosedOn || in.ClosedBy != nationalSecretariat || in.ClosedReason != "closed_on in institutions.csv" {
				t.Errorf("%s: %+v", in.ID, in)
			}
		}
	}
	if closed != 8 || !strings.Contains(stdout, `"closed_on": "`+northClosedOn+`"`) {
		t.Errorf("%d closed institutions in --json, want 8", closed)
	}
}

func TestInstitutionsCloseRefusals(t *testing.T) {
	env := closedNorth(t)
	tomorrow := domain.DateOf(time.Now()).AddDays(1).String()
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no --on", []string{"H-01", "--reason", "x", "--as", "P-131"}, []string{"--on is required"}},
		{"badly written day", []string{"H-01", "--on", "01-03-2026", "--reason", "x", "--as", "P-131"}, []string{"--on", "YYYY-MM-DD"}},
		{"in the future", []string{"H-01", "--on", tomorrow, "--reason", "x", "--as", "P-131"}, []string{"--on " + tomorrow + " is in the future", "starter cycle cancel"}},
		{"no reason", []string{"H-01", "--on", "2026-01-01", "--as", "P-131"}, []string{"--reason is required"}},
		{"no actor", []string{"H-01", "--on", "2026-01-01", "--reason", "x"}, []string{"say who is acting"}},
		{"unknown institution", []string{"H-99", "--on", "2026-01-01", "--reason", "x", "--as", "P-131"}, []string{"institution H-99 is not in the registry"}},
		{"the manager", []string{"H-01", "--on", "2026-01-01", "--reason", "x", "--as", "P-001"}, []string{"P-001 (Simon Bruun) is an institution-manager, not secretariat: only the secretariat may close institutions"}},
		{"another region", []string{"H-01", "--on", "2026-01-01", "--reason", "x", "--as", "P-135"}, []string{"secretariat of Region Nordjylland", "not in Region Hovedstaden"}},
		{"closed on another day", []string{"N-01", "--on", "2025-07-01", "--reason", "x", "--as", "P-135"}, []string{"N-01 was already closed on " + northClosedOn, "not on 2025-07-01", "starter institutions reopen N-01"}},
		{"reason too long", []string{"H-01", "--on", "2026-01-01", "--reason", strings.Repeat("x", domain.MaxReasonLength), "--as", "P-131"}, []string{"--reason is 2,000 characters long; the limit is 1,966"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runStarter(t, env, append([]string{"institutions", "close"}, c.args...)...)
			assertRejected(t, code, stdout, stderr, c.want...)
		})
	}

	// Temporal first: when it cannot be reached, nothing is recorded.
	code, _, stderr := runStarter(t, env, "institutions", "close", "H-01", "--on", "2026-01-01", "--reason", "x", "--as", "P-131")
	if code != ExitFailure || !strings.Contains(stderr, "could not reach Temporal") {
		t.Errorf("close without Temporal: exit %d, %q; want exit 1, Temporal not reached", code, stderr)
	}
	if _, stdout, _ := runStarter(t, env, "institutions", "list", "--region", "hovedstaden"); strings.Contains(stdout, "closed") {
		t.Errorf("H-01 was closed although Temporal could not be reached:\n%s", stdout)
	}
}

func TestInstitutionsReopen(t *testing.T) {
	env := closedNorth(t)
	code, stdout, stderr := runStarter(t, env, "institutions", "reopen", "H-01", "--reason", "x", "--as", "P-131")
	assertRejected(t, code, stdout, stderr, "H-01 Bo- og aktivitetstilbuddet Lindevang is not closed")
	code, stdout, stderr = runStarter(t, env, "institutions", "reopen", "H-99", "--reason", "x", "--as", "P-131")
	assertRejected(t, code, stdout, stderr, "institution H-99 is not in the registry")
	code, stdout, stderr = runStarter(t, env, "institutions", "reopen", "N-01", "--as", "P-135")
	assertRejected(t, code, stdout, stderr, "--reason is required")
	code, stdout, stderr = runStarter(t, env, "institutions", "reopen", "N-01", "--reason", "Lukket ved en fejl", "--as", "P-131")
	assertRejected(t, code, stdout, stderr, "secretariat of Region Hovedstaden", "not in Region Nordjylland")

	// An import never reopens: the examples as they are leave N-01 to N-08's closed_on empty.
	code, stdout, stderr = runStarter(t, env, "institutions", "import", filepath.Join("..", "examples", "institutions.csv"), "--as", "P-135")
	if code != ExitRejected || !strings.Contains(stderr, "column closed_on: closed_on is empty, but N-01 was closed on "+northClosedOn) ||
		!strings.Contains(stderr, "starter institutions reopen N-01") {
		t.Errorf("re-import of the open examples: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runStarter(t, env, "institutions", "reopen", "N-01", "--reason", "Lukket ved en fejl", "--as", "P-135")
	if code != ExitOK || !strings.Contains(stdout, "reopened by P-135: Lukket ved en fejl (it had been closed on "+northClosedOn) {
		t.Fatalf("reopen: exit %d, %q, %q", code, stdout, stderr)
	}
	if _, stdout, _ := runStarter(t, env, "institutions", "list", "--region", "nordjylland"); !strings.Contains(stdout, "(8 institutions, 7 of them closed)") {
		t.Errorf("after reopening N-01:\n%s", stdout)
	}
	_, stdout, _ = runStarter(t, env, "audit", "N-01", "--json")
	var trail []store.AuditEntry
	if err := json.Unmarshal([]byte(stdout), &trail); err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != store.AuditCloseInstitution || trail[1].Action != store.AuditReopenInstitution || trail[1].ActorID != "P-135" {
		t.Errorf("N-01's audit trail: %+v", trail)
	}
}
