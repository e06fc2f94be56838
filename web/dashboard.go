package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// pageSize is how many open steps the dashboard shows a page; the counts and the CSV cover
// them all.
const pageSize = 100

// dashboardQuery reads the dashboard's filters from the query string; a filter that is not
// one of the known values is refused by name.
type dashboardQuery struct {
	Filter      store.DashboardFilter
	OverdueOnly bool
	Page        int
}

func parseDashboardQuery(q url.Values) (dashboardQuery, error) {
	var d dashboardQuery
	if r := strings.TrimSpace(q.Get("region")); r != "" {
		region, err := domain.ParseRegion(r)
		if err != nil {
			return d, fmt.Errorf("region: %v", err)
		}
		d.Filter.Region = region
	}
	if st := strings.Trim(strings.TrimSpace(q.Get("step")), "/"); st != "" {
		if !slices.Contains(stepKinds, st) {
			return d, fmt.Errorf("step %q is not a step of the cycle", st)
		}
		d.Filter.Step = st
	}
	d.Filter.InstitutionID = strings.TrimSpace(q.Get("institution"))
	d.Filter.HolderID = strings.TrimSpace(q.Get("holder"))
	if len(d.Filter.InstitutionID) > domain.MaxIDLength || len(d.Filter.HolderID) > domain.MaxIDLength {
		return d, fmt.Errorf("an ID is at most %d characters", domain.MaxIDLength)
	}
	d.OverdueOnly = q.Get("overdue") != ""
	d.Page = 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return d, fmt.Errorf("page %q is not a page number", p)
		}
		d.Page = n
	}
	return d, nil
}

// encode is the filter as a query string (without the page), for the pager and the CSV link.
func (d dashboardQuery) encode() string {
	q := url.Values{}
	if d.Filter.Region != "" {
		q.Set("region", string(d.Filter.Region))
	}
	if d.Filter.Step != "" {
		q.Set("step", d.Filter.Step)
	}
	if d.Filter.InstitutionID != "" {
		q.Set("institution", d.Filter.InstitutionID)
	}
	if d.Filter.HolderID != "" {
		q.Set("holder", d.Filter.HolderID)
	}
	if d.OverdueOnly {
		q.Set("overdue", "1")
	}
	return q.Encode()
}

// scoped is the query's filter within what the viewer may see.
func (d dashboardQuery) scoped(v *Viewer) store.DashboardFilter {
	f := v.Scope()
	f.Region, f.Step, f.InstitutionID, f.HolderID = d.Filter.Region, d.Filter.Step, d.Filter.InstitutionID, d.Filter.HolderID
	return f
}

// dashboardRows reads every open step the viewer may see that the query asks for.
func (s *Server) dashboardRows(r *http.Request, v *Viewer, d dashboardQuery) ([]store.DashboardRow, error) {
	rows, err := s.store.Dashboard(r.Context(), d.scoped(v))
	if err != nil || !d.OverdueOnly {
		return rows, err
	}
	out := rows[:0]
	for _, row := range rows {
		if row.DaysOverdue > 0 {
			out = append(out, row)
		}
	}
	return out, nil
}

// Count is the open steps of one cell, and how many of them are overdue.
type Count struct{ Open, Overdue int }

// RegionCounts is one row of the counts: a region's cells, one per step kind, and its total.
type RegionCounts struct {
	Region domain.Region
	Cells  []Count
	Total  Count
}

// Counts is the region × step table.
type Counts struct {
	Kinds   []string
	Regions []RegionCounts
}

