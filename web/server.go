// Package web is the web app of the accreditation service (issue 11), served by the worker on
// ACCREDIT_HTTP_ADDR: the managers' dashboard of open steps, each institution's timeline and
// documents, every person's own tasks with the forms that complete them, and the
// secretariat's tools. It is server-rendered HTML (html/template, embedded templates and one
// CSS file) that works without JavaScript, in Danish (the default) and English.
//
// People sign in with a personal link (starter people link) or OpenID Connect; a session is
// a random ID in a cookie, kept server-side as a hash. Every page and action checks the
// signed-in person's role and ownership (access.go); every refusal is logged. Actions go
// through the cycles client, so the workflows' validators have the last word and write the
// audit trail with the signed-in person as the actor.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Danish time on hosts without a zone database

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options are what the web app needs from the worker.
type Options struct {
	Store *store.Store
	// Cycles takes the actions; nil makes the app read-only (actions are refused).
	Cycles Cycles
	Config config.Config
	Logger *slog.Logger
	// Now is the wall clock; tests pin it.
	Now func() time.Time
	// OIDC is the identity provider; nil when none is configured (NewOIDC builds it).
	OIDC *OIDC
}

// Server is the web app: an http.Handler with its templates and dependencies.
type Server struct {
	store   *store.Store
	cycles  Cycles
	cfg     config.Config
	log     *slog.Logger
	now     func() time.Time
	oidcP   oidcProvider
	pages   *pages
	handler http.Handler
	// secure marks cookies Secure: the public base URL is https.
	secure bool
}

// New builds the web app.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("web: no store")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: opts.Store, cycles: opts.Cycles, cfg: opts.Config, log: opts.Logger.With("component", "web"),
		now: opts.Now, pages: p}
	if opts.OIDC != nil {
		s.oidcP.Store(opts.OIDC)
	}
	if u, err := url.Parse(opts.Config.PublicBaseURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves the app.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Listen opens the app's address, so that a port taken is an error at start.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web app: listen on %s (ACCREDIT_HTTP_ADDR): %w", addr, err)
	}
	return ln, nil
}

// Serve serves the app on ln until ctx is done, then shuts down gracefully: requests under
// way get up to 10 seconds to finish. It returns nil after a shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	go s.housekeeping(ctx)
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return <-done
	}
	return err
}

// housekeeping deletes expired sessions and sign-in links, at start and every hour.
func (s *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.store.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("delete expired sessions", "error", err)
		} else if n > 0 {
			s.log.Debug("deleted expired sessions and sign-in links", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// URL is the public address of a path of the app.
func (s *Server) URL(path string) string {
	return strings.TrimSuffix(s.cfg.PublicBaseURL, "/") + path
}

// copenhagen is Danish time, for the times people read (a draft's save).
var copenhagen = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Copenhagen"); err == nil {
		return loc
	}
	return time.UTC
}()
