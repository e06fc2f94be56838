package publicweb_test

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publicweb"
	"github.com/kvalitetsmodel/accredit/store"
)

// jsonFeed is the JSON feed as a client reads it.
type jsonFeed struct {
	Updated time.Time `json:"updated"`
	Count   int       `json:"count"`
	Results []struct {
		store.PublishedRecord
		URL string `json:"url"`
	} `json:"results"`
}

// atomFeed is the Atom feed as a client reads it.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

func (e *env) jsonFeed() jsonFeed {
	e.t.Helper()
	r := e.ok("/offentlig/resultater.json")
	var f jsonFeed
	if err := json.Unmarshal([]byte(r.body), &f); err != nil {
		e.t.Fatalf("the JSON feed does not parse: %v\n%s", err, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Errorf("JSON feed served as %q", ct)
	}
	return f
}

func (e *env) csvFeed(headers ...string) [][]string {
	e.t.Helper()
	r := e.ok("/offentlig/resultater.csv", headers...)
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		e.t.Fatalf("the CSV feed does not parse: %v\n%s", err, r.body)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], publicweb.CSVColumns) {
		e.t.Fatalf("CSV header = %v, want %v", rows, publicweb.CSVColumns)
	}
	return rows[1:]
}

func (e *env) atomFeed() atomFeed {
	e.t.Helper()
	r := e.ok("/offentlig/nyt.atom")
	var f atomFeed
	if err := xml.Unmarshal([]byte(r.body), &f); err != nil {
		e.t.Fatalf("the Atom feed does not parse: %v\n%s", err, r.body)
	}
	if f.ID == "" || f.Title == "" || f.Author.Name == "" {
		e.t.Errorf("Atom feed lacks id, title or author: %+v", f)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		e.t.Errorf("Atom feed updated %q: %v", f.Updated, err)
	}
	for _, en := range f.Entries {
		if _, err := time.Parse(time.RFC3339, en.Updated); err != nil || en.ID == "" || en.Link.Href == "" || en.Title == "" {
			e.t.Errorf("Atom entry %+v: id, title, link and updated (RFC 3339) are required", en)
		}
	}
	return f
}

// TestAPublishedRecordIsOnItsPageAndInTheFeeds: a record written by PublishRecord (as the
// publication step writes it) appears on the institution's page, the cycle's page, in the
// search, and in the JSON, CSV and Atom feeds, which parse.
func TestAPublishedRecordIsOnItsPageAndInTheFeeds(t *testing.T) {
	e := newEnv(t)
	empty := e.jsonFeed()
	if empty.Count != 0 || len(empty.Results) != 0 || len(e.csvFeed()) != 0 || len(e.atomFeed().Entries) != 0 {
		t.Fatalf("feeds of an empty store = %+v", empty)
	}
	if r := e.get("/offentlig/tilbud/H-01"); r.code != http.StatusNotFound {
		t.Errorf("an institution with nothing published: %d, want 404", r.code)
	}
	rec := e.publish("H-01", 1, 2, date(2030, 3, 1), func(r *store.PublishedRecord) {
		r.Comments = []store.PublishedComment{{On: date(2030, 2, 10), Text: "Rapporten nævner 12 pladser; tilbuddet har 14."}}
	})

	page := text(e.ok("/offentlig/tilbud/H-01").body)
	for _, want := range []string{rec.InstitutionName, "Region Hovedstaden", domain.VerdictSomeAreas.LabelDA(),
		"Cyklus 1, version 1", "Gældende", "1. marts 2030"} {
		if !strings.Contains(page, want) {
			t.Errorf("institution page lacks %q:\n%s", want, page)
		}
	}
	cycle := text(e.ok("/offentlig/tilbud/H-01/cyklus/1").body)
	for _, want := range []string{rec.Summary, "Rapporten nævner 12 pladser; tilbuddet har 14.", "5.1",
		domain.FirstGeneration().Themes[0].Name.DA, "Ikke opfyldt"} {
		if !strings.Contains(cycle, want) {
			t.Errorf("cycle page lacks %q:\n%s", want, cycle)
		}
	}
	if search := text(e.ok("/offentlig/?navn=lindevang").body); !strings.Contains(search, rec.InstitutionName) {
		t.Errorf("search for lindevang lacks the institution:\n%s", search)
	}

	f := e.jsonFeed()
	if f.Count != 1 || len(f.Results) != 1 {
		t.Fatalf("JSON feed = %+v, want the record", f)
	}
	got := f.Results[0]
	if got.InstitutionID != "H-01" || got.Cycle != 1 || got.Verdict != 2 || got.Version != 1 ||
		got.URL != "https://kvalitet.example.dk/offentlig/tilbud/H-01/cyklus/1" || len(got.Themes) != len(rec.Themes) ||
		!got.PublishedOn.Equal(rec.PublishedOn) || f.Updated.IsZero() {
		t.Errorf("JSON result = %+v", got)
	}
	rows := e.csvFeed()
	if len(rows) != 1 || rows[0][0] != "H-01" || rows[0][5] != "1" || rows[0][11] != "2" || rows[0][7] != "2030-03-01" ||
		rows[0][13] != "6" || rows[0][14] != "0" {
		t.Errorf("CSV rows = %v", rows)
	}
	atom := e.atomFeed()
	if len(atom.Entries) != 1 || atom.Entries[0].Link.Href != "https://kvalitet.example.dk/offentlig/tilbud/H-01/cyklus/1/version/1" ||
		!strings.Contains(atom.Entries[0].Title, rec.InstitutionName) {
		t.Errorf("Atom entries = %+v", atom.Entries)
	}
}

