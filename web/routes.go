package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/kvalitetsmodel/accredit/notify/slackapp"
	"github.com/kvalitetsmodel/accredit/publicweb"
)

// routes is every page and action of the app. Pages that show a person's data need a
// session; forms need the session's CSRF token; unsafe cross-origin requests are refused
// before any handler runs.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /lang/{lang}", s.handleLang)

	mux.HandleFunc("GET /signin", s.handleSignIn)
	mux.HandleFunc("GET /signin/link", s.handleLinkPage)
	mux.HandleFunc("POST /signin/link", s.handleLinkSignIn)
	mux.HandleFunc("GET /signin/oidc", s.handleOIDCStart)
	mux.HandleFunc("GET /signin/oidc/callback", s.handleOIDCCallback)
	mux.HandleFunc("POST /signout", s.form(s.handleSignOut))

	mux.HandleFunc("GET /dashboard", s.signedIn(s.handleDashboard))
	mux.HandleFunc("GET /dashboard.csv", s.signedIn(s.handleDashboardCSV))
	mux.HandleFunc("GET /tasks", s.signedIn(s.handleTasks))
	mux.HandleFunc("GET /task", s.signedIn(s.handleTask))
	mux.HandleFunc("POST /task", s.form(s.handleTaskAction))
	mux.HandleFunc("GET /institutions/{id}", s.signedIn(s.handleInstitution))
	mux.HandleFunc("GET /institutions/{id}/document", s.signedIn(s.handleDocument))
	mux.HandleFunc("GET /institutions/{id}/manage", s.signedIn(s.handleManage))
	mux.HandleFunc("POST /institutions/{id}/start", s.form(s.handleManageAction("start")))
	mux.HandleFunc("POST /institutions/{id}/cancel", s.form(s.handleManageAction("cancel")))
	mux.HandleFunc("POST /institutions/{id}/extend", s.form(s.handleManageAction("extend")))
	mux.HandleFunc("POST /institutions/{id}/waive", s.form(s.handleManageAction("waive")))
	mux.HandleFunc("POST /institutions/{id}/assign", s.form(s.handleManageAction("assign")))
	mux.HandleFunc("GET /cycles/start", s.signedIn(s.handleStartRegion))
	mux.HandleFunc("POST /cycles/start", s.form(s.handleStartRegion))
	mux.Handle("/slack/", slackapp.New(s.store, s.cfg, s.cycles, s.log).Handler()) // Slack's clicks and events (issue 10)
	mux.Handle(publicweb.Prefix, publicweb.New(s.store, publicweb.Options{BaseURL: s.cfg.PublicBaseURL, Logger: s.log}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, http.StatusNotFound, "no such page")
	})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, http.StatusForbidden, "csrf: cross-origin request")
	}))
	return securityHeaders(s.withLang(cop.Handler(s.withViewer(mux))))
}

// staticFiles lets browsers keep the style sheet for an hour.
func staticFiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders: no scripts at all, no framing, no sniffing, and no referrer beyond the site.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "+
			"frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// handleHome sends a person to where they work: managers and the secretariat to the
// dashboard, everyone else to their tasks; without a session, to sign in.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	switch {
	case v == nil:
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	case v.IsManager() || v.IsSecretariat():
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/tasks", http.StatusSeeOther)
	}
}

// sanitizeQuery keeps secrets (a sign-in token, an OIDC code) out of the log.
func sanitizeQuery(q string) string {
	for _, secret := range []string{"token=", "code=", "state="} {
		if strings.Contains(q, secret) {
			return "(redacted)"
		}
	}
	return q
}
