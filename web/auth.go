package web

// Sign-in, sessions and CSRF.
//
// Sessions: a random 256-bit ID in a cookie (HttpOnly, SameSite=Lax, Secure and __Host-
// prefixed when the public base URL is https), kept server-side as its SHA-256 with the
// person and an expiry (ACCREDIT_SESSION_TTL); sign-out deletes it.
//
// CSRF, two layers: Go's http.CrossOriginProtection refuses every unsafe request that the
// browser marks as cross-origin (Sec-Fetch-Site, or Origin against Host), and every form
// carries a synchronizer token that is compared with the session's in constant time, so that
// a browser without those headers is covered too. Forms shown before sign-in (the sign-in
// link's button) carry a double-submit token: a random value in a cookie and in the form.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/store"
)

// maxFormBytes bounds a form: a whole submission may be 512 KiB as JSON, and a form's
// encoding of the same texts is larger.
const maxFormBytes = 4 << 20

type ctxKey int

const (
	viewerKey ctxKey = iota
	langKey
)

func viewerOf(r *http.Request) *Viewer {
	v, _ := r.Context().Value(viewerKey).(*Viewer)
	return v
}

func (s *Server) cookieName(name string) string {
	if s.secure {
		return "__Host-accredit-" + name
	}
	return "accredit-" + name
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
		c.Expires = s.now().Add(maxAge)
	} else if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// withViewer loads the session named by the cookie, and the person it signs in, into the
// request's context. An unknown or expired session is no session.
func (s *Server) withViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := s.cookie(r, "session"); id != "" {
			v, err := s.loadViewer(r.Context(), id)
			switch {
			case err == nil:
				r = r.WithContext(context.WithValue(r.Context(), viewerKey, v))
			case errors.Is(err, store.ErrNotFound):
				// Expired, signed out, or the person left the registry.
			default:
				s.log.Error("load session", "error", err)
				s.renderStatus(w, r, http.StatusInternalServerError, "")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) loadViewer(ctx context.Context, sessionID string) (*Viewer, error) {
	sess, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Person(ctx, sess.PersonID)
	if err != nil {
		return nil, err
	}
	v := &Viewer{Person: p, Session: sess}
	if teams, err := s.store.TeamInstitutions(ctx, p.ID); err != nil {
		return nil, err
	} else {
		v.Teams = teams
	}
	return v, nil
}

// signedIn wraps a handler that needs a signed-in person; anyone else is sent to sign in.
func (s *Server) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if viewerOf(r) == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				s.log.Info("not signed in: sent to sign in", "path", r.URL.Path)
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.refuse(w, r, http.StatusUnauthorized, "not signed in")
			return
		}
		next(w, r)
	}
}

// form wraps a signed-in POST handler: it reads the form (at most maxFormBytes) and refuses
// a missing or wrong CSRF token before the handler sees anything.
func (s *Server) form(next http.HandlerFunc) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.refuse(w, r, http.StatusRequestEntityTooLarge, "the form could not be read: "+err.Error())
			return
		}
		got := r.PostForm.Get("csrf")
		want := viewerOf(r).Session.CSRFToken
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.refuse(w, r, http.StatusForbidden, "csrf: the form's security token is missing or wrong")
			return
		}
		next(w, r)
	})
}

// preSessionToken returns the double-submit token of a browser that is not signed in,
// setting its cookie when it has none.
func (s *Server) preSessionToken(w http.ResponseWriter, r *http.Request) string {
	if t := s.cookie(r, "pre"); len(t) == 64 {
		return t
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	t := hex.EncodeToString(b)
	s.setCookie(w, "pre", t, time.Hour)
	return t
}

func (s *Server) checkPreSession(r *http.Request) bool {
	c := s.cookie(r, "pre")
	f := r.PostForm.Get("csrf")
	return c != "" && f != "" && subtle.ConstantTimeCompare([]byte(c), []byte(f)) == 1
}

// startSession signs a person in: any session the browser had ends, a new one begins.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, personID, method string) error {
	if old := s.cookie(r, "session"); old != "" {
		_ = s.store.DeleteSession(r.Context(), old)
	}
	id, _, err := s.store.CreateSession(r.Context(), personID, method, s.cfg.Web.SessionTTL)
	if err != nil {
		return err
	}
	s.setCookie(w, "session", id, s.cfg.Web.SessionTTL)
	s.setCookie(w, "pre", "", -1)
	s.log.Info("signed in", "person", personID, "method", method, "remote", r.RemoteAddr)
	return nil
}

// handleSignIn shows how to sign in: the OpenID Connect button, when configured, and how to
// get a personal link.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	if viewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", "signin.title", map[string]any{
		"OIDC": s.oidcP.Load() != nil,
		"Next": localPath(r.URL.Query().Get("next")),
	})
}

// handleLinkPage is where a sign-in link leads: a button that signs in. Opening the link
// does not use it (mail and chat previews open links), pressing the button does.
func (s *Server) handleLinkPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.URL.Query().Get("token")
	personID, err := s.store.SignInLinkPerson(r.Context(), token)
	var linkErr *store.SignInLinkError
	if errors.As(err, &linkErr) {
		s.refuse(w, r, http.StatusGone, "sign-in link "+linkErr.Reason)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.store.Person(r.Context(), personID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "signin-link", "signin.title", map[string]any{
		"Token":  token,
		"Person": p,
		"Pre":    s.preSessionToken(w, r),
	})
}

// handleLinkSignIn uses the link: once, before it expires.
func (s *Server) handleLinkSignIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "the sign-in form could not be read")
		return
	}
	if !s.checkPreSession(r) {
		s.refuse(w, r, http.StatusForbidden, "csrf: the sign-in form's security token is missing or wrong")
		return
	}
	personID, err := s.store.RedeemSignInLink(r.Context(), r.PostForm.Get("token"))
	var linkErr *store.SignInLinkError
	if errors.As(err, &linkErr) {
		s.refuse(w, r, http.StatusGone, "sign-in link "+linkErr.Reason)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, personID, "link"); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleSignOut ends the session.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if id := s.cookie(r, "session"); id != "" {
		if err := s.store.DeleteSession(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, "session", "", -1)
	s.log.Info("signed out", "person", viewerOf(r).ID)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// localPath keeps a redirect target on this site: a path, never another host.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}

// SignInLinkURL is the address a sign-in token is handed out as.
func SignInLinkURL(publicBaseURL, token string) string {
	return strings.TrimSuffix(publicBaseURL, "/") + "/signin/link?token=" + url.QueryEscape(token)
}
