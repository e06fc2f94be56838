package planning

// mcf is a minimum-cost maximum-flow network on int32 arrays (the benchmark graph has about a
// million edges, so it avoids per-edge structs and pointers). Edge e and e^1 are a forward
// edge and its residual twin.
type mcf struct {
	head []int32
	next []int32
	to   []int32
	capa []int32
	cost []int64
	// phases counts the Dijkstra rounds of the last solve.
	phases int
}

func newMCF(nodes, edgeHint int) *mcf {
	g := &mcf{head: make([]int32, nodes)}
	for i := range g.head {
		g.head[i] = -1
	}
	g.next = make([]int32, 0, 2*edgeHint)
	g.to = make([]int32, 0, 2*edgeHint)
	g.capa = make([]int32, 0, 2*edgeHint)
	g.cost = make([]int64, 0, 2*edgeHint)
	return g
}

func (g *mcf) addNode() int32 {
	g.head = append(g.head, -1)
	return int32(len(g.head) - 1)
}

// addEdge adds u→v and returns the forward edge's index.
func (g *mcf) addEdge(u, v int32, c int32, cost int64) int32 {
	e := int32(len(g.to))
	g.to = append(g.to, v, u)
	g.capa = append(g.capa, c, 0)
	g.cost = append(g.cost, cost, -cost)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u] = e
	g.head[v] = e + 1
	return e
}

const inf = int64(1) << 60

// solve sends as much flow as possible from s to t at minimum cost (all costs must be
// non-negative) by the primal-dual method: Dijkstra on reduced costs to update the potentials,
// then a blocking flow (Dinic) on the edges of zero reduced cost, until t is unreachable. It
// returns the flow and its cost.
func (g *mcf) solve(s, t int32) (flow int, total int64) {
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

func (g *mcf) dfs(u, t int32, limit int32, h []int64, level, iter []int32) int32 {
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
