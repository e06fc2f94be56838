package planning

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
)

// MakePlan assigns teams to all evaluations jointly: the most seats that can be filled under
// every hard rule and capacity, at the least total cost (travel, load, experience). The result
// does not depend on the order of evals or candidates.
func MakePlan(evals []Evaluation, candidates []domain.Candidate, opt Options) Plan {
	if opt.Capacity <= 0 {
		opt.Capacity = 3
	}
	if opt.K <= 0 {
		opt.K = DefaultK
	}
	p := newPlanner(sortEvaluations(evals), candidates, opt)
	p.prune()
	p.solve()
	p.fillLeftovers()
	if !opt.NoPairing {
		p.pairFirstTimers()
	}
	return p.result()
}

// ProposeTeam fills seats for one evaluation through the same optimiser (a plan with one
// evaluation, unpruned): one proposal per seat in the order given, Found false when nobody
// eligible is left. exclude are never proposed.
func ProposeTeam(in domain.InstitutionFacts, candidates []domain.Candidate, seats []domain.TeamRole, exclude map[string]bool, on domain.Date, capacity int) []domain.Proposal {
	ev := Evaluation{Institution: in, On: on, Seats: seats}
	for id := range exclude {
		ev.Exclude = append(ev.Exclude, id)
	}
	slices.Sort(ev.Exclude)
	plan := MakePlan([]Evaluation{ev}, candidates, Options{Capacity: capacity, K: Unlimited})
	bySeat := map[domain.TeamRole]Assignment{}
	for _, a := range plan.Assignments {
		bySeat[a.Seat] = a
	}
	out := make([]domain.Proposal, 0, len(seats))
	for _, s := range seats {
		a, ok := bySeat[s]
		if !ok {
			out = append(out, domain.Proposal{Seat: s})
			continue
		}
		out = append(out, domain.Proposal{Seat: s, Found: true, PersonID: a.PersonID, Name: a.Name, Reasons: a.Reasons})
	}
	return out
}

type slot struct {
	eval  int
	seat  domain.TeamRole
	cands []int32 // pruned candidate list, cheapest first
	edges []int32 // forward edge per candidate (slot → gadget or person-year)
	node  int32
	// chosen candidate, -1 when unfilled
	chosen int32
	cost   int64 // edge cost of the chosen candidate
}

type bucketEntry struct {
	idx  int32
	cost int64 // personal cost: seat cost + load cost of the existing load
}

type bucket struct {
	entries []bucketEntry
	runs    []int32 // start of each run of equal cost, plus len(entries)
}

type bucketKey struct {
	seat  domain.TeamRole
	year  int
	reg   domain.Region
	group domain.TargetGroup // one of domain.Candidate.ComparedTargetGroups
}

type pyKey struct {
	cand int32
	year int
}

type planner struct {
	evals   []Evaluation
	cands   []domain.Candidate
	opt     Options
	buckets map[bucketKey]*bucket
	built   map[[2]any]bool
	slots   []slot
	g       *mcf
	py      map[pyKey]int32 // person-year node
	used    map[pyKey]int   // planned evaluations per person-year
	// needLed makes candidatesFor keep only people who have led before.
	needLed bool
	paired  map[int]bool // slots whose lead was replaced to pair with a first-time professional
	phases  int
	total   int64
}

func newPlanner(evals []Evaluation, candidates []domain.Candidate, opt Options) *planner {
	cands := slices.Clone(candidates)
	slices.SortStableFunc(cands, func(a, b domain.Candidate) int { return cmp.Compare(a.PersonID, b.PersonID) })
	return &planner{evals: evals, cands: cands, opt: opt, buckets: map[bucketKey]*bucket{},
		built: map[[2]any]bool{}, py: map[pyKey]int32{}, used: map[pyKey]int{}}
}

