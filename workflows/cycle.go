package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// AccreditationCycle runs one institution's accreditation, cycle after cycle (PRODUCT.md
// §3): a self-evaluation in each of the three years, the external evaluation after the
// third, publication, and then the next cycle, anchored three years after this one. The
// external evaluation and the publication are child workflows, and the self-evaluations too
// for a cycle begun before release v12; from v12 on the cycle runs each self-evaluation
// itself, which brings a new cycle to its first open step with one workflow and one task.
// The cycle continues as new into the next cycle, and earlier whenever the server suggests it.
func AccreditationCycle(ctx workflow.Context, in CycleInput) (CycleStatus, error) {
	c := &cycle{in: in, rel: begin(ctx, in.Release)}
	// Handlers first, so a status query answers even while the cycle reads its settings.
	if err := c.register(ctx); err != nil {
		return CycleStatus{}, err
	}
	if err := c.setup(ctx); err != nil {
		return CycleStatus{}, err
	}
	for c.state.Phase < PhaseDone && !c.state.Cancelled {
		if err := c.runPhase(ctx); err != nil {
			return c.status(ctx), err
		}
		if c.state.Cancelled {
			break
		}
		c.state.Phase++
		if c.state.Phase < PhaseDone && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return c.continueAsNew(ctx, c.in.Number, c.in.StartDate, &c.state)
		}
	}
	if c.state.Cancelled {
		c.recordCycle(ctx, "cancelled", c.state.CancelReason)
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return c.status(ctx), err
		}
		return c.status(ctx), nil
	}
	c.recordCycle(ctx, "completed", c.state.FinalVerdict.LabelEN())
	next := c.state.Settings.Durations.CycleLength.AddTo(c.in.StartDate)
	return c.continueAsNew(ctx, c.in.Number+1, next, nil)
}

type cycle struct {
	in     CycleInput
	rel    began
	clock  domain.Clock
	state  CycleState
	active string
	stage  Stage
	// nextOn is the date the next stage opens while the cycle waits for it.
	nextOn domain.Date
	// revs orders the cycle's writes to its read-model row.
	revs revisions
	// readOn is the day this run last read the institution.
	readOn domain.Date
	// selfEval is the self-evaluation the cycle runs itself now (release v12 on), or nil.
	selfEval *selfEvaluation
}

// setup fixes the clock on the first run, and reads settings and the institution at the
// start of each cycle; a continued run takes them from the carried state.
func (c *cycle) setup(ctx workflow.Context) error {
	if c.in.State != nil {
		c.state = *c.in.State
		c.clock = *c.in.Clock
		c.upsertSearchAttributes(ctx, c.stage, domain.Date{})
		return nil
	}
	var a *activities.Activities
	if err := runRead(ctx, c.rel, a.LoadSettings, &c.state.Settings); err != nil {
		return err
	}
	if c.in.Clock != nil {
		c.clock = *c.in.Clock
	} else {
		c.clock = newCycleClock(c.in.StartDate, workflow.Now(ctx), c.state.Settings.DayLength)
	}
	if err := c.refreshInstitution(ctx); err != nil {
		return err
	}
	c.state.Phase = PhaseSelfEvaluation1
	if !c.rel.leanSteps() {
		// From release v10 on, the first stage (or the wait for it) writes the row, at once.
		c.recordCycle(ctx, "running", "")
	}
	c.audit(ctx, "", c.in.StartedBy, "start-cycle", fmt.Sprintf("cycle %d from %s", c.in.Number, c.in.StartDate))
	return nil
}

// newCycleClock anchors the calendar. With real days, dates are real (midnight UTC); with a
// shorter day length, the start date begins now and the calendar runs faster from there.
func newCycleClock(start domain.Date, now time.Time, dayLength time.Duration) domain.Clock {
	if dayLength == 24*time.Hour {
		return domain.Clock{AnchorDate: start, AnchorTime: start.Time(), DayLength: dayLength}
	}
	return domain.Clock{AnchorDate: start, AnchorTime: now, DayLength: dayLength}
}

func (c *cycle) refreshInstitution(ctx workflow.Context) error {
	if c.rel.leanSteps() && c.readOn == c.today(ctx) {
		return nil // read today already: a new cycle's setup reads it just before its first stage
	}
	c.readOn = c.today(ctx)
	var a *activities.Activities
	var info activities.InstitutionContext
	if err := runRead(ctx, c.rel, a.LoadInstitution, &info, c.in.InstitutionID, c.in.StartDate); err != nil {
		return err
	}
	c.state.Institution = InstitutionInfo{ID: info.ID, Name: info.Name, Region: info.Region, ManagerID: info.ManagerID,
		SecretariatIDs: info.SecretariatIDs, NationalSecretariat: info.NationalSecretariat}
	if c.state.Generation == 0 {
		c.state.Generation = info.Generation
	}
	return nil
}

