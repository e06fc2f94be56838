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
	// A representative from an association has no home institution and matches any group.
	rep := Candidate{PersonID: "P-120", Role: RoleRelativeRepresentative, Region: Nordjylland,
		Trainings: map[TrainingKind]Date{TrainingRepresentative: NewDate(2022, 9, 1)}}
	if v := Violations(lindevang(), rep, SeatRelative, on, 3); len(v) != 0 {
		t.Errorf("an association's representative breaks %v", v)
	}
}
