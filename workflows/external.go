package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// ExternalEvaluation is the third-year external evaluation (PRODUCT.md §3.2): a team from a
// similar institution in another region is assigned, agrees a visit date, visits, reports
// with a verdict, hears the institution, follows up (action plan or revisit), and takes an
// appeal if one comes. It returns the final verdict and the team.
func ExternalEvaluation(ctx workflow.Context, in StageInput) (StageResult, error) {
	e := &external{book: newStepBook(ctx, begin(ctx, in.Release), StageExternalEvaluation, in), seats: map[domain.TeamRole]*seat{},
		teamLock: workflow.NewMutex(ctx)}
	if err := e.register(ctx); err != nil {
		return StageResult{}, err
	}
	// Read after the handlers are in place; the report and plan validators need it, long after.
	gen, err := generationNumbered(ctx, e.book.rel, in.Generation)
	if err != nil {
		return StageResult{}, err
	}
	e.gen = gen
	if err := e.run(ctx); err != nil {
		if ctx.Err() != nil {
			return e.cancelled(ctx), nil
		}
		return StageResult{}, err
	}
	e.phase = EvaluationDone
	if err := e.book.settle(ctx); err != nil {
		return e.cancelled(ctx), nil
	}
	return StageResult{Steps: e.book.records(), Outcome: "verdict " + fmt.Sprint(int(e.final)), Verdict: e.final, Team: e.team()}, nil
}

// cancelled withdraws what a cancelled evaluation leaves open and reports it.
func (e *external) cancelled(ctx workflow.Context) StageResult {
	res := e.book.finishCancelled(ctx)
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	e.withdrawInvitations(dctx)
	_ = e.book.settle(dctx)
	res.Steps = e.book.records()
	res.Team = e.team()
	return res
}

type visit struct {
	date       domain.Date
	setBy      string
	recorded   domain.Date
	recordedBy string
	notes      string
}

type external struct {
	book  *stepBook
	gen   domain.Generation
	phase EvaluationPhase
	seats map[domain.TeamRole]*seat
	// teamLock makes hand assignments take turns: each awaits a candidate check.
	teamLock workflow.Mutex
	// assigning is set while a hand assignment runs; the report waits for it.
	assigning bool
	// excluded are everyone invited so far, so nobody is asked twice.
	excluded []string

	visit, revisit       visit
	report, revisitRep   *Report
	comments             []Comment
	final                domain.Verdict
	finalOn              domain.Date
	appeal               *Appeal
	decision             *Decision
	actionPlan           *ActionPlan
	teamVersion          int
	reportSubmitted      bool
	hearingDue, appealBy domain.Date
	revisitBy            domain.Date
	// awaitingVisitDay is set while a planned visit or revisit waits for its day: until then
	// the lead may move the date, and each move counts in dateMoves to wake the wait.
	awaitingVisitDay bool
	dateMoves        int
}

func (e *external) manager() string { return e.book.in.Institution.ManagerID }

