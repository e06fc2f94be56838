package publication

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	gotime "time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

func date(y, m, d int) domain.Date { return domain.NewDate(y, gotime.Month(m), d) }

// record is a published record of a cycle.
func record(inst string, region domain.Region, cycle, version, verdict int, on domain.Date, groups ...domain.TargetGroup) store.PublishedRecord {
	if len(groups) == 0 {
		groups = []domain.TargetGroup{domain.Autism}
	}
	return store.PublishedRecord{InstitutionID: inst, InstitutionName: "Tilbud " + inst, Region: region,
		TargetGroups: groups, Cycle: cycle, Version: version, Verdict: verdict, PublishedOn: on, Generation: 1}
}

func superseded(r store.PublishedRecord, on domain.Date) store.PublishedRecord {
	r.SupersededOn = on
	return r
}

// selfEval rates every active standard r and gives every indicator value.
func selfEval(inst string, cycle, r int, value string) store.PublishedSelfEvaluation {
	e := store.PublishedSelfEvaluation{InstitutionID: inst, Cycle: cycle, Ratings: map[string]int{}, Indicators: map[string]string{}}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		e.Ratings[st.Code] = r
		for _, ind := range st.ActiveIndicators() {
			e.Indicators[ind.Code] = value
		}
	}
	return e
}

func TestRedactorTakesOutPeople(t *testing.T) {
	r := PeopleRedactor([]store.Person{
		{ID: "P-001", Name: "Simon Bruun", Email: "simon.bruun@regionh.dk", SlackUserID: "U01D0BL37"},
		{ID: "P-002", Name: "Anne Marie Holm", Email: "amh@example.org"},
		{ID: "P-003", Name: "Anne Marie", Email: "am@example.org"},
	})
	for _, c := range []struct{ in, want string }{
		{"Forstander Simon Bruun svarede.", "Forstander [udeladt] svarede."},
		{"SIMON   BRUUN og simon bruun", "[udeladt] og [udeladt]"},
		{"Skriv til simon.bruun@regionh.dk eller x.y@kommune.dk", "Skriv til [udeladt] eller [udeladt]"},
		{"Sagsnr P-001, bruger U01D0BL37", "Sagsnr [udeladt], bruger [udeladt]"},
		{"Anne Marie Holm og Anne Marie mødtes", "[udeladt] og [udeladt] mødtes"},
		{"CPR 010190-1234 og 0101901234", "CPR [udeladt] og [udeladt]"},
		{"Simonsen og Bruunsgade er ikke navnene", "Simonsen og Bruunsgade er ikke navnene"},
		{"Beboerne i Æblehaven bor godt.", "Beboerne i Æblehaven bor godt."},
	} {
		if got := r.Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	rec := store.PublishedRecord{Summary: "Simon Bruun", Suggestions: "P-002", Correction: "amh@example.org",
		Themes:   []store.PublishedTheme{{Standards: []store.PublishedStandard{{Assessment: "Anne Marie Holm"}}}},
		Comments: []store.PublishedComment{{Text: "Simon Bruun skrev"}}}
	orig := rec.Themes[0].Standards[0].Assessment
	got := r.Record(rec)
	if strings.Contains(got.Summary+got.Suggestions+got.Correction+got.Themes[0].Standards[0].Assessment+got.Comments[0].Text, "Simon") ||
		got.Suggestions != Omitted || got.Correction != Omitted {
		t.Errorf("Record = %+v, want every free text redacted", got)
	}
	if rec.Themes[0].Standards[0].Assessment != orig {
		t.Error("Record changed the record it was given")
	}
}

func TestParseValueAndTarget(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind ValueKind
		x    float64
	}{
		{"ja", ValueYes, 0}, {"Ja, siden 2027", ValueYes, 0}, {"nej", ValueNo, 0}, {"No.", ValueNo, 0},
		{"4,2 %", ValueNumber, 4.2}, {"92 %", ValueNumber, 92},
		{"83 % af brugerne svarer 'i høj grad'", ValueNumber, 83}, {"delvist", ValueOther, 0}, {"", ValueOther, 0},
	} {
		kind, x := ParseValue(c.in)
		if kind != c.kind || x != c.x {
			t.Errorf("ParseValue(%q) = %v, %v; want %v, %v", c.in, kind, x, c.kind, c.x)
		}
	}
	for _, c := range []struct {
		in       string
		ok       bool
		x        float64
		meetsAt5 bool
	}{
		{"<= 5 %", true, 5, true}, {">= 90 %", true, 90, false}, {"≥ 4,5", true, 4.5, true}, {"", false, 0, false},
		{"every year", false, 0, false},
	} {
		tg, ok := ParseTarget(c.in)
		if ok != c.ok || tg.Value != c.x || ok && tg.Meets(5) != c.meetsAt5 {
			t.Errorf("ParseTarget(%q) = %+v, %v", c.in, tg, ok)
		}
	}
}

