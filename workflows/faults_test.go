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
		func(ctx context.Context, req activities.TeamRequest) ([]domain.Proposal, error) {
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
