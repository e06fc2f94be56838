package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kvalitetsmodel/accredit/internal/pgurl"
)

// validateDatabase checks ACCREDIT_DATABASE_URL when it is set: a postgres:// URL with a host
// and a database name. No problem ever repeats the password.
func (c *Config) validateDatabase() []error {
	raw := c.DatabaseURL
	switch {
	case raw == "":
		return nil
	case strings.TrimSpace(raw) != raw:
		return []error{fmt.Errorf("ACCREDIT_DATABASE_URL %s has white space around it: give the URL alone", pgurl.Redact(strings.TrimSpace(raw)))}
	}
	if _, err := url.Parse(raw); err != nil {
		return []error{fmt.Errorf("ACCREDIT_DATABASE_URL cannot be read as a URL (not shown: it may hold a password): give %s", pgurl.Form)}
	}
	if err := pgurl.Check(raw); err != nil {
		return []error{fmt.Errorf("ACCREDIT_DATABASE_URL %s is not a PostgreSQL database URL: %v", pgurl.Redact(raw), err)}
	}
	return nil
}

// StoreDisplay names where the domain store is, for logs: the PostgreSQL URL without its
// password, or the SQLite file.
func (c Config) StoreDisplay() string {
	if c.DatabaseURL != "" {
		return pgurl.Redact(c.DatabaseURL)
	}
	return c.StorePath()
}
