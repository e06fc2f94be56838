package planning

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// checkPlan asserts the plan breaks no hard rule, no capacity and seats nobody twice on a team.
func checkPlan(t *testing.T, evals []Evaluation, cands []domain.Candidate, plan Plan, capacity int) {
	t.Helper()
	byID := map[string]domain.Candidate{}
	for _, c := range cands {
		byID[c.PersonID] = c
	}
	byEval := map[string]Evaluation{}
	for _, e := range evals {
		byEval[fmt.Sprint(e.Institution.ID, "/", e.Cycle)] = e
	}
	perYear := map[string]int{}
	team := map[string]bool{}
	seat := map[string]bool{}
	for _, a := range plan.Assignments {
		key := fmt.Sprint(a.InstitutionID, "/", a.Cycle)
		ev, ok := byEval[key]
		if !ok {
			t.Fatalf("assignment for unknown evaluation %s", key)
		}
		c := byID[a.PersonID]
		if v := domain.Violations(ev.Institution, c, a.Seat, ev.On, capacity); len(v) > 0 {
			t.Errorf("%s %s %s breaks %v", key, a.Seat, a.PersonID, v)
		}
		if reason := unrelatedRepresentative(ev.Institution, c); reason != "" {
			t.Errorf("%s %s %s: %s", key, a.Seat, a.PersonID, reason)
		}
		if slices.Contains(ev.Exclude, a.PersonID) {
			t.Errorf("%s %s: excluded %s proposed", key, a.Seat, a.PersonID)
		}
		py := fmt.Sprint(a.PersonID, "/", ev.On.Year)
		perYear[py]++
		if got := c.EvaluationsByYear[ev.On.Year] + perYear[py]; got > capacity {
			t.Errorf("%s has %d evaluations in %d (capacity %d)", a.PersonID, got, ev.On.Year, capacity)
		}
		if team[key+"/"+a.PersonID] {
			t.Errorf("%s sits twice on the team of %s", a.PersonID, key)
		}
		team[key+"/"+a.PersonID] = true
		if seat[key+"/"+string(a.Seat)] {
			t.Errorf("seat %s of %s filled twice", a.Seat, key)
		}
		seat[key+"/"+string(a.Seat)] = true
	}
	for _, u := range plan.Unfilled {
		if seat[fmt.Sprint(u.InstitutionID, "/", u.Cycle, "/", u.Seat)] {
			t.Errorf("seat %s of %s both filled and unfilled", u.Seat, u.InstitutionID)
		}
	}
	want := 0
	for _, e := range evals {
		if e.Seats == nil {
			want += len(AllSeats())
		} else {
			want += len(e.Seats)
		}
	}
	if got := len(plan.Assignments) + len(plan.Unfilled); got != want {
		t.Errorf("%d seats accounted for, want %d", got, want)
	}
}

// unrelatedRepresentative is the similar-institution rule for representatives written out
// apart from domain's, so the plan is checked against PRODUCT.md §4 and not only against the
// function it filters with: a user or relative representative speaks for a target group of
// the institution, or, naming none, comes from a home institution that serves one.
func unrelatedRepresentative(in domain.InstitutionFacts, c domain.Candidate) string {
	if c.Role != domain.RoleUserRepresentative && c.Role != domain.RoleRelativeRepresentative {
		return ""
	}
	groups := c.TargetGroups
	if len(groups) == 0 {
		if c.HomeInstitution == "" {
			return "representative with neither target groups nor a home institution proposed"
		}
		groups = c.HomeTargetGroups
	}
	for _, g := range groups {
		if slices.Contains(in.TargetGroups, g) {
			return ""
		}
	}
	return fmt.Sprintf("representative for %v proposed for an institution serving %v", groups, in.TargetGroups)
}

