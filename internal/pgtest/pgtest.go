// Package pgtest gives a test a PostgreSQL database of its own: created empty for it, with a
// random name, and dropped when it ends. The store's tests run on SQLite and on PostgreSQL
// through it; CI (CI=true) fails without PostgreSQL, and a developer without one sees the
// PostgreSQL half skipped with a one-line reason.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvURL names the variable that points the tests at a PostgreSQL server: a URL of a
// database the user may connect to, with the right to create databases. "off" skips the
// PostgreSQL tests (outside CI).
const EnvURL = "ACCREDIT_TEST_DATABASE_URL"

// DefaultURL is the development and CI machines' server: trust authentication, database test.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// prefix starts the name of every database the tests create, followed by the Unix time it
// was created at and a random part: accredit_test_1767225600_9f8e7d6c.
const prefix = "accredit_test_"

// testDatabase matches the names Database gives, with the time in the first group.
var testDatabase = regexp.MustCompile(`^accredit_test_([0-9]+)_[0-9a-f]+$`)

// leftoverAge is how old a test database must be before a later run drops it: a test run
// that was killed never dropped its own.
const leftoverAge = 24 * time.Hour

var (
	once     sync.Once
	admin    *sql.DB
	adminURL *url.URL
	reason   string // why PostgreSQL is unavailable; "" when it is available
)

// InCI reports whether the tests run in CI (CI=true), where a missing PostgreSQL fails them.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Available connects to the server once per test binary and reports whether it can be used,
// and if not, why.
func Available() (bool, string) {
	once.Do(connect)
	return reason == "", reason
}

func connect() {
	raw := os.Getenv(EnvURL)
	if raw == "" {
		raw = DefaultURL
	}
	if raw == "off" {
		reason = EnvURL + "=off"
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		reason = EnvURL + " is not a postgres:// URL"
		return
	}
	db, err := sql.Open("pgx", raw)
	if err != nil {
		reason = fmt.Sprintf("%s: %v", u.Redacted(), err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		reason = fmt.Sprintf("no server at %s (%s)", u.Redacted(), short(err))
		return
	}
	db.SetMaxOpenConns(2)
	admin, adminURL = db, u
	dropLeftovers(ctx)
}

// Database creates an empty database for t and returns its URL; the database is dropped
// (connections and all) when t ends. Without a server, t is skipped with the reason, or
// fails when CI=true.
func Database(t testing.TB) string {
	t.Helper()
	if ok, why := Available(); !ok {
		if InCI() {
			t.Fatalf("PostgreSQL is required in CI (CI=true): %s; start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set %s", why, EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: %s; set %s to a server's URL (CI fails instead of skipping)", why, EnvURL)
	}
	var random [4]byte
	if _, err := rand.Read(random[:]); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("%s%d_%s", prefix, time.Now().Unix(), hex.EncodeToString(random[:]))
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u := *adminURL
	u.Path = "/" + name
	// A test database outlives no crash: commits need not wait for the disk.
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// dropLeftovers drops the test databases that runs killed before they could drop their own,
// once they are a day old: a run going on now is never disturbed.
func dropLeftovers(ctx context.Context) {
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'accredit\_test\_%'`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil {
			names = append(names, name)
		}
	}
	_ = rows.Close()
	for _, name := range names {
		m := testDatabase.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		created, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || time.Since(time.Unix(created, 0)) < leftoverAge {
			continue
		}
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
}

// short is why the connection failed, on one line: the network error alone when there is
// one (pgx repeats it for every address it tried).
func short(err error) string {
	var (
		op  *net.OpError
		dns *net.DNSError
	)
	switch {
	case errors.As(err, &op):
		err = op
	case errors.As(err, &dns):
		err = dns
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
