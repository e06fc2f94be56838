// Package sqlitebackup copies a live SQLite database into a new file while other connections
// keep writing it, through SQLite's online backup API, and checks a copy's integrity. The
// starter's backup and restore commands use it on the domain store and on the embedded
// Temporal server's database.
//
// Each database is opened through the SQLite library that the worker opens it with: the
// domain store through github.com/mattn/go-sqlite3, Temporal's file through modernc.org/sqlite.
// Two copies of SQLite in one process do not see each other's POSIX locks, so a connection of
// the other library would not keep the worker's checkpoints off the pages it reads, and on
// closing could take itself for the last connection and delete a WAL file in use
// (sqlite.org/howtocorrupt.html, 2.2.1). In the starter's own process that cannot happen, but
// the tests, which run the worker and the starter in one process, would corrupt Temporal's file.
package sqlitebackup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// Library is the SQLite library (and database/sql driver) a database is opened through.
type Library int

const (
	// Mattn is github.com/mattn/go-sqlite3 (driver "sqlite3"), the domain store's.
	Mattn Library = iota + 1
	// Modernc is modernc.org/sqlite (driver "sqlite"), the embedded Temporal server's.
	Modernc
)

func (l Library) String() string {
	switch l {
	case Mattn:
		return "mattn/go-sqlite3"
	case Modernc:
		return "modernc.org/sqlite"
	}
	return fmt.Sprintf("Library(%d)", int(l))
}

// Options tune a copy; the zero value is the default.
type Options struct {
	// PagesPerStep is how many pages one step copies (default 256, 1 MiB of 4 KiB pages).
	// Each step reads in a transaction of its own, so a source in rollback-journal mode lets
	// its writers in between steps; in WAL mode readers never hold writers up.
	PagesPerStep int
	// MaxRestarts is how often a write to the source may send the copy back to its first page
	// before the rest is copied in one step (default 3). That one step reads a single snapshot,
	// which in WAL mode does not block the writers either, so a busy database is still copied.
	MaxRestarts int

	// afterStep, when set, runs after every step that left pages to copy: the tests write
	// the source there, where a write is sure to fall between two steps.
	afterStep func()
}

// Result says how a copy went.
type Result struct {
	// Pages is the number of pages in the copy.
	Pages int
	// Steps counts the calls of sqlite3_backup_step that copied pages.
	Steps int
	// Restarts counts how often a write to the source made the copy start over.
	Restarts int
}

// Open opens an existing database file through lib, never creating one, with a busy timeout
// so that a read waits for a checkpoint instead of failing.
func Open(lib Library, path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	switch lib {
	case Mattn:
		return sql.Open("sqlite3", "file:"+uriPath(path)+"?mode=rw&_busy_timeout=10000")
	case Modernc:
		return sql.Open("sqlite", "file:"+uriPath(path)+"?mode=rw&_pragma=busy_timeout(10000)")
	}
	return nil, fmt.Errorf("unknown SQLite library %v", lib)
}

// uriPath escapes the characters that end or escape a path in an SQLite URI filename.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Copy copies the database at src into a new file dst (which must not exist) while other
// connections, in this process or others, go on reading and writing src. The copy is one
// consistent snapshot of src: what a single transaction would have read at the moment the
// last step began. On error dst is removed.
func Copy(ctx context.Context, lib Library, src, dst string, opts Options) (res Result, err error) {
	if opts.PagesPerStep <= 0 {
		opts.PagesPerStep = 256
	}
	if opts.MaxRestarts <= 0 {
		opts.MaxRestarts = 3
	}
	srcDB, err := Open(lib, src)
	if err != nil {
		return res, fmt.Errorf("open %s: %w", src, err)
	}
	defer srcDB.Close()
	// The destination is created here, private and exclusively: SQLite would create it with
	// the umask's mode, and would happily open a file someone else just made.
	f, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return res, err
	}
	if err := f.Close(); err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			RemoveFiles(dst)
		}
	}()
	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("open %s: %w", src, err)
	}
	defer srcConn.Close()
	switch lib {
	case Mattn:
		res, err = copyMattn(ctx, srcConn, dst, opts)
	case Modernc:
		res, err = copyModernc(ctx, srcConn, dst, opts)
	default:
		err = fmt.Errorf("unknown SQLite library %v", lib)
	}
	if err != nil {
		return res, fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	// The copy was written without a WAL (the destination connection was in rollback mode), so
	// a -wal file left beside it means SQLite did not finish it.
	for _, side := range []string{"-wal", "-journal"} {
		if fi, statErr := os.Stat(dst + side); statErr == nil && fi.Size() > 0 {
			return res, fmt.Errorf("copy %s to %s: SQLite left %s behind", src, dst, dst+side)
		}
	}
	RemoveSideFiles(dst)
	return res, syncFile(dst)
}

// stepper is one backup in progress, as both libraries offer it.
type stepper interface {
	// step copies up to n pages (all when n < 0); busy says it could not take a lock and
	// copied nothing.
	step(n int) (done, busy bool, err error)
	remaining() int
	pageCount() int
}