func TestPlanNeverBreaksARule(t *testing.T) {
	for _, size := range []struct{ inst, rev int }{{20, 60}, {40, 150}, {300, 1000}} {
		for seed := uint64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("%dx%d/seed%d", size.inst, size.rev, seed), func(t *testing.T) {
				evals, cands := generated(size.inst, size.rev, seed)
				r := rand.New(rand.NewPCG(seed, 9))
				// Some existing load, previous teams and exclusions.
				for i := range cands {
					if r.IntN(5) == 0 {
						cands[i].EvaluationsByYear = map[int]int{2027: r.IntN(4)}
					}
				}
				for i := range evals {
					if r.IntN(3) == 0 {
						evals[i].Institution.PreviousTeam = []string{cands[r.IntN(len(cands))].PersonID}
						evals[i].Exclude = []string{cands[r.IntN(len(cands))].PersonID}
					}
				}
				capacity := 1 + int(seed%3)
				plan := MakePlan(evals, cands, Options{Capacity: capacity})
				checkPlan(t, evals, cands, plan, capacity)
				if len(plan.Assignments) == 0 {
					t.Fatal("empty plan")
				}
				var sum int64
				for _, a := range plan.Assignments {
					sum += a.Cost
					if len(a.Reasons) < 4 {
						t.Errorf("assignment without reasons: %+v", a)
					}
				}
				if sum != plan.TotalCost {
					t.Errorf("costs sum to %d, total %d", sum, plan.TotalCost)
				}
			})
		}
	}
}

func TestPruningIsNearTheUnprunedOptimum(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		evals, cands := generated(300, 1000, seed)
		pruned := MakePlan(evals, cands, Options{Capacity: 3})
		checkPlan(t, evals, cands, pruned, 3)
		pruned = MakePlan(evals, cands, Options{Capacity: 3, NoPairing: true})
		full := MakePlan(evals, cands, Options{Capacity: 3, K: Unlimited, NoPairing: true})
		// Same seats filled; cost within 0.5% of the unpruned optimum.
		if len(pruned.Assignments) != len(full.Assignments) || float64(pruned.TotalCost) > 1.005*float64(full.TotalCost) {
			t.Errorf("seed %d: K=%d fills %d at cost %d, unpruned fills %d at cost %d", seed, DefaultK,
				len(pruned.Assignments), pruned.TotalCost, len(full.Assignments), full.TotalCost)
		}
	}
}

func TestEligibleAgreesWithViolations(t *testing.T) {
	evals, cands := generated(40, 200, 7)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range cands {
		if r.IntN(4) == 0 {
			cands[i].EvaluationsByYear = map[int]int{2027: r.IntN(4)}
		}
	}
	for _, ev := range evals {
		ev.Institution.PreviousTeam = []string{cands[r.IntN(len(cands))].PersonID}
		on := ev.On.AddDays(-r.IntN(4000)) // also dates when trainings and employments were recent
		for _, c := range cands {
			for _, seat := range AllSeats() {
				want := len(domain.Violations(ev.Institution, c, seat, on, 3)) == 0
				if got := Eligible(ev.Institution, &c, seat, on, 3); got != want {
					t.Fatalf("%s %s %s on %s: Eligible %v, Violations %v", ev.Institution.ID, c.PersonID, seat, on, got,
						domain.Violations(ev.Institution, c, seat, on, 3))
				}
			}
		}
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	evals, cands := generated(60, 250, 3)
	a := MakePlan(evals, cands, Options{Capacity: 2})
	b := MakePlan(evals, cands, Options{Capacity: 2})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same input, different plans")
	}
	r := rand.New(rand.NewPCG(1, 2))
	e2, c2 := slices.Clone(evals), slices.Clone(cands)
	r.Shuffle(len(e2), func(i, j int) { e2[i], e2[j] = e2[j], e2[i] })
	r.Shuffle(len(c2), func(i, j int) { c2[i], c2[j] = c2[j], c2[i] })
	if c := MakePlan(e2, c2, Options{Capacity: 2}); !reflect.DeepEqual(a, c) {
		t.Fatal("shuffled input, different plan")
	}
}

