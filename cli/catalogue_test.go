package cli

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestCatalogueShowsTheShippedExample(t *testing.T) {
	env := importedExamples(t)
	code, stdout, stderr := runStarter(t, env, "catalogue", "list")
	if code != ExitOK {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"NUMBER", "Kvalitetsmodellens 1. generation", "2009-01-01", "example", "shipped with the service (generation-1.yaml)",
		"(1 generations; * in force today)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^\*\s+1\s`).MatchString(stdout) {
		t.Errorf("generation 1 is not marked as in force today:\n%s", stdout)
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "list", "--json")
	var list []struct {
		Number     int         `json:"number"`
		Name       domain.Text `json:"name"`
		Example    bool        `json:"example"`
		InForce    bool        `json:"in_force"`
		Standards  int         `json:"standards"`
		Indicators int         `json:"indicators"`
	}
	if code != ExitOK || json.Unmarshal([]byte(stdout), &list) != nil || len(list) != 1 || !list[0].Example || !list[0].InForce ||
		list[0].Standards != 6 || list[0].Name.EN != "First generation of the quality model" {
		t.Errorf("list --json: exit %d: %s", code, stdout)
	}

	code, stdout, stderr = runStarter(t, env, "catalogue", "show")
	if code != ExitOK {
		t.Fatalf("show: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Catalogue generation 1: Kvalitetsmodellens 1. generation", "In force from 2009-01-01",
		"EXAMPLE: Dette katalog er et eksempel, skrevet til dette projekt",
		"Rating scale: 1 Opfyldt, 2 Overvejende opfyldt, 3 Delvist opfyldt, 4 Ikke opfyldt",
		"Theme 2: Arbejdsmiljø (working-environment)", "  Standard 1.1: Ledelsens ansvar og kompetencer (Kvalitativ)",
		"    Purpose: Tilbuddet har en skriftlig beskrivelse", "      5.1.2 (Procesindikator, target >= 90 %)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("show lacks %q", want)
		}
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "show", "--generation", "1", "--lang", "en")
	if code != ExitOK || !strings.Contains(stdout, "EXAMPLE: This catalogue is an example, written for this project") ||
		!strings.Contains(stdout, "Rating scale: 1 Met, 2 Largely met") || !strings.Contains(stdout, "(Qualitative)") {
		t.Errorf("show --lang en: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "show", "--date", "2027-01-04", "--json")
	var g domain.Generation
	if code != ExitOK || json.Unmarshal([]byte(stdout), &g) != nil || !reflect.DeepEqual(g, domain.FirstGeneration()) {
		t.Errorf("show --json: exit %d, not the first generation:\n%.300s", code, stdout)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "--generation", "9"}, "there is no catalogue generation 9 in the store: see starter catalogue list"},
		{[]string{"show", "--generation", "0"}, "generations are numbered from 1"},
		{[]string{"show", "--generation", "1", "--date", "2027-01-04"}, "give --generation or --date, not both"},
		{[]string{"show", "--date", "2001-01-01"}, "no standards catalogue is in force on 2001-01-01: the first generation takes effect on 2009-01-01"},
		{[]string{"show", "--date", "2001-02-30"}, "--date: "},
		{[]string{"show", "--lang", "fr"}, `--lang "fr": use da or en`},
		{[]string{"export", "--generation", "2"}, "there is no catalogue generation 2"},
		{[]string{"export", "--generation", "x"}, `invalid argument "x"`},
	} {
		code, stdout, stderr := runStarter(t, env, append([]string{"catalogue"}, c.args...)...)
		assertRejected(t, code, stdout, stderr, c.want)
	}
}

