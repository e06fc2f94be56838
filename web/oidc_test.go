package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/kvalitetsmodel/accredit/config"
)

// oidcEnv is the web app with an in-process OpenID Connect provider (mockoidc).
func oidcEnv(t *testing.T) (*env, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	e := newEnv(t)
	cfg := e.srv.cfg
	cfg.Web.OIDC = config.OIDC{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret}
	o, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.cfg = cfg
	e.srv.oidcP.Store(o)
	return e, m
}

// signInWithOIDC runs the browser's side of the code flow: to the provider, back to the
// callback. It returns the callback's answer.
func signInWithOIDC(t *testing.T, e *env, next string, tamper func(callback *url.URL)) response {
	t.Helper()
	start := e.anonymous().get("/signin/oidc?next=" + url.QueryEscape(next))
	if start.Code != http.StatusFound {
		t.Fatalf("/signin/oidc = %d", start.Code)
	}
	flow := cookieOf(start.Result(), "accredit-oidc")
	if flow == nil || !flow.HttpOnly {
		t.Fatalf("no HttpOnly flow cookie: %+v", flow)
	}
	auth, err := url.Parse(start.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("redirect_uri") != "http://accredit.test/signin/oidc/callback" {
		t.Fatalf("authorization request lacks PKCE, nonce, state or the redirect URL: %s", auth)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(auth.String())
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Path != "/signin/oidc/callback" {
		t.Fatalf("the provider answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if tamper != nil {
		tamper(back)
	}
	req := httptest.NewRequest(http.MethodGet, back.RequestURI(), nil)
	req.AddCookie(flow)
	return e.anonymous().do(req)
}

// TestOIDCSignIn: the provider vouches for an e-mail address of the registry, and its person
// is signed in and sent where they were going.
func TestOIDCSignIn(t *testing.T) {
	e, m := oidcEnv(t)
	if r := e.anonymous().get("/signin"); !strings.Contains(r.body, `href="/signin/oidc"`) {
		t.Errorf("the sign-in page lacks the provider's button")
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", Email: "Mette.Petersen@RegionSjaelland.dk", EmailVerified: true})
	r := signInWithOIDC(t, e, "/tasks", nil)
	if r.Code != http.StatusSeeOther || r.Header().Get("Location") != "/tasks" {
		t.Fatalf("callback = %d %s\n%s\n%s", r.Code, r.Header().Get("Location"), text(r.body), e.log.String())
	}
	sess := cookieOf(r.Result(), "accredit-session")
	if sess == nil {
		t.Fatal("no session cookie")
	}
	b := &browser{e: e, cookie: sess}
	if page := b.get("/tasks"); !strings.Contains(text(page.body), "Logget ind som Mette Petersen") {
		t.Errorf("signed in as someone else:\n%s", text(page.body))
	}
	s, err := e.st.SessionByID(context.Background(), sess.Value)
	if err != nil || s.Method != "oidc" || s.PersonID != reviewerLead {
		t.Errorf("session %+v, %v", s, err)
	}
}

// TestOIDCRefusals: an address not in the registry, an unverified one, a state that does not
// match the browser's, and a callback without a flow are refused and logged.
func TestOIDCRefusals(t *testing.T) {
	e, m := oidcEnv(t)
	m.QueueUser(&mockoidc.MockUser{Subject: "s-2", Email: "stranger@example.com", EmailVerified: true})
	if r := signInWithOIDC(t, e, "", nil); r.Code != http.StatusForbidden || !strings.Contains(text(r.body), "findes ikke i registret") {
		t.Errorf("unknown address = %d %s", r.Code, text(r.body))
	}
	m.QueueUser(unverifiedUser{&mockoidc.MockUser{Subject: "s-3", Email: "mette.petersen@regionsjaelland.dk"}})
	if r := signInWithOIDC(t, e, "", nil); r.Code != http.StatusForbidden {
		t.Errorf("unverified address = %d", r.Code)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "s-4", Email: "mette.petersen@regionsjaelland.dk", EmailVerified: true})
	r := signInWithOIDC(t, e, "", func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	})
	if r.Code != http.StatusForbidden || cookieOf(r.Result(), "accredit-session") != nil {
		t.Errorf("forged state = %d", r.Code)
	}
	if r := e.anonymous().get("/signin/oidc/callback?code=x&state=y"); r.Code != http.StatusBadRequest {
		t.Errorf("callback without a flow = %d", r.Code)
	}
	logged := e.log.String()
	for _, want := range []string{"oidc-unknown", "has not verified", "oidc state does not match", "no sign-in under way"} {
		if !strings.Contains(logged, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(logged, "code=") {
		t.Errorf("the log holds an authorization code")
	}
}

// unverifiedUser is a user whose ID token says email_verified: false (mockoidc leaves a
// false out).
type unverifiedUser struct{ *mockoidc.MockUser }

func (u unverifiedUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}{base, u.Email, false}, nil
}

// TestOIDCConfiguration: the redirect URL must lie under the public base URL.
func TestOIDCConfiguration(t *testing.T) {
	base := []string{"ACCREDIT_DATA_DIR=" + t.TempDir(), "ACCREDIT_PUBLIC_BASE_URL=https://akkreditering.example.dk",
		"ACCREDIT_OIDC_ISSUER=https://login.example.dk/realms/a", "ACCREDIT_OIDC_CLIENT_ID=accredit", "ACCREDIT_OIDC_CLIENT_SECRET=s"}
	cfg, err := config.Load(config.Source{Environ: base})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.OIDCRedirectURL(); got != "https://akkreditering.example.dk/signin/oidc/callback" {
		t.Errorf("default redirect URL %s", got)
	}
	for _, bad := range []string{"ACCREDIT_OIDC_REDIRECT_URL=https://evil.example/signin/oidc/callback",
		"ACCREDIT_OIDC_REDIRECT_URL=https://akkreditering.example.dk/elsewhere", "ACCREDIT_OIDC_CLIENT_SECRET="} {
		if _, err := config.Load(config.Source{Environ: append(append([]string{}, base...), bad)}); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
	if _, err := config.Load(config.Source{Environ: []string{"ACCREDIT_DATA_DIR=" + t.TempDir(), "ACCREDIT_OIDC_CLIENT_ID=x"}}); err == nil ||
		!strings.Contains(err.Error(), "without ACCREDIT_OIDC_ISSUER") {
		t.Errorf("a client ID without an issuer: %v", err)
	}
}
