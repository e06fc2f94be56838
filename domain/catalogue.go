package domain

import (
	"encoding/json"
	"fmt"
	"strings"
)

// IndicatorKind is what an indicator measures, following the model text: the frame around the
// work (structure), the work itself (process), or what it achieved (result).
type IndicatorKind string

// The three kinds of indicator.
const (
	// Structure indicators describe frames and structures: organisation, resources,
	// competences, written guidelines.
	Structure IndicatorKind = "structure"
	// Process indicators describe concrete activities and processes in relation to the users.
	Process IndicatorKind = "process"
	// Result indicators describe the results of the work.
	Result IndicatorKind = "result"
)

// Valid reports whether k is one of the three kinds.
func (k IndicatorKind) Valid() bool { return k == Structure || k == Process || k == Result }

// LabelDA is the Danish term of the model text, e.g. "Strukturindikator".
func (k IndicatorKind) LabelDA() string {
	switch k {
	case Structure:
		return "Strukturindikator"
	case Process:
		return "Procesindikator"
	case Result:
		return "Resultatindikator"
	}
	return string(k)
}

// LabelEN is the English term, e.g. "Structure indicator".
func (k IndicatorKind) LabelEN() string {
	switch k {
	case Structure:
		return "Structure indicator"
	case Process:
		return "Process indicator"
	case Result:
		return "Result indicator"
	}
	return string(k)
}

// StandardKind says how a standard is assessed: qualitative standards set requirements on
// instructions, guidelines and procedures; quantitative ones set target values or thresholds.
type StandardKind string

// The two kinds of standard of the model text.
const (
	Qualitative  StandardKind = "qualitative"
	Quantitative StandardKind = "quantitative"
)

// Valid reports whether k is one of the two kinds.
func (k StandardKind) Valid() bool { return k == Qualitative || k == Quantitative }

// LabelDA is the Danish term, "Kvalitativ" or "Kvantitativ".
func (k StandardKind) LabelDA() string {
	switch k {
	case Qualitative:
		return "Kvalitativ"
	case Quantitative:
		return "Kvantitativ"
	}
	return string(k)
}

// LabelEN is the English term, "Qualitative" or "Quantitative".
func (k StandardKind) LabelEN() string {
	switch k {
	case Qualitative:
		return "Qualitative"
	case Quantitative:
		return "Quantitative"
	}
	return string(k)
}

// Text is a catalogue text in Danish (the model's language, shown by default) and English.
type Text struct {
	DA string `json:"da"`
	EN string `json:"en"`
}

// In returns the English text for "en" (any case, also "en-GB") and the Danish text otherwise,
// falling back to Danish when the English is missing.
func (t Text) In(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") && t.EN != "" {
		return t.EN
	}
	return t.DA
}

// Indicator is one measuring point of a standard: the data an institution records and the
// evaluators check.
type Indicator struct {
	// Code is the standard's code plus a number, e.g. "1.1.1".
	Code string        `json:"code"`
	Kind IndicatorKind `json:"kind"`
	Text Text          `json:"text"`
	// Target is the threshold of a quantitative indicator, e.g. ">= 90 %"; "" otherwise.
	Target string `json:"target"`
	// Retired indicators stay because recorded values refer to them, but are no longer
	// recorded.
	Retired bool `json:"retired"`
}

// Standard is one quality goal of the catalogue, with the parts the model's template
// requires: area, target group, purpose (the quality goal), guideline, and measurement and
// documentation requirements, plus its indicators.
type Standard struct {
	// Code is the theme's code plus a number, e.g. "1.1".
	Code string `json:"code"`
	// Theme is the code of the theme the standard belongs to.
	Theme         string       `json:"theme"`
	Title         Text         `json:"title"`
	Area          Text         `json:"area"`
	TargetGroup   Text         `json:"target_group"`
	Purpose       Text         `json:"purpose"`
	Guideline     Text         `json:"guideline"`
	Documentation Text         `json:"documentation"`
	Kind          StandardKind `json:"kind"`
	Indicators    []Indicator  `json:"indicators"`
	// Retired standards stay in the catalogue because recorded data refers to them, but are
	// no longer assessed.
	Retired bool `json:"retired"`
}

