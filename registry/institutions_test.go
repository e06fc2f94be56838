package registry

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

func TestParseInstitutionsReadsEveryColumn(t *testing.T) {
	// Columns in another order than the spec, a BOM, a blank line, spaces around fields.
	in := "\ufeffname,id,email,places,legal_basis,target_groups,operator,region,address,postcode,city\n" +
		"\n" +
		" Bostedet Skjoldhøj , M-04 ,skjoldhoej@aarhus.dk,,§107,mental-illness; autism;,Aarhus  Kommune,Region Midtjylland,Skjoldhøjvej 33,8220,Brabrand\n" +
		"Center for Autisme Kildebakken,M-02,,28,108,autisme,region,midtjylland,,,\n" +
		",,,,,,,,,,\n"
	munis, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("ParseInstitutions: err %v, bad rows %v", err, bad)
	}
	wantMunis := []store.Municipality{{Code: "aarhus-kommune", Name: "Aarhus Kommune", Region: domain.Midtjylland}}
	if !reflect.DeepEqual(munis, wantMunis) {
		t.Errorf("municipalities = %+v, want %+v", munis, wantMunis)
	}
	want := []store.Institution{{
		ID: "M-04", Name: "Bostedet Skjoldhøj", Region: domain.Midtjylland, Municipality: "aarhus-kommune",
		LegalBasis: domain.Section107, TargetGroups: []domain.TargetGroup{domain.MentalIllness, domain.Autism},
		Places: 0, Address: "Skjoldhøjvej 33", Postcode: "8220", City: "Brabrand", Email: "skjoldhoej@aarhus.dk",
	}, {
		ID: "M-02", Name: "Center for Autisme Kildebakken", Region: domain.Midtjylland,
		LegalBasis: domain.Section108, TargetGroups: []domain.TargetGroup{domain.Autism}, Places: 28,
	}}
	if !reflect.DeepEqual(insts, want) {
		t.Errorf("institutions =\n%+v\nwant\n%+v", insts, want)
	}
}

