// Package cycles is the client side of the accreditation cycle: it starts and cancels an
// institution's cycle, reads the status of the cycle and of its running stage, and sends
// every human action to the stage workflow that holds the step, as a typed call.
//
// The workflow names, IDs and payloads are in workflows/cycle_api.go; this package is how
// every caller (the starter, the web app, Slack) uses them, so none of them repeats the
// routing, the retries or the reading of Temporal's errors. A validator's refusal comes back
// as a *RefusedError, whose Reason is the workflow's own one-line message; anything else
// (Temporal unreachable, no worker answering) is a failure, returned as a plain error.
package cycles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Default timeouts of a Client, used where Options leaves them zero.
const (
	// DefaultQueryTimeout bounds one status query; a query needs a worker to answer it.
	DefaultQueryTimeout = 15 * time.Second
	// DefaultUpdateTimeout bounds one action, validator and handler included.
	DefaultUpdateTimeout = 60 * time.Second
	// DefaultStartingWait is how long Status waits for a cycle that has just started to open
	// its first stage, so that a status right after a start never shows an empty cycle.
	DefaultStartingWait = 5 * time.Second
)

// pollEvery is how often the client asks again while a workflow is not ready.
const pollEvery = 150 * time.Millisecond

// Options configure a Client.
type Options struct {
	// TaskQueue is the worker's task queue, on which cycles are started. Required for Start.
	TaskQueue string
	// QueryTimeout, UpdateTimeout and StartingWait default to the Default* constants.
	QueryTimeout  time.Duration
	UpdateTimeout time.Duration
	StartingWait  time.Duration
}

// Client reaches the cycles of institutions through a Temporal client. It is safe for
// concurrent use; it does not own the Temporal client and never closes it.
type Client struct {
	temporal client.Client
	opts     Options
}

// New wraps a Temporal client.
func New(c client.Client, opts Options) *Client {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.UpdateTimeout <= 0 {
		opts.UpdateTimeout = DefaultUpdateTimeout
	}
	if opts.StartingWait <= 0 {
		opts.StartingWait = DefaultStartingWait
	}
	return &Client{temporal: c, opts: opts}
}

// Temporal is the wrapped Temporal client, for what this package does not cover (visibility).
func (c *Client) Temporal() client.Client { return c.temporal }

// ---- start and cancel ----

// StartRequest starts cycle 1 of one institution. The caller has checked that the
// institution is in the registry, open, and that Actor may start it.
type StartRequest struct {
	InstitutionID string `json:"institution_id"`
	// Region is the institution's region, when the caller knows it: the cycle then starts
	// with its search attributes in place and has none to upsert (it corrects a stale one).
	Region    domain.Region `json:"region,omitempty"`
	StartDate domain.Date   `json:"start_date"`
	Actor     string        `json:"actor"`
}

// Started is the cycle workflow that was started, or that was already running.
type Started struct {
	InstitutionID string `json:"institution_id"`
	WorkflowID    string `json:"workflow_id"`
	RunID         string `json:"run_id,omitempty"`
}

// Start begins cycle 1 of an institution. A cycle that is already running is refused with a
// *RefusedError wrapping ErrAlreadyRunning, and Started names the running run. A cancelled or
// finished cycle can be started again.
func (c *Client) Start(ctx context.Context, req StartRequest) (Started, error) {
	id := workflows.CycleWorkflowID(req.InstitutionID)
	res := Started{InstitutionID: req.InstitutionID, WorkflowID: id}
	opts := client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                c.opts.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
	if req.Region != "" {
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(workflows.CycleSearchAttributes(req.InstitutionID, req.Region, 1)...)
	}
	run, err := c.temporal.ExecuteWorkflow(ctx, opts, workflows.CycleWorkflowName, workflows.CycleInput{
		InstitutionID: req.InstitutionID, Number: 1, StartDate: req.StartDate, StartedBy: req.Actor,
		Release: workflows.LatestRelease(),
	})
	if err != nil {
		var running *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &running) {
			res.RunID = running.RunId
			return res, refuse(ActionStart, id, ErrAlreadyRunning,
				"a cycle of %s is already running (workflow %s, run %s): see starter cycle status %s",
				req.InstitutionID, id, running.RunId, req.InstitutionID)
		}
		return res, c.failure(ActionStart, id, err)
	}
	res.RunID = run.GetRunID()
	return res, nil
}

