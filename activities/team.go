package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// TeamRequest asks for candidates for some seats of one evaluation.
type TeamRequest struct {
	InstitutionID string            `json:"institution_id"`
	Cycle         int               `json:"cycle"`
	On            domain.Date       `json:"on"`
	Seats         []domain.TeamRole `json:"seats"`
	// Exclude are people already invited, on the team, or who declined.
	Exclude      []string `json:"exclude,omitempty"`
	PreviousTeam []string `json:"previous_team,omitempty"`
}

// ProposeTeam proposes one candidate per seat under every hard rule of PRODUCT.md §4.
// A seat nobody can fill comes back with Found false.
func (a *Activities) ProposeTeam(ctx context.Context, req TeamRequest) ([]domain.Proposal, error) {
	facts, err := a.candidateFacts(ctx, req.InstitutionID, req.On, req.PreviousTeam)
	if err != nil {
		return nil, err
	}
	exclude := map[string]bool{}
	for _, id := range req.Exclude {
		exclude[id] = true
	}
	return domain.ProposeTeam(facts.institution, facts.candidates, req.Seats, exclude, req.On, a.capacity()), nil
}

type registryFacts struct {
	institution domain.InstitutionFacts
	candidates  []domain.Candidate
}

// candidateFacts loads the institution and every reviewer and representative with what the
// rules need: home target groups, trainings, conflicts, employments and load.
func (a *Activities) candidateFacts(ctx context.Context, institutionID string, on domain.Date, previousTeam []string) (registryFacts, error) {
	in, err := a.Store.Institution(ctx, institutionID)
	if errors.Is(err, store.ErrNotFound) {
		return registryFacts{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("institution %s is not in the registry", institutionID), "UnknownInstitution", err)
	}
	if err != nil {
		return registryFacts{}, err
	}
	facts := registryFacts{institution: domain.InstitutionFacts{
		ID: in.ID, Region: in.Region, TargetGroups: in.TargetGroups, PreviousTeam: previousTeam,
	}}
	institutions, err := a.Store.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		return registryFacts{}, err
	}
	groups := make(map[string][]domain.TargetGroup, len(institutions))
	for _, i := range institutions {
		groups[i.ID] = i.TargetGroups
	}
	load, err := a.Store.ReviewerLoad(ctx)
	if err != nil {
		return registryFacts{}, err
	}
	for _, role := range []domain.Role{domain.RoleReviewer, domain.RoleUserRepresentative, domain.RoleRelativeRepresentative} {
		people, err := a.Store.ListPeople(ctx, store.PersonFilter{Role: role})
		if err != nil {
			return registryFacts{}, err
		}
		for _, p := range people {
			c := domain.Candidate{
				PersonID: p.ID, Name: p.Name, Role: p.Role, Region: p.Region, HomeInstitution: p.HomeInstitution,
				HomeTargetGroups: groups[p.HomeInstitution], Trainings: map[domain.TrainingKind]domain.Date{},
				Conflicts: p.Conflicts, EvaluationsByYear: load[p.ID].ByYear,
				Evaluations: load[p.ID].Completed, Led: load[p.ID].Led,
			}
			for _, t := range p.Trainings {
				c.Trainings[t.Kind] = t.CompletedOn
			}
			for _, e := range p.Employments {
				c.Employments = append(c.Employments, domain.Employment{InstitutionID: e.InstitutionID, From: e.From, To: e.To})
			}
			facts.candidates = append(facts.candidates, c)
		}
	}
	return facts, nil
}
