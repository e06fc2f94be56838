package planning

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// The rewrite of the planner for national scale (issue 13, point 6) is held to the planner
// before it (commit ee44d62) three ways:
//
//   - TestPlansEqualThePlansBefore: testdata/plans_before.json holds what the planner before
//     made of every instance of equalityCases (seats, unfilled, total cost and a SHA-256 of the
//     whole plan as JSON: people, reasons and costs of every seat); today's plans must be the
//     same, byte for byte.
//   - TestSolverEqualsTheSolverBefore: the old min-cost-flow solver (oldflow_test.go) and the
//     new one on random networks: the same flow on every edge.
//   - TestComponentsFlowEqualsTheOneGraphFlow: the planner's flow, solved component by
//     component, against the old one graph of every slot, on random registries.
//
// The brute-force tests in plan_test.go hold both to the optimum on tiny instances.

// equalityCase is one instance of the equality tests.
type equalityCase struct {
	name  string
	evals []Evaluation
	cands []domain.Candidate
	opt   Options
}

// perturbed adds existing load, previous teams and exclusions to a generated registry, as
// TestPlanNeverBreaksARule does; years spreads the evaluations over that many calendar years
// (a national plan covers the three years of a cycle).
func perturbed(inst, rev int, seed uint64, years int) ([]Evaluation, []domain.Candidate) {
	evals, cands := generated(inst, rev, seed)
	r := rand.New(rand.NewPCG(seed, 17))
	for i := range cands {
		if r.IntN(5) == 0 {
			cands[i].EvaluationsByYear = map[int]int{2027 + r.IntN(years): r.IntN(4)}
		}
	}
	for i := range evals {
		if r.IntN(3) == 0 {
			evals[i].Institution.PreviousTeam = []string{cands[r.IntN(len(cands))].PersonID}
			evals[i].Exclude = []string{cands[r.IntN(len(cands))].PersonID}
		}
		if years > 1 {
			evals[i].On = evals[i].On.AddDays(365 * r.IntN(years))
		}
	}
	return evals, cands
}

func equalityCases(short bool) []equalityCase {
	var out []equalityCase
	for seed := uint64(1); seed <= 25; seed++ {
		evals, cands := tiny(seed)
		capacity := 1 + int(seed%2)
		out = append(out,
			equalityCase{fmt.Sprintf("tiny/seed%d", seed), evals, cands, Options{Capacity: capacity}},
			equalityCase{fmt.Sprintf("tiny/seed%d/nopairing", seed), evals, cands, Options{Capacity: capacity, NoPairing: true}})
	}
	sizes := []struct{ inst, rev int }{{20, 60}, {40, 150}, {60, 250}, {300, 1000}, {1000, 3000}}
	for _, size := range sizes {
		for seed := uint64(1); seed <= 3; seed++ {
			for _, years := range []int{1, 3} {
				evals, cands := perturbed(size.inst, size.rev, seed, years)
				capacity := 1 + int(seed%3)
				name := fmt.Sprintf("%dx%d/seed%d/years%d", size.inst, size.rev, seed, years)
				out = append(out, equalityCase{name, evals, cands, Options{Capacity: capacity}})
				if size.inst <= 300 {
					out = append(out,
						equalityCase{name + "/K10", evals, cands, Options{Capacity: capacity, K: 10}},
						equalityCase{name + "/nopairing", evals, cands, Options{Capacity: capacity, NoPairing: true}})
				}
				if size.inst <= 60 {
					out = append(out, equalityCase{name + "/unlimited", evals, cands, Options{Capacity: capacity, K: Unlimited, NoPairing: true}})
				}
			}
		}
	}
	if !short {
		evals, cands := generated(3000, 10000, 1)
		out = append(out, equalityCase{"3000x10000/seed1", evals, cands, Options{Capacity: 3}})
		evals, cands = perturbed(3000, 9000, 2, 3)
		out = append(out, equalityCase{"3000x9000/seed2/years3", evals, cands, Options{Capacity: 3}})
	}
	// The national plans (10000x30000/seed1 and 10000x30000/seed1/years3) are held to their
	// records by the benchmarks.
	return out
}

// planRecord is what testdata/plans_before.json keeps of a plan.
type planRecord struct {
	Seats     int    `json:"seats"`
	Unfilled  int    `json:"unfilled"`
	TotalCost int64  `json:"total_cost"`
	SHA256    string `json:"sha256"`
}

func recordOf(t testing.TB, plan Plan) planRecord {
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return planRecord{Seats: len(plan.Assignments), Unfilled: len(plan.Unfilled), TotalCost: plan.TotalCost, SHA256: hex.EncodeToString(sum[:])}
}

// plansBefore reads testdata/plans_before.json.
func plansBefore(t testing.TB) map[string]planRecord {
	b, err := os.ReadFile(filepath.Join("testdata", "plans_before.json"))
	if err != nil {
		t.Fatal(err)
	}
	var before map[string]planRecord
	if err := json.Unmarshal(b, &before); err != nil {
		t.Fatal(err)
	}
	return before
}

