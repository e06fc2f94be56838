package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// The team of the external evaluation: its seats, the invitations the assignment rules
// propose, the secretariat's hand assignments, and the announcement of the complete team.

// seat is one place on the team: who holds it, who is invited to it, who declined it.
type seat struct {
	role       domain.TeamRole
	member     *TeamMember
	invitation *step
	invitee    TeamMember
	manual     *step
	handled    bool
	rounds     int
	history    []TeamMember
}

// filled reports whether someone holds the seat.
func (s *seat) filled() bool { return s.member != nil }

func (e *external) lead() string {
	if s := e.seats[domain.SeatLead]; s != nil && s.member != nil {
		return s.member.PersonID
	}
	return ""
}

func (e *external) team() []TeamMember {
	var out []TeamMember
	for _, role := range teamSeats() {
		s := e.seats[role]
		if s == nil {
			continue
		}
		out = append(out, s.history...)
		if s.member != nil {
			out = append(out, *s.member)
		} else if s.invitation != nil && s.invitation.open() {
			out = append(out, s.invitee)
		}
	}
	return out
}

// assembleTeam proposes a team under the hard rules, invites it, and replaces whoever
// declines or does not answer; a seat nobody can fill goes to the secretariat.
func (e *external) assembleTeam(ctx workflow.Context) error {
	seats := teamSeats()
	for _, role := range seats {
		e.seats[role] = &seat{role: role}
	}
	if err := e.proposeAndInvite(ctx, seats); err != nil {
		return err
	}
	for {
		if e.teamComplete() {
			e.settleTrainee(ctx)
			if e.book.rel.changed(ctx, ChangeAnnounceTeam) {
				e.announceTeam(ctx)
			}
			return nil
		}
		version := e.teamVersion
		if err := workflow.Await(ctx, func() bool { return e.teamVersion != version || e.pendingAnswers() }); err != nil {
			return err
		}
		var refill []domain.TeamRole
		for _, role := range seats {
			s := e.seats[role]
			if s.invitation != nil && !s.invitation.open() && !s.handled {
				s.handled = true
				if s.member == nil {
					if st := s.invitation.rec.Status; st == StepExpired || st == StepWaived {
						unanswered := s.invitee
						unanswered.Status = MemberExpired
						s.history = append(s.history, unanswered)
						e.recordAssignment(ctx, unanswered, s.invitation.rec.Opened, s.invitation.rec.Due, s.invitation.rec.Closed)
					}
					refill = append(refill, role)
				}
			}
			if s.manual != nil && !s.manual.open() && s.member == nil && !s.handled {
				s.handled = true
				refill = append(refill, role)
			}
		}
		if len(refill) > 0 {
			if err := e.proposeAndInvite(ctx, refill); err != nil {
				return err
			}
		}
	}
}

// settleTrainee follows a trainee invitation still open when the required seats are full:
// the optional seat is not refilled, but an unanswered invitation must leave the team
// record (and the reviewer's load) as "no answer", not "invited".
func (e *external) settleTrainee(ctx workflow.Context) {
	s := e.seats[domain.SeatTrainee]
	if s == nil || s.invitation == nil || !s.invitation.open() {
		return
	}
	e.book.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { e.book.inflight-- }()
		if err := e.book.awaitClosed(ctx, s.invitation); err != nil || s.handled || s.member != nil {
			return
		}
		s.handled = true
		if st := s.invitation.rec.Status; st == StepExpired || st == StepWaived {
			unanswered := s.invitee
			unanswered.Status = MemberExpired
			s.history = append(s.history, unanswered)
			e.recordAssignment(ctx, unanswered, s.invitation.rec.Opened, s.invitation.rec.Due, s.invitation.rec.Closed)
		}
	})
}

// withdrawInvitations marks the invitations a cancelled evaluation leaves open as withdrawn,
// so they no longer count against the reviewers' capacity.
func (e *external) withdrawInvitations(ctx workflow.Context) {
	for _, role := range teamSeats() {
		s := e.seats[role]
		if s == nil || s.invitation == nil || s.member != nil || s.invitation.rec.Status != StepWithdrawn || s.handled {
			continue
		}
		s.handled = true
		withdrawn := s.invitee
		withdrawn.Status = MemberWithdrawn
		s.history = append(s.history, withdrawn)
		e.recordAssignment(ctx, withdrawn, s.invitation.rec.Opened, s.invitation.rec.Due, s.invitation.rec.Closed)
	}
}

func (e *external) teamComplete() bool {
	for _, role := range domain.RequiredSeats() {
		if !e.seats[role].filled() {
			return false
		}
	}
	// The trainee seat is optional: don't wait for it, but don't leave an invitation dangling.
	return true
}

