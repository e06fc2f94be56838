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

// register installs the query and every human action of the external evaluation. Each
// validator rejects bad input with a message that says what to do, and changes nothing.
func (e *external) register(ctx workflow.Context) error {
	b := e.book
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (StageStatus, error) {
		return StageStatus{Stage: StageExternalEvaluation, WorkflowID: b.workflowID, Today: b.today(ctx), Clock: b.in.Clock, Steps: b.records(),
			Team: e.team(), Visit: e.visit.date, Revisit: e.revisit.date, Verdict: e.final, Final: !e.finalOn.IsZero(),
			AppealDue: e.appealBy, HearingDue: e.hearingDue}, nil
	}); err != nil {
		return err
	}
	if err := b.registerSecretariatActions(ctx); err != nil {
		return err
	}
	handlers := []struct {
		name string
		fn   any
		opts workflow.UpdateHandlerOptions
	}{
		{UpdateAnswerInvitation, e.answerInvitation, workflow.UpdateHandlerOptions{Validator: e.validateAnswer}},
		{UpdateAssignReviewer, e.assignReviewer, workflow.UpdateHandlerOptions{Validator: e.validateAssignment}},
		{UpdateSetVisitDate, e.setVisitDate, workflow.UpdateHandlerOptions{Validator: e.validateVisitDate}},
		{UpdateRecordVisit, e.recordVisitDone, workflow.UpdateHandlerOptions{Validator: e.validateRecordVisit}},
		{UpdateSubmitReport, e.submitReport, workflow.UpdateHandlerOptions{Validator: e.validateReport}},
		{UpdateCommentReport, e.commentReport, workflow.UpdateHandlerOptions{Validator: e.validateComment}},
		{UpdateSubmitActionPlan, e.submitActionPlan, workflow.UpdateHandlerOptions{Validator: e.validateActionPlan}},
		{UpdateAppeal, e.lodgeAppeal, workflow.UpdateHandlerOptions{Validator: e.validateAppeal}},
		{UpdateDecide, e.decide, workflow.UpdateHandlerOptions{Validator: e.validateDecision}},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, h.opts); err != nil {
			return err
		}
	}
	return nil
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
		return checkReason("declining, so the secretariat can plan", req.Reason)
	}
	return domain.CheckText("the reason", req.Reason, domain.MaxReasonLength)
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
		return fmt.Errorf("unknown seat %q: use lead, professional, user-representative, relative-representative or trainee", req.Seat)
	}
	if req.PersonID == "" {
		return fmt.Errorf("name the person to assign")
	}
	if err := domain.CheckText("the person's ID", req.PersonID, domain.MaxIDLength); err != nil {
		return err
	}
	if err := checkReason("assigning by hand; it goes into the audit trail", req.Reason); err != nil {
		return err
	}
	for i, rule := range req.Overrides {
		if !slices.ContainsFunc(domain.HardRules(), func(r domain.Rule) bool { return r.Name == rule }) {
			return fmt.Errorf("--override %q is not a hard rule: name one of %s", rule, strings.Join(ruleNames(), ", "))
		}
		if slices.Contains(req.Overrides[:i], rule) {
			return fmt.Errorf("the rule %s is overridden twice", rule)
		}
	}
	return e.assignmentAllowed(req)
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
	if workflow.GetVersion(ctx, ChangeTellHandSeatedMember, workflow.DefaultVersion, 1) >= 1 {
		e.tellSeated(ctx, m)
	}
	e.book.audit(ctx, req.Actor, "assign-reviewer", string(req.Seat), fmt.Sprintf("%s (replacing %q)%s: %s", req.PersonID, previous, overriding(req.Overrides), excerpt(req.Reason, auditExcerpt)))
	return m, nil
}

// dateStep is the open visit-date or revisit-date step, with its notice period and limit.
func (e *external) dateStep() (key string, notice domain.Period, latest domain.Date) {
	d := e.durations().Durations
	if s := e.book.find(StepRevisitDate); s != nil && s.open() {
		return StepRevisitDate, d.RevisitNotice, e.revisitBy
	}
	return StepVisitDate, d.VisitNotice, domain.Date{}
}

func (e *external) validateVisitDate(ctx workflow.Context, req VisitDate) error {
	key, notice, latest := e.dateStep()
	if _, err := e.book.requireHolder(key, req.Actor); err != nil {
		return err
	}
	if req.Date.IsZero() {
		return fmt.Errorf("give the date of the visit as YYYY-MM-DD")
	}
	earliest := notice.AddTo(e.today(ctx))
	if req.Date.Before(earliest) {
		return fmt.Errorf("the visit on %s is inside the notice period of %s: choose %s or later", req.Date, notice, earliest)
	}
	if !latest.IsZero() && req.Date.After(latest) {
		return fmt.Errorf("the revisit must take place by %s (within %s of the verdict); %s is too late", latest, e.durations().Durations.RevisitWithin, req.Date)
	}
	return nil
}

