package web

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning"
	"github.com/kvalitetsmodel/accredit/store"
)

// SeatCheck is one seat a person could hold on an institution's team, and the hard rules
// (PRODUCT.md §4) that keep them off it, each with the fact behind it.
type SeatCheck struct {
	Seat       domain.TeamRole
	Violations []domain.Violation
}

// WhyNot is the secretariat's "why not this person?": the person, and each seat their role
// can hold.
type WhyNot struct {
	PersonID string
	Name     string
	Seats    []SeatCheck
	// Problem says why the question has no answer (unknown person, not a reviewer).
	Problem string
}

// whyNot checks a person against the hard rules for every seat their role can hold, on the
// day given, exactly as the team proposal filters candidates (domain.Violations over the
// planner's registry, with the previous cycle's team for the rotation rule).
func (s *Server) whyNot(ctx context.Context, in store.Institution, personID string, on domain.Date) (WhyNot, error) {
	out := WhyNot{PersonID: personID}
	reg, err := planning.LoadRegistry(ctx, s.store)
	if err != nil {
		return out, err
	}
	i := slices.IndexFunc(reg.Candidates, func(c domain.Candidate) bool { return c.PersonID == personID })
	if i < 0 {
		p, err := s.store.Person(ctx, personID)
		if err != nil {
			out.Problem = fmt.Sprintf("%s is not in the registry", personID)
			return out, nil
		}
		out.Name = p.Name
		out.Problem = fmt.Sprintf("%s (%s) is %s: only reviewers and representatives sit on teams", p.ID, p.Name, p.Role)
		return out, nil
	}
	c := reg.Candidates[i]
	out.Name = c.Name
	var previous []string
	if cyc, err := s.store.LatestCycle(ctx, in.ID); err == nil && cyc.Number > 1 {
		if previous, err = s.store.PreviousTeam(ctx, in.ID, cyc.Number-1); err != nil {
			return out, err
		}
	}
	facts := planning.Facts(in, previous)
	for _, seat := range planning.AllSeats() {
		if seat.PersonRoleFor() != c.Role {
			continue
		}
		out.Seats = append(out.Seats, SeatCheck{Seat: seat, Violations: domain.Violations(facts, c, seat, on, s.cfg.CapacityPerYear)})
	}
	return out, nil
}

// whyNotPerson reads the person ID of the why-not form.
func whyNotPerson(raw string) string {
	id := strings.TrimSpace(raw)
	if len(id) > domain.MaxIDLength {
		return id[:domain.MaxIDLength]
	}
	return id
}
