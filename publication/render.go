package publication

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"github.com/kvalitetsmodel/accredit/domain"
)

//go:embed templates/*.html
var templates embed.FS

// funcs are the template functions of the report in a language.
func funcs(l Lang) template.FuncMap {
	return template.FuncMap{
		"t":            l.Pick,
		"region":       l.Region,
		"municipality": l.Municipality,
		"verdict":      l.Verdict,
		"date":         l.Date,
		"number":       l.Number,
		"stepkind":     l.StepKind,
	}
}

type trendView struct {
	Label, This, Previous, Change string
}

type indicatorView struct {
	Code, Text, Target                string
	Reported, Yes, No, Numbers, Other int
	Mean, Median, Meets, Previous     string
}

type annualView struct {
	R                                    AnnualReport
	Lang                                 Lang
	Title, Lead, Footer, Notice          string
	Trend                                []trendView
	Indicators                           []indicatorView
	VerdictChart, RegionChart, StepChart template.HTML
}

// Title is the report's title, e.g. "Årsrapport 2030 – Region Hovedstaden".
func (r AnnualReport) Title(l Lang) string {
	return fmt.Sprintf("%s %d – %s", l.Pick("Årsrapport", "Annual report"), r.Year, l.Scope(r.Region))
}

// trendLabel names a trend measure.
func trendLabel(l Lang, measure string) string {
	switch measure {
	case TrendCycles:
		return l.Pick("Gennemførte cyklusser", "Cycles completed")
	case TrendVerdict1:
		return l.Pick("Andel med konklusion 1 (opfyldt)", "Share with verdict 1 (meets)")
	case TrendVerdict2:
		return l.Pick("Andel med konklusion 2 (enkelte områder)", "Share with verdict 2 (some areas)")
	case TrendVerdict3:
		return l.Pick("Andel med konklusion 3 (væsentlige områder)", "Share with verdict 3 (important areas)")
	case TrendLateShare:
		return l.Pick("Andel af afsluttede trin, der var for sene", "Share of completed steps that were late")
	case TrendMedianLate:
		return l.Pick("Median dage for sent", "Median days late")
	case TrendOpenOverdue:
		return l.Pick("Trin åbne over fristen ved årets udgang", "Steps open overdue at year end")
	}
	return measure
}

func isShare(measure string) bool {
	return measure == TrendVerdict1 || measure == TrendVerdict2 || measure == TrendVerdict3 || measure == TrendLateShare
}

func (l Lang) signed(x float64) string {
	s := l.Number(x)
	if math.Round(x*10) > 0 {
		s = "+" + s
	}
	return s
}

func trendViews(l Lang, rows []TrendRow) []trendView {
	var out []trendView
	for _, t := range rows {
		v := trendView{Label: trendLabel(l, t.Measure), This: l.Number(t.This), Previous: l.Number(t.Previous),
			Change: l.signed(t.This - t.Previous)}
		if isShare(t.Measure) {
			pct := l.Pick(" %", "%")
			v.This, v.Previous = v.This+pct, v.Previous+pct
			v.Change += l.Pick(" procentpoint", " percentage points")
		}
		out = append(out, v)
	}
	return out
}

// indicatorHeadline is an indicator's result in one figure: the mean of the numbers, or the
// share of yes; "–" when there is neither.
func indicatorHeadline(l Lang, r IndicatorResult) string {
	switch {
	case r.Numbers > 0:
		return l.Number(r.Mean)
	case r.Yes+r.No > 0:
		return l.Percent(r.Yes, r.Yes+r.No) + " " + l.Pick("ja", "yes")
	}
	return "–"
}

func indicatorViews(l Lang, r AnnualReport) []indicatorView {
	prev := map[string]IndicatorResult{}
	for _, p := range r.Previous.Indicators {
		prev[p.Code] = p
	}
	var out []indicatorView
	for _, ind := range r.Indicators {
		v := indicatorView{Code: ind.Code, Text: l.Text(ind.Text), Target: ind.Target, Reported: ind.Reported,
			Yes: ind.Yes, No: ind.No, Numbers: ind.Numbers, Other: ind.Other, Mean: "–", Median: "–", Meets: "–",
			Previous: "–"}
		if ind.Numbers > 0 {
			v.Mean, v.Median = l.Number(ind.Mean), l.Number(ind.Median)
			if ind.HasTarget {
				v.Meets = fmt.Sprintf("%d %s %d", ind.MeetsTarget, l.Pick("af", "of"), ind.Numbers)
			}
		}
		if p, ok := prev[ind.Code]; ok {
			v.Previous = indicatorHeadline(l, p)
		}
		out = append(out, v)
	}
	return out
}