func (e *external) setVisitDate(ctx workflow.Context, req VisitDate) (StepRecord, error) {
	key, _, _ := e.dateStep()
	v := &e.visit
	if key == StepRevisitDate {
		v = &e.revisit
	}
	v.date, v.setBy = req.Date, req.Actor
	s := e.book.find(key)
	e.book.closeStep(ctx, s, StepDone, req.Actor, "visit on "+req.Date.String())
	e.book.notifyInfo(ctx, s, fmt.Sprintf("Besøget finder sted %s.", req.Date), e.participants())
	e.book.audit(ctx, req.Actor, "set-visit-date", key, req.Date.String())
	return s.rec, nil
}

// participants are the team and the institution manager, who all need the visit date.
func (e *external) participants() []string {
	var ids []string
	for _, m := range e.team() {
		if m.Status == MemberAccepted || m.Status == MemberAssigned {
			ids = append(ids, m.PersonID)
		}
	}
	return append(ids, e.manager())
}

func (e *external) visitStep() (string, *visit) {
	if s := e.book.find(StepRevisit); s != nil && s.open() {
		return StepRevisit, &e.revisit
	}
	return StepVisit, &e.visit
}

func (e *external) validateRecordVisit(ctx workflow.Context, req VisitRecord) error {
	key, v := e.visitStep()
	if _, err := e.book.requireHolder(key, req.Actor); err != nil {
		return err
	}
	if today := e.today(ctx); today.Before(v.date) {
		return fmt.Errorf("the visit is on %s; it can be recorded on that day or later, not on %s", v.date, today)
	}
	return domain.CheckText("the visit notes", req.Notes, domain.MaxNoteLength)
}

func (e *external) recordVisitDone(ctx workflow.Context, req VisitRecord) (StepRecord, error) {
	key, v := e.visitStep()
	v.recorded, v.recordedBy, v.notes = e.today(ctx), req.Actor, req.Notes
	s := e.book.find(key)
	e.book.closeStep(ctx, s, StepDone, req.Actor, "visit took place "+v.date.String())
	e.book.audit(ctx, req.Actor, "record-visit", key, excerpt(req.Notes, auditExcerpt))
	return s.rec, nil
}

func (e *external) reportStep() string {
	if s := e.book.find(StepRevisitReport); s != nil && s.open() {
		return StepRevisitReport
	}
	return StepReport
}

func (e *external) validateReport(_ workflow.Context, req Report) error {
	if e.assigning {
		return fmt.Errorf("the secretariat is changing the team right now, and the team may not change once the report is in: submit the report again in a moment")
	}
	key := e.reportStep()
	if s := e.book.find(StepReport); s == nil || (key == StepReport && !s.open()) {
		if _, v := e.visitStep(); v.recorded.IsZero() {
			return fmt.Errorf("the report comes after the visit: record the visit first")
		}
	}
	if _, err := e.book.requireHolder(key, req.Actor); err != nil {
		return err
	}
	return ValidateReport(e.gen, req)
}

func (e *external) submitReport(ctx workflow.Context, req Report) (StepRecord, error) {
	key := e.reportStep()
	if key == StepRevisitReport {
		e.revisitRep = &req
	} else {
		e.report = &req
		e.reportSubmitted = true
	}
	s := e.book.find(key)
	e.book.closeStep(ctx, s, StepDone, req.Actor, fmt.Sprintf("verdict %d", req.Verdict))
	e.recordReport(ctx, key, req)
	e.book.audit(ctx, req.Actor, "submit-report", key, fmt.Sprintf("verdict %d", req.Verdict))
	return s.rec, nil
}

func (e *external) requireInstitution(actor string) error {
	if actor == "" {
		return fmt.Errorf("say who is acting (--as PERSON-ID)")
	}
	if actor != e.manager() && !e.book.in.Institution.IsSecretariat(actor) {
		return fmt.Errorf("%s is not the manager of %s (%s) or the secretariat", actor, e.book.in.InstitutionID, e.manager())
	}
	return nil
}

