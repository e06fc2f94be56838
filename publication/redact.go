package publication

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/kvalitetsmodel/accredit/store"
)

// Omitted replaces whatever a Redactor takes out of a text.
const Omitted = "[udeladt]"

var (
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.\p{L}{2,}`)
	// cprPattern is a Danish civil registration number: six digits of birth date, then four,
	// with or without the hyphen.
	cprPattern = regexp.MustCompile(`\b[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}\b`)
)

// Redactor takes out of a free text what must never be published even when someone wrote
// it there: the full name, e-mail address and ID of every person in the registry, any other
// e-mail address, and anything shaped like a CPR number. Names match as whole words in any
// case and with any punctuation or spacing between their words ("simon  bruun", "Bruun,
// Simon" does not). A first name alone, and the names of users and relatives (who are not in
// the registry), cannot be recognised: the published record is composed without them, and
// this is the second line.
type Redactor struct {
	// terms maps a term's first word (lower case) to the terms, as word lists, starting with it.
	terms map[string][][]string
}

// NewRedactor makes a Redactor for the given names, e-mail addresses and IDs.
func NewRedactor(terms ...string) *Redactor {
	r := &Redactor{terms: map[string][][]string{}}
	for _, t := range terms {
		words := wordsOf(t)
		if len(words) == 0 {
			continue
		}
		list := make([]string, len(words))
		for i, w := range words {
			list[i] = strings.ToLower(t[w[0]:w[1]])
		}
		if !slices.ContainsFunc(r.terms[list[0]], func(have []string) bool { return slices.Equal(have, list) }) {
			r.terms[list[0]] = append(r.terms[list[0]], list)
		}
	}
	// The longest term first, so "Anne Marie Holm" wins over "Anne Marie".
	for k := range r.terms {
		slices.SortFunc(r.terms[k], func(a, b []string) int { return len(b) - len(a) })
	}
	return r
}

// PeopleRedactor makes a Redactor for every person of the registry: name, e-mail, ID and
// Slack user ID.
func PeopleRedactor(people []store.Person) *Redactor {
	var terms []string
	for _, p := range people {
		terms = append(terms, p.Name, p.Email, p.ID, p.SlackUserID)
	}
	return NewRedactor(terms...)
}

// wordsOf finds the words of s (runs of letters and digits) as byte ranges.
func wordsOf(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, c := range s {
		word := unicode.IsLetter(c) || unicode.IsDigit(c)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// Text returns s with every match replaced by Omitted.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	s = emailPattern.ReplaceAllString(s, Omitted)
	s = cprPattern.ReplaceAllString(s, Omitted)
	if r == nil || len(r.terms) == 0 {
		return s
	}
	words := wordsOf(s)
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(s[w[0]:w[1]])
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); i++ {
		n := r.match(lower[i:])
		if n == 0 {
			continue
		}
		b.WriteString(s[last:words[i][0]])
		b.WriteString(Omitted)
		last = words[i+n-1][1]
		i += n - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// match is the number of words of the longest term that words starts with; 0 for none.
func (r *Redactor) match(words []string) int {
	for _, term := range r.terms[words[0]] {
		if len(term) <= len(words) && slices.Equal(term, words[:len(term)]) {
			return len(term)
		}
	}
	return 0
}

// Record returns rec with every free text redacted: the summary, the suggestions, each
// assessment, the institution's comments and the reason of a correction.
func (r *Redactor) Record(rec store.PublishedRecord) store.PublishedRecord {
	rec.Summary = r.Text(rec.Summary)
	rec.Suggestions = r.Text(rec.Suggestions)
	rec.Correction = r.Text(rec.Correction)
	themes := make([]store.PublishedTheme, len(rec.Themes))
	for i, t := range rec.Themes {
		t.Standards = slices.Clone(t.Standards)
		for j := range t.Standards {
			t.Standards[j].Assessment = r.Text(t.Standards[j].Assessment)
		}
		themes[i] = t
	}
	if rec.Themes != nil {
		rec.Themes = themes
	}
	comments := make([]store.PublishedComment, len(rec.Comments))
	for i, c := range rec.Comments {
		c.Text = r.Text(c.Text)
		comments[i] = c
	}
	if rec.Comments != nil {
		rec.Comments = comments
	}
	return rec
}
