package publication

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// AnnualReport is the year's account of the accreditation cycle, for one region or the whole
// country: the cycles completed (published for the first time in the year) with their
// verdicts as published by 31 December, the corrections published in the year, how late the
// steps that wait for people were, the indicator results of the completed cycles'
// self-evaluations, and the same figures for the year before. Every total is the sum of the
// rows it sums: CyclesCompleted = len(Cycles) = Verdicts.Total = the sum over Regions, and
// the step totals are the sums over Steps.Kinds.
type AnnualReport struct {
	Year   int           `json:"year"`
	Region domain.Region `json:"region,omitempty"`
	// Generation labels the standards and indicators.
	Generation      int              `json:"generation"`
	CyclesCompleted int              `json:"cycles_completed"`
	Cycles          []CompletedCycle `json:"cycles"`
	Verdicts        VerdictCounts    `json:"verdicts"`
	// Regions breaks the national report down by region (nil in a region's report).
	Regions     []RegionSummary `json:"regions,omitempty"`
	Corrections []Correction    `json:"corrections"`
	Steps       StepSummary     `json:"steps"`
	// SelfEvaluated counts the completed cycles whose self-evaluation the indicator results
	// are from.
	SelfEvaluated int               `json:"self_evaluated"`
	Indicators    []IndicatorResult `json:"indicators"`
	Previous      AnnualFigures     `json:"previous"`
	Trend         []TrendRow        `json:"trend"`
	// Notice is the catalogue's notice when it is an example, shown with the report.
	Notice domain.Text `json:"catalogue_notice,omitzero"`
}

// CompletedCycle is one cycle completed in the year, with its verdict as published by the
// year's end.
type CompletedCycle struct {
	InstitutionID   string        `json:"institution_id"`
	InstitutionName string        `json:"institution_name"`
	Region          domain.Region `json:"region"`
	Municipality    string        `json:"municipality,omitempty"`
	Cycle           int           `json:"cycle"`
	PublishedOn     domain.Date   `json:"published_on"`
	Verdict         int           `json:"verdict"`
	Version         int           `json:"version"`
}

// RegionSummary is one region's line of the national report.
type RegionSummary struct {
	Region   domain.Region `json:"region"`
	Verdicts VerdictCounts `json:"verdicts"`
}

// Correction is a new version of a cycle's record published in the year.
type Correction struct {
	InstitutionID   string      `json:"institution_id"`
	InstitutionName string      `json:"institution_name"`
	Cycle           int         `json:"cycle"`
	Version         int         `json:"version"`
	PublishedOn     domain.Date `json:"published_on"`
	FromVerdict     int         `json:"from_verdict"`
	Verdict         int         `json:"verdict"`
}

// StepSummary says how late the steps that wait for people were: those completed (done or
// waived) in the year, on time or late and by how many days, and those still open past
// their due date at the year's end (today, in the running year). Closed = OnTime + Late,
// and each total is the sum over Kinds.
type StepSummary struct {
	Kinds       []StepKindSummary `json:"kinds"`
	Closed      int               `json:"closed"`
	OnTime      int               `json:"on_time"`
	Late        int               `json:"late"`
	OpenOverdue int               `json:"open_overdue"`
	Days        LateDays          `json:"days"`
}

// StepKindSummary is StepSummary for one kind of step (the first part of its key).
type StepKindSummary struct {
	Kind        string   `json:"kind"`
	Closed      int      `json:"closed"`
	OnTime      int      `json:"on_time"`
	Late        int      `json:"late"`
	OpenOverdue int      `json:"open_overdue"`
	Days        LateDays `json:"days"`
}

// LateDays is how late: the median and maximum days past the due date of the steps closed
// late, and of the steps open overdue at the year's end.
type LateDays struct {
	MedianLate float64 `json:"median_late"`
	MaxLate    int     `json:"max_late"`
	MedianOpen float64 `json:"median_open"`
	MaxOpen    int     `json:"max_open"`
}

// AnnualFigures are the year before's headline figures and indicator results, for the trend.
type AnnualFigures struct {
	Year            int               `json:"year"`
	CyclesCompleted int               `json:"cycles_completed"`
	Verdicts        VerdictCounts     `json:"verdicts"`
	Steps           StepSummary       `json:"steps"`
	SelfEvaluated   int               `json:"self_evaluated"`
	Indicators      []IndicatorResult `json:"indicators"`
}

// TrendRow compares one measure with the year before.
type TrendRow struct {
	// Measure is one of the Trend* keys.
	Measure  string  `json:"measure"`
	This     float64 `json:"this_year"`
	Previous float64 `json:"previous_year"`
}

