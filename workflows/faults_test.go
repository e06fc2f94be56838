package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Unhappy paths: nobody ever acts, two people act at once, inputs at and past their limits.

// TestNobodyEverAnswersAnInvitation runs a team where no invited person ever answers: every
// candidate of every required seat is invited in turn, each invitation expires, and when
// the candidates run out each seat waits for the secretariat in exactly one manual
// assignment step, while the cycle keeps running. Three weeks later the secretariat seats
// the team by hand and the cycle goes on to publication.
func TestNobodyEverAnswersAnInvitation(t *testing.T) {
	h := newHarness(t)
	delete(h.actions, workflows.StepInvitation)

	// The proposal activity counts its calls: a team that loops would call it without end
	// (and, before the fix, the stage's history grew until the server terminated it).
	var a *activities.Activities
	proposals := 0
	const maxProposals = 200
	h.env.OnActivity(a.ProposeTeam, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.TeamRequest) ([]activities.TeamProposal, error) {
			proposals++
			if proposals > maxProposals {
				return nil, fmt.Errorf("ProposeTeam called %d times: the team assembly loops", proposals)
			}
			return h.acts.ProposeTeam(ctx, req)
		})

	required := domain.RequiredSeats()
	var waitingSince domain.Date
	var assigned bool
	maxSteps := 0
	h.checks = append(h.checks, func(h *harness, today domain.Date) {
		status, ok := h.cycleStatus()
		if !ok || status.Stage != workflows.StageExternalEvaluation || assigned {
			return
		}
		stage := h.stageStatus(status.ActiveWorkflowID)
		maxSteps = max(maxSteps, len(stage.Steps))
		manual := map[string]int{}
		for _, st := range stage.Steps {
			if st.Status == workflows.StepOpen && strings.HasPrefix(st.Key, workflows.StepManualAssignment+"/") {
				manual[st.Key]++
			}
			if strings.HasPrefix(st.Key, workflows.StepManualAssignment+"/") && st.Status != workflows.StepOpen {
				t.Errorf("%s: %s closed as %s before anyone was assigned", today, st.Key, st.Status)
			}
		}
		for key, n := range manual {
			if n != 1 {
				t.Errorf("%s: %d open %s steps, want 1", today, n, key)
			}
		}
		if len(manual) < len(required) {
			return
		}
		if waitingSince.IsZero() {
			waitingSince = today
		}
		if today.DaysSince(waitingSince) < 21 {
			return
		}
		// Three weeks of waiting changed nothing: one open manual step per seat, still.
		assigned = true
		for _, seat := range required {
			person := firstInvitee(t, stage.Team, seat)
			h.mustUpdate(status.ActiveWorkflowID, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{
				Action: workflows.Action{Actor: secretariat}, Seat: seat, PersonID: person,
				Reason: "Ingen svarede på invitationen; aftalt telefonisk"})
		}
	})
	h.run()
	next := h.continuedAs()

	if !assigned {
		t.Fatal("the manual assignment steps never all opened")
	}
	if len(next.PreviousTeam) != len(required) {
		t.Errorf("the next cycle's previous team is %v, want the %d people seated by hand", next.PreviousTeam, len(required))
	}
	// The stage's steps are the invitations (one per candidate) plus one manual step per
	// seat and the visit's steps; nothing grows while the team waits.
	invitations := 0
	for _, r := range h.steps() {
		if strings.HasPrefix(r.Step, workflows.StepInvitation+"/") {
			invitations++
		}
	}
	// One proposal opens the team, and each expired invitation asks for one replacement.
	if proposals > invitations+1 {
		t.Errorf("ProposeTeam ran %d times for %d invitations", proposals, invitations)
	}
	if want := invitations + len(required); maxSteps > want {
		t.Errorf("the stage held %d steps while waiting, want at most %d (invitations + one manual step per seat)", maxSteps, want)
	}
	manualSteps := 0
	for _, r := range h.steps() {
		if strings.HasPrefix(r.Step, workflows.StepManualAssignment+"/") {
			manualSteps++
			if r.Status != string(workflows.StepDone) {
				t.Errorf("%s is %s, want done", r.Step, r.Status)
			}
		}
	}
	if manualSteps != len(required) {
		t.Errorf("%d manual assignment steps in the read model, want %d", manualSteps, len(required))
	}
	// The secretariat was told of each manual step once, and escalations came weekly, not
	// in a burst: a seat's escalations are at least a week apart.
	escalations := map[string][]domain.Date{}
	for _, m := range h.outbox(secretariat) {
		if !strings.HasPrefix(m.Step, workflows.StepManualAssignment+"/") || m.Kind != string(activities.KindEscalation) {
			continue
		}
		parts := strings.Split(m.ID, "/")
		on, err := domain.ParseDate(parts[len(parts)-2])
		if err != nil {
			t.Fatalf("notification key %s: %v", m.ID, err)
		}
		escalations[m.Step] = append(escalations[m.Step], on)
	}
	for seat, dates := range escalations {
		slices.SortFunc(dates, domain.Date.Compare)
		for i := 1; i < len(dates); i++ {
			if gap := dates[i].DaysSince(dates[i-1]); gap < 7 {
				t.Errorf("%s escalated on %s and again %d days later", seat, dates[i-1], gap)
			}
		}
	}
	if len(escalations) != len(required) {
		t.Errorf("escalations for %d manual steps, want %d (each waited three weeks past its due date)", len(escalations), len(required))
	}
}

