package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

var (
	exampleInstitutions = filepath.Join("..", "examples", "institutions.csv")
	examplePeople       = filepath.Join("..", "examples", "people.csv")
)

// assertPassedTheChecks checks that a command got as far as dialling Temporal, which the tests'
// environment points at a closed port: every check before it let the command through.
func assertPassedTheChecks(t *testing.T, code int, stderr string) {
	t.Helper()
	if code != ExitFailure || !strings.Contains(stderr, "could not reach Temporal") {
		t.Errorf("want the command to pass its checks and fail to dial (exit 1), got exit %d: %s", code, stderr)
	}
}

// TestCycleStartChecksTheActor is the reproduction of issue 7: cycle start took a reviewer, an
// institution manager, an unknown ID and an SQL-looking string. Only the secretariat may
// start, a regional one only in its own region, and only the national one --all.
func TestCycleStartChecksTheActor(t *testing.T) {
	env := importedExamples(t)
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown person", []string{"--institution", "H-01", "--as", "P-999"},
			[]string{"P-999 is not in the registry", "only the secretariat may start cycles"}},
		{"SQL for a person", []string{"--institution", "H-01", "--as", "x'); DROP TABLE cycles; --"},
			[]string{"is not a person ID"}},
		{"reviewer", []string{"--institution", "H-01", "--as", "P-050"}, []string{"P-050 (", "is a reviewer, not secretariat"}},
		{"institution manager", []string{"--institution", "H-01", "--as", "P-001"},
			[]string{"P-001 (Simon Bruun) is an institution-manager, not secretariat"}},
		{"manager", []string{"--institution", "H-01", "--as", "P-137"}, []string{"P-137 (Susanne Høj) is a manager"}},
		{"actor from the environment", []string{"--institution", "H-01"}, []string{"P-050 (", "is a reviewer"}},
		{"another region's secretariat", []string{"--institution", "H-01", "--as", "P-132"},
			[]string{"P-132 (Helle Dam) is the secretariat of Region Sjælland", "not in Region Hovedstaden"}},
		{"another region's secretariat, a region", []string{"--region", "hovedstaden", "--as", "P-132"},
			[]string{"P-132 (Helle Dam) is the secretariat of Region Sjælland"}},
		{"a regional secretariat, every institution", []string{"--all", "--as", "P-131"},
			[]string{"only the national secretariat may start cycles for every institution", "--region hovedstaden"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := env
			if c.name == "actor from the environment" {
				e = append(append([]string{}, env...), "ACCREDIT_ACTOR=P-050")
			}
			code, stdout, stderr := runStarter(t, e, append([]string{"cycle", "start"}, c.args...)...)
			assertRejected(t, code, stdout, stderr, c.want...)
		})
	}
	for _, args := range [][]string{
		{"--institution", "H-01", "--as", "P-131"},
		{"--region", "Region Hovedstaden", "--as", "P-131"},
		{"--institution", "S-01", "--as", "P-136"},
		{"--all", "--as", "P-136"},
	} {
		code, _, stderr := runStarter(t, env, append([]string{"cycle", "start"}, args...)...)
		assertPassedTheChecks(t, code, stderr)
	}
}

