package web

import (
	"net/http"
	"slices"
)

// MountOperations serves h on the given paths (the worker's /metrics, /healthz and /readyz,
// package observe) ahead of the app: outside sign-in, sessions and the language cookie, so
// that a probe or a scrape never reads the session store and works while it is down. Call it
// before Serve.
func (s *Server) MountOperations(paths []string, h http.Handler) {
	app := s.handler
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(paths, r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		app.ServeHTTP(w, r)
	})
}
