package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFirstGeneration(t *testing.T) {
	g := FirstGeneration()
	if err := g.Validate(); err != nil {
		t.Fatalf("FirstGeneration().Validate() = %v", err)
	}
	if g.Number != 1 || g.EffectiveFrom != NewDate(2009, time.January, 1) {
		t.Errorf("generation %d effective from %s, want 1 from 2009-01-01", g.Number, g.EffectiveFrom)
	}
	want := []struct {
		code, slug, da, en string
		kind               StandardKind
	}{
		{"1", "management", "Ledelse", "Management", Qualitative},
		{"2", "working-environment", "Arbejdsmiljø", "Working environment", Quantitative},
		{"3", "development-of-skills", "Kompetenceudvikling", "Development of skills", Quantitative},
		{"4", "user-involvement", "Brugerinddragelse", "User involvement", Qualitative},
		{"5", "individual-action-plans", "Individuelle handleplaner", "Individual action plans", Quantitative},
		{"6", "communication", "Kommunikation", "Communication", Qualitative},
	}
	if len(g.Themes) != len(want) {
		t.Fatalf("%d themes, want %d", len(g.Themes), len(want))
	}
	for i, w := range want {
		th := g.Themes[i]
		if th.Code != w.code || th.Slug != w.slug || th.Name.DA != w.da || th.Name.EN != w.en {
			t.Errorf("theme %d = %s %s %q %q, want %s %s %q %q", i, th.Code, th.Slug, th.Name.DA, th.Name.EN, w.code, w.slug, w.da, w.en)
		}
		if len(th.Standards) != 1 {
			t.Errorf("theme %s has %d standards, want 1", th.Code, len(th.Standards))
			continue
		}
		s := th.Standards[0]
		if s.Code != w.code+".1" || s.Theme != w.code || s.Kind != w.kind || s.Retired {
			t.Errorf("standard of theme %s = %s (theme %s, %s, retired %v), want %s.1 %s", w.code, s.Code, s.Theme, s.Kind, s.Retired, w.code, w.kind)
		}
		if s.TargetGroup != (Text{DA: "Alle målgrupper", EN: "All target groups"}) {
			t.Errorf("standard %s target group = %+v", s.Code, s.TargetGroup)
		}
		if n := len(s.Indicators); n < 2 || n > 4 {
			t.Errorf("standard %s has %d indicators, want 2-4", s.Code, n)
		}
		var structure, processOrResult, target bool
		for _, ind := range s.Indicators {
			switch ind.Kind {
			case Structure:
				structure = true
			case Process, Result:
				processOrResult = true
			}
			if ind.Target != "" {
				target = true
			}
		}
		if !structure || !processOrResult {
			t.Errorf("standard %s must mix kinds: structure %v, process or result %v", s.Code, structure, processOrResult)
		}
		if target != (s.Kind == Quantitative) {
			t.Errorf("standard %s is %s but has a target: %v", s.Code, s.Kind, target)
		}
	}
	if s, ok := g.Standard("1.1"); !ok || !strings.Contains(s.Purpose.DA, "skriftlig beskrivelse af ledelsens ansvar og kompetencer") {
		t.Errorf("standard 1.1 = %+v, %v", s.Purpose, ok)
	}
	if ind, ok := g.Themes[0].Standards[0].Indicator("1.1.1"); !ok || ind.Text.DA != "Der foreligger en skriftlig beskrivelse af ledelsesstrukturen" || ind.Kind != Structure {
		t.Errorf("indicator 1.1.1 = %+v, %v", ind, ok)
	}
	if s, _ := g.Standard("5.1"); !hasTarget(s, ">= 90 %") {
		t.Errorf("standard 5.1 needs the >= 90 %% plan-revision target: %+v", s.Indicators)
	}
	if s, _ := g.Standard("2.1"); !strings.Contains(s.Guideline.DA, "APV") || !strings.Contains(s.Guideline.DA, "hvert tredje år") {
		t.Errorf("standard 2.1 should require an APV at least every third year: %q", s.Guideline.DA)
	}
	if s, _ := g.Standard("3.1"); !strings.Contains(s.Guideline.DA, "MUS") || !strings.Contains(s.Guideline.DA, "kompetenceplan") {
		t.Errorf("standard 3.1 should require MUS and a competence plan: %q", s.Guideline.DA)
	}
	if _, ok := g.Standard("7.1"); ok {
		t.Error("standard 7.1 does not exist")
	}
	if th, ok := g.Theme("working-environment"); !ok || th.Code != "2" {
		t.Errorf("Theme by slug = %+v, %v", th, ok)
	}
	if th, ok := g.Theme("6"); !ok || th.Slug != "communication" {
		t.Errorf("Theme by code = %+v, %v", th, ok)
	}
	all := g.Standards()
	if len(all) != 6 || all[0].Code != "1.1" || all[5].Code != "6.1" || len(g.ActiveStandards()) != 6 {
		t.Errorf("Standards() = %d standards starting %s", len(all), all[0].Code)
	}
}