// tiny builds a small contested instance by hand: few candidates, low capacity.
func tiny(seed uint64) ([]Evaluation, []domain.Candidate) {
	r := rand.New(rand.NewPCG(seed, 3))
	regions := domain.Regions()
	groups := []domain.TargetGroup{domain.Autism, domain.MentalIllness}
	on := domain.NewDate(2027, 3, 1)
	var evals []Evaluation
	for i := 0; i < 2+r.IntN(2); i++ {
		evals = append(evals, Evaluation{Cycle: 1, On: on.AddDays(i * 30), Institution: domain.InstitutionFacts{
			ID: fmt.Sprintf("I-%d", i), Region: regions[r.IntN(2)], TargetGroups: []domain.TargetGroup{groups[r.IntN(2)]}},
			Seats: []domain.TeamRole{domain.SeatLead, domain.SeatProfessional, domain.SeatUser}})
	}
	var cands []domain.Candidate
	for i := 0; i < 6+r.IntN(3); i++ {
		c := domain.Candidate{PersonID: fmt.Sprintf("P-%d", i), Region: regions[r.IntN(5)], Role: domain.RoleReviewer,
			HomeInstitution: "X", HomeTargetGroups: []domain.TargetGroup{groups[r.IntN(2)]},
			Trainings:   map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1)},
			Evaluations: r.IntN(3), EvaluationsByYear: map[int]int{2027: r.IntN(2)}}
		c.Led = r.IntN(c.Evaluations + 1)
		if r.IntN(2) == 0 {
			c.Trainings[domain.TrainingLead] = domain.NewDate(2021, 1, 1)
		}
		if r.IntN(4) == 0 {
			c.Role = domain.RoleUserRepresentative
			c.HomeInstitution, c.HomeTargetGroups = "", nil
			c.TargetGroups = []domain.TargetGroup{groups[r.IntN(2)]}
			c.Trainings = map[domain.TrainingKind]domain.Date{domain.TrainingRepresentative: domain.NewDate(2020, 1, 1)}
		}
		cands = append(cands, c)
	}
	return evals, cands
}

// bruteForce tries every assignment of an eligible candidate (or nobody) to every seat: the
// most seats filled, then the least cost.
func bruteForce(evals []Evaluation, cands []domain.Candidate, capacity int) (int, int64) {
	type slotT struct {
		ev   int
		seat domain.TeamRole
		opts []int
	}
	var slots []slotT
	for i, e := range evals {
		for _, s := range e.Seats {
			st := slotT{ev: i, seat: s}
			for ci := range cands {
				if Eligible(e.Institution, &cands[ci], s, e.On, capacity) {
					st.opts = append(st.opts, ci)
				}
			}
			slots = append(slots, st)
		}
	}
	bestN, bestCost := -1, int64(0)
	used := map[[2]int]int{}
	team := map[[2]int]bool{}
	var rec func(k, n int, cost int64)
	rec = func(k, n int, cost int64) {
		if k == len(slots) {
			if n > bestN || (n == bestN && cost < bestCost) {
				bestN, bestCost = n, cost
			}
			return
		}
		s := slots[k]
		ev := evals[s.ev]
		rec(k+1, n, cost)
		for _, ci := range s.opts {
			c := &cands[ci]
			y := [2]int{ci, ev.On.Year}
			have := c.EvaluationsByYear[ev.On.Year] + used[y]
			if team[[2]int{s.ev, ci}] || have >= capacity {
				continue
			}
			team[[2]int{s.ev, ci}] = true
			used[y]++
			rec(k+1, n+1, cost+EdgeCost(ev.Institution, c, s.seat)+LoadCost(have))
			used[y]--
			team[[2]int{s.ev, ci}] = false
		}
	}
	rec(0, 0, 0)
	return bestN, bestCost
}

func TestPlanEqualsBruteForceOnTinyInstances(t *testing.T) {
	for seed := uint64(1); seed <= 25; seed++ {
		evals, cands := tiny(seed)
		capacity := 1 + int(seed%2)
		wantN, wantCost := bruteForce(evals, cands, capacity)
		plan := MakePlan(evals, cands, Options{Capacity: capacity, NoPairing: true})
		checkPlan(t, evals, cands, plan, capacity)
		checkPlan(t, evals, cands, MakePlan(evals, cands, Options{Capacity: capacity}), capacity)
		if len(plan.Assignments) != wantN || plan.TotalCost != wantCost {
			t.Errorf("seed %d: plan fills %d at cost %d, brute force %d at %d", seed, len(plan.Assignments), plan.TotalCost, wantN, wantCost)
		}
	}
}

