package planning

import "slices"

// The minimum-cost flow. A national plan's graph has millions of arcs (10,000 evaluations ×
// 5 seats × K candidates), so the network lives in flat arrays, in compressed sparse rows:
// every node's arcs side by side, each arc one 16-byte record, which is what the solver walks
// millions of times.

// arc is one direction of an edge: the forward arc carries the edge's capacity and cost, its
// residual twin (rev) starts empty with the negated cost.
type arc struct {
	to   int32
	rev  int32
	cost int32
	capa int32
}

// mcf is a minimum-cost maximum-flow network in compressed sparse rows: the arcs leaving node
// u are arcs[start[u]:start[u+1]].
type mcf struct {
	start []int32
	arcs  []arc
	// fwd[i] is the arc of edge i.
	fwd []int32
	// phases counts the shortest-path rounds of the last solve.
	phases int
}

// graphBuilder lays a network out in two passes over the same sequence of addNode and
// addEdge calls: the first counts every node's arcs, allocate sizes the rows, and the second
// writes every arc in place. No list of edges is kept in between.
//
// Each node's arcs are listed newest first, the order of the linked adjacency lists of the
// solver this one replaced: augmenting paths are tried in the same order, so ties between
// equally cheap plans are broken as they always were and the plans stay the same
// (TestPlansEqualThePlansBefore).
type graphBuilder struct {
	first, nodes, edges int32
	degree              []int32 // first pass: arcs per node
	g                   *mcf    // second pass: the network being written
	fill                []int32 // second pass: where each row's next arc goes, from its end
}

// newGraphBuilder starts the first pass of a network with nodes nodes already there.
func newGraphBuilder(nodes int32) *graphBuilder {
	return &graphBuilder{first: nodes, nodes: nodes, degree: make([]int32, nodes)}
}

func (b *graphBuilder) addNode() int32 {
	if b.g == nil {
		b.degree = append(b.degree, 0)
	}
	b.nodes++
	return b.nodes - 1
}

// addEdge adds u→v with capacity c and returns the edge's number (mcf.fwd finds its arc).
// Costs are stored in 32 bits: a plan's are small (travel, seat and load terms).
func (b *graphBuilder) addEdge(u, v int32, c int32, cost int64) int32 {
	e := b.edges
	b.edges++
	if b.g == nil {
		b.degree[u]++
		b.degree[v]++
		return e
	}
	// Rows fill from their end, oldest edge first, so that each reads newest first.
	b.fill[u]--
	forward := b.fill[u]
	b.fill[v]--
	back := b.fill[v]
	b.g.arcs[forward] = arc{to: v, rev: back, cost: int32(cost), capa: c}
	b.g.arcs[back] = arc{to: u, rev: forward, cost: -int32(cost)}
	b.g.fwd[e] = forward
	return e
}

// writing reports whether the builder is in its second pass.
func (b *graphBuilder) writing() bool { return b.g != nil }

// allocate ends the first pass: it sizes the network's rows, and the same calls made again
// write it.
func (b *graphBuilder) allocate() {
	n := len(b.degree)
	b.g = &mcf{start: make([]int32, n+1), arcs: make([]arc, 2*b.edges), fwd: make([]int32, b.edges)}
	for u, d := range b.degree {
		b.g.start[u+1] = b.g.start[u] + d
	}
	b.fill = slices.Clone(b.g.start[1:])
	b.degree = nil
	b.nodes, b.edges = b.first, 0
}

// network ends the second pass and returns the network.
func (b *graphBuilder) network() *mcf {
	if int(b.edges) != len(b.g.fwd) || int(b.nodes) != len(b.g.start)-1 {
		panic("planning: the second pass of a graph differs from the first")
	}
	return b.g
}

// saturated reports whether edge i carries its full capacity.
func (g *mcf) saturated(i int32) bool { return g.arcs[g.fwd[i]].capa == 0 }

const inf = int64(1) << 60

