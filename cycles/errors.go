package cycles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Actions that are not updates, as RefusedError.Action names them.
const (
	// ActionStart is starting a cycle.
	ActionStart = "start-cycle"
	// ActionStatus is reading a cycle's status.
	ActionStatus = "status"
)

// What a refusal is about, for callers that act on it; a *RefusedError wraps one of these
// when the refusal is the client's, and the Temporal error when it is a validator's.
var (
	// ErrNoCycle: the institution has no cycle workflow.
	ErrNoCycle = errors.New("no cycle has been started")
	// ErrAlreadyRunning: Start found a running cycle.
	ErrAlreadyRunning = errors.New("a cycle is already running")
	// ErrCancelled: the cycle was cancelled, so there is nothing to act on.
	ErrCancelled = errors.New("the cycle was cancelled")
	// ErrNoStage: no stage is running, or the running stage does not take the action.
	ErrNoStage = errors.New("no stage takes the action now")
	// ErrFinished: the workflow finished while the action was on its way.
	ErrFinished = errors.New("the workflow is no longer running")
	// ErrTooLarge: the submission is over domain.MaxSubmissionBytes.
	ErrTooLarge = errors.New("the submission is too large")
)

// RefusedError is a request the cycle refused: a validator's rejection, a handler's error,
// or the client's own refusal (no cycle, already running, no stage takes the action, too
// large). Reason is one line that says what was wrong and what to do; the starter exits 2
// on it. Problems are the same, one by one, each with the field of the request it concerns,
// which the web app shows beside that field. Every other error is a failure.
type RefusedError struct {
	// Action is the update name (workflows.Update*), ActionStart or ActionStatus.
	Action string
	// WorkflowID is the workflow that refused, or would have taken the action.
	WorkflowID string
	Reason     string
	// Problems are never empty: a validator's workflows.Refusal gives each of its problems,
	// any other refusal is one problem of the request as a whole (no field), saying Reason.
	Problems []workflows.Problem
	// Err is the cause: one of the Err* values, or Temporal's *temporal.ApplicationError.
	Err error
}

func (e *RefusedError) Error() string { return e.Reason }
func (e *RefusedError) Unwrap() error { return e.Err }

// IsRefused reports whether err is (or wraps) a *RefusedError.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

func refuse(action, workflowID string, cause error, format string, args ...any) *RefusedError {
	reason := fmt.Sprintf(format, args...)
	return &RefusedError{Action: action, WorkflowID: workflowID, Reason: reason, Err: cause,
		Problems: []workflows.Problem{{Message: reason}}}
}

// updateError sorts the error of an update into a refusal or a failure.
func (c *Client) updateError(workflowID, update string, err error) error {
	if reason, problems, ok := rejection(err); ok {
		return &RefusedError{Action: update, WorkflowID: workflowID, Reason: reason, Problems: problems, Err: err}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return refuse(update, workflowID, ErrFinished, "%s is no longer running (it finished meanwhile): see starter cycle status", workflowID)
	}
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &deadline) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s did not complete %s within %s: is the worker running on task queue %q? %w",
			workflowID, update, c.opts.UpdateTimeout, c.opts.TaskQueue, err)
	}
	return c.failure(update, workflowID, err)
}

// notEligible is the type of the candidate check's refusal of a person for a seat
// (activities.CheckCandidate), which the assignment's handler passes on from the activity.
const notEligible = "NotEligible"

// rejection reports whether err is the workflow's own refusal of an update: the validator's
// rejection or the handler's error, which Temporal hands back as an application error, and
// the candidate check's verdict on a person. Any other application error under an activity,
// child workflow, timeout or cancellation is a failure of the machinery, not a refusal.
// The problems are the validator's own (a workflows.Refusal's details) when it sent them.
func rejection(err error) (string, []workflows.Problem, bool) {
	var (
		app      *temporal.ApplicationError
		activity *temporal.ActivityError
		child    *temporal.ChildWorkflowExecutionError
		timeout  *temporal.TimeoutError
		canceled *temporal.CanceledError
	)
	if !errors.As(err, &app) || errors.As(err, &child) || errors.As(err, &timeout) || errors.As(err, &canceled) {
		return "", nil, false
	}
	if errors.As(err, &activity) {
		if app.Type() != notEligible || !app.NonRetryable() {
			return "", nil, false
		}
		msg := strings.Join(strings.Fields(app.Message()), " ")
		return msg, []workflows.Problem{{Field: workflows.FieldPerson, Message: msg}}, true
	}
	msg := strings.Join(strings.Fields(app.Message()), " ")
	if strings.HasPrefix(msg, "unknown update ") {
		// The stage's workflow has no such handler (a stage from an older release).
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "unknown update "), ".")
		msg = fmt.Sprintf("the running stage does not take %s", name)
	}
	if msg == "" {
		msg = "the workflow refused the request without saying why"
	}
	return msg, problemsOf(app, msg), true
}

// problemsOf reads the problems a validator sent with its refusal. A refusal without them
// (another error of the workflow, or a worker from before problems had fields) is one
// problem of the request as a whole.
func problemsOf(app *temporal.ApplicationError, msg string) []workflows.Problem {
	var problems []workflows.Problem
	if app.Type() == workflows.RefusalType && app.HasDetails() && app.Details(&problems) == nil && len(problems) > 0 {
		for i, p := range problems {
			problems[i].Message = strings.Join(strings.Fields(p.Message), " ")
		}
		return problems
	}
	return []workflows.Problem{{Message: msg}}
}

// queryError sorts the error of a status query. A NotFound stays recognisable (errors.As) so
// that the caller can say what is missing.
func (c *Client) queryError(workflowID string, err error) error {
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
			workflowID, c.opts.QueryTimeout, c.opts.TaskQueue)
	case errors.As(err, &unavailable):
		return fmt.Errorf("Temporal is unavailable: %s: %w", unavailable.Message, err)
	}
	return fmt.Errorf("status query of %s: %w", workflowID, err)
}

// failure wraps an error that is no refusal.
func (c *Client) failure(action, workflowID string, err error) error {
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return fmt.Errorf("%s on %s: Temporal is unavailable: %s: %w", action, workflowID, unavailable.Message, err)
	}
	return fmt.Errorf("%s on %s: %w", action, workflowID, err)
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

// CheckSubmission refuses a payload larger than domain.MaxSubmissionBytes as JSON, which is
// how the workflow receives it: the service's own limit with its own message, rather than
// Temporal's ResourceExhausted at 2 MB. Every action runs it before it is sent; a caller may
// run it earlier, before it dials (the starter does).
func CheckSubmission(update string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("%s: encode the submission: %w", update, err)
	}
	if len(data) > domain.MaxSubmissionBytes {
		return refuse(update, "", ErrTooLarge, "the submission is %s as JSON; the limit is %s: shorten its texts (each has its own limit, e.g. %s characters for a note)",
			domain.SizeInBytes(int64(len(data))), domain.SizeInBytes(domain.MaxSubmissionBytes), domain.Thousands(domain.MaxNoteLength))
	}
	return nil
}