func (c *cycle) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (CycleStatus, error) { return c.status(ctx), nil }); err != nil {
		return err
	}
	if c.rel.inlineSelfEvaluation() {
		if err := workflow.SetQueryHandler(ctx, QueryStageStatus, func() (StageStatus, error) {
			if c.selfEval == nil {
				return StageStatus{}, errNoStageHere
			}
			return c.selfEval.status(ctx), nil
		}); err != nil {
			return err
		}
		if err := registerSelfEvaluationActions(ctx, func() *selfEvaluation { return c.selfEval }); err != nil {
			return err
		}
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancelCycle,
		func(ctx workflow.Context, req Cancellation) (CycleStatus, error) {
			c.state.Cancelled, c.state.CancelledBy, c.state.CancelReason = true, req.Actor, req.Reason
			c.audit(ctx, workflow.GetCurrentUpdateInfo(ctx).ID, req.Actor, "cancel-cycle", req.Reason)
			return c.status(ctx), nil
		},
		workflow.UpdateHandlerOptions{Validator: refusing(func(ctx workflow.Context, req Cancellation) error {
			if req.Actor == "" {
				return fmt.Errorf("say who is acting (--as PERSON-ID)")
			}
			if !c.state.Institution.IsSecretariat(req.Actor) {
				return fmt.Errorf("%s is not in the secretariat of %s or the national secretariat: only the secretariat cancels cycles",
					req.Actor, c.state.Institution.Region.Name())
			}
			if err := checkRequired("the reason", req.Reason, domain.MaxReasonLength, "give the reason for cancelling (e.g. the institution has closed)"); err != nil {
				return onField(FieldReason, err)
			}
			if c.state.Cancelled {
				return fmt.Errorf("the cycle was already cancelled by %s", c.state.CancelledBy)
			}
			return nil
		})})
}

// runPhase waits for the phase's opening date and runs its stage.
func (c *cycle) runPhase(ctx workflow.Context) error {
	d := c.state.Settings.Durations
	in := c.stageInput(ctx)
	switch phase := c.state.Phase; phase {
	case PhaseSelfEvaluation1, PhaseSelfEvaluation2, PhaseSelfEvaluation3:
		year := int(phase-PhaseSelfEvaluation1) + 1
		opens := c.in.StartDate
		for i := 1; i < year; i++ {
			opens = d.SelfEvaluationInterval.AddTo(opens)
		}
		if !c.waitUntil(ctx, opens) {
			return nil
		}
		if err := c.refreshInstitution(ctx); err != nil {
			return err
		}
		in = c.stageInput(ctx)
		in.Year, in.Opens = year, opens
		_, err := c.runStage(ctx, StageSelfEvaluation, SelfEvaluationWorkflowName, year, in)
		return err
	case PhaseExternalEvaluation:
		if err := c.refreshInstitution(ctx); err != nil {
			return err
		}
		in = c.stageInput(ctx)
		res, err := c.runStage(ctx, StageExternalEvaluation, ExternalEvaluationWorkflowName, 0, in)
		if err != nil {
			return err
		}
		c.state.FinalVerdict = res.Verdict
		c.state.Team = nil
		for _, m := range res.Team {
			if m.Status == MemberAccepted || m.Status == MemberAssigned {
				c.state.Team = append(c.state.Team, m.PersonID)
			}
		}
		return nil
	case PhasePublication:
		in.Verdict = c.state.FinalVerdict
		_, err := c.runStage(ctx, StagePublication, PublicationWorkflowName, 0, in)
		return err
	}
	return fmt.Errorf("unknown cycle phase %d", c.state.Phase)
}

// key names this incarnation of this cycle in every idempotency key (keys.go).
func (c *cycle) key(ctx workflow.Context) string {
	return cycleKey(c.in.InstitutionID, c.in.Number, workflow.GetInfo(ctx).FirstRunID)
}

func (c *cycle) stageInput(ctx workflow.Context) StageInput {
	return StageInput{
		InstitutionID: c.in.InstitutionID, Cycle: c.in.Number, CycleKey: c.key(ctx), Opens: c.today(ctx), Clock: c.clock,
		Settings: c.state.Settings, Institution: c.state.Institution, Generation: c.state.Generation,
		PreviousTeam: c.in.PreviousTeam, Release: c.rel.given(),
	}
}

