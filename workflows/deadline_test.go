package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// captureThenSubmit records the step as the workflow sees it on the day it submits, so
// the test can assert every alert that was sent before.
func captureThenSubmit(onDay domain.Date, captured *workflows.StepRecord) action {
	return func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if st.Opened != cycleStart {
			return submitSelfEvaluation(10)(h, stage, st, today)
		}
		if today.Before(onDay) {
			return false
		}
		*captured = st
		h.mustUpdate(stage, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(manager))
		return true
	}
}

func alertLines(alerts []workflows.AlertRecord) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = fmt.Sprintf("%s %s L%d -> %s", a.Date, a.Kind, a.Level, strings.Join(a.Recipients, ","))
	}
	return out
}

func assertAlerts(t *testing.T, got []workflows.AlertRecord, want []string) {
	t.Helper()
	lines := alertLines(got)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestLateSelfEvaluationIsRemindedAndEscalated(t *testing.T) {
	h := newHarness(t)
	var step workflows.StepRecord
	// Due 8 weeks after 2027-01-04: 2027-03-01, a Monday. Submitted 30 days late.
	h.actions[workflows.StepSelfEvaluation] = captureThenSubmit(domain.NewDate(2027, time.March, 31), &step)
	h.run()
	h.continuedAs()

	if step.Due != domain.NewDate(2027, time.March, 1) {
		t.Fatalf("due %s, want 2027-03-01", step.Due)
	}
	assertAlerts(t, step.Alerts, []string{
		"2027-02-15 reminder L0 -> " + manager,
		"2027-02-22 reminder L0 -> " + manager,
		"2027-02-28 reminder L0 -> " + manager,
		"2027-03-01 escalation L1 -> " + manager,
		"2027-03-15 escalation L2 -> " + secretariat,
		"2027-03-22 escalation L3 -> " + secretariat + "," + national,
		// The repeat of 2027-03-29 (L4) is not the workflow's: from the first repeat on,
		// repeats are sent from the read model (activities.RepeatEscalations).
	})
	// The same alerts reached the outbox once each, whatever the retries.
	var kinds []string
	for _, m := range h.outbox(national) {
		if strings.Contains(m.ID, "/self-evaluation-1/") {
			kinds = append(kinds, m.Kind)
		}
	}
	if strings.Join(kinds, ",") != "escalation" {
		t.Errorf("national secretariat got %v for the year-1 self-evaluation, want one escalation", kinds)
	}
	rows := h.steps()
	if rows[0].Step != workflows.StepSelfEvaluation || rows[0].Escalation != 3 || rows[0].Status != "done" {
		t.Errorf("read model of the late step = %+v, want done at escalation level 3", rows[0])
	}
}

func TestExtensionMovesTheReminders(t *testing.T) {
	h := newHarness(t)
	var step workflows.StepRecord
	newDue := domain.NewDate(2027, time.April, 12)
	h.checks = append(h.checks, func(h *harness, today domain.Date) {
		if today != cycleStart.AddDays(5) {
			return
		}
		// The cycle runs its self-evaluations itself (release v12), and takes their actions.
		stage := workflows.CycleWorkflowID(institution)
		h.mustReject(stage, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: manager},
			Step: workflows.StepSelfEvaluation, NewDue: newDue, Reason: "sygdom"}, "is not in the secretariat")
		h.mustReject(stage, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepSelfEvaluation, NewDue: domain.NewDate(2027, time.February, 1), Reason: "sygdom"},
			"must be after the current one (2027-03-01)")
		h.mustReject(stage, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepVisitDate, NewDue: newDue, Reason: "sygdom"}, "step visit-date is not open")
		h.mustUpdate(stage, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepSelfEvaluation, NewDue: newDue, Reason: "lederskifte"})
	})
	h.actions[workflows.StepSelfEvaluation] = captureThenSubmit(newDue.AddDays(-1), &step)
	h.run()
	h.continuedAs()

	if step.Due != newDue || len(step.Extensions) != 1 {
		t.Fatalf("due %s after %v extensions, want %s", step.Due, step.Extensions, newDue)
	}
	assertAlerts(t, step.Alerts, []string{
		"2027-03-29 reminder L0 -> " + manager,
		"2027-04-05 reminder L0 -> " + manager,
		"2027-04-11 reminder L0 -> " + manager,
	})
}

func TestSecretariatWaivesASelfEvaluation(t *testing.T) {
	h := newHarness(t)
	waived := false
	h.actions[workflows.StepSelfEvaluation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if st.Opened.Year != 2028 {
			return submitSelfEvaluation(10)(h, stage, st, today)
		}
		h.mustReject(stage, workflows.UpdateWaiveStep, workflows.Waiver{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepSelfEvaluation}, "give a reason")
		h.mustReject(stage, workflows.UpdateWaiveStep, workflows.Waiver{Action: workflows.Action{Actor: manager},
			Step: workflows.StepSelfEvaluation, Reason: "x"}, "is not in the secretariat")
		h.mustUpdate(stage, workflows.UpdateWaiveStep, workflows.Waiver{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepSelfEvaluation, Reason: "tilbuddet var under ombygning"})
		waived = true
		return true
	}
	h.actions[workflows.StepVisitDate] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateWaiveStep, workflows.Waiver{Action: workflows.Action{Actor: secretariat},
			Step: workflows.StepVisitDate, Reason: "x"}, "cannot be waived")
		return setVisitDate(35)(h, stage, st, today)
	}
	h.run()
	h.continuedAs()
	if !waived {
		t.Fatal("the year-2 self-evaluation never opened")
	}
	var found bool
	for _, r := range h.steps() {
		if r.Step == workflows.StepSelfEvaluation && r.Opened.Year == 2028 {
			found = true
			if r.Status != "waived" || r.ClosedBy != secretariat || r.Note != "tilbuddet var under ombygning" {
				t.Errorf("waived step in the read model = %+v", r)
			}
		}
	}
	if !found {
		t.Error("no year-2 self-evaluation in the read model")
	}
	trail, err := h.store.AuditTrail(t.Context(), institution)
	if err != nil {
		t.Fatal(err)
	}
	var waivers int
	for _, e := range trail {
		if e.Action == "waive-step" && e.ActorID == secretariat {
			waivers++
		}
	}
	if waivers != 1 {
		t.Errorf("audit trail has %d waivers, want 1", waivers)
	}
}