// solve sends as much flow as possible from s to t at minimum cost (all costs must be
// non-negative) by the primal-dual method: Dijkstra on reduced costs to update the node
// potentials, then blocking flows (Dinic) on the arcs of zero reduced cost, until t is
// unreachable. Costs in a plan are small integers, so there are few distinct shortest-path
// lengths and few rounds (45 over the 15 components of the national benchmark), each a few
// blocking flows. It returns the flow and its cost.
func (g *mcf) solve(s, t int32) (flow int, total int64) {
	n := len(g.start) - 1
	h := make([]int64, n)
	dist := make([]int64, n)
	level := make([]int32, n)
	iter := make([]int32, n)
	queue := make([]int32, 0, n)
	pq := &heap{}
	for g.shortestPaths(s, t, h, dist, pq) {
		g.phases++
		// Blocking flows on the admissible (zero reduced cost) subgraph.
		for g.levels(s, t, h, level, queue) {
			copy(iter, g.start[:n])
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
	return flow, total
}

// shortestPaths runs Dijkstra from s on reduced costs and adds the distances to the
// potentials h, capped at the distance of t (so every arc of zero reduced cost lies on a
// shortest path). It stops as soon as t is settled: every node not yet settled is at least
// as far, so it gets the cap either way. It reports whether t is reachable.
func (g *mcf) shortestPaths(s, t int32, h, dist []int64, pq *heap) bool {
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
		if u == t {
			break
		}
		hu := h[u]
		for _, a := range g.arcs[g.start[u]:g.start[u+1]] {
			if a.capa == 0 {
				continue
			}
			if nd := d + int64(a.cost) + hu - h[a.to]; nd < dist[a.to] {
				dist[a.to] = nd
				pq.push(nd, a.to)
			}
		}
	}
	dt := dist[t]
	if dt >= inf {
		return false
	}
	for v := range h {
		h[v] += min(dist[v], dt)
	}
	return true
}

// levels numbers the nodes by their distance in arcs from s over arcs with capacity left and
// zero reduced cost (a breadth-first search that stops at t's level), and reports whether t
// is reachable.
func (g *mcf) levels(s, t int32, h []int64, level, queue []int32) bool {
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
		hu := h[u]
		for _, a := range g.arcs[g.start[u]:g.start[u+1]] {
			if a.capa > 0 && level[a.to] < 0 && int64(a.cost)+hu == h[a.to] {
				level[a.to] = level[u] + 1
				queue = append(queue, a.to)
			}
		}
	}
	return level[t] >= 0
}

// dfs finds one augmenting path from u to t in the level graph, depth first, and sends as
// much as limit and the path's capacities allow along it. iter[u] is the next arc of u to
// try: an arc that led nowhere is not tried again in the same blocking flow.
func (g *mcf) dfs(u, t int32, limit int32, h []int64, level, iter []int32) int32 {
	if u == t {
		return limit
	}
	end := g.start[u+1]
	for ; iter[u] < end; iter[u]++ {
		a := &g.arcs[iter[u]]
		if a.capa == 0 || level[a.to] != level[u]+1 || int64(a.cost)+h[u] != h[a.to] {
			continue
		}
		if f := g.dfs(a.to, t, min(limit, a.capa), h, level, iter); f > 0 {
			a.capa -= f
			g.arcs[a.rev].capa += f
			return f
		}
	}
	return 0
}

// heap is a binary min-heap of (distance, node).
type heap struct{ items []heapItem }

type heapItem struct {
	d int64
	v int32
}

func (q *heap) push(d int64, v int32) {
	q.items = append(q.items, heapItem{d, v})
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q.items[p].d <= q.items[i].d {
			break
		}
		q.items[p], q.items[i] = q.items[i], q.items[p]
		i = p
	}
}

func (q *heap) pop() (int64, int32) {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items = q.items[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && q.items[l].d < q.items[m].d {
			m = l
		}
		if r < last && q.items[r].d < q.items[m].d {
			m = r
		}
		if m == i {
			break
		}
		q.items[m], q.items[i] = q.items[i], q.items[m]
		i = m
	}
	return top.d, top.v
}
