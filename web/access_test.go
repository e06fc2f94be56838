package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// access is one request of the access matrix.
type access struct {
	name   string
	method string
	path   string
	form   url.Values
	// allowed are the people who may make it; everyone else of matrixPeople is refused.
	allowed []string
	// action is the update the cycles client gets when the request is allowed ("" for a page).
	action string
}

// matrixPeople are the roles of the matrix: a national and a regional manager, the national
// secretariat and two regional ones, two institution managers, the invited lead reviewer and
// a reviewer on no team, and nobody signed in ("").
var matrixPeople = []string{managerNat, managerRegH, national, secretariatH, secretariatS, managerH, managerH2, managerS,
	reviewerLead, reviewerOther, ""}

func matrix(e *env) []access {
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	inv := "/task?step=" + url.QueryEscape(e.ids["h01-invitation"])
	se := "/task?step=" + url.QueryEscape(e.ids["s01-se1"])
	hearing := "/task?step=" + url.QueryEscape(e.ids["h02-hearing"])
	manual := "/task?step=" + url.QueryEscape(e.ids["h01-manual"])
	doc := "/institutions/H-01/document?id=" + url.QueryEscape("cycle/H-01/1~x/self-evaluation-1/self-evaluation")
	readersH01 := []string{managerNat, managerRegH, national, secretariatH, managerH, reviewerLead}
	steerH := []string{national, secretariatH}
	return []access{
		// Pages.
		{name: "read H-01", method: "GET", path: "/institutions/H-01", allowed: readersH01},
		{name: "read H-01's self-evaluation", method: "GET", path: doc, allowed: readersH01},
		{name: "read S-01", method: "GET", path: "/institutions/S-01", allowed: []string{managerNat, managerRegH, national, secretariatS, managerS}},
		{name: "open the lead's invitation", method: "GET", path: inv, allowed: []string{reviewerLead}},
		{name: "open S-01's self-evaluation form", method: "GET", path: se, allowed: []string{managerS}},
		{name: "open H-02's hearing", method: "GET", path: hearing, allowed: []string{managerH2}},
		{name: "open H-01's hand assignment", method: "GET", path: manual, allowed: steerH},
		{name: "open H-01's tools", method: "GET", path: "/institutions/H-01/manage", allowed: steerH},
		{name: "open the region start", method: "GET", path: "/cycles/start", allowed: []string{national, secretariatH, secretariatS}},
		// Actions on tasks: only the holder.
		{name: "accept the invitation", method: "POST", path: inv, form: form("action", "accept"),
			allowed: []string{reviewerLead}, action: workflows.UpdateAnswerInvitation},
		{name: "decline the invitation", method: "POST", path: inv, form: form("action", "decline", "reason", "Syg"),
			allowed: []string{reviewerLead}, action: workflows.UpdateAnswerInvitation},
		{name: "submit S-01's self-evaluation", method: "POST", path: se, form: form("action", "submit", "rating-1.1", "2"),
			allowed: []string{managerS}, action: workflows.UpdateSubmitSelfEvaluation},
		{name: "comment in H-02's hearing", method: "POST", path: hearing, form: form("action", "comment", "text", "Fejl side 2"),
			allowed: []string{managerH2}, action: workflows.UpdateCommentReport},
		{name: "assign H-01's relative representative", method: "POST", path: manual,
			form: form("action", "assign", "person", "P-120", "reason", "Erfaren"), allowed: steerH, action: workflows.UpdateAssignReviewer},
		// The secretariat's tools: its own region, or national.
		{name: "extend H-01's invitation", method: "POST", path: "/institutions/H-01/extend",
			form: form("step", "invitation/lead/1", "due", "2027-03-20", "reason", "Ferie"), allowed: steerH, action: workflows.UpdateExtendDeadline},
		{name: "waive H-01's invitation", method: "POST", path: "/institutions/H-01/waive",
			form: form("step", "invitation/lead/1", "reason", "Unødvendig"), allowed: steerH, action: workflows.UpdateWaiveStep},
		{name: "assign on H-01's team", method: "POST", path: "/institutions/H-01/assign",
			form: form("seat", "lead", "person", "P-085", "reason", "Erfaren"), allowed: steerH, action: workflows.UpdateAssignReviewer},
		{name: "cancel H-01's cycle", method: "POST", path: "/institutions/H-01/cancel", form: form("reason", "Lukket"),
			allowed: steerH, action: workflows.UpdateCancelCycle},
		{name: "start H-03's cycle", method: "POST", path: "/institutions/H-03/start", form: form("date", "2027-03-01"),
			allowed: steerH, action: "start"},
		{name: "start S-02's cycle", method: "POST", path: "/institutions/S-02/start", form: form("date", "2027-03-01"),
			allowed: []string{national, secretariatS}, action: "start"},
		{name: "start Nordjylland's cycles", method: "POST", path: "/cycles/start", form: form("region", "nordjylland", "date", "2027-03-01"),
			allowed: []string{national}, action: "start"},
	}
}

