package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestShippedFirstGenerationIsTheOldLiteral: converting the first generation from Go to
// catalogue/generation-1.yaml changed no code, kind, target or text; what the file adds is
// that it is an example, its notice, and the rating scale's labels.
func TestShippedFirstGenerationIsTheOldLiteral(t *testing.T) {
	g := FirstGeneration()
	old := firstGenerationLiteral()
	stripped := g
	stripped.Example, stripped.Notice, stripped.Scale = false, Text{}, nil
	if !reflect.DeepEqual(stripped, old) {
		t.Fatalf("the shipped first generation differs from the old literal: %v", old.Differences(stripped, 0))
	}
	if !g.Example {
		t.Error("the shipped first generation is not marked as an example")
	}
	for _, want := range []string{"et eksempel, skrevet til dette projekt", "skal erstattes af regionernes eget katalog", "bedømmelsesskalaens betegnelser"} {
		if !strings.Contains(g.Notice.DA, want) {
			t.Errorf("the Danish notice %q does not say %q", g.Notice.DA, want)
		}
	}
	for _, want := range []string{"an example, written for this project", "to be replaced by the regions' own catalogue", "rating-scale labels"} {
		if !strings.Contains(g.Notice.EN, want) {
			t.Errorf("the English notice %q does not say %q", g.Notice.EN, want)
		}
	}
	if len(g.Scale) != 4 {
		t.Fatalf("scale = %+v, want the four levels", g.Scale)
	}
	for i, r := range Ratings() {
		if l := g.Scale[i]; l.Level != r || l.Label != (Text{DA: r.LabelDA(), EN: r.LabelEN()}) {
			t.Errorf("scale level %d = %+v, want %d %q/%q", i+1, l, r, r.LabelDA(), r.LabelEN())
		}
		if label, ok := g.ScaleLabel(r); !ok || label.DA != r.LabelDA() {
			t.Errorf("ScaleLabel(%d) = %+v, %v", r, label, ok)
		}
	}
	name, data, ok := ShippedCatalogueFile(1)
	if !ok || name != "generation-1.yaml" {
		t.Fatalf("ShippedCatalogueFile(1) = %q, %v", name, ok)
	}
	for _, want := range []string{"# EKSEMPEL. Denne 1. generation er et eksempel, skrevet til dette projekt",
		"# EXAMPLE. This first generation is an example, written for this project", "example: true"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("generation-1.yaml does not say %q", want)
		}
	}
	if _, _, ok := ShippedCatalogueFile(99); ok {
		t.Error("ShippedCatalogueFile(99) found a file")
	}
}

func TestCatalogueCopiesAreDeep(t *testing.T) {
	a := Catalogue()
	a[0].Scale[0].Label.DA = "changed"
	a[0].Themes[0].Standards[0].Indicators[0].Text.DA = "changed"
	b := FirstGeneration()
	if b.Scale[0].Label.DA == "changed" || b.Themes[0].Standards[0].Indicators[0].Text.DA == "changed" {
		t.Error("modifying one Catalogue() result changed FirstGeneration()")
	}
}

// retiredSample is a small valid generation with a retired standard, a retired indicator and
// no notice: every kind of field a generation has.
func retiredSample() Generation {
	g := FirstGeneration()
	g.Number, g.EffectiveFrom, g.Example, g.Notice = 2, NewDate(2012, 1, 1), false, Text{}
	g.Name = Text{DA: "2. generation", EN: "Second generation"}
	g.Themes[5].Standards[0].Retired = true
	g.Themes[0].Standards[0].Indicators = append(g.Themes[0].Standards[0].Indicators,
		Indicator{Code: "1.1.9", Kind: Result, Text: Text{DA: "Udgået indikator", EN: "Retired indicator"}, Retired: true})
	return g
}

