package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning"
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
// A seat of the applied national plan (starter reviewers plan --apply) keeps its planned
// person while that person is still eligible and not excluded; the other seats are filled by
// the planning optimiser, the same code as the national plan. A seat nobody can fill comes
// back with Found false.
func (a *Activities) ProposeTeam(ctx context.Context, req TeamRequest) ([]TeamProposal, error) {
	proposals, err := a.proposeTeam(ctx, req)
	out := make([]TeamProposal, len(proposals))
	for i, p := range proposals {
		out[i] = TeamProposal{Seat: p.Seat, Found: p.Found, PersonID: p.PersonID, Name: p.Name, Reasons: p.Reasons}
	}
	return out, err
}

func (a *Activities) proposeTeam(ctx context.Context, req TeamRequest) ([]domain.Proposal, error) {
	facts, err := a.candidateFacts(ctx, req.InstitutionID, req.On, req.PreviousTeam)
	if err != nil {
		return nil, err
	}
	exclude := map[string]bool{}
	for _, id := range req.Exclude {
		exclude[id] = true
	}
	planned, err := a.Store.PlannedAssignments(ctx, req.InstitutionID, req.Cycle)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*domain.Candidate, len(facts.candidates))
	for i := range facts.candidates {
		byID[facts.candidates[i].PersonID] = &facts.candidates[i]
	}
	out := make([]domain.Proposal, len(req.Seats))
	var rest []domain.TeamRole
	for i, seat := range req.Seats {
		out[i] = domain.Proposal{Seat: seat}
		for _, p := range planned {
			c := byID[p.PersonID]
			if p.Seat != seat || c == nil || exclude[p.PersonID] ||
				len(domain.Violations(facts.institution, *c, seat, req.On, a.capacity())) > 0 {
				continue
			}
			exclude[p.PersonID] = true
			out[i] = domain.Proposal{Seat: seat, Found: true, PersonID: c.PersonID, Name: c.Name,
				Reasons: append([]string{fmt.Sprintf("from the applied national plan (planned for %s), still eligible", p.On)}, p.SplitReasons()...)}
		}
		if !out[i].Found {
			rest = append(rest, seat)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	proposed := planning.ProposeTeam(facts.institution, facts.candidates, rest, exclude, req.On, a.capacity())
	for i, j := 0, 0; i < len(out) && j < len(proposed); i++ {
		if !out[i].Found && out[i].Seat == proposed[j].Seat {
			out[i] = proposed[j]
			j++
		}
	}
	return out, nil
}

type registryFacts struct {
	institution domain.InstitutionFacts
	candidates  []domain.Candidate
}

// candidateFacts loads the institution and every reviewer and representative with what the
// rules need: home target groups, the target groups a representative speaks for, trainings,
// conflicts, employments and load (planning.LoadRegistry).
func (a *Activities) candidateFacts(ctx context.Context, institutionID string, on domain.Date, previousTeam []string) (registryFacts, error) {
	in, err := a.Store.Institution(ctx, institutionID)
	if errors.Is(err, store.ErrNotFound) {
		return registryFacts{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("institution %s is not in the registry", institutionID), "UnknownInstitution", err)
	}
	if err != nil {
		return registryFacts{}, err
	}
	reg, err := planning.LoadRegistry(ctx, a.Store)
	if err != nil {
		return registryFacts{}, err
	}
	return registryFacts{institution: planning.Facts(in, previousTeam), candidates: reg.Candidates}, nil
}