// TestACorrectionKeepsTheSupersededVersionVisible: a correction is the current result in the
// feeds and on the pages, and the version it replaced stays readable, marked superseded.
func TestACorrectionKeepsTheSupersededVersionVisible(t *testing.T) {
	e := newEnv(t)
	e.publish("H-02", 1, 3, date(2030, 3, 1))
	e.publish("H-02", 1, 1, date(2030, 5, 1), func(r *store.PublishedRecord) {
		r.Correction = "Klagen blev taget til følge; konklusionen er ændret til 1."
	})
	page := text(e.ok("/offentlig/tilbud/H-02").body)
	if !strings.Contains(page, "Erstattet 1. maj 2030") || !strings.Contains(page, "Gældende") {
		t.Errorf("institution page does not show both versions:\n%s", page)
	}
	current := text(e.ok("/offentlig/tilbud/H-02/cyklus/1").body)
	if !strings.Contains(current, domain.VerdictMeets.LabelDA()) || !strings.Contains(current, "Klagen blev taget til følge") ||
		!strings.Contains(current, "Version 1") {
		t.Errorf("cycle page shows not the correction with a link to version 1:\n%s", current)
	}
	old := text(e.ok("/offentlig/tilbud/H-02/cyklus/1/version/1").body)
	if !strings.Contains(old, "Denne version blev erstattet 1. maj 2030") || !strings.Contains(old, domain.VerdictImportantAreas.LabelDA()) {
		t.Errorf("version 1 is not shown as superseded:\n%s", old)
	}
	if r := e.get("/offentlig/tilbud/H-02/cyklus/1/version/3"); r.code != http.StatusNotFound {
		t.Errorf("a version never published: %d, want 404", r.code)
	}
	f := e.jsonFeed()
	if f.Count != 1 || f.Results[0].Version != 2 || f.Results[0].Verdict != 1 {
		t.Errorf("JSON feed = %+v, want only the current version", f.Results)
	}
	if rows := e.csvFeed(); len(rows) != 1 || rows[0][6] != "2" || rows[0][16] != "true" {
		t.Errorf("CSV = %v, want version 2, corrected", rows)
	}
	if atom := e.atomFeed(); len(atom.Entries) != 2 || !strings.Contains(atom.Entries[0].Title, "rettelse") {
		t.Errorf("Atom entries = %+v, want the correction first, then the first publication", atom.Entries)
	}
}

