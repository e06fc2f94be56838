package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// SelfEvaluation is one year's self-evaluation (PRODUCT.md §3.1): the institution manager,
// with staff and possibly users and relatives, rates every standard of the catalogue
// generation in force and records indicator values, within 8 weeks of the opening. Cycles
// begun from release v12 on run it themselves (selfEvaluation); this child workflow runs the
// self-evaluations of cycles begun before.
func SelfEvaluation(ctx workflow.Context, in StageInput) (StageResult, error) {
	se := newSelfEvaluation(ctx, begin(ctx, in.Release), in, false)
	// The handlers are in place before the catalogue is read, so a status query never finds
	// the stage without them.
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (StageStatus, error) { return se.status(ctx), nil }); err != nil {
		return StageResult{}, err
	}
	if err := registerSelfEvaluationActions(ctx, func() *selfEvaluation { return se }); err != nil {
		return StageResult{}, err
	}
	return se.run(ctx)
}

// selfEvaluation is one year's self-evaluation while it runs, in its own workflow or in the
// cycle's.
type selfEvaluation struct {
	book *stepBook
	// gen is the catalogue generation in force, which a submission is checked against; it is
	// read when the stage begins.
	gen domain.Generation
}

// newSelfEvaluation begins a self-evaluation; inCycle says the cycle runs it in its own
// workflow (stepBook.inCycle).
func newSelfEvaluation(ctx workflow.Context, r began, in StageInput, inCycle bool) *selfEvaluation {
	book := newStepBook(ctx, r, StageSelfEvaluation, in)
	book.inCycle = inCycle
	return &selfEvaluation{book: book}
}

// registerSelfEvaluationActions installs the submission and the secretariat's actions on the
// self-evaluation current returns: a stage's own, or the one a cycle runs (nil between them).
func registerSelfEvaluationActions(ctx workflow.Context, current func() *selfEvaluation) error {
	if err := registerSecretariatActions(ctx, func() *stepBook {
		if se := current(); se != nil {
			return se.book
		}
		return nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateSubmitSelfEvaluation,
		func(ctx workflow.Context, req SelfEvaluationSubmission) (StepRecord, error) {
			se := current()
			if se == nil {
				return StepRecord{}, errNoStageHere
			}
			return se.submit(ctx, req), nil
		},
		workflow.UpdateHandlerOptions{Validator: refusing(func(ctx workflow.Context, req SelfEvaluationSubmission) error {
			se := current()
			if se == nil {
				return errNoStageHere
			}
			if _, err := se.book.requireHolder(StepSelfEvaluation, req.Actor); err != nil {
				return err
			}
			return ValidateSelfEvaluation(se.gen, req, se.book.in.Opens.Year)
		})})
}

// run reads the catalogue in force, opens the step for the institution manager and waits
// until it is submitted, waived or withdrawn.
func (se *selfEvaluation) run(ctx workflow.Context) (StageResult, error) {
	book, in := se.book, se.book.in
	gen, err := generationInForce(ctx, book.rel, in.Opens, in.Generation)
	if err != nil {
		return StageResult{}, err
	}
	se.gen = gen
	manager := in.Institution.ManagerID
	st := book.openStep(ctx, stepSpec{
		Key:               StepSelfEvaluation,
		Title:             fmt.Sprintf("Selvevaluering %d (år %d)", in.Opens.Year, in.Year),
		HolderID:          manager,
		HolderRole:        string(domain.RoleInstitutionManager),
		Due:               selfEvaluationDue(in),
		FirstEscalationTo: manager,
	})
	if err := book.awaitClosed(ctx, st); err != nil {
		return book.finishCancelled(ctx), nil
	}
	if err := book.settle(ctx); err != nil {
		return book.finishCancelled(ctx), nil
	}
	return StageResult{Steps: book.records(), Outcome: string(st.rec.Status), Generation: gen.Number}, nil
}

func (se *selfEvaluation) submit(ctx workflow.Context, req SelfEvaluationSubmission) StepRecord {
	book := se.book
	s := book.find(StepSelfEvaluation)
	book.closeStep(ctx, s, StepDone, req.Actor, fmt.Sprintf("%d standards rated", len(req.Ratings)))
	book.recordSelfEvaluation(ctx, s, req)
	book.audit(ctx, req.Actor, "submit-self-evaluation", s.rec.Key, fmt.Sprintf("year %d", book.in.Year))
	return s.rec
}

func (se *selfEvaluation) status(ctx workflow.Context) StageStatus {
	b := se.book
	return StageStatus{Stage: StageSelfEvaluation, Year: b.in.Year, WorkflowID: b.workflowID, Today: b.today(ctx), Clock: b.in.Clock, Steps: b.records()}
}

// selfEvaluationDue is when the self-evaluation opening on in.Opens is due.
func selfEvaluationDue(in StageInput) domain.Date {
	return domain.DueDate(in.Opens, in.Settings.Durations.SelfEvaluationDue)
}

// selfEvaluationStepAttributes are the search attributes of the step a self-evaluation opens
// at once (stepBook.updateSearchAttributes shows the same): its cycle starts the stage with
// them, and the stage then has nothing to upsert.
func selfEvaluationStepAttributes(in StageInput) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		StepKey.ValueSet(StepSelfEvaluation),
		StepHolderKey.ValueSet(in.Institution.ManagerID),
		StepDueAtKey.ValueSet(in.Clock.TimeOf(selfEvaluationDue(in))),
	}
}