func TestOnePersonOncePerTeam(t *testing.T) {
	// One person qualified for both lead and professional, and nobody else: one seat only.
	in := domain.InstitutionFacts{ID: "I", Region: domain.Hovedstaden, TargetGroups: []domain.TargetGroup{domain.Autism}}
	c := domain.Candidate{PersonID: "P", Role: domain.RoleReviewer, Region: domain.Sjaelland, HomeInstitution: "X",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Led: 2, Evaluations: 3,
		Trainings: map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1), domain.TrainingLead: domain.NewDate(2021, 1, 1)}}
	got := ProposeTeam(in, []domain.Candidate{c}, []domain.TeamRole{domain.SeatLead, domain.SeatProfessional}, nil, domain.NewDate(2027, 1, 1), 3)
	if got[0].Found == got[1].Found {
		t.Fatalf("want exactly one of lead and professional filled, got %+v", got)
	}
	got = ProposeTeam(in, []domain.Candidate{c}, []domain.TeamRole{domain.SeatLead, domain.SeatProfessional}, map[string]bool{"P": true}, domain.NewDate(2027, 1, 1), 3)
	if got[0].Found || got[1].Found {
		t.Fatalf("excluded person proposed: %+v", got)
	}
}

func TestProposeTeamFollowsRulesAndOrder(t *testing.T) {
	evals, cands := generated(40, 160, 5)
	for _, ev := range evals[:10] {
		seats := []domain.TeamRole{domain.SeatUser, domain.SeatLead, domain.SeatProfessional, domain.SeatRelative, domain.SeatTrainee}
		props := ProposeTeam(ev.Institution, cands, seats, map[string]bool{}, ev.On, 3)
		if len(props) != len(seats) {
			t.Fatalf("%d proposals for %d seats", len(props), len(seats))
		}
		var plan Plan
		for i, p := range props {
			if p.Seat != seats[i] {
				t.Fatalf("proposal %d is for %s, want %s", i, p.Seat, seats[i])
			}
			if p.Found {
				plan.Assignments = append(plan.Assignments, Assignment{InstitutionID: ev.Institution.ID, Cycle: ev.Cycle, Seat: p.Seat, PersonID: p.PersonID})
			} else {
				plan.Unfilled = append(plan.Unfilled, Unfilled{InstitutionID: ev.Institution.ID, Cycle: ev.Cycle, Seat: p.Seat})
			}
		}
		ev.Seats = seats
		checkPlan(t, []Evaluation{ev}, cands, plan, 3)
		again := ProposeTeam(ev.Institution, cands, seats, map[string]bool{}, ev.On, 3)
		if !reflect.DeepEqual(props, again) {
			t.Fatal("ProposeTeam is not deterministic")
		}
	}
}

func TestFirstTimeProfessionalGetsAnExperiencedLead(t *testing.T) {
	in := domain.InstitutionFacts{ID: "I", Region: domain.Hovedstaden, TargetGroups: []domain.TargetGroup{domain.Autism}}
	trained := func() map[domain.TrainingKind]domain.Date {
		return map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1), domain.TrainingLead: domain.NewDate(2021, 1, 1)}
	}
	near := domain.Candidate{PersonID: "P-near", Role: domain.RoleReviewer, Region: domain.Sjaelland, HomeInstitution: "X",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: trained()}
	far := domain.Candidate{PersonID: "P-far", Role: domain.RoleReviewer, Region: domain.Nordjylland, HomeInstitution: "Y",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: trained(), Led: 3, Evaluations: 5,
		EvaluationsByYear: map[int]int{2027: 2}} // dearer than near: the flow alone seats near
	novice := domain.Candidate{PersonID: "P-novice", Role: domain.RoleReviewer, Region: domain.Sjaelland, HomeInstitution: "X",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1)}}
	got := ProposeTeam(in, []domain.Candidate{near, far, novice}, []domain.TeamRole{domain.SeatLead, domain.SeatProfessional}, nil, domain.NewDate(2027, 1, 1), 3)
	if got[0].PersonID != "P-far" {
		t.Fatalf("want the experienced lead with a first-time professional, got %+v", got)
	}
}

