package registry

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
)

// RowError is one problem in one row of a registry file. A row may have several; each is
// reported on its own. Problems with the header are reported on line 1.
type RowError struct {
	// Line is the 1-based line in the file where the row starts; the header is line 1.
	Line int
	// Column is the header name of the offending column, empty when the problem is the row as
	// a whole (e.g. a wrong number of fields).
	Column string
	// Reason says what is wrong and how to fix it.
	Reason string
}

// Error reads like `line 7, column region: unknown region "jylland": use one of ...`.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// ImportError is returned by ImportInstitutions and ImportPeople when a file has bad rows (or a
// bad header). Nothing from the file was written.
type ImportError struct {
	// File is the path of the file as it was given.
	File string
	// Rows holds every problem found, in file order.
	Rows []RowError
}

// Error is a summary line followed by one line per problem.
func (e *ImportError) Error() string {
	lines := map[int]bool{}
	for _, r := range e.Rows {
		lines[r.Line] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bad row(s), nothing was imported", e.File, len(lines))
	for _, r := range e.Rows {
		b.WriteString("\n  ")
		b.WriteString(r.Error())
	}
	return b.String()
}

// rowErrors is how the Parse functions return problems with the header or the CSV syntax:
// an error that still carries line and column. errors.As(err, &RowError{}) finds the first.
type rowErrors []RowError

func (e rowErrors) Error() string {
	msgs := make([]string, len(e))
	for i, r := range e {
		msgs[i] = r.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e rowErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, r := range e {
		out[i] = r
	}
	return out
}

// column is one column of a file format.
type column struct {
	name string
	// required columns must be in the header; optional ones may be left out and read as empty.
	required bool
	// max is the most characters a field of the column may hold (a limit of domain/limits.go),
	// so that no registry text can grow a workflow payload or an error message without bound.
	max int
}

// The limits of the columns that are not names, addresses or e-mail addresses. Short codes
// (a region, a role, a legal basis, a number, a postcode) fit in an ID's length; a list of
// target groups, trainings, conflicts or employments may be long, but not unbounded.
const (
	codeLimit = domain.MaxIDLength
	listLimit = domain.MaxReasonLength
)

// table is a parsed CSV file: the header's column positions and the data rows.
type table struct {
	index map[string]int
	rows  []row
}

// row is one data row; get reads a field by column name.
type row struct {
	line   int
	fields []string
	index  map[string]int
}

// get returns the trimmed field of the named column, or "" when the header leaves it out.
func (r row) get(name string) string {
	i, ok := r.index[name]
	if !ok {
		return ""
	}
	return r.fields[i]
}

// problems collects the RowErrors of one row.
type problems struct {
	line int
	list []RowError
}

func (p *problems) addf(col, format string, args ...any) {
	p.list = append(p.list, RowError{Line: p.line, Column: col, Reason: fmt.Sprintf(format, args...)})
}

// readTable reads a CSV file in the given format. It returns the rows that have the right
// number of fields, RowErrors for the rows that do not (or that are not UTF-8), and an error
// for I/O failures and for a bad header or malformed CSV (as rowErrors when the line is known).
// Blank lines, and lines whose fields are all blank, are skipped; fields are trimmed.
func readTable(r io.Reader, columns []column) (*table, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, so one short row does not stop the whole file

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, rowErrors{{Line: 1, Reason: "the file is empty: the first line must be the header " + columnList(columns)}}
	}
	if err != nil {
		return nil, nil, csvError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	index, herrs := readHeader(header, headerLine, columns)
	if len(herrs) > 0 {
		return nil, nil, herrs
	}

	// Every header column is known by now: name and limit of each field by its position.
	names, limits := make([]string, len(header)), make([]int, len(header))
	for _, c := range columns {
		if i, ok := index[c.name]; ok {
			names[i], limits[i] = c.name, c.max
		}
	}

	t := &table{index: index}
	var bad []RowError
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if blank(fields) {
			continue
		}
		if len(fields) != len(header) {
			bad = append(bad, RowError{Line: line, Reason: fmt.Sprintf(
				"the row has %d fields but the header has %d: check for a missing or extra comma, and quote fields that contain commas",
				len(fields), len(header))})
			continue
		}
		ok := true
		for i, f := range fields {
			fields[i] = strings.TrimSpace(f)
			if reason := checkField(names[i], fields[i], limits[i]); reason != "" {
				bad = append(bad, RowError{Line: line, Column: names[i], Reason: reason})
				ok = false
			}
		}
		if ok {
			t.rows = append(t.rows, row{line: line, fields: fields, index: index})
		}
	}
	return t, bad, nil
}

// checkField says what is wrong with the text of one field, or "" when it is kept as written:
// a file that is not UTF-8 is named as such (spreadsheets offer "CSV UTF-8"), and everything
// else is domain.CheckText's verdict: no control characters (a NUL would cut the text short),
// and no more than max characters.
func checkField(name, value string, max int) string {
	if !utf8.ValidString(value) {
		return name + " is not valid UTF-8 text: save the file as \"CSV UTF-8\""
	}
	if err := domain.CheckText(name, value, max); err != nil {
		return err.Error()
	}
	return ""
}

// readHeader maps column names to positions and reports every problem with the header.
func readHeader(header []string, line int, columns []column) (map[string]int, rowErrors) {
	var errs rowErrors
	bad := func(col, format string, args ...any) {
		errs = append(errs, RowError{Line: line, Column: col, Reason: fmt.Sprintf(format, args...)})
	}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		bad("", "the header has no commas but semicolons: save the file as comma-separated \"CSV UTF-8\", with the columns %s", columnList(columns))
		return nil, errs
	}
	known := map[string]bool{}
	for _, c := range columns {
		known[c.name] = true
	}
	index := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // the byte order mark Excel writes
		}
		if !utf8.ValidString(h) {
			bad("", "header column %d is not valid UTF-8: save the file as \"CSV UTF-8\"", i+1)
			continue
		}
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			bad("", "header column %d has no name: remove the empty column or name it; the columns are %s", i+1, columnList(columns))
		case !known[name]:
			bad(shorten(name), "unknown column %q: the columns are %s", shorten(strings.TrimSpace(h)), columnList(columns))
		default:
			if _, dup := index[name]; dup {
				bad(name, "column %s appears twice in the header", name)
				continue
			}
			index[name] = i
		}
	}
	for _, c := range columns {
		if _, ok := index[c.name]; c.required && !ok {
			bad(c.name, "required column %s is missing from the header (line 1): the columns are %s", c.name, columnList(columns))
		}
	}
	return index, errs
}