func (e *external) pendingAnswers() bool {
	for _, role := range teamSeats() {
		s := e.seats[role]
		if s != nil && s.invitation != nil && !s.invitation.open() && !s.handled {
			return true
		}
	}
	return false
}

// proposeAndInvite asks the assignment rules for candidates and invites them; a required
// seat without a candidate becomes a manual-assignment step for the secretariat.
func (e *external) proposeAndInvite(ctx workflow.Context, roles []domain.TeamRole) error {
	in := e.book.in
	var proposals []activities.TeamProposal
	var a *activities.Activities
	req := activities.TeamRequest{InstitutionID: in.InstitutionID, Cycle: in.Cycle, On: e.today(ctx), Seats: roles,
		Exclude: e.allAsked(), PreviousTeam: in.PreviousTeam}
	if err := workflow.ExecuteActivity(effectOptions(ctx), a.ProposeTeam, req).Get(ctx, &proposals); err != nil {
		return err
	}
	d := e.durations().Durations
	for _, p := range proposals {
		s := e.seats[p.Seat]
		if s.filled() {
			continue
		}
		if !p.Found {
			if p.Seat == domain.SeatTrainee {
				continue
			}
			// The seat now waits for the secretariat alone: its last invitation was settled
			// above, and a seat still pointing at it would be settled (and refilled) again
			// on every pass, opening a new manual step each time.
			s.invitation = nil
			s.handled = false
			s.manual = e.book.openStep(ctx, stepSpec{Key: StepManualAssignment + "/" + string(p.Seat),
				Title:    fmt.Sprintf("Udpeg %s til holdet: ingen kandidat opfylder reglerne", p.Seat),
				HolderID: e.secretariatHolder(), HolderRole: string(domain.RoleSecretariat),
				Due: domain.DueDate(e.today(ctx), d.ManualAssignmentDue)})
			continue
		}
		s.rounds++
		s.handled = false
		e.excluded = append(e.excluded, p.PersonID)
		s.invitee = TeamMember{Seat: p.Seat, PersonID: p.PersonID, Name: p.Name, Status: MemberInvited, Reasons: p.Reasons}
		s.invitation = e.book.openStep(ctx, stepSpec{Key: fmt.Sprintf("%s/%s/%d", StepInvitation, p.Seat, s.rounds),
			Title:    fmt.Sprintf("Svar på invitation som %s ved ekstern evaluering", p.Seat),
			HolderID: p.PersonID, HolderRole: string(p.Seat), AtDue: domain.ExpireAtDue,
			Due: d.InvitationAnswer.AddTo(e.today(ctx))})
		e.recordAssignment(ctx, s.invitee, s.invitation.rec.Opened, s.invitation.rec.Due, domain.Date{})
	}
	return nil
}

func (e *external) allAsked() []string {
	out := append([]string(nil), e.excluded...)
	for _, role := range teamSeats() {
		if s := e.seats[role]; s != nil && s.member != nil {
			out = append(out, s.member.PersonID)
		}
	}
	return out
}

func (e *external) recordAssignment(ctx workflow.Context, m TeamMember, invited, due, answered domain.Date) {
	in := e.book.in
	row := activities.AssignmentWrite{
		ID: fmt.Sprintf("%s/%s/%s", e.book.key, m.Seat, m.PersonID), InstitutionID: in.InstitutionID,
		Cycle: in.Cycle, Seat: string(m.Seat), PersonID: m.PersonID, Status: m.Status, InvitedOn: invited,
		AnswerDue: due, AnsweredOn: answered, Reasons: strings.Join(m.Reasons, "; "), Revision: e.book.revs.next(ctx),
	}
	var a *activities.Activities
	_ = e.book.effect(ctx, a.RecordAssignment, row, nil)
}

// announceTeam tells every member and the institution manager who is on the complete team.
func (e *external) announceTeam(ctx workflow.Context) {
	var members []activities.TeamSeat
	to := []activities.Recipient{{PersonID: e.manager()}}
	for _, m := range e.team() {
		if m.Status == MemberAccepted || m.Status == MemberAssigned {
			members = append(members, activities.TeamSeat{Seat: m.Seat, PersonID: m.PersonID})
			to = append(to, activities.Recipient{PersonID: m.PersonID})
		}
	}
	n := e.book.message(ctx, alertKey(e.book.key+"/team", string(activities.KindInfo), 0, e.today(ctx)), activities.KindInfo,
		"team", "Holdet til den eksterne evaluering er på plads", to)
	var a *activities.Activities
	_ = e.book.effect(ctx, a.AnnounceTeam, activities.TeamAnnouncement{Notification: n, Members: members}, nil)
}

