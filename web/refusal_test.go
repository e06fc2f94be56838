package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// refusalBox is the refusal at the top of a form.
var refusalBox = regexp.MustCompile(`(?s)<div class="refusal" role="alert" id="refusal">(.*?)</div>`)

// checkBesideFields checks a refused page: each problem of a field stands in a field error
// that the field's aria-describedby names, and not at the top; each problem of no field, or
// of a field the form does not show, stands at the top.
func checkBesideFields(t *testing.T, body string, onFields, atTop []string) {
	t.Helper()
	top := ""
	if m := refusalBox.FindStringSubmatch(body); m != nil {
		top = m[1]
	} else {
		t.Errorf("no refusal at the top of the form")
	}
	for _, msg := range onFields {
		m := regexp.MustCompile(`<div class="field-error" id="([^"]+)"><p>` + regexp.QuoteMeta(msg) + `</p>`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%q is not beside a field", msg)
			continue
		}
		if !regexp.MustCompile(`aria-describedby="[^"]*` + regexp.QuoteMeta(m[1]) + `[^"]*"`).MatchString(body) {
			t.Errorf("no field is described by %s (%q)", m[1], msg)
		}
		if strings.Contains(top, msg) {
			t.Errorf("%q is at the top as well as beside its field", msg)
		}
	}
	for _, msg := range atTop {
		if !strings.Contains(top, msg) {
			t.Errorf("%q is not at the top of the form: %s", msg, text(top))
		}
	}
	if len(onFields) > 0 && !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("no field is marked aria-invalid")
	}
}

// problemsFor is one problem per field key of a form, one of the request as a whole and one
// of a field no form has; it returns the problems and the messages expected beside fields.
func problemsFor(fields map[string]string) ([]workflows.Problem, []string, []string) {
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var problems []workflows.Problem
	var onFields []string
	for _, k := range keys {
		msg := "problem of " + k
		problems = append(problems, workflows.Problem{Field: k, Message: msg})
		onFields = append(onFields, msg)
	}
	atTop := []string{"problem of the whole request", "problem of a field no form has"}
	problems = append(problems, workflows.Problem{Message: atTop[0]}, workflows.Problem{Field: "no.such.field", Message: atTop[1]})
	return problems, onFields, atTop
}

// TestEveryTaskShowsProblemsBesideTheirFields: for the form of every kind of task, a
// refusal with a problem on each of the request's fields shows each beside its field (named
// by the field's aria-describedby), the rest at the top, and keeps what was typed.
func TestEveryTaskShowsProblemsBesideTheirFields(t *testing.T) {
	e := newEnv(t)
	std := domain.FirstGeneration().ActiveStandards()
	typed := "Skrevet <før> afvisningen"
	cases := []struct {
		key  string
		form url.Values
		kept string
	}{
		{"invitation/lead/2", url.Values{"action": {"decline"}, "reason": {typed}}, ""},
		{"self-evaluation", url.Values{"action": {"submit"}, "rating-1.1": {"2"}, "note-1.1": {typed}}, ""},
		{"visit-date", url.Values{"action": {"set"}, "date": {"2027-03-10"}}, `value="2027-03-10"`},
		{"visit", url.Values{"action": {"record"}, "notes": {typed}}, ""},
		{"report", url.Values{"action": {"submit"}, "assessment-2.1": {typed}, "verdict": {"1"}}, `id="v-1" name="verdict" value="1" checked`},
		{"hearing", url.Values{"action": {"comment"}, "text": {typed}}, ""},
		{"action-plan", url.Values{"action": {"plan"}, "plan": {typed}, "areas": {"5.1"}}, `value="5.1" checked`},
		{"appeal-window", url.Values{"action": {"appeal"}, "reason": {typed}}, ""},
		{"appeal-decision", url.Values{"action": {"decide"}, "verdict": {"2"}, "reason": {typed}}, `id="d-2" name="verdict" value="2" checked`},
		{"manual-assignment/lead", url.Values{"action": {"assign"}, "person": {"P-050"}, "reason": {typed}, "override": {"capacity"}}, `value="P-050"`},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			id := "cycle/H-01/1~x/external-evaluation/" + tc.key
			if _, err := e.st.DB().ExecContext(t.Context(), `INSERT INTO steps (id, institution_id, cycle_number, step, title, region,
				holder_id, holder_role, opened_on, due_on, status, revision, updated_at) VALUES (?, 'H-01', 1, ?, 'x',
				'hovedstaden', ?, 'secretariat', '2027-02-20', '2027-03-20', 'open', 1, ?)`, id, tc.key, secretariatH, e.now); err != nil {
				t.Fatal(err)
			}
			fields := taskFields(strings.SplitN(tc.key, "/", 2)[0], std)
			if len(fields) == 0 {
				t.Fatalf("no fields for %s", tc.key)
			}
			problems, onFields, atTop := problemsFor(fields)
			e.cycles.refuseProblems = problems
			r := e.as(secretariatH).post("/task?step="+url.QueryEscape(id), tc.form)
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("= %d, want 422\n%s", r.Code, text(r.body))
			}
			checkBesideFields(t, r.body, onFields, atTop)
			kept := tc.kept
			if kept == "" {
				kept = "Skrevet &lt;før&gt; afvisningen"
			}
			if !strings.Contains(r.body, kept) {
				t.Errorf("the refused form lost what was typed (%s)", kept)
			}
		})
	}
}