// index builds, once per seat and year, the buckets of candidates by region and home target
// group, each sorted by personal cost and then ID.
func (p *planner) index(seat domain.TeamRole, year int) {
	k := [2]any{seat, year}
	if p.built[k] {
		return
	}
	p.built[k] = true
	role := seat.PersonRoleFor()
	kind, needsTraining := seat.TrainingFor()
	for i := range p.cands {
		c := &p.cands[i]
		if c.Role != role || c.EvaluationsByYear[year] >= p.opt.Capacity {
			continue
		}
		// Leave out who cannot hold the seat on any day of the year (exact: the rules
		// are checked again per evaluation).
		if needsTraining {
			if d, ok := c.Trainings[kind]; !ok || d.Year > year {
				continue
			}
		} else if d, ok := c.Trainings[domain.TrainingEvaluator]; ok && d.Year < year {
			continue // trained before the year began: no longer a trainee
		}
		e := bucketEntry{idx: int32(i), cost: seatCost(c, seat) + LoadCost(c.EvaluationsByYear[year])}
		// Bucketed by the target groups the similar-institution rule compares: a
		// representative's own groups, or their home institution's. Who has none is in no
		// bucket, as the rule excludes them everywhere.
		for _, g := range c.ComparedTargetGroups() {
			bk := bucketKey{seat, year, c.Region, g}
			b := p.buckets[bk]
			if b == nil {
				b = &bucket{}
				p.buckets[bk] = b
			}
			b.entries = append(b.entries, e)
		}
	}
	for bk, b := range p.buckets {
		if bk.seat != seat || bk.year != year || b.runs != nil {
			continue
		}
		slices.SortStableFunc(b.entries, func(x, y bucketEntry) int {
			if c := cmp.Compare(x.cost, y.cost); c != 0 {
				return c
			}
			return cmp.Compare(x.idx, y.idx)
		})
		for i := range b.entries {
			if i == 0 || b.entries[i].cost != b.entries[i-1].cost {
				b.runs = append(b.runs, int32(i))
			}
		}
		b.runs = append(b.runs, int32(len(b.entries)))
	}
}

type cursor struct {
	b        *bucket
	travel   int64
	run, pos int
	rot      uint32
}

func (c *cursor) key() int64 {
	if c.run >= len(c.b.runs)-1 {
		return inf
	}
	return c.travel + c.b.entries[c.b.runs[c.run]].cost
}

func (c *cursor) take() int32 {
	start, end := int(c.b.runs[c.run]), int(c.b.runs[c.run+1])
	n := end - start
	e := c.b.entries[start+(int(c.rot)+c.pos)%n]
	c.pos++
	if c.pos == n {
		c.run++
		c.pos = 0
	}
	return e.idx
}

// candidatesFor walks the buckets that can hold eligible people for the seat, cheapest first
// (travel + personal cost), and returns up to k eligible candidates. Within a run of equal
// cost the walk starts at a point given by a hash of institution and seat, so equally good
// people are spread over evaluations instead of every evaluation keeping the same k.
func (p *planner) candidatesFor(ev *Evaluation, seat domain.TeamRole, k int, stamp []int32, mark int32, ignoreUsed bool) []int32 {
	in := ev.Institution
	year := ev.On.Year
	p.index(seat, year)
	rot := hash32(in.ID, string(seat))
	groups := in.TargetGroups
	var cs []cursor
	for _, r := range domain.Regions() {
		if r == in.Region {
			continue
		}
		for _, g := range groups {
			if b := p.buckets[bucketKey{seat, year, r, g}]; b != nil && len(b.entries) > 0 {
				cs = append(cs, cursor{b: b, travel: travelCost(in.Region, r), rot: rot})
			}
		}
	}
	since := domain.EmploymentQuarantine.SubtractFrom(ev.On)
	var out []int32
	for len(out) < k {
		best := -1
		bestKey := inf
		for i := range cs {
			if kk := cs[i].key(); kk < bestKey {
				best, bestKey = i, kk
			}
		}
		if best < 0 {
			break
		}
		idx := cs[best].take()
		if stamp[idx] == mark {
			continue
		}
		stamp[idx] = mark
		c := &p.cands[idx]
		if (p.needLed && c.Led == 0) || slices.Contains(ev.Exclude, c.PersonID) || !eligible(in, c, seat, ev.On, p.opt.Capacity, since) {
			continue
		}
		if !ignoreUsed && c.EvaluationsByYear[year]+p.used[pyKey{idx, year}] >= p.opt.Capacity {
			continue
		}
		out = append(out, idx)
	}
	return out
}

