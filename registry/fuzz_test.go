package registry

// Fuzz targets of the two registry files (issue 8, point 6). They fuzz the reading and
// checking of a file, ParseInstitutions and parsePeople, on bytes: the store write after it
// needs a database and adds nothing a parser can get wrong. Every input must give either
// errors that say where and what (line and reason), or rows that obey every rule of the
// format, and an accepted file written back as CSV must read back as the same rows.
//
// go test -run '^$' -fuzz '^FuzzInstitutionsCSV$' -fuzztime 60s ./registry
// go test -run '^$' -fuzz '^FuzzPeopleCSV$' -fuzztime 60s ./registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// fuzzToday is the "today" the people file is checked against: the date of the recorded run.
var fuzzToday = domain.NewDate(2026, 11, 22)

// fuzzExample reads a file of examples/.
func fuzzExample(f *testing.F, name string) []byte {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// addExample seeds the corpus with every row of a file of examples/, a few rows at a time
// under its header. Small seeds keep the fuzzer fast: it minimizes every input that finds new
// code, and an input as large as the whole file takes it many seconds each time.
func addExample(f *testing.F, name string) {
	f.Helper()
	const rowsPerSeed = 8
	lines := strings.SplitAfter(string(fuzzExample(f, name)), "\n")
	for i := 1; i < len(lines); i += rowsPerSeed {
		f.Add([]byte(lines[0] + strings.Join(lines[i:min(i+rowsPerSeed, len(lines))], "")))
	}
}

// malformedSeeds are variants of a valid file that exercise the reader's refusals: a byte
// order mark, semicolons, quotes, NUL and other control bytes, a very long field, CRLF line
// ends, a lone header, blank lines, Latin-1 text and a short row.
func malformedSeeds(header, row string) [][]byte {
	long := strings.Repeat("x", domain.MaxReasonLength+1) // over every column's limit
	return [][]byte{
		[]byte(""),
		[]byte(header + "\n"),
		[]byte("\ufeff" + header + "\n" + row + "\n"),
		[]byte(strings.ReplaceAll(header+"\n"+row+"\n", ",", ";")),
		[]byte(header + "\r\n" + row + "\r\n"),
		[]byte("\n\n" + header + "\n\n" + row + "\n  ,  \n"),
		[]byte(header + "\n\"" + strings.Replace(row, ",", "\",\"", 1) + "\n"),
		[]byte(header + "\n" + strings.Replace(row, ",", ",\"un\"closed,", 1) + "\n"),
		[]byte(header + "\n\"" + row + "\n"),
		[]byte(header + "\n" + strings.Replace(row, ",", "\x00,", 1) + "\n"),
		[]byte(header + "\n" + strings.Replace(row, ",", "\x1b[2J,", 1) + "\n"),
		[]byte(header + "\n" + strings.Replace(row, ",", ","+long, 1) + "\n"),
		[]byte(strings.Replace(header, ",", ","+long+",", 1) + "\n" + row + "\n"),
		[]byte(header + "\n" + row + "\n" + row + "\n"),
		[]byte(header + "\n" + strings.ToUpper(row[:1]) + row[1:] + "\n" + row + "\n"),
		[]byte(header + "\nH-01\n" + row + ",extra\n"),
		[]byte(header + "\nN\xf8rre,\xe6\xf8\xe5\n"),
		[]byte(strings.ToUpper(header) + "\n" + row + "\n"),
		[]byte(header + "," + strings.SplitN(header, ",", 2)[0] + "\n" + row + ",x\n"),
	}
}

// FuzzInstitutionsCSV reads institutions.csv from arbitrary bytes.
func FuzzInstitutionsCSV(f *testing.F) {
	addExample(f, "institutions.csv")
	header := columnList(institutionColumns)
	row := "H-01,Bostedet Strandhaven,hovedstaden,Aarhus Kommune,mental-illness;autism,§107,18,Strandvejen 101,3000,Helsingør,strandhaven@regionh.dk,2026-10-01"
	for _, seed := range malformedSeeds(header, row) {
		f.Add(seed)
	}
	// Closing dates: open, in the future, badly written, a day that does not exist.
	f.Add([]byte(header + "\nH-02,A,hovedstaden,,autism,108,,,,,,\nH-03,B,hovedstaden,,autism,108,,,,,,2026-11-23\n" +
		"H-04,C,hovedstaden,,autism,108,,,,,,01-10-2026\nH-05,D,hovedstaden,,autism,108,,,,,,2026-02-30\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		munis, insts, bad, err := ParseInstitutions(bytes.NewReader(data), fuzzToday)
		if err != nil {
			if munis != nil || insts != nil || bad != nil {
				t.Fatalf("an error (%v) came with rows: %d municipalities, %d institutions, %d problems", err, len(munis), len(insts), len(bad))
			}
			checkFileError(t, data, err)
			return
		}
		checkRowErrors(t, data, bad)
		checkInstitutions(t, munis, insts, len(bad) == 0)
		if len(bad) > 0 || len(insts) == 0 || hasCR(insts) {
			return
		}
		// An accepted file, written back in the canonical form, reads back as the same rows.
		again, againInsts, againBad, err := ParseInstitutions(bytes.NewReader(writeInstitutions(t, munis, insts)), fuzzToday)
		if err != nil || len(againBad) > 0 {
			t.Fatalf("the accepted rows written back do not read back: %v %v", err, againBad)
		}
		if !reflect.DeepEqual(again, munis) || !reflect.DeepEqual(againInsts, insts) {
			t.Fatalf("the accepted rows written back read back differently:\n%+v\n%+v\nnow\n%+v\n%+v", munis, insts, again, againInsts)
		}
	})
}

// FuzzPeopleCSV reads people.csv from arbitrary bytes, against the example institutions.
func FuzzPeopleCSV(f *testing.F) {
	_, insts, bad, err := ParseInstitutions(bytes.NewReader(fuzzExample(f, "institutions.csv")), fuzzToday)
	if err != nil || len(bad) > 0 {
		f.Fatalf("examples/institutions.csv: %v %v", err, bad)
	}
	regions := make(map[string]domain.Region, len(insts)+1)
	for _, in := range insts {
		regions[in.ID] = in.Region
	}
	regions["X-99"] = "" // an institution whose region is not known: only ParsePeople's form

	addExample(f, "people.csv")
	header := columnList(peopleColumns)
	row := "P-001,Mette Kjær,mette.kjaer@regionh.dk,U04ABCD12,reviewer,hovedstaden,H-01,evaluator:2023-03-01;lead:2024-09-12,M-01;S-02,H-01:2019-08-01..;H-02:2010-01-01..2019-07-31,"
	for _, seed := range malformedSeeds(header, row) {
		f.Add(seed)
	}
	f.Add([]byte(header + "\nP-7,C,c@b.dk,,user-representative,nordjylland,,representative:2020-01-01,,,autism;LEV;autisme\n" +
		"P-6,D,d@b.dk,,reviewer,midtjylland,M-01,,,,autism\nP-5,E,e@b.dk,,relative-representative,syddanmark,,,,,;\n"))
	f.Add([]byte(header + "\nP-9,A,a@b.dk,,secretariat,,,,,\nP-8,B,b@b.dk,W1,manager,Region Sjælland,X-99,representative:2026-11-23,H-01,H-01:2027-01-01..2026-01-01\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		people, bad, err := parsePeople(bytes.NewReader(data), regions, fuzzToday)
		if err != nil {
			if people != nil || bad != nil {
				t.Fatalf("an error (%v) came with rows: %d people, %d problems", err, len(people), len(bad))
			}
			checkFileError(t, data, err)
			return
		}
		checkRowErrors(t, data, bad)
		checkPeople(t, people, regions)
		if len(bad) > 0 || len(people) == 0 || hasCR(people) {
			return
		}
		again, againBad, err := parsePeople(bytes.NewReader(writePeople(t, people)), regions, fuzzToday)
		if err != nil || len(againBad) > 0 {
			t.Fatalf("the accepted rows written back do not read back: %v %v", err, againBad)
		}
		if !reflect.DeepEqual(again, people) {
			t.Fatalf("the accepted rows written back read back differently:\n%+v\nnow\n%+v", people, again)
		}
	})
}

// checkFileError checks an error for the whole file (a bad header or malformed CSV): it
// carries a line and a reason, and the import turns it into an *ImportError.
func checkFileError(t *testing.T, data []byte, err error) {
	t.Helper()
	var row RowError
	if !errors.As(err, &row) {
		t.Fatalf("the error %q (%T) does not say on which line", err, err)
	}
	var rows rowErrors
	if !errors.As(err, &rows) || len(rows) == 0 {
		t.Fatalf("the error %q (%T) is not a list of row errors", err, err)
	}
	checkRowErrors(t, data, rows)
	var ie *ImportError
	if !errors.As(importError("f.csv", nil, err), &ie) {
		t.Fatalf("the import does not report %q as bad rows", err)
	}
	if msg := ie.Error(); !utf8.ValidString(msg) {
		t.Fatalf("the import's message is not UTF-8: %q", msg)
	}
}

// checkRowErrors checks that every problem names a line of the file, says what is wrong, and
// reads as text.
func checkRowErrors(t *testing.T, data []byte, bad []RowError) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, r := range bad {
		switch msg := r.Error(); {
		case r.Line < 1 || r.Line > lines:
			t.Fatalf("problem %q is on line %d of a file of %d lines", msg, r.Line, lines)
		case strings.TrimSpace(r.Reason) == "":
			t.Fatalf("problem on line %d has no reason", r.Line)
		case !utf8.ValidString(msg):
			t.Fatalf("problem on line %d is not UTF-8 text: %q", r.Line, msg)
		}
	}
	if len(bad) > 0 {
		if msg := importError("f.csv", bad, nil).Error(); !utf8.ValidString(msg) {
			t.Fatalf("the import's message is not UTF-8: %q", msg)
		}
	}
}

