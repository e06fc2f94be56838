package planning

import "testing"

// BenchmarkPlan3000x10000 plans 3,000 evaluations (one per institution, all in 2027) against
// 10,000 reviewers and representatives of a generated registry.
func BenchmarkPlan3000x10000(b *testing.B) {
	evals, cands := generated(3000, 10000, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		plan := MakePlan(evals, cands, Options{Capacity: 3})
		b.ReportMetric(float64(len(plan.Assignments)), "seats")
		b.ReportMetric(float64(len(plan.Unfilled)), "unfilled")
		b.ReportMetric(float64(plan.Rounds), "rounds")
	}
}
