package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// secondGeneration is generation 1 renumbered, with a new standard 6.2, and without standard
// 4.1 and indicator 5.1.3.
func secondGeneration() domain.Generation {
	g := domain.FirstGeneration()
	g.Number, g.EffectiveFrom, g.Example = 2, date(2012, 1, 1), false
	g.Name = domain.Text{DA: "Region Midtjyllands katalog", EN: "Central Denmark Region's catalogue"}
	g.Notice = domain.Text{}
	extra := g.Themes[5].Standards[0]
	extra.Code = "6.2"
	extra.Indicators = append([]domain.Indicator(nil), extra.Indicators...)
	for i := range extra.Indicators {
		extra.Indicators[i].Code = strings.Replace(extra.Indicators[i].Code, "6.1.", "6.2.", 1)
	}
	g.Themes[5].Standards = append(g.Themes[5].Standards, extra)
	g.Themes = append(g.Themes[:3], g.Themes[4:]...)
	plans := &g.Themes[3].Standards[0]
	plans.Indicators = plans.Indicators[:2]
	return g
}

func TestShippedGenerationReadsBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		g, err := s.Generation(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := domain.FirstGeneration(); !reflect.DeepEqual(g, want) {
			t.Fatalf("stored generation 1 differs from the shipped one: %v", want.Differences(g, 0))
		}
		if !g.Example || g.Notice.EN == "" || len(g.Scale) != 4 {
			t.Errorf("stored generation 1 lost its example notice or scale: %v %+v %+v", g.Example, g.Notice, g.Scale)
		}
		if _, err := s.Generation(ctx, 7); !errors.Is(err, ErrNotFound) {
			t.Errorf("Generation(7) = %v, want ErrNotFound", err)
		}
		list, err := s.Generations(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("Generations = %+v, %v", list, err)
		}
		if l := list[0]; l.Number != 1 || !l.Example || l.Themes != 6 || l.Standards != 6 || l.Retired != 0 || l.Indicators == 0 ||
			!strings.Contains(l.Source, "generation-1.yaml") || l.ImportedAt == nil {
			t.Errorf("Generations()[0] = %+v", l)
		}
	})
}

func TestImportGeneration(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		gen := secondGeneration()
		res, err := s.ImportGeneration(ctx, gen, &RegistryAudit{ActorID: "P-136", Subject: "region.yaml"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged || res.CarriedStandards != nil || res.CarriedIndicators != nil ||
			res.Counts != (CatalogueCounts{Themes: 5, Standards: 6, Indicators: 17}) {
			t.Errorf("import = %+v", res)
		}
		back, err := s.Generation(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, gen) {
			t.Fatalf("generation 2 reads back differently: %v", gen.Differences(back, 0))
		}
		// What a workflow receives reads back from JSON as it was.
		data, _ := json.Marshal(back)
		var fromJSON domain.Generation
		if err := json.Unmarshal(data, &fromJSON); err != nil || !reflect.DeepEqual(fromJSON, gen) {
			t.Errorf("generation 2 through JSON: %v", err)
		}

		for _, c := range []struct {
			on   domain.Date
			want int
		}{{date(2009, 1, 1), 1}, {date(2011, 12, 31), 1}, {date(2012, 1, 1), 2}, {date(2030, 6, 1), 2}} {
			g, err := s.GenerationInForce(ctx, c.on)
			if err != nil || g.Number != c.want {
				t.Errorf("GenerationInForce(%s) = %d, %v; want %d", c.on, g.Number, err, c.want)
			}
		}
		_, err = s.GenerationInForce(ctx, date(2008, 12, 31))
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no standards catalogue is in force on 2008-12-31: the first generation takes effect on 2009-01-01") {
			t.Errorf("GenerationInForce before the first = %v", err)
		}
		if _, err := s.GenerationInForce(ctx, domain.Date{}); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("GenerationInForce(zero) = %v", err)
		}

		// The same content again changes nothing, and says so; from an export too.
		again, err := s.ImportGeneration(ctx, secondGeneration(), &RegistryAudit{ActorID: "P-136", Subject: "region.yaml"})
		if err != nil || !again.Unchanged || again.Counts != res.Counts {
			t.Errorf("second import = %+v, %v", again, err)
		}
		if !strings.Contains(again.Summary(), "already imported with the same content: nothing changed") {
			t.Errorf("summary %q", again.Summary())
		}
		trail, err := s.RegistryAuditTrail(ctx)
		if err != nil || len(trail) != 2 || trail[0].Action != AuditImportCatalogue || trail[0].ActorID != "P-136" ||
			!strings.Contains(trail[0].Details, "region.yaml: generation 2 imported: 5 themes, 6 standards, 17 indicators") {
			t.Errorf("audit trail = %+v, %v", trail, err)
		}
		list, _ := s.Generations(ctx)
		if len(list) != 2 || list[1].Source != "region.yaml" || list[1].ImportedBy != "P-136" || list[1].Example {
			t.Errorf("Generations = %+v", list)
		}
	})
}

func TestImportRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		if _, err := s.ImportGeneration(ctx, secondGeneration(), &RegistryAudit{ActorID: "P-136", Subject: "region.yaml"}); err != nil {
			t.Fatal(err)
		}
		before := dump(t, s, "standards")
		refused := func(name string, gen domain.Generation, want ...string) {
			t.Helper()
			_, err := s.ImportGeneration(ctx, gen, &RegistryAudit{ActorID: "P-136", Subject: name})
			var r *CatalogueRefusedError
			if !errors.As(err, &r) {
				t.Errorf("%s: %v, want a *CatalogueRefusedError", name, err)
				return
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not say %q", name, err, w)
				}
			}
		}
		changed := secondGeneration()
		changed.Themes[1].Standards[0].Purpose.DA = "Et andet formål."
		refused("changed content", changed, "generation 2 is already imported from region.yaml by P-136 on", "with other content (standard 2.1: the purpose differs)",
			"a generation never changes once imported", "on or after 2012-01-01")
		first := domain.FirstGeneration()
		first.Name.EN = "Renamed"
		refused("the shipped generation changed", first, "generation 1 is already imported from shipped with the service (generation-1.yaml)", "the name differs")
		older := secondGeneration()
		older.Number = 0
		if _, err := s.ImportGeneration(ctx, older, nil); err == nil || !strings.Contains(err.Error(), "number generations from 1") {
			t.Errorf("generation 0: %v", err)
		}
		early := secondGeneration()
		early.Number, early.EffectiveFrom = 3, date(2011, 12, 31)
		refused("early", early, "generation 3 takes effect on 2011-12-31, before generation 2 (in force from 2012-01-01)")
		invalid := secondGeneration()
		invalid.Number = 3
		invalid.Scale = invalid.Scale[:3]
		_, err := s.ImportGeneration(ctx, invalid, nil)
		var v *domain.ValidationError
		if !errors.As(err, &v) || !strings.Contains(err.Error(), "scale level 4 is missing") {
			t.Errorf("an invalid generation: %v", err)
		}
		if after := dump(t, s, "standards"); !reflect.DeepEqual(before, after) {
			t.Error("a refused import changed the stored standards")
		}
		// Same day as the latest is fine; then a lower number is refused.
		sameDay := secondGeneration()
		sameDay.Number = 4
		if _, err := s.ImportGeneration(ctx, sameDay, nil); err != nil {
			t.Fatalf("a generation on the latest's day: %v", err)
		}
		lower := secondGeneration()
		lower.Number, lower.EffectiveFrom = 3, date(2020, 1, 1)
		refused("lower", lower, "generation 3 is older than the latest generation in the store, 4: number a new generation 5 or higher")
		if g, err := s.GenerationInForce(ctx, date(2012, 1, 1)); err != nil || g.Number != 4 {
			t.Errorf("of two generations on one day the higher is in force: %d, %v", g.Number, err)
		}
	})
}

