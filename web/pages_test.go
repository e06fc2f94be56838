package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestEveryPageRenders: each page, as someone who may see it, answers 200 with its landmarks
// and the content that makes it what it is, in Danish by default and in English on request.
func TestEveryPageRenders(t *testing.T) {
	e := newEnv(t)
	doc := "/institutions/H-01/document?id=cycle/H-01/1~x/self-evaluation-1/self-evaluation"
	report := "/institutions/H-02/document?id=cycle/H-02/1~x/external-evaluation/report"
	cases := []struct {
		name, who, path string
		want            []string
	}{
		{"sign-in", "", "/signin", []string{"Log ind", "personligt link"}},
		{"dashboard", managerNat, "/dashboard", []string{"4 åbne trin, heraf 1 over fristen", "Bostedet Kildegården", "Region Sjælland", "Antal pr. region og trin"}},
		{"dashboard filtered", managerNat, "/dashboard?region=sjaelland&step=self-evaluation&overdue=1", []string{"1 åbne trin", "Hanne Winther", "14"}},
		{"dashboard of a region", secretariatH, "/dashboard", []string{"Du ser Region Hovedstaden", "Lindevang"}},
		{"tasks of a reviewer", reviewerLead, "/tasks", []string{"1 åbne opgaver", "Invitation til holdet (ledende bedømmer)", "Lindevang"}},
		{"tasks of the secretariat", secretariatH, "/tasks", []string{"Udpegning ved sekretariatet"}},
		{"tasks of a manager", managerNat, "/tasks", []string{"ingen åbne opgaver"}},
		{"institution", managerH, "/institutions/H-01", []string{"Registeroplysninger", "Serviceloven §108", "Tidslinje", "Selvevaluering år 1", "udført", "Selvevaluering år 3", "Invitation til holdet", "åben nu", "Offentliggørelse", "Næste cyklus begynder", "2027-01-08", "Evalueringshold", "Mette Petersen"}},
		{"institution with tools", secretariatH, "/institutions/H-01", []string{"Sekretariatets værktøjer"}},
		{"self-evaluation document", reviewerLead, doc, []string{"Selvevaluering år 1", "Ledelse", "Overvejende opfyldt", "Ledelsen holder &lt;b&gt;månedlige&lt;/b&gt; møder.", "Indikatorer for standard 1.1", "eksempel"}},
		{"report document", managerH2, report, []string{"Samlet vurdering", "2: Enkelte områder skal forbedres", "Tilbuddet arbejder systematisk", "Ikke opfyldt"}},
		{"invitation task", reviewerLead, "/task?step=" + e.ids["h01-invitation"], []string{"Invitation som ledende bedømmer", "Ja tak, jeg deltager", "Nej tak", "Læs før du handler", "Selvevaluering år 1"}},
		{"self-evaluation task", managerS, "/task?step=" + e.ids["s01-se1"], []string{"Aflever selvevalueringen", "1.1", "Opfyldt", "Deltagere", "14 dage over fristen"}},
		{"hearing task", managerH2, "/task?step=" + e.ids["h02-hearing"], []string{"Bemærkninger til faktuelle fejl", "Rapport"}},
		{"manual assignment task", secretariatH, "/task?step=" + e.ids["h01-manual"], []string{"pårørenderepræsentant", "Person-ID", "Tilsidesæt regler", "Ingen interessekonflikt"}},
		{"secretariat's tools", secretariatH, "/institutions/H-01/manage", []string{"Forlæng fristen", "Frafald trinnet", "Udpeg eller erstat", "Annullér cyklussen", "lead training; another region"}},
		{"start of a cycle", secretariatH, "/institutions/H-03/manage", []string{"Start cyklussen"}},
		{"start of a region", national, "/cycles/start", []string{"Start cyklusserne", "Region Nordjylland"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.anonymous()
			if tc.who != "" {
				c = e.as(tc.who)
			}
			r := c.get(tc.path)
			if r.Code != http.StatusOK {
				t.Fatalf("GET %s as %s = %d\n%s", tc.path, tc.who, r.Code, text(r.body))
			}
			for _, landmark := range []string{`<html lang="da">`, `<main id="main"`, `class="skip" href="#main"`, `<h1>`, `<header`, `<footer`} {
				if !strings.Contains(r.body, landmark) {
					t.Errorf("the page lacks %s", landmark)
				}
			}
			page := r.body
			for _, w := range tc.want {
				if !strings.Contains(text(page), w) && !strings.Contains(page, w) {
					t.Errorf("GET %s as %s lacks %q:\n%s", tc.path, tc.who, w, text(page))
				}
			}
			if got := r.Header().Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'none'") {
				t.Errorf("Content-Security-Policy = %q", got)
			}
			// In English too.
			c.lang = "en-GB,en;q=0.9,da;q=0.5"
			if r := c.get(tc.path); r.Code != http.StatusOK || !strings.Contains(r.body, `<html lang="en">`) {
				t.Errorf("in English: %d, lang attribute missing", r.Code)
			}
		})
	}
}

