// Package pgurl checks and redacts the PostgreSQL URL of the domain store
// (ACCREDIT_DATABASE_URL), for the configuration, which reports a bad one at start, and for
// the store, which opens it. Neither ever shows the password.
package pgurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Form is the shape of a valid URL, for error messages.
const Form = "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...]"

// Check accepts a postgres:// or postgresql:// URL with a host and a database name that pgx
// can use, and otherwise says what is wrong and what to give instead.
func Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("it is not a URL: give " + Form)
	}
	switch {
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		return fmt.Errorf("the scheme is %q, not postgres: give %s (without a URL, the store is SQLite in the data directory)", u.Scheme, Form)
	case u.Host == "" && u.Query().Get("host") == "":
		return errors.New("it names no host: give " + Form)
	case strings.Trim(u.Path, "/") == "":
		return errors.New("it names no database: give " + Form + ", a database of the domain store's own")
	}
	if _, err := pgx.ParseConfig(raw); err != nil {
		return fmt.Errorf("PostgreSQL cannot use it: %s", parseProblem(err))
	}
	return nil
}

// Redact is the URL with its password replaced by "xxxxx", for logs and errors; a string
// that is not a URL is not shown at all.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a malformed URL)"
	}
	return u.Redacted()
}

// parseProblem is pgx's parse error without the connection string it quotes (pgx masks the
// password only on a best-effort basis).
func parseProblem(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if _, rest, ok := strings.Cut(err.Error(), "`: "); ok {
			return rest
		}
		return "it cannot be parsed"
	}
	return err.Error()
}
