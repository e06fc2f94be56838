package planning

import (
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning/synth"
)

// generated returns a synthetic registry as the planner sees it, and one evaluation per
// institution spread over the year 2027.
func generated(institutions, reviewers int, seed uint64) ([]Evaluation, []domain.Candidate) {
	reg := synth.Generate(synth.Config{Institutions: institutions, Reviewers: reviewers, Seed: seed})
	cands := Candidates(reg.Institutions, reg.People, reg.Load)
	evals := make([]Evaluation, len(reg.Institutions))
	start := domain.NewDate(2027, 1, 4)
	for i, in := range reg.Institutions {
		evals[i] = Evaluation{Institution: Facts(in, nil), Cycle: 2, On: start.AddDays((i * 7) % 360)}
	}
	return evals, cands
}
