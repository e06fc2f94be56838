package publicweb

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

// funcs are the template functions in a language.
func funcs(l publication.Lang) template.FuncMap {
	return template.FuncMap{
		"t":            l.Pick,
		"region":       l.Region,
		"scope":        l.Scope,
		"municipality": l.Municipality,
		"verdict":      l.Verdict,
		"date":         l.Date,
		"group":        l.TargetGroup,
		"text":         l.Text,
		"compareURL":   compareURL,
	}
}

// Paths of the pages.
func institutionURL(id string) string { return Prefix + "tilbud/" + url.PathEscape(id) }

func cycleURL(id string, cycle int) string {
	return institutionURL(id) + "/cyklus/" + strconv.Itoa(cycle)
}

func versionURL(id string, cycle, version int) string {
	return cycleURL(id, cycle) + "/version/" + strconv.Itoa(version)
}

func compareURL(g domain.TargetGroup, r domain.Region) string {
	q := url.Values{}
	if g != "" {
		q.Set("maalgruppe", string(g))
	}
	if r != "" {
		q.Set("region", string(r))
	}
	if len(q) == 0 {
		return Prefix + "sammenligning"
	}
	return Prefix + "sammenligning?" + q.Encode()
}

// pageData is what every page template gets.
type pageData struct {
	Lang     publication.Lang
	Explicit bool
	Title    string
	Nav      string
	Data     any
	path     string
	query    url.Values
}

// U is a link to path that keeps a language chosen with ?lang=.
func (p pageData) U(path string) string {
	if !p.Explicit {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "lang=" + string(p.Lang)
}

// Alt is this page in another language.
func (p pageData) Alt(lang string) string {
	q := url.Values{}
	for k, v := range p.query {
		if k != "lang" {
			q[k] = v
		}
	}
	q.Set("lang", lang)
	return p.path + "?" + q.Encode()
}

// render renders a page template to a cacheable response.
func (h *Handler) render(r *request, name, title string, data any) (*response, error) {
	var buf bytes.Buffer
	p := pageData{Lang: r.lang, Explicit: r.explicit, Title: title, Nav: navOf(name), Data: data,
		path: r.URL.Path, query: r.URL.Query()}
	if err := h.pages[r.lang].ExecuteTemplate(&buf, name, p); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return &response{status: 200, contentType: "text/html; charset=utf-8", body: buf.Bytes(), cache: true}, nil
}

func navOf(name string) string {
	switch name {
	case "search":
		return "search"
	case "comparison":
		return "compare"
	}
	return ""
}

// pageSize is how many institutions a page of search results lists.
const pageSize = 50

// maxQuery is the longest name a search takes.
const maxQuery = 200

type searchRow struct {
	*entry
	URL string
}

type searchData struct {
	Filter         filter
	Problems       []string
	Regions        []domain.Region
	Municipalities []string
	Groups         []domain.TargetGroup
	Rows           []searchRow
	Total          int
	Page, Pages    int
	Prev, Next     string
}

// search is the front page: the search form and the institutions that match it.
func (h *Handler) search(r *request) (*response, error) {
	q := r.URL.Query()
	d := searchData{Regions: domain.Regions(), Municipalities: r.snap.municipalities, Groups: r.snap.groups, Page: 1}
	l := r.lang
	d.Filter.Name = strings.TrimSpace(q.Get("navn"))
	if !utf8.ValidString(d.Filter.Name) || utf8.RuneCountInString(d.Filter.Name) > maxQuery {
		d.Problems = append(d.Problems, fmt.Sprintf(l.Pick("Navnet må højst være %d tegn.", "The name may be at most %d characters."), maxQuery))
		d.Filter.Name = ""
	}
	if v := q.Get("region"); v != "" {
		if reg, err := domain.ParseRegion(v); err != nil {
			d.Problems = append(d.Problems, l.Pick("Ukendt region: vælg en af listen.", "Unknown region: choose one from the list."))
		} else {
			d.Filter.Region = reg
		}
	}
	if v := q.Get("kommune"); v != "" {
		if m, err := domain.ParseMunicipality(v); err != nil {
			d.Problems = append(d.Problems, l.Pick("Ukendt kommune: vælg en af listen.", "Unknown municipality: choose one from the list."))
		} else {
			d.Filter.Municipality = m.Code()
		}
	}
	if v := q.Get("maalgruppe"); v != "" {
		if g, err := domain.ParseTargetGroup(v); err != nil {
			d.Problems = append(d.Problems, l.Pick("Ukendt målgruppe: vælg en af listen.", "Unknown target group: choose one from the list."))
		} else {
			d.Filter.Group = g
		}
	}
	if v := q.Get("side"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			d.Page = n
		} else {
			d.Problems = append(d.Problems, l.Pick("Siden skal være et tal fra 1.", "The page must be a number from 1."))
		}
	}
	found := r.snap.search(d.Filter)
	d.Total = len(found)
	d.Pages = max(1, (len(found)+pageSize-1)/pageSize)
	d.Page = min(d.Page, d.Pages)
	for _, e := range found[(d.Page-1)*pageSize : min(len(found), d.Page*pageSize)] {
		d.Rows = append(d.Rows, searchRow{entry: e, URL: institutionURL(e.ID)})
	}
	pageLink := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("side", strconv.Itoa(n))
		return Prefix + "?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = pageLink(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = pageLink(d.Page + 1)
	}
	res, err := h.render(r, "search", l.Pick("Find et tilbud", "Find an institution"), d)
	if err == nil && len(d.Problems) > 0 {
		res.status = 400
	}
	return res, err
}

