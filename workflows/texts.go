package workflows

import (
	"fmt"
	"strings"
	"unicode/utf8"

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

// collect gathers the problems of a submission, so a person hears of all of them at once.
type collect []string

func (c *collect) add(err error) {
	if err != nil {
		*c = append(*c, err.Error())
	}
}

func (c *collect) addf(format string, args ...any) { *c = append(*c, fmt.Sprintf(format, args...)) }

func (c collect) err() error {
	if len(c) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(c, "; "))
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
