package web

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/store"
)

// Open builds the worker's web app on its store and Temporal client and opens its address
// (ACCREDIT_HTTP_ADDR); Serve runs it. An identity provider that cannot be reached at start
// does not stop the worker: sign-in links work meanwhile, and the provider is tried again
// every minute.
func Open(ctx context.Context, cfg config.Config, st *store.Store, c client.Client, logger *slog.Logger) (*Server, net.Listener, error) {
	s, err := New(Options{Store: st, Cycles: cycles.New(c, cycles.Options{TaskQueue: cfg.TaskQueue}), Config: cfg, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	if cfg.Web.OIDC.Enabled() {
		s.discoverOIDC(ctx, cfg)
	}
	ln, err := Listen(cfg.HTTPAddr)
	if err != nil {
		return nil, nil, err
	}
	return s, ln, nil
}

// discoverOIDC reads the provider's configuration, now or, while it cannot, every minute.
func (s *Server) discoverOIDC(ctx context.Context, cfg config.Config) {
	try := func() bool {
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		o, err := NewOIDC(dctx, cfg)
		if err != nil {
			s.log.Error("OpenID Connect sign-in is unavailable until the provider answers; sign-in links still work", "error", err)
			return false
		}
		s.oidcP.Store(o)
		s.log.Info("OpenID Connect sign-in ready", "issuer", cfg.Web.OIDC.Issuer, "redirect_url", cfg.OIDCRedirectURL())
		return true
	}
	if try() {
		return
	}
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if try() {
					return
				}
			}
		}
	}()
}

// oidcProvider is the provider, once discovered.
type oidcProvider = atomic.Pointer[OIDC]