// TestCatalogueExportEditImport is a region's path: export the example, make it its own, and
// import it as the next generation.
func TestCatalogueExportEditImport(t *testing.T) {
	env := importedExamples(t)
	code, exported, stderr := runStarter(t, env, "catalogue", "export", "--generation", "1")
	if code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if g, err := domain.ParseGeneration([]byte(exported)); err != nil || !reflect.DeepEqual(g, domain.FirstGeneration()) {
		t.Fatalf("the export does not read back as generation 1: %v", err)
	}
	own := regexp.MustCompile(`(?m)^notice:\n(  .*\n)+`).ReplaceAllString(exported, "")
	for old, repl := range map[string]string{
		"number: 1\n":                               "number: 2\n",
		`effective_from: "2009-01-01"`:              "effective_from: 2030-01-01",
		"example: true\n":                           "example: false\n",
		"da: Kvalitetsmodellens 1. generation":      "da: Region Midtjyllands katalog",
		"en: First generation of the quality model": "en: Central Denmark Region's catalogue",
		"da: Ledelsens ansvar og kompetencer":       "da: Ledelsens ansvar",
	} {
		if !strings.Contains(own, old) {
			t.Fatalf("the export lacks %q", old)
		}
		own = strings.Replace(own, old, repl, 1)
	}
	file := writeFile(t, "region.yaml", own)
	code, stdout, stderr := runStarter(t, env, "catalogue", "import", file, "--as", nationalSecretariat)
	if code != ExitOK || !strings.Contains(stdout, "generation 2 (Region Midtjyllands katalog) imported, in force from 2030-01-01: 6 themes, 6 standards, 18 indicators (imported by P-136)") {
		t.Fatalf("import: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "import", file, "--as", nationalSecretariat, "--json")
	var res struct {
		Generation int  `json:"generation"`
		Unchanged  bool `json:"unchanged"`
	}
	if code != ExitOK || json.Unmarshal([]byte(stdout), &res) != nil || res.Generation != 2 || !res.Unchanged {
		t.Errorf("second import: exit %d: %s", code, stdout)
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "import", file, "--as", nationalSecretariat)
	if code != ExitOK || !strings.Contains(stdout, "generation 2 is already imported with the same content: nothing changed") {
		t.Errorf("third import: exit %d: %s", code, stdout)
	}

	changed := writeFile(t, "changed.yaml", strings.Replace(own, "da: Ledelsens ansvar", "da: Ledelsens ansvar og pligter", 1))
	code, stdout, stderr = runStarter(t, env, "catalogue", "import", changed, "--as", nationalSecretariat)
	assertRejected(t, code, stdout, stderr, "generation 2 is already imported from", "by P-136", "standard 1.1: the title differs",
		"a generation never changes once imported")
	early := writeFile(t, "early.yaml", strings.NewReplacer("number: 2\n", "number: 3\n", "2030-01-01", "2029-12-31").Replace(own))
	code, stdout, stderr = runStarter(t, env, "catalogue", "import", early, "--as", nationalSecretariat)
	assertRejected(t, code, stdout, stderr, "generation 3 takes effect on 2029-12-31, before generation 2 (in force from 2030-01-01)")

	code, stdout, _ = runStarter(t, env, "catalogue", "list")
	if code != ExitOK || !strings.Contains(stdout, "Region Midtjyllands katalog") || !strings.Contains(stdout, "(2 generations;") ||
		!regexp.MustCompile(`(?m)^\s+2\s+Region Midtjyllands katalog\s+2030-01-01\s+no\s`).MatchString(stdout) {
		t.Errorf("list after the import: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = runStarter(t, env, "catalogue", "show", "--date", "2030-06-01")
	if code != ExitOK || !strings.Contains(stdout, "Catalogue generation 2: Region Midtjyllands katalog") || strings.Contains(stdout, "EXAMPLE") {
		t.Errorf("show --date 2030-06-01: exit %d:\n%.300s", code, stdout)
	}
	code, again, _ := runStarter(t, env, "catalogue", "export", "--generation", "2")
	if g, err := domain.ParseGeneration([]byte(again)); code != ExitOK || err != nil || g.Number != 2 || g.Example {
		t.Errorf("export of generation 2: exit %d, %v", code, err)
	}

	code, stdout, _ = runStarter(t, env, "audit", "--registry")
	if code != ExitOK || !strings.Contains(stdout, "import-catalogue") || !strings.Contains(stdout, "region.yaml: generation 2 imported") {
		t.Errorf("the registry's audit trail lacks the import:\n%s", stdout)
	}
}

func TestCatalogueImportRefusals(t *testing.T) {
	env := importedExamples(t)
	_, exported, _ := runStarter(t, env, "catalogue", "export", "--generation", "1")
	good := writeFile(t, "good.yaml", strings.NewReplacer("number: 1\n", "number: 2\n", `"2009-01-01"`, "2030-01-01").Replace(exported))
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no actor", []string{good}, []string{"say who is acting"}},
		{"unknown person", []string{good, "--as", "P-999"}, []string{"P-999 is not in the registry", "only the secretariat may import a catalogue generation"}},
		{"reviewer", []string{good, "--as", "P-050"}, []string{"is a reviewer, not secretariat"}},
		{"regional secretariat", []string{good, "--as", "P-131"}, []string{"P-131 (Anders Mathiesen) is the secretariat of Region Hovedstaden: only the national secretariat may import a catalogue generation"}},
		{"missing file", []string{"nowhere.yaml", "--as", nationalSecretariat}, []string{"cannot read nowhere.yaml: no such file"}},
		{"no file", []string{"--as", nationalSecretariat}, []string{"accepts 1 arg(s)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runStarter(t, env, append([]string{"catalogue", "import"}, c.args...)...)
			assertRejected(t, code, stdout, stderr, c.want...)
		})
	}

	// A bad file: every problem on its own line, with its line number, then the refusal.
	bad := strings.NewReplacer("number: 2\n", "number: 2\nversion: 2\n", "kind: structure", "kind: outcome",
		"  - level: 4\n", "  - level: 5\n").Replace(readTestFile(t, good))
	badFile := writeFile(t, "bad.yaml", bad)
	code, stdout, stderr := runStarter(t, env, "catalogue", "import", badFile, "--as", nationalSecretariat)
	if code != ExitRejected || stdout != "" {
		t.Fatalf("bad file: exit %d, stdout %q", code, stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "error: "+badFile+": ") || !strings.HasSuffix(last, "problem(s), nothing was imported") {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{
		`: line 16: unknown field "version" in the generation: its fields are number, name,`,
		": line 38: scale level 5 is not on the scale: the workflows accept ratings 1 to 4 only",
		": line 25: scale level 4 is missing",
		`kind "outcome": use "structure", "process" or "result"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, badFile+": line ") {
			t.Errorf("problem line %q does not name the file and the line", l)
		}
	}
	if code, stdout, _ := runStarter(t, env, "catalogue", "list", "--json"); code != ExitOK || strings.Contains(stdout, `"number": 2`) {
		t.Errorf("a refused import stored something: %s", stdout)
	}
}

func readTestFile(t *testing.T, path string) string {
	t.Helper()
	data, err := readText(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