func TestPairingRepairIsNeededInTheExample(t *testing.T) {
	// Without the repair the flow seats the cheaper first-time lead.
	in := domain.InstitutionFacts{ID: "I", Region: domain.Hovedstaden, TargetGroups: []domain.TargetGroup{domain.Autism}}
	tr := map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1), domain.TrainingLead: domain.NewDate(2021, 1, 1)}
	near := domain.Candidate{PersonID: "P-near", Role: domain.RoleReviewer, Region: domain.Sjaelland, HomeInstitution: "X",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: tr}
	far := domain.Candidate{PersonID: "P-far", Role: domain.RoleReviewer, Region: domain.Nordjylland, HomeInstitution: "Y",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: tr, Led: 3, Evaluations: 5, EvaluationsByYear: map[int]int{2027: 2}}
	novice := domain.Candidate{PersonID: "P-novice", Role: domain.RoleReviewer, Region: domain.Sjaelland, HomeInstitution: "X",
		HomeTargetGroups: []domain.TargetGroup{domain.Autism}, Trainings: map[domain.TrainingKind]domain.Date{domain.TrainingEvaluator: domain.NewDate(2020, 1, 1)}}
	ev := Evaluation{Institution: in, On: domain.NewDate(2027, 1, 1), Seats: []domain.TeamRole{domain.SeatLead, domain.SeatProfessional}}
	plan := MakePlan([]Evaluation{ev}, []domain.Candidate{near, far, novice}, Options{NoPairing: true, K: Unlimited})
	if plan.Assignments[0].PersonID != "P-near" {
		t.Fatalf("flow alone: %+v", plan.Assignments)
	}
}

// TestPlanNeverProposesARepresentativeOfAnUnrelatedTargetGroup: on generated registries where
// representatives speak for target groups, have a home institution, both, or (left over from
// before the column) neither, every representative the plan seats shares a target group with
// the institution (checkPlan's unrelatedRepresentative), and the representatives' seats are
// still filled from those who do.
func TestPlanNeverProposesARepresentativeOfAnUnrelatedTargetGroup(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		evals, cands := generated(60, 240, seed)
		r := rand.New(rand.NewPCG(seed, 11))
		for i := range cands {
			c := &cands[i]
			if !c.Role.IsRepresentative() {
				continue
			}
			switch r.IntN(4) {
			case 0: // speaks for groups other than the home institution's
				c.TargetGroups = []domain.TargetGroup{domain.TargetGroups()[r.IntN(7)]}
			case 1: // neither: stored before target groups were required
				c.HomeInstitution, c.HomeTargetGroups, c.TargetGroups = "", nil, nil
			}
		}
		plan := MakePlan(evals, cands, Options{Capacity: 3})
		checkPlan(t, evals, cands, plan, 3)
		reps := 0
		for _, a := range plan.Assignments {
			if a.Seat == domain.SeatUser || a.Seat == domain.SeatRelative {
				reps++
			}
		}
		if reps == 0 {
			t.Errorf("seed %d: no representative seated at all", seed)
		}
	}
}

// TestProposeTeamSkipsTheCloserRepresentativeOfAnotherTargetGroup: the nearest representative
// speaks for people with mental illness; the institution serves people with intellectual
// disabilities, so the farther representative who speaks for them is proposed, with the
// shared group as the reason; with only the unrelated one the seat stays empty.
func TestProposeTeamSkipsTheCloserRepresentativeOfAnotherTargetGroup(t *testing.T) {
	in := domain.InstitutionFacts{ID: "H-01", Region: domain.Hovedstaden, TargetGroups: []domain.TargetGroup{domain.IntellectualDisability}}
	tr := map[domain.TrainingKind]domain.Date{domain.TrainingRepresentative: domain.NewDate(2022, 1, 1)}
	near := domain.Candidate{PersonID: "P-near", Role: domain.RoleRelativeRepresentative, Region: domain.Sjaelland,
		TargetGroups: []domain.TargetGroup{domain.MentalIllness}, Trainings: tr}
	nearHome := domain.Candidate{PersonID: "P-near-home", Role: domain.RoleRelativeRepresentative, Region: domain.Sjaelland,
		HomeInstitution: "S-04", HomeTargetGroups: []domain.TargetGroup{domain.MentalIllness}, Trainings: tr}
	nowhere := domain.Candidate{PersonID: "P-nowhere", Role: domain.RoleRelativeRepresentative, Region: domain.Sjaelland, Trainings: tr}
	far := domain.Candidate{PersonID: "P-far", Role: domain.RoleRelativeRepresentative, Region: domain.Nordjylland,
		HomeInstitution: "N-04", HomeTargetGroups: []domain.TargetGroup{domain.MentalIllness},
		TargetGroups: []domain.TargetGroup{domain.Autism, domain.IntellectualDisability}, Trainings: tr}
	on := domain.NewDate(2027, 3, 1)
	seats := []domain.TeamRole{domain.SeatRelative}
	got := ProposeTeam(in, []domain.Candidate{near, nearHome, nowhere, far}, seats, nil, on, 3)
	if len(got) != 1 || !got[0].Found || got[0].PersonID != "P-far" {
		t.Fatalf("proposed %+v, want P-far", got)
	}
	if !slices.Contains(got[0].Reasons, "speaks for intellectual-disability, which the institution also serves") {
		t.Errorf("reasons %q do not name the shared target group", got[0].Reasons)
	}
	if got := ProposeTeam(in, []domain.Candidate{near, nearHome, nowhere}, seats, nil, on, 3); len(got) != 1 || got[0].Found {
		t.Errorf("with only representatives of other groups, proposed %+v, want nobody", got)
	}
}