// The measures of the trend.
const (
	TrendCycles      = "cycles-completed"
	TrendVerdict1    = "verdict-1-share"
	TrendVerdict2    = "verdict-2-share"
	TrendVerdict3    = "verdict-3-share"
	TrendLateShare   = "steps-late-share"
	TrendMedianLate  = "median-days-late"
	TrendOpenOverdue = "open-overdue"
)

// AnnualInput is what an annual report is built from.
type AnnualInput struct {
	Year   int
	Region domain.Region
	// Records are every version of every published record (store.PublishedRecords with
	// WithSuperseded), at least up to the year's end.
	Records []store.PublishedRecord
	// Evals are the self-evaluations of published cycles (store.PublishedSelfEvaluations).
	Evals []store.PublishedSelfEvaluation
	// Steps are the steps open at some time in the year and the year before.
	Steps      []store.StepTime
	Generation domain.Generation
}

// BuildAnnual builds the annual report of in.Year for in.Region ("" for the whole country).
func BuildAnnual(in AnnualInput) AnnualReport {
	this := yearFigures(in, in.Year)
	prev := yearFigures(in, in.Year-1)
	r := AnnualReport{Year: in.Year, Region: in.Region, Generation: in.Generation.Number,
		CyclesCompleted: len(this.cycles), Cycles: this.cycles, Verdicts: this.figures.Verdicts,
		Corrections: this.corrections, Steps: this.figures.Steps, SelfEvaluated: this.figures.SelfEvaluated,
		Indicators: this.figures.Indicators, Previous: prev.figures}
	if in.Generation.Example {
		r.Notice = in.Generation.Notice
	}
	if in.Region == "" {
		for _, region := range domain.Regions() {
			var rows []CompletedCycle
			for _, c := range this.cycles {
				if c.Region == region {
					rows = append(rows, c)
				}
			}
			r.Regions = append(r.Regions, RegionSummary{Region: region, Verdicts: verdictsOf(rows)})
		}
	}
	share := func(f AnnualFigures, v int) float64 { return percent(f.Verdicts.Counts[v-1], f.Verdicts.Total) }
	t, p := this.figures, prev.figures
	r.Trend = []TrendRow{
		{TrendCycles, float64(t.CyclesCompleted), float64(p.CyclesCompleted)},
		{TrendVerdict1, share(t, 1), share(p, 1)},
		{TrendVerdict2, share(t, 2), share(p, 2)},
		{TrendVerdict3, share(t, 3), share(p, 3)},
		{TrendLateShare, percent(t.Steps.Late, t.Steps.Closed), percent(p.Steps.Late, p.Steps.Closed)},
		{TrendMedianLate, t.Steps.Days.MedianLate, p.Steps.Days.MedianLate},
		{TrendOpenOverdue, float64(t.Steps.OpenOverdue), float64(p.Steps.OpenOverdue)},
	}
	return r
}

func percent(part, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(part) / float64(total)
}

type yearResult struct {
	figures     AnnualFigures
	cycles      []CompletedCycle
	corrections []Correction
}

// yearFigures computes one year's figures.
func yearFigures(in AnnualInput, year int) yearResult {
	first, end := domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31)
	res := yearResult{figures: AnnualFigures{Year: year}, cycles: []CompletedCycle{}, corrections: []Correction{}}
	versions := map[cycleID][]store.PublishedRecord{}
	for _, rec := range in.Records {
		id := cycleID{rec.InstitutionID, rec.Cycle}
		versions[id] = append(versions[id], rec)
	}
	completed := map[cycleID]bool{}
	for id, vs := range versions {
		slices.SortFunc(vs, func(a, b store.PublishedRecord) int { return cmp.Compare(a.Version, b.Version) })
		var asOf *store.PublishedRecord
		for i := range vs {
			if !vs[i].PublishedOn.After(end) {
				asOf = &vs[i]
			}
		}
		if asOf == nil || in.Region != "" && asOf.Region != in.Region {
			continue
		}
		if vs[0].PublishedOn.Year == year {
			completed[id] = true
			res.cycles = append(res.cycles, CompletedCycle{InstitutionID: id.institution, InstitutionName: asOf.InstitutionName,
				Region: asOf.Region, Municipality: asOf.Municipality, Cycle: id.cycle, PublishedOn: vs[0].PublishedOn,
				Verdict: asOf.Verdict, Version: asOf.Version})
		}
		for i := 1; i < len(vs); i++ {
			if vs[i].PublishedOn.Year == year {
				res.corrections = append(res.corrections, Correction{InstitutionID: id.institution,
					InstitutionName: vs[i].InstitutionName, Cycle: id.cycle, Version: vs[i].Version,
					PublishedOn: vs[i].PublishedOn, FromVerdict: vs[i-1].Verdict, Verdict: vs[i].Verdict})
			}
		}
	}
	slices.SortFunc(res.cycles, func(a, b CompletedCycle) int {
		return cmp.Or(cmp.Compare(a.Region.Name(), b.Region.Name()), cmp.Compare(a.InstitutionName, b.InstitutionName),
			cmp.Compare(a.InstitutionID, b.InstitutionID), cmp.Compare(a.Cycle, b.Cycle))
	})
	slices.SortFunc(res.corrections, func(a, b Correction) int {
		return cmp.Or(a.PublishedOn.Compare(b.PublishedOn), cmp.Compare(a.InstitutionID, b.InstitutionID),
			cmp.Compare(a.Cycle, b.Cycle), cmp.Compare(a.Version, b.Version))
	})
	res.figures.CyclesCompleted = len(res.cycles)
	res.figures.Verdicts = verdictsOf(res.cycles)
	var evals []store.PublishedSelfEvaluation
	for _, e := range in.Evals {
		if completed[cycleID{e.InstitutionID, e.Cycle}] {
			evals = append(evals, e)
		}
	}
	res.figures.SelfEvaluated = len(evals)
	res.figures.Indicators = Indicators(in.Generation, evals)
	res.figures.Steps = stepSummary(in.Steps, in.Region, first, end)
	return res
}

