package publication

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"unicode/utf8"
)

// Chart is a horizontal bar chart of shares: each bar is one category (a region, a standard,
// a year) split into the series (verdicts 1-3, ratings 1-4) as parts of 100 %. It renders
// as hand-written SVG with a table of the same figures beside it, so that a screen reader,
// a text browser and a printout read the numbers the picture shows. No script is needed.
type Chart struct {
	// ID is unique on the page; the SVG's title and description refer to it.
	ID    string
	Title string
	// Category heads the table's first column, e.g. "Region" or "Standard".
	Category string
	Series   []Series
	Bars     []Bar
	Lang     Lang
}

// Series is one part of every bar, with its colour.
type Series struct {
	Label string
	// Color is a fill with a contrast of at least 4.5:1 against white, so white figures on
	// it are readable and the parts stand out from the page.
	Color string
}

// Bar is one category: a count per series.
type Bar struct {
	Label  string
	Values []int
}

// Total is the sum of the bar's values.
func (b Bar) Total() int {
	n := 0
	for _, v := range b.Values {
		n += v
	}
	return n
}

// Palettes of the charts: verdicts 1-3, ratings 1-4 (green is best, red worst; each colour
// also differs in lightness, and every figure is in the table).
var (
	VerdictColors = []string{"#1b7837", "#a35200", "#b2182b"}
	RatingColors  = []string{"#1b7837", "#2166ac", "#a35200", "#b2182b"}
)

// VerdictSeries are the series of a verdict chart.
func VerdictSeries(l Lang) []Series {
	out := make([]Series, 3)
	for v := 1; v <= 3; v++ {
		out[v-1] = Series{Label: l.VerdictShort(v), Color: VerdictColors[v-1]}
	}
	return out
}

// RatingSeries are the series of a rating chart.
func RatingSeries(l Lang) []Series {
	out := make([]Series, 4)
	for r := 1; r <= 4; r++ {
		out[r-1] = Series{Label: fmt.Sprintf("%d: %s", r, l.Rating(r)), Color: RatingColors[r-1]}
	}
	return out
}

// Chart geometry, in SVG user units.
const (
	chartWidth   = 760
	labelWidth   = 250
	barWidth     = 440
	barHeight    = 26
	barGap       = 10
	legendHeight = 30
)

type svgSegment struct {
	X, Y, Width  float64
	TextX, TextY float64
	Color        string
	Text, Tip    string
}

type svgBar struct {
	Y, TextY float64
	Label    string
	FullName string
	Segments []svgSegment
	Empty    bool
	N        string
}

type svgLegend struct {
	X, Y  float64
	Color string
	Label string
}

type chartView struct {
	Chart
	Height     int
	Bars       []svgBar
	Legend     []svgLegend
	Rows       []tableRow
	TotalLabel string
	NoData     string
	Desc       string
	BarX       int
	NX         int
}

type tableRow struct {
	Label string
	Cells []string
	Total int
}

