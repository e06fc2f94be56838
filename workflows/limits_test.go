package workflows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// What people write is kept exactly as written or refused with the reason: texts at their
// limit pass, one character more is refused, and so are control characters, invalid UTF-8
// and submissions that say two things at once.

// at returns a text of exactly n characters, with characters that cost the most as JSON.
func at(n int) string { return strings.Repeat("æ<", n/2) + strings.Repeat("ø", n%2) }

func TestSelfEvaluationTextsAtAndPastTheirLimits(t *testing.T) {
	gen := domain.FirstGeneration()
	full := func() workflows.SelfEvaluationSubmission {
		sub := fixture.SelfEvaluation(manager)
		for _, st := range gen.ActiveStandards() {
			sub.Notes[st.Code] = at(domain.MaxNoteLength)
			for _, ind := range st.Indicators {
				sub.Indicators[ind.Code] = at(domain.MaxIndicatorValueLength)
			}
		}
		for i := 0; i < domain.MaxParticipants; i++ {
			sub.Participants = append(sub.Participants, at(domain.MaxNameLength))
		}
		return sub
	}
	if err := workflows.ValidateSelfEvaluation(gen, full(), 2027); err != nil {
		t.Fatalf("every text at its limit was refused: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*workflows.SelfEvaluationSubmission)
		want   string
	}{
		"note one character over": {func(s *workflows.SelfEvaluationSubmission) { s.Notes["2.1"] += "x" },
			"the note on standard 2.1 is 10,001 characters long; the limit is 10,000"},
		"a 1.1 MB note": {func(s *workflows.SelfEvaluationSubmission) { s.Notes["2.1"] = strings.Repeat("a", 1_100_000) },
			"the note on standard 2.1 is 1,100,000 characters long; the limit is 10,000"},
		"NUL in a note": {func(s *workflows.SelfEvaluationSubmission) { s.Notes["1.1"] = "før\x00efter" },
			"the note on standard 1.1 contains the control character U+0000"},
		"invalid UTF-8": {func(s *workflows.SelfEvaluationSubmission) { s.Notes["1.1"] = "f\xf8r" },
			"the note on standard 1.1 is not valid UTF-8"},
		"indicator value one over": {func(s *workflows.SelfEvaluationSubmission) { s.Indicators["3.1.2"] += "x" },
			"the value of indicator 3.1.2 is 1,001 characters long"},
		"no indicator values": {func(s *workflows.SelfEvaluationSubmission) { s.Indicators = nil },
			"indicator 1.1.1 of standard 1.1 has no value"},
		"a blank indicator value": {func(s *workflows.SelfEvaluationSubmission) { s.Indicators["6.1.3"] = "  " },
			"indicator 6.1.3 of standard 6.1 has no value"},
		"a note on an unknown standard": {func(s *workflows.SelfEvaluationSubmission) { s.Notes["9.9"] = "?" },
			"there is a note on standard 9.9, which is not in catalogue generation 1"},
		"one participant too many": {func(s *workflows.SelfEvaluationSubmission) { s.Participants = append(s.Participants, "x") },
			"101 participants are named; the limit is 100"},
		"a participant's name one over": {func(s *workflows.SelfEvaluationSubmission) { s.Participants[0] += "x" },
			"participant 1 is 201 characters long; the limit is 200"},
	} {
		t.Run(name, func(t *testing.T) {
			sub := full()
			tc.change(&sub)
			err := workflows.ValidateSelfEvaluation(gen, sub, 2027)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a refusal saying %q", err, tc.want)
			}
		})
	}
}

