package workflows_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestEveryValidatorRejection walks a verdict-2 cycle and, at each step, first sends the
// bad inputs a person could send; each must be rejected with its message and change nothing.
func TestEveryValidatorRejection(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepSelfEvaluation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		missing := fixture.SelfEvaluation(manager)
		delete(missing.Ratings, "3.1")
		h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, missing, "is missing standard 3.1 (Planned development of skills)")
		outside := fixture.SelfEvaluation(manager)
		outside.Ratings["1.1"] = 7
		h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, outside, "standard 1.1 is rated 7, outside the scale 1-4")
		unknown := fixture.SelfEvaluation(manager)
		unknown.Indicators["9.9.9"] = "ja"
		h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, unknown, "indicator 9.9.9 is not in catalogue generation 1")
		h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation("P-002"), "P-002 does not hold step self-evaluation")
		h.mustReject(stage, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(""), "say who is acting")
		h.mustUpdate(stage, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(manager))
		return true
	}
	h.actions[workflows.StepInvitation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{Action: workflows.Action{Actor: manager},
			Accept: true}, "has no open invitation")
		h.mustReject(stage, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{Action: workflows.Action{Actor: st.HolderID}},
			"give a reason for declining")
		return answerInvitation(nil)(h, stage, st, today)
	}
	h.actions[workflows.StepVisitDate] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: st.HolderID},
			Date: today.AddDays(10)}, "is inside the notice period of 4w")
		h.mustReject(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: manager},
			Date: today.AddDays(40)}, "does not hold step visit-date")
		h.mustReject(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictMeets), "record the visit first")
		h.mustReject(stage, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat},
			Seat: "chair", PersonID: "P-050", Reason: "x"}, `unknown seat "chair"`)
		return setVisitDate(35)(h, stage, st, today)
	}
	h.actions[workflows.StepVisit] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		visit := h.stageStatus(stage).Visit
		if today.Before(visit) {
			h.mustReject(stage, workflows.UpdateRecordVisit, workflows.VisitRecord{Action: workflows.Action{Actor: st.HolderID}},
				"can be recorded on that day or later")
			h.mustReject(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictMeets), "record the visit first")
			return false
		}
		return recordVisit(h, stage, st, today)
	}
	h.actions[workflows.StepReport] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, 5), "verdict must be 1, 2 or 3")
		partial := fixture.Report(st.HolderID, domain.VerdictSomeAreas)
		partial.Assessments = partial.Assessments[1:]
		h.mustReject(stage, workflows.UpdateSubmitReport, partial, "the report has no assessment of standard 1.1")
		h.mustReject(stage, workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: manager}, Text: "fejl"},
			"nothing to comment on")
		h.mustReject(stage, workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: manager}, Reason: "x"},
			"no final verdict to appeal yet")
		return submitReport(domain.VerdictSomeAreas)(h, stage, st, today)
	}
	h.actions[workflows.StepHearing] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: manager}}, "the comment is empty")
		h.mustUpdate(stage, workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: manager},
			Text: "Antallet af pladser er 36, ikke 32."})
		h.mustReject(stage, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat},
			Seat: domain.SeatProfessional, PersonID: "P-050", Reason: "x"}, "the team can no longer change")
		return true
	}
	// The action plan comes late, after the appeal window, so the stage is still running then.
	h.actions[workflows.StepActionPlan] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if today.DaysSince(st.Opened) < 40 {
			if today.DaysSince(st.Opened) == 1 {
				h.mustReject(stage, workflows.UpdateSubmitActionPlan, workflows.ActionPlan{Action: workflows.Action{Actor: manager}},
					"the action plan is empty")
				h.mustReject(stage, workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: secretariat}, Reason: "x"},
					"there is nothing to decide")
			}
			return false
		}
		h.mustReject(stage, workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: manager}, Text: "for sent"},
			"the hearing closed on")
		h.mustReject(stage, workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: manager}, Reason: "for sent"},
			"the appeal window closed on")
		return submitActionPlan(0)(h, stage, st, today)
	}
	h.run()
	h.continuedAs()
	if len(h.rejections) < 25 {
		t.Errorf("only %d rejections were exercised: %v", len(h.rejections), h.rejections)
	}
	// Nothing a rejected update carried reached the store: one report, three self-evaluations.
	kinds := h.submissionKinds()
	if kinds["self-evaluation"] != 3 || kinds["report"] != 1 || kinds["comment"] != 1 {
		t.Errorf("submissions = %v, want 3 self-evaluations, 1 report, 1 comment", kinds)
	}
}

