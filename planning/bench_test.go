package planning

import (
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// benchmarkPlan plans evals against cands and fails unless the plan is the one the planner
// before the national-scale rewrite made (testdata/plans_before.json, under name).
func benchmarkPlan(b *testing.B, name string, evals []Evaluation, cands []domain.Candidate) {
	want, ok := plansBefore(b)[name]
	if !ok {
		b.Fatalf("no plan recorded for %s", name)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var plan Plan
	for b.Loop() {
		plan = MakePlan(evals, cands, Options{Capacity: 3})
	}
	b.ReportMetric(float64(len(plan.Assignments)), "seats")
	b.ReportMetric(float64(len(plan.Unfilled)), "unfilled")
	b.ReportMetric(float64(plan.Rounds), "rounds")
	b.ReportMetric(float64(plan.TotalCost), "cost")
	// Outside the timed loop (b.Loop stops the timer when it ends).
	if got := recordOf(b, plan); got != want {
		b.Fatalf("%s: %d seats at cost %d (%s), before %d at %d (%s)", name, got.Seats, got.TotalCost, got.SHA256[:12],
			want.Seats, want.TotalCost, want.SHA256[:12])
	}
}

// BenchmarkPlan3000x10000 plans 3,000 evaluations (one per institution, all in 2027) against
// 10,000 reviewers and representatives of a generated registry.
func BenchmarkPlan3000x10000(b *testing.B) {
	evals, cands := generated(3000, 10000, 1)
	benchmarkPlan(b, "3000x10000/seed1", evals, cands)
}

// BenchmarkPlan10000x30000 is the national plan of issue 13: 10,000 evaluations (one per
// institution, all in 2027) against 30,000 reviewers and representatives.
func BenchmarkPlan10000x30000(b *testing.B) {
	evals, cands := generated(10000, 30000, 1)
	benchmarkPlan(b, "10000x30000/seed1", evals, cands)
}

// BenchmarkPlan10000x30000Years3 is the national plan over the three years of a cycle, with
// existing load, previous teams and exclusions (perturbed): the evaluations of one year share
// no capacity with another's, so the plan falls into independent components.
func BenchmarkPlan10000x30000Years3(b *testing.B) {
	evals, cands := perturbed(10000, 30000, 1, 3)
	benchmarkPlan(b, "10000x30000/seed1/years3", evals, cands)
}