// TestGenerationJSON: workflows carry a generation in their history as JSON, so it reads back
// unchanged, and its names are stable snake_case.
func TestGenerationJSON(t *testing.T) {
	for _, g := range []Generation{FirstGeneration(), retiredSample()} {
		data, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var back Generation
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, g) {
			t.Errorf("generation %d does not read back from JSON unchanged: %v", g.Number, g.Differences(back, 0))
		}
	}
	small := Generation{
		Number: 3, Name: Text{DA: "n", EN: "n"}, EffectiveFrom: NewDate(2030, 1, 1), Example: true,
		Notice: Text{DA: "e", EN: "e"}, Scale: []ScaleLevel{{Level: 1, Label: Text{DA: "Opfyldt", EN: "Met"}}},
		Themes: []Theme{{Code: "1", Slug: "s", Name: Text{DA: "t", EN: "t"}, Standards: []Standard{{
			Code: "1.1", Theme: "1", Kind: Quantitative, Title: Text{DA: "a", EN: "a"}, Area: Text{DA: "b", EN: "b"},
			TargetGroup: Text{DA: "c", EN: "c"}, Purpose: Text{DA: "d", EN: "d"}, Guideline: Text{DA: "e", EN: "e"},
			Documentation: Text{DA: "f", EN: "f"}, Retired: true,
			Indicators: []Indicator{{Code: "1.1.1", Kind: Structure, Text: Text{DA: "g", EN: "g"}, Target: "100 %", Retired: true}},
		}}}},
	}
	data, err := json.Marshal(small)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"number":3,"name":{"da":"n","en":"n"},"effective_from":"2030-01-01","example":true,` +
		`"notice":{"da":"e","en":"e"},"scale":[{"level":1,"label":{"da":"Opfyldt","en":"Met"}}],` +
		`"themes":[{"code":"1","slug":"s","name":{"da":"t","en":"t"},"standards":[{"code":"1.1","theme":"1",` +
		`"title":{"da":"a","en":"a"},"area":{"da":"b","en":"b"},"target_group":{"da":"c","en":"c"},` +
		`"purpose":{"da":"d","en":"d"},"guideline":{"da":"e","en":"e"},"documentation":{"da":"f","en":"f"},` +
		`"kind":"quantitative","indicators":[{"code":"1.1.1","kind":"structure","text":{"da":"g","en":"g"},` +
		`"target":"100 %","retired":true}],"retired":true}]}]}`
	if string(data) != want {
		t.Errorf("a generation's JSON changed: workflow histories hold the old form.\ngot  %s\nwant %s", data, want)
	}
}

func TestEncodeParseRoundTrip(t *testing.T) {
	for _, g := range []Generation{FirstGeneration(), retiredSample()} {
		data, err := EncodeGeneration(g)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseGeneration(data)
		if err != nil {
			t.Fatalf("generation %d does not read back: %v\n%s", g.Number, err, data)
		}
		if !reflect.DeepEqual(back, g) || !back.Equal(g) || g.Differences(back, 0) != nil {
			t.Errorf("generation %d reads back differently: %v", g.Number, g.Differences(back, 0))
		}
		if !strings.HasPrefix(string(data), "# A generation of the standards catalogue") {
			t.Errorf("the export does not say what it is:\n%.200s", data)
		}
	}
}

const goodFile = "\ufeff" + `# A small catalogue of a region.
number: 2
name: {da: Region Midtjyllands katalog, en: Central Denmark Region's catalogue}
effective_from: 2031-01-01
example: false
scale:
  - {level: 1, label: {da: Opfyldt, en: Met}}
  - {level: 2, label: {da: Næsten, en: Almost}}
  - {level: 3, label: {da: Delvist, en: Partly}}
  - {level: 4, label: {da: Nej, en: No}}
themes:
  - code: "1"
    slug: management
    name: {da: Ledelse, en: Management}
standards:
  - code: 1.1
    theme: 1
    kind: quantitative
    title: {da: Titel, en: Title}
    area: {da: Område, en: Area}
    target_group: {da: Alle, en: All}
    purpose: {da: Formål, en: Purpose}
    guideline:
      da: |
        Første linje.
        Anden linje.
      en: First line. Second line.
    documentation: {da: Dokumentation, en: Documentation}
    indicators:
      - {code: 1.1.1, kind: structure, text: {da: Struktur, en: Structure}}
      - {code: 1.1.2, kind: result, text: {da: Resultat, en: Result}, target: ">= 90 %", retired: false}
`

func TestParseGoodFile(t *testing.T) {
	g, err := ParseGeneration([]byte(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	want := Generation{
		Number: 2, Name: Text{DA: "Region Midtjyllands katalog", EN: "Central Denmark Region's catalogue"},
		EffectiveFrom: NewDate(2031, 1, 1),
		Scale: []ScaleLevel{{1, Text{"Opfyldt", "Met"}}, {2, Text{"Næsten", "Almost"}}, {3, Text{"Delvist", "Partly"}},
			{4, Text{"Nej", "No"}}},
		Themes: []Theme{{Code: "1", Slug: "management", Name: Text{"Ledelse", "Management"}, Standards: []Standard{{
			Code: "1.1", Theme: "1", Kind: Quantitative, Title: Text{"Titel", "Title"}, Area: Text{"Område", "Area"},
			TargetGroup: Text{"Alle", "All"}, Purpose: Text{"Formål", "Purpose"},
			Guideline:     Text{"Første linje.\nAnden linje.\n", "First line. Second line."},
			Documentation: Text{"Dokumentation", "Documentation"},
			Indicators: []Indicator{
				{Code: "1.1.1", Kind: Structure, Text: Text{"Struktur", "Structure"}},
				{Code: "1.1.2", Kind: Result, Text: Text{"Resultat", "Result"}, Target: ">= 90 %"},
			},
		}}}},
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("parsed %+v\nwant %+v\n%v", g, want, want.Differences(g, 0))
	}
}

// problems parses a file that must be refused and returns its problems.
func problems(t *testing.T, file string) []string {
	t.Helper()
	_, err := ParseGeneration([]byte(file))
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("ParseGeneration = %v, want a *ValidationError", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("the error is not one line: %q", err)
	}
	return v.Problems
}

func assertProblems(t *testing.T, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, p := range got {
			if strings.Contains(p, w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no problem says %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	} else if testing.Verbose() {
		t.Log(strings.Join(got, "\n"))
	}
}

// TestParseListsEveryProblem: one file with a problem of every kind gets them all at once,
// each with its line.
func TestParseListsEveryProblem(t *testing.T) {
	file := `number: two
name: {da: Katalog}
effective_from: 2031-02-30
example: true
colour: blue
scale:
  - {level: 1, label: {da: Opfyldt, en: Met}}
  - {level: 2, label: {da: Næsten, en: Almost}}
  - {level: 5, label: {da: Dårligt, en: Bad}}
themes:
  - {code: "1", slug: Management, name: {da: Ledelse, en: Management}}
standards:
  - code: "1.1"
    theme: "1"
    kind: qualitative
    title: {da: Titel, en: Title}
    area: {da: Område, en: Area}
    target_group: {da: Alle, en: All}
    purpose: {da: Formål, en: TODO}
    guideline: {da: Retningslinje, en: Guideline}
    documentation: {da: Dokumentation, en: Documentation}
    owner: someone
    indicators:
      - {code: "1.1.1", kind: structure, text: {da: S, en: S}, target: "100 %"}
      - {code: "1.1.1", kind: outcome, text: {da: R, en: R}, weight: 2}
  - code: "9.1"
    theme: "9"
    kind: mixed
    title: {da: Titel, en: Title}
    area: {da: Område, en: Area}
    target_group: {da: Alle, en: All}
    purpose: {da: Formål, en: Purpose}
    guideline: {da: Retningslinje, en: Guideline}
    documentation: {da: Dokumentation, en: Documentation}
    indicators:
      - {code: "9.1.1", kind: process, text: {da: P, en: P}}
`
	got := problems(t, file)
	assertProblems(t, got,
		`line 1: field "number" must be a whole number, not "two"`,
		`line 5: unknown field "colour" in the generation: its fields are number, name,`,
		`line 22: unknown field "owner" in a standard: its fields are code, theme, kind,`,
		`line 25: unknown field "weight" in an indicator: its fields are code, kind, text, target, retired`,
		"line 1: the generation number is 0",
		"line 2: the generation's name has no English text",
		"line 3: the effective-from date: ",
		"line 4: the generation is marked as an example but has no notice",
		"line 9: scale level 5 is not on the scale: the workflows accept ratings 1 to 4 only",
		"line 6: scale level 3 is missing",
		"line 6: scale level 4 is missing",
		`line 11: theme 1 has slug "Management"`,
		`line 19: standard 1.1's purpose has placeholder English text ("todo")`,
		"line 25: indicator code 1.1.1 is used twice",
		`line 25: indicator 1.1.1 has kind "outcome"`,
		`line 24: indicator 1.1.1 has target "100 %" but standard 1.1 is qualitative`,
		"line 23: standard 1.1 has no process or result indicator",
		`line 27: standard 9.1 names theme "9", which is not among the themes`,
		`line 28: standard 9.1 has kind "mixed"`,
		"line 35: standard 9.1 has no structure indicator",
	)
}