// Cancel ends an institution's cycle: the running stage withdraws its open steps and tells
// their holders. It returns the cycle's status after the cancellation.
func (c *Client) Cancel(ctx context.Context, institutionID string, req workflows.Cancellation) (workflows.CycleStatus, error) {
	current, err := c.CycleStatus(ctx, institutionID)
	if err != nil {
		return current, err
	}
	if current.Cancelled {
		// The workflow has closed; say so plainly rather than through the update's not-found.
		return current, refuse(workflows.UpdateCancelCycle, workflows.CycleWorkflowID(institutionID), ErrCancelled,
			"cycle %d of %s was already cancelled (%s): start a new one with starter cycle start --institution %s",
			current.Number, institutionID, current.CancelReason, institutionID)
	}
	var st workflows.CycleStatus
	err = c.update(ctx, workflows.CycleWorkflowID(institutionID), workflows.UpdateCancelCycle, req, &st)
	return st, err
}

// ---- the human actions ----

// SubmitSelfEvaluation hands in this year's self-evaluation (the institution manager, or the
// secretariat on their behalf).
func (c *Client) SubmitSelfEvaluation(ctx context.Context, institutionID string, req workflows.SelfEvaluationSubmission) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateSubmitSelfEvaluation, req, &rec)
	return rec, err
}

// AnswerInvitation accepts or declines the invited person's seat on the team.
func (c *Client) AnswerInvitation(ctx context.Context, institutionID string, req workflows.InvitationAnswer) (workflows.TeamMember, error) {
	var m workflows.TeamMember
	_, err := c.Act(ctx, institutionID, workflows.UpdateAnswerInvitation, req, &m)
	return m, err
}

// AssignReviewer seats a person by hand (the secretariat), with overrides if any.
func (c *Client) AssignReviewer(ctx context.Context, institutionID string, req workflows.ReviewerAssignment) (workflows.TeamMember, error) {
	var m workflows.TeamMember
	_, err := c.Act(ctx, institutionID, workflows.UpdateAssignReviewer, req, &m)
	return m, err
}

// SetVisitDate sets (or moves) the date of the visit or of the revisit.
func (c *Client) SetVisitDate(ctx context.Context, institutionID string, req workflows.VisitDate) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateSetVisitDate, req, &rec)
	return rec, err
}

// RecordVisit records that the visit or revisit took place.
func (c *Client) RecordVisit(ctx context.Context, institutionID string, req workflows.VisitRecord) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateRecordVisit, req, &rec)
	return rec, err
}

// SubmitReport submits the lead's report of the visit or the revisit.
func (c *Client) SubmitReport(ctx context.Context, institutionID string, req workflows.Report) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateSubmitReport, req, &rec)
	return rec, err
}

// CommentReport records the institution's comment during the hearing; it returns how many
// comments the report now has.
func (c *Client) CommentReport(ctx context.Context, institutionID string, req workflows.Comment) (int, error) {
	var n int
	_, err := c.Act(ctx, institutionID, workflows.UpdateCommentReport, req, &n)
	return n, err
}

// SubmitActionPlan hands in the institution's action plan after a verdict 2 or 3.
func (c *Client) SubmitActionPlan(ctx context.Context, institutionID string, req workflows.ActionPlan) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateSubmitActionPlan, req, &rec)
	return rec, err
}

// Appeal lodges the institution's appeal of the final verdict.
func (c *Client) Appeal(ctx context.Context, institutionID string, req workflows.Appeal) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateAppeal, req, &rec)
	return rec, err
}

// Decide closes an appeal, or a verdict 3 that stood after the revisit (the secretariat).
func (c *Client) Decide(ctx context.Context, institutionID string, req workflows.Decision) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateDecide, req, &rec)
	return rec, err
}

// ExtendDeadline moves an open step's due date (the secretariat); its reminders move with it.
func (c *Client) ExtendDeadline(ctx context.Context, institutionID string, req workflows.Extension) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateExtendDeadline, req, &rec)
	return rec, err
}

// WaiveStep closes an open step without the work being done (the secretariat).
func (c *Client) WaiveStep(ctx context.Context, institutionID string, req workflows.Waiver) (workflows.StepRecord, error) {
	var rec workflows.StepRecord
	_, err := c.Act(ctx, institutionID, workflows.UpdateWaiveStep, req, &rec)
	return rec, err
}