// TestSecretariatFormsShowProblemsBesideTheirFields: the same for the secretariat's forms on
// an institution; only the form that was sent shows the refusal.
func TestSecretariatFormsShowProblemsBesideTheirFields(t *testing.T) {
	e := newEnv(t)
	typed := "Ferie <og> sygdom"
	for what, form := range map[string]url.Values{
		"extend": {"step": {"invitation/lead/1"}, "due": {"2027-03-20"}, "reason": {typed}},
		"waive":  {"step": {"invitation/lead/1"}, "reason": {typed}},
		"assign": {"seat": {"professional"}, "person": {"P-050"}, "reason": {typed}},
		"cancel": {"reason": {typed}},
	} {
		t.Run(what, func(t *testing.T) {
			problems, onFields, atTop := problemsFor(manageFields[what])
			e.cycles.refuseProblems = problems
			r := e.as(secretariatH).post("/institutions/H-01/"+what, form)
			if r.Code != http.StatusUnprocessableEntity {
				t.Fatalf("= %d, want 422\n%s", r.Code, text(r.body))
			}
			checkBesideFields(t, r.body, onFields, atTop)
			if n := strings.Count(r.body, `role="alert" id="refusal"`); n != 1 {
				t.Errorf("%d refusals on the page, want the one of the form sent", n)
			}
			if !strings.Contains(r.body, "Ferie &lt;og&gt; sygdom") {
				t.Errorf("the refused form lost what was typed")
			}
		})
	}
}

// TestOwnChecksShowBesideTheirFields: what the web app refuses itself (a date it cannot read,
// a decline without a reason, an unknown region) stands beside its field, and nothing is sent.
func TestOwnChecksShowBesideTheirFields(t *testing.T) {
	e := newEnv(t)
	before := len(e.cycles.Calls())
	r := e.as(reviewerLead).post("/task?step="+url.QueryEscape(e.ids["h01-invitation"]), url.Values{"action": {"decline"}, "reason": {" "}})
	checkBesideFields(t, r.body, []string{"Giv en begrundelse, når du siger nej."}, nil)
	r = e.as(secretariatH).post("/institutions/H-01/extend", url.Values{"step": {"invitation/lead/1"}, "due": {"20. marts"}, "reason": {"Ferie"}})
	if r.Code != http.StatusUnprocessableEntity || !regexp.MustCompile(`<div class="field-error" id="due-[^"]+-error"><p>Datoen skal skrives`).MatchString(r.body) {
		t.Errorf("an unreadable due date = %d, not beside the field:\n%s", r.Code, text(r.body))
	}
	r = e.as(secretariatH).post("/cycles/start", url.Values{"region": {"atlantis"}, "date": {"2027-03-01"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.body, `<div class="field-error" id="region-error">`) ||
		!strings.Contains(r.body, `aria-describedby="region-error" aria-invalid="true"`) {
		t.Errorf("an unknown region = %d, not beside the field:\n%s", r.Code, text(r.body))
	}
	if n := len(e.cycles.Calls()) - before; n != 0 {
		t.Errorf("%d requests were sent for forms refused before sending", n)
	}
}