func TestParseRefusesUnknownFields(t *testing.T) {
	file := strings.Replace(goodFile, "    kind: quantitative\n", "    kind: quantitative\n    weigth: 3\n", 1)
	got := problems(t, file)
	assertProblems(t, got, `line 19: unknown field "weigth" in a standard`)
	got = problems(t, strings.Replace(goodFile, "{da: Titel, en: Title}", "{da: Titel, en: Title, de: Titel}", 1))
	assertProblems(t, got, `line 19: unknown field "de" in a text: its fields are da, en`)
}

func TestParseScale(t *testing.T) {
	scale := func(levels string) string {
		i := strings.Index(goodFile, "scale:\n")
		j := strings.Index(goodFile, "themes:\n")
		return goodFile[:i] + levels + goodFile[j:]
	}
	for name, c := range map[string]struct {
		levels string
		want   []string
	}{
		"none":  {"", []string{"it has no rating scale: give the levels 1 (met) to 4 (not met)"}},
		"empty": {"scale: []\n", []string{"line 6: it has no rating scale"}},
		"from 0": {"scale:\n  - {level: 0, label: {da: a, en: a}}\n  - {level: 1, label: {da: b, en: b}}\n" +
			"  - {level: 2, label: {da: c, en: c}}\n  - {level: 3, label: {da: d, en: d}}\n",
			[]string{"line 7: scale level 0 is not on the scale", "line 6: scale level 4 is missing"}},
		"five levels": {"scale:\n  - {level: 1, label: {da: a, en: a}}\n  - {level: 2, label: {da: b, en: b}}\n" +
			"  - {level: 3, label: {da: c, en: c}}\n  - {level: 4, label: {da: d, en: d}}\n  - {level: 5, label: {da: e, en: e}}\n",
			[]string{"line 11: scale level 5 is not on the scale: the workflows accept ratings 1 to 4 only, so the scale has exactly the levels 1, 2, 3 and 4"}},
		"twice and out of order": {"scale:\n  - {level: 2, label: {da: a, en: a}}\n  - {level: 1, label: {da: b, en: b}}\n" +
			"  - {level: 2, label: {da: c, en: c}}\n  - {level: 4, label: {da: d}}\n",
			[]string{"line 8: scale level 1 comes after level 2", "line 9: scale level 2 is given twice",
				"line 10: the label of scale level 4 has no English text", "line 6: scale level 3 is missing"}},
		"not a list": {"scale: 4\n", []string{`line 6: field "scale" must be a list, not "4"`, "line 6: it has no rating scale"}},
	} {
		t.Run(name, func(t *testing.T) {
			assertProblems(t, problems(t, scale(c.levels)), c.want...)
		})
	}
}

