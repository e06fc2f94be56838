package publicweb_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publicweb"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

// exampleStore is a fresh SQLite store, seeded, with the example registry (examples/*.csv):
// 40 institutions and 142 people.
func exampleStore(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "accredit.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.ImportInstitutions(ctx, st, filepath.Join("..", "examples", "institutions.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.ImportPeople(ctx, st, filepath.Join("..", "examples", "people.csv"), domain.NewDate(2026, 11, 22)); err != nil {
		t.Fatal(err)
	}
	return st
}

// env is a store with the example registry and the public pages on it.
type env struct {
	t   *testing.T
	st  *store.Store
	h   *publicweb.Handler
	now time.Time
	// stamp is the store's clock (created_at); each publish moves it a minute on.
	stamp time.Time
}

// newEnv opens the example store; the pages look at the store on every request unless opts
// say otherwise.
func newEnv(t *testing.T, opts ...func(*publicweb.Options)) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2031, 2, 1, 12, 0, 0, 0, time.UTC), stamp: time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)}
	e.st = exampleStore(t, store.WithClock(func() time.Time { return e.stamp }))
	o := publicweb.Options{Refresh: -1, BaseURL: "https://kvalitet.example.dk", Now: func() time.Time { return e.now }}
	for _, f := range opts {
		f(&o)
	}
	e.h = publicweb.New(e.st, o)
	return e
}

func date(y int, m time.Month, d int) domain.Date { return domain.NewDate(y, m, d) }

// publish writes a published record of an institution's cycle, as the publication step
// composes it: the registry's facts, every standard of generation 1 assessed (met when the
// verdict is 1), the given verdict.
func (e *env) publish(inst string, cycle, verdict int, on domain.Date, edit ...func(*store.PublishedRecord)) store.PublishedRecord {
	e.t.Helper()
	ctx := context.Background()
	in, err := e.st.Institution(ctx, inst)
	if err != nil {
		e.t.Fatal(err)
	}
	rec := store.PublishedRecord{InstitutionID: in.ID, InstitutionName: in.Name, Region: in.Region,
		Municipality: in.Municipality, TargetGroups: in.TargetGroups, Cycle: cycle, PublishedOn: on,
		VisitOn: on.AddDays(-70), Verdict: verdict, FinalOn: on.AddDays(-3), Generation: 1,
		Summary: fmt.Sprintf("Sammenfatning for %s, cyklus %d.", in.ID, cycle), Suggestions: "Handleplanerne bør revideres oftere.",
		AreasToImprove: []string{}}
	for _, t := range domain.FirstGeneration().Themes {
		theme := store.PublishedTheme{Code: t.Code, Name: t.Name}
		for _, st := range t.Standards {
			met := verdict == 1
			theme.Standards = append(theme.Standards, store.PublishedStandard{Code: st.Code, Title: st.Title, Met: met,
				Assessment: "Vurderet på baggrund af interview og dokumentation."})
			if !met {
				rec.AreasToImprove = append(rec.AreasToImprove, st.Code)
			}
		}
		rec.Themes = append(rec.Themes, theme)
	}
	for _, f := range edit {
		f(&rec)
	}
	e.stamp = e.stamp.Add(time.Minute)
	out, err := e.st.PublishRecord(ctx, rec)
	if err != nil {
		e.t.Fatalf("publish %s/%d: %v", inst, cycle, err)
	}
	return out
}

// selfEval records a self-evaluation of a cycle rating every standard r and giving every
// indicator value.
func (e *env) selfEval(inst string, cycle int, on domain.Date, r int, value string) {
	e.t.Helper()
	var ratings []store.Rating
	indicators := map[string]string{}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		ratings = append(ratings, store.Rating{Standard: st.Code, Rating: r})
		for _, ind := range st.ActiveIndicators() {
			indicators[ind.Code] = value
		}
	}
	sub := store.Submission{ID: fmt.Sprintf("cycle/%s/%d/se-%s", inst, cycle, on), InstitutionID: inst, Cycle: cycle,
		Step: "self-evaluation", Kind: "self-evaluation", SubmittedBy: "P-001", SubmittedOn: on, Payload: "{}"}
	if err := e.st.InsertSubmission(context.Background(), sub, ratings, indicators); err != nil {
		e.t.Fatal(err)
	}
}

// response is a finished request.
type response struct {
	code   int
	header http.Header
	body   string
}

// get requests path with headers given as "Name: value".
func (e *env) get(path string, headers ...string) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	body, _ := io.ReadAll(w.Result().Body)
	return response{code: w.Code, header: w.Result().Header, body: string(body)}
}

// ok requests path and fails the test unless it answers 200.
func (e *env) ok(path string, headers ...string) response {
	e.t.Helper()
	r := e.get(path, headers...)
	if r.code != http.StatusOK {
		e.t.Fatalf("GET %s: %d\n%s", path, r.code, r.body)
	}
	return r
}

var tags = regexp.MustCompile(`<[^>]*>`)

// text is a page's text without its tags and with spaces collapsed.
func text(html string) string {
	return strings.Join(strings.Fields(tags.ReplaceAllString(html, " ")), " ")
}