// TestRecordedDataIsRetiredNotDeleted: a new generation that leaves out a standard with
// ratings, notes, assessments or indicator values gets it back as retired; the rows of the
// old generation stay.
func TestRecordedDataIsRetiredNotDeleted(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		if _, err := s.UpsertInstitutions(ctx, nil, []Institution{institution("inst-a", domain.Hovedstaden)}); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSubmission(ctx, Submission{ID: "se-1", InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1",
			Kind: "self-evaluation", SubmittedBy: "mgr", SubmittedOn: date(2010, 3, 1), Payload: "{}"},
			[]Rating{{Standard: "4.1", Rating: 2, Note: "Brugerrådet mødes kvartalsvis"}},
			map[string]string{"5.1.3": "80 %", "3.1.1": "ja"}); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertReport(ctx, ReportRow{ID: "rep-1", InstitutionID: "inst-a", Cycle: 1, Kind: "visit", AuthorID: "rev",
			SubmittedOn: date(2011, 5, 1), Verdict: 2, Summary: "s", Payload: "{}"},
			[]ReportAssessment{{Standard: "2.1", Met: false, Assessment: "APV mangler"}}); err != nil {
			t.Fatal(err)
		}
		gen := secondGeneration() // without 4.1 and 5.1.3
		gen.Themes[1].Standards = nil
		gen.Themes = append(gen.Themes[:1], gen.Themes[2:]...) // and without theme 2 and its 2.1
		gen.Themes[1].Standards[0].Indicators = gen.Themes[1].Standards[0].Indicators[:1]
		gen.Themes[1].Standards[0].Indicators = append(gen.Themes[1].Standards[0].Indicators, domain.Indicator{Code: "3.1.9",
			Kind: domain.Result, Text: domain.Text{DA: "Nyt mål", EN: "New goal"}, Target: ">= 50 %"})
		res, err := s.ImportGeneration(ctx, gen, &RegistryAudit{ActorID: "P-136", Subject: "region.yaml"})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.CarriedStandards, []string{"2.1", "4.1"}) || !reflect.DeepEqual(res.CarriedIndicators, []string{"5.1.3"}) {
			t.Errorf("carried %v and %v, want standards 2.1, 4.1 and indicator 5.1.3", res.CarriedStandards, res.CarriedIndicators)
		}
		if !strings.Contains(res.Summary(), "carried as retired (recorded data refers to them): standards 2.1, 4.1; carried as retired: indicators 5.1.3") {
			t.Errorf("summary %q", res.Summary())
		}
		stored, err := s.Generation(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		old := domain.FirstGeneration()
		for _, code := range []string{"2.1", "4.1"} {
			st, ok := stored.Standard(code)
			want, _ := old.Standard(code)
			want.Retired = true
			if !ok || !reflect.DeepEqual(st, want) {
				t.Errorf("standard %s in generation 2 = %+v, %v; want generation 1's, retired", code, st, ok)
			}
		}
		if th, ok := stored.Theme("2"); !ok || th.Slug != "working-environment" || len(th.Standards) != 1 {
			t.Errorf("theme 2 was not carried with its standard: %+v", th)
		}
		plans, _ := stored.Standard("5.1")
		if ind, ok := plans.Indicator("5.1.3"); !ok || !ind.Retired || ind.Text.DA == "" {
			t.Errorf("indicator 5.1.3 = %+v, %v; want it carried as retired", ind, ok)
		}
		skills, _ := stored.Standard("3.1")
		if ind, ok := skills.Indicator("3.1.1"); !ok || ind.Retired {
			t.Errorf("indicator 3.1.1 is in the file and must stay active: %+v, %v", ind, ok)
		}
		if _, ok := skills.Indicator("3.1.2"); ok {
			t.Error("indicator 3.1.2 has no recorded values and was left out: it must not be carried")
		}
		if n := len(stored.ActiveStandards()); n != 5 {
			t.Errorf("generation 2 assesses %d standards, want 5 (1.1, 3.1, 5.1, 6.1, 6.2)", n)
		}
		if err := stored.Validate(); err != nil {
			t.Errorf("the stored generation does not validate: %v", err)
		}
		// Generation 1 keeps every row.
		if n := count(t, s, `SELECT COUNT(*) FROM standards WHERE generation = 1`); n != 6 {
			t.Errorf("generation 1 has %d standards left, want 6", n)
		}
		// The file imported again is the same generation, and so is an export of the stored one.
		for name, g := range map[string]domain.Generation{"the file": gen, "the export": stored} {
			if again, err := s.ImportGeneration(ctx, g, nil); err != nil || !again.Unchanged {
				t.Errorf("%s again: %+v, %v", name, again, err)
			}
		}
		// A third generation without them carries them again.
		third := gen.Clone()
		third.Number, third.EffectiveFrom = 3, date(2015, 1, 1)
		res, err = s.ImportGeneration(ctx, third, nil)
		if err != nil || !reflect.DeepEqual(res.CarriedStandards, []string{"2.1", "4.1"}) {
			t.Errorf("third generation: %+v, %v", res, err)
		}
	})
}

// TestSeedUpgradesAnEarlierVersion: a store seeded before the catalogue became data has
// generation 1 without its notice, scale and document; the seed completes it.
func TestSeedUpgradesAnEarlierVersion(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		for _, q := range []string{
			`UPDATE catalogue_generations SET example = FALSE, notice_da = '', notice_en = '', document = '', source = '', imported_at = NULL`,
			`DELETE FROM catalogue_scale`,
		} {
			if _, err := s.DB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		g, err := s.Generation(ctx, 1)
		if err != nil || !reflect.DeepEqual(g, domain.FirstGeneration()) {
			t.Errorf("generation 1 after the seed: %v", err)
		}
		if _, err := s.ImportGeneration(ctx, domain.FirstGeneration(), nil); err != nil {
			t.Errorf("importing the shipped generation 1: %v", err)
		}
	})
}