func TestPlansEqualThePlansBefore(t *testing.T) {
	before := plansBefore(t)
	for _, c := range equalityCases(testing.Short()) {
		want, ok := before[c.name]
		if !ok {
			t.Errorf("%s: no plan recorded before", c.name)
			continue
		}
		got := recordOf(t, MakePlan(c.evals, c.cands, c.opt))
		if got.Seats != want.Seats || got.TotalCost != want.TotalCost {
			t.Errorf("%s: %d seats at cost %d, before %d at %d", c.name, got.Seats, got.TotalCost, want.Seats, want.TotalCost)
		} else if got != want {
			t.Errorf("%s: same seats and cost, but a different plan (%s, before %s)", c.name, got.SHA256[:12], want.SHA256[:12])
		}
	}
}

// TestSolverEqualsTheSolverBefore builds random networks (layered like a plan's, plus random
// extra edges, capacities 1 to 3, costs 0 to 20) in both solvers, edge for edge, and wants the
// same flow, the same cost and the same flow on every edge.
func TestSolverEqualsTheSolverBefore(t *testing.T) {
	for seed := uint64(1); seed <= 400; seed++ {
		r := rand.New(rand.NewPCG(seed, 29))
		n := 4 + r.IntN(80)
		type edge struct {
			u, v, c int32
			cost    int64
		}
		var edges []edge
		add := func(u, v int32, c int32, cost int64) { edges = append(edges, edge{u, v, c, cost}) }
		// source 0 → first third → middle → sink 1, then random edges anywhere.
		third := max(1, (n-2)/3)
		for v := 2; v < 2+third && v < n; v++ {
			add(0, int32(v), int32(1+r.IntN(2)), 0)
		}
		for range 4 * n {
			u, v := int32(2+r.IntN(n-2)), int32(2+r.IntN(n-2))
			if u != v {
				add(u, v, int32(1+r.IntN(3)), int64(r.IntN(21)))
			}
		}
		for v := n - 1; v >= 2+third; v-- {
			if r.IntN(2) == 0 {
				add(int32(v), 1, int32(1+r.IntN(3)), int64(r.IntN(10)))
			}
		}
		for range r.IntN(n) {
			u, v := int32(r.IntN(n)), int32(r.IntN(n))
			if u != v {
				add(u, v, int32(1+r.IntN(3)), int64(r.IntN(21)))
			}
		}
		old, b := newOldMCF(n, len(edges)), newGraphBuilder(int32(n))
		for _, e := range edges {
			old.addEdge(e.u, e.v, e.c, e.cost)
			b.addEdge(e.u, e.v, e.c, e.cost)
		}
		b.allocate()
		for _, e := range edges {
			b.addEdge(e.u, e.v, e.c, e.cost)
		}
		m := int32(len(edges))
		g := b.network()
		wantFlow, wantCost := old.solve(0, 1)
		gotFlow, gotCost := g.solve(0, 1)
		if gotFlow != wantFlow || gotCost != wantCost {
			t.Fatalf("seed %d (%d nodes, %d edges): flow %d at cost %d, before %d at %d", seed, n, m, gotFlow, gotCost, wantFlow, wantCost)
		}
		for i := range m {
			if got, want := g.arcs[g.fwd[i]].capa, old.capa[2*i]; got != want {
				t.Fatalf("seed %d: edge %d has %d left, before %d", seed, i, got, want)
			}
		}
	}
}

// TestComponentsFlowEqualsTheOneGraphFlow: on random registries (one and three years,
// capacities 1 to 3, existing load, previous teams and exclusions, pruned and unpruned), the
// planner's flow, one component at a time on the new solver, seats the same person on every
// seat as the old solver on one graph of every slot, at the same cost.
func TestComponentsFlowEqualsTheOneGraphFlow(t *testing.T) {
	type size struct {
		inst, rev int
		seeds     uint64
	}
	sizes := []size{{8, 20, 40}, {20, 60, 30}, {60, 250, 10}, {300, 1000, 3}}
	if testing.Short() {
		sizes = sizes[:3]
	}
	for _, sz := range sizes {
		for seed := uint64(100); seed < 100+sz.seeds; seed++ {
			for _, years := range []int{1, 2, 3} {
				evals, cands := perturbed(sz.inst, sz.rev, seed, years)
				ks := []int{DefaultK, 5}
				if sz.inst <= 60 {
					ks = append(ks, Unlimited)
				}
				for _, k := range ks {
					opt := Options{Capacity: 1 + int(seed%3), K: k}
					p := newPlanner(sortEvaluations(evals), cands, opt)
					p.prune()
					wantChosen, wantCosts, wantTotal := p.oldSolve()
					p.solve()
					if p.total != wantTotal {
						t.Fatalf("%dx%d seed %d, %d year(s), K %d: flow cost %d, one graph %d", sz.inst, sz.rev, seed, years, k, p.total, wantTotal)
					}
					got := make([]int32, len(p.slots))
					for i, s := range p.slots {
						got[i] = s.chosen
						if s.chosen >= 0 && s.cost != wantCosts[i] {
							t.Fatalf("%dx%d seed %d, %d year(s), K %d: slot %d costs %d, one graph %d", sz.inst, sz.rev, seed, years, k, i, s.cost, wantCosts[i])
						}
					}
					if !slices.Equal(got, wantChosen) {
						t.Fatalf("%dx%d seed %d, %d year(s), K %d: different people seated than on one graph", sz.inst, sz.rev, seed, years, k)
					}
				}
			}
		}
	}
}
