package sqlitebackup

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ledger makes a WAL database at path through lib whose every transaction keeps two facts
// true: the amounts sum to zero, and tally.n counts the rows. A copy that mixed pages of two
// moments would break one of them.
func ledger(t *testing.T, lib Library, path string, rows int) *sql.DB {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(lib, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	// One connection: the writer's transactions then never wait for each other.
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`PRAGMA journal_mode=WAL`,
		`CREATE TABLE entry (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, pad BLOB NOT NULL)`,
		`CREATE INDEX entry_amount ON entry (amount)`,
		`CREATE TABLE tally (n INTEGER NOT NULL)`,
		`INSERT INTO tally VALUES (0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := 0; i < rows/2; i++ {
		post(t, db, int64(i+1))
	}
	return db
}

// post writes one balanced pair of entries and counts them, in one transaction.
func post(t testing.TB, db *sql.DB, amount int64) {
	if err := postErr(db, amount); err != nil {
		t.Fatal(err)
	}
}

func postErr(db *sql.DB, amount int64) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	pad := make([]byte, 700)
	for _, a := range []int64{amount, -amount} {
		if _, err := tx.Exec(`INSERT INTO entry (amount, pad) VALUES (?, ?)`, a, pad); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE tally SET n = n + 2`); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func checkLedger(t *testing.T, lib Library, path string) (rows int64) {
	t.Helper()
	if err := IntegrityCheck(context.Background(), lib, path); err != nil {
		t.Fatal(err)
	}
	db, err := Open(lib, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sum, count, tally int64
	if err := db.QueryRow(`SELECT COALESCE(SUM(amount), 0), COUNT(*), (SELECT n FROM tally) FROM entry`).Scan(&sum, &count, &tally); err != nil {
		t.Fatal(err)
	}
	if sum != 0 || count != tally {
		t.Errorf("the copy is not one snapshot: amounts sum to %d (want 0), %d rows but the tally says %d", sum, count, tally)
	}
	return count
}

// TestCopyWhileWriting copies a database that another connection writes without pause, through
// each library: the copy is one consistent snapshot, the writer never stops, and the copy
// restarts when written under it, then finishes in one step.
func TestCopyWhileWriting(t *testing.T) {
	for _, lib := range []Library{Mattn, Modernc} {
		t.Run(lib.String(), func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "live.db")
			db := ledger(t, lib, src, 3000)

			var written atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var writeErr error
			wg.Go(func() {
				for i := int64(1); ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := postErr(db, i); err != nil {
						writeErr = err
						return
					}
					written.Add(1)
				}
			})
			for written.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			before := written.Load()
			dst := filepath.Join(dir, "copy.db")
			// The writer runs on its own; the first five steps are also each followed by a
			// write, so that the copy surely starts over three times and then finishes in one step.
			var hooked int
			res, err := Copy(context.Background(), lib, src, dst, Options{PagesPerStep: 8, MaxRestarts: 3, afterStep: func() {
				if hooked < 5 {
					hooked++
					post(t, db, 1_000_000+int64(hooked))
				}
			}})
			during := written.Load() - before
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			if writeErr != nil {
				t.Fatalf("the writer failed during the copy: %v", writeErr)
			}
			if during == 0 {
				t.Fatal("the writer committed nothing while the copy ran")
			}
			if res.Restarts < 3 || res.Pages == 0 {
				t.Errorf("result %+v: want at least 3 restarts (the copy was written under %d times) and the pages counted", res, during+int64(hooked))
			}
			rows := checkLedger(t, lib, src)
			copied := checkLedger(t, lib, dst)
			if copied < 3000 || copied > rows {
				t.Errorf("the copy has %d rows; the source had 3000 before and %d after", copied, rows)
			}
			if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("copy: %v, mode %v; want 0600", err, fi.Mode().Perm())
			}
			for _, side := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(dst + side); err == nil {
					t.Errorf("%s is left beside the copy", dst+side)
				}
			}
		})
	}
}

func TestCopyRefusesAnExistingDestination(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	ledger(t, Mattn, src, 10)
	dst := filepath.Join(dir, "there.db")
	if err := os.WriteFile(dst, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(context.Background(), Mattn, src, dst, Options{}); !errors.Is(err, os.ErrExist) {
		t.Fatalf("copy onto an existing file: %v, want an error saying it exists", err)
	}
	if data, _ := os.ReadFile(dst); string(data) != "keep me" {
		t.Errorf("the existing file was changed: %q", data)
	}
}

func TestCopyOfAMissingSourceWritesNothing(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	for _, lib := range []Library{Mattn, Modernc} {
		if _, err := Copy(context.Background(), lib, filepath.Join(dir, "none.db"), dst, Options{}); err == nil {
			t.Fatalf("%v: copying a missing database succeeded", lib)
		}
		if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
			t.Fatalf("%v: the missing source was created", lib)
		}
		if _, err := os.Stat(dst); err == nil {
			t.Fatalf("%v: a copy was written", lib)
		}
	}
}

func TestCopyOfANonDatabaseFailsAndRemovesTheCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "text.db")
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = 'x'
	}
	if err := os.WriteFile(src, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy.db")
	for _, lib := range []Library{Mattn, Modernc} {
		if _, err := Copy(context.Background(), lib, src, dst, Options{}); err == nil {
			t.Fatalf("%v: copying a file that is no database succeeded", lib)
		}
		if _, err := os.Stat(dst); err == nil {
			t.Fatalf("%v: the failed copy was left behind", lib)
		}
	}
}

// TestIntegrityCheckFindsDamage overwrites a page in the middle of a copy: the check that
// passed before must fail.
func TestIntegrityCheckFindsDamage(t *testing.T) {
	for _, lib := range []Library{Mattn, Modernc} {
		t.Run(lib.String(), func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "live.db")
			ledger(t, lib, src, 400)
			dst := filepath.Join(dir, "copy.db")
			if _, err := Copy(context.Background(), lib, src, dst, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := IntegrityCheck(context.Background(), lib, dst); err != nil {
				t.Fatalf("the intact copy: %v", err)
			}
			f, err := os.OpenFile(dst, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := f.Stat()
			garbage := make([]byte, 4096)
			for i := range garbage {
				garbage[i] = byte(i*7 + 3)
			}
			if _, err := f.WriteAt(garbage, fi.Size()/2/4096*4096); err != nil {
				t.Fatal(err)
			}
			_ = f.Close()
			if err := IntegrityCheck(context.Background(), lib, dst); err == nil {
				t.Fatal("the check passed a copy with a page overwritten")
			}
		})
	}
}
