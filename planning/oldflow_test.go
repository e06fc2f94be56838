package planning

// The minimum-cost flow solver as it was before the national-scale rewrite (commit ee44d62,
// planning/flow.go), kept verbatim apart from its name as the reference the new solver is
// held to: TestSolverEqualsTheSolverBefore.

// oldMCF is a minimum-cost maximum-flow network on int32 arrays (the benchmark graph has about a
// million edges, so it avoids per-edge structs and pointers). Edge e and e^1 are a forward
// edge and its residual twin.
type oldMCF struct {
	head []int32
	next []int32
	to   []int32
	capa []int32
	cost []int64
	// phases counts the Dijkstra rounds of the last solve.
	phases int
}

func newOldMCF(nodes, edgeHint int) *oldMCF {
	g := &oldMCF{head: make([]int32, nodes)}
	for i := range g.head {
		g.head[i] = -1
	}
	g.next = make([]int32, 0, 2*edgeHint)
	g.to = make([]int32, 0, 2*edgeHint)
	g.capa = make([]int32, 0, 2*edgeHint)
	g.cost = make([]int64, 0, 2*edgeHint)
	return g
}

func (g *oldMCF) addNode() int32 {
	g.head = append(g.head, -1)
	return int32(len(g.head) - 1)
}

// addEdge adds u→v and returns the forward edge's index.
func (g *oldMCF) addEdge(u, v int32, c int32, cost int64) int32 {
	e := int32(len(g.to))
	g.to = append(g.to, v, u)
	g.capa = append(g.capa, c, 0)
	g.cost = append(g.cost, cost, -cost)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u] = e
	g.head[v] = e + 1
	return e
}

// solve sends as much flow as possible from s to t at minimum cost (all costs must be
// non-negative) by the primal-dual method: Dijkstra on reduced costs to update the potentials,
// then a blocking flow (Dinic) on the edges of zero reduced cost, until t is unreachable. It
// returns the flow and its cost.
func (g *oldMCF) solve(s, t int32) (flow int, total int64) {
	n := len(g.head)
	h := make([]int64, n)
	dist := make([]int64, n)
	level := make([]int32, n)
	iter := make([]int32, n)
	queue := make([]int32, 0, n)
	pq := &heap{}
	for {
		// Dijkstra with potentials.
		for i := range dist {
			dist[i] = inf
		}
		dist[s] = 0
		pq.items = pq.items[:0]
		pq.push(0, s)
		for len(pq.items) > 0 {
			d, u := pq.pop()
			if d > dist[u] {
				continue
			}
			hu := h[u]
			for e := g.head[u]; e >= 0; e = g.next[e] {
				if g.capa[e] == 0 {
					continue
				}
				v := g.to[e]
				nd := d + g.cost[e] + hu - h[v]
				if nd < dist[v] {
					dist[v] = nd
					pq.push(nd, v)
				}
			}
		}
		if dist[t] >= inf {
			return flow, total
		}
		g.phases++
		dt := dist[t]
		for v := range h {
			if dist[v] < dt {
				h[v] += dist[v]
			} else {
				h[v] += dt
			}
		}
		// Blocking flows on the admissible (zero reduced cost) subgraph.
		for {
			for i := range level {
				level[i] = -1
			}
			level[s] = 0
			queue = append(queue[:0], s)
			for qi := 0; qi < len(queue); qi++ {
				u := queue[qi]
				if level[t] >= 0 && level[u] >= level[t] {
					break // deeper levels cannot be on a shortest augmenting path
				}
				for e := g.head[u]; e >= 0; e = g.next[e] {
					v := g.to[e]
					if g.capa[e] > 0 && level[v] < 0 && g.cost[e]+h[u]-h[v] == 0 {
						level[v] = level[u] + 1
						queue = append(queue, v)
					}
				}
			}
			if level[t] < 0 {
				break
			}
			copy(iter, g.head)
			for {
				f := g.dfs(s, t, 1<<30, h, level, iter)
				if f == 0 {
					break
				}
				flow += int(f)
				total += int64(f) * (h[t] - h[s])
			}
		}
	}
}

func (g *oldMCF) dfs(u, t int32, limit int32, h []int64, level, iter []int32) int32 {
	if u == t {
		return limit
	}
	for ; iter[u] >= 0; iter[u] = g.next[iter[u]] {
		e := iter[u]
		v := g.to[e]
		if g.capa[e] == 0 || level[v] != level[u]+1 || g.cost[e]+h[u]-h[v] != 0 {
			continue
		}
		f := g.dfs(v, t, min(limit, g.capa[e]), h, level, iter)
		if f > 0 {
			g.capa[e] -= f
			g.capa[e^1] += f
			return f
		}
	}
	return 0
}

// oldSolve is planner.solve before the rewrite, apart from where it keeps its results: one
// graph of every slot, solved at once. It returns the candidate each slot gets (-1 for none),
// the edge cost of each, and the flow's cost.
func (p *planner) oldSolve() (chosen []int32, costs []int64, total int64) {
	edges := 0
	for _, s := range p.slots {
		edges += 2 * len(s.cands)
	}
	g := newOldMCF(2, edges+len(p.slots))
	const src, sink = int32(0), int32(1)
	type pyKey struct {
		cand int32
		year int
	}
	py := map[pyKey]int32{}
	personYear := func(c int32, year int) int32 {
		k := pyKey{c, year}
		if n, ok := py[k]; ok {
			return n
		}
		n := g.addNode()
		py[k] = n
		have := p.cands[c].EvaluationsByYear[year]
		for j := have; j < p.opt.Capacity; j++ {
			g.addEdge(n, 1, 1, LoadCost(j))
		}
		return n
	}
	slotEdges := make([][]int32, len(p.slots))
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
			node := g.addNode()
			g.addEdge(src, node, 1, 0)
			in := p.evals[s.eval].Institution
			for _, c := range s.cands {
				target := personYear(c, year)
				if count[c] > 1 {
					gn, ok := gadget[c]
					if !ok {
						gn = g.addNode()
						gadget[c] = gn
						g.addEdge(gn, target, 1, 0)
					}
					target = gn
				}
				slotEdges[k] = append(slotEdges[k], g.addEdge(node, target, 1, EdgeCost(in, &p.cands[c], s.seat)))
			}
		}
		i = j
	}
	_, total = g.solve(src, sink)
	chosen, costs = make([]int32, len(p.slots)), make([]int64, len(p.slots))
	for k := range p.slots {
		chosen[k] = -1
		for i, e := range slotEdges[k] {
			if g.capa[e] == 0 {
				chosen[k], costs[k] = p.slots[k].cands[i], g.cost[e]
			}
		}
	}
	return chosen, costs, total
}