func hasTarget(s Standard, target string) bool {
	for _, ind := range s.Indicators {
		if ind.Target == target {
			return true
		}
	}
	return false
}

func TestCatalogueIsFreshEachCall(t *testing.T) {
	a := Catalogue()
	a[0].Themes[0].Standards[0].Title.DA = "changed"
	if Catalogue()[0].Themes[0].Standards[0].Title.DA == "changed" {
		t.Error("modifying one Catalogue() result changed the next")
	}
}

func TestGenerationValidateListsEveryProblem(t *testing.T) {
	g := FirstGeneration()
	g.Number = 0
	g.EffectiveFrom = Date{}
	g.Themes[1].Slug = "Working Environment"
	g.Themes[2].Code = "1" // duplicate theme code; its standard 3.1 no longer matches
	mgmt := &g.Themes[0].Standards[0]
	mgmt.Purpose.EN = ""
	mgmt.Guideline.DA = "Lorem ipsum dolor sit amet"
	mgmt.Indicators = []Indicator{{Code: "1.1.1", Kind: Process, Text: mgmt.Indicators[2].Text}}
	work := &g.Themes[1].Standards[0]
	for i := range work.Indicators {
		work.Indicators[i].Target = ""
	}
	work.Indicators[0].Kind = "outcome"
	comm := &g.Themes[5].Standards[0]
	comm.Indicators[1].Code = "6.1.1"
	comm.Indicators[2].Target = "100 %"

	err := g.Validate()
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	want := []string{
		"the generation number is 0",
		"the effective-from date (0000-00-00) is missing",
		`theme 2 has slug "Working Environment"`,
		"theme code 1 is used twice",
		`standard 3.1 names theme "3" but is listed under theme 1`,
		`standard 3.1 is listed under theme 1, so its code must start with "1."`,
		"standard 1.1's purpose has no English text",
		`standard 1.1's guideline has placeholder Danish text ("lorem")`,
		"standard 1.1 has no structure indicator",
		`indicator 2.1.1 has kind "outcome"`,
		"standard 2.1 has no structure indicator",
		"standard 2.1 is quantitative but no indicator has a target",
		"indicator code 6.1.1 is used twice",
		`indicator 6.1.3 has target "100 %" but standard 6.1 is qualitative`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Validate message lacks %q", w)
		}
	}
	if len(v.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(v.Problems), len(want), strings.Join(v.Problems, "\n"))
	}
	if err := (Generation{Number: 2, Name: Text{DA: "2. generation", EN: "Second generation"}, EffectiveFrom: NewDate(2012, 1, 1)}).Validate(); err == nil || !strings.Contains(err.Error(), "it has no themes") {
		t.Errorf("a generation without themes: %v", err)
	}
}

func TestKindsAndText(t *testing.T) {
	for k, da := range map[IndicatorKind]string{Structure: "Strukturindikator", Process: "Procesindikator", Result: "Resultatindikator"} {
		if !k.Valid() || k.LabelDA() != da || k.LabelEN() == "" {
			t.Errorf("indicator kind %s: valid %v, %q", k, k.Valid(), k.LabelDA())
		}
	}
	if IndicatorKind("outcome").Valid() || StandardKind("mixed").Valid() {
		t.Error("unknown kinds must not be valid")
	}
	if Qualitative.LabelDA() != "Kvalitativ" || Quantitative.LabelDA() != "Kvantitativ" {
		t.Error("standard kind labels are wrong")
	}
	tx := Text{DA: "Ledelse", EN: "Management"}
	if tx.In("en") != "Management" || tx.In("en-GB") != "Management" || tx.In("da") != "Ledelse" || tx.In("") != "Ledelse" || (Text{DA: "Ledelse"}).In("en") != "Ledelse" {
		t.Error("Text.In picks the wrong language")
	}
}
