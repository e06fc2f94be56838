package cycles

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestUpdateErrorsAreSorted: the workflow's own refusal is a *RefusedError with its message;
// what went wrong on the way is a failure.
func TestUpdateErrorsAreSorted(t *testing.T) {
	c := New(nil, Options{TaskQueue: "accredit"})
	const wf = "cycle/H-01/1/external-evaluation"
	cases := []struct {
		name    string
		err     error
		refused bool
		reason  string
		is      error
	}{
		{"validator", temporal.NewApplicationError("P-099 has no open invitation to the team of H-01", "*errors.errorString"),
			true, "P-099 has no open invitation to the team of H-01", nil},
		{"wrapped validator", fmt.Errorf("update: %w", temporal.NewApplicationError("the hearing closed on 2027-05-01:\n comments are no longer accepted", "")),
			true, "the hearing closed on 2027-05-01: comments are no longer accepted", nil},
		{"unknown update", temporal.NewApplicationError("unknown update appeal. KnownUpdates=[extend-deadline waive-step]", ""),
			true, "the running stage does not take appeal", nil},
		{"workflow finished", serviceerror.NewNotFound("workflow execution already completed"), true, "no longer running", ErrFinished},
		{"activity failure", temporal.NewApplicationErrorWithCause("activity timed out", "", temporal.NewTimeoutError(0, nil)), false, "", nil},
		{"unavailable", serviceerror.NewUnavailable("connection refused"), false, "", nil},
		{"deadline", context.DeadlineExceeded, false, "", nil},
		{"other", errors.New("boom"), false, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.updateError(wf, workflows.UpdateAnswerInvitation, tc.err)
			var ref *RefusedError
			if got := errors.As(err, &ref); got != tc.refused {
				t.Fatalf("refused = %t, want %t (%T: %v)", got, tc.refused, err, err)
			}
			if IsRefused(err) != tc.refused {
				t.Errorf("IsRefused disagrees with errors.As")
			}
			if !tc.refused {
				if !errors.Is(err, tc.err) && !strings.Contains(err.Error(), "accredit") {
					t.Errorf("the failure %q neither wraps %v nor names the task queue", err, tc.err)
				}
				return
			}
			if ref.Action != workflows.UpdateAnswerInvitation || ref.WorkflowID != wf {
				t.Errorf("refusal names %s on %s", ref.Action, ref.WorkflowID)
			}
			if !strings.Contains(ref.Reason, tc.reason) || strings.Contains(ref.Reason, "\n") {
				t.Errorf("reason %q, want one line containing %q", ref.Reason, tc.reason)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestTooLargeIsRefusedBeforeSending(t *testing.T) {
	c := New(nil, Options{})
	big := workflows.Comment{Action: workflows.Action{Actor: "P-001"}, Text: strings.Repeat("x", domain.MaxSubmissionBytes+1)}
	_, err := c.CommentReport(context.Background(), "H-01", big)
	if !errors.Is(err, ErrTooLarge) || !IsRefused(err) {
		t.Fatalf("err = %v, want a refusal wrapping ErrTooLarge", err)
	}
}

func TestUnknownActionIsAFailure(t *testing.T) {
	c := New(nil, Options{})
	_, err := c.Act(context.Background(), "H-01", workflows.UpdateCancelCycle, workflows.Cancellation{}, nil)
	if err == nil || IsRefused(err) {
		t.Fatalf("err = %v, want a failure: the cancellation is not a stage action", err)
	}
}

func TestTimelineHoldsEachStepOnce(t *testing.T) {
	s := Status{
		Cycle: workflows.CycleStatus{Steps: []workflows.StepRecord{{Key: "self-evaluation", Status: workflows.StepDone}}},
		Stage: &workflows.StageStatus{Steps: []workflows.StepRecord{{Key: "invitation/lead/1", Status: workflows.StepOpen},
			{Key: "invitation/professional/1", Status: workflows.StepDone}}},
	}
	if got := s.Timeline(); len(got) != 3 || got[0].Key != "self-evaluation" || got[2].Key != "invitation/professional/1" {
		t.Errorf("timeline = %+v", got)
	}
	if open := s.OpenSteps(); len(open) != 1 || open[0].Key != "invitation/lead/1" {
		t.Errorf("open steps = %+v", open)
	}
	today := domain.NewDate(2027, 3, 1)
	s.AdvanceToday(today)
	if s.Cycle.Today != today || s.Stage.Today != today {
		t.Errorf("today = %s / %s", s.Cycle.Today, s.Stage.Today)
	}
}

// TestRefusalProblemsComeThroughTemporal: a validator's problems, each with its field, reach
// the caller through Temporal's failure encoding; a refusal without them is one problem of
// the request as a whole; the candidate check's verdict on a person is a refusal of that field.
func TestRefusalProblemsComeThroughTemporal(t *testing.T) {
	c := New(nil, Options{TaskQueue: "accredit"})
	conv := temporal.GetDefaultFailureConverter()
	through := func(err error) error { return conv.FailureToError(conv.ErrorToFailure(err)) }
	sent := []workflows.Problem{{Field: workflows.FieldAssessment("2.1"), Message: "the assessment of standard 2.1 is empty"},
		{Field: workflows.FieldVerdict, Message: "verdict 1 (meets the standards) does not agree"},
		{Message: "the report is 600 KiB as sent"}}
	refusal := temporal.NewApplicationErrorWithOptions((&workflows.Refusal{Problems: sent}).Error(), workflows.RefusalType,
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{sent}})

	var ref *RefusedError
	if !errors.As(c.updateError("wf", workflows.UpdateSubmitReport, through(refusal)), &ref) {
		t.Fatal("a validator's refusal with problems is not a refusal")
	}
	if fmt.Sprint(ref.Problems) != fmt.Sprint(sent) {
		t.Errorf("problems = %v, want %v", ref.Problems, sent)
	}
	if ref.Reason != "the assessment of standard 2.1 is empty; verdict 1 (meets the standards) does not agree; the report is 600 KiB as sent" {
		t.Errorf("reason = %q, want every problem, as the starter prints it", ref.Reason)
	}

	plain := temporal.NewApplicationError("P-002 does not hold step report", "*errors.errorString")
	if !errors.As(c.updateError("wf", workflows.UpdateSubmitReport, through(plain)), &ref) {
		t.Fatal("a plain refusal is not a refusal")
	}
	if len(ref.Problems) != 1 || ref.Problems[0].Field != "" || ref.Problems[0].Message != "P-002 does not hold step report" {
		t.Errorf("problems of a plain refusal = %+v", ref.Problems)
	}

	// The assignment's handler passes the candidate check's refusal on from the activity.
	check := conv.ErrorToFailure(temporal.NewNonRetryableApplicationError("P-050 cannot be lead for H-01: no-conflict", "NotEligible", nil))
	activity := &failurepb.Failure{Message: "activity error", Cause: check, FailureInfo: &failurepb.Failure_ActivityFailureInfo{
		ActivityFailureInfo: &failurepb.ActivityFailureInfo{ActivityType: &commonpb.ActivityType{Name: "CheckCandidate"}}}}
	if !errors.As(c.updateError("wf", workflows.UpdateAssignReviewer, conv.FailureToError(activity)), &ref) {
		t.Fatal("the candidate check's refusal is not a refusal")
	}
	if len(ref.Problems) != 1 || ref.Problems[0].Field != workflows.FieldPerson || !strings.Contains(ref.Reason, "cannot be lead") {
		t.Errorf("candidate refusal = %q %+v", ref.Reason, ref.Problems)
	}
	// Any other activity failure stays a failure.
	other := conv.ErrorToFailure(temporal.NewApplicationError("database is locked", "SQLiteError"))
	activity.Cause = other
	if IsRefused(c.updateError("wf", workflows.UpdateAssignReviewer, conv.FailureToError(activity))) {
		t.Error("an activity's failure was taken for a refusal")
	}
}
