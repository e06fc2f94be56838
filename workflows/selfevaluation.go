package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// SelfEvaluation is one year's self-evaluation (PRODUCT.md §3.1): the institution manager,
// with staff and possibly users and relatives, rates every standard of the catalogue
// generation in force and records indicator values, within 8 weeks of the opening.
func SelfEvaluation(ctx workflow.Context, in StageInput) (StageResult, error) {
	begin(ctx)
	book := newStepBook(ctx, StageSelfEvaluation, in)
	// The handlers are in place before the catalogue is read, so a status query never finds
	// the stage without them; the validator reads gen when a submission comes.
	var gen domain.Generation
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (StageStatus, error) {
		return StageStatus{Stage: StageSelfEvaluation, WorkflowID: book.workflowID, Today: book.today(ctx), Clock: in.Clock, Steps: book.records()}, nil
	}); err != nil {
		return StageResult{}, err
	}
	if err := book.registerSecretariatActions(ctx); err != nil {
		return StageResult{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSubmitSelfEvaluation,
		func(ctx workflow.Context, req SelfEvaluationSubmission) (StepRecord, error) {
			s := book.find(StepSelfEvaluation)
			book.closeStep(ctx, s, StepDone, req.Actor, fmt.Sprintf("%d standards rated", len(req.Ratings)))
			book.recordSelfEvaluation(ctx, s, req)
			book.audit(ctx, req.Actor, "submit-self-evaluation", s.rec.Key, fmt.Sprintf("year %d", in.Year))
			return s.rec, nil
		},
		workflow.UpdateHandlerOptions{Validator: refusing(func(ctx workflow.Context, req SelfEvaluationSubmission) error {
			if _, err := book.requireHolder(StepSelfEvaluation, req.Actor); err != nil {
				return err
			}
			return ValidateSelfEvaluation(gen, req, in.Opens.Year)
		})}); err != nil {
		return StageResult{}, err
	}

	gen, err := generationInForce(ctx, in.Opens, in.Generation)
	if err != nil {
		return StageResult{}, err
	}
	manager := in.Institution.ManagerID
	st := book.openStep(ctx, stepSpec{
		Key:               StepSelfEvaluation,
		Title:             fmt.Sprintf("Selvevaluering %d (år %d)", in.Opens.Year, in.Year),
		HolderID:          manager,
		HolderRole:        string(domain.RoleInstitutionManager),
		Due:               domain.DueDate(in.Opens, in.Settings.Durations.SelfEvaluationDue),
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