// ValidateSelfEvaluation checks a submission against the catalogue generation in force:
// every active standard rated on the scale, every indicator of an active standard given a
// value, no unknown standard or indicator, and every text within its limit.
func ValidateSelfEvaluation(gen domain.Generation, req SelfEvaluationSubmission, year int) error {
	var problems collect
	size := submissionSize(0)
	for _, st := range gen.ActiveStandards() {
		r, ok := req.Ratings[st.Code]
		switch {
		case !ok:
			problems.addf(FieldRating(st.Code), "self-evaluation for %d is missing standard %s (%s)", year, st.Code, st.Title.EN)
		case !r.Valid():
			problems.addf(FieldRating(st.Code), "standard %s is rated %d, outside the scale %d-%d", st.Code, r, domain.MinRating, domain.MaxRating)
		}
		for _, ind := range st.ActiveIndicators() {
			if strings.TrimSpace(req.Indicators[ind.Code]) == "" {
				problems.addf(FieldIndicator(ind.Code), "indicator %s of standard %s has no value: record what was measured", ind.Code, st.Code)
			}
		}
	}
	for _, code := range sortedKeys(req.Ratings) {
		if _, ok := gen.Standard(code); !ok {
			problems.addf(FieldRating(code), "standard %s is not in catalogue generation %d", code, gen.Number)
		}
		size.add(code)
	}
	for _, code := range sortedKeys(req.Indicators) {
		if !hasIndicator(gen, code) {
			problems.addf(FieldIndicator(code), "indicator %s is not in catalogue generation %d", code, gen.Number)
		}
		problems.add(FieldIndicator(code), domain.CheckText("the value of indicator "+code, req.Indicators[code], domain.MaxIndicatorValueLength))
		size.add(code, req.Indicators[code])
	}
	for _, code := range sortedKeys(req.Notes) {
		if _, ok := gen.Standard(code); !ok {
			problems.addf(FieldNote(code), "there is a note on standard %s, which is not in catalogue generation %d", code, gen.Number)
		}
		problems.add(FieldNote(code), domain.CheckText("the note on standard "+code, req.Notes[code], domain.MaxNoteLength))
		size.add(code, req.Notes[code])
	}
	if len(req.Participants) > domain.MaxParticipants {
		problems.addf(FieldParticipants, "%d participants are named; the limit is %d", len(req.Participants), domain.MaxParticipants)
	}
	for i, p := range req.Participants {
		problems.add(FieldParticipants, domain.CheckText(fmt.Sprintf("participant %d", i+1), p, domain.MaxNameLength))
		size.add(p)
	}
	problems.add("", size.check("the self-evaluation"))
	return problems.err()
}

func hasIndicator(gen domain.Generation, code string) bool {
	for _, st := range gen.Standards() {
		if _, ok := st.Indicator(code); ok {
			return true
		}
	}
	return false
}

func (b *stepBook) recordSelfEvaluation(ctx workflow.Context, s *step, req SelfEvaluationSubmission) {
	ratings := make([]activities.RatingWrite, 0, len(req.Ratings))
	for _, code := range sortedKeys(req.Ratings) {
		ratings = append(ratings, activities.RatingWrite{Standard: code, Rating: int(req.Ratings[code]), Note: req.Notes[code]})
	}
	rec := activities.SubmissionRecord{
		Submission: activities.SubmissionMeta{
			ID: b.key + "/" + StepSelfEvaluation, InstitutionID: b.in.InstitutionID, Cycle: b.in.Cycle,
			Step: StepSelfEvaluation, Kind: "self-evaluation", SubmittedBy: req.Actor, SubmittedOn: b.today(ctx),
		},
		Body:       req,
		Ratings:    ratings,
		Indicators: req.Indicators,
	}
	b.recordDocument(ctx, s, rec)
}