// tellSeated gives a person seated by hand the same task notification an invited person
// gets: which team, which seat, which institution.
func (e *external) tellSeated(ctx workflow.Context, m TeamMember) {
	n := e.book.message(ctx, alertKey(seatKey(e.book.key, m.Seat, m.PersonID), string(activities.KindTask), 0, e.today(ctx)),
		activities.KindTask, "team/"+string(m.Seat), fmt.Sprintf("Du er udpeget som %s på holdet ved ekstern evaluering", m.Seat),
		[]activities.Recipient{{PersonID: m.PersonID}})
	var a *activities.Activities
	_ = e.book.effect(ctx, a.Notify, n, nil)
}

// invitationOf returns the seat the actor has an open invitation for.
func (e *external) invitationOf(actor string) *seat {
	for _, role := range teamSeats() {
		s := e.seats[role]
		if s != nil && s.invitation != nil && s.invitation.open() && s.invitee.PersonID == actor {
			return s
		}
	}
	return nil
}

func (e *external) validateAnswer(_ workflow.Context, req InvitationAnswer) error {
	if req.Actor == "" {
		return fmt.Errorf("say who is answering (--as PERSON-ID)")
	}
	if e.invitationOf(req.Actor) == nil {
		return fmt.Errorf("%s has no open invitation to the team of %s", req.Actor, e.book.in.InstitutionID)
	}
	if !req.Accept {
		return onField(FieldReason, checkReason("declining, so the secretariat can plan", req.Reason))
	}
	return onField(FieldReason, domain.CheckText("the reason", req.Reason, domain.MaxReasonLength))
}

func (e *external) answerInvitation(ctx workflow.Context, req InvitationAnswer) (TeamMember, error) {
	s := e.invitationOf(req.Actor)
	m := s.invitee
	if req.Accept {
		m.Status = MemberAccepted
		s.member = &m
		e.book.closeStep(ctx, s.invitation, StepDone, req.Actor, "accepted")
	} else {
		m.Status = MemberDeclined
		s.history = append(s.history, m)
		e.book.closeStep(ctx, s.invitation, StepDone, req.Actor, "declined: "+excerpt(req.Reason, noteExcerpt))
	}
	e.teamVersion++
	e.recordAssignment(ctx, m, s.invitation.rec.Opened, s.invitation.rec.Due, e.today(ctx))
	e.book.audit(ctx, req.Actor, "answer-invitation", s.invitation.rec.Key, fmt.Sprintf("accept=%t %s", req.Accept, excerpt(req.Reason, auditExcerpt)))
	return m, nil
}

func (e *external) validateAssignment(_ workflow.Context, req ReviewerAssignment) error {
	if err := e.book.requireSecretariat(req.Actor); err != nil {
		return err
	}
	if !req.Seat.Valid() {
		return refuseField(FieldSeat, "unknown seat %q: use lead, professional, user-representative, relative-representative or trainee", req.Seat)
	}
	if req.PersonID == "" {
		return refuseField(FieldPerson, "name the person to assign")
	}
	if err := domain.CheckText("the person's ID", req.PersonID, domain.MaxIDLength); err != nil {
		return onField(FieldPerson, err)
	}
	if err := checkReason("assigning by hand; it goes into the audit trail", req.Reason); err != nil {
		return onField(FieldReason, err)
	}
	for i, rule := range req.Overrides {
		if !slices.ContainsFunc(domain.HardRules(), func(r domain.Rule) bool { return r.Name == rule }) {
			return refuseField(FieldOverrides, "--override %q is not a hard rule: name one of %s", rule, strings.Join(ruleNames(), ", "))
		}
		if slices.Contains(req.Overrides[:i], rule) {
			return refuseField(FieldOverrides, "the rule %s is overridden twice", rule)
		}
	}
	if err := e.assignmentAllowed(req); err != nil {
		if e.reportSubmitted {
			return err // about the team as a whole, not the person named
		}
		return onField(FieldPerson, err)
	}
	return nil
}

// assignmentAllowed holds the rules on the team's state; the handler checks them again after
// the candidate check, because the team may have changed while it waited.
func (e *external) assignmentAllowed(req ReviewerAssignment) error {
	if e.reportSubmitted {
		return fmt.Errorf("the report has been submitted: the team can no longer change")
	}
	for _, role := range teamSeats() {
		if s := e.seats[role]; s != nil && s.member != nil && s.member.PersonID == req.PersonID {
			return fmt.Errorf("%s already holds the %s seat", req.PersonID, role)
		}
	}
	return nil
}

