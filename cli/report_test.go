package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

func TestAnnualReportRefusals(t *testing.T) {
	env := testEnviron(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--year", "1999", "--format", "html"}, "--year 1999 is not a year of the model"},
		{[]string{"--year", "0", "--format", "csv"}, "--year 0"},
		{[]string{"--year", "tjuge", "--format", "csv"}, "invalid argument"},
		{[]string{"--format", "csv"}, `"year" not set`},
		{[]string{"--year", "2030"}, `"format" not set`},
		{[]string{"--year", "2030", "--format", "docx"}, `--format "docx" is not a format of the report`},
		{[]string{"--year", "2030", "--format", "html", "--region", "jylland"}, `unknown region "jylland"`},
		{[]string{"--year", "2030", "--format", "html", "--lang", "de"}, `--lang "de"`},
	} {
		code, stdout, stderr := runStarter(t, env, append([]string{"report", "annual"}, c.args...)...)
		assertRejected(t, code, stdout, stderr, c.want)
	}
}

// annualEnviron is a data directory whose store holds two published cycles of 2030 in
// Hovedstaden and one in Nordjylland, and a late step.
func annualEnviron(t *testing.T) []string {
	t.Helper()
	env := testEnviron(t)
	cfg, err := config.Load(config.Source{Environ: env, KeepDataDir: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Location{Path: cfg.StorePath()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	var ins []store.Institution
	for _, in := range []struct {
		id     string
		region domain.Region
	}{{"H-01", domain.Hovedstaden}, {"H-02", domain.Hovedstaden}, {"N-01", domain.Nordjylland}} {
		ins = append(ins, store.Institution{ID: in.id, Name: "Bostedet " + in.id, Region: in.region,
			LegalBasis: domain.Section107, TargetGroups: []domain.TargetGroup{domain.Autism}})
	}
	if _, err := st.UpsertInstitutions(ctx, nil, ins); err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if _, err := st.PublishRecord(ctx, store.PublishedRecord{InstitutionID: in.ID, InstitutionName: in.Name,
			Region: in.Region, TargetGroups: in.TargetGroups, Cycle: 1, Verdict: 1 + i%2, Generation: 1,
			PublishedOn: domain.NewDate(2030, 3, 1+i), AreasToImprove: []string{}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.UpsertStep(ctx, store.StepRow{ID: "s1", InstitutionID: "H-01", Cycle: 1, Step: "report", Title: "Rapport",
		Region: domain.Hovedstaden, Opened: domain.NewDate(2030, 1, 1), Due: domain.NewDate(2030, 1, 29), Status: "done",
		Closed: domain.NewDate(2030, 2, 8), Revision: 1}); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestAnnualReportFormats(t *testing.T) {
	env := annualEnviron(t)
	out := mustStart(t, env, "report", "annual", "--year", "2030", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	cycles, total := 0, -1
	for _, r := range rows[1:] {
		switch r[2] {
		case "cycle":
			cycles++
		case "cycles":
			total, _ = strconv.Atoi(r[10])
		}
	}
	if cycles != 3 || total != 3 {
		t.Errorf("national CSV: %d cycle rows, total %d; want 3 and 3", cycles, total)
	}

	file := filepath.Join(t.TempDir(), "aarsrapport.html")
	summary := mustStart(t, env, "report", "annual", "--year", "2030", "--region", "Region Hovedstaden", "--format", "html", "--out", file)
	if !strings.Contains(summary, "Annual report 2030 – Capital Region of Denmark: cycles completed 2, steps completed late 1, open overdue at the year's end 0") {
		t.Errorf("summary = %q", summary)
	}
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Årsrapport 2030 – Region Hovedstaden", "Bostedet H-01 (H-01)", "Bostedet H-02 (H-02)", "<svg "} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(string(page), "N-01") {
		t.Error("Hovedstaden's report shows Nordjylland's cycle")
	}
	if en := mustStart(t, env, "report", "annual", "--year", "2030", "--format", "html", "--lang", "en"); !strings.Contains(en, "Annual report 2030 – All of Denmark") {
		t.Error("--lang en does not give the English report")
	}

	if _, err := publication.Browser(); err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("CI=true needs Chromium for the PDF: %v", err)
		}
		t.Skip("no Chromium on this machine, so no PDF (install chromium to run it): " + err.Error())
	}
	pdf := mustStart(t, env, "report", "annual", "--year", "2030", "--region", "hovedstaden", "--format", "pdf")
	if !bytes.HasPrefix([]byte(pdf), []byte("%PDF-")) {
		t.Errorf("PDF starts %q", pdf[:min(len(pdf), 10)])
	}
}