// checkText fails when a kept text would be refused by the limits every other door applies.
func checkText(t *testing.T, what, s string, max int) {
	t.Helper()
	if err := domain.CheckText(what, s, max); err != nil {
		t.Fatalf("accepted %s %q: %v", what, s, err)
	}
	if s != strings.TrimSpace(s) {
		t.Fatalf("accepted %s %q is not trimmed", what, s)
	}
}

// checkInstitutions checks the accepted rows; when the file is accepted as a whole (clean),
// every municipality returned runs one of them (a bad row's operator may be among them
// otherwise, which is harmless: nothing is written then).
func checkInstitutions(t *testing.T, munis []store.Municipality, insts []store.Institution, clean bool) {
	t.Helper()
	codes := map[string]bool{}
	for _, m := range munis {
		if m.Code == "" || m.Name == "" || !m.Region.Valid() || codes[m.Code] {
			t.Fatalf("accepted municipality %+v: empty, in no region, or twice", m)
		}
		codes[m.Code] = true
	}
	used := map[string]bool{}
	seen := map[string]bool{}
	for _, in := range insts {
		if reason := checkID(in.ID); reason != "" {
			t.Fatalf("accepted institution ID %q: %s", in.ID, reason)
		}
		if seen[strings.ToLower(in.ID)] {
			t.Fatalf("institution ID %q accepted twice (ignoring case)", in.ID)
		}
		seen[strings.ToLower(in.ID)] = true
		checkText(t, "id", in.ID, domain.MaxIDLength)
		checkText(t, "name", in.Name, domain.MaxNameLength)
		checkText(t, "address", in.Address, domain.MaxAddressLength)
		checkText(t, "city", in.City, domain.MaxNameLength)
		checkText(t, "email", in.Email, domain.MaxEmailLength)
		switch {
		case in.Name == "":
			t.Fatalf("institution %s accepted without a name", in.ID)
		case !in.Region.Valid():
			t.Fatalf("institution %s accepted in region %q", in.ID, in.Region)
		case !in.LegalBasis.Valid():
			t.Fatalf("institution %s accepted with legal basis %q", in.ID, in.LegalBasis)
		case len(in.TargetGroups) == 0:
			t.Fatalf("institution %s accepted without target groups", in.ID)
		case in.Places < 0:
			t.Fatalf("institution %s accepted with %d places", in.ID, in.Places)
		case in.Postcode != "" && (len(in.Postcode) != 4 || strings.Trim(in.Postcode, "0123456789") != ""):
			t.Fatalf("institution %s accepted with postcode %q", in.ID, in.Postcode)
		case in.Email != "" && checkEmail(in.Email) != "":
			t.Fatalf("institution %s accepted with e-mail %q", in.ID, in.Email)
		case in.Municipality != "" && !codes[in.Municipality]:
			t.Fatalf("institution %s is run by municipality %q, which is not among the municipalities", in.ID, in.Municipality)
		case in.Closed() && (!in.ClosedOn.Valid() || in.ClosedOn.After(fuzzToday)):
			t.Fatalf("institution %s accepted closed on %s (today is %s)", in.ID, in.ClosedOn, fuzzToday)
		case in.ClosedBy != "" || in.ClosedReason != "":
			t.Fatalf("institution %s: the file set who closed it (%q) or why (%q), which only the import records", in.ID, in.ClosedBy, in.ClosedReason)
		}
		for i, g := range in.TargetGroups {
			if !g.Valid() || slices.Contains(in.TargetGroups[:i], g) {
				t.Fatalf("institution %s accepted with target groups %v", in.ID, in.TargetGroups)
			}
		}
		if in.Municipality != "" {
			used[in.Municipality] = true
		}
	}
	if clean && len(used) != len(codes) {
		t.Fatalf("municipalities %v are returned, but the institutions name %v", munis, used)
	}
}