func verdictsOf(cycles []CompletedCycle) VerdictCounts {
	v := VerdictCounts{Counts: make([]int, 3)}
	for _, c := range cycles {
		if c.Verdict >= 1 && c.Verdict <= 3 {
			v.Counts[c.Verdict-1]++
			v.Total++
		}
	}
	return v
}

// StepKindOf is the kind of a step key: its first part ("invitation" of "invitation/lead/1").
func StepKindOf(step string) string {
	kind, _, _ := strings.Cut(step, "/")
	return kind
}

// stepSummary counts the steps of the year from first to end.
func stepSummary(steps []store.StepTime, region domain.Region, first, end domain.Date) StepSummary {
	type acc struct {
		StepKindSummary
		late, open []float64
	}
	kinds := map[string]*acc{}
	var order []string
	get := func(kind string) *acc {
		if a, ok := kinds[kind]; ok {
			return a
		}
		kinds[kind] = &acc{StepKindSummary: StepKindSummary{Kind: kind}}
		order = append(order, kind)
		return kinds[kind]
	}
	for _, st := range steps {
		if region != "" && st.Region != region {
			continue
		}
		// Completed by a person (or waived by the secretariat) in the year: on time or late.
		if (st.Status == "done" || st.Status == "waived") && !st.Closed.IsZero() &&
			!st.Closed.Before(first) && !st.Closed.After(end) {
			a := get(StepKindOf(st.Step))
			a.Closed++
			if days := st.Closed.DaysSince(st.Due); days > 0 {
				a.Late++
				a.late = append(a.late, float64(days))
			} else {
				a.OnTime++
			}
		}
		// Open past its due date at the year's end, or today in the running year.
		cutoff := end
		if !st.Today.IsZero() && st.Today.Before(end) {
			cutoff = st.Today
		}
		if !st.Opened.After(cutoff) && st.Due.Before(cutoff) && (st.Closed.IsZero() || st.Closed.After(cutoff)) {
			a := get(StepKindOf(st.Step))
			a.OpenOverdue++
			a.open = append(a.open, float64(cutoff.DaysSince(st.Due)))
		}
	}
	slices.SortFunc(order, func(a, b string) int { return cmp.Compare(stepOrder(a), stepOrder(b)) })
	s := StepSummary{Kinds: []StepKindSummary{}}
	var allLate, allOpen []float64
	for _, kind := range order {
		a := kinds[kind]
		a.Days = lateDays(a.late, a.open)
		s.Kinds = append(s.Kinds, a.StepKindSummary)
		s.Closed += a.Closed
		s.OnTime += a.OnTime
		s.Late += a.Late
		s.OpenOverdue += a.OpenOverdue
		allLate = append(allLate, a.late...)
		allOpen = append(allOpen, a.open...)
	}
	s.Days = lateDays(allLate, allOpen)
	return s
}

func lateDays(late, open []float64) LateDays {
	_, medianLate, _, maxLate := summary(late)
	_, medianOpen, _, maxOpen := summary(open)
	return LateDays{MedianLate: medianLate, MaxLate: int(maxLate), MedianOpen: medianOpen, MaxOpen: int(maxOpen)}
}

// stepOrder is the place of a kind of step in the cycle, for the report's order.
func stepOrder(kind string) string {
	order := []string{"self-evaluation", "invitation", "manual-assignment", "visit-date", "visit", "report", "hearing",
		"action-plan", "revisit-date", "revisit", "revisit-report", "verdict-decision", "appeal-window", "appeal-decision"}
	if i := slices.Index(order, kind); i >= 0 {
		return string(rune('a' + i))
	}
	return "z" + kind
}