// Indicator finds one of the standard's indicators by code.
func (s Standard) Indicator(code string) (Indicator, bool) {
	for _, ind := range s.Indicators {
		if ind.Code == code {
			return ind, true
		}
	}
	return Indicator{}, false
}

// Theme groups standards on one subject, e.g. Ledelse (Management).
type Theme struct {
	// Code is the theme's number, e.g. "1".
	Code string `json:"code"`
	// Slug is a stable ASCII name for URLs and files, e.g. "management".
	Slug      string     `json:"slug"`
	Name      Text       `json:"name"`
	Standards []Standard `json:"standards"`
}

// Generation is one version of the catalogue. The model grows in generations: later ones add
// standards, and a standard with recorded data is never deleted, only retired. A cycle uses the
// generation in force when its self-evaluation opens.
//
// A generation is data: a YAML file (ParseGeneration, EncodeGeneration; the shipped ones are
// in catalogue/), imported into the domain store, and carried in workflow histories as JSON.
// The JSON names below are that contract: rename none of them.
type Generation struct {
	Number        int  `json:"number"`
	Name          Text `json:"name"`
	EffectiveFrom Date `json:"effective_from"`
	// Example marks a catalogue written for this project to show the model, not adopted by
	// the regions; Notice says so, in both languages, wherever the catalogue is shown.
	Example bool `json:"example"`
	// Notice is shown with the catalogue, e.g. that it is an example to be replaced.
	Notice Text `json:"notice"`
	// Scale labels the four points of the self-evaluation's rating scale (Rating 1-4).
	Scale  []ScaleLevel `json:"scale"`
	Themes []Theme      `json:"themes"`
}

// ScaleLevel is one point of the rating scale and its label.
type ScaleLevel struct {
	Level Rating `json:"level"`
	Label Text   `json:"label"`
}

// ScaleLabel is the generation's label for a rating.
func (g Generation) ScaleLabel(r Rating) (Text, bool) {
	for _, l := range g.Scale {
		if l.Level == r {
			return l.Label, true
		}
	}
	return Text{}, false
}

// ActiveIndicators lists the indicators that are recorded: all but the retired ones.
func (s Standard) ActiveIndicators() []Indicator {
	var out []Indicator
	for _, ind := range s.Indicators {
		if !ind.Retired {
			out = append(out, ind)
		}
	}
	return out
}

// Standards lists every standard of the generation, retired ones included, in theme order.
func (g Generation) Standards() []Standard {
	var out []Standard
	for _, t := range g.Themes {
		out = append(out, t.Standards...)
	}
	return out
}

// ActiveStandards lists the standards that are assessed: all but the retired ones, in theme order.
func (g Generation) ActiveStandards() []Standard {
	var out []Standard
	for _, s := range g.Standards() {
		if !s.Retired {
			out = append(out, s)
		}
	}
	return out
}

// Standard finds a standard by code, e.g. "3.1".
func (g Generation) Standard(code string) (Standard, bool) {
	for _, t := range g.Themes {
		for _, s := range t.Standards {
			if s.Code == code {
				return s, true
			}
		}
	}
	return Standard{}, false
}

// Theme finds a theme by code ("2") or slug ("working-environment").
func (g Generation) Theme(codeOrSlug string) (Theme, bool) {
	for _, t := range g.Themes {
		if t.Code == codeOrSlug || t.Slug == codeOrSlug {
			return t, true
		}
	}
	return Theme{}, false
}

// Limits of a catalogue generation. A generation travels whole in workflow histories (the
// activity that loads it returns it), so the whole is capped like a submission, far below
// Temporal's 2 MB payload limit.
const (
	// MaxGenerationBytes caps a generation as JSON.
	MaxGenerationBytes = 512 << 10
	// MaxCatalogueTextLength limits one catalogue text in one language: a purpose, a
	// guideline, documentation requirements, an indicator, the notice.
	MaxCatalogueTextLength = 10_000
)

// placeholderWords are signs of unfinished catalogue text.
var placeholderWords = []string{"lorem", "ipsum", "todo", "fixme", "tbd", "xxx"}

// addLine records one problem, prefixed "line N: " when the line is known.
func (e *ValidationError) addLine(line int, format string, args ...any) {
	if line > 0 {
		format = "line %d: " + format
		args = append([]any{line}, args...)
	}
	e.addf(format, args...)
}