// TestUnpublishedCyclesNeverAppear: cancelled cycles (their steps withdrawn), running and
// unfinished ones (a report submitted, not final) leave no trace on any page or feed, and
// their self-evaluations count in no comparison.
func TestUnpublishedCyclesNeverAppear(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	// H-01: published cycle 1, rated 1 throughout; its cycle 2 was cancelled, rated 4.
	e.publish("H-01", 1, 1, date(2030, 3, 1))
	e.selfEval("H-01", 1, date(2029, 3, 1), 1, "ja")
	e.selfEval("H-01", 2, date(2031, 3, 1), 4, "nej")
	// H-03 (cancelled) and N-01 (unfinished: a report submitted, not final) never published.
	for _, c := range []store.CycleRow{
		{InstitutionID: "H-01", Number: 2, Status: "cancelled"},
		{InstitutionID: "H-03", Number: 1, Status: "cancelled"},
		{InstitutionID: "N-01", Number: 1, Status: "running", CurrentStep: "hearing"},
	} {
		c.WorkflowID, c.StartDate, c.Generation, c.AnchorDate, c.AnchorTime, c.DayLengthMS, c.Revision =
			"cycle/"+c.InstitutionID, date(2030, 1, 1), 1, date(2030, 1, 1), time.Now(), 0, 1
		if err := e.st.UpsertCycle(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	e.selfEval("H-03", 1, date(2030, 3, 1), 4, "nej")
	e.selfEval("N-01", 1, date(2030, 3, 1), 4, "nej")
	if err := e.st.UpsertStep(ctx, store.StepRow{ID: "h03-se", InstitutionID: "H-03", Cycle: 1, Step: "self-evaluation",
		Title: "Selvevaluering", Region: domain.Hovedstaden, HolderID: "P-003", Opened: date(2030, 1, 1), Due: date(2030, 2, 26),
		Status: "withdrawn", Closed: date(2030, 2, 1), Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.InsertReport(ctx, store.ReportRow{ID: "n01-report", InstitutionID: "N-01", Cycle: 1, Kind: "report",
		AuthorID: "P-088", SubmittedOn: date(2030, 9, 1), Verdict: 3, Summary: "UDKAST: må ikke offentliggøres", Payload: "{}"},
		[]store.ReportAssessment{{Standard: "1.1", Met: false, Assessment: "UDKAST"}}); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/offentlig/tilbud/H-03", "/offentlig/tilbud/N-01", "/offentlig/tilbud/H-01/cyklus/2"} {
		if r := e.get(path); r.code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.code)
		}
	}
	everything := e.ok("/offentlig/").body + e.ok("/offentlig/resultater.json").body + e.ok("/offentlig/resultater.csv").body +
		e.ok("/offentlig/nyt.atom").body + e.ok("/offentlig/tilbud/H-01").body
	for _, leak := range []string{"H-03", "N-01", "Strandhaven", "Kompasset", "UDKAST", "cyklus/2"} {
		if strings.Contains(everything, leak) {
			t.Errorf("a page or feed shows %q of an unpublished cycle", leak)
		}
	}
	// The comparison holds H-01's published cycle alone: one institution, every rating 1.
	cmp := e.ok("/offentlig/sammenligning").body
	if !strings.Contains(text(cmp), "1 tilbud med offentliggjort resultat; 1 med selvevaluering") {
		t.Errorf("comparison counts other cycles:\n%s", text(cmp))
	}
	if !strings.Contains(cmp, `<td>1 (100 %)</td><td>0 (0 %)</td><td>0 (0 %)</td><td>0 (0 %)</td><td>1</td>`) ||
		strings.Contains(cmp, `<td>0 (0 %)</td><td>0 (0 %)</td><td>0 (0 %)</td><td>1 (100 %)</td>`) {
		t.Errorf("the ratings of unpublished cycles are in the comparison")
	}
}

// TestConditionalRequestsAndInvalidation: pages carry an ETag and Last-Modified of the
// latest publication and a Cache-Control; a conditional request is answered 304; a new
// publication changes both and the page, once the refresh interval has passed.
func TestConditionalRequestsAndInvalidation(t *testing.T) {
	e := newEnv(t, func(o *publicweb.Options) { o.Refresh = time.Minute })
	e.publish("H-01", 1, 2, date(2030, 3, 1))
	first := e.ok("/offentlig/tilbud/H-01")
	etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" || modified == "" || first.header.Get("Cache-Control") != "public, max-age=60" ||
		first.header.Get("Vary") != "Accept-Language" {
		t.Fatalf("headers = %v", first.header)
	}
	state, err := e.st.PublicState(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if modified != state.LatestAt.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %s, want the record's created_at %s", modified, state.LatestAt.Format(http.TimeFormat))
	}
	if r := e.get("/offentlig/tilbud/H-01", "If-None-Match: "+etag); r.code != http.StatusNotModified || r.body != "" {
		t.Errorf("If-None-Match: %d, want 304", r.code)
	}
	if r := e.get("/offentlig/tilbud/H-01", "If-Modified-Since: "+modified); r.code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d, want 304", r.code)
	}
	if r := e.get("/offentlig/tilbud/H-01", "If-None-Match: "+etag, "Accept-Language: en"); r.code != http.StatusOK ||
		r.header.Get("ETag") == etag {
		t.Errorf("English with the Danish ETag: %d, ETag %s; want 200 and another ETag", r.code, r.header.Get("ETag"))
	}
	if r := e.ok("/offentlig/resultater.json"); r.header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("feed Cache-Control = %q", r.header.Get("Cache-Control"))
	}

	e.publish("H-01", 1, 1, date(2030, 6, 1), func(r *store.PublishedRecord) { r.Correction = "Klage" })
	if r := e.get("/offentlig/tilbud/H-01", "If-None-Match: "+etag); r.code != http.StatusNotModified {
		t.Errorf("within the refresh interval: %d, want the cached 304", r.code)
	}
	e.now = e.now.Add(time.Minute)
	r := e.get("/offentlig/tilbud/H-01", "If-None-Match: "+etag)
	if r.code != http.StatusOK || r.header.Get("ETag") == etag || !strings.Contains(r.body, "Erstattet") {
		t.Errorf("after the refresh interval: %d, ETag %s; want 200, a new ETag and the correction", r.code, r.header.Get("ETag"))
	}
	if r.header.Get("Last-Modified") == modified {
		t.Error("Last-Modified did not move with the new publication")
	}
	if r := e.ok("/offentlig/static/offentlig.css"); !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet served as %q", r.header.Get("Content-Type"))
	}
}