func checkPeople(t *testing.T, people []store.Person, regions map[string]domain.Region) {
	t.Helper()
	seen := map[string]bool{}
	slack := map[string]bool{}
	for _, p := range people {
		if reason := checkID(p.ID); reason != "" {
			t.Fatalf("accepted person ID %q: %s", p.ID, reason)
		}
		if seen[strings.ToLower(p.ID)] {
			t.Fatalf("person ID %q accepted twice (ignoring case)", p.ID)
		}
		seen[strings.ToLower(p.ID)] = true
		checkText(t, "id", p.ID, domain.MaxIDLength)
		checkText(t, "name", p.Name, domain.MaxNameLength)
		checkText(t, "email", p.Email, domain.MaxEmailLength)
		checkText(t, "slack_user_id", p.SlackUserID, domain.MaxIDLength)
		home, homeKnown := regions[p.HomeInstitution]
		switch {
		case p.Name == "":
			t.Fatalf("person %s accepted without a name", p.ID)
		case p.Email == "" || checkEmail(p.Email) != "":
			t.Fatalf("person %s accepted with e-mail %q", p.ID, p.Email)
		case p.SlackUserID != "" && (!slackUserID.MatchString(p.SlackUserID) || slack[p.SlackUserID]):
			t.Fatalf("person %s accepted with Slack ID %q (malformed or used twice)", p.ID, p.SlackUserID)
		case !p.Role.Valid():
			t.Fatalf("person %s accepted with role %q", p.ID, p.Role)
		case p.Region != "" && !p.Region.Valid():
			t.Fatalf("person %s accepted in region %q", p.ID, p.Region)
		case p.Region == "" && !p.Role.MayBeNational():
			t.Fatalf("person %s accepted as a national %s", p.ID, p.Role)
		case p.HomeInstitution != "" && !homeKnown:
			t.Fatalf("person %s accepted with the unknown home institution %q", p.ID, p.HomeInstitution)
		case p.HomeInstitution != "" && home != "" && p.Region != "" && home != p.Region:
			t.Fatalf("person %s in %s accepted with home institution %s in %s", p.ID, p.Region, p.HomeInstitution, home)
		case p.HomeInstitution == "" && (p.Role == domain.RoleReviewer || p.Role == domain.RoleInstitutionManager):
			t.Fatalf("%s %s accepted without a home institution", p.Role, p.ID)
		case p.HomeInstitution == "" && p.Role.IsRepresentative() && len(p.TargetGroups) == 0:
			t.Fatalf("%s %s accepted with neither target groups nor a home institution", p.Role, p.ID)
		case len(p.TargetGroups) > 0 && !p.Role.IsRepresentative():
			t.Fatalf("%s %s accepted with target groups %v", p.Role, p.ID, p.TargetGroups)
		}
		for i, g := range p.TargetGroups {
			if !g.Valid() || slices.Contains(p.TargetGroups[:i], g) {
				t.Fatalf("person %s accepted with target groups %v", p.ID, p.TargetGroups)
			}
		}
		if p.SlackUserID != "" {
			slack[p.SlackUserID] = true
		}
		for i, tr := range p.Trainings {
			if _, err := domain.ParseTrainingKind(string(tr.Kind)); err != nil || !tr.CompletedOn.Valid() || tr.CompletedOn.After(fuzzToday) ||
				slices.ContainsFunc(p.Trainings[:i], func(o store.Training) bool { return o.Kind == tr.Kind }) {
				t.Fatalf("person %s accepted with trainings %+v", p.ID, p.Trainings)
			}
		}
		for i, c := range p.Conflicts {
			if _, ok := regions[c]; !ok || slices.Contains(p.Conflicts[:i], c) {
				t.Fatalf("person %s accepted with conflicts %v", p.ID, p.Conflicts)
			}
		}
		for _, e := range p.Employments {
			_, ok := regions[e.InstitutionID]
			if !ok || !e.From.Valid() || e.From.After(fuzzToday) || !e.To.IsZero() && (!e.To.Valid() || e.From.After(e.To)) {
				t.Fatalf("person %s accepted with employments %+v", p.ID, p.Employments)
			}
		}
	}
}

