package planning

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Evaluation is one external evaluation to staff.
type Evaluation struct {
	Institution domain.InstitutionFacts `json:"institution"`
	Cycle       int                     `json:"cycle"`
	On          domain.Date             `json:"on"`
	// Seats to fill; nil means the four required seats and a trainee.
	Seats []domain.TeamRole `json:"seats,omitempty"`
	// Exclude are people who may not be proposed (already asked, declined, on the team).
	Exclude []string `json:"exclude,omitempty"`
}

// Options tune the optimiser.
type Options struct {
	// Capacity is the most external evaluations a person takes per calendar year (default 3).
	Capacity int
	// K is how many of the cheapest eligible candidates each seat keeps in the flow graph
	// (default DefaultK); 0 or less than zero means the default, and Unlimited keeps all.
	K int
	// NoPairing skips the repair that gives a first-time professional an experienced lead
	// (used to compare the flow with a brute-force optimum of the same linear cost).
	NoPairing bool
}

// DefaultK is the per-seat pruning of the joint plan: enough that the optimum over the pruned
// graph equals the unpruned optimum on the generated 300 × 1000 registries we test, small
// enough that the national plan (10,000 evaluations × 5 seats against 30,000 reviewers and
// representatives) takes about a second (docs/performance.md).
const DefaultK = 40

// Unlimited as Options.K keeps every eligible candidate (single evaluations, brute-force tests).
const Unlimited = 1 << 30

// Cost weights: integers, so the optimum is exact and ties are broken deterministically.
const (
	CostPerHop            = 10 // each region hop between the reviewer's region and the institution's
	CostPerLoad           = 15 // the n-th evaluation in a year costs n × this (convex: spreads the load)
	CostFirstTimeLead     = 30 // a lead seat held by someone who has never led
	CostSecondTimeLead    = 10 // a lead who has led once
	CostFirstTimeReviewer = 5  // a professional seat held by someone with no completed evaluation
)

// Assignment is one seat of one evaluation and the person proposed for it.
type Assignment struct {
	InstitutionID string          `json:"institution_id"`
	Cycle         int             `json:"cycle"`
	On            domain.Date     `json:"on"`
	Seat          domain.TeamRole `json:"seat"`
	PersonID      string          `json:"person_id"`
	Name          string          `json:"name"`
	Reasons       []string        `json:"reasons"`
	Cost          int64           `json:"cost"`
}

// Unfilled is a seat nobody eligible with capacity left could take.
type Unfilled struct {
	InstitutionID string             `json:"institution_id"`
	Cycle         int                `json:"cycle"`
	On            domain.Date        `json:"on"`
	Seat          domain.TeamRole    `json:"seat"`
	Region        domain.Region      `json:"region"`
	TargetGroup   domain.TargetGroup `json:"target_group"`
	// Eligible counts the people who meet every hard rule (capacity as before this plan), up
	// to Options.K: K means "K or more".
	Eligible int    `json:"eligible"`
	Reason   string `json:"reason"`
}

// Shortage is a region × target group × seat whose required seats could not all be filled:
// Seats unfilled, and People more trained persons (at Capacity each, per calendar year, from
// another region) needed to fill them. Region and target group are the institution's (its
// first listed target group); the optional trainee seat is never a shortage.
type Shortage struct {
	Region      domain.Region      `json:"region"`
	TargetGroup domain.TargetGroup `json:"target_group"`
	Seat        domain.TeamRole    `json:"seat"`
	Seats       int                `json:"seats_unfilled"`
	People      int                `json:"people_needed"`
}

// Plan is the joint assignment of a set of evaluations.
type Plan struct {
	Assignments []Assignment `json:"assignments"`
	Unfilled    []Unfilled   `json:"unfilled"`
	Shortages   []Shortage   `json:"shortages"`
	TotalCost   int64        `json:"total_cost"`
	// Rounds is how many shortest-path rounds the flow took, over all its components (for
	// benchmarks).
	Rounds int `json:"-"`
}

