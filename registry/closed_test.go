package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// The closed_on column of institutions.csv (issue 9, point 6).

const closedHeader = institutionsHeader + ",closed_on"

func TestParseInstitutionsClosedOn(t *testing.T) {
	in := closedHeader + "\n" +
		goodInstitutionRow + ",\n" +
		goodInstitutionRow2 + ",2026-03-01\n" +
		"S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,," + testToday.String() + "\n"
	_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("err %v, bad %v", err, bad)
	}
	want := []domain.Date{{}, domain.NewDate(2026, 3, 1), testToday}
	for i, in := range insts {
		if !in.ClosedOn.Equal(want[i]) || in.Closed() == want[i].IsZero() {
			t.Errorf("%s: closed on %s (closed %t), want %s", in.ID, in.ClosedOn, in.Closed(), want[i])
		}
		if in.ClosedBy != "" || in.ClosedReason != "" {
			t.Errorf("%s: the file set who (%q) or why (%q); only the import records that", in.ID, in.ClosedBy, in.ClosedReason)
		}
	}
}

func TestParseInstitutionsBadClosedOn(t *testing.T) {
	for _, c := range []struct{ name, value, reason string }{
		{"written the Danish way", "01-03-2026", `closed_on: invalid date "01-03-2026": write it as YYYY-MM-DD, e.g. 2027-03-01; leave it empty while the institution is open`},
		{"a day that does not exist", "2026-02-30", "February 2026 has 28 days"},
		{"a word", "lukket", `invalid date "lukket"`},
		{"tomorrow", testToday.AddDays(1).String(), "closed_on 2026-11-23 is in the future (today is 2026-11-22): record the closure once the institution has closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := closedHeader + "\n" + goodInstitutionRow + ",\n" +
				"S-01,Bostedet Kildegården,jylland,,autism,108,42,,,,," + c.value + "\n"
			_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
			if err != nil {
				t.Fatal(err)
			}
			// Every problem of the row is listed: the region as well as the closing day.
			wantRowError(t, bad, 3, "region", `unknown region "jylland"`)
			wantRowError(t, bad, 3, "closed_on", c.reason)
			if len(bad) != 2 || len(insts) != 1 {
				t.Errorf("want two problems and the good row back, got %v and %d institutions", bad, len(insts))
			}
		})
	}
}

func TestImportRecordsAClosure(t *testing.T) {
	st := bootstrapped(t)
	ctx := context.Background()
	// X-01 is not in the examples: the import creates it closed.
	created := "X-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,,2026-03-01\n"
	sum, err := ImportInstitutionsAs(ctx, st, writeFile(t, "institutions.csv", closedHeader+"\n"+created), testToday, "P-136")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Closed) != 1 || sum.Closed[0].InstitutionID != "X-01" || !sum.Closed[0].Created || sum.Created != 1 {
		t.Fatalf("import %+v, want X-01 created closed", sum)
	}
	// Closing an institution of the registry: recorded with the importer and the file.
	path := writeFile(t, "institutions.csv", closedHeader+"\n"+goodInstitutionRow+",2026-11-01\n"+created)
	sum, err = ImportInstitutionsAs(ctx, st, path, testToday, "P-136")
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.UpsertCounts{Updated: 1, Unchanged: 1}); sum.UpsertCounts != want {
		t.Errorf("counts %+v, want %+v", sum.UpsertCounts, want)
	}
	if len(sum.Closed) != 1 {
		t.Fatalf("closed %+v, want H-01 only", sum.Closed)
	}
	c := sum.Closed[0]
	if c.InstitutionID != "H-01" || c.Created || !c.On.Equal(domain.NewDate(2026, 11, 1)) || c.By != "P-136" || c.Reason != "closed_on in institutions.csv" {
		t.Errorf("closure %+v", c)
	}
	in, err := st.Institution(ctx, "H-01")
	if err != nil || in.ClosedOn != c.On || in.ClosedBy != "P-136" || in.ClosedReason != "closed_on in institutions.csv" {
		t.Errorf("H-01 in the store: %+v, %v", in, err)
	}
	trail, err := st.AuditTrail(ctx, "H-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].Action != store.AuditCloseInstitution || trail[0].ActorID != "P-136" ||
		trail[0].Details != "closed on 2026-11-01: closed_on in institutions.csv" {
		t.Errorf("H-01's audit trail %+v, want its closure", trail)
	}
	// The same file again changes nothing and closes nothing.
	sum, err = ImportInstitutionsAs(ctx, st, path, testToday, "P-136")
	if err != nil || len(sum.Closed) != 0 || sum.UpsertCounts != (store.UpsertCounts{Unchanged: 2}) {
		t.Errorf("re-import: %+v, %v; want everything unchanged and no closure", sum, err)
	}
}

