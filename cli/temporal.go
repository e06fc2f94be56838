package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// What the cycle commands share: who acts, flag parsing, reading a cycle's status, and
// sending an update to the workflow that takes it.

// actorEnv names the person acting when --as is not given.
const actorEnv = "ACCREDIT_ACTOR"

const (
	// queryTimeout bounds one status query; a query needs a worker to answer it.
	queryTimeout = 15 * time.Second
	// updateTimeout bounds one update, validator and handler included.
	updateTimeout = 60 * time.Second
	// pollEvery is how often cycle wait asks again.
	pollEvery = 200 * time.Millisecond
)

// getenv reads a variable from the app's environment (the last one wins, as in a shell).
func (a *app) getenv(key string) string {
	var value string
	for _, kv := range a.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			value = v
		}
	}
	return value
}

// actor is the person acting: --as, else $ACCREDIT_ACTOR.
func (a *app) actor(as string) (string, error) {
	as = strings.TrimSpace(as)
	if as == "" {
		as = strings.TrimSpace(a.getenv(actorEnv))
	}
	if as == "" {
		return "", rejected("say who is acting: give --as PERSON-ID (or set %s)", actorEnv)
	}
	return as, nil
}

func addActorFlag(cmd *cobra.Command, as *string, who string) {
	cmd.Flags().StringVar(as, "as", "", "person ID of who acts ("+who+"); default $"+actorEnv)
}

func parseDateFlag(flag, value string) (domain.Date, error) {
	d, err := domain.ParseDate(value)
	if err != nil {
		return domain.Date{}, rejected("--%s: %v", flag, err)
	}
	return d, nil
}

// requireFlag rejects an empty text flag with what to give.
func requireFlag(flag, value, what string) error {
	if strings.TrimSpace(value) == "" {
		return rejected("--%s is required: %s", flag, what)
	}
	return nil
}

func institutionArg(args []string) (string, error) {
	id := strings.TrimSpace(args[0])
	if id == "" {
		return "", rejected("give the institution's ID, e.g. H-01")
	}
	return id, nil
}

// query asks a workflow for its status, retrying while its first workflow task has not run.
func (a *app) query(ctx context.Context, c client.Client, workflowID string, out any) error {
	deadline := time.Now().Add(queryTimeout)
	for {
		qctx, cancel := context.WithTimeout(ctx, queryTimeout)
		val, err := c.QueryWorkflow(qctx, workflowID, "", workflows.QueryStatus)
		if err == nil {
			err = val.Get(out)
			cancel()
			if err != nil {
				return fmt.Errorf("cannot read the status of %s: %v", workflowID, err)
			}
			return nil
		}
		cancel()
		var notReady *serviceerror.WorkflowNotReady
		if errors.As(err, &notReady) && time.Now().Before(deadline) {
			if err := sleep(ctx, pollEvery); err != nil {
				return err
			}
			continue
		}
		return a.queryError(workflowID, err)
	}
}

// queryError says in one line why a status query failed; a *serviceerror.NotFound stays
// recognisable so callers can say what to do instead.
func (a *app) queryError(workflowID string, err error) error {
	var (
		notFound    *serviceerror.NotFound
		failed      *serviceerror.QueryFailed
		deadline    *serviceerror.DeadlineExceeded
		unavailable *serviceerror.Unavailable
	)
	switch {
	case errors.As(err, &notFound):
		return err
	case errors.As(err, &failed):
		return &queryRefused{workflowID: workflowID, msg: failed.Message}
	case errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s did not answer the status query within %s: is the worker running on task queue %q?",
			workflowID, queryTimeout, a.cfg.TaskQueue)
	case errors.As(err, &unavailable):
		return fmt.Errorf("Temporal at %s is unavailable: %s", a.cfg.TemporalAddress(), unavailable.Message)
	}
	return fmt.Errorf("status query of %s: %v", workflowID, err)
}

// queryRefused is a workflow that ran the query and refused it (e.g. it has no such query).
type queryRefused struct{ workflowID, msg string }

