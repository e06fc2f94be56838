package domain

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Every text a person writes has a limit, stated the same way by the registry import, the
// starter, the web forms and the workflows' update validators. The limits keep every
// workflow payload far below Temporal's 2 MB blob limit (a whole submission is capped at
// MaxSubmissionBytes), and they are generous for what each text is for. Limits count
// characters (runes), not bytes, because that is what a person sees.
const (
	// MaxIDLength limits registry IDs (institutions, people) and Slack user IDs.
	MaxIDLength = 64
	// MaxNameLength limits names: people, institutions, operators, cities, participants.
	MaxNameLength = 200
	// MaxAddressLength limits a postal address line.
	MaxAddressLength = 300
	// MaxEmailLength is RFC 5321's limit on an address.
	MaxEmailLength = 254
	// MaxReasonLength limits the reason given for a decline, a hand assignment, an extension,
	// a waiver or a cancellation.
	MaxReasonLength = 2_000
	// MaxIndicatorValueLength limits one recorded indicator value ("92 %", "ja", a sentence).
	MaxIndicatorValueLength = 1_000
	// MaxNoteLength limits the self-evaluation's note on one standard and the visit notes.
	MaxNoteLength = 10_000
	// MaxAssessmentLength limits the team's assessment of one standard.
	MaxAssessmentLength = 10_000
	// MaxReportTextLength limits a report's summary and its suggestions.
	MaxReportTextLength = 20_000
	// MaxStatementLength limits the institution's comment in the hearing, the grounds of an
	// appeal, a decision's reasons and an action plan.
	MaxStatementLength = 50_000
	// MaxParticipants limits the people named as taking part in a self-evaluation.
	MaxParticipants = 100
	// MaxSubmissionBytes caps a whole submission as the workflow receives it (JSON), so no
	// catalogue however large lets one approach Temporal's limits.
	MaxSubmissionBytes = 512 << 10
	// MaxInputFileBytes caps a JSON or CSV file the starter or the web app reads before it
	// parses it: larger files are refused with their size, not read.
	MaxInputFileBytes = 4 << 20
)

// CheckText reports what is wrong with a text a person wrote for field (named as the person
// would name it, e.g. "the note on standard 2.1"): not UTF-8, a control character other than
// tab and line breaks (a NUL would silently cut the text short in some stores), or longer
// than max characters. It returns nil for a text that is kept exactly as written.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 text: save the file as UTF-8", field)
	}
	n := 0
	for i, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fmt.Errorf("%s contains the control character %U at byte %d: remove it", field, r, i)
		}
		n++
	}
	if n > max {
		return fmt.Errorf("%s is %s characters long; the limit is %s", field, Thousands(n), Thousands(max))
	}
	return nil
}

// Thousands formats n with thousands separators, as limits are stated to people: 50,000.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// SizeInBytes states a byte count as people read it: 512 KiB, 4 MiB, 1.1 MB.
func SizeInBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
