package domain

import (
	"fmt"
	"strings"
)

// Role is what a person does in the model; it decides which tasks reach them and which team
// seats they can fill.
type Role string

// The roles of PRODUCT.md §2. Reviewers are trained professionals and managers from other
// institutions; the two kinds of representative sit on teams for users and relatives.
const (
	RoleReviewer               Role = "reviewer"
	RoleUserRepresentative     Role = "user-representative"
	RoleRelativeRepresentative Role = "relative-representative"
	RoleInstitutionManager     Role = "institution-manager"
	RoleManager                Role = "manager"
	RoleSecretariat            Role = "secretariat"
)

// Roles lists every role in a stable order.
func Roles() []Role {
	return []Role{RoleReviewer, RoleUserRepresentative, RoleRelativeRepresentative,
		RoleInstitutionManager, RoleManager, RoleSecretariat}
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, known := range Roles() {
		if r == known {
			return true
		}
	}
	return false
}

// MayBeNational reports whether a person in this role may have no region (national level).
func (r Role) MayBeNational() bool { return r == RoleSecretariat || r == RoleManager }

// IsRepresentative reports whether the role sits on teams for users or relatives: the roles
// that may name the target groups they speak for.
func (r Role) IsRepresentative() bool {
	return r == RoleUserRepresentative || r == RoleRelativeRepresentative
}

// ParseRole reads a role name as written in registry files.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		names := make([]string, 0, len(Roles()))
		for _, known := range Roles() {
			names = append(names, string(known))
		}
		return "", fmt.Errorf("unknown role %q: use one of %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// TrainingKind is a course a person has completed; each team seat requires one.
type TrainingKind string

// Evaluator training qualifies professional reviewers, lead training qualifies a reviewer to
// lead a team, and the representatives' training qualifies user and relative representatives.
const (
	TrainingEvaluator      TrainingKind = "evaluator"
	TrainingLead           TrainingKind = "lead"
	TrainingRepresentative TrainingKind = "representative"
)

// ParseTrainingKind reads a training kind as written in registry files.
func ParseTrainingKind(s string) (TrainingKind, error) {
	switch k := TrainingKind(strings.ToLower(strings.TrimSpace(s))); k {
	case TrainingEvaluator, TrainingLead, TrainingRepresentative:
		return k, nil
	}
	return "", fmt.Errorf("unknown training %q: use evaluator, lead or representative", s)
}

// TeamRole is a seat on an external-evaluation team.
type TeamRole string

// The seats of PRODUCT.md §3.2.1; the trainee seat is optional.
const (
	SeatLead         TeamRole = "lead"
	SeatProfessional TeamRole = "professional"
	SeatUser         TeamRole = "user-representative"
	SeatRelative     TeamRole = "relative-representative"
	SeatTrainee      TeamRole = "trainee"
)

// RequiredSeats are the four seats every team must fill, in the order they are filled.
func RequiredSeats() []TeamRole {
	return []TeamRole{SeatLead, SeatProfessional, SeatUser, SeatRelative}
}

// Valid reports whether s is a known seat.
func (s TeamRole) Valid() bool {
	switch s {
	case SeatLead, SeatProfessional, SeatUser, SeatRelative, SeatTrainee:
		return true
	}
	return false
}

// ParseTeamRole reads a seat name from a command line or a form.
func ParseTeamRole(s string) (TeamRole, error) {
	r := TeamRole(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("unknown team role %q: use lead, professional, user-representative, relative-representative or trainee", s)
	}
	return r, nil
}

// PersonRoleFor is the registry role that can hold a seat.
func (s TeamRole) PersonRoleFor() Role {
	switch s {
	case SeatUser:
		return RoleUserRepresentative
	case SeatRelative:
		return RoleRelativeRepresentative
	default:
		return RoleReviewer
	}
}

// TrainingFor is the training a seat requires; the trainee seat requires none.
func (s TeamRole) TrainingFor() (TrainingKind, bool) {
	switch s {
	case SeatLead:
		return TrainingLead, true
	case SeatProfessional:
		return TrainingEvaluator, true
	case SeatUser, SeatRelative:
		return TrainingRepresentative, true
	}
	return "", false
}