func (p *planner) prune() {
	stamp := make([]int32, len(p.cands))
	mark := int32(0)
	for ei := range p.evals {
		ev := &p.evals[ei]
		if ev.Seats == nil {
			ev.Seats = AllSeats()
		}
		for _, s := range ev.Seats {
			mark++
			p.slots = append(p.slots, slot{eval: ei, seat: s, chosen: -1,
				cands: p.candidatesFor(ev, s, p.opt.K, stamp, mark, true)})
		}
	}
}

func (p *planner) solve() {
	edges := 0
	for _, s := range p.slots {
		edges += 2 * len(s.cands)
	}
	g := newMCF(2, edges+len(p.slots))
	p.g = g
	const src, sink = int32(0), int32(1)
	count := map[int32]int{}
	gadget := map[int32]int32{}
	for i := 0; i < len(p.slots); {
		j := i
		for j < len(p.slots) && p.slots[j].eval == p.slots[i].eval {
			j++
		}
		year := p.evals[p.slots[i].eval].On.Year
		clear(count)
		clear(gadget)
		for k := i; k < j; k++ {
			for _, c := range p.slots[k].cands {
				count[c]++
			}
		}
		for k := i; k < j; k++ {
			s := &p.slots[k]
			s.node = g.addNode()
			g.addEdge(src, s.node, 1, 0)
			in := p.evals[s.eval].Institution
			for _, c := range s.cands {
				target := p.personYear(c, year)
				if count[c] > 1 {
					gn, ok := gadget[c]
					if !ok {
						gn = g.addNode()
						gadget[c] = gn
						g.addEdge(gn, target, 1, 0)
					}
					target = gn
				}
				s.edges = append(s.edges, g.addEdge(s.node, target, 1, EdgeCost(in, &p.cands[c], s.seat)))
			}
		}
		i = j
	}
	_, p.total = g.solve(src, sink)
	p.phases = g.phases
	for k := range p.slots {
		s := &p.slots[k]
		for i, e := range s.edges {
			if g.capa[e] == 0 {
				s.chosen = s.cands[i]
				s.cost = g.cost[e]
				p.used[pyKey{s.chosen, p.evals[s.eval].On.Year}]++
			}
		}
	}
}

func (p *planner) personYear(c int32, year int) int32 {
	k := pyKey{c, year}
	if n, ok := p.py[k]; ok {
		return n
	}
	n := p.g.addNode()
	p.py[k] = n
	have := p.cands[c].EvaluationsByYear[year]
	for j := have; j < p.opt.Capacity; j++ {
		p.g.addEdge(n, 1, 1, LoadCost(j))
	}
	return n
}

// fillLeftovers gives a seat the pruning left empty a second chance over every eligible
// candidate with capacity left (cheapest first). With enough K it never finds anyone.
func (p *planner) fillLeftovers() {
	if !slices.ContainsFunc(p.slots, func(s slot) bool { return s.chosen < 0 && len(s.cands) >= p.opt.K }) {
		return
	}
	// Walk only people with capacity left after the flow.
	rest := make(map[bucketKey]*bucket, len(p.buckets))
	for k, b := range p.buckets {
		nb := &bucket{}
		for _, e := range b.entries {
			if p.cands[e.idx].EvaluationsByYear[k.year]+p.used[pyKey{e.idx, k.year}] < p.opt.Capacity {
				nb.entries = append(nb.entries, e)
			}
		}
		for i := range nb.entries {
			if i == 0 || nb.entries[i].cost != nb.entries[i-1].cost {
				nb.runs = append(nb.runs, int32(i))
			}
		}
		nb.runs = append(nb.runs, int32(len(nb.entries)))
		rest[k] = nb
	}
	all := p.buckets
	p.buckets = rest
	defer func() { p.buckets = all }()
	stamp := make([]int32, len(p.cands))
	mark := int32(0)
	for k := range p.slots {
		s := &p.slots[k]
		if s.chosen >= 0 {
			continue
		}
		ev := &p.evals[s.eval]
		mark++
		for _, o := range p.slots {
			if o.eval == s.eval && o.chosen >= 0 {
				stamp[o.chosen] = mark
			}
		}
		if len(s.cands) < p.opt.K {
			continue // the pruned list already held every eligible candidate: the flow was exact
		}
		best := p.candidatesFor(ev, s.seat, Unlimited, stamp, mark, false)
		var pick int32 = -1
		var pickCost int64
		for _, c := range best {
			cost := EdgeCost(ev.Institution, &p.cands[c], s.seat) + LoadCost(p.cands[c].EvaluationsByYear[ev.On.Year]+p.used[pyKey{c, ev.On.Year}])
			if pick < 0 || cost < pickCost {
				pick, pickCost = c, cost
			}
		}
		if pick >= 0 {
			s.chosen = pick
			s.cost = EdgeCost(ev.Institution, &p.cands[pick], s.seat)
			p.used[pyKey{pick, ev.On.Year}]++
			p.total += pickCost
		}
	}
}