// TestAccessMatrix: every role against every page and action. An allowed action reaches the
// cycles client once, as the signed-in person; a refused one never does, answers 403 (or
// sends an anonymous browser to sign in), and is logged with who and why.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	for _, a := range matrix(e) {
		for _, who := range matrixPeople {
			name := who
			if name == "" {
				name = "anonymous"
			}
			t.Run(a.name+"/"+name, func(t *testing.T) {
				b := e.anonymous()
				if who != "" {
					b = e.as(who)
				}
				before := len(e.cycles.Calls())
				logBefore := len(e.log.String())
				var r response
				if a.method == "GET" {
					r = b.get(a.path)
				} else {
					r = b.post(a.path, url.Values(cloneForm(a.form)))
				}
				calls := e.cycles.Calls()[before:]
				allowed := slices.Contains(a.allowed, who)
				switch {
				case allowed && a.method == "GET":
					if r.Code != http.StatusOK {
						t.Fatalf("%s %s = %d, want 200\n%s", a.method, a.path, r.Code, text(r.body))
					}
				case allowed:
					if r.Code != http.StatusSeeOther && r.Code != http.StatusOK {
						t.Fatalf("%s %s = %d, want a redirect after the action\n%s", a.method, a.path, r.Code, text(r.body))
					}
					if len(calls) == 0 || calls[0].Action != a.action {
						t.Fatalf("the cycles client got %+v, want %s", calls, a.action)
					}
					if got := actorOf(calls[0].Payload); got != who {
						t.Errorf("the action's actor is %q, want the signed-in %s", got, who)
					}
				case who == "":
					if len(calls) != 0 {
						t.Errorf("an anonymous request reached the cycles client: %+v", calls)
					}
					if a.method == "GET" {
						if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/signin") {
							t.Errorf("anonymous GET = %d → %s, want a redirect to sign in", r.Code, r.Header().Get("Location"))
						}
					} else if r.Code != http.StatusUnauthorized {
						t.Errorf("anonymous POST = %d, want 401", r.Code)
					}
				default:
					if r.Code != http.StatusForbidden {
						t.Errorf("%s %s as %s = %d, want 403\n%s", a.method, a.path, who, r.Code, text(r.body))
					}
					if len(calls) != 0 {
						t.Errorf("a refused request reached the cycles client: %+v", calls)
					}
					logged := e.log.String()[logBefore:]
					if !strings.Contains(logged, "request refused") || !strings.Contains(logged, "person="+who) {
						t.Errorf("the refusal is not logged with the person:\n%s", logged)
					}
				}
			})
		}
	}
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// actorOf is the Actor of an update's payload, or the starter of a cycle.
func actorOf(payload any) string {
	switch p := payload.(type) {
	case interface{ GetActor() string }:
		return p.GetActor()
	}
	s := fmt.Sprintf("%+v", payload)
	if i := strings.Index(s, "Actor:"); i >= 0 {
		rest := s[i+len("Actor:"):]
		if j := strings.IndexAny(rest, "} "); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	return ""
}

// TestDashboardShowsOnlyWhatThePersonMaySee: the same dashboard, scoped to the person.
func TestDashboardShowsOnlyWhatThePersonMaySee(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		who        string
		see, notSe []string
	}{
		{managerNat, []string{"S-01", "H-01", "H-02"}, nil},
		{managerRegH, []string{"S-01", "H-01", "H-02"}, nil},
		{secretariatH, []string{"H-01", "H-02"}, []string{"S-01"}},
		{secretariatS, []string{"S-01"}, []string{"H-01", "H-02"}},
		{managerH, []string{"H-01"}, []string{"S-01", "H-02"}},
		{reviewerLead, []string{"H-01"}, []string{"S-01", "H-02"}},
		{reviewerOther, nil, []string{"S-01", "H-01", "H-02"}},
	}
	for _, tc := range cases {
		for _, path := range []string{"/dashboard", "/dashboard.csv"} {
			r := e.as(tc.who).get(path)
			if r.Code != http.StatusOK {
				t.Fatalf("%s as %s = %d", path, tc.who, r.Code)
			}
			for _, id := range tc.see {
				if !strings.Contains(r.body, id) {
					t.Errorf("%s as %s lacks %s", path, tc.who, id)
				}
			}
			for _, id := range tc.notSe {
				if strings.Contains(r.body, id) {
					t.Errorf("%s as %s shows %s", path, tc.who, id)
				}
			}
		}
	}
	// A regional secretariat's region filter cannot widen its scope.
	if r := e.as(secretariatH).get("/dashboard?region=sjaelland"); strings.Contains(r.body, "S-01") {
		t.Errorf("the region filter widened the secretariat's scope")
	}
}