func TestValidateSelfEvaluationListsEveryProblem(t *testing.T) {
	sub := workflows.SelfEvaluationSubmission{Ratings: map[string]domain.Rating{"1.1": 0, "7.1": 2}}
	err := workflows.ValidateSelfEvaluation(domain.FirstGeneration(), sub, 2027)
	if err == nil {
		t.Fatal("accepted an incomplete self-evaluation")
	}
	for _, want := range []string{"standard 1.1 is rated 0", "missing standard 2.1 (Systematic work on the working environment)",
		"missing standard 6.1", "standard 7.1 is not in catalogue generation 1"} {
		if !contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
}

func TestValidateReportListsEveryProblem(t *testing.T) {
	r := workflows.Report{Verdict: 0, Assessments: []workflows.Assessment{{Standard: "1.1"}, {Standard: "1.1", Assessment: "ok"}}}
	err := workflows.ValidateReport(domain.FirstGeneration(), r)
	if err == nil {
		t.Fatal("accepted an empty report")
	}
	for _, want := range []string{"verdict must be 1, 2 or 3", "needs a summary", "standard 1.1 is assessed twice",
		"the assessment of standard 1.1 is empty", "no assessment of standard 2.1"} {
		if !contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestProblemsNameTheirFields: the validators' problems say which field of the request each
// concerns, so that a form can show it beside that field.
func TestProblemsNameTheirFields(t *testing.T) {
	gen := domain.FirstGeneration()
	fields := func(err error) map[string]string {
		t.Helper()
		var ref *workflows.Refusal
		if !errors.As(err, &ref) {
			t.Fatalf("%v is no *workflows.Refusal", err)
		}
		m := map[string]string{}
		for _, p := range ref.Problems {
			m[p.Field] += p.Message
		}
		return m
	}
	sub := fixture.SelfEvaluation(manager)
	delete(sub.Ratings, "3.1")
	sub.Indicators["1.1.1"] = " "
	sub.Notes["2.1"] = "a\x00b"
	got := fields(workflows.ValidateSelfEvaluation(gen, sub, 2027))
	for key, want := range map[string]string{workflows.FieldRating("3.1"): "missing standard 3.1",
		workflows.FieldIndicator("1.1.1"): "indicator 1.1.1 of standard 1.1 has no value",
		workflows.FieldNote("2.1"):        "the note on standard 2.1 contains the control character"} {
		if !strings.Contains(got[key], want) {
			t.Errorf("self-evaluation problem of %s = %q, want %q", key, got[key], want)
		}
	}

	rep := fixture.Report(manager, domain.VerdictMeets)
	rep.Assessments[1].Met = false
	rep.Assessments[2].Assessment = ""
	rep.Summary = ""
	got = fields(workflows.ValidateReport(gen, rep))
	for key, want := range map[string]string{workflows.FieldVerdict: "verdict 1 (meets the standards) does not agree",
		workflows.FieldAssessment("3.1"): "the assessment of standard 3.1 is empty",
		workflows.FieldSummary:           "the report needs a summary"} {
		if !strings.Contains(got[key], want) {
			t.Errorf("report problem of %s = %q, want %q", key, got[key], want)
		}
	}

	got = fields(workflows.ValidateActionPlan(gen, workflows.ActionPlan{Plan: " ", Areas: []string{"9.9"}}))
	if !strings.Contains(got[workflows.FieldPlan], "the action plan is empty") || !strings.Contains(got[workflows.FieldAreas], "area 9.9") {
		t.Errorf("action plan problems = %v", got)
	}
}