// run steps b to the end. A step whose pages remaining are not fewer than before the step
// started over from the first page (another connection wrote the source in between), or
// found the source busy.
func run(ctx context.Context, b stepper, opts Options) (Result, error) {
	var res Result
	prev := -1
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		n := opts.PagesPerStep
		if res.Restarts >= opts.MaxRestarts {
			n = -1
		}
		done, busy, err := b.step(n)
		if err != nil {
			return res, err
		}
		if done {
			res.Steps++
			res.Pages = b.pageCount()
			return res, nil
		}
		if busy {
			res.Restarts++
			if err := sleep(ctx, 20*time.Millisecond); err != nil {
				return res, err
			}
			continue
		}
		res.Steps++
		if opts.afterStep != nil {
			opts.afterStep()
		}
		rem := b.remaining()
		if prev >= 0 && rem >= prev {
			res.Restarts++
		}
		prev = rem
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type mattnBackup struct{ b *sqlite3.SQLiteBackup }

func (m mattnBackup) step(n int) (bool, bool, error) {
	done, err := m.b.Step(n)
	if err != nil || done {
		return done, false, err
	}
	// The driver reports SQLITE_BUSY and SQLITE_LOCKED as "not done": with n < 0 that can only
	// mean the step could not start.
	return false, n < 0, nil
}
func (m mattnBackup) remaining() int { return m.b.Remaining() }
func (m mattnBackup) pageCount() int { return m.b.PageCount() }

func copyMattn(ctx context.Context, srcConn *sql.Conn, dst string, opts Options) (Result, error) {
	dstDB, err := sql.Open("sqlite3", "file:"+uriPath(dst)+"?mode=rw")
	if err != nil {
		return Result{}, err
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return Result{}, err
	}
	defer dstConn.Close()
	var res Result
	rawErr := srcConn.Raw(func(s any) error {
		src, ok := s.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("source connection is %T, not go-sqlite3's", s)
		}
		return dstConn.Raw(func(d any) error {
			dc, ok := d.(*sqlite3.SQLiteConn)
			if !ok {
				return fmt.Errorf("destination connection is %T, not go-sqlite3's", d)
			}
			b, err := dc.Backup("main", src, "main")
			if err != nil {
				return err
			}
			res, err = run(ctx, mattnBackup{b}, opts)
			if finishErr := b.Finish(); err == nil {
				err = finishErr
			}
			return err
		})
	})
	if err := dstConn.Close(); rawErr == nil {
		rawErr = err
	}
	if err := dstDB.Close(); rawErr == nil {
		rawErr = err
	}
	return res, rawErr
}

// moderncBackupConn is what modernc.org/sqlite's (unexported) connection offers for backups.
type moderncBackupConn interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

type moderncBackup struct{ b *sqlite.Backup }

func (m moderncBackup) step(n int) (bool, bool, error) {
	more, err := m.b.Step(int32(n))
	if err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) {
			switch se.Code() & 0xff {
			case sqlitelib.SQLITE_BUSY, sqlitelib.SQLITE_LOCKED:
				return false, true, nil
			}
		}
		return false, false, err
	}
	return !more, false, nil
}
func (m moderncBackup) remaining() int { return m.b.Remaining() }
func (m moderncBackup) pageCount() int { return m.b.PageCount() }

func copyModernc(ctx context.Context, srcConn *sql.Conn, dst string, opts Options) (Result, error) {
	var res Result
	err := srcConn.Raw(func(s any) error {
		src, ok := s.(moderncBackupConn)
		if !ok {
			return fmt.Errorf("source connection is %T, not modernc.org/sqlite's", s)
		}
		b, err := src.NewBackup("file:" + uriPath(dst) + "?mode=rw")
		if err != nil {
			return err
		}
		res, err = run(ctx, moderncBackup{b}, opts)
		// Finish also closes the destination connection.
		if finishErr := b.Finish(); err == nil {
			err = finishErr
		}
		return err
	})
	return res, err
}

// IntegrityCheck runs PRAGMA integrity_check on the database at path and returns an error
// naming the first problems it reports. It only reads; the -wal and -shm files that opening a
// WAL database makes are gone again when it returns.
func IntegrityCheck(ctx context.Context, lib Library, path string) error {
	db, err := Open(lib, path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	problems, err := integrityCheck(ctx, db)
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil && isCorrupt(err) {
		// So damaged that the check itself could not run.
		problems, err = []string{err.Error()}, nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	RemoveSideFiles(path)
	if len(problems) > 0 {
		return &CorruptError{Path: path, Problems: problems}
	}
	return nil
}

// isCorrupt tells SQLite's "database disk image is malformed" and "file is not a database"
// from the errors of a database that could not be read for other reasons.
func isCorrupt(err error) bool {
	var me sqlite3.Error
	if errors.As(err, &me) {
		return me.Code == sqlite3.ErrCorrupt || me.Code == sqlite3.ErrNotADB
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlitelib.SQLITE_CORRUPT, sqlitelib.SQLITE_NOTADB:
			return true
		}
	}
	return false
}

// CorruptError is a database that SQLite's integrity check finds damaged.
type CorruptError struct {
	Path     string
	Problems []string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s fails SQLite's integrity check: %s", e.Path, strings.Join(e.Problems, "; "))
}

func integrityCheck(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	return problems, rows.Err()
}

// RemoveSideFiles removes the -wal, -shm and -journal files beside a database whose last
// connection is closed, where SQLite left them empty.
func RemoveSideFiles(path string) {
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if fi, err := os.Stat(path + side); err == nil && (side == "-shm" || fi.Size() == 0) {
			_ = os.Remove(path + side)
		}
	}
}

// RemoveFiles removes a database file and its -wal, -shm and -journal files.
func RemoveFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		_ = os.Remove(p)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
