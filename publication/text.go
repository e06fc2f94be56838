// Package publication turns what was published into what the public and the regions read
// (issue 12): comparisons of institutions of the same target group, per region and
// nationally, from the self-evaluations and verdicts of published cycles only; charts made
// on the server as SVG, each with a table beside it for screen readers; and the annual
// report per region and national (cycles completed, verdicts, steps overdue and by how long,
// indicator results, the trend against the year before), as HTML, CSV and PDF.
//
// The models are built by pure functions from store rows (tested without a database);
// Load* functions read those rows through Source, which *store.Store satisfies. Nothing
// here reads a person: no names, no notes, no payloads. Free texts of published records go
// through a Redactor before they are shown.
package publication

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Lang is the language of a page or report: Danish (the model's language, the default) or
// English.
type Lang string

// The two languages.
const (
	Danish  Lang = "da"
	English Lang = "en"
)

// ParseLang reads a language tag: anything starting with "en" (any case, "en-GB") is English,
// everything else Danish.
func ParseLang(s string) Lang {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "en") {
		return English
	}
	return Danish
}

// Pick returns da or en for the language.
func (l Lang) Pick(da, en string) string {
	if l == English {
		return en
	}
	return da
}

// Text is a catalogue text in the language, falling back to Danish.
func (l Lang) Text(t domain.Text) string { return t.In(string(l)) }

// Region is a region's name: the Danish name, or the official English one.
func (l Lang) Region(r domain.Region) string {
	if l != English {
		return r.Name()
	}
	switch r {
	case domain.Hovedstaden:
		return "Capital Region of Denmark"
	case domain.Sjaelland:
		return "Region Zealand"
	case domain.Syddanmark:
		return "Region of Southern Denmark"
	case domain.Midtjylland:
		return "Central Denmark Region"
	case domain.Nordjylland:
		return "North Denmark Region"
	}
	return string(r)
}

// Scope names a region, or the whole country for the empty region.
func (l Lang) Scope(r domain.Region) string {
	if r == "" {
		return l.Pick("Hele landet", "All of Denmark")
	}
	return l.Region(r)
}

// TargetGroup is a target group's name; the empty group is all of them.
func (l Lang) TargetGroup(g domain.TargetGroup) string {
	if g == "" {
		return l.Pick("Alle målgrupper", "All target groups")
	}
	return l.Pick(g.NameDA(), g.NameEN())
}

// Verdict is a verdict's label.
func (l Lang) Verdict(v int) string {
	return l.Pick(domain.Verdict(v).LabelDA(), domain.Verdict(v).LabelEN())
}

// VerdictShort is a verdict's short label, for legends and table headers.
func (l Lang) VerdictShort(v int) string {
	switch v {
	case 1:
		return l.Pick("1: Opfyldt", "1: Meets")
	case 2:
		return l.Pick("2: Enkelte områder", "2: Some areas")
	case 3:
		return l.Pick("3: Væsentlige områder", "3: Important areas")
	}
	return strconv.Itoa(v)
}

// Rating is a self-evaluation rating's label.
func (l Lang) Rating(r int) string {
	return l.Pick(domain.Rating(r).LabelDA(), domain.Rating(r).LabelEN())
}

// municipalityNames maps a municipality's stored code to its name.
var municipalityNames = func() map[string]string {
	out := map[string]string{}
	for _, m := range domain.Municipalities() {
		out[m.Code()] = m.Name
	}
	return out
}()

// Municipality is a municipality's name from its stored code ("" for none).
func (l Lang) Municipality(code string) string {
	if name, ok := municipalityNames[code]; ok {
		return name
	}
	if m, err := domain.ParseMunicipality(code); err == nil {
		return m.Name
	}
	return code
}

// StepKind is the name of a kind of step (the first part of its key).
func (l Lang) StepKind(kind string) string {
	names := map[string][2]string{
		"self-evaluation":   {"Selvevaluering", "Self-evaluation"},
		"invitation":        {"Svar på invitation til team", "Answer to a team invitation"},
		"manual-assignment": {"Manuel tildeling af team", "Team assigned by hand"},
		"visit-date":        {"Aftale om besøgsdato", "Agreeing the visit date"},
		"visit":             {"Registrering af besøg", "Recording the visit"},
		"report":            {"Rapport", "Report"},
		"hearing":           {"Høring", "Hearing"},
		"revisit-date":      {"Aftale om genbesøgsdato", "Agreeing the revisit date"},
		"revisit":           {"Registrering af genbesøg", "Recording the revisit"},
		"revisit-report":    {"Genbesøgsrapport", "Revisit report"},
		"verdict-decision":  {"Sekretariatets afgørelse", "Secretariat's decision"},
		"action-plan":       {"Handleplan", "Action plan"},
		"appeal-window":     {"Klagefrist", "Appeal window"},
		"appeal-decision":   {"Afgørelse af klage", "Appeal decision"},
	}
	if n, ok := names[kind]; ok {
		return l.Pick(n[0], n[1])
	}
	return kind
}

// Date writes a date as people read it: "1. marts 2030" or "1 March 2030".
func (l Lang) Date(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	if l == English {
		return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
	}
	months := [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
		"oktober", "november", "december"}
	return fmt.Sprintf("%d. %s %d", d.Day, months[d.Month-1], d.Year)
}

// Number writes a number with at most one decimal, with a decimal comma in Danish.
func (l Lang) Number(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
	if l != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Percent writes part of total as a whole percentage ("42 %" / "42%"); "–" for no total.
func (l Lang) Percent(part, total int) string {
	if total == 0 {
		return "–"
	}
	p := strconv.Itoa(int(math.Round(100 * float64(part) / float64(total))))
	return l.Pick(p+" %", p+"%")
}