// TestParseInstitutionsBadRows has one case per kind of bad row. The bad row is on line 4:
// after the header, a good row and a blank line, so the line count must include blank lines.
func TestParseInstitutionsBadRows(t *testing.T) {
	cases := []struct {
		name, row, col, reason string
	}{
		{"unknown region", "S-01,Bostedet Kildegården,jylland,,intellectual-disability,108,42,,,,", "region",
			`unknown region "jylland": use one of hovedstaden, sjaelland`},
		{"empty region", "S-01,Bostedet Kildegården,,,intellectual-disability,108,42,,,,", "region", "region is empty"},
		{"unknown target group", "S-01,Bostedet Kildegården,sjaelland,,autism;dementia,108,42,,,,", "target_groups",
			`unknown target group "dementia"`},
		{"no target group", "S-01,Bostedet Kildegården,sjaelland,,;,108,42,,,,", "target_groups", "list at least one"},
		{"bad legal basis", "S-01,Bostedet Kildegården,sjaelland,,autism,§109,42,,,,", "legal_basis", `unknown legal basis "§109"`},
		{"empty legal basis", "S-01,Bostedet Kildegården,sjaelland,,autism,,42,,,,", "legal_basis", "legal_basis is empty"},
		{"duplicate id", "H-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,", "id",
			`duplicate id "H-01": it is already used on line 2`},
		{"id differing only in case", "h-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,", "id", "only in upper/lower case"},
		{"id with a space", "S 01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,", "id", "may only contain"},
		{"empty id", ",Bostedet Kildegården,sjaelland,,autism,108,42,,,,", "id", "id is empty"},
		{"empty name", "S-01,,sjaelland,,autism,108,42,,,,", "name", "name is empty"},
		{"negative places", "S-01,Bostedet Kildegården,sjaelland,,autism,108,-4,,,,", "places", "places -4 is negative"},
		{"places not a number", "S-01,Bostedet Kildegården,sjaelland,,autism,108,ti,,,,", "places", `places "ti" is not a whole number`},
		{"email without @", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,kildegaarden.regionsjaelland.dk", "email",
			"exactly one @ with text on both sides"},
		{"email with two @", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,a@b@regionsjaelland.dk", "email", "exactly one @"},
		{"email with nothing before @", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,@regionsjaelland.dk", "email", "exactly one @"},
		{"email with a space", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,kilde gaarden@rsj.dk", "email", "without spaces"},
		{"postcode", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,43000,,", "postcode", "not a Danish postcode"},
		{"operator is another region", "S-01,Bostedet Kildegården,sjaelland,Region Syddanmark,autism,108,42,,,,", "operator",
			"another region than the institution's region (sjaelland)"},
		{"unknown municipality", "S-01,Bostedet Kildegården,sjaelland,Atlantis Kommune,autism,108,42,,,,", "operator",
			`unknown municipality "Atlantis Kommune": write the official name of one of the 98 Danish municipalities`},
		{"a county, not a municipality", "S-01,Bostedet Kildegården,sjaelland,Vestsjællands Amt,autism,108,42,,,,", "operator",
			`unknown municipality "Vestsjællands Amt"`},
		{"NUL in a name", "S-01,Bostedet Kilde\x00gården,sjaelland,,autism,108,42,,,,", "name",
			"name contains the control character U+0000"},
		{"invalid UTF-8 in a city", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,K\xf8ge,", "city",
			`city is not valid UTF-8 text: save the file as "CSV UTF-8"`},
		{"escape character in an address", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42,Vej 1\x1b[2J,,,", "address",
			"address contains the control character U+001B"},
		{"too few fields", "S-01,Bostedet Kildegården,sjaelland,,autism,108,42", "", "the row has 7 fields but the header has 11"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := institutionsHeader + "\n" + goodInstitutionRow + "\n" +
				"M-04,Bostedet Skjoldhøj,midtjylland,Aarhus Kommune,mental-illness,107,24,,,,\n" +
				"\n" + c.row + "\n"
			_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
			if err != nil {
				t.Fatalf("ParseInstitutions: %v", err)
			}
			if len(bad) != 1 {
				t.Errorf("want exactly 1 problem, got %v", bad)
			}
			wantRowError(t, bad, 5, c.col, c.reason)
			if len(insts) != 2 || insts[0].ID != "H-01" || insts[1].ID != "M-04" {
				t.Errorf("want the two good rows back, got %+v", insts)
			}
		})
	}
}

func TestParseInstitutionsReportsEveryProblem(t *testing.T) {
	in := institutionsHeader + "\n" +
		"S-01,Bostedet Kildegården,jylland,,autism;dementia,109,-1,,,,x\n" +
		goodInstitutionRow + "\n" +
		"S-01,Bostedet Kildegården,sjaelland,,autism,108,42,,,,\n"
	_, _, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil {
		t.Fatal(err)
	}
	wantRowError(t, bad, 2, "region", `unknown region "jylland"`)
	wantRowError(t, bad, 2, "target_groups", `unknown target group "dementia"`)
	wantRowError(t, bad, 2, "legal_basis", `unknown legal basis "109"`)
	wantRowError(t, bad, 2, "places", "negative")
	wantRowError(t, bad, 2, "email", "exactly one @")
	wantRowError(t, bad, 4, "id", `duplicate id "S-01": it is already used on line 2`)
	if len(bad) != 6 {
		t.Errorf("want 6 problems, got %d: %v", len(bad), bad)
	}
}

func TestParseInstitutionsHeaderErrors(t *testing.T) {
	cases := []struct {
		name, header, col, reason string
	}{
		{"unknown column", institutionsHeader + ",phone", "phone", `unknown column "phone": the columns are id,name,region`},
		{"missing required column", strings.Replace(institutionsHeader, ",legal_basis", "", 1), "legal_basis",
			"required column legal_basis is missing"},
		{"column twice", institutionsHeader + ",city", "city", "column city appears twice"},
		{"semicolons", strings.ReplaceAll(institutionsHeader, ",", ";"), "", "semicolons"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, insts, bad, err := ParseInstitutions(strings.NewReader(c.header+"\n"+goodInstitutionRow+"\n"), testToday)
			if err == nil {
				t.Fatalf("want an error, got institutions %v and bad rows %v", insts, bad)
			}
			rows := headerErrors(t, err)
			wantRowError(t, rows, 1, c.col, c.reason)
		})
	}
}

func TestParseInstitutionsOptionalColumnsMayBeLeftOut(t *testing.T) {
	in := "id,name,region,target_groups,legal_basis\nN-06,Børne- og ungehjemmet Mågen,nordjylland,child-psychiatric,67\n"
	_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("err %v, bad %v", err, bad)
	}
	if len(insts) != 1 || insts[0].ID != "N-06" || insts[0].Places != 0 || insts[0].Email != "" {
		t.Errorf("got %+v", insts)
	}
}

func TestParseInstitutionsMalformedCSV(t *testing.T) {
	in := institutionsHeader + "\n" + goodInstitutionRow + "\n" +
		`S-01,Bostedet "Kilde"gården,sjaelland,,autism,108,42,,,,` + "\n"
	_, _, _, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err == nil {
		t.Fatal("want an error for a bare quote")
	}
	wantRowError(t, headerErrors(t, err), 3, "", "malformed CSV")
}

func TestParseInstitutionsEmptyFile(t *testing.T) {
	_, _, _, err := ParseInstitutions(strings.NewReader(""), testToday)
	if err == nil {
		t.Fatal("want an error for an empty file")
	}
	wantRowError(t, headerErrors(t, err), 1, "", "the file is empty")
}

func TestParseInstitutionsWindowsLineEndingsAndQuotedNewlines(t *testing.T) {
	in := institutionsHeader + "\r\n" +
		"H-01,\"Bostedet\nStrandhaven\",hovedstaden,,mental-illness,107,18,,,,\r\n" +
		"H-02,Center for Autisme Egely,hovedstaden,,autism,108,-2,,,,\r\n"
	_, insts, bad, err := ParseInstitutions(strings.NewReader(in), testToday)
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != 1 || insts[0].Name != "Bostedet\nStrandhaven" {
		t.Errorf("institutions %+v", insts)
	}
	// The quoted name spans lines 2-3, so the next row starts on line 4.
	wantRowError(t, bad, 4, "places", "negative")
}