func TestIndicatorResultsAddUp(t *testing.T) {
	gen := domain.FirstGeneration()
	evals := []store.PublishedSelfEvaluation{selfEval("a", 1, 1, "ja"), selfEval("b", 1, 2, "3,5 %"),
		selfEval("c", 1, 3, "7 %"), selfEval("d", 1, 4, "ved ikke"), {InstitutionID: "e", Cycle: 1}}
	results := Indicators(gen, evals)
	if len(results) == 0 {
		t.Fatal("no indicator results")
	}
	for _, r := range results {
		if r.Reported != 4 || r.Yes+r.No+r.Numbers+r.Other != r.Reported || r.Yes != 1 || r.Numbers != 2 || r.Other != 1 {
			t.Errorf("%s: %+v, want 4 reported = 1 yes + 2 numbers + 1 other", r.Code, r)
		}
		if r.Mean != 5.25 || r.Median != 5.25 || r.Min != 3.5 || r.Max != 7 {
			t.Errorf("%s: mean %v median %v min %v max %v, want 5.25, 5.25, 3.5, 7", r.Code, r.Mean, r.Median, r.Min, r.Max)
		}
		if r.Code == "2.1.3" && (!r.HasTarget || r.MeetsTarget != 1) { // <= 5 %
			t.Errorf("2.1.3: %+v, want one of two figures to meet <= 5 %%", r)
		}
	}
}

