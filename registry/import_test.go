package registry

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// importExamples imports both example files into st and returns the counts.
func importExamples(t *testing.T, st *store.Store) (store.UpsertCounts, store.UpsertCounts) {
	t.Helper()
	ctx := context.Background()
	ic, err := ImportInstitutions(ctx, st, filepath.Join(examplesDir, "institutions.csv"))
	if err != nil {
		t.Fatalf("import institutions: %v", err)
	}
	pc, err := ImportPeople(ctx, st, filepath.Join(examplesDir, "people.csv"), testToday)
	if err != nil {
		t.Fatalf("import people: %v", err)
	}
	return ic, pc
}

func TestImportExamples(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	ic, pc := importExamples(t, st)

	nInst := dataRows(t, filepath.Join(examplesDir, "institutions.csv"))
	nPeople := dataRows(t, filepath.Join(examplesDir, "people.csv"))
	if nInst < 40 || nPeople < 140 {
		t.Errorf("the examples have %d institutions and %d people; want about 40 and 150", nInst, nPeople)
	}
	if want := (store.UpsertCounts{Created: nInst}); ic != want {
		t.Errorf("institutions: counts %+v, want %+v", ic, want)
	}
	if want := (store.UpsertCounts{Created: nPeople}); pc != want {
		t.Errorf("people: counts %+v, want %+v", pc, want)
	}

	insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	people, err := st.ListPeople(ctx, store.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != nInst || len(people) != nPeople {
		t.Errorf("store holds %d institutions and %d people, want %d and %d", len(insts), len(people), nInst, nPeople)
	}

	// Spot checks that the columns landed where they belong.
	in, err := st.Institution(ctx, "M-04")
	if err != nil {
		t.Fatal(err)
	}
	if in.Region != domain.Midtjylland || in.Municipality != "aarhus-kommune" || in.LegalBasis != domain.Section107 ||
		in.Postcode != "8220" || in.Places != 24 {
		t.Errorf("M-04 = %+v", in)
	}
	var munis []store.Municipality
	if err := st.DB().SelectContext(ctx, &munis, `SELECT code, name, region FROM municipalities ORDER BY code`); err != nil {
		t.Fatal(err)
	}
	if len(munis) < 3 || len(munis) > 5 {
		t.Errorf("want 3-5 municipalities, got %+v", munis)
	}
	for _, m := range munis {
		if m.Code == "aarhus-kommune" && (m.Name != "Aarhus Kommune" || m.Region != domain.Midtjylland) {
			t.Errorf("municipality %+v, want Aarhus Kommune in midtjylland", m)
		}
	}
	national := 0
	for _, p := range people {
		if p.Region == "" {
			national++
		}
	}
	if national != 2 {
		t.Errorf("want 2 national people (secretariat and manager), got %d", national)
	}
}

// updatedAt reads every row's updated_at from a registry table.
func updatedAt(t *testing.T, st *store.Store, table string) map[string]string {
	t.Helper()
	rows, err := st.DB().Query(`SELECT id, updated_at FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, at string
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		out[id] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReimportChangesNothing(t *testing.T) {
	st, clock := openStore(t)
	importExamples(t, st)
	instBefore, peopleBefore := updatedAt(t, st, "institutions"), updatedAt(t, st, "people")

	clock.Advance(48 * time.Hour) // a rewritten row would get a new updated_at
	ic, pc := importExamples(t, st)
	if want := (store.UpsertCounts{Unchanged: len(instBefore)}); ic != want {
		t.Errorf("institutions re-import: %+v, want %+v", ic, want)
	}
	if want := (store.UpsertCounts{Unchanged: len(peopleBefore)}); pc != want {
		t.Errorf("people re-import: %+v, want %+v", pc, want)
	}
	for table, before := range map[string]map[string]string{"institutions": instBefore, "people": peopleBefore} {
		after := updatedAt(t, st, table)
		if len(after) != len(before) {
			t.Errorf("%s: %d rows after re-import, %d before", table, len(after), len(before))
		}
		for id, at := range before {
			if after[id] != at {
				t.Errorf("%s %s: updated_at changed from %s to %s on re-import", table, id, at, after[id])
			}
		}
	}
}

func TestReimportOfAChangedRowUpdatesOnlyIt(t *testing.T) {
	st, clock := openStore(t)
	ctx := context.Background()
	path := writeFile(t, "institutions.csv", knownInstitutionsCSV)
	if _, err := ImportInstitutions(ctx, st, path); err != nil {
		t.Fatal(err)
	}
	before := updatedAt(t, st, "institutions")
	clock.Advance(time.Hour)
	changed := strings.Replace(knownInstitutionsCSV, "mental-illness,107,18", "mental-illness,107,19", 1)
	counts, err := ImportInstitutions(ctx, st, writeFile(t, "institutions.csv", changed))
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.UpsertCounts{Updated: 1, Unchanged: 1}); counts != want {
		t.Errorf("counts %+v, want %+v", counts, want)
	}
	after := updatedAt(t, st, "institutions")
	if after["H-01"] == before["H-01"] || after["M-01"] != before["M-01"] {
		t.Errorf("updated_at before %v, after %v: want only H-01 changed", before, after)
	}
	in, err := st.Institution(ctx, "H-01")
	if err != nil || in.Places != 19 {
		t.Errorf("H-01 = %+v, %v; want 19 places", in, err)
	}
}

func TestImportInstitutionsWritesNothingWhenARowIsBad(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	path := writeFile(t, "institutions.csv", institutionsHeader+"\n"+
		"M-04,Bostedet Skjoldhøj,midtjylland,Aarhus Kommune,mental-illness,107,24,,,,\n"+
		"S-01,Bostedet Kildegården,jylland,,intellectual-disability,108,42,,,,\n")
	counts, err := ImportInstitutions(ctx, st, path)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	if counts != (store.UpsertCounts{}) {
		t.Errorf("counts %+v, want zero", counts)
	}
	if ie.File != path || len(ie.Rows) != 1 || ie.Rows[0].Line != 3 || ie.Rows[0].Column != "region" {
		t.Errorf("ImportError = %+v", ie)
	}
	if !strings.HasPrefix(err.Error(), path+": 1 bad row(s), nothing was imported\n  line 3, column region: unknown region \"jylland\"") {
		t.Errorf("message:\n%s", err)
	}
	insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var munis int
	if err := st.DB().Get(&munis, `SELECT COUNT(*) FROM municipalities`); err != nil {
		t.Fatal(err)
	}
	if len(insts) != 0 || munis != 0 {
		t.Errorf("the store holds %d institutions and %d municipalities, want none", len(insts), munis)
	}
}

func TestImportPeopleWritesNothingWhenARowIsBad(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	if _, err := ImportInstitutions(ctx, st, writeFile(t, "institutions.csv", knownInstitutionsCSV)); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "people.csv", peopleHeader+"\n"+goodPersonRow+"\n"+
		"P-002,Lars Holm,lars.holm@rm.dk,,reviewer,,M-01,,,\n")
	counts, err := ImportPeople(ctx, st, path, testToday)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	if counts != (store.UpsertCounts{}) || len(ie.Rows) != 1 || ie.Rows[0].Line != 3 || ie.Rows[0].Column != "region" {
		t.Errorf("counts %+v, error %+v", counts, ie)
	}
	people, err := st.ListPeople(ctx, store.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var details int
	if err := st.DB().Get(&details, `SELECT (SELECT COUNT(*) FROM trainings) + (SELECT COUNT(*) FROM employments)
		+ (SELECT COUNT(*) FROM conflicts_of_interest)`); err != nil {
		t.Fatal(err)
	}
	if len(people) != 0 || details != 0 {
		t.Errorf("the store holds %d people and %d trainings/employments/conflicts, want none", len(people), details)
	}
}

func TestImportReportsHeaderProblemsAsImportError(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	path := writeFile(t, "institutions.csv", strings.Replace(knownInstitutionsCSV, "legal_basis,", "", 1)+"x,y\n")
	_, err := ImportInstitutions(ctx, st, path)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	wantRowError(t, ie.Rows, 1, "legal_basis", "required column legal_basis is missing")

	path = writeFile(t, "people.csv", strings.Replace(peopleHeader, "conflicts", "konflikter", 1)+"\n"+goodPersonRow+"\n")
	_, err = ImportPeople(ctx, st, path, testToday)
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	wantRowError(t, ie.Rows, 1, "konflikter", `unknown column "konflikter"`)
}

func TestImportPeopleChecksTheHomeInstitutionsRegion(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	if _, err := ImportInstitutions(ctx, st, writeFile(t, "institutions.csv", knownInstitutionsCSV)); err != nil {
		t.Fatal(err)
	}
	// H-01 is in Hovedstaden; this reviewer says Midtjylland.
	row := strings.Replace(goodPersonRow, ",hovedstaden,", ",midtjylland,", 1)
	_, err := ImportPeople(ctx, st, writeFile(t, "people.csv", peopleHeader+"\n"+row+"\n"), testToday)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	wantRowError(t, ie.Rows, 2, "home_institution", "home institution H-01 is in region hovedstaden, but the person's region is midtjylland")
}

func TestImportMissingFile(t *testing.T) {
	st, _ := openStore(t)
	_, err := ImportInstitutions(context.Background(), st, filepath.Join(t.TempDir(), "nope.csv"))
	var ie *ImportError
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "nope.csv") {
		t.Errorf("want a plain error naming the file, got %v", err)
	}
}

// TestImportPeopleStoresTheTargetGroupsOfRepresentatives: the groups a representative speaks
// for are stored and read back (and so reach the candidates the rules see); importing the
// file again changes nothing, and a changed list updates the person. A representative with
// neither groups nor a home institution refuses the whole file, with line and reason.
func TestImportPeopleStoresTheTargetGroupsOfRepresentatives(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	if _, err := ImportInstitutions(ctx, st, writeFile(t, "institutions.csv", knownInstitutionsCSV)); err != nil {
		t.Fatal(err)
	}
	header := peopleHeader + ",target_groups\n"
	file := header + goodPersonRow + ",\n" +
		"P-010,Inge Lund,inge.lund@lev.dk,,relative-representative,midtjylland,,representative:2022-01-01,,,intellectual-disability;autism\n" +
		"P-011,Ole Berg,ole.berg@sind.dk,,user-representative,hovedstaden,H-01,representative:2022-01-01,,,\n"
	if counts, err := ImportPeople(ctx, st, writeFile(t, "people.csv", file), testToday); err != nil || counts.Created != 3 {
		t.Fatalf("import: %+v, %v", counts, err)
	}
	p, err := st.Person(ctx, "P-010")
	if err != nil {
		t.Fatal(err)
	}
	if want := []domain.TargetGroup{domain.Autism, domain.IntellectualDisability}; !reflect.DeepEqual(p.TargetGroups, want) {
		t.Errorf("P-010 target groups %v, want %v", p.TargetGroups, want)
	}
	reps, err := st.ListPeople(ctx, store.PersonFilter{Role: domain.RoleUserRepresentative})
	if err != nil || len(reps) != 1 || reps[0].TargetGroups != nil {
		t.Errorf("P-011 (home institution, no groups) lists as %+v, %v", reps, err)
	}
	if counts, err := ImportPeople(ctx, st, writeFile(t, "people.csv", file), testToday); err != nil || counts.Unchanged != 3 {
		t.Errorf("importing again: %+v, %v; want 3 unchanged", counts, err)
	}
	changed := strings.Replace(file, "intellectual-disability;autism", "mental-illness", 1)
	if counts, err := ImportPeople(ctx, st, writeFile(t, "people.csv", changed), testToday); err != nil || counts.Updated != 1 {
		t.Errorf("changing the groups: %+v, %v; want 1 updated", counts, err)
	}
	if p, _ := st.Person(ctx, "P-010"); !reflect.DeepEqual(p.TargetGroups, []domain.TargetGroup{domain.MentalIllness}) {
		t.Errorf("P-010 target groups %v after the change, want mental-illness", p.TargetGroups)
	}

	bad := header + "P-012,Bo Dahl,bo.dahl@mail.dk,,user-representative,midtjylland,,representative:2022-01-01,,,\n" +
		"P-013,Eva Holm,eva.holm@rm.dk,,reviewer,midtjylland,M-01,evaluator:2022-01-01,,,autism\n"
	_, err = ImportPeople(ctx, st, writeFile(t, "people.csv", bad), testToday)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	wantRowError(t, ie.Rows, 2, "target_groups", "target_groups and home_institution are both empty")
	wantRowError(t, ie.Rows, 3, "target_groups", "target_groups is only for user and relative representatives")
	if _, err := st.Person(ctx, "P-012"); err == nil {
		t.Error("a refused file stored P-012")
	}
}