// secretariatHolder is the person who holds a secretariat step; escalations reach the whole
// secretariat anyway.
func (e *external) secretariatHolder() string {
	if ids := e.book.in.Institution.SecretariatIDs; len(ids) > 0 {
		return ids[0]
	}
	if ids := e.book.in.Institution.NationalSecretariat; len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func (e *external) today(ctx workflow.Context) domain.Date { return e.book.today(ctx) }

func (e *external) durations() *Settings { return &e.book.in.Settings }

// run is the external evaluation, step by step.
func (e *external) run(ctx workflow.Context) error {
	e.phase = EvaluationTeam
	if err := e.assembleTeam(ctx); err != nil {
		return err
	}
	d := e.durations().Durations

	// The lead agrees the visit date with the institution, at least the notice period ahead,
	// and the visit is planned until its day comes.
	e.phase = EvaluationVisitPlanned
	if err := e.awaitStep(ctx, stepSpec{Key: StepVisitDate, Title: "Aftal dato for besøget",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(),
		Due: domain.DueDate(e.today(ctx), d.VisitDateDue)}); err != nil {
		return err
	}
	e.recordVisit(ctx, "visit", e.visit)
	if err := e.awaitVisitDay(ctx, "visit", &e.visit); err != nil {
		return err
	}

	// On the visit day, the lead records the visit, at the latest two days after it.
	e.phase = EvaluationVisit
	if err := e.awaitStep(ctx, stepSpec{Key: StepVisit, Title: "Registrér at besøget har fundet sted",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(),
		Due: domain.DueDate(e.visit.date, d.VisitRecordGrace)}); err != nil {
		return err
	}
	e.recordVisit(ctx, "visit", e.visit)

	// The lead submits the report within four weeks of the visit.
	e.phase = EvaluationReport
	if err := e.awaitStep(ctx, stepSpec{Key: StepReport, Title: "Skriv og indsend rapporten",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(),
		Due: domain.DueDate(e.visit.recorded, d.ReportDue)}); err != nil {
		return err
	}

	// The institution may comment on factual errors; then the report is final.
	e.phase = EvaluationHearing
	e.hearingDue = domain.DueDate(e.today(ctx), d.HearingPeriod)
	if err := e.awaitStep(ctx, stepSpec{Key: StepHearing, Title: "Høring: bemærkninger til faktuelle fejl i rapporten",
		HolderID: e.manager(), HolderRole: string(domain.RoleInstitutionManager), Due: e.hearingDue, AtDue: domain.CloseAtDue}); err != nil {
		return err
	}
	e.final = e.report.Verdict
	if e.final.RequiresRevisit() {
		verdict, err := e.runRevisit(ctx)
		if err != nil {
			return err
		}
		e.final = verdict
	}
	e.finalOn = e.today(ctx)
	e.recordFinal(ctx)
	e.phase = EvaluationFollowUp
	return e.followUp(ctx)
}

// awaitStep opens a step and waits until it is closed.
func (e *external) awaitStep(ctx workflow.Context, spec stepSpec) error {
	s := e.book.openStep(ctx, spec)
	return e.book.awaitClosed(ctx, s)
}

// awaitVisitDay waits for the day of a planned visit (kind "visit" or "revisit"): nothing
// can be recorded before it, so the team and the institution only hear of the visit itself,
// a week and a day before (the cycle's visit reminders). The lead may move the date while
// the visit waits, and the notices follow the new date. Cycles that agreed a date before
// this change opened the visit step at once.
func (e *external) awaitVisitDay(ctx workflow.Context, kind string, v *visit) error {
	if !e.book.rel.changed(ctx, ChangeVisitOnItsDay) {
		return nil
	}
	e.awaitingVisitDay = true
	defer func() { e.awaitingVisitDay = false }()
	notices := e.durations().Durations.VisitNotices()
	var after domain.Date
	for e.today(ctx).Before(v.date) {
		moves := e.dateMoves
		target := v.date
		notice, ok := domain.NextVisitNotice(notices, v.date, after, e.today(ctx))
		if ok {
			target = notice
		}
		if wait := e.book.in.Clock.TimeOf(target).Sub(workflow.Now(ctx)); wait > 0 {
			moved, err := awaitWithTimeout(ctx, e.book.rel, wait, func() bool { return e.dateMoves != moves })
			if err != nil {
				return err
			}
			if moved {
				// Notices already due for the old date are not sent for the new one: the
				// move itself was announced.
				after = e.today(ctx).AddDays(-1)
				continue
			}
			if e.today(ctx).After(target) {
				continue // a timer that fired after an outage: see what holds today
			}
		}
		if !ok {
			continue
		}
		e.sendVisitNotice(ctx, kind, v.date, notice)
		after = notice
	}
	return nil
}

// sendVisitNotice tells the team and the institution manager that the visit is coming,
// once per visit date and notice.
func (e *external) sendVisitNotice(ctx workflow.Context, kind string, visitOn, noticeOn domain.Date) {
	days := visitOn.DaysSince(e.today(ctx))
	title := fmt.Sprintf("Besøget finder sted %s (om %d dage)", visitOn, days)
	if kind == "revisit" {
		title = fmt.Sprintf("Genbesøget finder sted %s (om %d dage)", visitOn, days)
	}
	to := make([]activities.Recipient, 0, 5)
	for _, id := range e.participants() {
		to = append(to, activities.Recipient{PersonID: id})
	}
	n := e.book.message(ctx, alertKey(e.book.key+"/"+kind+"/"+visitOn.String(), string(activities.KindInfo), 0, noticeOn),
		activities.KindInfo, kind, title, to)
	n.Due = visitOn
	var a *activities.Activities
	_ = e.book.effect(ctx, a.Notify, n, nil)
}

// runRevisit is verdict 3's follow-up: the same team revisits within six months and writes
// a revisit report with a new verdict; a verdict 3 again goes to the secretariat.
func (e *external) runRevisit(ctx workflow.Context) (domain.Verdict, error) {
	d := e.durations().Durations
	e.revisitBy = d.RevisitWithin.AddTo(e.today(ctx))
	// The date must be set early enough for the notice period to fit before the deadline.
	due := domain.DueDate(e.today(ctx), d.VisitDateDue)
	if latest := d.RevisitNotice.SubtractFrom(e.revisitBy); latest.Before(due) {
		due = latest
	}
	e.phase = EvaluationRevisitPlanned
	if err := e.awaitStep(ctx, stepSpec{Key: StepRevisitDate, Title: "Aftal dato for genbesøget",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(), Due: due}); err != nil {
		return 0, err
	}
	e.recordVisit(ctx, "revisit", e.revisit)
	if err := e.awaitVisitDay(ctx, "revisit", &e.revisit); err != nil {
		return 0, err
	}
	e.phase = EvaluationRevisit
	if err := e.awaitStep(ctx, stepSpec{Key: StepRevisit, Title: "Registrér at genbesøget har fundet sted",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(),
		Due: domain.DueDate(e.revisit.date, d.VisitRecordGrace)}); err != nil {
		return 0, err
	}
	e.recordVisit(ctx, "revisit", e.revisit)
	e.phase = EvaluationRevisitReport
	if err := e.awaitStep(ctx, stepSpec{Key: StepRevisitReport, Title: "Skriv og indsend rapporten fra genbesøget",
		HolderID: e.lead(), HolderRole: string(domain.SeatLead), FirstEscalationTo: e.lead(),
		Due: domain.DueDate(e.revisit.recorded, d.RevisitReportDue)}); err != nil {
		return 0, err
	}
	if !e.revisitRep.Verdict.RequiresRevisit() {
		return e.revisitRep.Verdict, nil
	}
	e.decision = nil
	e.phase = EvaluationVerdictDecision
	if err := e.awaitStep(ctx, stepSpec{Key: StepVerdictDecision, Title: "Afgør sagen: væsentlige områder er fortsat ikke opfyldt efter genbesøget",
		HolderID: e.secretariatHolder(), HolderRole: string(domain.RoleSecretariat),
		Due: domain.DueDate(e.today(ctx), d.DecisionDue)}); err != nil {
		return 0, err
	}
	if e.decision != nil && e.decision.Verdict.Valid() {
		return e.decision.Verdict, nil
	}
	return e.revisitRep.Verdict, nil
}

// followUp runs the appeal window and, for verdicts 2 and 3, the action plan, side by side.
func (e *external) followUp(ctx workflow.Context) error {
	d := e.durations().Durations
	e.appealBy = d.AppealWindow.AddTo(e.finalOn)
	window := e.book.openStep(ctx, stepSpec{Key: StepAppealWindow, Title: "Klagefrist: institutionen kan klage over den endelige vurdering",
		HolderID: e.manager(), HolderRole: string(domain.RoleInstitutionManager), Due: e.appealBy, AtDue: domain.CloseAtDue})
	var plan *step
	openPlan := func() {
		plan = e.book.openStep(ctx, stepSpec{Key: StepActionPlan, Title: "Indsend handleplan for de områder der skal forbedres",
			HolderID: e.manager(), HolderRole: string(domain.RoleInstitutionManager), FirstEscalationTo: e.manager(),
			Due: domain.DueDate(e.today(ctx), d.ActionPlanDue)})
	}
	if e.final != domain.VerdictMeets {
		openPlan()
	}
	if err := e.book.awaitClosed(ctx, window); err != nil {
		return err
	}
	if e.appeal != nil {
		e.phase = EvaluationAppeal
		if err := e.awaitStep(ctx, stepSpec{Key: StepAppealDecision, Title: "Afgør klagen over vurderingen",
			HolderID: e.secretariatHolder(), HolderRole: string(domain.RoleSecretariat),
			Due: domain.DueDate(e.today(ctx), d.DecisionDue)}); err != nil {
			return err
		}
		if e.decision != nil && e.decision.Verdict.Valid() && e.decision.Verdict != e.final {
			e.final = e.decision.Verdict
			e.finalOn = e.today(ctx)
			e.recordFinal(ctx)
		}
		e.phase = EvaluationFollowUp
		switch {
		case e.final == domain.VerdictMeets && plan != nil && plan.open():
			e.book.closeStep(ctx, plan, StepWithdrawn, e.decision.Actor, "not needed: the verdict was changed to 1 on appeal")
		case e.final != domain.VerdictMeets && plan == nil:
			openPlan()
		}
	}
	if plan != nil {
		return e.book.awaitClosed(ctx, plan)
	}
	return nil
}

func (e *external) recordVisit(ctx workflow.Context, kind string, v visit) {
	in := e.book.in
	row := activities.VisitWrite{ID: e.book.key + "/" + kind, InstitutionID: in.InstitutionID, Cycle: in.Cycle,
		Kind: kind, VisitOn: v.date, SetBy: v.setBy, RecordedOn: v.recorded, RecordedBy: v.recordedBy, Notes: v.notes,
		Revision: e.book.revs.next(ctx)}
	var a *activities.Activities
	_ = e.book.effect(ctx, a.RecordVisit, row, nil)
}

func (e *external) recordFinal(ctx workflow.Context) {
	id := e.book.key + "/" + StepReport
	if e.revisitRep != nil {
		id = e.book.key + "/" + StepRevisitReport
	}
	var a *activities.Activities
	_ = runEffect(ctx, e.book.rel, a.RecordFinalVerdict,
		activities.FinalVerdict{ReportID: id, Verdict: int(e.final), On: e.finalOn, Revision: e.book.revs.next(ctx)}, nil)
}

func (e *external) recordReport(ctx workflow.Context, key string, r Report) {
	in := e.book.in
	assessed := make([]activities.AssessmentWrite, len(r.Assessments))
	for i, a := range r.Assessments {
		assessed[i] = activities.AssessmentWrite{Standard: a.Standard, Met: a.Met, Assessment: a.Assessment}
	}
	id := e.book.key + "/" + key
	rec := activities.SubmissionRecord{
		Submission: activities.SubmissionMeta{ID: id, InstitutionID: in.InstitutionID, Cycle: in.Cycle, Step: key,
			Kind: key, SubmittedBy: r.Actor, SubmittedOn: e.today(ctx)},
		Body: r,
		Report: &activities.ReportWrite{Kind: key, AuthorID: r.Actor, SubmittedOn: e.today(ctx), Verdict: int(r.Verdict),
			Summary: r.Summary, Suggestions: r.Suggestions},
		Assessments: assessed,
	}
	e.book.recordDocument(ctx, e.book.find(key), rec)
}

// recordSubmission stores what a person handed in on a step (a comment, a plan, an appeal,
// a decision) and attaches it to the step.
func (e *external) recordSubmission(ctx workflow.Context, s *step, kind, actor string, payload any) {
	in := e.book.in
	id := actionKey(e.book.key, workflow.GetCurrentUpdateInfo(ctx).ID) + "/" + kind
	rec := activities.SubmissionRecord{Submission: activities.SubmissionMeta{ID: id, InstitutionID: in.InstitutionID,
		Cycle: in.Cycle, Step: s.rec.Key, Kind: kind, SubmittedBy: actor, SubmittedOn: e.today(ctx)}, Body: payload}
	e.book.recordDocument(ctx, s, rec)
}

// ValidateReport checks a report: a verdict on the scale that agrees with the assessments
// (verdict 1 only when every standard is met; 2 and 3 name at least one that is not), a
// summary, an assessment of every active standard of the generation, none unknown, and every
// text within its limit.
func ValidateReport(gen domain.Generation, r Report) error {
	var problems collect
	size := submissionSize(0)
	if _, err := domain.ParseVerdict(int(r.Verdict)); err != nil {
		problems.add(FieldVerdict, err)
	}
	problems.add(FieldSummary, checkRequired("the report's summary", r.Summary, domain.MaxReportTextLength, "the report needs a summary"))
	problems.add(FieldSuggestions, domain.CheckText("the report's suggestions", r.Suggestions, domain.MaxReportTextLength))
	size.add(r.Summary, r.Suggestions)
	seen := map[string]bool{}
	var unmet []string
	for _, a := range r.Assessments {
		if _, ok := gen.Standard(a.Standard); !ok {
			problems.addf(FieldAssessment(a.Standard), "standard %s is not in catalogue generation %d", a.Standard, gen.Number)
		}
		if seen[a.Standard] {
			problems.addf(FieldAssessment(a.Standard), "standard %s is assessed twice", a.Standard)
		}
		seen[a.Standard] = true
		if !a.Met {
			unmet = append(unmet, a.Standard)
		}
		problems.add(FieldAssessment(a.Standard), checkRequired("the assessment of standard "+a.Standard, a.Assessment, domain.MaxAssessmentLength,
			"the assessment of standard "+a.Standard+" is empty"))
		size.add(a.Standard, a.Assessment)
	}
	for _, st := range gen.ActiveStandards() {
		if !seen[st.Code] {
			problems.addf(FieldAssessment(st.Code), "the report has no assessment of standard %s (%s)", st.Code, st.Title.EN)
		}
	}
	switch {
	case r.Verdict == domain.VerdictMeets && len(unmet) > 0:
		problems.addf(FieldVerdict, "verdict 1 (meets the standards) does not agree with the assessments: standard %s is not met; choose verdict 2 or 3, or correct the assessment",
			strings.Join(unmet, ", "))
	case r.Verdict.Valid() && r.Verdict != domain.VerdictMeets && len(unmet) == 0 && len(r.Assessments) > 0:
		problems.addf(FieldVerdict, "verdict %d says areas must improve, but every standard is assessed as met: mark the standards that are not met, or give verdict 1", r.Verdict)
	}
	problems.add("", size.check("the report"))
	return problems.err()
}

// ValidateActionPlan checks an action plan: the plan's text within its limit, and the areas
// it covers standards of the catalogue generation, each named once.
func ValidateActionPlan(gen domain.Generation, p ActionPlan) error {
	var problems collect
	problems.add(FieldPlan, checkRequired("the action plan", p.Plan, domain.MaxStatementLength, "the action plan is empty"))
	seen := map[string]bool{}
	for _, area := range p.Areas {
		if _, ok := gen.Standard(area); !ok {
			problems.addf(FieldAreas, "area %s is not a standard of catalogue generation %d: name the standards the plan improves (e.g. 5.1)", area, gen.Number)
		}
		if seen[area] {
			problems.addf(FieldAreas, "area %s is named twice", area)
		}
		seen[area] = true
	}
	return problems.err()
}