// pairFirstTimers enforces the preference "pair a first-time reviewer with an experienced
// lead", which is not a flow constraint (it couples two seats): where the flow seated a
// first-time lead with a first-time professional, the lead is replaced by the cheapest
// experienced lead who is eligible and has capacity left, if there is one.
func (p *planner) pairFirstTimers() {
	p.paired = map[int]bool{}
	stamp := make([]int32, len(p.cands))
	mark := int32(0)
	for i := 0; i < len(p.slots); {
		j := i
		for j < len(p.slots) && p.slots[j].eval == p.slots[i].eval {
			j++
		}
		lead, prof := -1, -1
		for k := i; k < j; k++ {
			switch {
			case p.slots[k].chosen < 0:
			case p.slots[k].seat == domain.SeatLead:
				lead = k
			case p.slots[k].seat == domain.SeatProfessional:
				prof = k
			}
		}
		if lead >= 0 && prof >= 0 && p.cands[p.slots[lead].chosen].Led == 0 && p.cands[p.slots[prof].chosen].Evaluations == 0 {
			ev := &p.evals[p.slots[lead].eval]
			mark++
			for k := i; k < j; k++ {
				if p.slots[k].chosen >= 0 {
					stamp[p.slots[k].chosen] = mark
				}
			}
			p.needLed = true
			found := p.candidatesFor(ev, domain.SeatLead, 1, stamp, mark, false)
			p.needLed = false
			if len(found) == 1 {
				s := &p.slots[lead]
				p.used[pyKey{s.chosen, ev.On.Year}]--
				s.chosen = found[0]
				s.cost = EdgeCost(ev.Institution, &p.cands[s.chosen], s.seat)
				p.used[pyKey{s.chosen, ev.On.Year}]++
				p.paired[lead] = true
			}
		}
		i = j
	}
}

