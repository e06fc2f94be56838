package domain

import (
	"strings"
	"testing"
)

func eligibleLead() Candidate {
	return Candidate{
		PersonID: "P-085", Name: "Birgitte Lassen", Role: RoleReviewer, Region: Sjaelland, HomeInstitution: "S-07",
		HomeTargetGroups: []TargetGroup{IntellectualDisability},
		Trainings:        map[TrainingKind]Date{TrainingEvaluator: NewDate(2018, 3, 1), TrainingLead: NewDate(2019, 5, 3)},
	}
}

func lindevang() InstitutionFacts {
	return InstitutionFacts{ID: "H-01", Region: Hovedstaden, TargetGroups: []TargetGroup{IntellectualDisability, Autism}}
}

func TestEachHardRuleExcludesWithItsFact(t *testing.T) {
	on := NewDate(2027, 3, 1)
	cases := []struct {
		name   string
		change func(*InstitutionFacts, *Candidate)
		seat   TeamRole
		rule   string
		fact   string
	}{
		{"same region", func(_ *InstitutionFacts, c *Candidate) { c.Region = Hovedstaden }, SeatLead,
			"other-region", "works in Region Hovedstaden, the institution's own region"},
		{"no shared target group", func(_ *InstitutionFacts, c *Candidate) { c.HomeTargetGroups = []TargetGroup{SecureYouth} }, SeatLead,
			"similar-institution", "serves secure-youth, none of the institution's target groups (intellectual-disability, autism)"},
		{"no lead training", func(_ *InstitutionFacts, c *Candidate) { delete(c.Trainings, TrainingLead) }, SeatLead,
			"trained-for-seat", "has not completed lead training"},
		{"training in the future", func(_ *InstitutionFacts, c *Candidate) { c.Trainings[TrainingLead] = NewDate(2027, 6, 1) }, SeatLead,
			"trained-for-seat", "completes lead training only on 2027-06-01"},
		{"wrong role for the seat", func(_ *InstitutionFacts, c *Candidate) {}, SeatUser,
			"trained-for-seat", "the user-representative seat needs a user-representative"},
		{"trained, so no trainee", func(_ *InstitutionFacts, c *Candidate) {}, SeatTrainee,
			"trained-for-seat", "is no longer a trainee"},
		{"declared conflict", func(_ *InstitutionFacts, c *Candidate) { c.Conflicts = []string{"H-01"} }, SeatLead,
			"no-conflict", "has declared a conflict of interest with H-01"},
		{"worked there until 2025", func(_ *InstitutionFacts, c *Candidate) {
			c.Employments = []Employment{{InstitutionID: "H-01", From: NewDate(2019, 1, 1), To: NewDate(2025, 6, 30)}}
		}, SeatLead, "not-employed-there", "worked at H-01 until 2025-06-30, less than 3 years before 2027-03-01"},
		{"works there", func(_ *InstitutionFacts, c *Candidate) {
			c.Employments = []Employment{{InstitutionID: "H-01", From: NewDate(2024, 1, 1)}}
		}, SeatLead, "not-employed-there", "has worked at H-01 since 2024-01-01"},
		{"reviewed it last cycle", func(in *InstitutionFacts, c *Candidate) { in.PreviousTeam = []string{"P-085"} }, SeatLead,
			"rotation", "reviewed H-01 in its previous cycle"},
		{"no capacity left", func(_ *InstitutionFacts, c *Candidate) { c.EvaluationsByYear = map[int]int{2027: 3} }, SeatLead,
			"capacity", "already has 3 external evaluations in 2027 (at most 3)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, c := lindevang(), eligibleLead()
			tc.change(&in, &c)
			v := Violations(in, c, tc.seat, on, 3)
			if len(v) != 1 || v[0].Rule != tc.rule || !strings.Contains(v[0].Fact, tc.fact) {
				t.Errorf("violations = %v, want only %s: ...%s", v, tc.rule, tc.fact)
			}
		})
	}
	if v := Violations(lindevang(), eligibleLead(), SeatLead, on, 3); len(v) != 0 {
		t.Errorf("an eligible lead breaks %v", v)
	}
	// Employment that ended more than three years before is no obstacle.
	c := eligibleLead()
	c.Employments = []Employment{{InstitutionID: "H-01", From: NewDate(2015, 1, 1), To: NewDate(2023, 12, 31)}}
	if v := Violations(lindevang(), c, SeatLead, on, 3); len(v) != 0 {
		t.Errorf("employment ended 2023-12-31 still excludes on 2027-03-01: %v", v)
	}
	// A representative from an association is compared by the target groups they speak for.
	rep := Candidate{PersonID: "P-120", Role: RoleRelativeRepresentative, Region: Nordjylland,
		TargetGroups: []TargetGroup{Autism},
		Trainings:    map[TrainingKind]Date{TrainingRepresentative: NewDate(2022, 9, 1)}}
	if v := Violations(lindevang(), rep, SeatRelative, on, 3); len(v) != 0 {
		t.Errorf("an association's representative breaks %v", v)
	}
}