// TestImportsNeedTheSecretariat: imports take --as, the store (not the file) decides the
// role, and each import is in the registry's audit trail with the role changes it made.
func TestImportsNeedTheSecretariat(t *testing.T) {
	env := testEnviron(t)
	code, stdout, stderr := runStarter(t, env, "institutions", "import", exampleInstitutions)
	assertRejected(t, code, stdout, stderr, "say who is acting", "--as PERSON-ID")

	// An empty registry: anyone imports the institutions; a person of the file's secretariat
	// the people.
	code, stdout, stderr = runStarter(t, env, "institutions", "import", exampleInstitutions, "--as", "P-136")
	if code != ExitOK || !strings.Contains(stdout, "40 created, 0 updated, 0 unchanged (imported by P-136)") ||
		!strings.Contains(stdout, "no secretariat yet") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runStarter(t, env, "people", "import", examplePeople, "--as", "P-050")
	assertRejected(t, code, stdout, stderr, "the registry has no secretariat yet", "P-050 (", "is a reviewer there")
	if code, stdout, stderr := runStarter(t, env, "people", "import", examplePeople, "--as", "P-136"); code != ExitOK {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}

	// The file makes the reviewer P-050 secretariat: P-050 may not import it, P-134 may.
	promote := writeFile(t, "people.csv", "id,name,email,slack_user_id,role,region,home_institution,training,conflicts,employment\n"+
		"P-050,Mads Lund,mads.lund@rm.dk,,secretariat,midtjylland,,,,\n")
	code, stdout, stderr = runStarter(t, env, "people", "import", promote, "--as", "P-050")
	assertRejected(t, code, stdout, stderr, "P-050 (", "is a reviewer, not secretariat", "only the secretariat may import people")
	code, stdout, stderr = runStarter(t, env, "institutions", "import", exampleInstitutions, "--as", "P-050")
	assertRejected(t, code, stdout, stderr, "only the secretariat may import institutions")

	code, stdout, stderr = runStarter(t, env, "people", "import", promote, "--as", "P-134")
	if code != ExitOK || !strings.Contains(stdout, "0 created, 1 updated, 0 unchanged (imported by P-134)") ||
		!strings.Contains(stdout, "role changed: P-050: reviewer -> secretariat") {
		t.Fatalf("exit %d: %q %s", code, stdout, stderr)
	}
	// Importing it again changes nothing, so no role change is listed.
	code, stdout, _ = runStarter(t, env, "people", "import", promote, "--as", "P-134", "--json")
	var sum struct {
		Actor       string            `json:"actor"`
		Unchanged   int               `json:"unchanged"`
		RoleChanges []json.RawMessage `json:"role_changes"`
	}
	if code != ExitOK || json.Unmarshal([]byte(stdout), &sum) != nil || sum.Actor != "P-134" || sum.Unchanged != 1 || sum.RoleChanges != nil {
		t.Errorf("re-import: exit %d: %s", code, stdout)
	}

	code, stdout, stderr = runStarter(t, env, "audit", "--registry", "--json")
	var trail []struct {
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Details string `json:"details"`
	}
	if code != ExitOK || json.Unmarshal([]byte(stdout), &trail) != nil {
		t.Fatalf("audit --registry: exit %d: %s %s", code, stdout, stderr)
	}
	if len(trail) != 4 {
		t.Fatalf("want 4 registry entries (refusals leave none), got %+v", trail)
	}
	if e := trail[2]; e.Actor != "P-134" || e.Action != "import-people" || !strings.Contains(e.Details, "P-050: reviewer -> secretariat") {
		t.Errorf("entry of the promoting import: %+v", e)
	}
	if e := trail[0]; e.Actor != "P-136" || e.Action != "import-institutions" || !strings.Contains(e.Details, "40 created") {
		t.Errorf("entry of the first import: %+v", e)
	}

	code, stdout, stderr = runStarter(t, env, "audit")
	assertRejected(t, code, stdout, stderr, "an institution's ID, or --registry")
	code, stdout, stderr = runStarter(t, env, "audit", "H-01", "--registry")
	assertRejected(t, code, stdout, stderr, "an institution's ID, or --registry")
}

func TestApplyingAPlanNeedsTheSecretariat(t *testing.T) {
	env := importedExamples(t)
	plan := []string{"reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31", "--apply"}
	code, stdout, stderr := runStarter(t, env, plan...)
	assertRejected(t, code, stdout, stderr, "say who is acting")
	code, stdout, stderr = runStarter(t, env, append(plan, "--as", "P-050")...)
	assertRejected(t, code, stdout, stderr, "is a reviewer, not secretariat: only the secretariat may apply a reviewer plan")
	// Without --apply the plan changes nothing and needs no one.
	if code, _, stderr := runStarter(t, env, plan[:6]...); code != ExitOK {
		t.Fatalf("plan without --apply: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runStarter(t, env, append(plan, "--as", "P-133")...); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, _ = runStarter(t, env, "audit", "--registry")
	if code != ExitOK || !strings.Contains(stdout, "P-133") || !strings.Contains(stdout, "apply-reviewer-plan") ||
		!strings.Contains(stdout, "reviewer plan 2027-01-01..2027-12-31: 40 evaluation(s)") {
		t.Errorf("audit --registry: exit %d:\n%s", code, stdout)
	}
}
