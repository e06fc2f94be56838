package publicweb_test

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

// crawl requests every public page reachable from the front page and the comparisons (each
// target group and region), in both languages, and the three feeds; it returns each body by
// path.
func (e *env) crawl() map[string]string {
	e.t.Helper()
	seen := map[string]string{}
	queue := []string{"/offentlig/", "/offentlig/resultater.json", "/offentlig/resultater.csv", "/offentlig/nyt.atom",
		"/offentlig/resultater.csv?lang=en", "/offentlig/nyt.atom?lang=en"}
	for _, g := range append([]domain.TargetGroup{""}, domain.TargetGroups()...) {
		for _, r := range publication.Scopes() {
			queue = append(queue, fmt.Sprintf("/offentlig/sammenligning?maalgruppe=%s&region=%s", g, r))
		}
	}
	link := regexp.MustCompile(`href="(/offentlig/[^"]*)"`)
	for len(queue) > 0 && len(seen) < 5000 {
		path := queue[0]
		queue = queue[1:]
		if _, ok := seen[path]; ok {
			continue
		}
		r := e.get(path)
		if r.code != 200 {
			e.t.Errorf("GET %s: %d", path, r.code)
		}
		seen[path] = r.body
		for _, m := range link.FindAllStringSubmatch(r.body, -1) {
			next := html.UnescapeString(m[1])
			if strings.HasPrefix(next, "/offentlig/static/") {
				continue
			}
			if _, ok := seen[next]; !ok {
				queue = append(queue, next)
			}
		}
	}
	return seen
}

