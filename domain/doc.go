// Package domain holds the pure rules of the Danish regions' quality model (2007) for
// residential social institutions, as the accreditation service runs it: the regions and
// target groups, calendar dates and periods, Danish working days, the virtual calendar used
// for demos, the deadline policy (reminders and escalations), the self-evaluation scale and
// verdicts, and the standards catalogue.
//
// It exists so that workflows, activities, the store and the web app share one deterministic
// definition of these rules. Nothing here does I/O, reads the wall clock or depends on
// Temporal or a database: "now" is always an argument, so every rule can be unit-tested and
// replayed years later with the same result.
package domain

import (
	"fmt"
	"strings"
)

// ValidationError lists every problem found in one value (a deadline policy, a clock, a
// catalogue generation), so the person fixing a configuration sees all of them at once instead
// of one per attempt. Validate methods in this package return it; use errors.As to get the list.
type ValidationError struct {
	// What names the value that was checked, e.g. "deadline policy".
	What string
	// Problems says, one sentence each, what is wrong and what to do about it.
	Problems []string
}

// Error joins all problems on one line so the message survives logs and CLI output.
func (e *ValidationError) Error() string {
	switch len(e.Problems) {
	case 0:
		return "invalid " + e.What
	case 1:
		return "invalid " + e.What + ": " + e.Problems[0]
	}
	return fmt.Sprintf("invalid %s (%d problems): %s", e.What, len(e.Problems), strings.Join(e.Problems, "; "))
}

// addf records one problem.
func (e *ValidationError) addf(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

// err returns nil when nothing was recorded, so callers can `return v.err()`.
func (e *ValidationError) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}
