package registry

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

var (
	examplesInstitutions = filepath.Join(examplesDir, "institutions.csv")
	examplesPeople       = filepath.Join(examplesDir, "people.csv")
)

// bootstrapped imports the examples as their national secretariat, P-136, into a new store.
func bootstrapped(t *testing.T) *store.Store {
	t.Helper()
	st, _ := openStore(t)
	ctx := context.Background()
	if _, err := ImportInstitutionsAs(ctx, st, examplesInstitutions, testToday, "P-136"); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPeopleAs(ctx, st, examplesPeople, testToday, "P-136"); err != nil {
		t.Fatal(err)
	}
	return st
}

// wantNotAllowed fails unless err is a *NotAllowedError whose message has every want.
func wantNotAllowed(t *testing.T, err error, want ...string) {
	t.Helper()
	var na *NotAllowedError
	if !errors.As(err, &na) {
		t.Fatalf("want *NotAllowedError, got %v", err)
	}
	for _, w := range want {
		if !strings.Contains(na.Error(), w) {
			t.Errorf("%q does not contain %q", na.Error(), w)
		}
	}
}

func registryTrail(t *testing.T, st *store.Store) []store.AuditEntry {
	t.Helper()
	trail, err := st.RegistryAuditTrail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return trail
}

func TestCheckSecretariat(t *testing.T) {
	st := bootstrapped(t)
	ctx := context.Background()
	hs := []domain.Region{domain.Hovedstaden}
	for _, c := range []struct {
		name, actor string
		reach       Reach
		want        []string // empty: allowed
	}{
		{"regional secretariat, own region", "P-131", Reach{Regions: hs}, nil},
		{"regional secretariat, the registry", "P-131", Reach{}, nil},
		{"national secretariat, every institution", "P-136", Reach{National: true}, nil},
		{"national secretariat, a region", "P-136", Reach{Regions: []domain.Region{domain.Nordjylland}}, nil},
		{"unknown person", "P-999", Reach{Regions: hs}, []string{"P-999 is not in the registry", "only the secretariat may start cycles"}},
		{"SQL for a person", "P-131' OR '1'='1", Reach{}, []string{`--as "P-131' OR '1'='1" is not a person ID`}},
		{"reviewer", "P-050", Reach{Regions: hs}, []string{"P-050 (", "is a reviewer, not secretariat", "only the secretariat may start cycles"}},
		{"institution manager", "P-001", Reach{Regions: hs}, []string{"P-001 (Simon Bruun) is an institution-manager"}},
		{"manager", "P-137", Reach{Regions: hs}, []string{"P-137 (Susanne Høj) is a manager, not secretariat"}},
		{"regional secretariat, another region", "P-131", Reach{Regions: []domain.Region{domain.Hovedstaden, domain.Sjaelland}},
			[]string{"P-131 (Anders Mathiesen) is the secretariat of Region Hovedstaden", "not in Region Sjælland"}},
		{"regional secretariat, every institution", "P-132", Reach{National: true},
			[]string{"P-132 (Helle Dam) is the secretariat of Region Sjælland", "only the national secretariat", "--region sjaelland"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := CheckSecretariat(ctx, st, c.actor, "start cycles", c.reach)
			if len(c.want) == 0 {
				if err != nil || p.ID != c.actor {
					t.Errorf("want %s allowed, got %+v, %v", c.actor, p, err)
				}
				return
			}
			wantNotAllowed(t, err, c.want...)
		})
	}
}

// TestBootstrapImports: on an empty registry the institutions may be imported by whoever
// names themselves, recorded as given; the people by a secretariat person of the file only.
func TestBootstrapImports(t *testing.T) {
	st, clock := openStore(t)
	ctx := context.Background()
	s, err := ImportInstitutionsAs(ctx, st, examplesInstitutions, testToday, "IT-support")
	clock.Advance(time.Minute)
	if err != nil || !s.Bootstrap || s.Created != 40 || s.Actor != "IT-support" {
		t.Fatalf("institutions on an empty registry: %+v, %v", s, err)
	}

	_, err = ImportPeopleAs(ctx, st, examplesPeople, testToday, "IT-support")
	wantNotAllowed(t, err, "no secretariat yet", "IT-support is not in", "people.csv")
	_, err = ImportPeopleAs(ctx, st, examplesPeople, testToday, "P-050")
	wantNotAllowed(t, err, "no secretariat yet", "is a reviewer there")
	if people, _ := st.ListPeople(ctx, store.PersonFilter{}); len(people) != 0 {
		t.Fatalf("a refused import wrote %d people", len(people))
	}

	s, err = ImportPeopleAs(ctx, st, examplesPeople, testToday, "P-131")
	if err != nil || !s.Bootstrap || s.Created != 142 {
		t.Fatalf("people by a secretariat person of the file: %+v, %v", s, err)
	}
	trail := registryTrail(t, st)
	if len(trail) != 2 {
		t.Fatalf("registry audit trail %+v, want the two imports", trail)
	}
	if e := trail[0]; e.ActorID != "IT-support" || e.Action != store.AuditImportInstitutions ||
		!strings.Contains(e.Details, "institutions.csv: 40 created, 0 updated, 0 unchanged") || !strings.Contains(e.Details, "bootstrap") {
		t.Errorf("institutions entry %+v", e)
	}
	if e := trail[1]; e.ActorID != "P-131" || e.Action != store.AuditImportPeople || !strings.Contains(e.Details, "142 created") {
		t.Errorf("people entry %+v", e)
	}

	// From now on the store decides: the institutions need the secretariat too.
	_, err = ImportInstitutionsAs(ctx, st, examplesInstitutions, testToday, "IT-support")
	wantNotAllowed(t, err, "IT-support is not in the registry", "only the secretariat may import institutions")
}

