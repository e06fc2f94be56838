package publication

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// ValueKind is how an indicator value reads: a yes or no, a number (often a percentage), or
// neither.
type ValueKind int

// The kinds of value.
const (
	ValueOther ValueKind = iota
	ValueYes
	ValueNo
	ValueNumber
)

var numberPattern = regexp.MustCompile(`-?[0-9]+(?:[.,][0-9]+)?`)

// ParseValue reads an indicator value as institutions write it: "ja"/"nej" (or "yes"/"no",
// alone or first), or the first number in it ("4,2 %", "83 % af brugerne ..."). Only the
// kind and the number are ever shown, never the text.
func ParseValue(s string) (ValueKind, float64) {
	key := strings.ToLower(strings.TrimSpace(s))
	first, _, _ := strings.Cut(strings.Map(func(r rune) rune {
		if r == ',' || r == '.' || r == ';' || r == ':' || r == '!' {
			return ' '
		}
		return r
	}, key), " ")
	switch first {
	case "ja", "yes":
		return ValueYes, 0
	case "nej", "no":
		return ValueNo, 0
	}
	m := numberPattern.FindString(key)
	if m == "" {
		return ValueOther, 0
	}
	x, err := strconv.ParseFloat(strings.Replace(m, ",", ".", 1), 64)
	if err != nil {
		return ValueOther, 0
	}
	return ValueNumber, x
}

// Target is a quantitative indicator's threshold, e.g. ">= 90 %".
type Target struct {
	Op    string // one of <=, >=, <, >, =
	Value float64
}

var targetPattern = regexp.MustCompile(`^\s*(<=|>=|≤|≥|<|>|=)\s*(-?[0-9]+(?:[.,][0-9]+)?)`)

// ParseTarget reads a catalogue target; false when it is empty or not a comparison.
func ParseTarget(s string) (Target, bool) {
	m := targetPattern.FindStringSubmatch(s)
	if m == nil {
		return Target{}, false
	}
	x, err := strconv.ParseFloat(strings.Replace(m[2], ",", ".", 1), 64)
	if err != nil {
		return Target{}, false
	}
	op := map[string]string{"≤": "<=", "≥": ">="}[m[1]]
	if op == "" {
		op = m[1]
	}
	return Target{Op: op, Value: x}, true
}

// Meets reports whether x meets the target.
func (t Target) Meets(x float64) bool {
	switch t.Op {
	case "<=":
		return x <= t.Value
	case ">=":
		return x >= t.Value
	case "<":
		return x < t.Value
	case ">":
		return x > t.Value
	}
	return x == t.Value
}

// IndicatorResult sums up one indicator over the self-evaluations of a group of
// institutions. Reported = Yes + No + Numbers + Other.
type IndicatorResult struct {
	Code     string      `json:"code"`
	Standard string      `json:"standard"`
	Text     domain.Text `json:"text"`
	Target   string      `json:"target,omitempty"`
	Reported int         `json:"reported"`
	Yes      int         `json:"yes"`
	No       int         `json:"no"`
	Numbers  int         `json:"numbers"`
	Other    int         `json:"other"`
	// Mean, Median, Min and Max are over the numbers; zero when there are none.
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	// MeetsTarget counts the numbers that meet the target (when it is a comparison).
	MeetsTarget int  `json:"meets_target"`
	HasTarget   bool `json:"has_target"`
}

// Indicators sums up every active indicator of the generation over the self-evaluations, in
// catalogue order.
func Indicators(gen domain.Generation, evals []store.PublishedSelfEvaluation) []IndicatorResult {
	var out []IndicatorResult
	for _, st := range gen.ActiveStandards() {
		for _, ind := range st.ActiveIndicators() {
			res := IndicatorResult{Code: ind.Code, Standard: st.Code, Text: ind.Text, Target: ind.Target}
			target, hasTarget := ParseTarget(ind.Target)
			res.HasTarget = hasTarget
			var numbers []float64
			for _, e := range evals {
				v, ok := e.Indicators[ind.Code]
				if !ok {
					continue
				}
				res.Reported++
				kind, x := ParseValue(v)
				switch kind {
				case ValueYes:
					res.Yes++
				case ValueNo:
					res.No++
				case ValueNumber:
					numbers = append(numbers, x)
					if hasTarget && target.Meets(x) {
						res.MeetsTarget++
					}
				default:
					res.Other++
				}
			}
			res.Numbers = len(numbers)
			res.Mean, res.Median, res.Min, res.Max = summary(numbers)
			out = append(out, res)
		}
	}
	return out
}

// summary is the mean, median, minimum and maximum of xs; zeros for none.
func summary(xs []float64) (mean, median, lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	return sum / float64(len(s)), medianSorted(s), s[0], s[len(s)-1]
}

// medianSorted is the median of sorted xs.
func medianSorted(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