// TestSubmissionSizeIsCappedWhateverTheCatalogue: a catalogue of a hundred standards lets
// every note stay within its own limit while the whole would approach Temporal's 2 MB.
func TestSubmissionSizeIsCappedWhateverTheCatalogue(t *testing.T) {
	gen := domain.Generation{Number: 9, Themes: []domain.Theme{{Code: "1"}}}
	sub := workflows.SelfEvaluationSubmission{Ratings: map[string]domain.Rating{}, Indicators: map[string]string{}, Notes: map[string]string{}}
	for i := 1; i <= 100; i++ {
		code := fmt.Sprintf("1.%d", i)
		gen.Themes[0].Standards = append(gen.Themes[0].Standards, domain.Standard{Code: code})
		sub.Ratings[code] = domain.RatingMet
		sub.Notes[code] = at(domain.MaxNoteLength)
	}
	err := workflows.ValidateSelfEvaluation(gen, sub, 2027)
	if err == nil || !strings.Contains(err.Error(), "the self-evaluation is") || !strings.Contains(err.Error(), "the limit is 512 KiB") {
		t.Fatalf("a 100-standard self-evaluation of %d characters: %v, want it refused for its size", 100*domain.MaxNoteLength, err)
	}
	for code := range sub.Notes {
		sub.Notes[code] = "kort"
	}
	if err := workflows.ValidateSelfEvaluation(gen, sub, 2027); err != nil {
		t.Errorf("the same catalogue with short notes: %v", err)
	}
}

func TestReportTextsAndVerdictAgreement(t *testing.T) {
	gen := domain.FirstGeneration()
	full := func(v domain.Verdict) workflows.Report {
		r := fixture.Report(manager, v)
		r.Summary, r.Suggestions = at(domain.MaxReportTextLength), at(domain.MaxReportTextLength)
		for i := range r.Assessments {
			r.Assessments[i].Assessment = at(domain.MaxAssessmentLength)
		}
		return r
	}
	for _, v := range domain.Verdicts() {
		if err := workflows.ValidateReport(gen, full(v)); err != nil {
			t.Errorf("verdict %d with every text at its limit: %v", v, err)
		}
	}
	for name, tc := range map[string]struct {
		verdict domain.Verdict
		change  func(*workflows.Report)
		want    string
	}{
		"verdict 1 with two standards not met": {domain.VerdictMeets, func(r *workflows.Report) {
			r.Assessments[1].Met, r.Assessments[4].Met = false, false
		}, "verdict 1 (meets the standards) does not agree with the assessments: standard 2.1, 5.1 is not met"},
		"verdict 2 with every standard met": {domain.VerdictSomeAreas, func(r *workflows.Report) {
			for i := range r.Assessments {
				r.Assessments[i].Met = true
			}
		}, "verdict 2 says areas must improve, but every standard is assessed as met"},
		"summary one over": {domain.VerdictMeets, func(r *workflows.Report) { r.Summary += "x" },
			"the report's summary is 20,001 characters long; the limit is 20,000"},
		"assessment one over": {domain.VerdictMeets, func(r *workflows.Report) { r.Assessments[2].Assessment += "x" },
			"the assessment of standard 3.1 is 10,001 characters long"},
		"NUL in the suggestions": {domain.VerdictMeets, func(r *workflows.Report) { r.Suggestions = "a\x00b" },
			"the report's suggestions contains the control character U+0000"},
	} {
		t.Run(name, func(t *testing.T) {
			r := full(tc.verdict)
			tc.change(&r)
			err := workflows.ValidateReport(gen, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a refusal saying %q", err, tc.want)
			}
		})
	}
}

func TestActionPlanAreasAreStandards(t *testing.T) {
	gen := domain.FirstGeneration()
	ok := workflows.ActionPlan{Plan: at(domain.MaxStatementLength), Areas: []string{"2.1", "5.1"}}
	if err := workflows.ValidateActionPlan(gen, ok); err != nil {
		t.Fatalf("a plan at its limit for two standards: %v", err)
	}
	for name, tc := range map[string]struct {
		plan workflows.ActionPlan
		want string
	}{
		"an area that is no standard": {workflows.ActionPlan{Plan: "p", Areas: []string{"9.9"}}, "area 9.9 is not a standard of catalogue generation 1"},
		"an area named twice":         {workflows.ActionPlan{Plan: "p", Areas: []string{"5.1", "5.1"}}, "area 5.1 is named twice"},
		"a plan one over":             {workflows.ActionPlan{Plan: at(domain.MaxStatementLength + 1)}, "the action plan is 50,001 characters long"},
		"an empty plan":               {workflows.ActionPlan{Plan: " \n"}, "the action plan is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			err := workflows.ValidateActionPlan(gen, tc.plan)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a refusal saying %q", err, tc.want)
			}
		})
	}
}
