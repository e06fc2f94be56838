// Package storetest runs a test on both backends of the domain store, SQLite and PostgreSQL,
// for tests outside package store (a web handler's, a dispatcher's). Package store's own
// tests use eachBackend (store/backends_test.go), which cannot import this package.
//
//	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
//		st := b.Seeded(t, store.WithClock(clock))
//		...
//	})
//
// The "postgres" subtest is skipped, with the reason, without a PostgreSQL server, and fails
// in CI (CI=true); internal/pgtest says where the server is looked for.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kvalitetsmodel/accredit/internal/pgtest"
	"github.com/kvalitetsmodel/accredit/store"
)

// Backend is a database the store runs on, as a test sees it.
type Backend struct {
	// Name is "sqlite" or "postgres", as store.Store.Backend says.
	Name     string
	location func(t testing.TB) store.Location
}

// SQLite is a SQLite file in the test's temporary directory.
var SQLite = Backend{Name: "sqlite", location: func(t testing.TB) store.Location {
	return store.Location{Path: filepath.Join(t.TempDir(), "accredit.db")}
}}

// PostgreSQL is a PostgreSQL database of the test's own (pgtest.Database).
var PostgreSQL = Backend{Name: "postgres", location: func(t testing.TB) store.Location {
	return store.Location{URL: pgtest.Database(t)}
}}

// Each runs test on SQLite and on PostgreSQL, as the subtests "sqlite" and "postgres".
func Each(t *testing.T, test func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range []Backend{SQLite, PostgreSQL} {
		t.Run(b.Name, func(t *testing.T) { test(t, b) })
	}
}

// Location makes a new, empty database for t, removed when t ends.
func (b Backend) Location(t testing.TB) store.Location {
	t.Helper()
	return b.location(t)
}

// Open opens the store at loc (migrating it) and closes it when t ends. Two Opens of one
// Location are two processes sharing a database.
func (b Backend) Open(t testing.TB, loc store.Location, opts ...store.Option) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), loc, opts...)
	if err != nil {
		t.Fatalf("open the %s store: %v", b.Name, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Seeded is a new store, migrated and seeded (regions, target groups, the shipped catalogue).
func (b Backend) Seeded(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	st := b.Open(t, b.Location(t), opts...)
	if err := st.Seed(context.Background()); err != nil {
		t.Fatalf("seed the %s store: %v", b.Name, err)
	}
	return st
}