// Charts are the report's charts: the verdicts of the year and the year before, the
// verdicts per region (national report only, else nil), and the steps on time and late.
func (r AnnualReport) Charts(l Lang) (verdicts, regions, steps Chart) {
	verdicts = Chart{ID: "chart-verdicts", Lang: l, Category: l.Pick("År", "Year"), Series: VerdictSeries(l),
		Title: fmt.Sprintf("%s %d %s %d", l.Pick("Konklusioner", "Verdicts"), r.Previous.Year, l.Pick("og", "and"), r.Year),
		Bars: []Bar{{Label: strconv.Itoa(r.Previous.Year), Values: r.Previous.Verdicts.Counts},
			{Label: strconv.Itoa(r.Year), Values: r.Verdicts.Counts}}}
	if r.Region == "" {
		regions = Chart{ID: "chart-regions", Lang: l, Category: l.Pick("Region", "Region"), Series: VerdictSeries(l),
			Title: fmt.Sprintf("%s %d", l.Pick("Konklusioner per region", "Verdicts by region"), r.Year)}
		for _, reg := range r.Regions {
			regions.Bars = append(regions.Bars, Bar{Label: l.Region(reg.Region), Values: reg.Verdicts.Counts})
		}
	}
	steps = Chart{ID: "chart-steps", Lang: l, Category: l.Pick("Trin", "Step"),
		Title:  fmt.Sprintf("%s %d", l.Pick("Afsluttede trin til tiden og for sent", "Completed steps on time and late"), r.Year),
		Series: []Series{{Label: l.Pick("Til tiden", "On time"), Color: "#1b7837"}, {Label: l.Pick("For sent", "Late"), Color: "#b2182b"}}}
	for _, k := range r.Steps.Kinds {
		steps.Bars = append(steps.Bars, Bar{Label: l.StepKind(k.Kind), Values: []int{k.OnTime, k.Late}})
	}
	return verdicts, regions, steps
}