// TestWalkVisitsExactlyTheEligible: the planner's walk, which leaves some hard rules to the
// buckets it walks, visits exactly the candidates Eligible accepts (and that are not
// excluded), each once, in order of cost, on perturbed registries over three years with
// evaluation days where trainings and employments were recent.
func TestWalkVisitsExactlyTheEligible(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		evals, cands := perturbed(60, 300, seed, 3)
		r := rand.New(rand.NewPCG(seed, 23))
		for i := range evals {
			evals[i].On = evals[i].On.AddDays(-r.IntN(4000))
		}
		// People at home, employed or in conflict at institutions of any region, with
		// employments ending around the quarantine's edge.
		for i := range cands {
			c := &cands[i]
			in := evals[r.IntN(len(evals))].Institution
			switch r.IntN(6) {
			case 0:
				c.HomeInstitution = in.ID
			case 1:
				to := domain.Date{}
				if r.IntN(3) > 0 {
					to = domain.NewDate(2020, 1, 1).AddDays(r.IntN(3000))
				}
				c.Employments = append(slices.Clone(c.Employments), domain.Employment{InstitutionID: in.ID, From: domain.NewDate(2010, 1, 1), To: to})
			case 2:
				c.Conflicts = append(slices.Clone(c.Conflicts), in.ID)
			}
		}
		capacity := 1 + int(seed%3)
		p := newPlanner(sortEvaluations(evals), cands, Options{Capacity: capacity, K: Unlimited})
		stamp := make([]int32, len(p.cands))
		mark := int32(0)
		visits := 0
		for ei := range p.evals {
			ev := &p.evals[ei]
			for _, seat := range AllSeats() {
				mark++
				got := map[int32]bool{}
				last := int64(-1)
				p.walk(ev, seat, stamp, mark, true, func(idx int32, key int64) bool {
					if got[idx] {
						t.Errorf("%s %s: %s visited twice", ev.Institution.ID, seat, p.cands[idx].PersonID)
					}
					got[idx] = true
					visits++
					if key < last {
						t.Errorf("%s %s: key %d after %d", ev.Institution.ID, seat, key, last)
					}
					last = key
					if want := EdgeCost(ev.Institution, &p.cands[idx], seat) + LoadCost(p.cands[idx].EvaluationsByYear[ev.On.Year]); key != want {
						t.Errorf("%s %s %s: key %d, cost %d", ev.Institution.ID, seat, p.cands[idx].PersonID, key, want)
					}
					return true
				})
				for i := range p.cands {
					c := &p.cands[i]
					want := Eligible(ev.Institution, c, seat, ev.On, capacity) && !slices.Contains(ev.Exclude, c.PersonID)
					if got[int32(i)] != want {
						t.Fatalf("%s %s on %s, %s: visited %v, eligible %v (%v)", ev.Institution.ID, seat, ev.On, c.PersonID, got[int32(i)], want,
							domain.Violations(ev.Institution, *c, seat, ev.On, capacity))
					}
				}
			}
		}
		if visits < 1000 {
			t.Errorf("seed %d: only %d candidates visited over %d evaluations", seed, visits, len(p.evals))
		}
	}
}
