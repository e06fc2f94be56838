package workflows

import (
	"fmt"

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
			AppealDue: e.appealBy, HearingDue: e.hearingDue, Phase: e.phase}, nil
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
		{UpdateAnswerInvitation, e.answerInvitation, workflow.UpdateHandlerOptions{Validator: refusing(e.validateAnswer)}},
		{UpdateAssignReviewer, e.assignReviewer, workflow.UpdateHandlerOptions{Validator: refusing(e.validateAssignment)}},
		{UpdateSetVisitDate, e.setVisitDate, workflow.UpdateHandlerOptions{Validator: refusing(e.validateVisitDate)}},
		{UpdateRecordVisit, e.recordVisitDone, workflow.UpdateHandlerOptions{Validator: refusing(e.validateRecordVisit)}},
		{UpdateSubmitReport, e.submitReport, workflow.UpdateHandlerOptions{Validator: refusing(e.validateReport)}},
		{UpdateCommentReport, e.commentReport, workflow.UpdateHandlerOptions{Validator: refusing(e.validateComment)}},
		{UpdateSubmitActionPlan, e.submitActionPlan, workflow.UpdateHandlerOptions{Validator: refusing(e.validateActionPlan)}},
		{UpdateAppeal, e.lodgeAppeal, workflow.UpdateHandlerOptions{Validator: refusing(e.validateAppeal)}},
		{UpdateDecide, e.decide, workflow.UpdateHandlerOptions{Validator: refusing(e.validateDecision)}},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, h.opts); err != nil {
			return err
		}
	}
	return nil
}

// dateStep is the visit-date or revisit-date step of the planned visit, with its notice
// period and limit, and the visit it plans.
func (e *external) dateStep() (key string, notice domain.Period, latest domain.Date, v *visit) {
	d := e.durations().Durations
	if e.phase == EvaluationRevisitPlanned {
		return StepRevisitDate, d.RevisitNotice, e.revisitBy, &e.revisit
	}
	return StepVisitDate, d.VisitNotice, domain.Date{}, &e.visit
}

func (e *external) validateVisitDate(ctx workflow.Context, req VisitDate) error {
	key, notice, latest, v := e.dateStep()
	switch e.phase {
	case EvaluationVisitPlanned, EvaluationRevisitPlanned:
	case EvaluationTeam:
		return fmt.Errorf("the team is not complete yet: the lead agrees the visit date once it is")
	default:
		return fmt.Errorf("the visit date can no longer be set: the evaluation is in its %s phase", e.phase)
	}
	if s := e.book.find(key); s != nil && s.open() {
		if _, err := e.book.requireHolder(key, req.Actor); err != nil {
			return err
		}
	} else {
		if !e.awaitingVisitDay {
			return fmt.Errorf("the visit on %s is about to open: its date can no longer move", v.date)
		}
		if req.Actor != e.lead() && !e.book.in.Institution.IsSecretariat(req.Actor) {
			return fmt.Errorf("%s may not move the visit: the lead (%s) or the secretariat moves it", req.Actor, e.lead())
		}
	}
	if req.Date.IsZero() {
		return refuseField(FieldVisitDate, "give the date of the visit as YYYY-MM-DD")
	}
	if req.Date.Equal(v.date) {
		return refuseField(FieldVisitDate, "the visit is already planned for %s", v.date)
	}
	earliest := notice.AddTo(e.today(ctx))
	if req.Date.Before(earliest) {
		return refuseField(FieldVisitDate, "the visit on %s is inside the notice period of %s: choose %s or later", req.Date, notice, earliest)
	}
	if !latest.IsZero() && req.Date.After(latest) {
		return refuseField(FieldVisitDate, "the revisit must take place by %s (within %s of the verdict); %s is too late", latest, e.durations().Durations.RevisitWithin, req.Date)
	}
	return nil
}

