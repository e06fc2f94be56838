package cycles

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Status is an institution's cycle with its running stage. Each step is in exactly one
// place: Cycle.Steps holds the steps of the stages that finished, Stage.Steps those of the
// running stage; Timeline joins them.
type Status struct {
	Cycle workflows.CycleStatus `json:"cycle"`
	// Stage is the running stage's status; nil when no stage runs or it could not be read.
	Stage *workflows.StageStatus `json:"stage"`
	// Note says why the running stage is not shown (it is starting, or has no steps).
	Note string `json:"note,omitempty"`
}

// Timeline is every step of the cycle: the finished stages' steps, then the running stage's.
func (s Status) Timeline() []workflows.StepRecord {
	out := append([]workflows.StepRecord{}, s.Cycle.Steps...)
	if s.Stage != nil {
		out = append(out, s.Stage.Steps...)
	}
	return out
}

// OpenSteps are the running stage's open steps.
func (s Status) OpenSteps() []workflows.StepRecord {
	if s.Stage == nil {
		return nil
	}
	var out []workflows.StepRecord
	for _, st := range s.Stage.Steps {
		if st.Status == workflows.StepOpen {
			out = append(out, st)
		}
	}
	return out
}

// AdvanceToday moves "today" of the cycle and its stage forward to today. A query handler
// sees the time of the workflow's last task, so while a cycle waits its "today" falls behind
// the calendar; a caller that knows the cycle's clock (the store's read model) corrects it.
func (s *Status) AdvanceToday(today domain.Date) {
	if today.After(s.Cycle.Today) {
		s.Cycle.Today = today
	}
	if s.Stage != nil && today.After(s.Stage.Today) {
		s.Stage.Today = today
	}
}

// CycleStatus asks the institution's cycle workflow alone for its status. An institution
// without a cycle is refused with a *RefusedError wrapping ErrNoCycle.
func (c *Client) CycleStatus(ctx context.Context, institutionID string) (workflows.CycleStatus, error) {
	var st workflows.CycleStatus
	id := workflows.CycleWorkflowID(institutionID)
	if err := c.query(ctx, id, workflows.QueryStatus, &st); err != nil {
		if isNotFound(err) {
			return st, refuse(ActionStatus, id, ErrNoCycle,
				"no cycle has been started for %s: start one with starter cycle start --institution %s", institutionID, institutionID)
		}
		return st, err
	}
	return st, nil
}

// StageStatus asks the workflow that runs a stage (CycleStatus.ActiveWorkflowID: a stage's
// own, or the cycle for a self-evaluation it runs itself) for the stage's status.
func (c *Client) StageStatus(ctx context.Context, workflowID string) (workflows.StageStatus, error) {
	var st workflows.StageStatus
	err := c.query(ctx, workflowID, workflows.StageStatusQuery(workflowID), &st)
	return st, err
}

// Status reads the cycle and, while a stage runs, the stage. A cycle started a moment ago
// is still reading its settings, or its first stage is not running yet: Status waits up to
// Options.StartingWait for it, so it never shows an empty cycle just after a start.
func (c *Client) Status(ctx context.Context, institutionID string) (Status, error) {
	deadline := time.Now().Add(c.opts.StartingWait)
	for {
		v, starting, err := c.statusOnce(ctx, institutionID)
		if err != nil || !starting || time.Now().After(deadline) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, nil
		case <-time.After(pollEvery):
		}
	}
}

// statusOnce asks the cycle and its running stage once; starting reports a cycle that has
// not yet begun its first stage, or a stage the server has not started yet.
func (c *Client) statusOnce(ctx context.Context, inst string) (v Status, starting bool, err error) {
	st, err := c.CycleStatus(ctx, inst)
	if err != nil {
		return Status{}, false, err
	}
	if st.Stage == "" && len(st.Stages) == 0 && !st.Cancelled {
		return Status{Cycle: st, Note: "the cycle is starting: it is reading its settings and the institution"}, true, nil
	}
	v = Status{Cycle: st}
	if st.ActiveWorkflowID == "" {
		return v, false, nil
	}
	stage, err := c.StageStatus(ctx, st.ActiveWorkflowID)
	var refused *queryRefused
	switch {
	case err == nil:
		v.Stage = &stage
		// A stage that has not yet opened its first step is still starting.
		return v, len(stage.Steps) == 0 && st.Stage != workflows.StagePublication, nil
	case isNotFound(err):
		// The parent has asked for the child, which the server has not started yet (or the
		// server has just restarted and is loading it).
		v.Note = fmt.Sprintf("stage %s (%s) is starting", st.Stage, st.ActiveWorkflowID)
		return v, true, nil
	case errors.As(err, &refused):
		// A self-evaluation the cycle runs itself answers QueryStageStatus only while it runs:
		// asked in the instant it ended, the cycle has moved on, and a fresh read shows where.
		moved, err := c.movedOn(ctx, inst, st)
		if err != nil {
			return Status{}, false, err
		}
		if moved {
			v.Note = fmt.Sprintf("stage %s (%s) has just ended", st.Stage, st.ActiveWorkflowID)
			return v, true, nil
		}
		v.Note = fmt.Sprintf("stage %s (%s) is running and answers no status query", st.Stage, st.ActiveWorkflowID)
		return v, false, nil
	default:
		return Status{}, false, err
	}
}

// movedOn reports whether the cycle is now in another stage (or another run of one) than it
// was when it answered was.
func (c *Client) movedOn(ctx context.Context, inst string, was workflows.CycleStatus) (bool, error) {
	now, err := c.CycleStatus(ctx, inst)
	if err != nil {
		return false, err
	}
	return now.Number != was.Number || now.Stage != was.Stage ||
		now.ActiveWorkflowID != was.ActiveWorkflowID || len(now.Stages) != len(was.Stages), nil
}

// query asks a workflow for its status, retrying while its first workflow task has not run.
func (c *Client) query(ctx context.Context, workflowID, query string, out any) error {
	deadline := time.Now().Add(c.opts.QueryTimeout)
	for {
		qctx, cancel := context.WithTimeout(ctx, c.opts.QueryTimeout)
		val, err := c.temporal.QueryWorkflow(qctx, workflowID, "", query)
		if err == nil {
			err = val.Get(out)
			cancel()
			if err != nil {
				return fmt.Errorf("cannot read the status of %s: %w", workflowID, err)
			}
			return nil
		}
		cancel()
		var notReady *serviceerror.WorkflowNotReady
		if errors.As(err, &notReady) && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pollEvery):
			}
			continue
		}
		return c.queryError(workflowID, err)
	}
}

// update runs an update to completion and decodes its answer into result.
func (c *Client) update(ctx context.Context, workflowID, name string, payload, result any) error {
	if err := CheckSubmission(name, payload); err != nil {
		return err
	}
	uctx, cancel := context.WithTimeout(ctx, c.opts.UpdateTimeout)
	defer cancel()
	handle, err := c.temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(uctx, result)
	}
	if err != nil {
		return c.updateError(workflowID, name, err)
	}
	return nil
}
