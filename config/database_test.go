package config

import (
	"strings"
	"testing"
)

func TestDatabaseURL(t *testing.T) {
	if cfg := mustLoad(t, Source{Environ: hermetic(t)}); cfg.DatabaseURL != "" {
		t.Errorf("DatabaseURL defaults to %q, want empty (SQLite in the data directory)", cfg.DatabaseURL)
	}
	for _, raw := range []string{
		"postgres://accredit@db.example.org/accredit",
		"postgresql://accredit:s3cret@127.0.0.1:5432/accredit?sslmode=disable",
		"postgres://accredit@db.example.org:6432/accredit?sslmode=verify-full&application_name=worker-2",
	} {
		cfg := mustLoad(t, Source{Environ: hermetic(t, "ACCREDIT_DATABASE_URL="+raw)})
		if cfg.DatabaseURL != raw {
			t.Errorf("DatabaseURL = %q, want %q", cfg.DatabaseURL, raw)
		}
	}
	path := writeFile(t, "accredit.yaml", "database_url: postgres://accredit@db.example.org/accredit\n")
	if cfg := mustLoad(t, Source{File: path, Environ: hermetic(t)}); cfg.DatabaseURL != "postgres://accredit@db.example.org/accredit" {
		t.Errorf("DatabaseURL from the file = %q", cfg.DatabaseURL)
	}
}

func TestBadDatabaseURL(t *testing.T) {
	for _, c := range []struct {
		name, url string
		want      []string
	}{
		{"another database", "mysql://accredit:s3cret@db.example.org/accredit",
			[]string{"ACCREDIT_DATABASE_URL mysql://accredit:xxxxx@db.example.org/accredit", `the scheme is "mysql", not postgres`, "postgres://USER"}},
		{"a file path", "/var/lib/accredit/accredit.db",
			[]string{"ACCREDIT_DATABASE_URL", `the scheme is "", not postgres`, "SQLite in the data directory"}},
		{"no database", "postgres://accredit:s3cret@db.example.org",
			[]string{"ACCREDIT_DATABASE_URL postgres://accredit:xxxxx@db.example.org", "names no database"}},
		{"no host", "postgres:///accredit",
			[]string{"names no host"}},
		{"a bad port", "postgres://accredit:s3cret@db.example.org:99999x/accredit",
			[]string{"ACCREDIT_DATABASE_URL cannot be read as a URL"}},
		{"an unknown sslmode", "postgres://accredit:s3cret@db.example.org/accredit?sslmode=sometimes",
			[]string{"ACCREDIT_DATABASE_URL postgres://accredit:xxxxx@db.example.org/accredit?sslmode=sometimes", "PostgreSQL cannot use it", "sslmode"}},
		{"spaces", " postgres://accredit:s3cret@db.example.org/accredit",
			[]string{"has white space around it"}},
		{"not a URL", "post gres://accredit:s3cret@db.example.org/accredit",
			[]string{"ACCREDIT_DATABASE_URL cannot be read as a URL (not shown: it may hold a password)", "postgres://USER"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Source{Environ: hermetic(t, "ACCREDIT_DATABASE_URL="+c.url)})
			msg := problems(t, err, 1)
			assertContains(t, msg, c.want...)
			if strings.Contains(msg, "s3cret") {
				t.Errorf("the message shows the password:\n%s", msg)
			}
		})
	}
}

func TestStoreDisplayHidesThePassword(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t, "ACCREDIT_DATABASE_URL=postgres://accredit:s3cret@db.example.org/accredit")})
	if got, want := cfg.StoreDisplay(), "postgres://accredit:xxxxx@db.example.org/accredit"; got != want {
		t.Errorf("StoreDisplay() = %q, want %q", got, want)
	}
	cfg = mustLoad(t, Source{Environ: hermetic(t)})
	if got := cfg.StoreDisplay(); got != cfg.StorePath() {
		t.Errorf("StoreDisplay() = %q, want the SQLite file %q", got, cfg.StorePath())
	}
}
