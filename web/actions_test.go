package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestFormsSendWhatWasTyped: each form reaches the cycles client as the payload the
// workflow takes, with the signed-in person as the actor.
func TestFormsSendWhatWasTyped(t *testing.T) {
	e := newEnv(t)
	se := "/task?step=" + url.QueryEscape(e.ids["s01-se1"])
	form := url.Values{"action": {"submit"}, "participants": {"Hanne Winther\n\n  Medarbejder A "}}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		form.Set("rating-"+st.Code, "3")
		form.Set("note-"+st.Code, "Note om "+st.Code)
		for _, ind := range st.ActiveIndicators() {
			form.Set("indicator-"+ind.Code, "92 %")
		}
	}
	if r := e.as(managerS).post(se, form); r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/tasks?done=1" {
		t.Fatalf("submit = %d %s\n%s", r.Code, r.Header().Get("Location"), text(r.body))
	}
	calls := e.cycles.Calls()
	sub := calls[len(calls)-1].Payload.(workflows.SelfEvaluationSubmission)
	if calls[len(calls)-1].Institution != "S-01" || sub.Actor != managerS || sub.Ratings["2.1"] != 3 ||
		sub.Notes["1.1"] != "Note om 1.1" || sub.Indicators["1.1.1"] != "92 %" ||
		strings.Join(sub.Participants, "|") != "Hanne Winther|Medarbejder A" {
		t.Errorf("self-evaluation sent: %+v", sub)
	}
	if len(sub.Ratings) != len(domain.FirstGeneration().ActiveStandards()) {
		t.Errorf("%d ratings sent", len(sub.Ratings))
	}

	inv := "/task?step=" + url.QueryEscape(e.ids["h01-invitation"])
	if r := e.as(reviewerLead).post(inv, url.Values{"action": {"decline"}, "reason": {"På ferie i uge 12"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("decline = %d", r.Code)
	}
	calls = e.cycles.Calls()
	if ans := calls[len(calls)-1].Payload.(workflows.InvitationAnswer); ans.Accept || ans.Reason != "På ferie i uge 12" || ans.Actor != reviewerLead {
		t.Errorf("decline sent: %+v", ans)
	}

	extend := url.Values{"step": {"invitation/lead/1"}, "due": {"2027-03-20"}, "reason": {"Ferie"}}
	if r := e.as(secretariatH).post("/institutions/H-01/extend", extend); r.Code != http.StatusSeeOther ||
		r.Header().Get("Location") != "/institutions/H-01/manage?done=manage.extended" {
		t.Fatalf("extend = %d %s", r.Code, r.Header().Get("Location"))
	}
	calls = e.cycles.Calls()
	if ext := calls[len(calls)-1].Payload.(workflows.Extension); ext.Step != "invitation/lead/1" || ext.NewDue != domain.NewDate(2027, 3, 20) || ext.Actor != secretariatH {
		t.Errorf("extension sent: %+v", ext)
	}
	if r := e.as(secretariatH).get("/institutions/H-01/manage?done=manage.extended"); !strings.Contains(text(r.body), "Fristen er forlænget") {
		t.Errorf("the tools do not say the deadline was extended")
	}
}

// TestRefusalKeepsWhatWasTyped: the workflow's refusal is shown beside the form (422), and
// every field comes back as it was typed.
func TestRefusalKeepsWhatWasTyped(t *testing.T) {
	e := newEnv(t)
	e.cycles.refuseWith = "self-evaluation for 2027 is missing standard 3.1 (Kompetenceudvikling)"
	se := "/task?step=" + url.QueryEscape(e.ids["s01-se1"])
	form := url.Values{"action": {"submit"}, "rating-1.1": {"2"}, "note-1.1": {"Vores <egen> note & mere"},
		"indicator-1.1.1": {"ja"}, "participants": {"Hanne"}}
	r := e.as(managerS).post(se, form)
	if r.Code != http.StatusUnprocessableEntity {
		t.Fatalf("= %d, want 422", r.Code)
	}
	for _, want := range []string{`role="alert"`, "missing standard 3.1 (Kompetenceudvikling)",
		`value="2" checked`, "Vores &lt;egen&gt; note &amp; mere", `name="indicator-1.1.1" value="ja"`, ">Hanne</textarea>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if !strings.Contains(e.log.String(), "action refused") {
		t.Errorf("the workflow's refusal is not logged")
	}

	// A decline without a reason is refused before it is sent, beside the field.
	e.cycles.refuseWith = ""
	inv := "/task?step=" + url.QueryEscape(e.ids["h01-invitation"])
	before := len(e.cycles.Calls())
	r = e.as(reviewerLead).post(inv, url.Values{"action": {"decline"}, "reason": {"  "}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(text(r.body), "Giv en begrundelse") || len(e.cycles.Calls()) != before {
		t.Errorf("a decline without a reason = %d, sent %d", r.Code, len(e.cycles.Calls())-before)
	}

	// On the secretariat's page the refusal stands beside the form that was sent.
	e.cycles.refuseWith = "the new due date 2027-02-01 is before the current one"
	r = e.as(secretariatH).post("/institutions/H-01/extend", url.Values{"step": {"invitation/lead/1"}, "due": {"2027-02-01"}, "reason": {"Fejl"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "before the current one") ||
		!strings.Contains(r.body, `value="2027-02-01"`) || !strings.Contains(r.body, ">Fejl</textarea>") {
		t.Errorf("refused extension: %d\n%s", r.Code, text(r.body))
	}
}

// TestReportDraftsAreKept: the lead saves a draft, comes back to it, and submits; the draft
// is then gone.
func TestReportDraftsAreKept(t *testing.T) {
	e := newEnv(t)
	// Turn H-01's invitation into an open report held by the lead.
	ctx := t.Context()
	step := "cycle/H-01/1~x/external-evaluation/report"
	if _, err := e.st.DB().ExecContext(ctx, `INSERT INTO steps (id, institution_id, cycle_number, step, title, region,
		holder_id, holder_role, opened_on, due_on, status, revision, updated_at) VALUES (?, 'H-01', 1, 'report', 'Rapport',
		'hovedstaden', ?, 'lead', '2027-02-20', '2027-03-20', 'open', 1, ?)`, step, reviewerLead, e.now); err != nil {
		t.Fatal(err)
	}
	path := "/task?step=" + url.QueryEscape(step)
	lead := e.as(reviewerLead)
	draft := url.Values{"action": {"save"}, "met-1.1": {"no"}, "assessment-1.1": {"Mangler referater"}, "summary": {"Foreløbig"}, "verdict": {"2"}}
	if r := lead.post(path, draft); r.Code != http.StatusSeeOther {
		t.Fatalf("save = %d\n%s", r.Code, text(r.body))
	}
	if len(e.cycles.Calls()) != 0 {
		t.Errorf("saving a draft sent the report")
	}
	page := lead.get(path)
	for _, want := range []string{"Kladden er gemt", `id="m-1.1-n" name="met-1.1" value="no" checked`, "Mangler referater", ">Foreløbig</textarea>", `id="v-2" name="verdict" value="2" checked`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the saved draft lacks %q", want)
		}
	}
	if strings.Contains(page.body, lead.csrf+`"`) && strings.Count(page.body, lead.csrf) > 3 {
		t.Errorf("the draft kept the CSRF token")
	}
	// Nobody else sees it.
	if r := e.as(reviewerOther).get(path); r.Code != http.StatusForbidden {
		t.Errorf("another reviewer opened the lead's report: %d", r.Code)
	}
	submit := url.Values{"action": {"submit"}, "summary": {"Endelig"}, "verdict": {"1"}}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		submit.Set("met-"+st.Code, "yes")
		submit.Set("assessment-"+st.Code, "Opfyldt "+st.Code)
	}
	if r := lead.post(path, submit); r.Code != http.StatusSeeOther {
		t.Fatalf("submit = %d\n%s", r.Code, text(r.body))
	}
	calls := e.cycles.Calls()
	rep := calls[len(calls)-1].Payload.(workflows.Report)
	if rep.Verdict != 1 || rep.Summary != "Endelig" || len(rep.Assessments) != len(domain.FirstGeneration().ActiveStandards()) ||
		!rep.Assessments[0].Met || rep.Actor != reviewerLead {
		t.Errorf("report sent: %+v", rep)
	}
	if _, err := e.st.ReportDraftOf(ctx, "H-01", 1, "report", reviewerLead); err == nil {
		t.Errorf("the draft outlived the report")
	}
}

// TestReadOnlyWithoutCycles: without the cycles client (a worker that cannot reach
// Temporal) the forms say so and keep what was typed.
func TestReadOnlyWithoutCycles(t *testing.T) {
	e := newEnv(t)
	e.srv.cycles = nil
	inv := "/task?step=" + url.QueryEscape(e.ids["h01-invitation"])
	r := e.as(reviewerLead).post(inv, url.Values{"action": {"decline"}, "reason": {"Syg"}})
	if r.Code != http.StatusServiceUnavailable || !strings.Contains(r.body, ">Syg</textarea>") {
		t.Errorf("= %d\n%s", r.Code, text(r.body))
	}
}
