package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// chainEvents counts the events of every run of a workflow ID, newest first, following each
// run back to the run it continued from; each element is one run's history length.
func chainEvents(ctx context.Context, c client.Client, workflowID string) ([]int, error) {
	var runs []int
	runID := ""
	for {
		iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
		n := 0
		previous := ""
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				return runs, fmt.Errorf("history of %s: %w", workflowID, err)
			}
			if n == 0 {
				previous = ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
			}
			n++
		}
		runs = append(runs, n)
		if previous == "" {
			return runs, nil
		}
		runID = previous
	}
}

// historyLength is the number of events of a workflow's current run so far.
func historyLength(ctx context.Context, c client.Client, workflowID string) (int, error) {
	d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return 0, fmt.Errorf("describe %s: %w", workflowID, err)
	}
	return int(d.GetWorkflowExecutionInfo().GetHistoryLength()), nil
}

// restingEvents is the history of a new cycle resting at its first open step: the parent
// (every run) and the running stage.
func restingEvents(ctx context.Context, cc *cycles.Client, inst string) (parent, stage int, err error) {
	runs, err := chainEvents(ctx, cc.Temporal(), workflows.CycleWorkflowID(inst))
	if err != nil {
		return 0, 0, err
	}
	for _, n := range runs {
		parent += n
	}
	st, err := cc.CycleStatus(ctx, inst)
	if err != nil {
		return 0, 0, err
	}
	if st.ActiveWorkflowID == "" {
		return 0, 0, fmt.Errorf("the cycle of %s has no running stage", inst)
	}
	if st.ActiveWorkflowID == workflows.CycleWorkflowID(inst) {
		return parent, 0, nil // the cycle runs the self-evaluation itself: counted in parent
	}
	stage, err = historyLength(ctx, cc.Temporal(), st.ActiveWorkflowID)
	return parent, stage, err
}

// cycleEvents counts a whole cycle 1 of an institution once it has continued into cycle 2:
// the parent's runs of cycle 1 (cycle 2's new run is left out) and every stage of cycle 1.
type cycleEvents struct {
	ParentRuns  int            `json:"parent_runs"`
	Parent      int            `json:"parent"`
	Stages      map[string]int `json:"stages"`
	Total       int            `json:"total"`
	DriveSecond float64        `json:"drive_seconds"`
}

func countCycle1(ctx context.Context, c client.Client, inst string) (cycleEvents, error) {
	out := cycleEvents{Stages: map[string]int{}}
	runs, err := chainEvents(ctx, c, workflows.CycleWorkflowID(inst))
	if err != nil {
		return out, err
	}
	if len(runs) < 2 {
		return out, fmt.Errorf("the cycle of %s has one run: it has not continued into cycle 2", inst)
	}
	for _, n := range runs[1:] { // runs[0] is cycle 2's
		out.Parent += n
	}
	out.ParentRuns = len(runs) - 1
	out.Total = out.Parent
	ids := []string{workflows.StageWorkflowID(inst, 1, workflows.StageExternalEvaluation, 0),
		workflows.StageWorkflowID(inst, 1, workflows.StagePublication, 0)}
	for year := 1; year <= 3; year++ {
		ids = append(ids, workflows.StageWorkflowID(inst, 1, workflows.StageSelfEvaluation, year))
	}
	for _, id := range ids {
		n, err := historyLength(ctx, c, id)
		var missing *serviceerror.NotFound
		if errors.As(err, &missing) {
			continue
		}
		if err != nil {
			return out, err
		}
		out.Stages[id] = n
		out.Total += n
	}
	return out, nil
}

// onTimeDriver plays an institution and a team that do everything on the day a step opens
// (the service tests' on-time scenario, verdict 1), through the client of the cycles, until
// the cycle continues into cycle 2.
type onTimeDriver struct {
	cc      *cycles.Client
	inst    string
	manager string
	poll    time.Duration
}

func (d onTimeDriver) run(ctx context.Context) error {
	acted := map[string]bool{}
	for {
		if err := sleep(ctx, d.poll); err != nil {
			return fmt.Errorf("driving the cycle of %s on time: %w (acted on %d steps)", d.inst, err, len(acted))
		}
		v, err := d.cc.Status(ctx, d.inst)
		if err != nil {
			return fmt.Errorf("status of %s: %w", d.inst, err)
		}
		if v.Cycle.Number > 1 {
			return nil
		}
		if v.Stage == nil {
			continue
		}
		for _, st := range v.OpenSteps() {
			// The year tells the self-evaluations apart: the cycle runs them itself.
			key := fmt.Sprintf("%s/%d/%s", v.Stage.WorkflowID, v.Stage.Year, st.Key)
			if acted[key] {
				continue
			}
			done, err := d.play(ctx, v.Stage, st)
			if err != nil {
				return fmt.Errorf("%s: step %s: %w", d.inst, st.Key, err)
			}
			if done {
				acted[key] = true
			}
		}
	}
}

