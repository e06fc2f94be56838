package domain

import (
	"fmt"
	"slices"
	"strings"
)

// The hard rules of PRODUCT.md §4: a candidate who breaks one is never proposed, and the
// secretariat's manual assignments go through the same rules. Each rule is a named function
// so that "why not" can name the rule and the fact behind it.

// InstitutionFacts is what the rules need to know about the institution under evaluation.
type InstitutionFacts struct {
	ID           string
	Region       Region
	TargetGroups []TargetGroup
	// PreviousTeam are the people who reviewed it in its previous cycle (rotation).
	PreviousTeam []string
}

// Employment is a period a candidate worked somewhere; To is zero while it lasts.
type Employment struct {
	InstitutionID string
	From, To      Date
}

// Candidate is a reviewer or representative as the rules see them.
type Candidate struct {
	PersonID        string
	Name            string
	Role            Role
	Region          Region
	HomeInstitution string
	// HomeTargetGroups are the target groups of the home institution; empty when the person
	// has none (a representative from an association).
	HomeTargetGroups []TargetGroup
	// TargetGroups are the target groups a user or relative representative speaks for (the
	// people file's target_groups); when set they, not the home institution's, decide which
	// institutions are similar. Only representatives have them.
	TargetGroups []TargetGroup
	Trainings    map[TrainingKind]Date
	Conflicts    []string
	Employments  []Employment
	// EvaluationsByYear counts the external evaluations the person is invited to or sits on,
	// by the calendar year of the evaluation.
	EvaluationsByYear map[int]int
	// Evaluations and Led count completed team seats, for experience.
	Evaluations int
	Led         int
}

// Violation is one broken rule and the fact that breaks it.
type Violation struct {
	Rule string `json:"rule"`
	Fact string `json:"fact"`
}

func (v Violation) String() string { return v.Rule + ": " + v.Fact }

// Rule is a named hard rule; Check returns the fact that breaks it, or "" when it holds.
type Rule struct {
	Name  string
	Check func(in InstitutionFacts, c Candidate, seat TeamRole, on Date, capacity int) string
}

// HardRules lists the rules in the order they are reported.
func HardRules() []Rule {
	return []Rule{
		{"other-region", func(in InstitutionFacts, c Candidate, _ TeamRole, _ Date, _ int) string {
			return RuleOtherRegion(in, c)
		}},
		{"similar-institution", func(in InstitutionFacts, c Candidate, _ TeamRole, _ Date, _ int) string {
			return RuleSharedTargetGroup(in, c)
		}},
		{"trained-for-seat", func(_ InstitutionFacts, c Candidate, seat TeamRole, on Date, _ int) string {
			return RuleTrainedForSeat(c, seat, on)
		}},
		{"no-conflict", func(in InstitutionFacts, c Candidate, _ TeamRole, _ Date, _ int) string {
			return RuleNoConflict(in, c)
		}},
		{"not-employed-there", func(in InstitutionFacts, c Candidate, _ TeamRole, on Date, _ int) string {
			return RuleNotEmployedRecently(in, c, on)
		}},
		{"rotation", func(in InstitutionFacts, c Candidate, _ TeamRole, _ Date, _ int) string {
			return RuleRotation(in, c)
		}},
		{"capacity", func(_ InstitutionFacts, c Candidate, _ TeamRole, on Date, capacity int) string {
			return RuleCapacity(c, on, capacity)
		}},
	}
}

// Violations lists every hard rule the candidate breaks for this seat.
func Violations(in InstitutionFacts, c Candidate, seat TeamRole, on Date, capacity int) []Violation {
	var out []Violation
	for _, r := range HardRules() {
		if fact := r.Check(in, c, seat, on, capacity); fact != "" {
			out = append(out, Violation{Rule: r.Name, Fact: fact})
		}
	}
	return out
}

// RuleOtherRegion: the reviewer works in another region than the institution.
func RuleOtherRegion(in InstitutionFacts, c Candidate) string {
	if c.Region == in.Region {
		return fmt.Sprintf("works in %s, the institution's own region", c.Region.Name())
	}
	return ""
}

// ComparedTargetGroups are the target groups the similar-institution rule compares with the
// institution's: for a user or relative representative the groups they speak for, or, when
// they list none, those of their home institution; for everyone else those of their home
// institution. Empty when there are none to compare (the rule then fails).
func (c *Candidate) ComparedTargetGroups() []TargetGroup {
	if c.Role.IsRepresentative() && len(c.TargetGroups) > 0 {
		return c.TargetGroups
	}
	if c.HomeInstitution == "" {
		return nil
	}
	return c.HomeTargetGroups
}

// SharesTargetGroup is the similar-institution rule as a test: the candidate's compared
// target groups (ComparedTargetGroups) and the institution's have at least one in common. It
// does not allocate; the planner filters with it and RuleSharedTargetGroup explains it.
func SharesTargetGroup(in *InstitutionFacts, c *Candidate) bool {
	for _, g := range c.ComparedTargetGroups() {
		if slices.Contains(in.TargetGroups, g) {
			return true
		}
	}
	return false
}