// AllSeats is the default team: the required seats and a trainee.
func AllSeats() []domain.TeamRole { return append(domain.RequiredSeats(), domain.SeatTrainee) }

func seatCost(c *domain.Candidate, seat domain.TeamRole) int64 {
	switch seat {
	case domain.SeatLead:
		switch c.Led {
		case 0:
			return CostFirstTimeLead
		case 1:
			return CostSecondTimeLead
		}
	case domain.SeatProfessional:
		if c.Evaluations == 0 {
			return CostFirstTimeReviewer
		}
	}
	return 0
}

func travelCost(in domain.Region, c domain.Region) int64 {
	return int64(CostPerHop * domain.TravelDistance(in, c))
}

// EdgeCost is the cost of seating c on seat for in, without the load term.
func EdgeCost(in domain.InstitutionFacts, c *domain.Candidate, seat domain.TeamRole) int64 {
	return travelCost(in.Region, c.Region) + seatCost(c, seat)
}

// LoadCost is the marginal cost of a person's n-th (0-based) evaluation in a year.
func LoadCost(n int) int64 { return int64(CostPerLoad * n) }

// Eligible is the hard-rule filter used by the optimiser: true exactly when
// domain.Violations(in, c, seat, on, capacity) is empty (tested), without allocating.
func Eligible(in domain.InstitutionFacts, c *domain.Candidate, seat domain.TeamRole, on domain.Date, capacity int) bool {
	return eligible(in, c, seat, on, capacity, domain.EmploymentQuarantine.SubtractFrom(on))
}

func eligible(in domain.InstitutionFacts, c *domain.Candidate, seat domain.TeamRole, on domain.Date, capacity int, since domain.Date) bool {
	if c.Region == in.Region {
		return false
	}
	if !domain.SharesTargetGroup(&in, c) { // the similar-institution rule itself, not a copy
		return false
	}
	if c.Role != seat.PersonRoleFor() {
		return false
	}
	if d, ok := seatTraining(c, seat); !trainingHolds(seat, d, ok, on) {
		return false
	}
	return independent(&in, c, since) && c.EvaluationsByYear[on.Year] < capacity
}

// seatTraining is the completion date of the training that decides whether c can hold seat:
// the seat's own training, or for the trainee seat the evaluator training (ok is false when
// c has not completed it).
func seatTraining(c *domain.Candidate, seat domain.TeamRole) (d domain.Date, ok bool) {
	kind := domain.TrainingEvaluator
	if seat != domain.SeatTrainee {
		kind, _ = seat.TrainingFor()
	}
	d, ok = c.Trainings[kind]
	return d, ok
}

// trainingHolds is the training rule on the day of the evaluation, given seatTraining: a
// trainee must not have completed evaluator training by then, everyone else must have
// completed the seat's training.
func trainingHolds(seat domain.TeamRole, d domain.Date, ok bool, on domain.Date) bool {
	if seat == domain.SeatTrainee {
		return !ok || d.After(on)
	}
	return ok && !d.After(on)
}

// independent is the part of the hard rules about this institution in particular: no
// declared conflict with it, not working there or within the quarantine (since), and not on
// its previous team.
func independent(in *domain.InstitutionFacts, c *domain.Candidate, since domain.Date) bool {
	if slices.Contains(c.Conflicts, in.ID) {
		return false
	}
	if c.HomeInstitution == in.ID {
		return false
	}
	for _, e := range c.Employments {
		if e.InstitutionID == in.ID && (e.To.IsZero() || !e.To.Before(since)) {
			return false
		}
	}
	return !slices.Contains(in.PreviousTeam, c.PersonID)
}

func hash32(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum32()
}

func groupsString(groups []domain.TargetGroup) string {
	s := make([]string, len(groups))
	for i, g := range groups {
		s[i] = string(g)
	}
	return strings.Join(s, ", ")
}

func sortEvaluations(evals []Evaluation) []Evaluation {
	out := slices.Clone(evals)
	slices.SortStableFunc(out, func(a, b Evaluation) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Institution.ID, b.Institution.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Cycle, b.Cycle)
	})
	return out
}