// TestDashboardCSV: the export has every open step the filter matches, with a header, and a
// name that starts like a formula is defused.
func TestDashboardCSV(t *testing.T) {
	e := newEnv(t)
	r := e.as(managerNat).get("/dashboard.csv?overdue=1")
	if r.Code != http.StatusOK || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("GET /dashboard.csv = %d %s", r.Code, r.Header().Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.body, "\ufeff")), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "institution_id,institution,region,cycle,step") ||
		!strings.HasPrefix(lines[1], "S-01,Bostedet Kildegården,sjaelland,1,self-evaluation,P-009,Hanne Winther") ||
		!strings.HasSuffix(strings.TrimSpace(lines[1]), ",14,0") {
		t.Errorf("CSV:\n%s", r.body)
	}
	all := e.as(managerNat).get("/dashboard.csv")
	if n := strings.Count(strings.TrimSpace(all.body), "\n"); n != 4 {
		t.Errorf("unfiltered CSV has %d rows, want 4:\n%s", n, all.body)
	}
	if got := csvSafe("=HYPERLINK(\"x\")"); got != "'=HYPERLINK(\"x\")" {
		t.Errorf("csvSafe = %q", got)
	}
}

// TestDashboardRefusesUnknownFilters names the bad filter instead of showing nothing.
func TestDashboardRefusesUnknownFilters(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"region=atlantis", "step=lunch", "page=0", "institution=" + strings.Repeat("x", 65)} {
		if r := e.as(managerNat).get("/dashboard?" + q); r.Code != http.StatusBadRequest {
			t.Errorf("/dashboard?%s = %d, want 400", q, r.Code)
		}
	}
}

// TestDashboardPages: 100 steps a page, the counts over all of them.
func TestDashboardPages(t *testing.T) {
	e := newEnv(t)
	seedOpenSteps(t, e.st, 250, e.now)
	r := e.as(managerNat).get("/dashboard?page=2")
	if r.Code != http.StatusOK || !strings.Contains(text(r.body), "Side 2 af 3") || strings.Count(r.body, `href="/institutions/`) != 100 {
		t.Fatalf("page 2: %d, %d links\n%s", r.Code, strings.Count(r.body, `href="/institutions/`), text(r.body)[:500])
	}
	if !strings.Contains(text(r.body), "254 åbne trin") {
		t.Errorf("the summary does not count every step")
	}
}