// checkText records missing, placeholder, malformed or too long text in either language.
func checkText(v *ValidationError, line int, where string, t Text, limit int) {
	for _, lang := range []struct{ name, text string }{{"Danish", t.DA}, {"English", t.EN}} {
		text := strings.TrimSpace(lang.text)
		if text == "" {
			v.addLine(line, "%s has no %s text: write it", where, lang.name)
			continue
		}
		if err := CheckText(fmt.Sprintf("the %s text of %s", lang.name, where), lang.text, limit); err != nil {
			v.addLine(line, "%v", err)
			continue
		}
		lower := strings.ToLower(text)
		for _, w := range placeholderWords {
			if strings.Contains(lower, w) {
				v.addLine(line, "%s has placeholder %s text (%q): write the real text", where, lang.name, w)
				break
			}
		}
	}
}

// isSlug reports whether s is lower-case ASCII letters and digits separated by single dashes.
func isSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// checkCode records a code that cannot serve as a key in the files people submit: codes are
// ASCII letters, digits, '.', '-' and '_', at most MaxIDLength long.
func checkCode(v *ValidationError, line int, where, code string) {
	if len(code) > MaxIDLength {
		v.addLine(line, "%s has a code of %d characters; the limit is %d", where, len(code), MaxIDLength)
		return
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			v.addLine(line, "%s has code %q: use ASCII letters, digits, '.', '-' and '_', e.g. \"2.1\"", where, code)
			return
		}
	}
}

// Validate lists every problem that would make the generation unusable or inconsistent:
// missing or duplicate codes, codes that do not follow their theme and standard, missing text
// in either language, placeholder text, unknown kinds, a rating scale other than the four
// levels 1-4 with labels, an example without its notice, active standards without an active
// structure indicator or without a process or result indicator, quantitative standards
// without a target (or qualitative ones with one), and a generation too large to carry.
func (g Generation) Validate() error {
	v := &ValidationError{What: fmt.Sprintf("catalogue generation %d", g.Number)}
	g.validate(v, nil)
	return v.err()
}

// validate records the generation's problems in v; at says where each part was written (nil
// when the generation was not read from a file).
func (g Generation) validate(v *ValidationError, at *sourceLines) {
	top := at.top()
	if g.Number < 1 {
		v.addLine(top.at("number"), "the generation number is %d: number generations from 1", g.Number)
	}
	checkText(v, top.at("name"), "the generation's name", g.Name, MaxNameLength)
	if !g.EffectiveFrom.Valid() && !at.dateWasReported() {
		v.addLine(top.at("effective_from"), "the effective-from date (%s) is missing or not a calendar day: give the date the generation takes effect", g.EffectiveFrom)
	}
	switch {
	case g.Example && g.Notice.DA == "" && g.Notice.EN == "":
		v.addLine(top.at("example"), "the generation is marked as an example but has no notice: say, in Danish and English, "+
			"that its standards, indicators and scale labels are an example to be replaced by the regions' own catalogue")
	case g.Example || g.Notice.DA != "" || g.Notice.EN != "":
		checkText(v, top.at("notice"), "the notice", g.Notice, MaxCatalogueTextLength)
	}
	validateScale(v, at, g.Scale)
	if len(g.Themes) == 0 {
		v.addLine(top.at("themes"), "it has no themes: a generation needs at least one theme with one standard")
	}
	themeCodes, slugs := map[string]bool{}, map[string]bool{}
	standardCodes, indicatorCodes := map[string]bool{}, map[string]bool{}
	active := 0
	for ti, t := range g.Themes {
		tl := at.theme(ti)
		where := fmt.Sprintf("theme %s", t.Code)
		switch {
		case t.Code == "":
			where = fmt.Sprintf("theme number %d", ti+1)
			v.addLine(tl.at("code"), "%s has no code: give it its number, e.g. \"%d\"", where, ti+1)
		case themeCodes[t.Code]:
			v.addLine(tl.at("code"), "theme code %s is used twice: give each theme its own code", t.Code)
		default:
			checkCode(v, tl.at("code"), where, t.Code)
		}
		themeCodes[t.Code] = true
		switch {
		case !isSlug(t.Slug) || len(t.Slug) > MaxIDLength:
			v.addLine(tl.at("slug"), "%s has slug %q: use lower-case ASCII words joined by dashes, at most %d characters, e.g. \"working-environment\"", where, t.Slug, MaxIDLength)
		case slugs[t.Slug]:
			v.addLine(tl.at("slug"), "slug %q is used twice: give each theme its own slug", t.Slug)
		}
		slugs[t.Slug] = true
		checkText(v, tl.at("name"), where+"'s name", t.Name, MaxNameLength)
		if len(t.Standards) == 0 {
			v.addLine(tl.line, "%s has no standards: give it at least one", where)
		}
		for si, s := range t.Standards {
			validateStandard(v, at, t, ti, si, s, standardCodes, indicatorCodes)
			if !s.Retired {
				active++
			}
		}
	}
	if len(g.Themes) > 0 && active == 0 {
		v.addLine(top.at("standards"), "every standard is retired: a generation needs at least one standard that is assessed")
	}
	if data, err := json.Marshal(g); err == nil && len(data) > MaxGenerationBytes {
		v.addf("the generation is %s as JSON; the limit is %s: shorten its texts or split the catalogue",
			SizeInBytes(int64(len(data))), SizeInBytes(MaxGenerationBytes))
	}
}