// stagesOf names the stages whose workflow takes each action; the cancellation goes to the
// cycle itself.
var stagesOf = map[string][]workflows.Stage{
	workflows.UpdateSubmitSelfEvaluation: {workflows.StageSelfEvaluation},
	workflows.UpdateAnswerInvitation:     {workflows.StageExternalEvaluation},
	workflows.UpdateAssignReviewer:       {workflows.StageExternalEvaluation},
	workflows.UpdateSetVisitDate:         {workflows.StageExternalEvaluation},
	workflows.UpdateRecordVisit:          {workflows.StageExternalEvaluation},
	workflows.UpdateSubmitReport:         {workflows.StageExternalEvaluation},
	workflows.UpdateCommentReport:        {workflows.StageExternalEvaluation},
	workflows.UpdateSubmitActionPlan:     {workflows.StageExternalEvaluation},
	workflows.UpdateAppeal:               {workflows.StageExternalEvaluation},
	workflows.UpdateDecide:               {workflows.StageExternalEvaluation},
	workflows.UpdateExtendDeadline:       {workflows.StageSelfEvaluation, workflows.StageExternalEvaluation},
	workflows.UpdateWaiveStep:            {workflows.StageSelfEvaluation, workflows.StageExternalEvaluation},
}

// Act sends one of the stage actions (an Update* name of workflows/cycle_api.go other than
// the cancellation) to the running stage of the institution's cycle and decodes the
// handler's answer into result. It returns the cycle's status as it was before the action.
// The typed methods above are the usual way in; Act is for callers that route by name.
func (c *Client) Act(ctx context.Context, institutionID, update string, payload, result any) (workflows.CycleStatus, error) {
	stages, ok := stagesOf[update]
	if !ok {
		return workflows.CycleStatus{}, fmt.Errorf("cycles: %q is not an action on a stage", update)
	}
	if err := CheckSubmission(update, payload); err != nil {
		return workflows.CycleStatus{}, err
	}
	st, err := c.stageTarget(ctx, institutionID, update, stages)
	if err != nil {
		return st, err
	}
	return st, c.update(ctx, st.ActiveWorkflowID, update, payload, result)
}

// stageTarget finds the running stage of an institution's cycle, and refuses when none is
// running or the running one does not take the action.
func (c *Client) stageTarget(ctx context.Context, inst, update string, stages []workflows.Stage) (workflows.CycleStatus, error) {
	st, err := c.CycleStatus(ctx, inst)
	if err != nil {
		return st, err
	}
	id := workflows.CycleWorkflowID(inst)
	if st.Cancelled {
		return st, refuse(update, id, ErrCancelled, "cycle %d of %s was cancelled (%s): there is nothing to act on", st.Number, inst, st.CancelReason)
	}
	if st.ActiveWorkflowID == "" {
		if !st.NextStageOn.IsZero() {
			return st, refuse(update, id, ErrNoStage, "no stage of cycle %d of %s is running; the next one opens on %s", st.Number, inst, st.NextStageOn)
		}
		return st, refuse(update, id, ErrNoStage, "no stage of cycle %d of %s is running right now: see starter cycle status %s", st.Number, inst, inst)
	}
	if !slices.Contains(stages, st.Stage) {
		return st, refuse(update, st.ActiveWorkflowID, ErrNoStage, "cycle %d of %s is in its %s stage (%s): %s",
			st.Number, inst, st.Stage, st.ActiveWorkflowID, notInStage(update))
	}
	return st, nil
}

// notInStage says why an action does not fit the running stage.
func notInStage(update string) string {
	switch update {
	case workflows.UpdateSubmitSelfEvaluation:
		return "there is no self-evaluation to submit now"
	case workflows.UpdateAnswerInvitation:
		return "there is no team invitation to answer now"
	case workflows.UpdateAssignReviewer:
		return "the team is assigned during the external evaluation"
	case workflows.UpdateSetVisitDate, workflows.UpdateRecordVisit:
		return "visits belong to the external evaluation"
	case workflows.UpdateSubmitReport:
		return "the report belongs to the external evaluation"
	case workflows.UpdateCommentReport:
		return "the hearing belongs to the external evaluation"
	case workflows.UpdateSubmitActionPlan:
		return "the action plan belongs to the external evaluation"
	case workflows.UpdateAppeal:
		return "there is no verdict to appeal now"
	case workflows.UpdateDecide:
		return "there is nothing to decide now"
	case workflows.UpdateExtendDeadline:
		return "it has no steps to extend"
	case workflows.UpdateWaiveStep:
		return "it has no steps to waive"
	}
	return "it does not take " + update
}