// waitUntil sleeps until the date opens on the cycle's clock; false when cancelled meanwhile.
func (c *cycle) waitUntil(ctx workflow.Context, date domain.Date) bool {
	wait := c.clock.TimeOf(date).Sub(workflow.Now(ctx))
	if wait <= 0 {
		return !c.state.Cancelled
	}
	c.stage, c.active, c.nextOn = StageWaiting, "", date
	c.upsertSearchAttributes(ctx, StageWaiting, date)
	c.recordCycle(ctx, "running", "")
	_, _ = awaitWithTimeout(ctx, c.rel, wait, func() bool { return c.state.Cancelled })
	c.nextOn = domain.Date{}
	return !c.state.Cancelled
}

// runStage runs one stage: as a child workflow, or in the cycle itself for a self-evaluation
// from release v12 on. Cancelling the cycle cancels the stage, which withdraws its open steps
// and tells their holders before it returns.
func (c *cycle) runStage(ctx workflow.Context, stage Stage, workflowName string, year int, in StageInput) (StageResult, error) {
	inline := stage == StageSelfEvaluation && c.rel.inlineSelfEvaluation()
	id := StageWorkflowID(c.in.InstitutionID, c.in.Number, stage, year)
	if inline {
		id = CycleWorkflowID(c.in.InstitutionID)
	}
	stageCtx, cancelStage := workflow.WithCancel(ctx)
	c.stage, c.active = stage, id
	if inline {
		// In place before the cycle's row is written, so that a query or an update between
		// the two finds a self-evaluation that has not opened its step yet, not none.
		c.selfEval = newSelfEvaluation(stageCtx, c.rel, in, true)
	}
	c.state.Stages = append(c.state.Stages, StageSummary{Stage: stage, Year: year, WorkflowID: id, Started: c.today(ctx)})
	c.upsertSearchAttributes(ctx, stage, domain.Date{})
	c.recordCycle(ctx, "running", "")

	// A child's result is awaited on the cycle's context (its cancellation reaches the child
	// through stageCtx); a stage the cycle runs itself runs on stageCtx.
	runCtx := ctx
	var run func(ctx workflow.Context) (StageResult, error)
	if inline {
		run, runCtx = c.selfEval.run, stageCtx
	} else {
		run = c.startChild(stageCtx, stage, workflowName, id, in)
	}
	var (
		res  StageResult
		err  error
		done bool
	)
	workflow.Go(runCtx, func(ctx workflow.Context) {
		res, err = run(ctx)
		done = true
	})
	if aerr := workflow.Await(ctx, func() bool { return done || c.state.Cancelled }); aerr != nil {
		return res, aerr
	}
	if !done {
		cancelStage()
		if aerr := workflow.Await(ctx, func() bool { return done }); aerr != nil {
			return res, aerr
		}
	}
	c.selfEval = nil
	summary := &c.state.Stages[len(c.state.Stages)-1]
	summary.Finished, summary.Outcome = c.today(ctx), res.Outcome
	if res.Generation != 0 {
		// The next stages work on the generation the latest self-evaluation used.
		c.state.Generation = res.Generation
	}
	c.state.Steps = append(c.state.Steps, res.Steps...)
	c.active = ""
	if err != nil && !c.state.Cancelled {
		return res, fmt.Errorf("stage %s: %w", id, err)
	}
	return res, nil
}

// startChild starts a stage's child workflow and returns what waits for its result.
func (c *cycle) startChild(ctx workflow.Context, stage Stage, workflowName, id string, in StageInput) func(workflow.Context) (StageResult, error) {
	opts := workflow.ChildWorkflowOptions{WorkflowID: id, WaitForCancellation: true}
	if c.visibilityPerWorkflow(ctx) {
		attrs := c.cycleAttributes()
		if stage == StageSelfEvaluation && c.rel.leanStart() {
			// The step the stage opens at once, so it has nothing to upsert when it does.
			attrs = append(attrs, selfEvaluationStepAttributes(in)...)
		}
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(attrs...)
	}
	future := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), workflowName, in)
	return func(ctx workflow.Context) (StageResult, error) {
		var res StageResult
		err := future.Get(ctx, &res)
		return res, err
	}
}

func (c *cycle) continueAsNew(ctx workflow.Context, number int, start domain.Date, state *CycleState) (CycleStatus, error) {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return c.status(ctx), err
	}
	next := CycleInput{InstitutionID: c.in.InstitutionID, Number: number, StartDate: start, StartedBy: c.in.StartedBy,
		Clock: &c.clock, PreviousTeam: c.in.PreviousTeam, State: state, Release: c.rel.given()}
	if state == nil {
		next.PreviousTeam = c.state.Team
	}
	return CycleStatus{}, workflow.NewContinueAsNewError(ctx, CycleWorkflowName, next)
}

func (c *cycle) today(ctx workflow.Context) domain.Date { return c.clock.DateAt(workflow.Now(ctx)) }