// validateScale checks that the scale has exactly the levels 1, 2, 3 and 4, in order, each
// labelled in both languages: the workflows accept ratings 1-4 only.
func validateScale(v *ValidationError, at *sourceLines, scale []ScaleLevel) {
	const fix = "the workflows accept ratings 1 to 4 only, so the scale has exactly the levels 1, 2, 3 and 4, in that order"
	if len(scale) == 0 {
		v.addLine(at.top().at("scale"), "it has no rating scale: give the levels 1 (met) to 4 (not met), each with a Danish and an English label")
		return
	}
	seen := map[Rating]bool{}
	last := Rating(0)
	for i, l := range scale {
		ll := at.scaleLevel(i)
		switch {
		case !l.Level.Valid():
			v.addLine(ll.at("level"), "scale level %d is not on the scale: %s", int(l.Level), fix)
		case seen[l.Level]:
			v.addLine(ll.at("level"), "scale level %d is given twice: %s", int(l.Level), fix)
		case l.Level < last:
			v.addLine(ll.at("level"), "scale level %d comes after level %d: %s", int(l.Level), int(last), fix)
		}
		seen[l.Level] = true
		last = max(last, l.Level)
		checkText(v, ll.at("label"), fmt.Sprintf("the label of scale level %d", int(l.Level)), l.Label, MaxNameLength)
	}
	for _, r := range Ratings() {
		if !seen[r] {
			v.addLine(at.top().at("scale"), "scale level %d is missing: %s", int(r), fix)
		}
	}
}

