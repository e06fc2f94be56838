package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// people of the example registry that the scenarios act as.
const (
	secretariatH = "P-131" // Region Hovedstaden
)

// actor is the way a scenario reaches a running cycle: through the Temporal client, or
// through the starter's commands.
type actor interface {
	// status returns the cycle's status and, while a stage runs, the stage's.
	status(ctx context.Context, institution string) (workflows.CycleStatus, *workflows.StageStatus, error)
	// act sends one human action to the cycle; the error is the rejection, if any.
	act(ctx context.Context, institution string, update string, payload any) error
}

// play answers an open step; it returns true when it has acted.
type play func(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error)

// scenario drives one institution's cycle until it continues into cycle 2 or is cancelled.
type scenario struct {
	name        string
	institution string
	manager     string
	plays       map[string]play
	// stopWhenCancelled ends the scenario once the cycle reports cancelled.
	stopWhenCancelled bool
	// stopAt, when set, ends the scenario in mid-flight, with the cycle still running: the
	// recorder archives such histories because they are what a deploy meets.
	stopAt func(cycle workflows.CycleStatus, stage *workflows.StageStatus) bool
}

// openStep reports whether the stage has an open step whose key starts with key.
func openStep(stage *workflows.StageStatus, key string) bool {
	if stage == nil {
		return false
	}
	for _, st := range stage.Steps {
		if st.Status == workflows.StepOpen && strings.HasPrefix(st.Key, key) {
			return true
		}
	}
	return false
}

func (s scenario) drive(ctx context.Context, t *testing.T, a actor, poll time.Duration) workflows.CycleStatus {
	t.Helper()
	acted := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			t.Errorf("%s: %v (acted on %v)", s.name, ctx.Err(), acted)
			return workflows.CycleStatus{}
		case <-time.After(poll):
		}
		cycle, stage, err := a.status(ctx, s.institution)
		if err != nil {
			t.Errorf("%s: status: %v", s.name, err)
			return cycle
		}
		if cycle.Number > 1 || (s.stopWhenCancelled && cycle.Cancelled) || (s.stopAt != nil && s.stopAt(cycle, stage)) {
			return cycle
		}
		if stage == nil {
			continue
		}
		for _, st := range stage.Steps {
			// The year tells a cycle's self-evaluations apart: it runs them itself.
			key := fmt.Sprintf("%s/%d/%s", stage.WorkflowID, stage.Year, st.Key)
			if st.Status != workflows.StepOpen || acted[key] {
				continue
			}
			kind, _, _ := strings.Cut(st.Key, "/")
			p, ok := s.plays[kind]
			if !ok {
				continue
			}
			done, err := p(ctx, a, s.institution, stage, st)
			if err != nil {
				_, again, _ := a.status(ctx, s.institution)
				t.Errorf("%s: %s: %v\nstage then: %+v\nstage now: %+v", s.name, st.Key, err, stage, again)
				return cycle
			}
			if done {
				acted[key] = true
			}
		}
	}
}

// onTimePlays is a team and an institution that do everything promptly.
func onTimePlays(manager string, verdict domain.Verdict) map[string]play {
	return map[string]play{
		workflows.StepSelfEvaluation: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, _ workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(manager))
		},
		workflows.StepInvitation: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{
				Action: workflows.Action{Actor: st.HolderID}, Accept: true})
		},
		workflows.StepVisitDate:   setDate(30),
		workflows.StepRevisitDate: setDate(16),
		workflows.StepVisit:       recordWhenDue,
		workflows.StepRevisit:     recordWhenDue,
		workflows.StepReport: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, verdict))
		},
		workflows.StepRevisitReport: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictMeets))
		},
		workflows.StepActionPlan: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, _ workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateSubmitActionPlan, workflows.ActionPlan{
				Action: workflows.Action{Actor: manager}, Plan: "Handleplaner revideres kvartalsvis.", Areas: []string{"5.1"}})
		},
	}
}

func setDate(ahead int) play {
	return func(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
		return true, a.act(ctx, inst, workflows.UpdateSetVisitDate, workflows.VisitDate{
			Action: workflows.Action{Actor: st.HolderID}, Date: today(stage).AddDays(ahead)})
	}
}

// recordWhenDue records the visit on its day; before that the step simply waits.
func recordWhenDue(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
	date := stage.Visit
	if st.Key == workflows.StepRevisit {
		date = stage.Revisit
	}
	if today(stage).Before(date) {
		return false, nil
	}
	err := a.act(ctx, inst, workflows.UpdateRecordVisit, workflows.VisitRecord{Action: workflows.Action{Actor: st.HolderID},
		Notes: "Interview med ledelse, medarbejdere, beboere og pårørende."})
	if err != nil && strings.Contains(err.Error(), "can be recorded on that day or later") {
		return false, nil // the calendar turned between status and action
	}
	return true, err
}

// withPlays returns base with some plays replaced.
func withPlays(base map[string]play, overrides map[string]play) map[string]play {
	out := map[string]play{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}

// today is the stage's calendar date now (the status's Today is as of its last task).
func today(stage *workflows.StageStatus) domain.Date { return stage.Clock.DateAt(time.Now()) }