// countSteps tabulates open and overdue steps per region and step kind; only the kinds and
// regions that have steps get a column or a row.
func countSteps(kc []store.KindCount) Counts {
	byRegion := map[domain.Region]map[string]Count{}
	kindsSeen := map[string]bool{}
	for _, c := range kc {
		kindsSeen[c.Kind] = true
		m := byRegion[c.Region]
		if m == nil {
			m = map[string]Count{}
			byRegion[c.Region] = m
		}
		cur := m[c.Kind]
		cur.Open += c.Open
		cur.Overdue += c.Overdue
		m[c.Kind] = cur
	}
	var out Counts
	for _, k := range stepKinds {
		if kindsSeen[k] {
			out.Kinds = append(out.Kinds, k)
			delete(kindsSeen, k)
		}
	}
	var rest []string
	for k := range kindsSeen {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	out.Kinds = append(out.Kinds, rest...)
	regions := domain.Regions()
	var others []domain.Region
	for r := range byRegion {
		if !slices.Contains(regions, r) {
			others = append(others, r)
		}
	}
	slices.Sort(others)
	for _, region := range append(regions, others...) {
		m := byRegion[region]
		if m == nil {
			continue
		}
		rc := RegionCounts{Region: region}
		for _, k := range out.Kinds {
			c := m[k]
			rc.Cells = append(rc.Cells, c)
			rc.Total.Open += c.Open
			rc.Total.Overdue += c.Overdue
		}
		out.Regions = append(out.Regions, rc)
	}
	return out
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	d, err := parseDashboardQuery(r.URL.Query())
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "dashboard filter: "+err.Error())
		return
	}
	page, err := s.store.DashboardPage(r.Context(), d.scoped(v), d.OverdueOnly, (d.Page-1)*pageSize, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pages := max(1, (page.Total+pageSize-1)/pageSize)
	if d.Page > pages {
		d.Page = pages
		if page, err = s.store.DashboardPage(r.Context(), d.scoped(v), d.OverdueOnly, (d.Page-1)*pageSize, pageSize); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.store.FillNames(r.Context(), page.Rows); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	scope := ""
	switch {
	case v.IsSecretariat() && v.Region != "":
		scope = message(lang, "dashboard.scope.region", v.Region.Name())
	case v.Role == domain.RoleInstitutionManager:
		scope = message(lang, "dashboard.scope.own")
	case !v.IsManager() && !v.IsSecretariat():
		scope = message(lang, "dashboard.scope.teams")
	}
	regions := domain.Regions()
	if v.IsSecretariat() && v.Region != "" {
		regions = []domain.Region{v.Region}
	}
	s.render(w, r, http.StatusOK, "dashboard", "dashboard.title", map[string]any{
		"Rows":        page.Rows,
		"Total":       page.Total,
		"Overdue":     page.Overdue,
		"Counts":      countSteps(page.Counts),
		"Filter":      d.Filter,
		"OverdueOnly": d.OverdueOnly,
		"Page":        d.Page,
		"Pages":       pages,
		"Query":       template.URL(d.encode()),
		"Regions":     regions,
		"StepKinds":   stepKinds,
		"Scope":       scope,
	})
}

// handleDashboardCSV exports every open step the filter matches, for a spreadsheet.
func (s *Server) handleDashboardCSV(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	d, err := parseDashboardQuery(r.URL.Query())
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "dashboard filter: "+err.Error())
		return
	}
	rows, err := s.dashboardRows(r, v, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.FillNames(r.Context(), rows); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="open-steps.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	// A byte order mark, so that spreadsheets read the Danish letters as UTF-8.
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"institution_id", "institution", "region", "cycle", "step", "holder_id", "holder", "holder_role",
		"opened", "due", "days_overdue", "escalation_level"})
	for _, row := range rows {
		_ = cw.Write([]string{row.InstitutionID, csvSafe(row.InstitutionName), string(row.Region), strconv.Itoa(row.Cycle),
			row.Step, row.HolderID, csvSafe(row.HolderName), row.HolderRole, row.Opened.String(), row.Due.String(),
			strconv.Itoa(row.DaysOverdue), strconv.Itoa(row.Escalation)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("dashboard CSV", "error", err)
	}
}

// csvSafe keeps a spreadsheet from reading a name as a formula (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
