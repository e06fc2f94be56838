package registry

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// institutionRow is a good institutions.csv row with one column replaced.
func institutionRow(col, value string) string {
	row := map[string]string{"id": "S-01", "name": "Bostedet Kildegården", "region": "sjaelland", "operator": "",
		"target_groups": "autism", "legal_basis": "108", "places": "42", "address": "Kildevej 2", "postcode": "4000",
		"city": "Roskilde", "email": "kilde@regionsjaelland.dk"}
	row[col] = value
	var fields []string
	for _, c := range institutionColumns {
		fields = append(fields, `"`+strings.ReplaceAll(row[c.name], `"`, `""`)+`"`)
	}
	return strings.Join(fields, ",")
}

// personRow is a good people.csv row with one column replaced, with every column of
// peopleColumns (the header is columnList(peopleColumns)).
func personRow(col, value string) string {
	row := map[string]string{"id": "P-002", "name": "Lars Holm", "email": "lars.holm@regionh.dk", "slack_user_id": "U0ABC",
		"role": "reviewer", "region": "hovedstaden", "home_institution": "H-01", "training": "evaluator:2023-03-01",
		"conflicts": "M-01", "employment": "H-01:2019-08-01.."}
	row[col] = value
	var fields []string
	for _, c := range peopleColumns {
		fields = append(fields, `"`+strings.ReplaceAll(row[c.name], `"`, `""`)+`"`)
	}
	return strings.Join(fields, ",")
}

// longEmail is an address of exactly n characters.
func longEmail(n int) string {
	const domainPart = "@rm.dk"
	return strings.Repeat("a", n-len(domainPart)) + domainPart
}

// TestEveryColumnHasItsLimit puts one character more than its limit into every column of both
// files: each is refused on its own line and column, saying the length and the limit.
func TestEveryColumnHasItsLimit(t *testing.T) {
	for _, c := range institutionColumns {
		t.Run("institutions/"+c.name, func(t *testing.T) {
			if c.max <= 0 {
				t.Fatalf("column %s has no limit", c.name)
			}
			in := columnList(institutionColumns) + "\n" + goodInstitutionRow + ",\n" + institutionRow(c.name, strings.Repeat("x", c.max+1)) + "\n"
			_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
			if err != nil {
				t.Fatal(err)
			}
			wantRowError(t, bad, 3, c.name, c.name+" is "+domain.Thousands(c.max+1)+" characters long; the limit is "+domain.Thousands(c.max))
			if len(bad) != 1 || len(insts) != 1 {
				t.Errorf("want one problem and the good row back, got %v and %d institutions", bad, len(insts))
			}
		})
	}
	for _, c := range peopleColumns {
		t.Run("people/"+c.name, func(t *testing.T) {
			in := columnList(peopleColumns) + "\n" + goodPersonRow + ",\n" + personRow(c.name, strings.Repeat("x", c.max+1)) + "\n"
			people, bad, err := ParsePeople(strings.NewReader(in), knownIDs, testToday)
			if err != nil {
				t.Fatal(err)
			}
			wantRowError(t, bad, 3, c.name, c.name+" is "+domain.Thousands(c.max+1)+" characters long; the limit is "+domain.Thousands(c.max))
			if len(bad) != 1 || len(people) != 1 {
				t.Errorf("want one problem and the good row back, got %v and %d people", bad, len(people))
			}
		})
	}
}