// firstInvitee is the person first invited to a seat, who never answered.
func firstInvitee(t *testing.T, team []workflows.TeamMember, seat domain.TeamRole) string {
	t.Helper()
	for _, m := range team {
		if m.Seat == seat && m.Status == workflows.MemberExpired {
			return m.PersonID
		}
	}
	t.Fatalf("nobody was invited to the %s seat: %+v", seat, team)
	return ""
}

// TestConcurrentHandAssignmentsForOneSeat sends two hand assignments for the same empty seat
// at once, with different people. The first takes the seat; the second, validated against
// the empty seat, finds it taken after its candidate check and is refused; the store shows
// the one person the workflow seated.
func TestConcurrentHandAssignmentsForOneSeat(t *testing.T) {
	h := newHarness(t)
	// Every relative representative has declared a conflict with the institution, so the
	// seat goes to the secretariat; two of them withdraw the conflict.
	if _, err := h.store.DB().ExecContext(t.Context(), `INSERT INTO conflicts_of_interest (person_id, institution_id)
		SELECT id, 'H-01' FROM people WHERE role = 'relative-representative'`); err != nil {
		t.Fatal(err)
	}
	var candidates []string
	if err := h.store.DB().SelectContext(t.Context(), &candidates, `SELECT id FROM people WHERE role = 'relative-representative'
		AND region <> 'hovedstaden' ORDER BY id LIMIT 2`); err != nil || len(candidates) != 2 {
		t.Fatalf("two relative representatives outside the region: %v, %v", candidates, err)
	}
	var outcomes []error
	h.actions[workflows.StepManualAssignment] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		// The conflicts are withdrawn only now: the planner saw them all when it proposed.
		if _, err := h.store.DB().ExecContext(t.Context(), `DELETE FROM conflicts_of_interest WHERE person_id IN (?, ?)`,
			candidates[0], candidates[1]); err != nil {
			t.Fatal(err)
		}
		for _, person := range candidates {
			h.update(stage, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat},
				Seat: domain.SeatRelative, PersonID: person, Reason: "aftalt telefonisk"}, func(err error) {
				outcomes = append(outcomes, err)
			})
		}
		return true
	}
	h.run()
	next := h.continuedAs()

	if len(outcomes) != 2 {
		t.Fatalf("%d outcomes, want 2", len(outcomes))
	}
	if outcomes[0] != nil {
		t.Errorf("the first assignment was refused: %v", outcomes[0])
	}
	if outcomes[1] == nil || !strings.Contains(outcomes[1].Error(), "was given to "+candidates[0]+" while this assignment of "+candidates[1]) {
		t.Errorf("the second assignment: %v, want a refusal saying the seat was taken meanwhile", outcomes[1])
	}
	rows, err := h.store.DB().QueryxContext(t.Context(), `SELECT person_id, status FROM assignments WHERE role = 'relative-representative'
		AND status IN ('assigned', 'accepted')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seated []string
	for rows.Next() {
		var person, status string
		if err := rows.Scan(&person, &status); err != nil {
			t.Fatal(err)
		}
		seated = append(seated, person)
	}
	if len(seated) != 1 || seated[0] != candidates[0] {
		t.Errorf("the store seats %v on the relative seat, want only %s", seated, candidates[0])
	}
	if !slices.Contains(next.PreviousTeam, candidates[0]) || slices.Contains(next.PreviousTeam, candidates[1]) {
		t.Errorf("the team the cycle carries is %v, want %s and not %s", next.PreviousTeam, candidates[0], candidates[1])
	}
}

// TestOverrideSeatsARuleBreakerOnlyByName: the secretariat may seat a person who breaks a
// hard rule only by overriding that rule by name, with a reason; both are recorded on the
// team and in the audit trail. Without the override the refusal names the rule; an unknown
// rule, or one the person does not break, is refused.
func TestOverrideSeatsARuleBreakerOnlyByName(t *testing.T) {
	h := newHarness(t)
	if _, err := h.store.DB().ExecContext(t.Context(), `INSERT INTO conflicts_of_interest (person_id, institution_id)
		SELECT id, 'H-01' FROM people WHERE role = 'relative-representative'`); err != nil {
		t.Fatal(err)
	}
	var person string
	if err := h.store.DB().GetContext(t.Context(), &person, `SELECT id FROM people WHERE role = 'relative-representative'
		AND region <> 'hovedstaden' ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	assign := func(overrides ...string) workflows.ReviewerAssignment {
		return workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat}, Seat: domain.SeatRelative,
			PersonID: person, Reason: "Konflikten er vurderet uvæsentlig", Overrides: overrides}
	}
	outcomes := map[string]string{}
	h.actions[workflows.StepManualAssignment] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustReject(stage, workflows.UpdateAssignReviewer, assign("friendship"), `--override "friendship" is not a hard rule`)
		for i, a := range []workflows.ReviewerAssignment{assign(), assign("capacity"), assign("no-conflict")} {
			h.update(stage, workflows.UpdateAssignReviewer, a, func(err error) {
				outcomes[fmt.Sprint(i)] = fmt.Sprint(err)
			})
		}
		return true
	}
	h.run()
	next := h.continuedAs()

	if len(outcomes) != 3 {
		t.Fatalf("outcomes %v, want 3", outcomes)
	}
	if !strings.Contains(outcomes["0"], "no-conflict: has declared a conflict of interest") || !strings.Contains(outcomes["0"], "--override RULE") {
		t.Errorf("without an override: %s, want the rule named and the override offered", outcomes["0"])
	}
	if !strings.Contains(outcomes["1"], "breaks no rule capacity") {
		t.Errorf("overriding a rule that holds: %s, want a refusal", outcomes["1"])
	}
	if outcomes["2"] != "<nil>" {
		t.Errorf("overriding the rule broken: %s, want the person seated", outcomes["2"])
	}
	if !slices.Contains(next.PreviousTeam, person) {
		t.Errorf("%s is not on the team %v", person, next.PreviousTeam)
	}
	var reasons string
	if err := h.store.DB().GetContext(t.Context(), &reasons, `SELECT reasons FROM assignments WHERE person_id = ? AND status = 'assigned'`, person); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reasons, "overriding no-conflict: Konflikten er vurderet uvæsentlig") {
		t.Errorf("team record %q, want the override and its reason", reasons)
	}
	trail, err := h.store.AuditTrail(t.Context(), institution)
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range trail {
		audited = audited || (e.Action == "assign-reviewer" && strings.Contains(e.Details, "overriding no-conflict"))
	}
	if !audited {
		t.Error("the override is not in the audit trail")
	}
}