// TestSimilarInstitutionRuleForRepresentatives: PRODUCT.md §4's similar institution holds for
// user and relative representatives too: the target groups they speak for are compared, or,
// when they name none, those of their home institution; with neither the rule fails. The
// fact names the groups compared.
func TestSimilarInstitutionRuleForRepresentatives(t *testing.T) {
	on := NewDate(2027, 3, 1)
	lindevang := lindevang() // intellectual-disability, autism
	for _, role := range []Role{RoleUserRepresentative, RoleRelativeRepresentative} {
		seat := SeatUser
		if role == RoleRelativeRepresentative {
			seat = SeatRelative
		}
		cases := []struct {
			name         string
			home         string
			homeGroups   []TargetGroup
			groups       []TargetGroup
			ok           bool
			fact, shared string
		}{
			{"speaks for a shared group", "", nil, []TargetGroup{MentalIllness, IntellectualDisability}, true, "", "intellectual-disability"},
			{"speaks for no shared group", "", nil, []TargetGroup{MentalIllness, SecureYouth}, false,
				"speaks for mental-illness, secure-youth, none of the institution's target groups (intellectual-disability, autism)", ""},
			{"own groups count, not the home institution's", "N-03", []TargetGroup{Autism}, []TargetGroup{SecureYouth}, false,
				"speaks for secure-youth, none of the institution's target groups (intellectual-disability, autism)", ""},
			{"own groups shared, home institution's not", "N-05", []TargetGroup{AcquiredBrainInjury}, []TargetGroup{Autism}, true, "", "autism"},
			{"no groups, home institution shares one", "N-03", []TargetGroup{Autism, IntellectualDisability}, nil, true, "", "autism, intellectual-disability"},
			{"no groups, home institution shares none", "N-04", []TargetGroup{MentalIllness}, nil, false,
				"home institution N-04 serves mental-illness, none of the institution's target groups (intellectual-disability, autism)", ""},
			{"neither groups nor a home institution", "", nil, nil, false,
				"speaks for no target group and has no home institution to compare with the institution's target groups (intellectual-disability, autism): the people file must give target_groups", ""},
		}
		for _, tc := range cases {
			t.Run(string(role)+"/"+tc.name, func(t *testing.T) {
				c := Candidate{PersonID: "P-120", Role: role, Region: Nordjylland, HomeInstitution: tc.home,
					HomeTargetGroups: tc.homeGroups, TargetGroups: tc.groups,
					Trainings: map[TrainingKind]Date{TrainingRepresentative: NewDate(2022, 9, 1)}}
				fact := RuleSharedTargetGroup(lindevang, c)
				if got := SharesTargetGroup(&lindevang, &c); got != tc.ok || (fact == "") != tc.ok {
					t.Fatalf("SharesTargetGroup = %v, RuleSharedTargetGroup = %q; want ok %v", got, fact, tc.ok)
				}
				v := Violations(lindevang, c, seat, on, 3)
				if tc.ok {
					if len(v) != 0 {
						t.Errorf("violations %v, want none", v)
					}
					var shared []string
					for _, g := range SharedTargetGroups(&lindevang, &c) {
						shared = append(shared, string(g))
					}
					if got := strings.Join(shared, ", "); got != tc.shared {
						t.Errorf("shared groups %q, want %q", got, tc.shared)
					}
					return
				}
				if len(v) != 1 || v[0].Rule != "similar-institution" || v[0].Fact != tc.fact {
					t.Errorf("violations %v, want only similar-institution: %s", v, tc.fact)
				}
			})
		}
	}
	// A reviewer is always compared by their home institution: target groups (which the import
	// refuses for reviewers) change nothing.
	c := eligibleLead()
	c.HomeTargetGroups, c.TargetGroups = []TargetGroup{SecureYouth}, []TargetGroup{Autism}
	if fact := RuleSharedTargetGroup(lindevang, c); !strings.Contains(fact, "home institution S-07 serves secure-youth") {
		t.Errorf("a reviewer's fact %q, want the home institution's groups", fact)
	}
}
