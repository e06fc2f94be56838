package workflows

import (
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TestRefusingSendsTheProblems: a validator's *Refusal leaves the worker as an application
// error of RefusalType whose message is every problem and whose details are the problems
// with their fields, as Temporal encodes them; any other error passes unchanged.
func TestRefusingSendsTheProblems(t *testing.T) {
	problems := []Problem{{Field: FieldReason, Message: "give the grounds of the appeal"}, {Message: "the appeal window closed"}}
	v := refusing(func(_ workflow.Context, refuse bool) error {
		if refuse {
			return &Refusal{Problems: problems}
		}
		return fmt.Errorf("say who is acting (--as PERSON-ID)")
	})
	conv := temporal.GetDefaultFailureConverter()
	err := conv.FailureToError(conv.ErrorToFailure(v(nil, true)))
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != RefusalType || !app.NonRetryable() {
		t.Fatalf("err = %#v, want a non-retryable application error of type %s", err, RefusalType)
	}
	if app.Message() != "give the grounds of the appeal; the appeal window closed" {
		t.Errorf("message = %q", app.Message())
	}
	var got []Problem
	if err := app.Details(&got); err != nil || fmt.Sprint(got) != fmt.Sprint(problems) {
		t.Errorf("details = %v (%v), want %v", got, err, problems)
	}
	if plain := v(nil, false); plain == nil || errors.As(plain, &app) {
		t.Errorf("a plain error became %#v", plain)
	}
}