var chartTemplate = template.Must(template.New("chart").Parse(`<figure class="chart" id="{{.ID}}">
<figcaption id="{{.ID}}-caption">{{.Title}}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" viewBox="0 0 760 {{.Height}}" width="760" height="{{.Height}}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="13">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
<rect x="0" y="0" width="760" height="{{.Height}}" fill="#ffffff"/>
{{- range .Legend}}
<rect x="{{printf "%.0f" .X}}" y="{{printf "%.0f" .Y}}" width="14" height="14" fill="{{.Color}}"/><text x="{{printf "%.0f" .X}}" dx="19" y="{{printf "%.0f" .Y}}" dy="12" fill="#1a1a1a">{{.Label}}</text>
{{- end}}
{{- range .Bars}}
<g>
<text x="{{$.BarX}}" dx="-8" y="{{printf "%.0f" .TextY}}" text-anchor="end" fill="#1a1a1a"><title>{{.FullName}}</title>{{.Label}}</text>
{{- if .Empty}}
<rect x="{{$.BarX}}" y="{{printf "%.0f" .Y}}" width="440" height="26" fill="#ffffff" stroke="#6b6b6b" stroke-dasharray="4 3"/><text x="{{$.BarX}}" dx="8" y="{{printf "%.0f" .TextY}}" fill="#4a4a4a">{{$.NoData}}</text>
{{- else}}
{{- range .Segments}}
<rect x="{{printf "%.2f" .X}}" y="{{printf "%.0f" .Y}}" width="{{printf "%.2f" .Width}}" height="26" fill="{{.Color}}" stroke="#ffffff" stroke-width="1"><title>{{.Tip}}</title></rect>
{{- if .Text}}<text x="{{printf "%.2f" .TextX}}" y="{{printf "%.0f" .TextY}}" text-anchor="middle" fill="#ffffff" font-weight="600" aria-hidden="true">{{.Text}}</text>{{end}}
{{- end}}
{{- end}}
<text x="{{$.NX}}" y="{{printf "%.0f" .TextY}}" fill="#1a1a1a">{{.N}}</text>
</g>
{{- end}}
</svg>
<table class="chart-data">
<caption>{{.Title}}</caption>
<thead><tr><th scope="col">{{.Category}}</th>{{range .Series}}<th scope="col">{{.Label}}</th>{{end}}<th scope="col">{{.TotalLabel}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><th scope="row">{{.Label}}</th>{{range .Cells}}<td>{{.}}</td>{{end}}<td>{{.Total}}</td></tr>
{{- end}}
</tbody>
</table>
</figure>`))

// shorten cuts a label to n characters with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// HTML renders the chart: a figure with its caption, the SVG, and the table.
func (c Chart) HTML() template.HTML {
	v := chartView{Chart: c, BarX: labelWidth, NX: labelWidth + barWidth + 10,
		TotalLabel: c.Lang.Pick("I alt", "Total"), NoData: c.Lang.Pick("ingen data", "no data"),
		Desc: c.Lang.Pick("Søjlerne viser fordelingen i procent; de samme tal står i tabellen under figuren.",
			"The bars show the distribution in per cent; the same figures are in the table below the figure.")}
	// The legend wraps onto another row when it does not fit on one.
	x, y := 0.0, 6.0
	for _, s := range c.Series {
		w := 30 + 7.2*float64(utf8.RuneCountInString(s.Label))
		if x > 0 && x+w > chartWidth {
			x, y = 0, y+legendHeight
		}
		v.Legend = append(v.Legend, svgLegend{X: x, Y: y, Color: s.Color, Label: s.Label})
		x += w
	}
	top := y - 6 + legendHeight
	for i, b := range c.Bars {
		by := top + float64(i*(barHeight+barGap))
		total := b.Total()
		sb := svgBar{Y: by, TextY: by + 17, Label: shorten(b.Label, 30), FullName: b.Label, Empty: total == 0,
			N: fmt.Sprintf("n = %d", total)}
		row := tableRow{Label: b.Label, Total: total}
		cum := 0
		for j := range c.Series {
			val := 0
			if j < len(b.Values) {
				val = b.Values[j]
			}
			row.Cells = append(row.Cells, fmt.Sprintf("%d (%s)", val, c.Lang.Percent(val, total)))
			if val <= 0 {
				continue
			}
			x0 := float64(labelWidth) + barWidth*float64(cum)/float64(total)
			w := barWidth * float64(val) / float64(total)
			seg := svgSegment{X: x0, Y: by, Width: w, TextX: x0 + w/2, TextY: by + 17, Color: c.Series[j].Color,
				Tip: fmt.Sprintf("%s, %s: %d (%s)", b.Label, c.Series[j].Label, val, c.Lang.Percent(val, total))}
			if w >= 34 {
				seg.Text = c.Lang.Percent(val, total)
			}
			sb.Segments = append(sb.Segments, seg)
			cum += val
		}
		v.Bars = append(v.Bars, sb)
		v.Rows = append(v.Rows, row)
	}
	v.Height = int(math.Ceil(top)) + len(c.Bars)*(barHeight+barGap) + 6
	var buf bytes.Buffer
	if err := chartTemplate.Execute(&buf, v); err != nil {
		return template.HTML(template.HTMLEscapeString("chart " + c.ID + ": " + err.Error()))
	}
	return template.HTML(buf.String())
}
