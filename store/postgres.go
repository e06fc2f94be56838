package store

// The domain store on PostgreSQL, for several worker replicas that share one database
// (ACCREDIT_DATABASE_URL). The queries and migrations are the SQLite store's: only opening,
// the connection pool and the migration lock differ.

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3/lock"

	"github.com/kvalitetsmodel/accredit/internal/pgurl"
)

// MaxPostgresConns is the most connections one process opens to PostgreSQL. Activities run
// hundreds at a time; without a bound, a few replicas would exhaust the server's
// max_connections (100 by default) and every process would fail at once. Callers wait for a
// free connection instead.
const MaxPostgresConns = 10

// OpenPostgres opens the PostgreSQL database at databaseURL through pgx's database/sql driver
// and migrates it to the newest schema; replicas that start together migrate once (see
// Migrate). The database must exist: the service creates tables, not databases.
//
// Sessions run in UTC, so that TIMESTAMP columns hold the same UTC times as on SQLite.
func OpenPostgres(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	where := pgurl.Redact(databaseURL)
	if err := pgurl.Check(databaseURL); err != nil {
		return nil, fmt.Errorf("open domain store %s: %w", where, err)
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil { // Check parsed it already; pgx's error would quote the URL
		return nil, fmt.Errorf("open domain store %s: PostgreSQL cannot use the URL", where)
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "accredit"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxPostgresConns)
	db.SetMaxIdleConns(MaxPostgresConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pg := sqlx.NewDb(db, "pgx")
	return open(ctx, pg, pg, where, opts)
}

// migrationLocker is goose's session advisory lock, polled every second for up to five
// minutes: a replica that starts while another migrates waits for it.
func migrationLocker() (lock.SessionLocker, error) {
	return lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
}