// TestTextDocuments: a comment, an action plan, an appeal and a decision read as what was
// written, with the areas and the verdict where they have them; a document of another
// institution is not found through this one's page.
func TestTextDocuments(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	docs := []struct {
		id, kind string
		payload  any
		want     []string
	}{
		{"c/comment", "comment", workflows.Comment{Action: workflows.Action{Actor: managerH2}, Text: "Side 3: vi har 28 pladser, ikke 26."},
			[]string{"Bemærkninger i høringen", "Side 3: vi har 28 pladser, ikke 26."}},
		{"c/plan", "action-plan", workflows.ActionPlan{Action: workflows.Action{Actor: managerH2}, Plan: "Nye referater hver måned.", Areas: []string{"1.1", "5.1"}},
			[]string{"Handleplan", "Nye referater hver måned.", "1.1, 5.1"}},
		{"c/appeal", "appeal", workflows.Appeal{Action: workflows.Action{Actor: managerH2}, Reason: "Vurderingen af 2.1 bygger på en fejl."},
			[]string{"Klage", "bygger på en fejl"}},
		{"c/decision", "decision", workflows.Decision{Action: workflows.Action{Actor: secretariatH}, Verdict: 1, Reason: "Klagen tages til følge."},
			[]string{"Afgørelse", "1: Standarderne er opfyldt", "Klagen tages til følge."}},
	}
	for _, d := range docs {
		if err := e.st.InsertSubmission(ctx, store.Submission{ID: d.id, InstitutionID: "H-02", Cycle: 1, Step: "hearing",
			Kind: d.kind, SubmittedBy: managerH2, SubmittedOn: domain.NewDate(2027, 2, 10), Payload: store.Payload(d.payload)}, nil, nil); err != nil {
			t.Fatal(err)
		}
		r := e.as(managerRegH).get("/institutions/H-02/document?id=" + d.id)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d", d.kind, r.Code)
		}
		for _, w := range d.want {
			if !strings.Contains(text(r.body), w) {
				t.Errorf("%s lacks %q: %s", d.kind, w, text(r.body))
			}
		}
	}
	if r := e.as(managerNat).get("/institutions/H-01/document?id=c/comment"); r.Code != http.StatusNotFound {
		t.Errorf("H-02's comment through H-01's page = %d, want 404", r.Code)
	}
	// The hearing's task lists the report and the comment to read first.
	r := e.as(managerH2).get("/task?step=" + e.ids["h02-hearing"])
	if !strings.Contains(text(r.body), "Læs før du handler Rapport (2027-02-01)") || !strings.Contains(text(r.body), "Bemærkninger i høringen (2027-02-10)") {
		t.Errorf("the hearing's task does not list the documents:\n%s", text(r.body))
	}
}

// TestStepsOfOthersAndClosedSteps: a closed step of one's own leads to the institution; an
// unknown step is not found; another person's closed step is refused.
func TestStepsOfOthersAndClosedSteps(t *testing.T) {
	e := newEnv(t)
	if r := e.as(managerH).get("/task?step=" + e.ids["h01-se1"]); r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/institutions/H-01" {
		t.Errorf("own closed step = %d %s", r.Code, r.Header().Get("Location"))
	}
	if r := e.as(managerH).get("/task?step=nothing"); r.Code != http.StatusNotFound {
		t.Errorf("unknown step = %d", r.Code)
	}
	if r := e.as(reviewerLead).get("/task?step=" + e.ids["h01-se1"]); r.Code != http.StatusForbidden {
		t.Errorf("another person's closed step = %d", r.Code)
	}
	if r := e.as(managerNat).get("/institutions/X-99"); r.Code != http.StatusNotFound {
		t.Errorf("unknown institution = %d", r.Code)
	}
	if r := e.anonymous().get("/nowhere"); r.Code != http.StatusNotFound {
		t.Errorf("unknown path = %d", r.Code)
	}
	if r := e.anonymous().get("/healthz"); r.Code != http.StatusOK {
		t.Errorf("/healthz = %d", r.Code)
	}
	if r := e.anonymous().get("/static/style.css"); r.Code != http.StatusOK || !strings.Contains(r.body, ":focus-visible") {
		t.Errorf("the style sheet = %d", r.Code)
	}
}

// TestWhyNot: the secretariat asks why a person is not on a team, and gets every rule that
// keeps them off each seat their role can hold, with the fact.
func TestWhyNot(t *testing.T) {
	e := newEnv(t)
	// P-041 works at H-01 and is in Region Hovedstaden, as H-01 is.
	r := e.as(secretariatH).get("/institutions/H-01/manage?whynot=P-041")
	for _, w := range []string{"Susanne Kristiansen kan ikke være ledende bedømmer:", "Anden region:", "Ikke ansat der for nylig:"} {
		if !strings.Contains(text(r.body), w) {
			t.Errorf("why-not lacks %q:\n%s", w, text(r.body))
		}
	}
	if r := e.as(secretariatH).get("/institutions/H-01/manage?whynot=P-001"); !strings.Contains(text(r.body), "only reviewers and representatives") {
		t.Errorf("why-not of a manager: %s", text(r.body))
	}
	if r := e.as(managerNat).get("/institutions/H-01/manage?whynot=P-041"); r.Code != http.StatusForbidden {
		t.Errorf("a manager asked why-not: %d", r.Code)
	}
}
