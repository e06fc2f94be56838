package workflows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// phaseLog records the external evaluation's phase and planned visit every day.
type phaseLog struct {
	phases []workflows.EvaluationPhase
	// visitOpenBefore lists the days a visit or revisit step was open before its date.
	visitOpenBefore []domain.Date
	external        string
}

func (p *phaseLog) watch(h *harness, today domain.Date) {
	status, ok := h.cycleStatus()
	if !ok || !strings.Contains(status.ActiveWorkflowID, string(workflows.StageExternalEvaluation)) {
		return
	}
	p.external = status.ActiveWorkflowID
	stage := h.stageStatus(status.ActiveWorkflowID)
	if n := len(p.phases); n == 0 || p.phases[n-1] != stage.Phase {
		p.phases = append(p.phases, stage.Phase)
	}
	for _, st := range stage.Steps {
		if st.Status != workflows.StepOpen {
			continue
		}
		if st.Key == workflows.StepVisit && today.Before(stage.Visit) ||
			st.Key == workflows.StepRevisit && today.Before(stage.Revisit) {
			p.visitOpenBefore = append(p.visitOpenBefore, today)
		}
	}
}

// infoSubjects are the subjects of the info messages a person got about a step kind.
func infoSubjects(msgs []store.OutboxMessage, step string) []string {
	var out []string
	for _, m := range msgs {
		if m.Kind == "info" && m.Step == step {
			out = append(out, m.Subject)
		}
	}
	return out
}

func TestTheVisitStepOpensOnTheVisitDay(t *testing.T) {
	h := newHarness(t)
	var log phaseLog
	h.checks = append(h.checks, log.watch)
	h.run()
	h.continuedAs()

	if len(log.visitOpenBefore) > 0 {
		t.Errorf("the visit step was open before the visit, on %v", log.visitOpenBefore)
	}
	want := []workflows.EvaluationPhase{workflows.EvaluationTeam, workflows.EvaluationVisitPlanned,
		workflows.EvaluationVisit, workflows.EvaluationReport, workflows.EvaluationHearing, workflows.EvaluationFollowUp}
	if !slices.Equal(log.phases, want) {
		t.Errorf("phases = %v, want %v", log.phases, want)
	}

	rows := h.steps()
	var visitDate, visitOpened domain.Date
	for _, r := range rows {
		switch r.Step {
		case workflows.StepVisitDate:
			date, ok := strings.CutPrefix(r.Note, "visit on ")
			if !ok {
				t.Fatalf("visit-date note = %q", r.Note)
			}
			var err error
			if visitDate, err = domain.ParseDate(date); err != nil {
				t.Fatal(err)
			}
		case workflows.StepVisit:
			visitOpened = r.Opened
		}
	}
	if visitDate.IsZero() || !visitOpened.Equal(visitDate) {
		t.Errorf("the visit step opened on %s, the visit was on %s", visitOpened, visitDate)
	}

	// The team and the institution heard of the visit a week and a day before, and nobody
	// was reminded to record a visit that had not taken place.
	status := h.continuedAs()
	people := append([]string{manager}, status.PreviousTeam...)
	if len(people) < 5 {
		t.Fatalf("previous team %v: want four members", status.PreviousTeam)
	}
	for _, person := range people {
		msgs := h.outbox(person)
		notices := infoSubjects(msgs, "visit")
		if len(notices) != 2 || !strings.Contains(notices[0], "(om 7 dage)") || !strings.Contains(notices[1], "(om 1 dage)") ||
			!strings.Contains(notices[0], visitDate.String()) {
			t.Errorf("visit notices to %s = %q, want the week's and the day's before %s", person, notices, visitDate)
		}
		for _, m := range msgs {
			if m.Step == workflows.StepVisit && m.Kind == "reminder" {
				t.Errorf("%s was reminded to record the visit: %s", person, m.Subject)
			}
		}
	}
}

func TestAPlannedVisitMoves(t *testing.T) {
	h := newHarness(t)
	var log phaseLog
	h.checks = append(h.checks, log.watch)
	var first, moved domain.Date
	h.actions[workflows.StepVisitDate] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		first = today.AddDays(35)
		h.mustUpdate(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: st.HolderID}, Date: first})
		return true
	}
	h.checks = append(h.checks, func(h *harness, today domain.Date) {
		if first.IsZero() || !moved.IsZero() || log.external == "" || today.DaysSince(first) != -30 {
			return
		}
		lead := h.stageStatus(log.external).Team[0].PersonID
		stage := log.external
		h.mustReject(stage, workflows.UpdateRecordVisit, workflows.VisitRecord{Action: workflows.Action{Actor: lead}},
			"planned for "+first.String())
		h.mustReject(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: manager}, Date: first.AddDays(14)},
			"may not move the visit")
		h.mustReject(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: lead}, Date: today.AddDays(3)},
			"notice period")
		h.mustReject(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: lead}, Date: first},
			"already planned for")
		moved = first.AddDays(14)
		h.mustUpdate(stage, workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: lead}, Date: moved})
	})
	h.run()
	h.continuedAs()

	if moved.IsZero() {
		t.Fatal("the visit was never moved")
	}
	if len(log.visitOpenBefore) > 0 {
		t.Errorf("the visit step was open before the visit, on %v", log.visitOpenBefore)
	}
	for _, r := range h.steps() {
		if r.Step == workflows.StepVisit && !r.Opened.Equal(moved) {
			t.Errorf("the visit step opened on %s, the visit was moved to %s", r.Opened, moved)
		}
	}
	notices := infoSubjects(h.outbox(manager), "visit")
	want := []string{"flyttet fra " + first.String() + " til " + moved.String(), "finder sted " + moved.String() + " (om 7 dage)",
		"finder sted " + moved.String() + " (om 1 dage)"}
	if len(notices) != len(want) {
		t.Fatalf("visit messages to the manager = %q, want %q", notices, want)
	}
	for i := range want {
		if !strings.Contains(notices[i], want[i]) {
			t.Errorf("visit message %d = %q, want it to say %q", i, notices[i], want[i])
		}
	}
	var moves int
	if err := h.store.DB().GetContext(t.Context(), &moves, `SELECT COUNT(*) FROM audit_log WHERE action = 'move-visit-date'`); err != nil {
		t.Fatal(err)
	}
	if moves != 1 {
		t.Errorf("audit entries for the move = %d, want 1", moves)
	}
}

func TestTheRevisitStepOpensOnItsDay(t *testing.T) {
	h := newHarness(t)
	var log phaseLog
	h.checks = append(h.checks, log.watch)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictImportantAreas)
	h.run()
	h.continuedAs()

	if len(log.visitOpenBefore) > 0 {
		t.Errorf("a visit step was open before its day, on %v", log.visitOpenBefore)
	}
	want := []workflows.EvaluationPhase{workflows.EvaluationTeam, workflows.EvaluationVisitPlanned,
		workflows.EvaluationVisit, workflows.EvaluationReport, workflows.EvaluationHearing,
		workflows.EvaluationRevisitPlanned, workflows.EvaluationRevisit, workflows.EvaluationRevisitReport,
		workflows.EvaluationFollowUp}
	if !slices.Equal(log.phases, want) {
		t.Errorf("phases = %v, want %v", log.phases, want)
	}
	notices := infoSubjects(h.outbox(manager), "revisit")
	if len(notices) != 2 || !strings.HasPrefix(notices[0], "Genbesøget finder sted") || !strings.Contains(notices[1], "(om 1 dage)") {
		t.Errorf("revisit notices to the manager = %q, want the week's and the day's", notices)
	}
}