func TestCompareCountsEachInstitutionOnceFromPublishedCycles(t *testing.T) {
	gen := domain.FirstGeneration()
	records := []store.PublishedRecord{
		// a: cycle 1 superseded by a correction; cycle 2 is its latest result.
		superseded(record("a", domain.Hovedstaden, 1, 1, 3, date(2027, 1, 5)), date(2027, 3, 1)),
		record("a", domain.Hovedstaden, 1, 2, 2, date(2027, 3, 1)),
		record("a", domain.Hovedstaden, 2, 1, 1, date(2030, 1, 5)),
		record("b", domain.Hovedstaden, 1, 1, 2, date(2030, 2, 5)),
		record("c", domain.Nordjylland, 1, 1, 3, date(2030, 2, 5), domain.Autism, domain.MentalIllness),
		record("d", domain.Sjaelland, 1, 1, 1, date(2030, 2, 5), domain.MentalIllness),
	}
	evals := []store.PublishedSelfEvaluation{selfEval("a", 1, 4, "1"), selfEval("a", 2, 1, "ja"),
		selfEval("b", 1, 2, "ja"), selfEval("c", 1, 3, "nej"), selfEval("d", 1, 4, "nej"),
		selfEval("x", 1, 4, "ja")} // x: not published
	c := Compare(records, evals, gen, domain.Autism, "")
	nat := c.Verdicts[0]
	if nat.Region != "" || nat.Total != 3 || nat.Counts[0] != 1 || nat.Counts[1] != 1 || nat.Counts[2] != 1 {
		t.Errorf("national verdicts for autism = %+v, want a (1), b (2), c (3)", nat)
	}
	sum := 0
	for _, v := range c.Verdicts[1:] {
		sum += v.Total
		if n := v.Counts[0] + v.Counts[1] + v.Counts[2]; n != v.Total {
			t.Errorf("%s: counts %v do not add up to %d", v.Region, v.Counts, v.Total)
		}
	}
	if sum != nat.Total || len(c.Verdicts) != 6 {
		t.Errorf("regions add up to %d over %d rows, want %d over 6", sum, len(c.Verdicts), nat.Total)
	}
	if c.Institutions != 3 || c.SelfEvaluated != 3 {
		t.Errorf("institutions %d, self-evaluated %d; want 3 and 3", c.Institutions, c.SelfEvaluated)
	}
	for _, st := range c.Standards {
		// a's cycle 2 (1), b (2), c (3): never a's cycle 1 (4) nor x (4).
		if st.Total != 3 || st.Counts[0] != 1 || st.Counts[1] != 1 || st.Counts[2] != 1 || st.Counts[3] != 0 || st.Mean != 2 {
			t.Errorf("standard %s ratings = %+v, want one each of 1, 2, 3", st.Code, st)
		}
	}
	north := Compare(records, evals, gen, domain.Autism, domain.Nordjylland)
	if north.Institutions != 1 || north.Standards[0].Counts[2] != 1 || north.Indicators[0].No != 1 {
		t.Errorf("Nordjylland comparison = %+v, want c alone", north)
	}
	if len(north.MeanRatings) != len(gen.ActiveStandards()) || north.MeanRatings[0].Means[0] != 2 ||
		north.MeanRatings[0].Means[5] != 3 || north.MeanRatings[0].N[1] != 2 {
		t.Errorf("mean ratings = %+v", north.MeanRatings[0])
	}
	all := Compare(records, evals, gen, "", "")
	if all.Verdicts[0].Total != 4 {
		t.Errorf("all target groups: %d institutions, want 4", all.Verdicts[0].Total)
	}
}

