package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// testToday is the "today" the tests and the example files are checked against.
var testToday = domain.NewDate(2026, 11, 22)

const (
	examplesDir          = "../examples"
	institutionsHeader   = "id,name,region,operator,target_groups,legal_basis,places,address,postcode,city,email"
	peopleHeader         = "id,name,email,slack_user_id,role,region,home_institution,training,conflicts,employment"
	goodInstitutionRow   = "H-01,Bostedet Strandhaven,hovedstaden,region,mental-illness,107,18,Strandvejen 101,3000,Helsingør,strandhaven@regionh.dk"
	goodInstitutionRow2  = "M-01,Bostedet Solhøj,Region Midtjylland,,intellectual-disability;autism,§108,32,Solhøjvej 4,8800,Viborg,solhoej@rm.dk"
	goodPersonRow        = "P-001,Mette Kjær,mette.kjaer@regionh.dk,U04ABCD12,reviewer,hovedstaden,H-01,evaluator:2023-03-01,,H-01:2019-08-01.."
	knownInstitutionsCSV = institutionsHeader + "\n" + goodInstitutionRow + "\n" + goodInstitutionRow2 + "\n"
)

// knownIDs is what ParsePeople gets in the unit tests: the two institutions above.
var knownIDs = map[string]bool{"H-01": true, "M-01": true}

// testClock is a settable clock for the store's created_at/updated_at columns.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// openStore opens a migrated and seeded SQLite store in a temporary directory.
func openStore(t *testing.T) (*store.Store, *testClock) {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "accredit.db"), store.WithClock(clock.Now))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Seed(ctx); err != nil {
		t.Fatalf("seed store: %v", err)
	}
	return st, clock
}

// writeFile writes content to a file in a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dataRows counts the non-blank lines after the header of a CSV file without quoted newlines.
func dataRows(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(b), "\n") {
		if i > 0 && strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// wantRowError fails unless errs holds a problem on line in column whose reason contains want.
func wantRowError(t *testing.T, errs []RowError, line int, col, want string) {
	t.Helper()
	for _, e := range errs {
		if e.Line == line && e.Column == col && strings.Contains(e.Reason, want) {
			return
		}
	}
	t.Errorf("no problem on line %d, column %s containing %q; got %v", line, col, want, errs)
}

// headerErrors returns the RowErrors a Parse function reported as its error.
func headerErrors(t *testing.T, err error) []RowError {
	t.Helper()
	var rows rowErrors
	if !errors.As(err, &rows) {
		t.Fatalf("want a header error with line numbers, got %v", err)
	}
	var first RowError
	if !errors.As(err, &first) || first != rows[0] {
		t.Errorf("errors.As(err, &RowError{}) = %v, want the first problem %v", first, rows[0])
	}
	return rows
}