// TestLanguages: Danish by default, English by Accept-Language or ?lang=en, whose links keep
// the language.
func TestLanguages(t *testing.T) {
	e := newEnv(t)
	e.publish("H-01", 1, 2, date(2030, 3, 1))
	da := e.ok("/offentlig/tilbud/H-01").body
	if !strings.Contains(da, `<html lang="da">`) || !strings.Contains(da, domain.VerdictSomeAreas.LabelDA()) {
		t.Error("the default page is not Danish")
	}
	en := e.ok("/offentlig/tilbud/H-01", "Accept-Language: en-GB,en;q=0.9,da;q=0.5").body
	if !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, domain.VerdictSomeAreas.LabelEN()) ||
		!strings.Contains(en, "Capital Region of Denmark") {
		t.Error("Accept-Language: en-GB does not give English")
	}
	if prefer := e.ok("/offentlig/tilbud/H-01", "Accept-Language: da, en;q=0.8").body; !strings.Contains(prefer, `<html lang="da">`) {
		t.Error("Danish preferred over English does not give Danish")
	}
	q := e.ok("/offentlig/tilbud/H-01?lang=en", "Accept-Language: da").body
	if !strings.Contains(q, `<html lang="en">`) || !strings.Contains(q, `href="/offentlig/tilbud/H-01/cyklus/1/version/1?lang=en"`) {
		t.Error("?lang=en does not give English with links that keep it")
	}
}