// TestNoReportWhileTheTeamChanges: the team may not change once the report is in. A report
// sent while the secretariat replaces the lead (whose candidate check is still running) is
// refused with a request to try again; the replacement goes through.
func TestNoReportWhileTheTeamChanges(t *testing.T) {
	h := newHarness(t)
	var reportRefusal, assignment error
	replaced := false
	h.actions[workflows.StepReport] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		if replaced {
			h.mustUpdate(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictMeets))
			return true
		}
		replaced = true
		var team []string
		for _, m := range h.stageStatus(stage).Team {
			team = append(team, m.PersonID)
		}
		proposals, err := h.acts.ProposeTeam(context.Background(), activities.TeamRequest{InstitutionID: institution, Cycle: 1,
			On: today, Seats: []domain.TeamRole{domain.SeatLead}, Exclude: team})
		if err != nil || len(proposals) != 1 || !proposals[0].Found {
			t.Fatalf("no other lead to assign: %+v, %v", proposals, err)
		}
		h.update(stage, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{Action: workflows.Action{Actor: secretariat},
			Seat: domain.SeatLead, PersonID: proposals[0].PersonID, Reason: "Lederen er blevet syg"}, func(err error) { assignment = err })
		h.update(stage, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictMeets), func(err error) { reportRefusal = err })
		return false // the new lead submits on a later look
	}
	h.run()
	h.continuedAs()
	if assignment != nil {
		t.Errorf("replacing the lead: %v", assignment)
	}
	if reportRefusal == nil || !strings.Contains(reportRefusal.Error(), "changing the team right now") {
		t.Errorf("a report sent while the lead is replaced: %v, want it refused for now", reportRefusal)
	}
}