func (p *planner) result() Plan {
	plan := Plan{Assignments: []Assignment{}, Unfilled: []Unfilled{}, Shortages: []Shortage{}}
	// The load cost of each person's n-th planned evaluation goes to the n-th in date order.
	seen := map[pyKey]int{}
	type short struct {
		Shortage
		byYear map[int]int
	}
	shortages := map[[3]string]*short{}
	var total int64
	for i := 0; i < len(p.slots); {
		j := i
		for j < len(p.slots) && p.slots[j].eval == p.slots[i].eval {
			j++
		}
		ev := &p.evals[p.slots[i].eval]
		var lead *domain.Candidate
		for k := i; k < j; k++ {
			if p.slots[k].seat == domain.SeatLead && p.slots[k].chosen >= 0 {
				lead = &p.cands[p.slots[k].chosen]
			}
		}
		for k := i; k < j; k++ {
			s := &p.slots[k]
			if s.chosen < 0 {
				u := Unfilled{InstitutionID: ev.Institution.ID, Cycle: ev.Cycle, On: ev.On, Seat: s.seat,
					Region: ev.Institution.Region}
				if len(ev.Institution.TargetGroups) > 0 {
					u.TargetGroup = ev.Institution.TargetGroups[0]
				}
				u.Eligible = p.countEligible(s)
				if u.Eligible == 0 {
					u.Reason = fmt.Sprintf("nobody in the registry meets the hard rules for the %s seat (region, target group, training, capacity)", s.seat)
				} else {
					u.Reason = fmt.Sprintf("%s eligible person(s), all planned elsewhere or on this team up to their capacity in %d", p.atLeast(u.Eligible), ev.On.Year)
				}
				plan.Unfilled = append(plan.Unfilled, u)
				if s.seat == domain.SeatTrainee {
					continue // optional seat: not a shortage
				}
				key := [3]string{string(u.Region), string(u.TargetGroup), string(u.Seat)}
				sh := shortages[key]
				if sh == nil {
					sh = &short{Shortage: Shortage{Region: u.Region, TargetGroup: u.TargetGroup, Seat: u.Seat}, byYear: map[int]int{}}
					shortages[key] = sh
				}
				sh.Seats++
				sh.byYear[ev.On.Year]++
				continue
			}
			c := &p.cands[s.chosen]
			pk := pyKey{s.chosen, ev.On.Year}
			nth := c.EvaluationsByYear[ev.On.Year] + seen[pk]
			seen[pk]++
			cost := s.cost + LoadCost(nth)
			total += cost
			plan.Assignments = append(plan.Assignments, Assignment{InstitutionID: ev.Institution.ID, Cycle: ev.Cycle,
				On: ev.On, Seat: s.seat, PersonID: c.PersonID, Name: c.Name, Cost: cost,
				Reasons: p.reasons(ev, c, s.seat, nth, lead, p.paired[k])})
		}
		i = j
	}
	for _, sh := range shortages {
		for _, n := range sh.byYear {
			sh.People += (n + p.opt.Capacity - 1) / p.opt.Capacity
		}
		plan.Shortages = append(plan.Shortages, sh.Shortage)
	}
	slices.SortFunc(plan.Shortages, func(a, b Shortage) int {
		return cmp.Or(cmp.Compare(b.Seats, a.Seats), cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.TargetGroup, b.TargetGroup), cmp.Compare(a.Seat, b.Seat))
	})
	plan.TotalCost = total
	plan.Rounds = p.phases
	return plan
}

// countEligible counts the people who meet every hard rule, capacity included, before
// this plan's own assignments.
// The count stops at K (the pruned list), so it reads "at least K" when it equals K.
func (p *planner) countEligible(s *slot) int { return len(s.cands) }

func (p *planner) reasons(ev *Evaluation, c *domain.Candidate, seat domain.TeamRole, nth int, lead *domain.Candidate, paired bool) []string {
	in := ev.Institution
	out := []string{fmt.Sprintf("works in %s, %d region(s) from %s", c.Region.Name(), domain.TravelDistance(in.Region, c.Region), in.Region.Name())}
	shared := groupsString(domain.SharedTargetGroups(&in, c))
	if c.Role.IsRepresentative() && len(c.TargetGroups) > 0 {
		out = append(out, fmt.Sprintf("speaks for %s, which the institution also serves", shared))
	} else {
		out = append(out, fmt.Sprintf("home institution %s also serves %s", c.HomeInstitution, shared))
	}
	if kind, ok := seat.TrainingFor(); ok {
		out = append(out, fmt.Sprintf("%s training completed %s", kind, c.Trainings[kind]))
	} else {
		out = append(out, "trainee: shadows the team")
	}
	out = append(out, fmt.Sprintf("evaluation %d of at most %d in %d (load spread evenly)", nth+1, p.opt.Capacity, ev.On.Year))
	switch seat {
	case domain.SeatLead:
		if paired {
			out = append(out, fmt.Sprintf("experienced lead (has led %d) chosen to pair with a first-time professional", c.Led))
		} else if c.Led > 0 {
			out = append(out, fmt.Sprintf("experienced lead: has led %d evaluation(s)", c.Led))
		} else {
			out = append(out, "first-time lead: no experienced lead was available at lower cost")
		}
	case domain.SeatProfessional, domain.SeatTrainee:
		if c.Evaluations == 0 && lead != nil && lead.Led > 0 {
			out = append(out, fmt.Sprintf("first-time reviewer, paired with experienced lead %s (has led %d)", lead.PersonID, lead.Led))
		}
	}
	out = append(out, "meets every hard rule (other region, similar institution, training, no conflict, not employed there, rotation, capacity)")
	return out
}

func (p *planner) atLeast(n int) string {
	if n >= p.opt.K {
		return fmt.Sprintf("%d or more", n)
	}
	return fmt.Sprint(n)
}
