package publication

import (
	"cmp"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Comparison compares the institutions of one target group (all of them for the empty
// group) on the same measures, from published cycles only: each institution counts once,
// with its latest published cycle (the current version of its record) and that cycle's
// latest self-evaluation. Verdicts are counted nationally and per region; the ratings and
// indicator results are for the Region the comparison was made for (national when empty).
type Comparison struct {
	TargetGroup domain.TargetGroup `json:"target_group,omitempty"`
	Region      domain.Region      `json:"region,omitempty"`
	Generation  int                `json:"generation"`
	// Verdicts holds the whole country first, then the five regions in their fixed order.
	Verdicts []VerdictCounts `json:"verdicts"`
	// Institutions counts the institutions of the group in the region with a published
	// result; SelfEvaluated those whose cycle has a self-evaluation.
	Institutions  int               `json:"institutions"`
	SelfEvaluated int               `json:"self_evaluated"`
	Standards     []StandardRatings `json:"standards"`
	// MeanRatings is each standard's mean rating nationally and per region (Verdicts' order).
	MeanRatings []StandardMeans   `json:"mean_ratings"`
	Indicators  []IndicatorResult `json:"indicators"`
}

// VerdictCounts counts verdicts in a region ("" for the whole country). Counts[v-1] is the
// number of verdict v; Total is their sum.
type VerdictCounts struct {
	Region domain.Region `json:"region,omitempty"`
	Counts []int         `json:"counts"`
	Total  int           `json:"total"`
}

// StandardRatings counts a standard's self-evaluation ratings. Counts[r-1] is the number of
// rating r (1 met ... 4 not met); Total is their sum and Mean the mean rating.
type StandardRatings struct {
	Code   string      `json:"code"`
	Title  domain.Text `json:"title"`
	Counts []int       `json:"counts"`
	Total  int         `json:"total"`
	Mean   float64     `json:"mean"`
}

// StandardMeans is a standard's mean rating per scope; N the ratings behind each mean.
type StandardMeans struct {
	Code  string      `json:"code"`
	Title domain.Text `json:"title"`
	Means []float64   `json:"means"`
	N     []int       `json:"n"`
}

// Scopes is the whole country, then the five regions: the rows of Verdicts and the columns
// of MeanRatings.
func Scopes() []domain.Region { return append([]domain.Region{""}, domain.Regions()...) }

// Current keeps the current version of each cycle's record (dropping superseded ones).
func Current(records []store.PublishedRecord) []store.PublishedRecord {
	var out []store.PublishedRecord
	for _, r := range records {
		if r.SupersededOn.IsZero() {
			out = append(out, r)
		}
	}
	return out
}

// LatestResults keeps, of each institution, the current record of its latest published
// cycle, ordered by institution name and ID.
func LatestResults(records []store.PublishedRecord) []store.PublishedRecord {
	best := map[string]store.PublishedRecord{}
	for _, r := range Current(records) {
		if have, ok := best[r.InstitutionID]; !ok || r.Cycle > have.Cycle {
			best[r.InstitutionID] = r
		}
	}
	out := make([]store.PublishedRecord, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b store.PublishedRecord) int {
		return cmp.Or(cmp.Compare(a.InstitutionName, b.InstitutionName), cmp.Compare(a.InstitutionID, b.InstitutionID))
	})
	return out
}

// serves reports whether the record's institution serves the group (any, for "").
func serves(r store.PublishedRecord, g domain.TargetGroup) bool {
	return g == "" || slices.Contains(r.TargetGroups, g)
}

type cycleID struct {
	institution string
	cycle       int
}

// Compare builds the comparison of a target group, for a region or ("") the whole country.
// records may include superseded versions and several cycles per institution; evals are the
// self-evaluations of published cycles (store.PublishedSelfEvaluations). gen labels the
// standards and indicators.
func Compare(records []store.PublishedRecord, evals []store.PublishedSelfEvaluation, gen domain.Generation,
	group domain.TargetGroup, region domain.Region) Comparison {
	c := Comparison{TargetGroup: group, Region: region, Generation: gen.Number}
	var inGroup []store.PublishedRecord
	for _, r := range LatestResults(records) {
		if serves(r, group) {
			inGroup = append(inGroup, r)
		}
	}
	byCycle := map[cycleID]store.PublishedSelfEvaluation{}
	for _, e := range evals {
		byCycle[cycleID{e.InstitutionID, e.Cycle}] = e
	}
	scopes := Scopes()
	evalsIn := make([][]store.PublishedSelfEvaluation, len(scopes))
	for i, scope := range scopes {
		v := VerdictCounts{Region: scope, Counts: make([]int, 3)}
		for _, r := range inGroup {
			if scope != "" && r.Region != scope {
				continue
			}
			if r.Verdict >= 1 && r.Verdict <= 3 {
				v.Counts[r.Verdict-1]++
				v.Total++
			}
			if e, ok := byCycle[cycleID{r.InstitutionID, r.Cycle}]; ok {
				evalsIn[i] = append(evalsIn[i], e)
			}
		}
		c.Verdicts = append(c.Verdicts, v)
		if scope == region {
			c.Institutions = v.Total
			c.SelfEvaluated = len(evalsIn[i])
			c.Standards = Ratings(gen, evalsIn[i])
			c.Indicators = Indicators(gen, evalsIn[i])
		}
	}
	for _, st := range gen.ActiveStandards() {
		m := StandardMeans{Code: st.Code, Title: st.Title}
		for i := range scopes {
			r := ratingsOf(st, evalsIn[i])
			m.Means = append(m.Means, r.Mean)
			m.N = append(m.N, r.Total)
		}
		c.MeanRatings = append(c.MeanRatings, m)
	}
	return c
}

// Ratings counts the ratings of every active standard of gen over the self-evaluations.
func Ratings(gen domain.Generation, evals []store.PublishedSelfEvaluation) []StandardRatings {
	var out []StandardRatings
	for _, st := range gen.ActiveStandards() {
		out = append(out, ratingsOf(st, evals))
	}
	return out
}

func ratingsOf(st domain.Standard, evals []store.PublishedSelfEvaluation) StandardRatings {
	r := StandardRatings{Code: st.Code, Title: st.Title, Counts: make([]int, 4)}
	sum := 0
	for _, e := range evals {
		if v, ok := e.Ratings[st.Code]; ok && v >= 1 && v <= 4 {
			r.Counts[v-1]++
			r.Total++
			sum += v
		}
	}
	if r.Total > 0 {
		r.Mean = float64(sum) / float64(r.Total)
	}
	return r
}