// SharedTargetGroups lists the candidate's compared target groups the institution also
// serves, in the candidate's order (for the reasons of a proposal).
func SharedTargetGroups(in *InstitutionFacts, c *Candidate) []TargetGroup {
	var out []TargetGroup
	for _, g := range c.ComparedTargetGroups() {
		if slices.Contains(in.TargetGroups, g) {
			out = append(out, g)
		}
	}
	return out
}

// RuleSharedTargetGroup: the candidate comes from a similar institution, one that serves at
// least one of the institution's target groups (PRODUCT.md §4). A reviewer is compared by
// their home institution; a user or relative representative by the target groups they speak
// for, or by their home institution when they list none. The fact names the groups compared.
func RuleSharedTargetGroup(in InstitutionFacts, c Candidate) string {
	if SharesTargetGroup(&in, &c) {
		return ""
	}
	theirs := joinGroups(in.TargetGroups)
	switch {
	case c.Role.IsRepresentative() && len(c.TargetGroups) > 0:
		return fmt.Sprintf("speaks for %s, none of the institution's target groups (%s)", joinGroups(c.TargetGroups), theirs)
	case c.HomeInstitution == "" && c.Role.IsRepresentative():
		return fmt.Sprintf("speaks for no target group and has no home institution to compare with the institution's target groups (%s): the people file must give target_groups", theirs)
	case c.HomeInstitution == "":
		return "has no home institution to compare target groups with"
	}
	return fmt.Sprintf("home institution %s serves %s, none of the institution's target groups (%s)",
		c.HomeInstitution, joinGroups(c.HomeTargetGroups), theirs)
}

// RuleTrainedForSeat: the person has the role and the completed training the seat needs;
// a trainee is a reviewer who has not yet completed evaluator training.
func RuleTrainedForSeat(c Candidate, seat TeamRole, on Date) string {
	if want := seat.PersonRoleFor(); c.Role != want {
		return fmt.Sprintf("is registered as %s, the %s seat needs a %s", c.Role, seat, want)
	}
	if seat == SeatTrainee {
		if d, ok := c.Trainings[TrainingEvaluator]; ok && !d.After(on) {
			return fmt.Sprintf("completed evaluator training on %s and is no longer a trainee", d)
		}
		return ""
	}
	kind, _ := seat.TrainingFor()
	d, ok := c.Trainings[kind]
	if !ok {
		return fmt.Sprintf("has not completed %s training", kind)
	}
	if d.After(on) {
		return fmt.Sprintf("completes %s training only on %s", kind, d)
	}
	return ""
}

// RuleNoConflict: the person has declared no conflict of interest with the institution.
func RuleNoConflict(in InstitutionFacts, c Candidate) string {
	if slices.Contains(c.Conflicts, in.ID) {
		return "has declared a conflict of interest with " + in.ID
	}
	return ""
}

// EmploymentQuarantine is how long after working at an institution a person may not review it.
var EmploymentQuarantine = Period{Years: 3}

// RuleNotEmployedRecently: the person works there now or worked there within three years.
func RuleNotEmployedRecently(in InstitutionFacts, c Candidate, on Date) string {
	if c.HomeInstitution == in.ID {
		return "works at " + in.ID
	}
	since := EmploymentQuarantine.SubtractFrom(on)
	for _, e := range c.Employments {
		if e.InstitutionID != in.ID {
			continue
		}
		if e.To.IsZero() {
			return fmt.Sprintf("has worked at %s since %s", in.ID, e.From)
		}
		if !e.To.Before(since) {
			return fmt.Sprintf("worked at %s until %s, less than 3 years before %s", in.ID, e.To, on)
		}
	}
	return ""
}

// RuleRotation: the person did not review the institution in its previous cycle.
func RuleRotation(in InstitutionFacts, c Candidate) string {
	if slices.Contains(in.PreviousTeam, c.PersonID) {
		return "reviewed " + in.ID + " in its previous cycle"
	}
	return ""
}

// RuleCapacity: the person has fewer than capacity external evaluations in the year.
func RuleCapacity(c Candidate, on Date, capacity int) string {
	if n := c.EvaluationsByYear[on.Year]; n >= capacity {
		return fmt.Sprintf("already has %d external evaluations in %d (at most %d)", n, on.Year, capacity)
	}
	return ""
}

// Proposal is the candidate chosen for one seat, with the reasons; Found is false when no
// candidate is left and the secretariat must assign by hand.
type Proposal struct {
	Seat     TeamRole `json:"seat"`
	Found    bool     `json:"found"`
	PersonID string   `json:"person_id,omitempty"`
	Name     string   `json:"name,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
}

func joinGroups(groups []TargetGroup) string {
	if len(groups) == 0 {
		return "no target group"
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = string(g)
	}
	return strings.Join(names, ", ")
}