// annualInput is a small country: 2030 completes four cycles (one corrected in 2030, one in
// 2031), 2029 two; a correction in 2030 of a 2029 cycle; steps on time, late and overdue.
func annualInput(region domain.Region) AnnualInput {
	records := []store.PublishedRecord{
		record("h1", domain.Hovedstaden, 1, 1, 1, date(2029, 5, 1)),
		superseded(record("h2", domain.Hovedstaden, 1, 1, 3, date(2029, 6, 1)), date(2030, 2, 1)),
		record("h2", domain.Hovedstaden, 1, 2, 2, date(2030, 2, 1)),
		record("h3", domain.Hovedstaden, 1, 1, 2, date(2030, 3, 1)),
		superseded(record("h4", domain.Hovedstaden, 1, 1, 3, date(2030, 4, 1)), date(2030, 9, 1)),
		record("h4", domain.Hovedstaden, 1, 2, 1, date(2030, 9, 1)),
		superseded(record("n1", domain.Nordjylland, 1, 1, 2, date(2030, 5, 1)), date(2031, 1, 10)),
		record("n1", domain.Nordjylland, 1, 2, 1, date(2031, 1, 10)),
		record("s1", domain.Syddanmark, 2, 1, 1, date(2030, 12, 31)),
		record("s1", domain.Syddanmark, 3, 1, 2, date(2031, 1, 1)),
	}
	evals := []store.PublishedSelfEvaluation{selfEval("h1", 1, 1, "90 %"), selfEval("h3", 1, 2, "80 %"),
		selfEval("h4", 1, 1, "ja"), selfEval("n1", 1, 3, "4 %"), selfEval("s1", 2, 2, "nej")}
	step := func(region domain.Region, kind string, opened, due, closed domain.Date, status string) store.StepTime {
		return store.StepTime{InstitutionID: "i", Cycle: 1, Step: kind, Region: region, Opened: opened, Due: due,
			Closed: closed, Status: status, Today: date(2031, 6, 1)}
	}
	none := domain.Date{}
	steps := []store.StepTime{
		step(domain.Hovedstaden, "self-evaluation", date(2030, 1, 1), date(2030, 2, 26), date(2030, 2, 20), "done"),
		step(domain.Hovedstaden, "self-evaluation", date(2030, 1, 1), date(2030, 2, 26), date(2030, 3, 8), "done"),  // 10 late
		step(domain.Hovedstaden, "report", date(2030, 4, 1), date(2030, 4, 29), date(2030, 5, 29), "waived"),        // 30 late
		step(domain.Nordjylland, "invitation/lead/1", date(2030, 6, 1), date(2030, 6, 6), date(2030, 6, 8), "done"), // 2 late
		step(domain.Nordjylland, "hearing", date(2030, 6, 1), date(2030, 6, 15), date(2030, 6, 15), "closed"),       // a window
		step(domain.Hovedstaden, "action-plan", date(2030, 10, 1), date(2030, 12, 1), none, "open"),                 // 30 open
		step(domain.Nordjylland, "report", date(2030, 11, 1), date(2030, 12, 21), date(2031, 1, 5), "done"),         // 10 open at year end
		step(domain.Hovedstaden, "report", date(2030, 12, 1), date(2031, 1, 15), none, "open"),                      // not yet due
		step(domain.Hovedstaden, "self-evaluation", date(2030, 1, 1), date(2030, 2, 26), date(2030, 3, 1), "withdrawn"),
		step(domain.Hovedstaden, "report", date(2029, 3, 1), date(2029, 4, 1), date(2029, 4, 5), "done"), // 2029: 4 late
	}
	return AnnualInput{Year: 2030, Region: region, Records: records, Evals: evals, Steps: steps, Generation: domain.FirstGeneration()}
}

func TestAnnualReportFigures(t *testing.T) {
	r := BuildAnnual(annualInput(""))
	var ids []string
	for _, c := range r.Cycles {
		ids = append(ids, c.InstitutionID+"/"+strconv.Itoa(c.Verdict)+"/v"+strconv.Itoa(c.Version))
	}
	// Verdicts as of 31 December 2030: h4 corrected in 2030, n1 only in 2031.
	if got, want := strings.Join(ids, " "), "h3/2/v1 h4/1/v2 n1/2/v1 s1/1/v1"; got != want {
		t.Errorf("cycles completed in 2030 = %s, want %s", got, want)
	}
	if r.Verdicts.Counts[0] != 2 || r.Verdicts.Counts[1] != 2 || r.Verdicts.Counts[2] != 0 {
		t.Errorf("verdicts = %v, want 2, 2, 0", r.Verdicts.Counts)
	}
	if len(r.Corrections) != 2 || r.Corrections[0].InstitutionID != "h2" || r.Corrections[0].FromVerdict != 3 ||
		r.Corrections[0].Verdict != 2 || r.Corrections[1].InstitutionID != "h4" {
		t.Errorf("corrections = %+v, want h2 (3 -> 2) and h4 in 2030", r.Corrections)
	}
	if r.Previous.CyclesCompleted != 2 || r.Previous.Verdicts.Counts[2] != 1 {
		t.Errorf("2029 = %+v, want h1 (1) and h2 (3, as published by the end of 2029)", r.Previous)
	}
	s := r.Steps
	if s.Closed != 4 || s.OnTime != 1 || s.Late != 3 || s.Days.MedianLate != 10 || s.Days.MaxLate != 30 {
		t.Errorf("closed steps = %+v, want 4 closed, 1 on time, 3 late (2, 10, 30 days)", s)
	}
	if s.OpenOverdue != 2 || s.Days.MedianOpen != 20 || s.Days.MaxOpen != 30 {
		t.Errorf("open overdue at year end = %d (median %v, max %d), want 2 (10 and 30 days)", s.OpenOverdue, s.Days.MedianOpen, s.Days.MaxOpen)
	}
	if r.Previous.Steps.Late != 1 || r.Previous.Steps.Days.MaxLate != 4 {
		t.Errorf("2029 steps = %+v, want one 4 days late", r.Previous.Steps)
	}
	if r.SelfEvaluated != 4 || r.Previous.SelfEvaluated != 1 {
		t.Errorf("self-evaluated %d (2029: %d), want h3, h4, n1, s1 (h1)", r.SelfEvaluated, r.Previous.SelfEvaluated)
	}
	north := BuildAnnual(annualInput(domain.Nordjylland))
	if north.CyclesCompleted != 1 || north.Regions != nil || north.Steps.Closed != 1 || north.Steps.OpenOverdue != 1 {
		t.Errorf("Nordjylland = %d cycles, %d closed steps, %d open overdue; want 1, 1, 1", north.CyclesCompleted,
			north.Steps.Closed, north.Steps.OpenOverdue)
	}
	// In the running year, "open overdue" is counted at today on the step's calendar.
	running := annualInput("")
	for i := range running.Steps {
		running.Steps[i].Today = date(2030, 12, 10)
	}
	if got := BuildAnnual(running).Steps; got.OpenOverdue != 1 || got.Days.MaxOpen != 9 {
		t.Errorf("on 10 December: %d open overdue (max %d days), want the action plan, 9 days", got.OpenOverdue, got.Days.MaxOpen)
	}
}