func (e *queryRefused) Error() string {
	return fmt.Sprintf("%s did not answer the status query: %s", e.workflowID, e.msg)
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// noCycleError is an institution without a cycle workflow.
type noCycleError struct{ inst string }

func (e *noCycleError) Error() string {
	return fmt.Sprintf("no cycle has been started for %s: start one with starter cycle start --institution %s", e.inst, e.inst)
}

func noCycle(inst string) error { return &noCycleError{inst: inst} }

func isNoCycle(err error) bool {
	var nc *noCycleError
	return errors.As(err, &nc)
}

// queryCycle returns the status of an institution's cycle.
func (a *app) queryCycle(ctx context.Context, c client.Client, inst string) (workflows.CycleStatus, error) {
	var st workflows.CycleStatus
	if err := a.query(ctx, c, workflows.CycleWorkflowID(inst), &st); err != nil {
		if isNotFound(err) {
			// The institution is in the registry (checked before dialling), so this is a
			// refusal of the request, like every other: exit code 2.
			return st, &RejectedError{Err: noCycle(inst)}
		}
		return st, err
	}
	return st, nil
}

// cycleView is the cycle's status with its running stage's, and one timeline of both.
type cycleView struct {
	Cycle workflows.CycleStatus  `json:"cycle"`
	Stage *workflows.StageStatus `json:"stage"`
	Steps []workflows.StepRecord `json:"steps"`
	// note says why the running stage could not be read, if it could not.
	note string
}

// loadView reads the parent's status and, while a stage runs, the stage's.
func (a *app) loadView(ctx context.Context, c client.Client, inst string) (cycleView, error) {
	// A cycle started a moment ago is still reading its settings, or its first stage is not
	// yet running: wait a little for it, so status never shows an empty cycle just after start.
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, starting, err := a.loadViewOnce(ctx, c, inst)
		if err != nil || !starting || time.Now().After(deadline) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, nil
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// loadViewOnce asks the cycle and its running stage once; starting reports a cycle that has
// not yet begun its first stage, or a stage the server has not started yet.
func (a *app) loadViewOnce(ctx context.Context, c client.Client, inst string) (v cycleView, starting bool, err error) {
	st, err := a.queryCycle(ctx, c, inst)
	if err != nil {
		return cycleView{}, false, err
	}
	if st.Stage == "" && len(st.Stages) == 0 && !st.Cancelled {
		return cycleView{Cycle: st, note: "the cycle is starting: it is reading its settings and the institution"}, true, nil
	}
	v = cycleView{Cycle: st, Steps: append([]workflows.StepRecord{}, st.Steps...)}
	if st.ActiveWorkflowID == "" {
		return v, false, nil
	}
	var stage workflows.StageStatus
	err = a.query(ctx, c, st.ActiveWorkflowID, &stage)
	var refused *queryRefused
	switch {
	case err == nil:
		v.Stage = &stage
		v.Steps = append(v.Steps, stage.Steps...)
		// A stage that has not yet opened its first step is still starting.
		return v, len(stage.Steps) == 0 && st.Stage != workflows.StagePublication, nil
	case isNotFound(err):
		// The parent has asked for the child, which the server has not started yet (or the
		// server has just restarted and is loading it).
		v.note = fmt.Sprintf("stage %s (%s) is starting", st.Stage, st.ActiveWorkflowID)
		return v, true, nil
	case errors.As(err, &refused):
		// Publication has no steps and answers no queries.
		v.note = fmt.Sprintf("stage %s (%s) is running and has no steps", st.Stage, st.ActiveWorkflowID)
		return v, false, nil
	default:
		return cycleView{}, false, err
	}
}

// stageTarget finds the running stage of an institution's cycle, which takes every update
// but the cancellation; accepts lists the stages that have the action (none: any stage).
func (a *app) stageTarget(ctx context.Context, c client.Client, inst, what string, accepts ...workflows.Stage) (workflows.CycleStatus, error) {
	st, err := a.queryCycle(ctx, c, inst)
	if err != nil {
		return st, err
	}
	if st.Cancelled {
		return st, rejected("cycle %d of %s was cancelled (%s): there is nothing to act on", st.Number, inst, st.CancelReason)
	}
	if st.ActiveWorkflowID == "" {
		if !st.NextStageOn.IsZero() {
			return st, rejected("no stage of cycle %d of %s is running; the next one opens on %s", st.Number, inst, st.NextStageOn)
		}
		return st, rejected("no stage of cycle %d of %s is running right now: see starter cycle status %s", st.Number, inst, inst)
	}
	if len(accepts) > 0 && !slices.Contains(accepts, st.Stage) {
		return st, rejected("cycle %d of %s is in its %s stage (%s): %s", st.Number, inst, st.Stage, st.ActiveWorkflowID, what)
	}
	return st, nil
}

// sendUpdate runs an update to completion. Whatever the workflow refuses (a validator's
// rejection, a handler's error) comes back as the workflow's own one-line message.
func (a *app) sendUpdate(ctx context.Context, c client.Client, workflowID, name string, payload, result any) error {
	if err := checkSubmissionSize(payload); err != nil {
		return err
	}
	uctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	handle, err := c.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         []any{payload},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(uctx, result)
	}
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return &RejectedError{Err: errors.New(appErr.Message())}
	}
	if isNotFound(err) {
		return rejected("%s is no longer running (it finished meanwhile): see starter cycle status", workflowID)
	}
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s did not complete %s within %s: is the worker running on task queue %q?",
			workflowID, name, updateTimeout, a.cfg.TaskQueue)
	}
	return fmt.Errorf("%s on %s: %v", name, workflowID, err)
}

// checkSubmissionSize refuses a payload larger than domain.MaxSubmissionBytes as JSON, which
// is how the workflow receives it: the service's own limit with its own message, rather than
// Temporal's ResourceExhausted at 2 MB.
func checkSubmissionSize(payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode the submission: %v", err)
	}
	if len(data) > domain.MaxSubmissionBytes {
		return rejected("the submission is %s as JSON; the limit is %s: shorten its texts (each has its own limit, e.g. %s characters for a note)",
			domain.SizeInBytes(int64(len(data))), domain.SizeInBytes(domain.MaxSubmissionBytes), domain.Thousands(domain.MaxNoteLength))
	}
	return nil
}

// stageUpdate sends an update to the running stage of inst's cycle.
func (a *app) stageUpdate(ctx context.Context, inst, name, what string, accepts []workflows.Stage, payload, result any) (workflows.CycleStatus, error) {
	if err := a.checkInstitution(ctx, inst); err != nil {
		return workflows.CycleStatus{}, err
	}
	if err := checkSubmissionSize(payload); err != nil {
		return workflows.CycleStatus{}, err
	}
	c, err := a.dial(ctx)
	if err != nil {
		return workflows.CycleStatus{}, err
	}
	defer c.Close()
	st, err := a.stageTarget(ctx, c, inst, what, accepts...)
	if err != nil {
		return st, err
	}
	return st, a.sendUpdate(ctx, c, st.ActiveWorkflowID, name, payload, result)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// dateOrDash prints a date, or "-" for none.
func dateOrDash(d domain.Date) string {
	if d.IsZero() {
		return "-"
	}
	return d.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