type versionRow struct {
	R   store.PublishedRecord
	URL string
}

type institutionData struct {
	E         *entry
	LatestURL string
	History   []versionRow
}

// institution is an institution's page: its latest result and its published history.
func (h *Handler) institution(r *request) (*response, error) {
	e := r.snap.byID[r.PathValue("id")]
	if e == nil {
		return nil, errNotFound
	}
	d := institutionData{E: e, LatestURL: cycleURL(e.ID, e.Latest.Cycle)}
	for _, v := range e.Versions {
		d.History = append(d.History, versionRow{R: v, URL: versionURL(e.ID, v.Cycle, v.Version)})
	}
	return h.render(r, "institution", e.Name, d)
}

type recordData struct {
	R              store.PublishedRecord
	InstitutionURL string
	CurrentURL     string
	Areas          []string
	Others         []versionRow
}

// cycle is a cycle's result: its current version, with the others listed.
func (h *Handler) cycle(r *request) (*response, error) {
	return h.record(r, 0)
}

// version is one version of a cycle's result, superseded or current.
func (h *Handler) version(r *request) (*response, error) {
	v, err := strconv.Atoi(r.PathValue("v"))
	if err != nil || v < 1 {
		return nil, errNotFound
	}
	return h.record(r, v)
}

// record renders version v of a cycle's result (0: the current one).
func (h *Handler) record(r *request, v int) (*response, error) {
	e := r.snap.byID[r.PathValue("id")]
	n, err := strconv.Atoi(r.PathValue("n"))
	if e == nil || err != nil {
		return nil, errNotFound
	}
	var versions []store.PublishedRecord
	for _, rec := range e.Versions {
		if rec.Cycle == n {
			versions = append(versions, rec)
		}
	}
	if len(versions) == 0 {
		return nil, errNotFound
	}
	current := versions[0] // newest version first
	for _, rec := range versions {
		if rec.SupersededOn.IsZero() {
			current = rec
			break
		}
	}
	shown := current
	if v != 0 {
		found := false
		for _, rec := range versions {
			if rec.Version == v {
				shown, found = rec, true
			}
		}
		if !found {
			return nil, errNotFound
		}
	}
	d := recordData{R: shown, InstitutionURL: institutionURL(e.ID), CurrentURL: cycleURL(e.ID, n)}
	titles := map[string]string{}
	for _, t := range shown.Themes {
		for _, st := range t.Standards {
			titles[st.Code] = r.lang.Text(st.Title)
		}
	}
	for _, code := range shown.AreasToImprove {
		d.Areas = append(d.Areas, strings.TrimSpace(code+" "+titles[code]))
	}
	for _, rec := range versions {
		if rec.Version != shown.Version {
			d.Others = append(d.Others, versionRow{R: rec, URL: versionURL(e.ID, n, rec.Version)})
		}
	}
	title := fmt.Sprintf("%s: %s %d", e.Name, r.lang.Pick("cyklus", "cycle"), n)
	if v != 0 {
		title += fmt.Sprintf(", %s %d", r.lang.Pick("version", "version"), v)
	}
	return h.render(r, "record", title, d)
}