// checkTotals checks that every total of the report equals the count of the rows beneath it.
func checkTotals(t *testing.T, r AnnualReport) {
	t.Helper()
	if r.CyclesCompleted != len(r.Cycles) || r.Verdicts.Total != len(r.Cycles) {
		t.Errorf("cycles completed %d, verdict total %d, rows %d", r.CyclesCompleted, r.Verdicts.Total, len(r.Cycles))
	}
	for v := 1; v <= 3; v++ {
		n := 0
		for _, c := range r.Cycles {
			if c.Verdict == v {
				n++
			}
		}
		if r.Verdicts.Counts[v-1] != n {
			t.Errorf("verdict %d: total %d, rows %d", v, r.Verdicts.Counts[v-1], n)
		}
	}
	if r.Region == "" {
		sum := 0
		for _, reg := range r.Regions {
			n := 0
			for _, c := range r.Cycles {
				if c.Region == reg.Region {
					n++
				}
			}
			if reg.Verdicts.Total != n {
				t.Errorf("%s: total %d, rows %d", reg.Region, reg.Verdicts.Total, n)
			}
			sum += reg.Verdicts.Total
		}
		if sum != r.CyclesCompleted {
			t.Errorf("regions add up to %d, want %d", sum, r.CyclesCompleted)
		}
	}
	var closed, onTime, late, open int
	for _, k := range r.Steps.Kinds {
		closed, onTime, late, open = closed+k.Closed, onTime+k.OnTime, late+k.Late, open+k.OpenOverdue
		if k.OnTime+k.Late != k.Closed {
			t.Errorf("%s: %d on time + %d late != %d closed", k.Kind, k.OnTime, k.Late, k.Closed)
		}
	}
	if s := r.Steps; s.Closed != closed || s.OnTime != onTime || s.Late != late || s.OpenOverdue != open {
		t.Errorf("step totals %+v, rows add up to closed %d, on time %d, late %d, open %d", s, closed, onTime, late, open)
	}
	for _, ind := range r.Indicators {
		if ind.Yes+ind.No+ind.Numbers+ind.Other != ind.Reported || ind.Reported > r.SelfEvaluated {
			t.Errorf("indicator %s: %+v does not add up (of %d self-evaluations)", ind.Code, ind, r.SelfEvaluated)
		}
	}
}

