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
	edges []int32 // graph edge per candidate (slot → gadget or person-year)
	// chosen candidate, -1 when unfilled
	chosen int32
	cost   int64 // edge cost of the chosen candidate
}

// bucketEntry is a candidate in a bucket, with what the walk needs to know of them without
// looking into the candidate: the personal cost, the load before this plan, and the training
// date that decides on which days they can hold the seat (seatTraining).
type bucketEntry struct {
	idx      int32
	load     int32 // evaluations in the bucket's year before this plan
	cost     int64 // personal cost: seat cost + load cost of the existing load
	trained  domain.Date
	hasTrain bool
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

type planner struct {
	evals   []Evaluation
	cands   []domain.Candidate
	opt     Options
	buckets map[bucketKey]*bucket
	built   map[[2]any]bool
	slots   []slot
	used    map[int][]int32 // by year, evaluations this plan gives each candidate
	// needLed makes walk keep only people who have led before.
	needLed bool
	// home is each candidate's home institution as a number of homes, and plain says the
	// candidate declared no conflict and worked nowhere but there (most people): then
	// independent only needs the home and the previous team (independentOf).
	homes   map[string]int32
	home    []int32
	plain   []bool
	cursors []cursor     // scratch of walk
	barred  []int32      // scratch of walk
	paired  map[int]bool // slots whose lead was replaced to pair with a first-time professional
	phases  int
	total   int64
}

func newPlanner(evals []Evaluation, candidates []domain.Candidate, opt Options) *planner {
	cands := slices.Clone(candidates)
	slices.SortStableFunc(cands, func(a, b domain.Candidate) int { return cmp.Compare(a.PersonID, b.PersonID) })
	p := &planner{evals: evals, cands: cands, opt: opt, buckets: map[bucketKey]*bucket{},
		built: map[[2]any]bool{}, used: map[int][]int32{},
		homes: map[string]int32{}, home: make([]int32, len(cands)), plain: make([]bool, len(cands))}
	for i := range cands {
		c := &cands[i]
		h, ok := p.homes[c.HomeInstitution]
		if !ok {
			h = int32(len(p.homes))
			p.homes[c.HomeInstitution] = h
		}
		p.home[i] = h
		p.plain[i] = len(c.Conflicts) == 0 && !slices.ContainsFunc(c.Employments, func(e domain.Employment) bool {
			return e.InstitutionID != c.HomeInstitution
		})
	}
	return p
}

// independentOf is independent(in, c, since) for candidate idx, and false for the others the
// walk must skip: given in's home number (inHome, -1 when it is nobody's home) and, as
// candidate numbers, its previous team and those skips (barred), it answers without reading
// the candidate when home and plain tell. The walk asks it millions of times at national scale.
func (p *planner) independentOf(in *domain.InstitutionFacts, inHome int32, barred []int32, idx int32, since domain.Date) bool {
	if p.home[idx] == inHome || slices.Contains(barred, idx) {
		return false // works there, or was on its previous team
	}
	return p.plain[idx] || independent(in, &p.cands[idx], since)
}

// appendNumbers appends the candidate numbers of the people ids to out (cands are sorted by
// ID; people who are not candidates have none).
func (p *planner) appendNumbers(out []int32, ids []string) []int32 {
	for _, id := range ids {
		i, _ := slices.BinarySearchFunc(p.cands, id, func(c domain.Candidate, id string) int { return cmp.Compare(c.PersonID, id) })
		for ; i < len(p.cands) && p.cands[i].PersonID == id; i++ {
			out = append(out, int32(i))
		}
	}
	return out
}

// usedIn is, per candidate, how many evaluations of year this plan has given them.
func (p *planner) usedIn(year int) []int32 {
	u, ok := p.used[year]
	if !ok {
		u = make([]int32, len(p.cands))
		p.used[year] = u
	}
	return u
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
	for i := range p.cands {
		c := &p.cands[i]
		load := c.EvaluationsByYear[year]
		if c.Role != role || load >= p.opt.Capacity {
			continue
		}
		// Leave out who cannot hold the seat on any day of the year (the walk settles
		// the day with trainingHolds).
		d, ok := seatTraining(c, seat)
		if seat != domain.SeatTrainee && (!ok || d.Year > year) {
			continue
		}
		if seat == domain.SeatTrainee && ok && d.Year < year {
			continue // trained before the year began: no longer a trainee
		}
		e := bucketEntry{idx: int32(i), load: int32(load), cost: seatCost(c, seat) + LoadCost(load), trained: d, hasTrain: ok}
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

func (c *cursor) take() *bucketEntry {
	start, end := int(c.b.runs[c.run]), int(c.b.runs[c.run+1])
	n := end - start
	e := &c.b.entries[start+(int(c.rot)+c.pos)%n]
	c.pos++
	if c.pos == n {
		c.run++
		c.pos = 0
	}
	return e
}

// walk visits the eligible candidates for the seat, cheapest first by key (travel +
// personal cost, which is the cost of seating them before this plan's own load), until visit
// returns false. It walks the buckets that can hold eligible people; within a run of equal
// cost it starts at a point given by a hash of institution and seat, so equally good people
// are spread over evaluations instead of every evaluation keeping the same ones. A candidate
// already stamped with mark is skipped, and every candidate looked at is stamped; unless
// ignoreUsed, people whose capacity this plan has used up are skipped too.
//
// The hard rules are those of eligible, split by where they are settled, since at national
// scale the walk looks at millions of candidates: the buckets walked hold only people of the
// seat's role, from another region, sharing a target group with the institution and with
// capacity left in the year before this plan; the walk checks the training on the day
// (trainingHolds) and the rules about this institution (independentOf). The split is held to
// eligible by TestWalkVisitsExactlyTheEligible.
func (p *planner) walk(ev *Evaluation, seat domain.TeamRole, stamp []int32, mark int32, ignoreUsed bool, visit func(idx int32, key int64) bool) {
	in := ev.Institution
	year := ev.On.Year
	p.index(seat, year)
	rot := hash32(in.ID, string(seat))
	cs := p.cursors[:0]
	for _, r := range domain.Regions() {
		if r == in.Region {
			continue
		}
		for _, g := range in.TargetGroups {
			if b := p.buckets[bucketKey{seat, year, r, g}]; b != nil && len(b.entries) > 0 {
				cs = append(cs, cursor{b: b, travel: travelCost(in.Region, r), rot: rot})
			}
		}
	}
	p.cursors = cs
	since := domain.EmploymentQuarantine.SubtractFrom(ev.On)
	used := p.usedIn(year)
	inHome, ok := p.homes[in.ID]
	if !ok {
		inHome = -1
	}
	// Barred: the previous team (the rotation rule) and the evaluation's exclusions.
	barred := p.appendNumbers(p.appendNumbers(p.barred[:0], in.PreviousTeam), ev.Exclude)
	p.barred = barred
	for {
		best := -1
		bestKey := inf
		for i := range cs {
			if kk := cs[i].key(); kk < bestKey {
				best, bestKey = i, kk
			}
		}
		if best < 0 {
			return
		}
		e := cs[best].take()
		idx := e.idx
		if stamp[idx] == mark {
			continue
		}
		stamp[idx] = mark
		if !trainingHolds(seat, e.trained, e.hasTrain, ev.On) {
			continue
		}
		if !ignoreUsed && e.load+used[idx] >= int32(p.opt.Capacity) {
			continue
		}
		if !p.independentOf(&in, inHome, barred, idx, since) {
			continue
		}
		if p.needLed && p.cands[idx].Led == 0 {
			continue
		}
		if !visit(idx, bestKey) {
			return
		}
	}
}

// appendCandidates appends to out the first k candidates of walk.
func (p *planner) appendCandidates(out []int32, ev *Evaluation, seat domain.TeamRole, k int, stamp []int32, mark int32, ignoreUsed bool) []int32 {
	n := 0
	p.walk(ev, seat, stamp, mark, ignoreUsed, func(idx int32, _ int64) bool {
		out = append(out, idx)
		n++
		return n < k
	})
	return out
}

// prune keeps, for every seat of every evaluation, its K cheapest eligible candidates: the
// slots of the flow graph. The lists share one array (a national plan has millions of entries).
func (p *planner) prune() {
	seats := 0
	for ei := range p.evals {
		if p.evals[ei].Seats == nil {
			p.evals[ei].Seats = AllSeats()
		}
		seats += len(p.evals[ei].Seats)
	}
	p.slots = make([]slot, 0, seats)
	arena := make([]int32, 0, seats*min(p.opt.K, 64))
	stamp := make([]int32, len(p.cands))
	mark := int32(0)
	for ei := range p.evals {
		ev := &p.evals[ei]
		for _, s := range ev.Seats {
			mark++
			start := len(arena)
			arena = p.appendCandidates(arena, ev, s, p.opt.K, stamp, mark, true)
			p.slots = append(p.slots, slot{eval: ei, seat: s, chosen: -1, cands: arena[start:len(arena):len(arena)]})
		}
	}
}

// components splits the slots into independent flow problems: two slots belong together
// when a person is a candidate of both in the same year (they share that person-year's
// capacity), and through chains of such. Evaluations of different years never do; nor do
// seats drawn from different people (reviewers, trainees, user or relative representatives),
// and the pruned lists draw a region's seats mostly from its nearest region: the national
// benchmark's 50,000 slots fall into 15 components of 2,000 to 8,000. Slots nobody can fill
// are left out. Each component keeps the slots' order.
//
// Solving the components apart gives the plan that one graph of all of them gives: every
// augmenting path stays inside one component, and the primal-dual method augments each
// component along its own shortest paths, in the order its arcs are listed, whatever else is
// in the graph (TestComponentsFlowEqualsTheOneGraphFlow). It is cheaper, since each round
// searches one component instead of all of them, and the largest graph in memory is the
// largest component's.
func (p *planner) components() [][]int32 {
	parent := make([]int32, len(p.slots))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	// owner[c] is the first slot of the current year with c as a candidate, -1 if none. The
	// slots are in date order, so each year's are consecutive.
	owner := make([]int32, len(p.cands))
	for i := range owner {
		owner[i] = -1
	}
	var touched []int32
	year := 0
	for k := range p.slots {
		if y := p.evals[p.slots[k].eval].On.Year; y != year {
			for _, c := range touched {
				owner[c] = -1
			}
			touched, year = touched[:0], y
		}
		for _, c := range p.slots[k].cands {
			if o := owner[c]; o < 0 {
				owner[c] = int32(k)
				touched = append(touched, c)
			} else if a, b := find(o), find(int32(k)); a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	var out [][]int32
	index := make([]int32, len(p.slots)) // component of each root, plus one
	for k := range p.slots {
		if len(p.slots[k].cands) == 0 {
			continue
		}
		r := find(int32(k))
		if index[r] == 0 {
			out = append(out, nil)
			index[r] = int32(len(out))
		}
		out[index[r]-1] = append(out[index[r]-1], int32(k))
	}
	return out
}

// solve fills the slots by a minimum-cost maximum flow, one component at a time.
func (p *planner) solve() {
	n := 0
	for _, s := range p.slots {
		n += len(s.cands)
	}
	edges := make([]int32, 0, n) // every slot's edges, one per candidate
	sc := &flowScratch{pyIn: make([]int32, len(p.cands)), py: make([]int32, len(p.cands)),
		evalIn: make([]int32, len(p.cands)), gadget: make([]int32, len(p.cands)), shared: make([]bool, len(p.cands))}
	for _, comp := range p.components() {
		// Laid out twice: the first pass counts the arcs, the second writes them in place.
		b := newGraphBuilder(2)
		p.layout(comp, b, sc, nil)
		b.allocate()
		edges = p.layout(comp, b, sc, edges)
		g := b.network()
		_, total := g.solve(source, sink)
		p.total += total
		p.phases += g.phases
		used := p.usedIn(p.evals[p.slots[comp[0]].eval].On.Year)
		for _, k := range comp {
			s := &p.slots[k]
			for i, e := range s.edges {
				if g.saturated(e) {
					s.chosen = s.cands[i]
					s.cost = int64(g.arcs[g.fwd[e]].cost)
					used[s.chosen]++
				}
			}
		}
	}
}

// The source and the sink of every flow graph.
const source, sink = int32(0), int32(1)

// flowScratch are per-candidate arrays that layout reuses, told apart by stamps: the
// person-year node of a candidate (valid when pyIn is the layout's stamp), and, per
// evaluation, whether the candidate is a candidate of two of its seats and their gadget node
// (valid when evalIn is the evaluation's stamp).
type flowScratch struct {
	stamp          int32
	pyIn, py       []int32
	evalIn, gadget []int32
	shared         []bool
}

// layout adds the graph of one component to b: source → slot (capacity 1) → [gadget: the
// person at this evaluation, capacity 1, only where they are a candidate of two of its
// seats, so nobody sits twice on a team] → person-year → sink, with one unit edge per
// evaluation the person can still take that year, costing the load term of that evaluation
// (convex, so the cheapest are used first). In the builder's second pass it appends each
// slot's edges to edges and points the slot at them.
func (p *planner) layout(comp []int32, b *graphBuilder, sc *flowScratch, edges []int32) []int32 {
	year := p.evals[p.slots[comp[0]].eval].On.Year
	sc.stamp++
	pyStamp := sc.stamp
	personYear := func(c int32) int32 {
		if sc.pyIn[c] == pyStamp {
			return sc.py[c]
		}
		n := b.addNode()
		sc.pyIn[c], sc.py[c] = pyStamp, n
		for j := p.cands[c].EvaluationsByYear[year]; j < p.opt.Capacity; j++ {
			b.addEdge(n, sink, 1, LoadCost(j))
		}
		return n
	}
	for i := 0; i < len(comp); {
		ev := p.slots[comp[i]].eval
		j := i
		for j < len(comp) && p.slots[comp[j]].eval == ev {
			j++
		}
		sc.stamp++
		for _, k := range comp[i:j] {
			for _, c := range p.slots[k].cands {
				if sc.evalIn[c] != sc.stamp {
					sc.evalIn[c], sc.shared[c], sc.gadget[c] = sc.stamp, false, -1
				} else {
					sc.shared[c] = true
				}
			}
		}
		in := p.evals[ev].Institution
		for _, k := range comp[i:j] {
			s := &p.slots[k]
			node := b.addNode()
			b.addEdge(source, node, 1, 0)
			start := len(edges)
			for _, c := range s.cands {
				target := personYear(c)
				if sc.shared[c] {
					if sc.gadget[c] < 0 {
						sc.gadget[c] = b.addNode()
						b.addEdge(sc.gadget[c], target, 1, 0)
					}
					target = sc.gadget[c]
				}
				e := b.addEdge(node, target, 1, EdgeCost(in, &p.cands[c], s.seat))
				if b.writing() {
					edges = append(edges, e)
				}
			}
			if b.writing() {
				s.edges = edges[start:len(edges):len(edges)]
			}
		}
		i = j
	}
	return edges
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
		used := p.usedIn(k.year)
		for _, e := range b.entries {
			if e.load+used[e.idx] < int32(p.opt.Capacity) {
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
	for i := 0; i < len(p.slots); {
		j := i
		for j < len(p.slots) && p.slots[j].eval == p.slots[i].eval {
			j++
		}
		for k := i; k < j; k++ {
			s := &p.slots[k]
			if s.chosen >= 0 || len(s.cands) < p.opt.K {
				continue // filled, or the pruned list already held every eligible candidate: the flow was exact
			}
			ev := &p.evals[s.eval]
			mark++
			for _, o := range p.slots[i:j] {
				if o.chosen >= 0 {
					stamp[o.chosen] = mark // already on this team
				}
			}
			// The cheapest, and the first of the walk among equals. A candidate's cost is
			// its key (travel, seat and the load before this plan) plus the load this plan
			// has given them (LoadCost is linear), never less than the key, so the walk can
			// stop at the first key that is not cheaper than the best so far.
			used := p.usedIn(ev.On.Year)
			var pick int32 = -1
			var pickCost int64
			p.walk(ev, s.seat, stamp, mark, false, func(c int32, key int64) bool {
				if pick >= 0 && key >= pickCost {
					return false
				}
				if cost := key + LoadCost(int(used[c])); pick < 0 || cost < pickCost {
					pick, pickCost = c, cost
				}
				return true
			})
			if pick >= 0 {
				s.chosen = pick
				s.cost = EdgeCost(ev.Institution, &p.cands[pick], s.seat)
				used[pick]++
				p.total += pickCost
			}
		}
		i = j
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
			found := p.appendCandidates(nil, ev, domain.SeatLead, 1, stamp, mark, false)
			p.needLed = false
			if len(found) == 1 {
				s := &p.slots[lead]
				used := p.usedIn(ev.On.Year)
				used[s.chosen]--
				s.chosen = found[0]
				s.cost = EdgeCost(ev.Institution, &p.cands[s.chosen], s.seat)
				used[s.chosen]++
				p.paired[lead] = true
			}
		}
		i = j
	}
}

func (p *planner) result() Plan {
	plan := Plan{Assignments: []Assignment{}, Unfilled: []Unfilled{}, Shortages: []Shortage{}}
	// The load cost of each person's n-th planned evaluation goes to the n-th in date order.
	seen := map[int][]int32{} // by year, per candidate
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
			if seen[ev.On.Year] == nil {
				seen[ev.On.Year] = make([]int32, len(p.cands))
			}
			nth := c.EvaluationsByYear[ev.On.Year] + int(seen[ev.On.Year][s.chosen])
			seen[ev.On.Year][s.chosen]++
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