func (e *external) setVisitDate(ctx workflow.Context, req VisitDate) (StepRecord, error) {
	key, _, _, v := e.dateStep()
	s := e.book.find(key)
	if !s.open() {
		return e.moveVisit(ctx, s, v, req)
	}
	v.date, v.setBy = req.Date, req.Actor
	e.book.closeStep(ctx, s, StepDone, req.Actor, "visit on "+req.Date.String())
	e.book.notifyInfo(ctx, s, fmt.Sprintf("Besøget finder sted %s.", req.Date), e.participants())
	e.book.audit(ctx, req.Actor, "set-visit-date", key, req.Date.String())
	return s.rec, nil
}

// moveVisit moves a planned visit to another day: the read model, the team and the
// institution learn the new date, and the wait for the visit day starts again.
func (e *external) moveVisit(ctx workflow.Context, s *step, v *visit, req VisitDate) (StepRecord, error) {
	kind := "visit"
	if s.rec.Key == StepRevisitDate {
		kind = "revisit"
	}
	from := v.date
	v.date, v.setBy = req.Date, req.Actor
	e.dateMoves++
	e.recordVisit(ctx, kind, *v)
	to := make([]activities.Recipient, 0, 5)
	for _, id := range e.participants() {
		to = append(to, activities.Recipient{PersonID: id})
	}
	n := e.book.message(ctx, alertKey(s.id+"/moved/"+req.Date.String(), string(activities.KindInfo), 0, e.today(ctx)),
		activities.KindInfo, kind, fmt.Sprintf("Besøget er flyttet fra %s til %s", from, req.Date), to)
	n.Due = req.Date
	var a *activities.Activities
	_ = e.book.effect(ctx, a.Notify, n, nil)
	e.book.audit(ctx, req.Actor, "move-visit-date", s.rec.Key, fmt.Sprintf("%s -> %s", from, req.Date))
	rec := s.rec
	rec.Note = "visit on " + req.Date.String()
	return rec, nil
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
	if e.phase == EvaluationRevisit || e.phase == EvaluationRevisitPlanned {
		return StepRevisit, &e.revisit
	}
	return StepVisit, &e.visit
}

func (e *external) validateRecordVisit(ctx workflow.Context, req VisitRecord) error {
	key, v := e.visitStep()
	switch e.phase {
	case EvaluationVisit, EvaluationRevisit:
	case EvaluationTeam:
		return fmt.Errorf("the team is not complete yet: there is no visit to record")
	case EvaluationVisitPlanned, EvaluationRevisitPlanned:
		if v.date.IsZero() {
			return fmt.Errorf("no date is agreed for the visit yet: set it first (visit-date)")
		}
		return fmt.Errorf("the visit is planned for %s: record it on that day or later", v.date)
	default:
		return fmt.Errorf("the visit was recorded on %s", v.recorded)
	}
	if _, err := e.book.requireHolder(key, req.Actor); err != nil {
		return err
	}
	if today := e.today(ctx); today.Before(v.date) {
		return fmt.Errorf("the visit is on %s; it can be recorded on that day or later, not on %s", v.date, today)
	}
	return onField(FieldVisitNotes, domain.CheckText("the visit notes", req.Notes, domain.MaxNoteLength))
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
	switch e.phase {
	case EvaluationReport, EvaluationRevisitReport:
	case EvaluationTeam, EvaluationVisitPlanned, EvaluationVisit:
		return fmt.Errorf("the report comes after the visit: record the visit first")
	case EvaluationRevisitPlanned, EvaluationRevisit:
		return fmt.Errorf("the revisit report comes after the revisit: record the revisit first")
	default:
		return fmt.Errorf("the report is in: the evaluation is in its %s phase", e.phase)
	}
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
	return onField(FieldComment, checkRequired("the comment", req.Text, domain.MaxStatementLength, "the comment is empty"))
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
	return onField(FieldReason, checkRequired("the grounds of the appeal", req.Reason, domain.MaxStatementLength, "give the grounds of the appeal"))
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
			return onField(FieldVerdict, err)
		}
		if s.rec.Key == StepAppealDecision && req.Verdict > e.final {
			return refuseField(FieldVerdict, "an appeal cannot make the verdict worse: keep %d (uphold) or choose a better one", e.final)
		}
	}
	return onField(FieldReason, checkRequired("the reasons for the decision", req.Reason, domain.MaxStatementLength, "give the reasons for the decision"))
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
