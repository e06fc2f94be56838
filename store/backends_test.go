package store

// The store's tests run on both backends: every test that takes a backend runs once on a
// SQLite file and once on a PostgreSQL database of its own, as the subtests "sqlite" and
// "postgres" (go test ./store -run '/postgres' runs the PostgreSQL half alone). Without a
// PostgreSQL server the "postgres" subtests are skipped with the reason, and fail in CI
// (CI=true); internal/pgtest says where the server is looked for.

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/pgtest"
)

// backend is a database the store runs on, as the tests see it.
type backend struct {
	name string
	// location makes a new, empty database for t, removed when t ends.
	location func(t *testing.T) Location
}

var (
	sqliteBackend = backend{name: "sqlite", location: func(t *testing.T) Location {
		return Location{Path: filepath.Join(t.TempDir(), "accredit.db")}
	}}
	postgresBackend = backend{name: "postgres", location: func(t *testing.T) Location {
		return Location{URL: pgtest.Database(t)}
	}}
)

// eachBackend runs test on SQLite and on PostgreSQL, as the subtests "sqlite" and "postgres".
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range []backend{sqliteBackend, postgresBackend} {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

// open opens the store at loc and closes it when the test ends.
func (b backend) open(t *testing.T, loc Location, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), loc, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", b.name, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// empty is a fresh, migrated store.
func (b backend) empty(t *testing.T, opts ...Option) *Store {
	t.Helper()
	return b.open(t, b.location(t), opts...)
}

// seeded is a fresh, migrated and seeded store.
func (b backend) seeded(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s := b.empty(t, opts...)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return s
}

// registry is a seeded store with three institutions in two regions and four people.
func (b backend) registry(t *testing.T) *Store {
	t.Helper()
	s := b.seeded(t)
	fillRegistry(t, s)
	return s
}

// fillRegistry writes registry's institutions and people into a seeded store.
func fillRegistry(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.UpsertInstitutions(ctx, nil, []Institution{
		institution("inst-a", domain.Hovedstaden),
		institution("inst-b", domain.Hovedstaden),
		institution("inst-c", domain.Nordjylland),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertPeople(ctx, []Person{
		{ID: "rev-1", Name: "Rev One", Email: "r1@example.org", Role: domain.RoleReviewer, Region: domain.Nordjylland, HomeInstitution: "inst-c"},
		{ID: "rev-2", Name: "Rev Two", Email: "r2@example.org", Role: domain.RoleReviewer, Region: domain.Hovedstaden},
		{ID: "rev-3", Name: "Rev Three", Email: "r3@example.org", Role: domain.RoleReviewer, Region: domain.Hovedstaden},
		{ID: "mgr-inst-a", Name: "Manager A", Email: "a@example.org", Role: domain.RoleInstitutionManager, Region: domain.Hovedstaden, HomeInstitution: "inst-a"},
	}); err != nil {
		t.Fatal(err)
	}
}

// seeded is sqliteBackend.seeded, for tests that run on SQLite only.
func seeded(t *testing.T) *Store {
	t.Helper()
	return sqliteBackend.seeded(t)
}

// registry is sqliteBackend.registry, for tests that run on SQLite only.
func registry(t *testing.T) *Store {
	t.Helper()
	return sqliteBackend.registry(t)
}

// openAt opens the SQLite store at path and closes it when the test ends.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	return sqliteBackend.open(t, Location{Path: path})
}

// tables lists the tables of the store's schema, on either backend (SQLite's own, such as
// sqlite_sequence, left out).
func tables(t *testing.T, s *Store) []string {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if s.Backend() == "postgres" {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var out []string
	if err := s.DB().Select(&out, query); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return out
}

// TestBackendsAreBoth: each subtest of eachBackend runs on the backend it is named after.
func TestBackendsAreBoth(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if s := b.empty(t); s.Backend() != b.name {
			t.Errorf("store opened for %s reports backend %s", b.name, s.Backend())
		}
	})
}

// TestTimesReadBackTheSame: a time the store keeps (an audit entry's, a cycle's anchor)
// reads back the same on both backends: UTC, to the microsecond.
func TestTimesReadBackTheSame(t *testing.T) {
	at := time.Date(2027, 2, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	want := time.Date(2027, 2, 1, 9, 0, 0, 123456000, time.UTC)
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		if err := s.Audit(ctx, AuditEntry{ID: "a-1", At: at, ActorID: "sec-1", Action: "extend", InstitutionID: "inst-a", Cycle: 1}); err != nil {
			t.Fatal(err)
		}
		trail, err := s.AuditTrail(ctx, "inst-a")
		if err != nil || len(trail) != 1 {
			t.Fatalf("AuditTrail = %+v, %v", trail, err)
		}
		if got := trail[0].At; !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("audit entry at %s, want %s", got, want)
		}
		if err := s.UpsertCycle(ctx, CycleRow{InstitutionID: "inst-a", Number: 1, WorkflowID: "cycle/inst-a",
			StartDate: date(2027, 1, 4), Status: "running", Generation: 1, AnchorDate: date(2027, 1, 4), AnchorTime: at,
			DayLengthMS: 1000, Revision: 1}); err != nil {
			t.Fatal(err)
		}
		c, err := s.Cycle(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if !c.AnchorTime.Equal(want) || c.AnchorTime.Location() != time.UTC {
			t.Errorf("cycle anchored at %s, want %s", c.AnchorTime, want)
		}
	})
}