// TestTextAtItsLimitIsKeptAsWritten: names, addresses, cities, IDs and e-mail addresses of
// exactly their limit, in characters (not bytes: "ø" is two), are imported unchanged.
func TestTextAtItsLimitIsKeptAsWritten(t *testing.T) {
	name := strings.Repeat("ø", domain.MaxNameLength)
	address := strings.Repeat("æ", domain.MaxAddressLength)
	id := "S-" + strings.Repeat("1", domain.MaxIDLength-2)
	email := longEmail(domain.MaxEmailLength)
	row := institutionRow("name", name)
	row = strings.Replace(row, `"Kildevej 2"`, `"`+address+`"`, 1)
	row = strings.Replace(row, `"Roskilde"`, `"`+name+`"`, 1)
	row = strings.Replace(row, `"S-01"`, `"`+id+`"`, 1)
	row = strings.Replace(row, `"kilde@regionsjaelland.dk"`, `"`+email+`"`, 1)
	_, insts, bad, err := ParseInstitutions(strings.NewReader(columnList(institutionColumns)+"\n"+row+"\n"), testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("err %v, bad %v", err, bad)
	}
	in := insts[0]
	if in.Name != name || in.Address != address || in.City != name || in.ID != id || in.Email != email {
		t.Errorf("the texts at their limits changed: %+v", in)
	}

	prow := strings.Replace(personRow("name", name), `"lars.holm@regionh.dk"`, `"`+email+`"`, 1)
	people, pbad, err := ParsePeople(strings.NewReader(columnList(peopleColumns)+"\n"+prow+"\n"), knownIDs, testToday)
	if err != nil || len(pbad) > 0 {
		t.Fatalf("err %v, bad %v", err, pbad)
	}
	if people[0].Name != name || people[0].Email != email {
		t.Errorf("the person's texts at their limits changed: %+v", people[0])
	}
}

func TestPeopleTextMustBeCleanText(t *testing.T) {
	for _, c := range []struct{ col, value, reason string }{
		{"name", "Lars\x00 Holm", "name contains the control character U+0000"},
		{"name", "Lars \xc3\x28Holm", `name is not valid UTF-8 text: save the file as "CSV UTF-8"`},
		{"email", "lars\x07@regionh.dk", "email contains the control character U+0007"},
		{"conflicts", "M-01\x00", "conflicts contains the control character U+0000"},
	} {
		in := columnList(peopleColumns) + "\n" + personRow(c.col, c.value) + "\n"
		people, bad, err := ParsePeople(strings.NewReader(in), knownIDs, testToday)
		if err != nil {
			t.Fatal(err)
		}
		wantRowError(t, bad, 2, c.col, c.reason)
		if len(people) != 0 {
			t.Errorf("%s %q: the row was accepted", c.col, c.value)
		}
	}
}

// TestHugeInstitutionNameIsRefused is the reproduction of issue 7: a 2.5 MB name made the
// cycle's first activity retry forever. It is refused on its line, the message does not
// repeat it, and nothing is written.
func TestHugeInstitutionNameIsRefused(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	huge := strings.Repeat("Bostedet Solhøj ", 2_500_000/16) + "ende"
	path := writeFile(t, "institutions.csv", columnList(institutionColumns)+"\n"+goodInstitutionRow+",\n"+institutionRow("name", huge)+"\n")
	_, err := ImportInstitutions(ctx, st, path)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("want *ImportError, got %v", err)
	}
	want := "line 3, column name: name is " + domain.Thousands(utf8.RuneCountInString(huge)) + " characters long; the limit is 200"
	if len(ie.Rows) != 1 || ie.Rows[0].Error() != want {
		t.Errorf("problems %v, want [%s]", ie.Rows, want)
	}
	if len(err.Error()) > 1000 {
		t.Errorf("the message is %d bytes: it repeats the name", len(err.Error()))
	}
	insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil || len(insts) != 0 {
		t.Errorf("the store holds %d institutions (%v), want none", len(insts), err)
	}
}

