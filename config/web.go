package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Web is the web app's sign-in (issue 11): personal sign-in links on the embedded default,
// OpenID Connect in production, and how long a session lasts.
type Web struct {
	// SignInLinkTTL is how long a link from starter people link stays usable (it is used once).
	SignInLinkTTL time.Duration `yaml:"signin_link_ttl" env:"SIGNIN_LINK_TTL"`
	// SessionTTL is how long a signed-in browser stays signed in.
	SessionTTL time.Duration `yaml:"session_ttl" env:"SESSION_TTL"`
	// OIDC is the identity provider; without an issuer, people sign in with links only.
	OIDC OIDC `yaml:"oidc" envPrefix:"OIDC_"`
}

// OIDC names the OpenID Connect provider and this service's client registration there. The
// person signing in is matched by the e-mail address the provider vouches for.
type OIDC struct {
	// Issuer is the provider's issuer URL (its /.well-known/openid-configuration is read at start).
	Issuer string `yaml:"issuer" env:"ISSUER"`
	// ClientID and ClientSecret are the service's registration at the provider.
	ClientID     string `yaml:"client_id" env:"CLIENT_ID"`
	ClientSecret string `yaml:"client_secret" env:"CLIENT_SECRET"`
	// RedirectURL is where the provider sends the browser back; empty means
	// ACCREDIT_PUBLIC_BASE_URL + /signin/oidc/callback. It must lie under the public base URL.
	RedirectURL string `yaml:"redirect_url" env:"REDIRECT_URL"`
}

// OIDCCallbackPath is the path the provider redirects to.
const OIDCCallbackPath = "/signin/oidc/callback"

// DefaultWeb is links valid for 7 days, sessions for 12 hours, and no identity provider.
func DefaultWeb() Web {
	return Web{SignInLinkTTL: 7 * 24 * time.Hour, SessionTTL: 12 * time.Hour}
}

// Enabled reports whether an OpenID Connect provider is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// OIDCRedirectURL is the redirect URL registered at the provider.
func (c Config) OIDCRedirectURL() string {
	if c.Web.OIDC.RedirectURL != "" {
		return c.Web.OIDC.RedirectURL
	}
	return strings.TrimSuffix(c.PublicBaseURL, "/") + OIDCCallbackPath
}

func (c *Config) validateWeb() []error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if c.Web.SignInLinkTTL <= 0 {
		add("ACCREDIT_SIGNIN_LINK_TTL must be positive, got %s (e.g. 168h for a week)", c.Web.SignInLinkTTL)
	}
	if c.Web.SessionTTL <= 0 {
		add("ACCREDIT_SESSION_TTL must be positive, got %s (e.g. 12h)", c.Web.SessionTTL)
	}
	o := c.Web.OIDC
	if !o.Enabled() {
		if o.ClientID != "" || o.ClientSecret != "" || o.RedirectURL != "" {
			add("ACCREDIT_OIDC_CLIENT_ID, _CLIENT_SECRET or _REDIRECT_URL is set without ACCREDIT_OIDC_ISSUER: give the provider's issuer URL, or unset them")
		}
		return problems
	}
	if err := checkBaseURL(o.Issuer); err != nil {
		add("ACCREDIT_OIDC_ISSUER %q is malformed: %v (expected the provider's issuer URL, e.g. https://login.regioner.dk/realms/accredit)", o.Issuer, err)
	}
	if o.ClientID == "" {
		add("ACCREDIT_OIDC_CLIENT_ID is empty: give the client ID registered at %s", o.Issuer)
	}
	if o.ClientSecret == "" {
		add("ACCREDIT_OIDC_CLIENT_SECRET is empty: give the client secret registered at %s", o.Issuer)
	}
	redirect := c.OIDCRedirectURL()
	base := strings.TrimSuffix(c.PublicBaseURL, "/")
	u, err := url.Parse(redirect)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		add("ACCREDIT_OIDC_REDIRECT_URL %q is not an absolute http or https URL", redirect)
	case !strings.HasPrefix(redirect, base+"/"):
		add("ACCREDIT_OIDC_REDIRECT_URL %q is not under ACCREDIT_PUBLIC_BASE_URL %q: the provider must send people back to this service (%s%s)",
			redirect, c.PublicBaseURL, base, OIDCCallbackPath)
	case u.Path != strings.TrimSuffix(mustPath(base), "/")+OIDCCallbackPath:
		add("ACCREDIT_OIDC_REDIRECT_URL %q must end in %s, where the service takes the provider's answer", redirect, OIDCCallbackPath)
	}
	return problems
}

func mustPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}