// seatHolder is who holds a seat now ("" when nobody does).
func (e *external) seatHolder(role domain.TeamRole) string {
	if s := e.seats[role]; s != nil && s.member != nil {
		return s.member.PersonID
	}
	return ""
}

func (e *external) assignReviewer(ctx workflow.Context, req ReviewerAssignment) (TeamMember, error) {
	// The candidate check is an activity: while it runs, another assignment (or an answer)
	// may change the team. Assignments take turns, and each acts only on the team it was
	// validated against; a second one for the same seat is refused, not silently applied.
	holder := e.seatHolder(req.Seat)
	if err := e.teamLock.Lock(ctx); err != nil {
		return TeamMember{}, err
	}
	defer e.teamLock.Unlock()
	// The team may not change once the report is in: no report is taken while a seat changes.
	e.assigning = true
	defer func() { e.assigning = false }()
	var a *activities.Activities
	check := activities.CandidateCheck{InstitutionID: e.book.in.InstitutionID, Seat: req.Seat, PersonID: req.PersonID,
		On: e.today(ctx), PreviousTeam: e.book.in.PreviousTeam, Overrides: req.Overrides}
	if err := workflow.ExecuteActivity(checkOptions(ctx), a.CheckCandidate, check).Get(ctx, nil); err != nil {
		return TeamMember{}, err
	}
	if now := e.seatHolder(req.Seat); now != holder {
		return TeamMember{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the %s seat was given to %s while this assignment of %s was being checked: look at the team and assign again to replace",
			req.Seat, now, req.PersonID), "TeamChanged", nil)
	}
	if err := e.assignmentAllowed(req); err != nil {
		return TeamMember{}, temporal.NewNonRetryableApplicationError(err.Error(), "TeamChanged", nil)
	}
	s := e.seats[req.Seat]
	if s == nil {
		s = &seat{role: req.Seat}
		e.seats[req.Seat] = s
	}
	if s.invitation != nil && s.invitation.open() {
		withdrawn := s.invitee
		withdrawn.Status = MemberReplaced
		s.history = append(s.history, withdrawn)
		s.handled = true
		e.book.closeStep(ctx, s.invitation, StepWithdrawn, req.Actor, "seat assigned by hand to "+req.PersonID)
		e.recordAssignment(ctx, withdrawn, s.invitation.rec.Opened, s.invitation.rec.Due, e.today(ctx))
	}
	var previous string
	if s.member != nil {
		previous = s.member.PersonID
		old := *s.member
		old.Status = MemberReplaced
		s.history = append(s.history, old)
		e.recordAssignment(ctx, old, e.today(ctx), e.today(ctx), e.today(ctx))
	}
	m := TeamMember{Seat: req.Seat, PersonID: req.PersonID, Status: MemberAssigned, Reasons: []string{"assigned by " + req.Actor + overriding(req.Overrides) + ": " + excerpt(req.Reason, noteExcerpt)}}
	s.member = &m
	if s.manual != nil && s.manual.open() {
		e.book.closeStep(ctx, s.manual, StepDone, req.Actor, "assigned "+req.PersonID)
	}
	// A new lead takes over the lead's open steps.
	if req.Seat == domain.SeatLead && previous != "" {
		for _, st := range e.book.steps {
			if st.open() && st.rec.HolderID == previous {
				e.book.handOver(ctx, st, req.PersonID)
			}
		}
	}
	e.excluded = append(e.excluded, req.PersonID)
	e.teamVersion++
	e.recordAssignment(ctx, m, e.today(ctx), e.today(ctx), e.today(ctx))
	if e.book.rel.changed(ctx, ChangeTellHandSeatedMember) {
		e.tellSeated(ctx, m)
	}
	e.book.audit(ctx, req.Actor, "assign-reviewer", string(req.Seat), fmt.Sprintf("%s (replacing %q)%s: %s", req.PersonID, previous, overriding(req.Overrides), excerpt(req.Reason, auditExcerpt)))
	return m, nil
}

// ruleNames are the names of the hard rules, for messages.
func ruleNames() []string {
	var names []string
	for _, r := range domain.HardRules() {
		names = append(names, r.Name)
	}
	return names
}

// overriding says which hard rules a hand assignment overrides, for the team and the audit.
func overriding(rules []string) string {
	if len(rules) == 0 {
		return ""
	}
	return " overriding " + strings.Join(rules, ", ")
}

// teamSeats are the seats of a team in the order they are filled and shown.
func teamSeats() []domain.TeamRole { return append(domain.RequiredSeats(), domain.SeatTrainee) }
