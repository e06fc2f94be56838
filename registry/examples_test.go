package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// parseExamples parses the example files without a store, failing on any bad row.
func parseExamples(t *testing.T) ([]store.Municipality, []store.Institution, []store.Person) {
	t.Helper()
	f, err := os.Open(filepath.Join(examplesDir, "institutions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	munis, insts, bad, err := ParseInstitutions(f, testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("examples/institutions.csv: err %v, bad rows %v", err, bad)
	}
	known := map[string]bool{}
	for _, in := range insts {
		known[in.ID] = true
	}
	g, err := os.Open(filepath.Join(examplesDir, "people.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	people, bad, err := ParsePeople(g, known, testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("examples/people.csv: err %v, bad rows %v", err, bad)
	}
	return munis, insts, people
}

// TestExamplesCoverTheModel keeps the example registry representative: every region, every
// target group, a few joined municipalities, and every role.
func TestExamplesCoverTheModel(t *testing.T) {
	munis, insts, people := parseExamples(t)
	perRegion := map[domain.Region]int{}
	groups := map[domain.TargetGroup]bool{}
	for _, in := range insts {
		perRegion[in.Region]++
		for _, g := range in.TargetGroups {
			groups[g] = true
		}
		if in.Places < 6 || in.Places > 60 {
			t.Errorf("%s has %d places, want 6-60", in.ID, in.Places)
		}
		children := slices.Contains(in.TargetGroups, domain.ChildPsychiatric) || slices.Contains(in.TargetGroups, domain.SecureYouth)
		if children != (in.LegalBasis == domain.Section67) {
			t.Errorf("%s: legal basis %s does not fit target groups %v", in.ID, in.LegalBasis, in.TargetGroups)
		}
	}
	for _, r := range domain.Regions() {
		if perRegion[r] < 6 {
			t.Errorf("region %s has %d institutions, want about 8", r, perRegion[r])
		}
	}
	for _, g := range domain.TargetGroups() {
		if !groups[g] {
			t.Errorf("no institution serves %s", g)
		}
	}
	if len(munis) < 3 || len(munis) > 5 {
		t.Errorf("%d municipalities run institutions, want 3-5", len(munis))
	}
	managers := map[string]int{}
	roles := map[domain.Role]int{}
	for _, p := range people {
		roles[p.Role]++
		if p.Role == domain.RoleInstitutionManager {
			managers[p.HomeInstitution]++
		}
	}
	for _, in := range insts {
		if managers[in.ID] != 1 {
			t.Errorf("%s has %d institution managers, want 1", in.ID, managers[in.ID])
		}
	}
	for _, r := range domain.Roles() {
		if roles[r] == 0 {
			t.Errorf("no one has role %s", r)
		}
	}
}

// TestExamplesHaveCandidatesForEverySeat checks that every example institution can get a full
// team (PRODUCT.md §4).
func TestExamplesHaveCandidatesForEverySeat(t *testing.T) {
	_, insts, people := parseExamples(t)
	for _, problem := range missingCandidates(insts, people, testToday) {
		t.Error(problem)
	}
}

// TestExamplesRepresentativesSpeakForTargetGroups: every user and relative representative in
// the examples names the target groups they speak for, so the similar-institution rule is
// shown with them; and a representative who spoke for a group no institution of another
// region serves would leave that representative without a team.
func TestExamplesRepresentativesSpeakForTargetGroups(t *testing.T) {
	_, insts, people := parseExamples(t)
	for _, p := range people {
		if p.Role.IsRepresentative() && len(p.TargetGroups) == 0 {
			t.Errorf("%s (%s) has no target_groups in examples/people.csv", p.ID, p.Role)
		}
	}
	// Representatives who speak only for secure youth cover no institution for people with
	// intellectual disabilities.
	var narrowed []store.Person
	for _, p := range people {
		if p.Role.IsRepresentative() {
			p.TargetGroups = []domain.TargetGroup{domain.SecureYouth}
		}
		narrowed = append(narrowed, p)
	}
	var onlyID []store.Institution
	for _, in := range insts {
		if len(in.TargetGroups) == 1 && in.TargetGroups[0] == domain.IntellectualDisability {
			onlyID = append(onlyID, in)
		}
	}
	if len(onlyID) == 0 {
		t.Fatal("the examples have no institution for intellectual disabilities alone")
	}
	if got := missingCandidates(onlyID, narrowed, testToday); len(got) != len(onlyID) {
		t.Errorf("with every representative speaking for secure youth only, %d of %d institutions for intellectual disabilities lack candidates, want all: %v",
			len(got), len(onlyID), got)
	}
}

// TestMissingCandidatesCanFail makes sure the check above is not vacuous: without relative
// representatives, or with every reviewer conflicted or recently employed there, an
// institution lacks candidates.
func TestMissingCandidatesCanFail(t *testing.T) {
	_, insts, people := parseExamples(t)
	var noRelatives []store.Person
	for _, p := range people {
		if p.Role != domain.RoleRelativeRepresentative {
			noRelatives = append(noRelatives, p)
		}
	}
	if got := missingCandidates(insts, noRelatives, testToday); len(got) != len(insts) {
		t.Errorf("without relative representatives, %d of %d institutions lack candidates, want all", len(got), len(insts))
	}
	// A conflict of interest, or employment until yesterday, removes a candidate.
	in := insts[0]
	var fewer []store.Person
	for _, p := range people {
		if p.Role == domain.RoleReviewer && p.Region != in.Region {
			if len(fewer)%2 == 0 {
				p.Conflicts = append(slices.Clone(p.Conflicts), in.ID)
			} else {
				p.Employments = append(slices.Clone(p.Employments),
					store.Employment{InstitutionID: in.ID, From: domain.NewDate(2010, 1, 1), To: testToday.AddDays(-1)})
			}
		}
		fewer = append(fewer, p)
	}
	if got := missingCandidates([]store.Institution{in}, fewer, testToday); len(got) != 1 {
		t.Errorf("with every reviewer conflicted or recently employed there, %s still has candidates", in.ID)
	}
}

// missingCandidates lists the institutions that cannot get a full team: for each seat, the
// candidates must be in another region than the institution, come from a similar institution
// (one sharing a target group: a representative's own target groups, or else those of their
// home institution; a representative with neither matches nothing), have
// the seat's training, have declared no conflict with it and not have worked there in the last
// 3 years. A full team needs at least 2 reviewers with lead training, 2 more with evaluator
// training, 2 user and 2 relative representatives.
func missingCandidates(insts []store.Institution, people []store.Person, today domain.Date) []string {
	byID := map[string]store.Institution{}
	for _, in := range insts {
		byID[in.ID] = in
	}
	threeYearsAgo := domain.NewDate(today.Year-3, today.Month, today.Day)
	eligible := func(p store.Person, in store.Institution, training domain.TrainingKind) bool {
		if p.Region == "" || p.Region == in.Region || slices.Contains(p.Conflicts, in.ID) {
			return false
		}
		if !slices.ContainsFunc(p.Trainings, func(t store.Training) bool { return t.Kind == training }) {
			return false
		}
		for _, e := range p.Employments {
			if e.InstitutionID == in.ID && (e.To.IsZero() || e.To.After(threeYearsAgo)) {
				return false
			}
		}
		if p.Role != domain.RoleReviewer && len(p.TargetGroups) > 0 {
			return slices.ContainsFunc(p.TargetGroups, func(g domain.TargetGroup) bool {
				return slices.Contains(in.TargetGroups, g)
			})
		}
		if p.HomeInstitution == "" {
			return false
		}
		home, ok := byID[p.HomeInstitution]
		return ok && home.Region == p.Region && slices.ContainsFunc(home.TargetGroups, func(g domain.TargetGroup) bool {
			return slices.Contains(in.TargetGroups, g)
		})
	}
	var problems []string
	for _, in := range insts {
		var leads, evaluators, users, relatives []string
		for _, p := range people {
			switch p.Role {
			case domain.RoleReviewer:
				// Each reviewer takes one seat: lead while two leads are not found yet and
				// trained for it, otherwise professional.
				switch {
				case len(leads) < 2 && eligible(p, in, domain.TrainingLead):
					leads = append(leads, p.ID)
				case eligible(p, in, domain.TrainingEvaluator):
					evaluators = append(evaluators, p.ID)
				}
			case domain.RoleUserRepresentative:
				if eligible(p, in, domain.TrainingRepresentative) {
					users = append(users, p.ID)
				}
			case domain.RoleRelativeRepresentative:
				if eligible(p, in, domain.TrainingRepresentative) {
					relatives = append(relatives, p.ID)
				}
			}
		}
		if len(leads) < 2 || len(evaluators) < 2 || len(users) < 2 || len(relatives) < 2 {
			problems = append(problems, fmt.Sprintf("%s (%s, %v): too few candidates: leads %v, professionals %v, user representatives %v, relative representatives %v",
				in.ID, in.Region, in.TargetGroups, leads, evaluators, users, relatives))
		}
	}
	return problems
}

// TestExamplesTrainingsAndEmploymentsAreVaried keeps the examples showing every feature of
// people.csv: lead training, trainees, recent past employment, conflicts and Slack IDs.
// fail: an institution whose only target group no one else serves has no candidates.
func TestExamplesTrainingsAndEmploymentsAreVaried(t *testing.T) {
	_, _, people := parseExamples(t)
	var leads, trainees, recentPast, conflicts, slack int
	for _, p := range people {
		if p.Role == domain.RoleReviewer {
			if len(p.Trainings) == 0 {
				trainees++
			}
			if slices.ContainsFunc(p.Trainings, func(t store.Training) bool { return t.Kind == domain.TrainingLead }) {
				leads++
			}
		}
		for _, e := range p.Employments {
			if !e.To.IsZero() && e.To.After(domain.NewDate(testToday.Year-3, testToday.Month, testToday.Day)) && e.InstitutionID != p.HomeInstitution {
				recentPast++
			}
		}
		if len(p.Conflicts) > 0 {
			conflicts++
		}
		if p.SlackUserID != "" {
			slack++
		}
	}
	if leads < 10 || trainees < 2 || recentPast < 2 || conflicts < 3 || slack < len(people)/3 {
		t.Errorf("leads %d, trainees %d, recent past employments %d, people with conflicts %d, with Slack %d of %d: the examples should show each",
			leads, trainees, recentPast, conflicts, slack, len(people))
	}
}
