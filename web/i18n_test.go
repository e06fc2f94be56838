package web

import (
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestEveryMessageInBothLanguages: every text the templates and the handlers name exists in
// Danish and English, and the two have the same format verbs.
func TestEveryMessageInBothLanguages(t *testing.T) {
	used := map[string]bool{}
	keyRe := regexp.MustCompile(`[({]t "([a-z0-9.-]+)"`)
	files, _ := fs.Glob(assets, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(assets, f)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	goRe := regexp.MustCompile(`message\((?:lang|langOf\(r\)), "([a-z0-9.-]+)"|"([a-z]+\.[a-z0-9.-]+)"`)
	for _, f := range []string{"dashboard.go", "tasks.go", "manage.go", "auth.go", "pages.go", "institution.go"} {
		b, err := fs.ReadFile(osDir{}, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goRe.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "" && !strings.HasSuffix(m[1], ".") {
				used[m[1]] = true
			}
		}
	}
	// Keys built from values: every value they are built from.
	for _, prefix := range []string{"step.", "role.", "member.", "step.status.", "cycle.status.", "doc.", "phase.", "rule."} {
		found := false
		for k := range messages {
			if strings.HasPrefix(k, prefix) {
				found = true
			}
		}
		if !found {
			t.Errorf("no messages start with %s", prefix)
		}
	}
	for _, k := range stepKinds {
		used["step."+k] = true
	}
	for _, r := range ruleNames() {
		used["rule."+r] = true
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for k := range used {
		m, ok := messages[k]
		if !ok {
			t.Errorf("message %q is used but not defined", k)
			continue
		}
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
	}
	for k, m := range messages {
		if strings.Join(verbs.FindAllString(m[0], -1), "") != strings.Join(verbs.FindAllString(m[1], -1), "") {
			t.Errorf("message %q has different format verbs in Danish and English: %q", k, m)
		}
	}
}

// osDir reads the package's own source files.
type osDir struct{}

func (osDir) Open(name string) (fs.File, error) { return dirFS.Open(name) }

// TestLanguage: Danish by default; English by Accept-Language; the switch wins over both and
// goes back to the page it was pressed on, never to another site.
func TestLanguage(t *testing.T) {
	for h, want := range map[string]string{"": "da", "en": "en", "en-GB,en;q=0.9": "en", "da,en;q=0.8": "da",
		"de-DE,en;q=0.5": "en", "fr": "da", "en;q=0.2,nb;q=0.9": "da", "*": "da"} {
		if got := fromAcceptLanguage(h); got != want {
			t.Errorf("Accept-Language %q → %s, want %s", h, got, want)
		}
	}
	e := newEnv(t)
	b := e.as(managerNat)
	b.lang = "en"
	if r := b.get("/dashboard"); !strings.Contains(r.body, "Open steps") {
		t.Fatalf("English by Accept-Language failed")
	}
	sw := b.get("/lang/da?back=" + "%2Fdashboard%3Fregion%3Dsjaelland")
	if sw.Code != http.StatusSeeOther || sw.Header().Get("Location") != "/dashboard?region=sjaelland" {
		t.Fatalf("switch = %d %s", sw.Code, sw.Header().Get("Location"))
	}
	lang := cookieOf(sw.Result(), "accredit-lang")
	if lang == nil || lang.Value != "da" {
		t.Fatalf("no language cookie")
	}
	req, _ := http.NewRequest(http.MethodGet, "/dashboard", nil)
	req.AddCookie(lang)
	if r := b.do(req); !strings.Contains(r.body, `<html lang="da">`) {
		t.Errorf("the switch did not win over Accept-Language")
	}
	for _, bad := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		if r := b.get("/lang/en?back=" + bad); r.Header().Get("Location") != "/" {
			t.Errorf("back=%s → %s, want /", bad, r.Header().Get("Location"))
		}
	}
}