// validateStandard checks one standard of theme t and its indicators.
func validateStandard(v *ValidationError, at *sourceLines, t Theme, ti, si int, s Standard, standardCodes, indicatorCodes map[string]bool) {
	sl := at.standard(ti, si)
	where := "standard " + s.Code
	switch {
	case s.Code == "":
		where = fmt.Sprintf("standard number %d of theme %s", si+1, t.Code)
		v.addLine(sl.at("code"), "%s has no code: give it e.g. \"%s.%d\"", where, t.Code, si+1)
	case standardCodes[s.Code]:
		v.addLine(sl.at("code"), "standard code %s is used twice: give each standard its own code", s.Code)
	case !strings.HasPrefix(s.Code, t.Code+"."):
		v.addLine(sl.at("code"), "%s is listed under theme %s, so its code must start with \"%s.\"", where, t.Code, t.Code)
	default:
		checkCode(v, sl.at("code"), where, s.Code)
	}
	standardCodes[s.Code] = true
	if s.Theme != t.Code {
		v.addLine(sl.at("theme"), "%s names theme %q but is listed under theme %s (number %d): make them agree", where, s.Theme, t.Code, ti+1)
	}
	for _, part := range []struct {
		name, key string
		text      Text
		limit     int
	}{
		{"title", "title", s.Title, MaxNameLength}, {"area", "area", s.Area, MaxNameLength},
		{"target group", "target_group", s.TargetGroup, MaxNameLength},
		{"purpose", "purpose", s.Purpose, MaxCatalogueTextLength},
		{"guideline", "guideline", s.Guideline, MaxCatalogueTextLength},
		{"documentation requirements", "documentation", s.Documentation, MaxCatalogueTextLength},
	} {
		checkText(v, sl.at(part.key), where+"'s "+part.name, part.text, part.limit)
	}
	if !s.Kind.Valid() {
		v.addLine(sl.at("kind"), "%s has kind %q: use %q or %q", where, s.Kind, Qualitative, Quantitative)
	}
	if len(s.Indicators) == 0 {
		v.addLine(sl.at("indicators"), "%s has no indicators: give it at least one structure indicator and one process or result indicator", where)
		return
	}
	var structure, processOrResult, target bool
	for ii, ind := range s.Indicators {
		il := at.indicator(ti, si, ii)
		iwhere := "indicator " + ind.Code
		switch {
		case ind.Code == "":
			iwhere = fmt.Sprintf("indicator number %d of %s", ii+1, where)
			v.addLine(il.at("code"), "%s has no code: give it e.g. \"%s.%d\"", iwhere, s.Code, ii+1)
		case indicatorCodes[ind.Code]:
			v.addLine(il.at("code"), "indicator code %s is used twice: give each indicator its own code", ind.Code)
		case !strings.HasPrefix(ind.Code, s.Code+"."):
			v.addLine(il.at("code"), "%s belongs to %s, so its code must start with \"%s.\"", iwhere, where, s.Code)
		default:
			checkCode(v, il.at("code"), iwhere, ind.Code)
		}
		indicatorCodes[ind.Code] = true
		switch ind.Kind {
		case Structure:
			structure = structure || !ind.Retired
		case Process, Result:
			processOrResult = processOrResult || !ind.Retired
		default:
			v.addLine(il.at("kind"), "%s has kind %q: use %q, %q or %q", iwhere, ind.Kind, Structure, Process, Result)
		}
		checkText(v, il.at("text"), iwhere, ind.Text, MaxCatalogueTextLength)
		if strings.TrimSpace(ind.Target) != "" {
			target = target || !ind.Retired
			if err := CheckText("the target of "+iwhere, ind.Target, MaxNameLength); err != nil {
				v.addLine(il.at("target"), "%v", err)
			}
			if s.Kind == Qualitative {
				v.addLine(il.at("target"), "%s has target %q but %s is qualitative: remove the target or make the standard quantitative", iwhere, ind.Target, where)
			}
		}
	}
	if s.Retired {
		// A retired standard is no longer assessed: what it measured is history.
		return
	}
	if !structure {
		v.addLine(sl.at("indicators"), "%s has no structure indicator: add one for its frames (written guidelines, plans, organisation)", where)
	}
	if !processOrResult {
		v.addLine(sl.at("indicators"), "%s has no process or result indicator: add one for what is done or achieved", where)
	}
	if s.Kind == Quantitative && !target {
		v.addLine(sl.at("indicators"), "%s is quantitative but no indicator has a target: give one, e.g. \">= 90 %%\", or make the standard qualitative", where)
	}
}

// Catalogue lists every generation shipped with the service (the files in catalogue/, read
// once), oldest first: the default the domain store is seeded with. The regions' own
// generations are imported into the store and read from there. Each call returns fresh
// copies, so callers may modify what they get.
func Catalogue() []Generation {
	out := make([]Generation, len(shipped))
	for i, g := range shipped {
		out[i] = g.Clone()
	}
	return out
}

// FirstGeneration is the shipped first generation (catalogue/generation-1.yaml): six themes
// (Ledelse, Arbejdsmiljø, Kompetenceudvikling, Brugerinddragelse, Individuelle handleplaner,
// Kommunikation), one standard each, for all target groups, in force from 1 January 2009. The
// model's documents give the themes and the standard template, not the standards' wording:
// its standards, indicators and scale labels are an example written for this project, and it
// says so (Example, Notice).
func FirstGeneration() Generation {
	for _, g := range shipped {
		if g.Number == 1 {
			return g.Clone()
		}
	}
	panic("domain: the shipped catalogue has no generation 1")
}