func (c *cycle) status(ctx workflow.Context) CycleStatus {
	return CycleStatus{
		InstitutionID: c.in.InstitutionID, InstitutionName: c.state.Institution.Name, Region: c.state.Institution.Region,
		Number: c.in.Number, StartDate: c.in.StartDate, Today: c.today(ctx), Clock: c.clock, Stage: c.stage, ActiveWorkflowID: c.active,
		NextStageOn: c.nextOn, Stages: append([]StageSummary(nil), c.state.Stages...),
		Steps: append([]StepRecord(nil), c.state.Steps...), FinalVerdict: c.state.FinalVerdict,
		Cancelled: c.state.Cancelled, CancelReason: c.state.CancelReason,
	}
}

// visibilityPerWorkflow reports whether this cycle runs with ChangeVisibilityPerWorkflow.
func (c *cycle) visibilityPerWorkflow(ctx workflow.Context) bool {
	return c.rel.changed(ctx, ChangeVisibilityPerWorkflow)
}

// cycleAttributes name the cycle every workflow of it belongs to.
func (c *cycle) cycleAttributes() []temporal.SearchAttributeUpdate {
	return CycleSearchAttributes(c.in.InstitutionID, c.state.Institution.Region, c.in.Number)
}

// CycleSearchAttributes name the cycle every workflow of it belongs to. A starter that knows
// the institution's region starts the cycle with them, and the cycle need not upsert them.
func CycleSearchAttributes(institutionID string, region domain.Region, number int) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		InstitutionIDKey.ValueSet(institutionID),
		RegionKey.ValueSet(string(region)),
		CycleNumberKey.ValueSet(int64(number)),
	}
}

// upsertSearchAttributes names the cycle on the parent. The steps (Step, StepHolder,
// StepDueAt) are the stages' to show: a query for a step finds the stage that holds it.
func (c *cycle) upsertSearchAttributes(ctx workflow.Context, stage Stage, due domain.Date) {
	if c.visibilityPerWorkflow(ctx) {
		if c.rel.leanSteps() && c.attributesInPlace(ctx) {
			return
		}
		_ = workflow.UpsertTypedSearchAttributes(ctx, append(c.cycleAttributes(),
			StepKey.ValueUnset(), StepHolderKey.ValueUnset(), StepDueAtKey.ValueUnset())...)
		return
	}
	updates := append(c.cycleAttributes(), StepKey.ValueSet(string(stage)))
	if due.IsZero() {
		updates = append(updates, StepDueAtKey.ValueUnset())
	} else {
		updates = append(updates, StepDueAtKey.ValueSet(c.clock.TimeOf(due)))
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// attributesInPlace reports whether the parent already carries the search attributes it
// would upsert: a run continued as new keeps them, and they change only with the institution.
func (c *cycle) attributesInPlace(ctx workflow.Context) bool {
	sa := workflow.GetTypedSearchAttributes(ctx)
	id, _ := sa.GetKeyword(InstitutionIDKey)
	region, _ := sa.GetKeyword(RegionKey)
	number, _ := sa.GetInt64(CycleNumberKey)
	_, hasStep := sa.GetKeyword(StepKey)
	_, hasHolder := sa.GetKeyword(StepHolderKey)
	_, hasDue := sa.GetTime(StepDueAtKey)
	return id == c.in.InstitutionID && region == string(c.state.Institution.Region) && number == int64(c.in.Number) &&
		!hasStep && !hasHolder && !hasDue
}

func (c *cycle) recordCycle(ctx workflow.Context, status, note string) {
	row := activities.CycleWrite{
		InstitutionID: c.in.InstitutionID, Number: c.in.Number, WorkflowID: CycleWorkflowID(c.in.InstitutionID),
		StartDate: c.in.StartDate, Status: status, CurrentStep: string(c.stage), Note: note,
		Verdict: int(c.state.FinalVerdict), Generation: c.state.Generation,
		AnchorDate: c.clock.AnchorDate, AnchorTime: c.clock.AnchorTime, DayLengthMS: c.clock.DayLength.Milliseconds(),
		Revision: c.revs.next(ctx),
	}
	if status != "running" {
		row.EndedOn = c.today(ctx)
	}
	var a *activities.Activities
	_ = runEffect(ctx, c.rel, a.RecordCycle, row, nil)
}

// audit records an action once: keyed by the update that carried it, or by the cycle and
// action when no update did.
func (c *cycle) audit(ctx workflow.Context, updateID, actor, action, details string) {
	id := c.key(ctx) + "/" + action
	if updateID != "" {
		id = actionKey(c.key(ctx), updateID)
	}
	entry := activities.AuditWrite{ID: id, At: workflow.Now(ctx), ActorID: actor, Action: action,
		InstitutionID: c.in.InstitutionID, Cycle: c.in.Number, Details: details}
	var a *activities.Activities
	_ = runEffect(ctx, c.rel, a.RecordAudit, entry, nil)
}