type meansRow struct {
	Label string
	Cells []string
}

type indicatorRow struct {
	Label, Target, Yes, Mean, Median, Meets string
	Reported                                int
}

type comparisonData struct {
	C                         publication.Comparison
	Problems                  []string
	Groups                    []domain.TargetGroup
	Regions                   []domain.Region
	Scopes                    []domain.Region
	VerdictChart, RatingChart template.HTML
	Means                     []meansRow
	Indicators                []indicatorRow
}

// comparison compares the institutions of a target group, per region and nationally.
func (h *Handler) comparison(r *request) (*response, error) {
	l := r.lang
	q := r.URL.Query()
	var group domain.TargetGroup
	var region domain.Region
	var problems []string
	if v := q.Get("maalgruppe"); v != "" {
		g, err := domain.ParseTargetGroup(v)
		if err != nil {
			problems = append(problems, l.Pick("Ukendt målgruppe: vælg en af listen.", "Unknown target group: choose one from the list."))
		}
		group = g
	}
	if v := q.Get("region"); v != "" {
		reg, err := domain.ParseRegion(v)
		if err != nil {
			problems = append(problems, l.Pick("Ukendt region: vælg en af listen.", "Unknown region: choose one from the list."))
		}
		region = reg
	}
	c := r.snap.comparison(group, region)
	d := comparisonData{C: c, Problems: problems, Groups: domain.TargetGroups(), Regions: domain.Regions(),
		Scopes: publication.Scopes()}
	verdicts := publication.Chart{ID: "chart-verdicts", Lang: l, Category: l.Pick("Område", "Area"),
		Series: publication.VerdictSeries(l),
		Title:  fmt.Sprintf("%s: %s", l.Pick("Konklusioner per region", "Verdicts by region"), l.TargetGroup(group))}
	for _, v := range c.Verdicts {
		verdicts.Bars = append(verdicts.Bars, publication.Bar{Label: l.Scope(v.Region), Values: v.Counts})
	}
	ratings := publication.Chart{ID: "chart-ratings", Lang: l, Category: l.Pick("Standard", "Standard"),
		Series: publication.RatingSeries(l),
		Title: fmt.Sprintf("%s: %s, %s", l.Pick("Selvevalueringens vurderinger per standard", "Self-evaluation ratings per standard"),
			l.TargetGroup(group), l.Scope(region))}
	for _, st := range c.Standards {
		ratings.Bars = append(ratings.Bars, publication.Bar{Label: st.Code + " " + l.Text(st.Title), Values: st.Counts})
	}
	d.VerdictChart, d.RatingChart = verdicts.HTML(), ratings.HTML()
	for _, m := range c.MeanRatings {
		row := meansRow{Label: m.Code + " " + l.Text(m.Title)}
		for i := range m.Means {
			cell := "–"
			if m.N[i] > 0 {
				cell = fmt.Sprintf("%s (%d)", l.Number(m.Means[i]), m.N[i])
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Means = append(d.Means, row)
	}
	for _, ind := range c.Indicators {
		row := indicatorRow{Label: ind.Code + " " + l.Text(ind.Text), Target: ind.Target, Reported: ind.Reported,
			Yes: "–", Mean: "–", Median: "–", Meets: "–"}
		if ind.Yes+ind.No > 0 {
			row.Yes = l.Percent(ind.Yes, ind.Yes+ind.No)
		}
		if ind.Numbers > 0 {
			row.Mean, row.Median = l.Number(ind.Mean), l.Number(ind.Median)
			if ind.HasTarget {
				row.Meets = fmt.Sprintf("%d %s %d", ind.MeetsTarget, l.Pick("af", "of"), ind.Numbers)
			}
		}
		d.Indicators = append(d.Indicators, row)
	}
	res, err := h.render(r, "comparison", l.Pick("Sammenlign tilbud", "Compare institutions"), d)
	if err == nil && len(problems) > 0 {
		res.status = 400
	}
	return res, err
}
