package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
)

// pages holds every page's template, parsed once per language: the layout, the shared
// partials and the page's own file, with "t" bound to the language.
type pages struct {
	byLang map[string]map[string]*template.Template
}

func loadPages() (*pages, error) {
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byLang: map[string]map[string]*template.Template{}}
	for _, lang := range languages {
		p.byLang[lang] = map[string]*template.Template{}
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			t, err := template.New(name).Funcs(funcs(lang)).ParseFS(assets, "templates/layout.html", "templates/partials.html", f)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", f, err)
			}
			p.byLang[lang][name] = t
		}
	}
	return p, nil
}

// view is what every page's template gets.
type view struct {
	Lang   string
	Title  string
	Viewer *Viewer
	// CSRF is the token of the session's forms.
	CSRF string
	// Here is the page's own path and query, for the language switch to come back to.
	Here string
	// Nav names the navigation entry of the page.
	Nav  string
	Data any
}

// render writes a page. titleKey is a message key.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, titleKey string, data any) {
	lang := langOf(r)
	t := s.pages.byLang[lang][page]
	if t == nil {
		s.log.Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := viewerOf(r)
	vw := view{Lang: lang, Title: message(lang, titleKey), Viewer: v, Here: r.URL.RequestURI(), Data: data}
	if v != nil {
		vw.CSRF = v.Session.CSRFToken
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/dashboard"):
		vw.Nav = "dashboard"
	case strings.HasPrefix(r.URL.Path, "/task"):
		vw.Nav = "tasks"
	case strings.HasPrefix(r.URL.Path, "/cycles"):
		vw.Nav = "start"
	}
	if d, ok := data.(map[string]any); ok {
		if title, ok := d["Title"].(string); ok && title != "" {
			vw.Title = title
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", vw); err != nil {
		s.log.Error("render page", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderStatus writes the page of an error status; reason is logged by the caller, and shown
// only as the status's own explanation.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, reason string) {
	key := "status.other"
	switch status {
	case http.StatusUnauthorized:
		key = "status.401"
	case http.StatusForbidden:
		key = "status.403"
		switch {
		case strings.HasPrefix(reason, "csrf"):
			key = "status.csrf"
		case strings.HasPrefix(reason, "oidc-unknown"):
			key = "signin.oidc.no-person"
		}
	case http.StatusNotFound:
		key = "status.404"
	case http.StatusGone:
		key = "status.410"
		switch {
		case strings.HasSuffix(reason, "used"):
			key = "status.link-used"
		case strings.HasSuffix(reason, "expired"):
			key = "status.link-expired"
		case strings.HasSuffix(reason, "unknown"):
			key = "status.link-unknown"
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		key = "status.400"
	case http.StatusServiceUnavailable:
		key = "status.503"
	}
	s.render(w, r, status, "status", "status.title", map[string]any{"Status": status, "Key": key})
}

// fail answers a request that failed on the service's side.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.renderStatus(w, r, http.StatusInternalServerError, "")
}

// funcs are the templates' functions in one language.
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":       func(key string, args ...any) string { return message(lang, key, args...) },
		"date":    formatDate,
		"region":  func(r domain.Region) string { return regionLabel(lang, r) },
		"role":    func(r any) string { return roleLabel(lang, fmt.Sprint(r)) },
		"step":    func(key string) string { return stepLabel(lang, key) },
		"text":    func(t domain.Text) string { return t.In(lang) },
		"verdict": func(v any) string { return verdictLabel(lang, v) },
		"rating":  func(r any) string { return ratingLabel(lang, r) },
		"add":     func(a, b int) int { return a + b },
		// fielderror and invalid put a refused form's problem beside its field: the message
		// under an ID, and the field's aria-describedby and aria-invalid naming it.
		"fielderror": fieldErrorOf,
		"invalid":    invalidAttrs,
		"group":      groupAttrs,
		"bad":        hasProblem,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// formatDate writes a date as ISO 8601, which reads the same in Danish and English; "" for none.
func formatDate(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