// csvError turns a CSV syntax error into a RowError with its line.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	reason := "malformed CSV: " + pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason += ": a field that contains a quote must be quoted, and the quote doubled (\"\")"
	case errors.Is(pe.Err, csv.ErrQuote):
		reason += ": a quoted field is not closed, or has text after its closing quote"
	}
	return rowErrors{{Line: pe.Line, Reason: reason}}
}

// blank reports whether every field is empty or white space.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func columnList(columns []column) string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return strings.Join(names, ",")
}

// splitList splits a ';'-separated field into trimmed, non-empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// checkID says what is wrong with an external ID, or "" when it is fine.
func checkID(id string) string {
	if id == "" {
		return "id is empty: every row needs an external ID, e.g. H-01"
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Sprintf("id %q may only contain the letters A-Z and a-z, digits, '.', '_' and '-'", id)
		}
	}
	return ""
}

// ids checks that external IDs are unique in a file, also when upper and lower case are
// ignored (two IDs that differ only in case are a typo waiting to happen).
type ids map[string]idSeen

type idSeen struct {
	id   string
	line int
}

// add records id on line and says what is wrong, or "" when it is new.
func (s ids) add(id string, line int) string {
	key := strings.ToLower(id)
	if prev, ok := s[key]; ok {
		if prev.id == id {
			return fmt.Sprintf("duplicate id %q: it is already used on line %d", id, prev.line)
		}
		return fmt.Sprintf("id %q differs from %q on line %d only in upper/lower case: use one spelling for one row", id, prev.id, prev.line)
	}
	s[key] = idSeen{id: id, line: line}
	return ""
}

// checkEmail says what is wrong with an e-mail address, or "" when it is fine.
func checkEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return fmt.Sprintf("email %q must contain exactly one @ with text on both sides, e.g. navn@rm.dk", email)
	}
	if strings.ContainsFunc(email, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' || r == '<' || r == '>' }) {
		return fmt.Sprintf("email %q must be one plain address, without spaces, commas, semicolons or <>", email)
	}
	return ""
}

// unknownInstitution explains a reference to an institution that is not in the store; fold
// maps lower-cased known IDs to their spelling, for a "did you mean" hint.
func unknownInstitution(id string, fold map[string]string) string {
	msg := fmt.Sprintf("unknown institution %q: it must be an id in the registry; import institutions.csv first", id)
	if k, ok := fold[strings.ToLower(id)]; ok {
		msg += fmt.Sprintf(" (did you mean %q? ids are case-sensitive)", k)
	}
	return msg
}

// shorten cuts a text that is echoed in a message (an unknown header, say) to a length a
// person can read, so a malformed file cannot make the message as large as itself.
func shorten(s string) string {
	const keep = 40
	if utf8.RuneCountInString(s) <= keep {
		return s
	}
	return string([]rune(s)[:keep]) + "…"
}
