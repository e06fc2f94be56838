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
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3" // the default store's driver
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a handle on the domain database. It is safe for concurrent use.
type Store struct {
	db *sqlx.DB
	// w writes. On SQLite it is a second handle with one connection: SQLite lets one writer
	// in at a time, and writers queued on a Go pool take turns at once, where writers on
	// many connections poll the lock with sleeps (the busy timeout) and, at a few hundred
	// stages writing at once, spent most of their time asleep. On PostgreSQL it is db.
	w   *sqlx.DB
	now func() time.Time
}

// Option adjusts a Store at open.
type Option func(*Store)

// WithClock replaces the wall clock used for created_at and updated_at columns.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Location says where the domain store lives: the PostgreSQL database at URL when it is set
// (several worker replicas share it), the SQLite file at Path otherwise (one machine, the
// default). config.Config holds both: DatabaseURL and StorePath().
type Location struct {
	// URL is a postgres:// (or postgresql://) URL; empty selects SQLite.
	URL string
	// Path is the SQLite file, used when URL is empty.
	Path string
}

// Open opens the domain store at loc, PostgreSQL or SQLite, and migrates it to the newest
// schema. It is the one way the service, the starter and the tests open the store.
func Open(ctx context.Context, loc Location, opts ...Option) (*Store, error) {
	if loc.URL != "" {
		return OpenPostgres(ctx, loc.URL, opts...)
	}
	if loc.Path == "" {
		return nil, errors.New("open domain store: neither a PostgreSQL URL nor a SQLite file was given")
	}
	return OpenSQLite(ctx, loc.Path, opts...)
}

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
	// LIKE tells upper from lower case, as it does on PostgreSQL.
	q.Set("_cslike", "on")
	dsn := "file:" + path + "?" + q.Encode()
	// Processes that open a new file together (replicas, the starter beside the worker) can
	// find it locked while one of them turns it to WAL, which SQLite answers at once instead
	// of waiting out the busy timeout: try again for a while.
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := openSQLiteOnce(ctx, dsn, path, opts)
		if err == nil || !isLocked(err) || time.Now().After(deadline) {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func openSQLiteOnce(ctx context.Context, dsn, path string, opts []Option) (*Store, error) {
	db, err := sqlx.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open domain store %s: %w", path, err)
	}
	w, err := sqlx.Open("sqlite3", dsn)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open domain store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	return open(ctx, db, w, path, opts)
}

// isLocked reports whether SQLite refused for a lock another connection holds.
func isLocked(err error) bool {
	var e sqlite3.Error
	if errors.As(err, &e) {
		return e.Code == sqlite3.ErrBusy || e.Code == sqlite3.ErrLocked
	}
	return strings.Contains(err.Error(), "database is locked")
}

// open finishes opening a store on db, whatever its backend: it checks the connection and
// migrates. where names the database in errors (never with a password).
func open(ctx context.Context, db, w *sqlx.DB, where string, opts []Option) (*Store, error) {
	s := &Store{db: db, w: w, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open domain store %s: %w", where, err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		_ = s.Close()
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
func (s *Store) Close() error {
	err := s.db.Close()
	if s.w != s.db {
		err = errors.Join(err, s.w.Close())
	}
	return err
}

// DB exposes the handle for tests and read-only reports.
func (s *Store) DB() *sqlx.DB { return s.db }

// Backend names the database the store runs on: "sqlite" or "postgres".
func (s *Store) Backend() string {
	if s.db.DriverName() == "sqlite3" {
		return "sqlite"
	}
	return "postgres"
}

func (s *Store) dialect() goose.Dialect {
	if s.Backend() == "sqlite" {
		return goose.DialectSQLite3
	}
	return goose.DialectPostgres
}

// migrations is the goose provider of the embedded migrations for this store's dialect. On
// PostgreSQL it holds a session advisory lock while it migrates, so that worker replicas
// starting together apply each migration once (the others wait, then find nothing to do);
// SQLite's single writer needs none.
func (s *Store) migrations() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if s.Backend() == "postgres" {
		locker, err := migrationLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(s.dialect(), s.w.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	return provider, nil
}

// Migrate applies every pending migration and returns the versions it applied. Running it
// on an up-to-date database applies nothing.
//
// Two processes may migrate one database at once (replicas that start together; the starter
// while the worker starts). On PostgreSQL the second waits for goose's lock. SQLite has no
// such lock: goose picks the pending migrations before its transaction takes the write lock,
// so the slower process fails on a migration the other just applied, and rolls it back. When
// the database then holds that migration, Migrate carries on from there.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	provider, err := s.migrations()
	if err != nil {
		return nil, err
	}
	var applied []int64
	for attempt := 1; ; attempt++ {
		results, err := provider.Up(ctx)
		var partial *goose.PartialError
		if errors.As(err, &partial) {
			results = partial.Applied
		}
		for _, r := range results {
			applied = append(applied, r.Source.Version)
		}
		if err == nil {
			return applied, s.fillOverdueAt(ctx)
		}
		if partial != nil && s.Backend() == "sqlite" && attempt < 10 {
			if v, verr := provider.GetDBVersion(ctx); verr == nil && v >= partial.Failed.Source.Version {
				continue // another process applied it
			}
		}
		return applied, fmt.Errorf("migrate domain store: %w", err)
	}
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	provider, err := s.migrations()
	if err != nil {
		return 0, err
	}
	return provider.GetDBVersion(ctx)
}

// dbTime is t as both backends keep it: in UTC, to the microsecond (PostgreSQL's TIMESTAMP
// precision; SQLite would keep nanoseconds), so that a time reads back the same from either.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// stamp is the store clock's now, as dbTime keeps it, for created_at and updated_at.
func (s *Store) stamp() time.Time { return dbTime(s.now()) }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// serialize makes the write transactions that name the same key run one after the other, for
// a transaction that reads before it writes and must see what a concurrent one wrote (two
// replicas publishing the same record both read "no version yet"). On PostgreSQL it takes a
// transaction-level advisory lock on the key, released at commit or rollback; on SQLite every
// write transaction already holds the database's one write lock from BEGIN (_txlock=immediate).
func (s *Store) serialize(ctx context.Context, tx *sqlx.Tx, key string) error {
	if s.Backend() != "postgres" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("wait for the other writers of %s: %w", key, err)
	}
	return nil
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}
