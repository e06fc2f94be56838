// Package store is the domain store: the registry of institutions and people, the standards
// catalogue, and the read model that the cycle workflows keep (cycles, steps, submissions,
// notifications, audit). It speaks portable SQL through sqlx, so the SQLite file of the
// default run and a PostgreSQL database for several worker replicas take the same queries.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the default store's driver
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a handle on the domain database. It is safe for concurrent use.
type Store struct {
	db  *sqlx.DB
	now func() time.Time
}

// Option adjusts a Store at open.
type Option func(*Store)

// WithClock replaces the wall clock used for created_at and updated_at columns.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// OpenSQLite opens (creating when missing) the SQLite file at path with WAL, foreign keys and
// a busy timeout, and migrates it to the newest schema.
//
// The file holds names, e-mail addresses and self-evaluations, so only the service's user may
// read it: a missing directory is created 0700, and the database and its -wal and -shm files
// are 0600 (SQLite gives new -wal and -shm files the mode of the database).
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create directory for domain store %s: %w", path, err)
	}
	if err := privateDatabaseFile(path); err != nil {
		return nil, fmt.Errorf("open domain store %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	// Writers take the lock at BEGIN so that two writers wait for each other instead of
	// failing with "database is locked" when upgrading a read transaction.
	q.Set("_txlock", "immediate")
	db, err := sqlx.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open domain store %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open domain store %s: %w", path, err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// privateDatabaseFile creates the SQLite file at path readable and writable by its owner only
// (0600) before SQLite opens it, and takes every other permission away from an existing one and
// from its -wal, -shm and -journal files: databases created 0644 by an older version are
// tightened at the next start.
func privateDatabaseFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make %s private (0600): %w", p, err)
		}
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the handle for tests and read-only reports.
func (s *Store) DB() *sqlx.DB { return s.db }

func (s *Store) dialect() goose.Dialect {
	if s.db.DriverName() == "sqlite3" {
		return goose.DialectSQLite3
	}
	return goose.DialectPostgres
}

// Migrate applies every pending migration and returns the versions it applied. Running it
// on an up-to-date database applies nothing.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	provider, err := goose.NewProvider(s.dialect(), s.db.DB, sub)
	if err != nil {
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate domain store: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	provider, err := goose.NewProvider(s.dialect(), s.db.DB, sub)
	if err != nil {
		return 0, err
	}
	return provider.GetDBVersion(ctx)
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}
