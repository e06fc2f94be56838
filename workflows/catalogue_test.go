package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// secondGeneration is the shipped generation plus a seventh theme, in force from 2028: the
// cycle's year-2 and year-3 self-evaluations open under it.
func secondGeneration() domain.Generation {
	gen := domain.FirstGeneration()
	gen.Number = 2
	gen.Name = domain.Text{DA: "Testgeneration 2", EN: "Test generation 2"}
	gen.EffectiveFrom = domain.NewDate(2028, time.January, 1)
	theme := gen.Themes[0]
	theme.Code, theme.Slug = "7", "safety"
	theme.Name = domain.Text{DA: "Sikkerhed", EN: "Safety"}
	standard := theme.Standards[0]
	standard.Code, standard.Theme = "7.1", "7"
	var indicators []domain.Indicator
	for _, ind := range standard.Indicators {
		ind.Code = "7.1." + ind.Code[len("1.1."):]
		indicators = append(indicators, ind)
	}
	standard.Indicators = indicators
	theme.Standards = []domain.Standard{standard}
	gen.Themes = append(gen.Themes, theme)
	return gen
}

// submissionFor rates every active standard of a generation.
func submissionFor(gen domain.Generation) workflows.SelfEvaluationSubmission {
	sub := workflows.SelfEvaluationSubmission{Action: workflows.Action{Actor: manager},
		Ratings: map[string]domain.Rating{}, Indicators: map[string]string{}, Notes: map[string]string{}}
	for _, st := range gen.ActiveStandards() {
		sub.Ratings[st.Code] = domain.RatingLargelyMet
		for _, ind := range st.ActiveIndicators() {
			sub.Indicators[ind.Code] = "ja"
		}
	}
	return sub
}

func TestEachSelfEvaluationUsesTheGenerationInForceWhenItOpens(t *testing.T) {
	h := newHarness(t)
	gen2 := secondGeneration()
	if _, err := h.store.ImportGeneration(t.Context(), gen2, nil); err != nil {
		t.Fatal(err)
	}
	opened := map[int]int{}
	h.actions[workflows.StepSelfEvaluation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		gen, err := h.store.GenerationInForce(t.Context(), st.Opened)
		if err != nil {
			t.Fatal(err)
		}
		opened[st.Opened.Year] = gen.Number
		if gen.Number == 2 {
			// A submission on the first generation lacks the new standard.
			h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, submissionFor(domain.FirstGeneration()), "missing standard 7.1")
		}
		h.mustUpdate(stage, workflows.UpdateSubmitSelfEvaluation, submissionFor(gen))
		return true
	}
	h.actions[workflows.StepReport] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		r := workflows.Report{Action: workflows.Action{Actor: st.HolderID}, Verdict: domain.VerdictMeets,
			Summary: "Tilbuddet arbejder systematisk med kvalitet."}
		for _, s := range domain.FirstGeneration().ActiveStandards() {
			r.Assessments = append(r.Assessments, workflows.Assessment{Standard: s.Code, Met: true, Assessment: "Opfyldt."})
		}
		h.mustReject(stage, workflows.UpdateSubmitReport, r, "no assessment of standard 7.1")
		r.Assessments = append(r.Assessments, workflows.Assessment{Standard: "7.1", Met: true, Assessment: "Opfyldt."})
		h.mustUpdate(stage, workflows.UpdateSubmitReport, r)
		return true
	}
	h.run()
	h.continuedAs()

	if opened[2027] != 1 || opened[2028] != 2 || opened[2029] != 2 {
		t.Errorf("generations in force when the self-evaluations opened = %v, want 2027:1, 2028:2, 2029:2", opened)
	}
	for _, r := range h.rejections {
		if !strings.Contains(r, "7.1") {
			t.Errorf("unexpected rejection: %s", r)
		}
	}
	var cycleGeneration int
	if err := h.store.DB().GetContext(t.Context(), &cycleGeneration,
		`SELECT generation FROM cycles WHERE institution_id = ? AND number = 1`, institution); err != nil {
		t.Fatal(err)
	}
	if cycleGeneration != 2 {
		t.Errorf("the cycle's read model says generation %d, want 2 (the year-3 self-evaluation's)", cycleGeneration)
	}
}