// TestFileOverTheLimitIsRefusedBeforeParsing: a file of one byte more than
// domain.MaxInputFileBytes is refused with its size and the limit, even when its first rows
// are bad (it is not parsed); a file of exactly the limit is read.
func TestFileOverTheLimitIsRefusedBeforeParsing(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, head string, size int) string {
		path := filepath.Join(dir, name)
		content := head + strings.Repeat("\n", size-len(head))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	over := write("over.csv", "not,a,header\n", domain.MaxInputFileBytes+1)
	_, err := ImportInstitutions(ctx, st, over)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("want *RefusedError, got %v", err)
	}
	for _, want := range []string{over, "4.0 MiB (4,194,305 bytes)", "the limit for a registry file is 4 MiB", "split it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not contain %q", err, want)
		}
	}
	if _, err := ImportPeople(ctx, st, over, testToday); !errors.As(err, &refused) {
		t.Errorf("people: want *RefusedError, got %v", err)
	}

	exact := write("exact.csv", knownInstitutionsCSV, domain.MaxInputFileBytes)
	counts, err := ImportInstitutions(ctx, st, exact)
	if err != nil || counts.Created != 2 {
		t.Errorf("a file of exactly the limit: %+v, %v", counts, err)
	}
}

// TestCappedFileStopsAtTheLimit covers what a size check cannot: a file that grows while it is
// read, or a pipe, is cut off at the limit with the same refusal.
func TestCappedFileStopsAtTheLimit(t *testing.T) {
	path := writeFile(t, "f.csv", "0123456789")
	for _, c := range []struct {
		left    int64
		refused bool
	}{{10, false}, {11, false}, {9, true}} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(&cappedFile{f: f, path: path, left: c.left})
		_ = f.Close()
		var refused *RefusedError
		if got := errors.As(err, &refused); got != c.refused {
			t.Errorf("cap %d: read %q, error %v; want refused %t", c.left, data, err, c.refused)
		}
		if refused != nil && !strings.Contains(refused.Error(), "more than 4 MiB") {
			t.Errorf("cap %d: %v", c.left, refused)
		}
	}
}

// TestOperatorMustBeAMunicipality: an operator is empty, region, or one of the 98
// municipalities, written as people write it; a municipality may run an institution in
// another region, and is stored with its own region and official name.
func TestOperatorMustBeAMunicipality(t *testing.T) {
	in := institutionsHeader + "\n" +
		"S-01,Bostedet Kildegården,sjaelland,Aarhus Kommune,autism,108,42,,,,\n" +
		"S-02,Bostedet Kildebakken,sjaelland,københavn,autism,108,42,,,,\n" +
		"S-03,Bostedet Kildeskov,sjaelland,Roskilde,autism,108,42,,,,\n" +
		"S-04,Bostedet Kildedal,sjaelland,REGION,autism,108,42,,,,\n" +
		"S-05,Bostedet Kildehøj,sjaelland,Sjølund Kommune,autism,108,42,,,,\n"
	munis, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil {
		t.Fatal(err)
	}
	wantMunis := []store.Municipality{
		{Code: "aarhus-kommune", Name: "Aarhus Kommune", Region: domain.Midtjylland},
		{Code: "koebenhavns-kommune", Name: "Københavns Kommune", Region: domain.Hovedstaden},
		{Code: "roskilde-kommune", Name: "Roskilde Kommune", Region: domain.Sjaelland},
	}
	if len(munis) != len(wantMunis) {
		t.Fatalf("municipalities %+v, want %+v", munis, wantMunis)
	}
	for i := range munis {
		if munis[i] != wantMunis[i] {
			t.Errorf("municipality %d = %+v, want %+v", i, munis[i], wantMunis[i])
		}
	}
	got := map[string]string{}
	for _, in := range insts {
		got[in.ID] = in.Municipality
		if in.Region != domain.Sjaelland {
			t.Errorf("%s moved to region %s", in.ID, in.Region)
		}
	}
	want := map[string]string{"S-01": "aarhus-kommune", "S-02": "koebenhavns-kommune", "S-03": "roskilde-kommune", "S-04": ""}
	for id, code := range want {
		if c, ok := got[id]; !ok || c != code {
			t.Errorf("%s: municipality %q (imported %t), want %q", id, c, ok, code)
		}
	}
	wantRowError(t, bad, 6, "operator", `unknown municipality "Sjølund Kommune"`)
	if len(bad) != 1 {
		t.Errorf("want one problem, got %v", bad)
	}
}