// hasCR reports whether any text of v holds a carriage return, which CSV does not carry
// through a write and a read unchanged (a quoted "\r\n" reads as "\n").
func hasCR(v any) bool {
	var b strings.Builder
	writeGo(&b, reflect.ValueOf(v))
	return strings.Contains(b.String(), "\r")
}

// writeGo writes every string in v, one after the other.
func writeGo(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		b.WriteString(v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			writeGo(b, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			writeGo(b, v.Field(i))
		}
	}
}

// writeCSV writes rows under the header in the canonical form.
func writeCSV(t *testing.T, header string, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(strings.Split(header, ",")); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeInstitutions(t *testing.T, munis []store.Municipality, insts []store.Institution) []byte {
	names := map[string]string{}
	for _, m := range munis {
		names[m.Code] = m.Name
	}
	var rows [][]string
	for _, in := range insts {
		operator := "region"
		if in.Municipality != "" {
			operator = names[in.Municipality]
		}
		groups := make([]string, len(in.TargetGroups))
		for i, g := range in.TargetGroups {
			groups[i] = string(g)
		}
		places := ""
		if in.Places != 0 {
			places = strconv.Itoa(in.Places)
		}
		closedOn := ""
		if in.Closed() {
			closedOn = in.ClosedOn.String()
		}
		rows = append(rows, []string{in.ID, in.Name, string(in.Region), operator, strings.Join(groups, ";"),
			string(in.LegalBasis), places, in.Address, in.Postcode, in.City, in.Email, closedOn})
	}
	return writeCSV(t, columnList(institutionColumns), rows)
}

func writePeople(t *testing.T, people []store.Person) []byte {
	var rows [][]string
	for _, p := range people {
		var trainings, employments, groups []string
		for _, g := range p.TargetGroups {
			groups = append(groups, string(g))
		}
		for _, tr := range p.Trainings {
			trainings = append(trainings, string(tr.Kind)+":"+tr.CompletedOn.String())
		}
		for _, e := range p.Employments {
			to := ""
			if !e.To.IsZero() {
				to = e.To.String()
			}
			employments = append(employments, e.InstitutionID+":"+e.From.String()+".."+to)
		}
		rows = append(rows, []string{p.ID, p.Name, p.Email, p.SlackUserID, string(p.Role), string(p.Region),
			p.HomeInstitution, strings.Join(trainings, ";"), strings.Join(p.Conflicts, ";"), strings.Join(employments, ";"),
			strings.Join(groups, ";")})
	}
	return writeCSV(t, columnList(peopleColumns), rows)
}