// csvTotals checks the same in the CSV: each total row equals the count (or sum) of the rows
// of its section.
func csvTotals(t *testing.T, r AnnualReport) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.CSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	value := func(row []string) int {
		n, err := strconv.Atoi(row[col["value"]])
		if err != nil {
			t.Fatalf("row %v: value is not a count", row)
		}
		return n
	}
	cycles, verdictRows := 0, map[string]int{}
	regionSum, regionTotals := map[string]int{}, map[string]int{}
	stepSum, stepTotal := map[string]int{}, map[string]int{}
	cycleTotal, verdictTotal := -1, -1
	for _, row := range rows[1:] {
		section, item, measure := row[col["section"]], row[col["item"]], row[col["measure"]]
		switch {
		case section == "cycle":
			cycles++
			verdictRows[row[col["value"]]]++
		case section == "cycles":
			cycleTotal = value(row)
		case section == "verdicts" && item == "total":
			verdictTotal = value(row)
		case section == "verdicts":
			if value(row) != verdictRows[item] {
				t.Errorf("CSV verdict %s: %d, but %d cycle rows", item, value(row), verdictRows[item])
			}
		case section == "region" && item == "total":
			regionTotals[row[col["region"]]] = value(row)
		case section == "region":
			regionSum[row[col["region"]]] += value(row)
		case section == "steps" && (measure == "closed" || measure == "on_time" || measure == "late" || measure == "open_overdue"):
			stepSum[measure] += value(row)
		case section == "steps-total" && (measure == "closed" || measure == "on_time" || measure == "late" || measure == "open_overdue"):
			stepTotal[measure] = value(row)
		}
	}
	if cycleTotal != cycles || verdictTotal != cycles {
		t.Errorf("CSV totals: cycles %d, verdicts %d; %d cycle rows", cycleTotal, verdictTotal, cycles)
	}
	for region, total := range regionTotals {
		if regionSum[region] != total {
			t.Errorf("CSV region %s: total %d, rows add up to %d", region, total, regionSum[region])
		}
	}
	for _, m := range []string{"closed", "on_time", "late", "open_overdue"} {
		if stepSum[m] != stepTotal[m] {
			t.Errorf("CSV steps %s: total %d, rows add up to %d", m, stepTotal[m], stepSum[m])
		}
	}
}

// htmlTotals checks the HTML's tables: the footer total of the cycles table equals its rows.
func htmlTotals(t *testing.T, r AnnualReport, page []byte) {
	t.Helper()
	tables := regexp.MustCompile(`(?s)<table>\s*<caption>([^<]*)</caption>(.*?)</table>`).FindAllSubmatch(page, -1)
	found := 0
	for _, tb := range tables {
		caption := string(tb[1])
		body := regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindSubmatch(tb[2])
		foot := regexp.MustCompile(`(?s)<tfoot><tr><th scope="row">[^<]*</th><td[^>]*>([0-9]+)</td>`).FindSubmatch(tb[2])
		if body == nil || foot == nil {
			continue
		}
		rows := strings.Count(string(body[1]), `<tr><th scope="row">`)
		total, _ := strconv.Atoi(string(foot[1]))
		switch {
		case strings.Contains(caption, "Cyklusser gennemført"), strings.Contains(caption, "Rettelser"):
			found++
			if total != rows {
				t.Errorf("table %q: total %d, %d rows", caption, total, rows)
			}
		case strings.Contains(caption, "Trin efter art"):
			found++
			sum := 0
			for _, m := range regexp.MustCompile(`<tr><th scope="row">[^<]*</th><td class="n">([0-9]+)</td>`).FindAllSubmatch(body[1], -1) {
				n, _ := strconv.Atoi(string(m[1]))
				sum += n
			}
			if sum != total {
				t.Errorf("table %q: total %d completed, rows add up to %d", caption, total, sum)
			}
		}
	}
	if found != 3 {
		t.Errorf("found %d of the 3 tables with totals in the HTML", found)
	}
}