func TestParseSyntaxAndShape(t *testing.T) {
	for name, c := range map[string]struct {
		file string
		want string
	}{
		"empty":           {"  \n", "the file is empty"},
		"syntax":          {"number: 1\nname: {da: a\n", "did not find expected ',' or '}': correct the YAML syntax"},
		"a list":          {"- 1\n- 2\n", "line 1: the value must be the generation (number, name,"},
		"not UTF-8":       {"number: \xff\n", "the file is not UTF-8 text"},
		"twice the field": {strings.Replace(goodFile, "example: false\n", "example: false\nexample: true\n", 1), `line 6: field "example" is given twice (first at line 5)`},
		"two documents":   {goodFile + "---\nnumber: 3\n", "line 32: a second YAML document begins here"},
	} {
		t.Run(name, func(t *testing.T) {
			got := problems(t, c.file)
			if !strings.Contains(strings.Join(got, "\n"), c.want) {
				t.Errorf("problems %q do not say %q", got, c.want)
			}
		})
	}
}

func TestValidateRetired(t *testing.T) {
	g := retiredSample()
	if err := g.Validate(); err != nil {
		t.Fatalf("a generation with a retired standard and indicator: %v", err)
	}
	if n := len(g.ActiveStandards()); n != 5 {
		t.Errorf("ActiveStandards = %d, want 5", n)
	}
	if n := len(g.Themes[0].Standards[0].ActiveIndicators()); n != len(g.Themes[0].Standards[0].Indicators)-1 {
		t.Errorf("ActiveIndicators = %d", n)
	}
	// A retired standard need not mix its indicators' kinds; an active one counts only its
	// active indicators.
	g.Themes[5].Standards[0].Indicators = g.Themes[5].Standards[0].Indicators[:1]
	g.Themes[0].Standards[0].Indicators[0].Retired = true
	g.Themes[0].Standards[0].Indicators[1].Retired = true
	err := g.Validate()
	if err == nil || !strings.Contains(err.Error(), "standard 1.1 has no structure indicator") || strings.Contains(err.Error(), "6.1") {
		t.Errorf("Validate = %v", err)
	}
	g = FirstGeneration()
	for i := range g.Themes {
		g.Themes[i].Standards[0].Retired = true
	}
	if err := g.Validate(); err == nil || !strings.Contains(err.Error(), "every standard is retired") {
		t.Errorf("a generation with every standard retired: %v", err)
	}
}