// TestSearch: by name (any case, æ as ae), region, municipality and target group, with paging
// and refusals of unknown values.
func TestSearch(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"H-01", "H-02", "S-02", "Y-01", "M-04", "N-03", "N-04"} {
		e.publish(id, 1, 2, date(2030, 3, 1))
	}
	names := func(path string) []string {
		t.Helper()
		r := e.get(path)
		var out []string
		for _, m := range regexp.MustCompile(`<th scope="row"><a href="/offentlig/tilbud/([^"?]+)[^"]*">`).FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/offentlig/", []string{"H-01", "H-02", "M-04", "N-03", "N-04", "S-02", "Y-01"}},
		{"/offentlig/?navn=FJORDH%C3%98J", []string{"S-02"}},
		{"/offentlig/?navn=fjordhoej", []string{"S-02"}},
		{"/offentlig/?navn=n-04", []string{"N-04"}},
		{"/offentlig/?region=nordjylland", []string{"N-03", "N-04"}},
		{"/offentlig/?region=Region+Sj%C3%A6lland", []string{"S-02"}},
		{"/offentlig/?kommune=aarhus-kommune", []string{"M-04"}},
		{"/offentlig/?kommune=Odense", []string{"Y-01"}},
		{"/offentlig/?maalgruppe=mental-illness", []string{"M-04", "N-04"}},
		{"/offentlig/?maalgruppe=autism&region=hovedstaden", []string{"H-01", "H-02"}},
		{"/offentlig/?navn=findes+ikke", nil},
	} {
		if got := names(c.path); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	for _, bad := range []string{"/offentlig/?region=jylland", "/offentlig/?kommune=Atlantis", "/offentlig/?maalgruppe=alle",
		"/offentlig/?side=0", "/offentlig/?navn=" + strings.Repeat("x", 201), "/offentlig/sammenligning?maalgruppe=x"} {
		if r := e.get(bad); r.code != http.StatusBadRequest || !strings.Contains(r.body, `role="alert"`) {
			t.Errorf("%s: %d, want 400 with the problem", bad, r.code)
		}
	}
	page := e.ok("/offentlig/?maalgruppe=autism").body
	for _, want := range []string{`<label for="navn">`, `<label for="region">`, `<label for="kommune">`, `<label for="maalgruppe">`,
		`<option value="autism" selected>`, `<option value="aarhus-kommune">Aarhus Kommune</option>`, `role="search"`} {
		if !strings.Contains(page, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
}

func TestSearchPages(t *testing.T) {
	e := newEnv(t)
	institutions, err := e.st.ListInstitutions(t.Context(), store.InstitutionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range institutions {
		e.publish(in.ID, 1, 1, date(2030, 3, 1))
	}
	first := e.ok("/offentlig/").body
	if n := strings.Count(first, `<th scope="row"><a href="/offentlig/tilbud/`); n != 40 && n != len(institutions) && n != 50 {
		t.Errorf("first page lists %d of %d", n, len(institutions))
	}
	if len(institutions) > 50 && !strings.Contains(first, `rel="next"`) {
		t.Error("no link to the next page")
	}
	if r := e.ok("/offentlig/?side=99"); !strings.Contains(r.body, "<th scope=\"row\">") {
		t.Error("a page past the end does not show the last page")
	}
}

// TestComparisonPage: charts and their tables for a target group, per region and nationally.
func TestComparisonPage(t *testing.T) {
	e := newEnv(t)
	e.publish("H-02", 1, 1, date(2030, 3, 1)) // autism, Hovedstaden
	e.selfEval("H-02", 1, date(2029, 3, 1), 1, "92 %")
	e.publish("N-03", 1, 3, date(2030, 3, 1)) // autism, Nordjylland
	e.selfEval("N-03", 1, date(2029, 3, 1), 3, "80 %")
	e.publish("M-04", 1, 2, date(2030, 3, 1)) // mental illness
	page := e.ok("/offentlig/sammenligning?maalgruppe=autism").body
	for _, want := range []string{`id="chart-verdicts"`, `id="chart-ratings"`, `<svg `, `role="img"`, `<caption>`,
		`<th scope="row">Hele landet</th><td>1 (50 %)</td><td>0 (0 %)</td><td>1 (50 %)</td><td>2</td>`,
		`<th scope="row">Region Nordjylland</th><td>0 (0 %)</td><td>0 (0 %)</td><td>1 (100 %)</td><td>1</td>`,
		"2 tilbud med offentliggjort resultat; 2 med selvevaluering", `<option value="autism" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("comparison page lacks %s", want)
		}
	}
	if !strings.Contains(text(page), "1.1 ") || !strings.Contains(text(page), "2 (2)") {
		t.Errorf("mean ratings table missing:\n%s", text(page))
	}
	north := e.ok("/offentlig/sammenligning?maalgruppe=autism&region=nordjylland&lang=en").body
	if !strings.Contains(north, "1 institutions with a published result") || !strings.Contains(north, "North Denmark Region") {
		t.Errorf("English Nordjylland comparison:\n%s", text(north))
	}
}

// TestPageCacheAtItsLimit: a full page cache starts again, and pages stay right; parameters
// no page reads do not change a page.
func TestPageCacheAtItsLimit(t *testing.T) {
	e := newEnv(t, func(o *publicweb.Options) { o.PageCache = 2 })
	ids := []string{"H-01", "H-02", "H-03", "N-01", "N-02"}
	for _, id := range ids {
		e.publish(id, 1, 1, date(2030, 3, 1))
	}
	for range 2 {
		for _, id := range ids {
			in, err := e.st.Institution(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if body := e.ok("/offentlig/tilbud/" + id + "?utm_source=" + id).body; !strings.Contains(body, "<h1>"+in.Name+"</h1>") {
				t.Errorf("%s: the page of another institution", id)
			}
		}
	}
	if r := e.get("/offentlig/tilbud/H-01", "If-None-Match: *"); r.code != http.StatusNotModified {
		t.Errorf("If-None-Match: * = %d, want 304", r.code)
	}
}
