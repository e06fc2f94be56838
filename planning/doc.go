// Package planning assigns external-evaluation teams (PRODUCT.md §4). It exists because
// choosing reviewers one evaluation at a time, greedily, spends the scarce people (experienced
// leads, representatives from the right region) on whichever evaluation happens to be asked
// first; the national plan instead assigns every evaluation falling due in a period jointly, as
// one minimum-cost flow, under every hard rule of domain.HardRules and every reviewer's yearly
// capacity, and reports where the registry is short of trained people. A single evaluation's
// team (the cycle workflow's ProposeTeam activity, and replacements after a decline) goes
// through the same optimiser as a plan with one evaluation, so the rules, the costs and the
// reasons are the same everywhere.
//
// The graph is source → slot (evaluation × seat, capacity 1) → [person × evaluation gadget,
// capacity 1, only where a person is a candidate for two seats of the same team] →
// person × year (capacity: yearly capacity − existing load, as unit edges with rising cost) →
// sink. It is solved by the primal-dual method (Dijkstra with potentials, then blocking flows
// on the zero-reduced-cost edges), which gives a maximum flow of minimum cost: as many seats
// filled as possible, and among those the cheapest. The graph falls apart into independent
// components (every year is one or more: no person-year is shared across years), and each is
// solved on its own, which finds the same flow as one graph of all of them, at less cost.
//
// At national scale (10,000 evaluations against 30,000 people, docs/performance.md) the
// graph has two million edges and the candidate walk looks at millions of people, so both
// are flat arrays, checked against the planner before them (equality_test.go).
package planning
