package workflows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// externalSteps returns the steps of the external evaluation from the read model.
func (h *harness) externalSteps() map[string]string {
	out := map[string]string{}
	for _, r := range h.steps() {
		out[r.Step] = r.Status + " " + r.Note
	}
	return out
}

func (h *harness) publishedVerdict() int {
	h.t.Helper()
	pubs, err := h.store.Publications(context.Background(), institution)
	if err != nil || len(pubs) != 1 {
		h.t.Fatalf("publications = %+v, %v; want one", pubs, err)
	}
	return pubs[0].Verdict
}

func TestDeclineAndNoAnswerBringTheNextCandidate(t *testing.T) {
	h := newHarness(t)
	accept := answerInvitation(map[domain.TeamRole]bool{domain.SeatProfessional: true})
	ignored := map[string]bool{}
	h.actions[workflows.StepInvitation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		// The first user representative never answers.
		if st.HolderRole == string(domain.SeatUser) && len(ignored) == 0 {
			ignored[st.HolderID] = true
			return true
		}
		return accept(h, stage, st, today)
	}
	h.run()
	h.continuedAs()

	steps := h.externalSteps()
	for key, want := range map[string]string{
		"invitation/professional/1":        "done declined: travelling that month",
		"invitation/professional/2":        "done accepted",
		"invitation/user-representative/1": "expired no answer by the due date",
		"invitation/user-representative/2": "done accepted",
		"invitation/lead/1":                "done accepted",
	} {
		if steps[key] != want {
			t.Errorf("%s = %q, want %q", key, steps[key], want)
		}
	}
	rows, err := h.store.DB().QueryxContext(t.Context(), `SELECT role, person_id, status FROM assignments ORDER BY role, invited_on`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	statuses := map[string][]string{}
	for rows.Next() {
		var role, person, status string
		if err := rows.Scan(&role, &person, &status); err != nil {
			t.Fatal(err)
		}
		statuses[role] = append(statuses[role], status)
	}
	if got := strings.Join(statuses["professional"], ","); got != "declined,accepted" {
		t.Errorf("professional assignments = %s, want declined,accepted", got)
	}
	if got := strings.Join(statuses["user-representative"], ","); got != "no-answer,accepted" {
		t.Errorf("user-representative assignments = %s, want no-answer,accepted", got)
	}
	// The person who never answered was reminded once, the day before the invitation lapsed.
	for id := range ignored {
		var reminders []string
		for _, m := range h.outbox(id) {
			if m.Kind == "reminder" {
				reminders = append(reminders, m.Subject)
			}
		}
		if len(reminders) != 1 || !strings.Contains(reminders[0], "(om 1 dage)") {
			t.Errorf("reminders to %s, who never answered: %q, want one the day before", id, reminders)
		}
	}
	next := h.continuedAs()
	for id := range ignored {
		for _, member := range next.PreviousTeam {
			if member == id {
				t.Errorf("%s never answered but is carried as a team member", id)
			}
		}
	}
}

func TestNoCandidateLeftGoesToTheSecretariat(t *testing.T) {
	h := newHarness(t)
	// Every relative representative has declared a conflict with the institution.
	if _, err := h.store.DB().ExecContext(t.Context(), `INSERT INTO conflicts_of_interest (person_id, institution_id)
		SELECT id, 'H-01' FROM people WHERE role = 'relative-representative'`); err != nil {
		t.Fatal(err)
	}
	var chosen string
	h.actions[workflows.StepManualAssignment] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if st.Key != "manual-assignment/relative-representative" || st.HolderID != secretariat {
			t.Errorf("manual step %s held by %s, want the relative seat held by the regional secretariat", st.Key, st.HolderID)
		}
		var person string
		if err := h.store.DB().GetContext(t.Context(), &person, `SELECT id FROM people WHERE role = 'relative-representative'
			AND region <> 'hovedstaden' ORDER BY id LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		assign := workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat},
			Seat: domain.SeatRelative, PersonID: person, Reason: "aftalt telefonisk"}
		// The hard rules are not optional for the secretariat either: the assignment is refused
		// while the conflict stands, and goes through once it is withdrawn.
		h.update(stage, workflows.UpdateAssignReviewer, assign, func(err error) {
			if err == nil || !strings.Contains(err.Error(), "no-conflict") {
				t.Errorf("assigning a conflicted representative: %v, want a no-conflict rejection", err)
			}
			if _, err := h.store.DB().ExecContext(t.Context(), `DELETE FROM conflicts_of_interest WHERE person_id = ?`, person); err != nil {
				t.Fatal(err)
			}
			h.mustUpdate(stage, workflows.UpdateAssignReviewer, assign)
		})
		wrong := assign
		wrong.Actor = manager
		h.mustReject(stage, workflows.UpdateAssignReviewer, wrong, "is not in the secretariat")
		chosen = person
		return true
	}
	h.run()
	next := h.continuedAs()
	if chosen == "" {
		t.Fatal("no manual assignment step opened")
	}
	if steps := h.externalSteps(); steps["manual-assignment/relative-representative"] != "done assigned "+chosen {
		t.Errorf("manual step = %q", steps["manual-assignment/relative-representative"])
	}
	found := false
	for _, id := range next.PreviousTeam {
		found = found || id == chosen
	}
	if !found {
		t.Errorf("the assigned representative %s is not on the team %v", chosen, next.PreviousTeam)
	}
	// Seated by hand, the representative is told of the task as an invited person is.
	var told []string
	for _, m := range h.outbox(chosen) {
		if m.Kind == "task" && m.Step == "team/relative-representative" {
			told = append(told, m.Subject)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "Du er udpeget som relative-representative") {
		t.Errorf("the representative seated by hand was told %q, want one task notification", told)
	}
}

func TestVerdictOne(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.continuedAs()
	if v := h.publishedVerdict(); v != 1 {
		t.Errorf("published verdict %d, want 1", v)
	}
	steps := h.externalSteps()
	if _, ok := steps[workflows.StepActionPlan]; ok {
		t.Error("verdict 1 must not ask for an action plan")
	}
	if !strings.HasPrefix(steps[workflows.StepHearing], "closed the window closed on ") ||
		!strings.HasPrefix(steps[workflows.StepAppealWindow], "closed the window closed on ") {
		t.Errorf("hearing %q and appeal window %q should close (not expire) at their due dates", steps[workflows.StepHearing], steps[workflows.StepAppealWindow])
	}
	// When the team was complete, the manager and every member were told who is on it.
	var announced []string
	for _, m := range h.outbox(manager) {
		if m.Step == "team" {
			announced = append(announced, m.Body)
		}
	}
	if len(announced) != 1 {
		t.Fatalf("the manager got %d team announcements, want 1", len(announced))
	}
	for _, seat := range domain.RequiredSeats() {
		if !strings.Contains(announced[0], string(seat)+": ") {
			t.Errorf("the team announcement does not name the %s:\n%s", seat, announced[0])
		}
	}
	if !strings.Contains(announced[0], "Region ") {
		t.Errorf("the team announcement gives no home regions:\n%s", announced[0])
	}
	// The windows are reminded before they close, as every step that waits for a person.
	reminded := map[string]int{}
	for _, m := range h.outbox(manager) {
		if m.Kind == "reminder" {
			reminded[m.Step]++
		}
	}
	if reminded[workflows.StepHearing] == 0 || reminded[workflows.StepAppealWindow] == 0 {
		t.Errorf("reminders to the manager per step: %v, want the hearing and the appeal window reminded", reminded)
	}
}

func TestVerdictTwoNeedsAnActionPlan(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictSomeAreas)
	h.run()
	h.continuedAs()
	if v := h.publishedVerdict(); v != 2 {
		t.Errorf("published verdict %d, want 2", v)
	}
	if got := h.externalSteps()[workflows.StepActionPlan]; got != "done action plan submitted" {
		t.Errorf("action plan step = %q", got)
	}
	kinds := h.submissionKinds()
	if kinds["self-evaluation"] != 3 || kinds["report"] != 1 || kinds["action-plan"] != 1 {
		t.Errorf("submissions by kind = %v, want 3 self-evaluations, 1 report, 1 action plan", kinds)
	}
}

func TestVerdictThreeRevisitEndsInOne(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictImportantAreas)
	h.actions[workflows.StepRevisitReport] = submitReport(domain.VerdictMeets)
	h.run()
	h.continuedAs()
	steps := h.externalSteps()
	for _, key := range []string{workflows.StepRevisitDate, workflows.StepRevisit, workflows.StepRevisitReport} {
		if !strings.HasPrefix(steps[key], "done") {
			t.Errorf("%s = %q, want done", key, steps[key])
		}
	}
	if _, ok := steps[workflows.StepVerdictDecision]; ok {
		t.Error("a revisit ending in 1 needs no decision by the secretariat")
	}
	if v := h.publishedVerdict(); v != 1 {
		t.Errorf("published verdict %d, want 1", v)
	}
}

func TestVerdictThreeAgainGoesToTheSecretariat(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictImportantAreas)
	h.actions[workflows.StepRevisitReport] = submitReport(domain.VerdictImportantAreas)
	h.actions[workflows.StepVerdictDecision] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: secretariat}, Verdict: 3},
			"give the reasons")
		h.mustUpdate(stage, workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: secretariat},
			Verdict: domain.VerdictImportantAreas, Reason: "forholdene er ikke rettet; sagen går til tilsynet"})
		return true
	}
	h.run()
	h.continuedAs()
	steps := h.externalSteps()
	if !strings.HasPrefix(steps[workflows.StepVerdictDecision], "done upheld") {
		t.Errorf("verdict decision = %q", steps[workflows.StepVerdictDecision])
	}
	if !strings.HasPrefix(steps[workflows.StepActionPlan], "done") {
		t.Errorf("an upheld verdict 3 still needs an action plan, got %q", steps[workflows.StepActionPlan])
	}
	if v := h.publishedVerdict(); v != 3 {
		t.Errorf("published verdict %d, want 3", v)
	}
}

func appealThenDecide(decision workflows.Decision) (action, action) {
	appeal := func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if today.DaysSince(st.Opened) < 3 {
			return false
		}
		h.mustReject(stage, workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: "P-002"}, Reason: "x"},
			"is not the manager of H-01")
		h.mustUpdate(stage, workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: manager},
			Reason: "Rapporten overser vores nye handleplansystem."})
		return true
	}
	decide := func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: secretariat},
			Verdict: 3, Reason: "x"}, "an appeal cannot make the verdict worse")
		h.mustUpdate(stage, workflows.UpdateDecide, decision)
		return true
	}
	return appeal, decide
}

func TestAppealUpheld(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictSomeAreas)
	h.actions[workflows.StepAppealWindow], h.actions[workflows.StepAppealDecision] = appealThenDecide(workflows.Decision{
		Action: workflows.Action{Actor: secretariat}, Reason: "Rapporten er i overensstemmelse med dokumentationen."})
	h.actions[workflows.StepActionPlan] = submitActionPlan(40)
	h.run()
	h.continuedAs()
	steps := h.externalSteps()
	if !strings.HasPrefix(steps[workflows.StepAppealDecision], "done upheld") || steps[workflows.StepActionPlan] != "done action plan submitted" {
		t.Errorf("appeal decision %q, action plan %q", steps[workflows.StepAppealDecision], steps[workflows.StepActionPlan])
	}
	if v := h.publishedVerdict(); v != 2 {
		t.Errorf("published verdict %d, want 2", v)
	}
}

func TestAppealChangesTheVerdict(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictSomeAreas)
	h.actions[workflows.StepAppealWindow], h.actions[workflows.StepAppealDecision] = appealThenDecide(workflows.Decision{
		Action: workflows.Action{Actor: secretariat}, Verdict: domain.VerdictMeets, Reason: "Handleplanerne er dokumenteret."})
	h.actions[workflows.StepActionPlan] = submitActionPlan(400) // never before the decision
	h.run()
	h.continuedAs()
	steps := h.externalSteps()
	if !strings.HasPrefix(steps[workflows.StepAppealDecision], "done changed to 1") {
		t.Errorf("appeal decision = %q", steps[workflows.StepAppealDecision])
	}
	if !strings.HasPrefix(steps[workflows.StepActionPlan], "withdrawn") {
		t.Errorf("the action plan is not needed after the verdict changed to 1, got %q", steps[workflows.StepActionPlan])
	}
	if v := h.publishedVerdict(); v != 1 {
		t.Errorf("published verdict %d, want 1", v)
	}
}

func TestCancelInTheMiddleOfAStep(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepSelfEvaluation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if st.Opened.Year == 2027 {
			return submitSelfEvaluation(10)(h, stage, st, today)
		}
		if today.DaysSince(st.Opened) < 20 {
			return false
		}
		parent := workflows.CycleWorkflowID(institution)
		h.mustReject(parent, workflows.UpdateCancelCycle, workflows.Cancellation{Action: workflows.Action{Actor: manager},
			Reason: "lukket"}, "only the secretariat cancels cycles")
		h.mustReject(parent, workflows.UpdateCancelCycle, workflows.Cancellation{Action: workflows.Action{Actor: secretariat}},
			"give the reason for cancelling")
		h.mustUpdate(parent, workflows.UpdateCancelCycle, workflows.Cancellation{Action: workflows.Action{Actor: secretariat},
			Reason: "Tilbuddet lukker 1. marts 2028."})
		h.stopped = true
		return true
	}
	h.run()
	status := h.finalStatus()
	if !status.Cancelled || status.CancelReason != "Tilbuddet lukker 1. marts 2028." {
		t.Fatalf("final status = %+v, want cancelled with the reason", status)
	}
	withdrawn := stepRecord(t, status.Steps[1:], workflows.StepSelfEvaluation)
	if withdrawn.Status != workflows.StepWithdrawn {
		t.Errorf("open self-evaluation = %s, want withdrawn", withdrawn.Status)
	}
	var told bool
	for _, m := range h.outbox(manager) {
		told = told || m.Kind == "withdrawn"
	}
	if !told {
		t.Error("the manager holding the withdrawn step was not told")
	}
	c, err := h.store.Cycle(t.Context(), institution, 1)
	if err != nil || c.Status != "cancelled" {
		t.Errorf("cycle read model = %+v, %v; want cancelled", c, err)
	}
	for _, r := range h.steps() {
		if r.Status == "open" {
			t.Errorf("step %s still open in the read model after cancellation", r.Step)
		}
	}
	if recs, err := h.store.PublishedRecords(t.Context(), store.PublishedFilter{WithSuperseded: true}); err != nil || len(recs) > 0 {
		t.Errorf("a cancelled cycle published %d records (%v)", len(recs), err)
	}
}

// assignmentStatuses lists the status of every assignment row by seat, in invitation order.
func (h *harness) assignmentStatuses() map[string][]string {
	h.t.Helper()
	rows, err := h.store.DB().QueryxContext(context.Background(), `SELECT role, status FROM assignments ORDER BY role, invited_on, id`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var role, status string
		if err := rows.Scan(&role, &status); err != nil {
			h.t.Fatal(err)
		}
		out[role] = append(out[role], status)
	}
	return out
}

func TestUnansweredTraineeInvitationIsRecordedAfterTheTeamIsComplete(t *testing.T) {
	h := newHarness(t)
	accept := answerInvitation(nil)
	h.actions[workflows.StepInvitation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if st.HolderRole == string(domain.SeatTrainee) {
			return true // the trainee never answers
		}
		return accept(h, stage, st, today)
	}
	h.run()
	h.continuedAs()
	got := h.assignmentStatuses()
	if strings.Join(got["trainee"], ",") != "no-answer" {
		t.Errorf("trainee assignments = %v, want one no-answer (the optional seat is not refilled once the team is complete)", got["trainee"])
	}
	for seat, statuses := range got {
		for _, s := range statuses {
			if s == "invited" {
				t.Errorf("%s invitation still counts as invited after the cycle: %v", seat, statuses)
			}
		}
	}
}

func TestCancelWithdrawsOpenInvitations(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepInvitation] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if h.stopped {
			return true
		}
		h.mustUpdate(workflows.CycleWorkflowID(institution), workflows.UpdateCancelCycle, workflows.Cancellation{
			Action: workflows.Action{Actor: secretariat}, Reason: "Tilbuddet fusionerer med et andet."})
		h.stopped = true
		return true
	}
	h.run()
	if status := h.finalStatus(); !status.Cancelled {
		t.Fatalf("final status %+v, want cancelled", status)
	}
	got := h.assignmentStatuses()
	if len(got) == 0 {
		t.Fatal("no invitations were sent before the cancellation")
	}
	for seat, statuses := range got {
		if strings.Join(statuses, ",") != "withdrawn" {
			t.Errorf("%s assignments after cancellation = %v, want withdrawn", seat, statuses)
		}
	}
}