func (e *external) validateComment(ctx workflow.Context, req Comment) error {
	if err := e.requireInstitution(req.Actor); err != nil {
		return err
	}
	s := e.book.find(StepHearing)
	if s == nil {
		return fmt.Errorf("the report has not been submitted yet: there is nothing to comment on")
	}
	if !s.open() {
		return fmt.Errorf("the hearing closed on %s: comments are no longer accepted", s.rec.Closed)
	}
	return checkRequired("the comment", req.Text, domain.MaxStatementLength, "the comment is empty")
}

func (e *external) commentReport(ctx workflow.Context, req Comment) (int, error) {
	e.comments = append(e.comments, req)
	e.recordSubmission(ctx, e.book.find(StepHearing), "comment", req.Actor, req)
	e.book.audit(ctx, req.Actor, "comment-report", StepHearing, excerpt(req.Text, auditExcerpt))
	return len(e.comments), nil
}

func (e *external) validateActionPlan(_ workflow.Context, req ActionPlan) error {
	if _, err := e.book.requireHolder(StepActionPlan, req.Actor); err != nil {
		return err
	}
	return ValidateActionPlan(e.gen, req)
}

func (e *external) submitActionPlan(ctx workflow.Context, req ActionPlan) (StepRecord, error) {
	e.actionPlan = &req
	s := e.book.find(StepActionPlan)
	e.book.closeStep(ctx, s, StepDone, req.Actor, "action plan submitted")
	e.recordSubmission(ctx, s, "action-plan", req.Actor, req)
	e.book.audit(ctx, req.Actor, "submit-action-plan", StepActionPlan, fmt.Sprintf("%d areas", len(req.Areas)))
	return s.rec, nil
}

func (e *external) validateAppeal(ctx workflow.Context, req Appeal) error {
	if err := e.requireInstitution(req.Actor); err != nil {
		return err
	}
	if e.finalOn.IsZero() {
		return fmt.Errorf("there is no final verdict to appeal yet")
	}
	if e.appeal != nil {
		return fmt.Errorf("the verdict has already been appealed by %s", e.appeal.Actor)
	}
	if s := e.book.find(StepAppealWindow); s == nil || !s.open() {
		return fmt.Errorf("the appeal window closed on %s (%s after the final verdict of %s)", e.appealBy, e.durations().Durations.AppealWindow, e.finalOn)
	}
	return checkRequired("the grounds of the appeal", req.Reason, domain.MaxStatementLength, "give the grounds of the appeal")
}

func (e *external) lodgeAppeal(ctx workflow.Context, req Appeal) (StepRecord, error) {
	e.appeal = &req
	s := e.book.find(StepAppealWindow)
	e.book.closeStep(ctx, s, StepDone, req.Actor, "appealed: "+excerpt(req.Reason, noteExcerpt))
	e.recordSubmission(ctx, s, "appeal", req.Actor, req)
	e.book.audit(ctx, req.Actor, "appeal", StepAppealWindow, excerpt(req.Reason, auditExcerpt))
	return s.rec, nil
}

func (e *external) decisionStep() (*step, error) {
	for _, key := range []string{StepAppealDecision, StepVerdictDecision} {
		if s := e.book.find(key); s != nil && s.open() {
			return s, nil
		}
	}
	return nil, fmt.Errorf("there is nothing to decide: no appeal or verdict decision is open")
}

func (e *external) validateDecision(_ workflow.Context, req Decision) error {
	if err := e.book.requireSecretariat(req.Actor); err != nil {
		return err
	}
	s, err := e.decisionStep()
	if err != nil {
		return err
	}
	if req.Verdict != 0 {
		if _, err := domain.ParseVerdict(int(req.Verdict)); err != nil {
			return err
		}
		if s.rec.Key == StepAppealDecision && req.Verdict > e.final {
			return fmt.Errorf("an appeal cannot make the verdict worse: keep %d (uphold) or choose a better one", e.final)
		}
	}
	return checkRequired("the reasons for the decision", req.Reason, domain.MaxStatementLength, "give the reasons for the decision")
}

func (e *external) decide(ctx workflow.Context, req Decision) (StepRecord, error) {
	s, _ := e.decisionStep()
	e.decision = &req
	outcome := "upheld"
	if req.Verdict != 0 && req.Verdict != e.final {
		outcome = fmt.Sprintf("changed to %d", req.Verdict)
	}
	e.book.closeStep(ctx, s, StepDone, req.Actor, outcome+": "+excerpt(req.Reason, noteExcerpt))
	e.recordSubmission(ctx, s, "decision", req.Actor, req)
	e.book.audit(ctx, req.Actor, "decide", s.rec.Key, outcome+": "+excerpt(req.Reason, auditExcerpt))
	return s.rec, nil
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
