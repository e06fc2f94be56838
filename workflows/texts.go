package workflows

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/domain"
)

// The validators' checks of what people write: each text within its limit (domain/limits.go)
// and kept exactly as written, and a whole submission far from Temporal's payload limit.

// checkRequired refuses a blank text with ifBlank, then checks it like any other.
func checkRequired(field, s string, max int, ifBlank string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s", ifBlank)
	}
	return domain.CheckText(field, s, max)
}

// checkReason checks a reason for an action (decline, extension, waiver, assignment...);
// what says what the reason is for, e.g. "declining, so the secretariat can plan".
func checkReason(what, s string) error {
	return checkRequired("the reason", s, domain.MaxReasonLength, "give a reason for "+what)
}

// Problem is one thing wrong with a request, and the field of the request it concerns (a
// Field* key, or empty when it concerns the request as a whole), so that a form can show it
// beside that field. Problems travel to the caller inside a rejected update's error, which
// history never records; their JSON is still a contract between worker and client releases.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Field keys of Problem: the part of a request a problem concerns, named after the request's
// payload (a form names its own fields; the web app maps these keys onto them).
const (
	FieldVerdict      = "verdict"
	FieldSummary      = "summary"
	FieldSuggestions  = "suggestions"
	FieldParticipants = "participants"
	FieldReason       = "reason"
	FieldComment      = "text"
	FieldPlan         = "plan"
	FieldAreas        = "areas"
	FieldVisitDate    = "visit_date"
	FieldVisitNotes   = "notes"
	FieldNewDue       = "new_due"
	FieldPerson       = "person_id"
	FieldSeat         = "seat"
	FieldOverrides    = "overrides"
)

// FieldRating is the key of a standard's rating in a self-evaluation.
func FieldRating(standard string) string { return "standard." + standard + ".rating" }

// FieldNote is the key of the note on a standard in a self-evaluation.
func FieldNote(standard string) string { return "standard." + standard + ".note" }

// FieldIndicator is the key of an indicator's value in a self-evaluation.
func FieldIndicator(indicator string) string { return "indicator." + indicator }

// FieldAssessment is the key of a standard's assessment (met or not, and the text) in a report.
func FieldAssessment(standard string) string { return "standard." + standard + ".assessment" }

// RefusalType is the type of the application error by which a validator's *Refusal reaches
// the caller; its details are the []Problem.
const RefusalType = "Refusal"

// Refusal is a validator's refusal with every problem it found. Its message is the problems'
// messages joined, which is what a caller that reads only the message (the starter) prints.
type Refusal struct {
	Problems []Problem
}

func (r *Refusal) Error() string {
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// onField refuses with err as a problem of one field; nil stays nil.
func onField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &Refusal{Problems: []Problem{{Field: field, Message: err.Error()}}}
}

// refuseField refuses with one problem of one field.
func refuseField(field, format string, args ...any) error {
	return &Refusal{Problems: []Problem{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// refusing wraps an update validator so that a *Refusal reaches the caller with its problems:
// Temporal hands the caller a rejection as an application error, and only an application
// error's details carry more than a message. Other errors pass unchanged, as before.
func refusing[T any](validate func(workflow.Context, T) error) func(workflow.Context, T) error {
	return func(ctx workflow.Context, req T) error {
		err := validate(ctx, req)
		var r *Refusal
		if !errors.As(err, &r) {
			return err
		}
		return temporal.NewApplicationErrorWithOptions(err.Error(), RefusalType,
			temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{r.Problems}})
	}
}

// collect gathers the problems of a submission, so a person hears of all of them at once.
type collect []Problem

func (c *collect) add(field string, err error) {
	if err != nil {
		*c = append(*c, Problem{Field: field, Message: err.Error()})
	}
}

func (c *collect) addf(field, format string, args ...any) {
	*c = append(*c, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (c collect) err() error {
	if len(c) == 0 {
		return nil
	}
	return &Refusal{Problems: c}
}

// submissionSize is the size of a submission's texts as JSON strings (escapes included),
// plus a little per field: what the update's payload costs, computed without encoding it.
type submissionSize int

func (n *submissionSize) add(texts ...string) {
	for _, s := range texts {
		*n += submissionSize(jsonStringSize(s) + 8)
	}
}

func (n submissionSize) check(what string) error {
	if int(n) > domain.MaxSubmissionBytes {
		return fmt.Errorf("%s is %s as sent; the limit is %s: shorten the texts", what,
			domain.SizeInBytes(int64(n)), domain.SizeInBytes(domain.MaxSubmissionBytes))
	}
	return nil
}

// jsonStringSize is the length of s encoded as a JSON string by encoding/json: quotes,
// two-byte escapes, and six bytes for the characters it escapes as \uXXXX.
func jsonStringSize(s string) int {
	n := 2
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// excerpt shortens a text for a step note or an audit entry, which point to the stored
// submission for the whole of it.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// Lengths of the excerpts kept in step notes (carried in every status) and audit details.
const (
	noteExcerpt  = 200
	auditExcerpt = 500
)