// TestCSRF: a form without the session's token, with another token, or sent from another
// site is refused and logged, and reaches nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	inv := "/task?step=" + url.QueryEscape(e.ids["h01-invitation"])
	other := e.as(managerH) // a real token, of another session
	cases := []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"missing token", url.Values{"action": {"accept"}, "csrf": {""}}, nil},
		{"forged token", url.Values{"action": {"accept"}, "csrf": {strings.Repeat("ab", 32)}}, nil},
		{"another session's token", url.Values{"action": {"accept"}, "csrf": {other.csrf}}, nil},
		{"cross-site request", url.Values{"action": {"accept"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"another origin", url.Values{"action": {"accept"}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := e.as(reviewerLead)
			if _, ok := tc.form["csrf"]; !ok {
				tc.form.Set("csrf", b.csrf)
			}
			req := httptest.NewRequest(http.MethodPost, inv, strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			logBefore := len(e.log.String())
			r := b.do(req)
			if r.Code != http.StatusForbidden {
				t.Errorf("= %d, want 403", r.Code)
			}
			if !strings.Contains(text(r.body), "sikkerhedsnøgle") {
				t.Errorf("the page does not say what is wrong: %s", text(r.body))
			}
			if len(e.cycles.Calls()) != 0 {
				t.Errorf("the action was taken: %+v", e.cycles.Calls())
			}
			if !strings.Contains(e.log.String()[logBefore:], "request refused") {
				t.Errorf("the refusal is not logged")
			}
		})
	}
	// The sign-out form is a form too.
	b := e.as(reviewerLead)
	if r := b.post("/signout", url.Values{"csrf": {"x"}}); r.Code != http.StatusForbidden {
		t.Errorf("sign-out without the token = %d, want 403", r.Code)
	}
}

// TestSignInLinks: a link signs in once, before it expires; a used, expired, unknown or
// forged link is refused (410) and logged; the sign-in form needs its own token; the
// session cookie is HttpOnly and SameSite=Lax.
func TestSignInLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, _, err := e.st.IssueSignInLink(ctx, reviewerLead, national, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	link := SignInLinkURL("http://accredit.test", token)
	path := strings.TrimPrefix(link, "http://accredit.test")

	b := e.anonymous()
	page := b.get(path)
	if page.Code != http.StatusOK || !strings.Contains(text(page.body), "Log ind som Mette Petersen (bedømmer)?") {
		t.Fatalf("the link's page: %d %s", page.Code, text(page.body))
	}
	if page.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the link's page lets the token leak in Referer")
	}
	pre := cookieOf(page.Result(), "accredit-pre")
	if pre == nil {
		t.Fatalf("no pre-session cookie")
	}
	// Opening the page again (a chat preview, say) does not use the link.
	if again := b.get(path); again.Code != http.StatusOK {
		t.Fatalf("opening the link twice = %d", again.Code)
	}
	signIn := func(csrf string, withPre bool) response {
		req := httptest.NewRequest(http.MethodPost, "/signin/link", strings.NewReader(url.Values{"token": {token}, "csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withPre {
			req.AddCookie(pre)
		}
		return b.do(req)
	}
	if r := signIn("wrong", true); r.Code != http.StatusForbidden {
		t.Errorf("sign-in with a wrong form token = %d, want 403", r.Code)
	}
	if r := signIn(pre.Value, false); r.Code != http.StatusForbidden {
		t.Errorf("sign-in without the pre-session cookie = %d, want 403", r.Code)
	}
	r := signIn(pre.Value, true)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("sign-in = %d\n%s", r.Code, text(r.body))
	}
	sess := cookieOf(r.Result(), "accredit-session")
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure || sess.MaxAge <= 0 {
		t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Lax, not Secure over http, with an expiry", sess)
	}
	if n, _ := e.st.DB().QueryContext(ctx, "SELECT 1 FROM web_sessions WHERE id_hash = ?", sess.Value); n.Next() {
		t.Errorf("the session ID is stored as it is, not hashed")
	} else {
		_ = n.Close()
	}
	signedIn := &browser{e: e, cookie: sess}
	if tasks := signedIn.get("/tasks"); tasks.Code != http.StatusOK || !strings.Contains(text(tasks.body), "Mette Petersen") {
		t.Fatalf("after sign-in, /tasks = %d", tasks.Code)
	}

	// Used: refused, and said so.
	logBefore := len(e.log.String())
	if r := signIn(pre.Value, true); r.Code != http.StatusGone || !strings.Contains(text(r.body), "allerede brugt") {
		t.Errorf("a used link = %d %s, want 410 saying it was used", r.Code, text(r.body))
	}
	if r := b.get(path); r.Code != http.StatusGone {
		t.Errorf("the page of a used link = %d, want 410", r.Code)
	}
	if !strings.Contains(e.log.String()[logBefore:], "sign-in link used") || strings.Contains(e.log.String(), token) {
		t.Errorf("the refusal is not logged, or the token is:\n%s", e.log.String()[logBefore:])
	}

	// Expired.
	old, _, err := e.st.IssueSignInLink(ctx, managerH, national, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(2 * time.Hour)
	if r := b.get("/signin/link?token=" + old); r.Code != http.StatusGone || !strings.Contains(text(r.body), "udløbet") {
		t.Errorf("an expired link = %d %s", r.Code, text(r.body))
	}
	// Unknown.
	if r := b.get("/signin/link?token=" + strings.Repeat("0", 64)); r.Code != http.StatusGone || !strings.Contains(text(r.body), "kendes ikke") {
		t.Errorf("an unknown link = %d %s", r.Code, text(r.body))
	}

	// Sign-out ends the session for good.
	out := signedIn.post("/signout", url.Values{"csrf": {csrfOf(t, e, sess.Value)}})
	if out.Code != http.StatusSeeOther {
		t.Fatalf("sign-out = %d", out.Code)
	}
	if r := signedIn.get("/tasks"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header().Get("Location"), "/signin") {
		t.Errorf("after sign-out, /tasks = %d %s", r.Code, r.Header().Get("Location"))
	}
}

// TestSessionsExpire: a session past its time is no session.
func TestSessionsExpire(t *testing.T) {
	e := newEnv(t)
	b := e.as(managerNat) // valid for an hour
	if r := b.get("/dashboard"); r.Code != http.StatusOK {
		t.Fatalf("= %d", r.Code)
	}
	e.now = e.now.Add(61 * time.Minute)
	if r := b.get("/dashboard"); r.Code != http.StatusSeeOther {
		t.Errorf("an expired session = %d, want a redirect to sign in", r.Code)
	}
}

// TestSecureCookiesOverHTTPS: behind an https base URL the cookies are Secure and __Host-.
func TestSecureCookiesOverHTTPS(t *testing.T) {
	e := newEnv(t)
	e.srv.secure = true
	token, _, err := e.st.IssueSignInLink(context.Background(), managerH, national, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	page := e.anonymous().get("/signin/link?token=" + token)
	pre := cookieOf(page.Result(), "__Host-accredit-pre")
	if pre == nil || !pre.Secure {
		t.Fatalf("pre-session cookie %+v, want __Host- and Secure", pre)
	}
	req := httptest.NewRequest(http.MethodPost, "https://accredit.test/signin/link", strings.NewReader(url.Values{"token": {token}, "csrf": {pre.Value}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(pre)
	r := e.anonymous().do(req)
	if sess := cookieOf(r.Result(), "__Host-accredit-session"); sess == nil || !sess.Secure || !sess.HttpOnly || sess.Path != "/" {
		t.Errorf("session cookie %+v, want __Host-, Secure, HttpOnly, Path=/", sess)
	}
}

func cookieOf(r *http.Response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func csrfOf(t *testing.T, e *env, sessionID string) string {
	t.Helper()
	s, err := e.st.SessionByID(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	return s.CSRFToken
}
