package web

// OpenID Connect sign-in for production: the authorization code flow with PKCE, a state and
// a nonce held in a short-lived cookie, the ID token verified against the provider's keys,
// and the person matched by the e-mail address the provider vouches for.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/store"
)

// oidcFlowTTL is how long a person has at the provider before the sign-in must start again.
const oidcFlowTTL = 10 * time.Minute

// OIDC is the configured identity provider.
type OIDC struct {
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC reads the provider's discovery document and keys; nil, nil when none is configured.
func NewOIDC(ctx context.Context, cfg config.Config) (*OIDC, error) {
	o := cfg.Web.OIDC
	if !o.Enabled() {
		return nil, nil
	}
	provider, err := oidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OpenID Connect provider %s (ACCREDIT_OIDC_ISSUER): %w", o.Issuer, err)
	}
	return &OIDC{
		verifier: provider.Verifier(&oidc.Config{ClientID: o.ClientID}),
		oauth: oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: cfg.OIDCRedirectURL(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
	}, nil
}

// oidcFlow is what the browser carries to the provider and back (in a cookie).
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x,omitempty"`
}

func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// handleOIDCStart sends the browser to the provider.
func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	provider := s.oidcP.Load()
	if provider == nil {
		s.refuse(w, r, http.StatusNotFound, "OpenID Connect is not configured, or its provider has not answered yet")
		return
	}
	flow := oidcFlow{State: randomHex(), Nonce: randomHex(), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(r.URL.Query().Get("next"))}
	raw, _ := json.Marshal(flow)
	s.setCookie(w, "oidc", base64.RawURLEncoding.EncodeToString(raw), oidcFlowTTL)
	http.Redirect(w, r, provider.oauth.AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier)),
		http.StatusFound)
}

// handleOIDCCallback takes the provider's answer: the state must match the browser's, the
// code is exchanged (with the PKCE verifier), the ID token verified (issuer, audience,
// expiry, signature, nonce), and the e-mail address must be verified and belong to exactly
// one person of the registry.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	provider := s.oidcP.Load()
	if provider == nil {
		s.refuse(w, r, http.StatusNotFound, "OpenID Connect is not configured, or its provider has not answered yet")
		return
	}
	var flow oidcFlow
	raw, err := base64.RawURLEncoding.DecodeString(s.cookie(r, "oidc"))
	if err != nil || json.Unmarshal(raw, &flow) != nil || flow.State == "" {
		s.refuse(w, r, http.StatusBadRequest, "oidc: no sign-in under way in this browser (cookie missing or expired)")
		return
	}
	s.setCookie(w, "oidc", "", -1)
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		s.refuse(w, r, http.StatusForbidden, "csrf: oidc state does not match")
		return
	}
	if e := q.Get("error"); e != "" {
		s.refuse(w, r, http.StatusForbidden, "oidc: the provider refused: "+e+" "+q.Get("error_description"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	tok, err := provider.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		s.refuse(w, r, http.StatusForbidden, "oidc: code exchange failed: "+err.Error())
		return
	}
	rawID, ok := tok.Extra("id_token").(string)
	if !ok {
		s.refuse(w, r, http.StatusForbidden, "oidc: the provider sent no ID token")
		return
	}
	idt, err := provider.verifier.Verify(ctx, rawID)
	if err != nil {
		s.refuse(w, r, http.StatusForbidden, "oidc: ID token: "+err.Error())
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		s.refuse(w, r, http.StatusForbidden, "oidc: ID token nonce does not match")
		return
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email == "" {
		s.refuse(w, r, http.StatusForbidden, "oidc: the ID token names no e-mail address (ask for the email scope)")
		return
	}
	if claims.EmailVerified != nil && !*claims.EmailVerified {
		s.refuse(w, r, http.StatusForbidden, "oidc: the provider has not verified "+claims.Email)
		return
	}
	p, err := s.store.PersonByEmail(r.Context(), claims.Email)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.refuse(w, r, http.StatusForbidden, "oidc-unknown: "+err.Error())
			return
		}
		s.refuse(w, r, http.StatusForbidden, "oidc: "+err.Error())
		return
	}
	if err := s.startSession(w, r, p.ID, "oidc"); err != nil {
		s.fail(w, r, err)
		return
	}
	next := flow.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