// TestImportNeverReopens: closing is one-way. A file that leaves closed_on empty, leaves the
// column out, or gives another day for an institution the store has closed is refused on
// the institution's line, saying how to reopen it; nothing is written.
func TestImportNeverReopens(t *testing.T) {
	st := bootstrapped(t)
	ctx := context.Background()
	if _, _, err := st.CloseInstitution(ctx, "H-01", domain.NewDate(2026, 10, 1), "P-131", "Tilbuddet er nedlagt"); err != nil {
		t.Fatal(err)
	}
	examples, err := os.ReadFile(examplesInstitutions)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(examples), "\n")
	withH01 := func(closedOn string) string {
		out := append([]string(nil), lines...)
		out[1] = strings.TrimSuffix(out[1], ",") + "," + closedOn
		return strings.Join(out, "\n")
	}
	var noColumn []string
	for _, l := range lines {
		noColumn = append(noColumn, strings.TrimSuffix(strings.TrimSuffix(l, ",closed_on"), ","))
	}
	for _, c := range []struct{ name, content, want string }{
		{"empty", withH01(""), "closed_on is empty, but H-01 was closed on 2026-10-01 by P-131 (Tilbuddet er nedlagt), and an import never reopens an institution: write closed_on 2026-10-01; if it was closed by mistake, reopen it first with starter institutions reopen H-01"},
		{"no column", strings.Join(noColumn, "\n"), "the file has no closed_on column, but H-01 was closed on 2026-10-01 by P-131 (Tilbuddet er nedlagt), and an import never reopens an institution: add the column with 2026-10-01 for H-01"},
		{"another day", withH01("2026-09-01"), "closed_on 2026-09-01 differs from the day H-01 closed: it was closed on 2026-10-01 by P-131"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.HasPrefix(lines[1], "H-01,") {
				t.Fatalf("examples/institutions.csv should begin with H-01, got %q", lines[1])
			}
			path := writeFile(t, "institutions.csv", c.content)
			_, err := ImportInstitutionsAs(ctx, st, path, testToday, "P-136")
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("want *ImportError, got %v", err)
			}
			wantRowError(t, ie.Rows, 2, "closed_on", c.want)
			if len(ie.Rows) != 1 {
				t.Errorf("want one problem, got %v", ie.Rows)
			}
			in, err := st.Institution(ctx, "H-01")
			if err != nil || !in.ClosedOn.Equal(domain.NewDate(2026, 10, 1)) || in.ClosedBy != "P-131" {
				t.Errorf("H-01 after the refused import: %+v, %v", in, err)
			}
		})
	}
	// The same day is fine, and who closed it and why stay as recorded.
	sum, err := ImportInstitutionsAs(ctx, st, writeFile(t, "institutions.csv", withH01("2026-10-01")), testToday, "P-136")
	if err != nil || len(sum.Closed) != 0 || sum.Unchanged != len(lines)-2 {
		t.Fatalf("import with H-01's closing day: %+v, %v", sum, err)
	}
	in, err := st.Institution(ctx, "H-01")
	if err != nil || in.ClosedBy != "P-131" || in.ClosedReason != "Tilbuddet er nedlagt" {
		t.Errorf("H-01: %+v, %v; want P-131's closure kept", in, err)
	}
}

// TestImportClosesOnlyInTheImportersRegion: a row that closes an institution of the registry
// is the importer's closure, so a regional secretariat may close only its own region's.
func TestImportClosesOnlyInTheImportersRegion(t *testing.T) {
	st := bootstrapped(t)
	examples, err := os.ReadFile(examplesInstitutions)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(examples), "\n")
	lines[1] += "2026-10-01" // H-01, in Region Hovedstaden
	path := filepath.Join(t.TempDir(), "institutions.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ImportInstitutionsAs(context.Background(), st, path, testToday, "P-135")
	wantNotAllowed(t, err, "P-135 (Nanna Jørgensen) is the secretariat of Region Nordjylland", "close an institution only for institutions in Region Nordjylland, not in Region Hovedstaden")
	if _, err := ImportInstitutionsAs(context.Background(), st, path, testToday, "P-131"); err != nil {
		t.Errorf("Region Hovedstaden's secretariat: %v", err)
	}
}