// play answers one open step; it returns false for a step that must wait (a visit before its
// day) or that this driver leaves alone.
func (d onTimeDriver) play(ctx context.Context, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
	today := stage.Clock.DateAt(time.Now())
	holder := workflows.Action{Actor: st.HolderID}
	kind, _, _ := strings.Cut(st.Key, "/")
	var err error
	switch kind {
	case workflows.StepSelfEvaluation:
		_, err = d.cc.SubmitSelfEvaluation(ctx, d.inst, workflows.ExampleSelfEvaluation(d.manager))
	case workflows.StepInvitation:
		_, err = d.cc.AnswerInvitation(ctx, d.inst, workflows.InvitationAnswer{Action: holder, Accept: true})
	case workflows.StepVisitDate:
		_, err = d.cc.SetVisitDate(ctx, d.inst, workflows.VisitDate{Action: holder, Date: today.AddDays(30)})
	case workflows.StepVisit:
		if today.Before(stage.Visit) {
			return false, nil
		}
		_, err = d.cc.RecordVisit(ctx, d.inst, workflows.VisitRecord{Action: holder,
			Notes: "Interview med ledelse, medarbejdere, beboere og pårørende."})
		if err != nil && strings.Contains(err.Error(), "can be recorded on that day or later") {
			return false, nil // the calendar turned between the status and the action
		}
	case workflows.StepReport:
		_, err = d.cc.SubmitReport(ctx, d.inst, loadVerdictReport(st.HolderID))
	case workflows.StepManualAssignment:
		return false, fmt.Errorf("the team could not be proposed (a seat needs assigning by hand): the driven registry is too small")
	default:
		return false, nil
	}
	return err == nil, err
}

// loadVerdictReport meets every standard of the first generation: verdict 1.
func loadVerdictReport(actor string) workflows.Report {
	r := workflows.Report{Action: workflows.Action{Actor: actor}, Verdict: domain.VerdictMeets,
		Summary:     "Tilbuddet arbejder systematisk med kvalitet.",
		Suggestions: "Handleplanerne bør revideres oftere."}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		r.Assessments = append(r.Assessments, workflows.Assessment{Standard: st.Code, Met: true,
			Assessment: "Vurderet på baggrund af interview og dokumentation."})
	}
	return r
}

// overdueRate is how many events a self-evaluation stage adds per week while its step stays
// overdue and nobody acts, measured from a week after the due date over Weeks weeks.
type overdueRate struct {
	Weeks        float64 `json:"weeks"`
	EventsBefore int     `json:"events_before"`
	EventsAfter  int     `json:"events_after"`
	PerWeek      float64 `json:"per_week"`
}

func measureOverdue(ctx context.Context, cc *cycles.Client, inst string, weeks int, poll time.Duration) (overdueRate, error) {
	var out overdueRate
	var stage workflows.StageStatus
	var due domain.Date
	for due.IsZero() {
		if err := sleep(ctx, poll); err != nil {
			return out, fmt.Errorf("waiting for the self-evaluation of %s to open: %w", inst, err)
		}
		v, err := cc.Status(ctx, inst)
		if err != nil {
			return out, err
		}
		for _, st := range v.OpenSteps() {
			if st.Key == workflows.StepSelfEvaluation {
				stage, due = *v.Stage, st.Due
			}
		}
	}
	// waitUntil sleeps until the stage's calendar reaches date and counts its events then.
	waitUntil := func(date domain.Date) (int, domain.Date, error) {
		for stage.Clock.DateAt(time.Now()).Before(date) {
			if err := sleep(ctx, poll); err != nil {
				return 0, date, fmt.Errorf("waiting for %s on the calendar of %s: %w", date, inst, err)
			}
		}
		n, err := historyLength(ctx, cc.Temporal(), stage.WorkflowID)
		return n, stage.Clock.DateAt(time.Now()), err
	}
	n1, d1, err := waitUntil(due.AddDays(8))
	if err != nil {
		return out, err
	}
	n2, d2, err := waitUntil(d1.AddDays(7 * weeks))
	if err != nil {
		return out, err
	}
	// The step must still be open: an answer would end the stage and stop the count.
	v, err := cc.StageStatus(ctx, stage.WorkflowID)
	if err != nil {
		return out, err
	}
	for _, st := range v.Steps {
		if st.Key == workflows.StepSelfEvaluation && st.Status != workflows.StepOpen {
			return out, fmt.Errorf("the self-evaluation of %s is %s, not open: the overdue count is void", inst, st.Status)
		}
	}
	days := float64(d2.DaysSince(d1))
	out = overdueRate{Weeks: days / 7, EventsBefore: n1, EventsAfter: n2, PerWeek: float64(n2-n1) / (days / 7)}
	return out, nil
}