func TestEveryTotalOfTheAnnualReportIsTheCountOfItsRows(t *testing.T) {
	for _, region := range []domain.Region{"", domain.Hovedstaden, domain.Nordjylland, domain.Midtjylland} {
		name := string(region)
		if name == "" {
			name = "national"
		}
		t.Run(name, func(t *testing.T) {
			r := BuildAnnual(annualInput(region))
			checkTotals(t, r)
			csvTotals(t, r)
			page, err := r.HTML(Danish)
			if err != nil {
				t.Fatal(err)
			}
			htmlTotals(t, r, page)
		})
	}
}

func TestAnnualReportHTML(t *testing.T) {
	r := BuildAnnual(annualInput(""))
	for _, l := range []Lang{Danish, English} {
		page, err := r.HTML(l)
		if err != nil {
			t.Fatal(err)
		}
		s := string(page)
		for _, want := range []string{`<html lang="` + string(l) + `">`, r.Title(l), "<main>", `<th scope="col">`,
			`id="chart-verdicts"`, `id="chart-regions"`, `id="chart-steps"`, "Tilbud h3 (h3)", l.StepKind("self-evaluation")} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the report does not contain %q", l, want)
			}
		}
		checkSVG(t, page)
	}
	north, err := BuildAnnual(annualInput(domain.Nordjylland)).HTML(English)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(north), `id="chart-regions"`) || !strings.Contains(string(north), "Annual report 2030 – North Denmark Region") {
		t.Error("a region's report has no chart per region, and is titled by the region")
	}
}

// checkSVG checks that every SVG of the page is well-formed XML with a title and role img.
func checkSVG(t *testing.T, page []byte) {
	t.Helper()
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAll(page, -1)
	if len(svgs) == 0 {
		t.Fatal("no SVG")
	}
	for _, svg := range svgs {
		var doc struct {
			XMLName xml.Name `xml:"svg"`
			Role    string   `xml:"role,attr"`
			Title   string   `xml:"title"`
			Rects   []struct {
				Fill string `xml:"fill,attr"`
			} `xml:"g>rect"`
		}
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Errorf("SVG is not well-formed: %v\n%s", err, svg)
			continue
		}
		if doc.Role != "img" || doc.Title == "" {
			t.Errorf("SVG role %q, title %q: want img and a title", doc.Role, doc.Title)
		}
	}
}

func TestChartDrawsSharesAndTablesTheFigures(t *testing.T) {
	c := Chart{ID: "c", Title: "Konklusioner & <fordeling>", Category: "Region", Series: VerdictSeries(Danish), Lang: Danish,
		Bars: []Bar{{Label: "Region Hovedstaden", Values: []int{2, 1, 1}}, {Label: "Region Sjælland", Values: []int{0, 0, 0}}}}
	html := string(c.HTML())
	for _, want := range []string{`Konklusioner &amp; &lt;fordeling&gt;`, `<th scope="row">Region Hovedstaden</th><td>2 (50 %)</td><td>1 (25 %)</td><td>1 (25 %)</td><td>4</td>`,
		`width="220.00"`, `width="110.00"`, `ingen data`, `<caption>`, `aria-labelledby="c-title c-desc"`} {
		if !strings.Contains(html, want) {
			t.Errorf("chart does not contain %q:\n%s", want, html)
		}
	}
	checkSVG(t, []byte(html))
}

func TestPDFIsPrintedByChromium(t *testing.T) {
	browser := browserOrSkip(t)
	page, err := BuildAnnual(annualInput("")).HTML(Danish)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := PDF(t.Context(), page, browser)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 5000 {
		t.Errorf("PDF of %d bytes starting %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
}

// browserOrSkip finds Chromium, or skips the test (fails it in CI, where it must be there).
func browserOrSkip(t *testing.T) string {
	t.Helper()
	p, err := Browser()
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("CI=true needs Chromium: %v", err)
		}
		t.Skip("no Chromium on this machine (install chromium to run it): " + err.Error())
	}
	return p
}