// TestNoPersonalOrPrivateDataIsPublished tries to leak: the registry's people, reviewers'
// and visit notes, drafts, self-evaluation notes and participants, holders of steps, the
// audit trail, and published texts that name people (a comment with a name and an e-mail
// address, an assessment naming the lead reviewer, a correction naming the secretary, a
// summary with a person's ID and a CPR number). No page, feed or annual report shows a
// person's name, e-mail address, ID or Slack ID, nor any of the private texts.
func TestNoPersonalOrPrivateDataIsPublished(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	people, err := e.st.ListPeople(ctx, store.PersonFilter{})
	if err != nil || len(people) < 100 {
		t.Fatalf("people: %d, %v", len(people), err)
	}
	byID := map[string]store.Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	manager, lead, secretary := byID["P-001"], byID["P-088"], byID["P-131"]
	if manager.Name == "" || lead.Name == "" || secretary.Name == "" {
		t.Fatalf("the example registry lacks P-001, P-088 or P-131")
	}
	private := []string{"PRIVAT-besøgsnote", "PRIVAT-udkast", "PRIVAT-selvevalueringsnote", "PRIVAT-deltager",
		"PRIVAT-trinnote", "PRIVAT-audit", "PRIVAT-kladde"}

	// What the public may read, with names written into its free texts.
	e.publish("H-01", 1, 2, date(2030, 3, 1), func(r *store.PublishedRecord) {
		r.Summary = fmt.Sprintf("Teamet (ledet af %s, %s) fandt et velfungerende tilbud. CPR 010190-1234 nævnt ved en fejl.", lead.Name, lead.ID)
		r.Comments = []store.PublishedComment{
			{On: date(2030, 2, 10), Text: fmt.Sprintf("Som %s (%s) skrev til teamet, har tilbuddet 14 pladser.", manager.Name, manager.Email)},
			{On: date(2030, 2, 11), Text: "Tallet for sygefravær er fra 2029, ikke 2030."},
			{On: date(2030, 2, 12), Text: fmt.Sprintf("Kontakt %s på Slack (%s).", strings.ToUpper(manager.Name), manager.SlackUserID)},
		}
		r.Themes[0].Standards[0].Assessment = fmt.Sprintf("Ifølge %s er ledelsesstrukturen klar.", lead.Name)
	})
	e.publish("H-01", 1, 1, date(2030, 6, 1), func(r *store.PublishedRecord) {
		r.Correction = fmt.Sprintf("Klagen blev afgjort af %s (%s).", secretary.Name, secretary.Email)
	})
	e.publish("N-04", 1, 3, date(2030, 4, 1))
	e.selfEval("H-01", 1, date(2029, 3, 1), 2, fmt.Sprintf("ja, jf. %s", manager.Name))
	e.selfEval("N-04", 1, date(2029, 3, 1), 3, "71 % (oplyst af "+byID["P-004"].Email+")")

	// What the public may never read.
	if err := e.st.InsertSubmission(ctx, store.Submission{ID: "h01-se-private", InstitutionID: "H-01", Cycle: 1,
		Step: "self-evaluation", Kind: "self-evaluation", SubmittedBy: manager.ID, SubmittedOn: date(2028, 3, 1),
		Payload: fmt.Sprintf(`{"participants":["%s, forstander", "PRIVAT-deltager"]}`, manager.Name)},
		[]store.Rating{{Standard: "1.1", Rating: 4, Note: "PRIVAT-selvevalueringsnote om " + manager.Name}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.st.InsertSubmission(ctx, store.Submission{ID: "h01-comment", InstitutionID: "H-01", Cycle: 1, Step: "hearing",
		Kind: "comment", SubmittedBy: manager.ID, SubmittedOn: date(2030, 2, 10),
		Payload: `{"text":"PRIVAT-kladde ` + manager.Email + `"}`}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpsertVisit(ctx, store.VisitRow{ID: "h01-visit", InstitutionID: "H-01", Cycle: 1, Kind: "visit",
		VisitOn: date(2029, 12, 1), SetBy: lead.ID, RecordedOn: date(2029, 12, 1), RecordedBy: lead.ID,
		Notes: "PRIVAT-besøgsnote: interview med " + manager.Name, Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.InsertReport(ctx, store.ReportRow{ID: "h01-report", InstitutionID: "H-01", Cycle: 1, Kind: "report",
		AuthorID: lead.ID, SubmittedOn: date(2030, 1, 5), Verdict: 2, Summary: "PRIVAT-udkast af " + lead.Name,
		Payload: `{"team":["` + lead.Name + `"]}`}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpsertAssignment(ctx, store.AssignmentRow{ID: "h01-lead", InstitutionID: "H-01", Cycle: 1, Role: "lead",
		PersonID: lead.ID, Status: "accepted", InvitedOn: date(2029, 9, 1), AnswerDue: date(2029, 9, 6), Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpsertStep(ctx, store.StepRow{ID: "h01-report-step", InstitutionID: "H-01", Cycle: 1, Step: "report",
		Title: "Rapport ved " + lead.Name, Region: domain.Hovedstaden, HolderID: lead.ID, HolderRole: "reviewer",
		Opened: date(2029, 12, 1), Due: date(2029, 12, 29), Status: "done", Closed: date(2030, 1, 5), ClosedBy: lead.ID,
		Note: "PRIVAT-trinnote", Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Audit(ctx, store.AuditEntry{ID: "a1", At: time.Now(), ActorID: secretary.ID, Action: "decide",
		InstitutionID: "H-01", Cycle: 1, Details: "PRIVAT-audit " + secretary.Name}); err != nil {
		t.Fatal(err)
	}

	pages := e.crawl()
	if len(pages) < 20 {
		t.Fatalf("crawled only %d pages", len(pages))
	}
	for _, l := range []publication.Lang{publication.Danish, publication.English} {
		for _, region := range []domain.Region{"", domain.Hovedstaden} {
			r, err := publication.LoadAnnual(ctx, e.st, 2030, region)
			if err != nil {
				t.Fatal(err)
			}
			page, err := r.HTML(l)
			if err != nil {
				t.Fatal(err)
			}
			var csv bytes.Buffer
			if err := r.CSV(&csv); err != nil {
				t.Fatal(err)
			}
			pages[fmt.Sprintf("annual report %s %s (html)", region, l)] = string(page)
			pages[fmt.Sprintf("annual report %s %s (csv)", region, l)] = csv.String()
		}
	}
	// The published texts are there, without the names.
	cycle := pages["/offentlig/tilbud/H-01/cyklus/1/version/1"]
	for _, want := range []string{"fandt et velfungerende tilbud", "har tilbuddet 14 pladser", "Tallet for sygefravær er fra 2029",
		"er ledelsesstrukturen klar", publication.Omitted} {
		if !strings.Contains(cycle, html.EscapeString(want)) {
			t.Errorf("version 1 of H-01's cycle lacks %q", want)
		}
	}
	leaks := 0
	for path, body := range pages {
		lower := strings.ToLower(html.UnescapeString(body))
		for _, p := range people {
			for _, term := range []string{p.Name, p.Email, p.ID, p.SlackUserID} {
				if term != "" && strings.Contains(lower, strings.ToLower(term)) {
					leaks++
					if leaks < 20 {
						t.Errorf("%s shows %q (of %s)", path, term, p.ID)
					}
				}
			}
		}
		for _, term := range append(private, "010190-1234") {
			if strings.Contains(body, term) {
				t.Errorf("%s shows %q", path, term)
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d leaks of a person's name, e-mail, ID or Slack ID in %d pages", leaks, len(pages))
	}
}