// TestAFileCannotPromoteItsImporter is the reproduction of issue 7: a CSV row turned a
// reviewer into secretariat. The reviewer's own file is refused; the secretariat's is
// imported, with the change in its summary and in the audit trail.
func TestAFileCannotPromoteItsImporter(t *testing.T) {
	st := bootstrapped(t)
	ctx := context.Background()
	promoted := writeFile(t, "people.csv", peopleHeader+"\n"+
		"P-050,Mads Lund,mads.lund@rm.dk,,secretariat,midtjylland,,,,\n")
	before, err := st.Person(ctx, "P-050")
	if err != nil || before.Role != domain.RoleReviewer {
		t.Fatalf("P-050 = %+v, %v; want a reviewer", before, err)
	}

	_, err = ImportPeopleAs(ctx, st, promoted, testToday, "P-050")
	wantNotAllowed(t, err, "P-050 (", "is a reviewer, not secretariat", "only the secretariat may import people")
	if after, _ := st.Person(ctx, "P-050"); after.Role != domain.RoleReviewer {
		t.Fatalf("the refused import made P-050 %s", after.Role)
	}
	if n := len(registryTrail(t, st)); n != 2 {
		t.Errorf("a refused import left an audit entry: %d entries", n)
	}

	s, err := ImportPeopleAs(ctx, st, promoted, testToday, "P-134")
	if err != nil {
		t.Fatal(err)
	}
	want := store.RoleChange{PersonID: "P-050", From: domain.RoleReviewer, To: domain.RoleSecretariat}
	if len(s.RoleChanges) != 1 || s.RoleChanges[0] != want || s.Updated != 1 {
		t.Errorf("summary %+v, want one update with the role change %v", s, want)
	}
	// The test clock stands still: find the entry by its actor, not its place.
	var last store.AuditEntry
	for _, e := range registryTrail(t, st) {
		if e.ActorID == "P-134" {
			last = e
		}
	}
	if last.ActorID != "P-134" || !strings.Contains(last.Details, "role changes: P-050: reviewer -> secretariat") ||
		!strings.Contains(last.Details, "0 created, 1 updated, 0 unchanged") {
		t.Errorf("audit entry %+v", last)
	}
}

func TestAnImportMayNotRemoveTheLastSecretariat(t *testing.T) {
	st := bootstrapped(t)
	ctx := context.Background()
	var rows []string
	for _, p := range []string{"P-131,hovedstaden", "P-132,sjaelland", "P-133,syddanmark", "P-134,midtjylland", "P-135,nordjylland", "P-136,"} {
		id, region, _ := strings.Cut(p, ",")
		role := "manager"
		rows = append(rows, id+",Navn "+id+","+strings.ToLower(id)+"@regioner.dk,,"+role+","+region+",,,,")
	}
	path := writeFile(t, "people.csv", peopleHeader+"\n"+strings.Join(rows, "\n")+"\n")
	_, err := ImportPeopleAs(ctx, st, path, testToday, "P-136")
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "would leave the registry without a secretariat") ||
		!strings.Contains(err.Error(), "P-131, P-132") {
		t.Fatalf("want a refusal naming the demoted secretariat, got %v", err)
	}
	if sec, _ := st.Secretariat(ctx); len(sec) != 6 {
		t.Errorf("the refused import changed the secretariat: %d left", len(sec))
	}
	// Dropping some of them is fine.
	path = writeFile(t, "people.csv", peopleHeader+"\n"+rows[0]+"\n")
	s, err := ImportPeopleAs(ctx, st, path, testToday, "P-136")
	if err != nil || len(s.RoleChanges) != 1 || s.RoleChanges[0].String() != "P-131: secretariat -> manager" {
		t.Errorf("%+v, %v", s, err)
	}
}
