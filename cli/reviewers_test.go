package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning"
	"github.com/kvalitetsmodel/accredit/store"
)

// nationalSecretariat is the examples' national secretariat, who may do everything.
const nationalSecretariat = "P-136"

// importedExamples imports examples/ into a fresh store and returns its environment.
func importedExamples(t *testing.T) []string {
	t.Helper()
	env := testEnviron(t)
	for _, what := range []string{"institutions", "people"} {
		if code, _, stderr := runStarter(t, env, what, "import", filepath.Join("..", "examples", what+".csv"), "--as", nationalSecretariat); code != ExitOK {
			t.Fatalf("%s import: exit %d: %s", what, code, stderr)
		}
	}
	return env
}

func TestReviewersPlanOverExamples(t *testing.T) {
	env := importedExamples(t)
	code, stdout, stderr := runStarter(t, env, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"40 evaluation(s)", "INSTITUTION", "H-01", "lead", "relative-representative", "works in Region", "Shortages"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	code, stdout, stderr = runStarter(t, env, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31", "--json", "--apply", "--as", nationalSecretariat)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct {
		Evaluations int `json:"evaluations"`
		planning.Plan
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	required := 0
	for _, a := range plan.Assignments {
		if a.Seat != domain.SeatTrainee {
			required++
		}
		if len(a.Reasons) == 0 {
			t.Errorf("no reasons for %+v", a)
		}
	}
	short := 0
	for _, s := range plan.Shortages {
		short += s.Seats
	}
	if plan.Evaluations != 40 || required+short != 40*len(domain.RequiredSeats()) {
		t.Errorf("%d evaluations, %d required seats filled, %d short", plan.Evaluations, required, short)
	}
	// --apply stored the plan.
	cfg, err := config.Load(config.Source{Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.PlannedAssignments(context.Background(), "H-01", 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("applied plan for H-01: %v rows, %v", len(rows), err)
	}
	code, stdout, _ = runStarter(t, env, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31", "--csv")
	if code != ExitOK || !strings.HasPrefix(stdout, "kind,institution_id") || !strings.Contains(stdout, "assignment,H-01") {
		t.Errorf("csv: exit %d, %.200s", code, stdout)
	}
}

func TestReviewersWhyNotAgreesWithTheRules(t *testing.T) {
	env := importedExamples(t)
	code, stdout, stderr := runStarter(t, env, "reviewers", "why-not", "--institution", "H-01", "--person", "P-041", "--date", "2027-01-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"cannot be lead", "other-region", "not-employed-there: works at H-01", "trained-for-seat"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("why-not lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runStarter(t, env, "reviewers", "why-not", "--institution", "H-01", "--person", "P-057", "--seat", "professional", "--date", "2027-01-01")
	if code != ExitOK || !strings.Contains(stdout, "is eligible for professional") {
		t.Errorf("exit %d: %s", code, stdout)
	}
	// For every candidate of the examples: why-not --json says eligible exactly when the
	// optimiser's filter does.
	cfg, _ := config.Load(config.Source{Environ: env})
	st, err := store.OpenSQLite(context.Background(), cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := planning.LoadRegistry(context.Background(), st)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	on := domain.NewDate(2027, 1, 1)
	in, _ := reg.Institution("S-03")
	facts := planning.Facts(in, nil)
	for _, c := range reg.Candidates {
		for _, s := range whyNot(facts, c, planning.AllSeats(), on, 3) {
			if s.Eligible != planning.Eligible(facts, &c, s.Seat, on, 3) {
				t.Errorf("%s %s: why-not says eligible=%v, the filter disagrees", c.PersonID, s.Seat, s.Eligible)
			}
		}
	}
	code, stdout, _ = runStarter(t, env, "reviewers", "why-not", "--institution", "S-03", "--person", reg.Candidates[0].PersonID, "--json", "--date", "2027-01-01")
	var out []whyNotSeat
	if code != ExitOK || json.Unmarshal([]byte(stdout), &out) != nil || len(out) == 0 {
		t.Errorf("json: exit %d: %s", code, stdout)
	}
	code, _, stderr = runStarter(t, env, "reviewers", "why-not", "--institution", "H-01", "--person", "P-131")
	assertRejected(t, code, "", stderr, "secretariat")
}

func TestReviewersProposeAndGenerate(t *testing.T) {
	env := importedExamples(t)
	code, stdout, stderr := runStarter(t, env, "reviewers", "propose", "--institution", "H-01", "--date", "2027-01-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Team for H-01", "lead", "professional", "user-representative", "relative-representative", "works in Region"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("propose lacks %q:\n%s", want, stdout)
		}
	}
	dir := t.TempDir()
	code, _, stderr = runStarter(t, env, "registry", "generate", "--institutions", "25", "--reviewers", "80", "--seed", "3", "--out", dir)
	if code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	env2 := testEnviron(t)
	// The generated registry's first secretariat person sets it up.
	generated, err := os.ReadFile(filepath.Join(dir, "people.csv"))
	if err != nil {
		t.Fatal(err)
	}
	secretariat := ""
	for _, line := range strings.Split(string(generated), "\n") {
		if fields := strings.Split(line, ","); len(fields) > 4 && fields[4] == "secretariat" {
			secretariat = fields[0]
			break
		}
	}
	for _, what := range []string{"institutions", "people"} {
		if code, _, stderr := runStarter(t, env2, what, "import", filepath.Join(dir, what+".csv"), "--as", secretariat); code != ExitOK {
			t.Fatalf("import generated %s: exit %d: %s", what, code, stderr)
		}
	}
	code, stdout, stderr = runStarter(t, env2, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-06-30")
	if code != ExitOK || !strings.Contains(stdout, "25 evaluation(s)") || !strings.Contains(stdout, "Shortages") {
		t.Errorf("plan over generated registry: exit %d: %s %.300s", code, stderr, stdout)
	}
}

// The cycle's assignment activity invites the applied plan's people while they stay eligible,
// and proposes anew (same optimiser) for an excluded one.
func TestProposeTeamActivityUsesTheAppliedPlan(t *testing.T) {
	env := importedExamples(t)
	if code, _, stderr := runStarter(t, env, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31", "--apply", "--as", nationalSecretariat); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cfg, _ := config.Load(config.Source{Environ: env})
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	planned, err := st.PlannedAssignments(ctx, "H-02", 1)
	if err != nil || len(planned) == 0 {
		t.Fatalf("no plan for H-02: %v", err)
	}
	bySeat := map[domain.TeamRole]string{}
	for _, p := range planned {
		bySeat[p.Seat] = p.PersonID
	}
	act := activities.New(st, cfg, nil)
	seats := domain.RequiredSeats()
	req := activities.TeamRequest{InstitutionID: "H-02", Cycle: 1, On: domain.NewDate(2027, 1, 1), Seats: seats}
	got, err := act.ProposeTeam(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got {
		if p.Seat != seats[i] || !p.Found || p.PersonID != bySeat[p.Seat] || !strings.Contains(p.Reasons[0], "national plan") {
			t.Errorf("seat %s: got %+v, planned %s", seats[i], p, bySeat[seats[i]])
		}
	}
	req.Exclude = []string{bySeat[domain.SeatLead]}
	got, err = act.ProposeTeam(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].PersonID == bySeat[domain.SeatLead] || (got[0].Found && strings.Contains(got[0].Reasons[0], "national plan")) {
		t.Errorf("excluded planned lead proposed again: %+v", got[0])
	}
	if got[1].PersonID != bySeat[domain.SeatProfessional] {
		t.Errorf("planned professional not kept: %+v", got[1])
	}
}

// TestReviewersWhyNotNamesTheSimilarInstitutionRuleForARepresentative: a representative is
// kept off an institution none of whose target groups they speak for, and why-not names the
// rule with the groups compared; one who speaks for its group is eligible, and propose gives
// that as the reason. A representative stored with neither target groups nor a home
// institution (before the column was required) is excluded by the same rule.
func TestReviewersWhyNotNamesTheSimilarInstitutionRuleForARepresentative(t *testing.T) {
	env := importedExamples(t)
	// P-101 (Hovedstaden) speaks for mental-illness; S-05 serves acquired-brain-injury.
	code, stdout, stderr := runStarter(t, env, "reviewers", "why-not", "--institution", "S-05", "--person", "P-101", "--date", "2027-01-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "similar-institution: speaks for mental-illness, none of the institution's target groups (acquired-brain-injury)"
	if !strings.Contains(stdout, "cannot be user-representative at S-05") || !strings.Contains(stdout, want) {
		t.Errorf("why-not lacks %q:\n%s", want, stdout)
	}
	// P-114 (Nordjylland) speaks for mental-illness and acquired-brain-injury.
	code, stdout, _ = runStarter(t, env, "reviewers", "why-not", "--institution", "S-05", "--person", "P-114", "--date", "2027-01-01")
	if code != ExitOK || !strings.Contains(stdout, "is eligible for user-representative at S-05") {
		t.Errorf("exit %d: %s", code, stdout)
	}
	code, stdout, _ = runStarter(t, env, "reviewers", "propose", "--institution", "S-05", "--date", "2027-01-01", "--json")
	var props []domain.Proposal
	if code != ExitOK || json.Unmarshal([]byte(stdout), &props) != nil {
		t.Fatalf("propose: exit %d: %s", code, stdout)
	}
	for _, p := range props {
		if p.Seat != domain.SeatUser && p.Seat != domain.SeatRelative {
			continue
		}
		if !p.Found || !strings.Contains(strings.Join(p.Reasons, "; "), "acquired-brain-injury") {
			t.Errorf("S-05's %s seat: %+v, want a representative sharing acquired-brain-injury", p.Seat, p)
		}
	}

	cfg, _ := config.Load(config.Source{Environ: env})
	st, err := store.OpenSQLite(context.Background(), cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.DB().Exec(`DELETE FROM person_target_groups WHERE person_id = 'P-103'`)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runStarter(t, env, "reviewers", "why-not", "--institution", "S-03", "--person", "P-103", "--date", "2027-01-01", "--json")
	var out []whyNotSeat
	if code != ExitOK || json.Unmarshal([]byte(stdout), &out) != nil || len(out) != 1 {
		t.Fatalf("json: exit %d: %s", code, stdout)
	}
	if v := out[0].Violations; out[0].Eligible || len(v) != 1 || v[0].Rule != "similar-institution" ||
		!strings.Contains(v[0].Fact, "speaks for no target group and has no home institution") {
		t.Errorf("P-103 without target groups: %+v", out[0])
	}
}

func TestReviewersPlanSkipsClosedInstitutions(t *testing.T) {
	env := importedExamples(t)
	cfg, err := config.Load(config.Source{Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(context.Background(), cfg.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CloseInstitution(context.Background(), "H-01", domain.NewDate(2026, 10, 1), nationalSecretariat, "lukket"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, stdout, stderr := runStarter(t, env, "reviewers", "plan", "--from", "2027-01-01", "--to", "2027-12-31", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct {
		Evaluations int `json:"evaluations"`
		planning.Plan
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Evaluations != 39 {
		t.Errorf("%d evaluations planned with H-01 closed, want 39", plan.Evaluations)
	}
	for _, a := range plan.Assignments {
		if a.InstitutionID == "H-01" {
			t.Errorf("closed H-01 got a planned reviewer: %+v", a)
		}
	}
}