// HTML renders the report as a standalone HTML document (styles inline, charts as SVG),
// which is also what PDF prints.
func (r AnnualReport) HTML(l Lang) ([]byte, error) {
	tmpl, err := template.New("annual.html").Funcs(funcs(l)).ParseFS(templates, "templates/annual.html")
	if err != nil {
		return nil, err
	}
	v := annualView{R: r, Lang: l, Title: r.Title(l), Trend: trendViews(l, r.Trend), Indicators: indicatorViews(l, r),
		Notice: l.Text(r.Notice)}
	v.Lead = l.Pick("Kvalitetsmodellen for sociale tilbud: akkrediteringscyklussen i året, fra de offentliggjorte resultater.",
		"The quality model for social-care institutions: the accreditation cycle in the year, from the published results.")
	v.Footer = fmt.Sprintf(l.Pick("Udarbejdet af akkrediteringstjenesten. Standarder og indikatorer: katalog, generation %d. Ingen personoplysninger indgår.",
		"Produced by the accreditation service. Standards and indicators: catalogue generation %d. No personal data is included."), r.Generation)
	verdicts, regions, steps := r.Charts(l)
	v.VerdictChart, v.StepChart = verdicts.HTML(), steps.HTML()
	if r.Region == "" {
		v.RegionChart = regions.HTML()
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CSVHeader is the header of the report's CSV: one row per figure, in long form, so that a
// spreadsheet can pivot it and a script can check it.
var CSVHeader = []string{"year", "scope", "section", "region", "institution_id", "institution", "cycle", "date",
	"item", "measure", "value", "previous_year"}

// CSV writes the report as CSV (CSVHeader, then the rows). Sections: summary (the trend),
// cycle (one row per cycle completed) and cycles (their total), verdicts (per verdict and
// total), region (national report), correction, steps (per kind and measure) and
// steps-total, indicator.
func (r AnnualReport) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	scope := string(r.Region)
	if scope == "" {
		scope = "national"
	}
	year := strconv.Itoa(r.Year)
	row := func(section string, region domain.Region, inst, name string, cycle int, date domain.Date, item, measure, value, previous string) {
		c := ""
		if cycle > 0 {
			c = strconv.Itoa(cycle)
		}
		d := ""
		if !date.IsZero() {
			d = date.String()
		}
		_ = cw.Write([]string{year, scope, section, string(region), inst, name, c, d, item, measure, value, previous})
	}
	num := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
	itoa := strconv.Itoa
	_ = cw.Write(CSVHeader)
	for _, t := range r.Trend {
		row("summary", "", "", "", 0, domain.Date{}, t.Measure, "value", num(t.This), num(t.Previous))
	}
	for _, c := range r.Cycles {
		row("cycle", c.Region, c.InstitutionID, c.InstitutionName, c.Cycle, c.PublishedOn, "verdict", "verdict", itoa(c.Verdict), "")
	}
	row("cycles", "", "", "", 0, domain.Date{}, "total", "count", itoa(r.CyclesCompleted), itoa(r.Previous.CyclesCompleted))
	for v := 1; v <= 3; v++ {
		row("verdicts", "", "", "", 0, domain.Date{}, itoa(v), "count", itoa(r.Verdicts.Counts[v-1]), itoa(r.Previous.Verdicts.Counts[v-1]))
	}
	row("verdicts", "", "", "", 0, domain.Date{}, "total", "count", itoa(r.Verdicts.Total), itoa(r.Previous.Verdicts.Total))
	for _, reg := range r.Regions {
		for v := 1; v <= 3; v++ {
			row("region", reg.Region, "", "", 0, domain.Date{}, itoa(v), "count", itoa(reg.Verdicts.Counts[v-1]), "")
		}
		row("region", reg.Region, "", "", 0, domain.Date{}, "total", "count", itoa(reg.Verdicts.Total), "")
	}
	for _, c := range r.Corrections {
		row("correction", "", c.InstitutionID, c.InstitutionName, c.Cycle, c.PublishedOn, "version "+itoa(c.Version),
			"verdict", itoa(c.Verdict), itoa(c.FromVerdict))
	}
	stepRows := func(section, item string, closed, onTime, late, open int, d LateDays) {
		for _, m := range []struct{ measure, value string }{
			{"closed", itoa(closed)}, {"on_time", itoa(onTime)}, {"late", itoa(late)},
			{"median_days_late", num(d.MedianLate)}, {"max_days_late", itoa(d.MaxLate)},
			{"open_overdue", itoa(open)}, {"median_days_open_overdue", num(d.MedianOpen)},
			{"max_days_open_overdue", itoa(d.MaxOpen)},
		} {
			row(section, "", "", "", 0, domain.Date{}, item, m.measure, m.value, "")
		}
	}
	for _, k := range r.Steps.Kinds {
		stepRows("steps", k.Kind, k.Closed, k.OnTime, k.Late, k.OpenOverdue, k.Days)
	}
	s := r.Steps
	stepRows("steps-total", "total", s.Closed, s.OnTime, s.Late, s.OpenOverdue, s.Days)
	prev := map[string]IndicatorResult{}
	for _, p := range r.Previous.Indicators {
		prev[p.Code] = p
	}
	for _, ind := range r.Indicators {
		p := prev[ind.Code]
		for _, m := range []struct{ measure, value, previous string }{
			{"reported", itoa(ind.Reported), itoa(p.Reported)}, {"yes", itoa(ind.Yes), itoa(p.Yes)},
			{"no", itoa(ind.No), itoa(p.No)}, {"numbers", itoa(ind.Numbers), itoa(p.Numbers)},
			{"other", itoa(ind.Other), itoa(p.Other)}, {"mean", num(ind.Mean), num(p.Mean)},
			{"median", num(ind.Median), num(p.Median)}, {"meets_target", itoa(ind.MeetsTarget), itoa(p.MeetsTarget)},
		} {
			row("indicator", "", "", "", 0, domain.Date{}, ind.Code, m.measure, m.value, m.previous)
		}
	}
	cw.Flush()
	return cw.Error()
}
