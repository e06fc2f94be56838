package planning

import (
	"context"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// CandidateRoles are the registry roles that can sit on a team.
var CandidateRoles = []domain.Role{domain.RoleReviewer, domain.RoleUserRepresentative, domain.RoleRelativeRepresentative}

// Candidates turns registry rows and the load read model into what the rules see (with the
// target groups of each home institution, and those a representative speaks for); people in
// other roles are left out.
func Candidates(institutions []store.Institution, people []store.Person, load map[string]store.Load) []domain.Candidate {
	groups := make(map[string][]domain.TargetGroup, len(institutions))
	for _, i := range institutions {
		groups[i.ID] = i.TargetGroups
	}
	var out []domain.Candidate
	for _, p := range people {
		if !slices.Contains(CandidateRoles, p.Role) {
			continue
		}
		c := domain.Candidate{
			PersonID: p.ID, Name: p.Name, Role: p.Role, Region: p.Region, HomeInstitution: p.HomeInstitution,
			HomeTargetGroups: groups[p.HomeInstitution], TargetGroups: p.TargetGroups, Trainings: map[domain.TrainingKind]domain.Date{},
			Conflicts: p.Conflicts, EvaluationsByYear: load[p.ID].ByYear,
			Evaluations: load[p.ID].Completed, Led: load[p.ID].Led,
		}
		for _, t := range p.Trainings {
			c.Trainings[t.Kind] = t.CompletedOn
		}
		for _, e := range p.Employments {
			c.Employments = append(c.Employments, domain.Employment{InstitutionID: e.InstitutionID, From: e.From, To: e.To})
		}
		out = append(out, c)
	}
	return out
}

// Facts is the institution as the rules see it.
func Facts(in store.Institution, previousTeam []string) domain.InstitutionFacts {
	return domain.InstitutionFacts{ID: in.ID, Region: in.Region, TargetGroups: in.TargetGroups, PreviousTeam: previousTeam}
}

// Registry is everything the planner reads from the store.
type Registry struct {
	Institutions []store.Institution
	Candidates   []domain.Candidate
}

// Institution finds an institution by ID.
func (r Registry) Institution(id string) (store.Institution, bool) {
	for _, in := range r.Institutions {
		if in.ID == id {
			return in, true
		}
	}
	return store.Institution{}, false
}

// LoadRegistry reads institutions, candidates and their load from the store.
func LoadRegistry(ctx context.Context, st *store.Store) (Registry, error) {
	institutions, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		return Registry{}, err
	}
	load, err := st.ReviewerLoad(ctx)
	if err != nil {
		return Registry{}, err
	}
	var people []store.Person
	for _, role := range CandidateRoles {
		ps, err := st.ListPeople(ctx, store.PersonFilter{Role: role})
		if err != nil {
			return Registry{}, err
		}
		people = append(people, ps...)
	}
	return Registry{Institutions: institutions, Candidates: Candidates(institutions, people, load)}, nil
}