func TestValidateSizeAndTextLimits(t *testing.T) {
	g := FirstGeneration()
	long := strings.Repeat("a", MaxCatalogueTextLength)
	for i := range g.Themes {
		for j := range g.Themes[i].Standards {
			s := &g.Themes[i].Standards[j]
			s.Purpose, s.Guideline, s.Documentation = Text{long, long}, Text{long, long}, Text{long, long}
		}
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("texts at their limit: %v", err)
	}
	for i := 0; i < 3; i++ {
		g.Themes = append(g.Themes, g.Themes...)
	}
	err := g.Validate()
	if err == nil || !strings.Contains(err.Error(), "as JSON; the limit is 512 KiB") {
		t.Errorf("a generation over the size limit: %v", err)
	}
	g = FirstGeneration()
	g.Themes[0].Standards[0].Purpose.EN = long + "a"
	g.Themes[0].Standards[0].Title.DA = "Ti\x00tel"
	g.Themes[0].Standards[0].Indicators[0].Code = "1.1.1 OR 1=1"
	err = g.Validate()
	for _, want := range []string{"the English text of standard 1.1's purpose is 10,001 characters long; the limit is 10,000",
		"the Danish text of standard 1.1's title contains the control character U+0000",
		`indicator 1.1.1 OR 1=1 has code "1.1.1 OR 1=1": use ASCII letters, digits`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to say %q", err, want)
		}
	}
}

func TestDifferences(t *testing.T) {
	a, b := FirstGeneration(), FirstGeneration()
	if d := a.Differences(b, 0); d != nil {
		t.Errorf("equal generations differ: %v", d)
	}
	b.Themes[1].Standards[0].Purpose.EN = "changed"
	b.Themes[5].Standards = append(b.Themes[5].Standards, b.Themes[5].Standards[0])
	b.Themes[5].Standards[1].Code = "6.2"
	b.Themes[2].Standards[0].Indicators[0].Target = "50 %"
	b.Scale[0].Label.EN = "OK"
	got := a.Differences(b, 3)
	want := []string{"the rating scale differs", "standard 2.1: the purpose differs", "standard 3.1: its indicators differ", "and 1 more"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Differences = %q, want %q", got, want)
	}
	c := FirstGeneration()
	c.Themes[0], c.Themes[1] = c.Themes[1], c.Themes[0]
	if got := a.Differences(c, 0); len(got) != 1 || !strings.Contains(got[0], "order") {
		t.Errorf("reordered themes: %q", got)
	}
}
