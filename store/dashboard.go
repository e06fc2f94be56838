package store

// What the web app reads: the managers' dashboard of open steps (one query, with the names
// of the institution and the holder and each cycle's calendar), an institution's cycles,
// team, visits, reports and documents, and who may see what (a reviewer's teams, a person
// by e-mail for OpenID Connect).

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// DashboardFilter narrows the dashboard; zero fields match everything. The scope fields are
// what the viewer may see; the others are what they asked for.
type DashboardFilter struct {
	Region domain.Region
	// Step matches a step key and its sub-steps: "invitation" matches "invitation/lead/1".
	Step          string
	InstitutionID string
	HolderID      string
	// ScopeRegion limits the rows to one region (a regional secretariat).
	ScopeRegion domain.Region
	// ScopeInstitutions, when not nil, limits the rows to these institutions (an institution
	// manager's own, a reviewer's teams); an empty non-nil list matches nothing.
	ScopeInstitutions []string
}

// DashboardRow is one open step with everything the dashboard shows about it.
type DashboardRow struct {
	StepID          string        `json:"step_id"`
	InstitutionID   string        `json:"institution_id"`
	InstitutionName string        `json:"institution_name"`
	Cycle           int           `json:"cycle"`
	Step            string        `json:"step"`
	Title           string        `json:"title"`
	Region          domain.Region `json:"region"`
	HolderID        string        `json:"holder_id"`
	HolderName      string        `json:"holder_name"`
	HolderRole      string        `json:"holder_role"`
	Opened          domain.Date   `json:"opened"`
	Due             domain.Date   `json:"due"`
	Escalation      int           `json:"escalation_level"`
	// Today is the date on the step's cycle calendar; DaysOverdue counts from Due to it.
	Today       domain.Date `json:"today"`
	DaysOverdue int         `json:"days_overdue"`
}

// StepKind is the first part of a step key: "invitation" of "invitation/lead/1".
func (r DashboardRow) StepKind() string {
	kind, _, _ := strings.Cut(r.Step, "/")
	return kind
}

// where is the filter as SQL conditions on the steps table s (after status = 'open').
func (f DashboardFilter) where() (string, []any) {
	var sb strings.Builder
	var args []any
	add := func(cond string, a ...any) { sb.WriteString(" AND " + cond); args = append(args, a...) }
	if f.Region != "" {
		add(`s.region = ?`, string(f.Region))
	}
	if f.ScopeRegion != "" {
		add(`s.region = ?`, string(f.ScopeRegion))
	}
	if f.Step != "" {
		add(`(s.step = ? OR s.step LIKE ? ESCAPE '\')`, f.Step, likeEscaper.Replace(f.Step)+"/%")
	}
	if f.InstitutionID != "" {
		add(`s.institution_id = ?`, f.InstitutionID)
	}
	if f.HolderID != "" {
		add(`s.holder_id = ?`, f.HolderID)
	}
	if f.ScopeInstitutions != nil {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.ScopeInstitutions)), ", ")
		ids := make([]any, len(f.ScopeInstitutions))
		for i, id := range f.ScopeInstitutions {
			ids[i] = id
		}
		add(`s.institution_id IN (`+marks+`)`, ids...)
	}
	return sb.String(), args
}

// dashboardSelect reads open steps with their cycle's calendar, in the order of the
// steps_open_overdue index (migration 00011): the longest overdue first on every cycle's own
// calendar, ties by step ID, which begins with the institution.
const dashboardSelect = `SELECT s.id, s.institution_id, s.cycle_number, s.step, s.region, s.holder_id, s.holder_role,
	s.opened_on, s.due_on, s.escalation_level, COALESCE(c.anchor_date, ''), c.anchor_time, COALESCE(c.day_length_ms, 0)
	FROM steps s LEFT JOIN cycles c ON c.institution_id = s.institution_id AND c.number = s.cycle_number
	WHERE s.status = 'open'`

const dashboardOrder = ` ORDER BY s.overdue_at, s.id`

// Dashboard lists every open step the filter matches, the longest overdue first, each with
// "today" and its days overdue on its own cycle's calendar. The rows carry no names:
// FillNames adds them to the rows a page shows. DashboardPage reads one page and the counts
// without reading every row.
func (s *Store) Dashboard(ctx context.Context, f DashboardFilter) ([]DashboardRow, error) {
	if f.ScopeInstitutions != nil && len(f.ScopeInstitutions) == 0 {
		return nil, nil
	}
	cond, args := f.where()
	return s.dashboardRows(ctx, dashboardSelect+cond+dashboardOrder, args)
}

// dashboardRows runs a dashboardSelect and counts each row's days overdue on its calendar.
func (s *Store) dashboardRows(ctx context.Context, query string, args []any) ([]DashboardRow, error) {
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	defer rows.Close()
	type clockKey struct {
		anchor   string
		anchorMS int64
		dayMS    int64
	}
	now := s.now()
	todays := map[clockKey]domain.Date{}
	out := make([]DashboardRow, 0, 64)
	for rows.Next() {
		var (
			r          DashboardRow
			region     string
			opened     string
			due        string
			anchorDate string
			anchorTime sql.NullTime
			dayMS      int64
		)
		if err := rows.Scan(&r.StepID, &r.InstitutionID, &r.Cycle, &r.Step, &region, &r.HolderID, &r.HolderRole,
			&opened, &due, &r.Escalation, &anchorDate, &anchorTime, &dayMS); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
		r.Region = domain.Region(region)
		if r.Opened, err = parseStoredDate(opened); err != nil {
			return nil, fmt.Errorf("step %s: opened_on: %w", r.StepID, err)
		}
		if r.Due, err = parseStoredDate(due); err != nil {
			return nil, fmt.Errorf("step %s: due_on: %w", r.StepID, err)
		}
		clock := realDays
		key := clockKey{}
		if anchorTime.Valid && dayMS > 0 && anchorDate != "" {
			key = clockKey{anchorDate, anchorTime.Time.UnixMilli(), dayMS}
			ad, err := parseStoredDate(anchorDate)
			if err != nil {
				return nil, fmt.Errorf("cycle %d of %s: anchor_date: %w", r.Cycle, r.InstitutionID, err)
			}
			clock = domain.Clock{AnchorDate: ad, AnchorTime: anchorTime.Time, DayLength: time.Duration(dayMS) * time.Millisecond}
		}
		today, ok := todays[key]
		if !ok {
			today = clock.DateAt(now)
			todays[key] = today
		}
		r.Today = today
		r.DaysOverdue = domain.DaysOverdue(r.Due, r.Today)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return out, nil
}

// KindCount is how many open steps of one kind one region has, and how many are overdue.
type KindCount struct {
	Region  domain.Region
	Kind    string
	Open    int
	Overdue int
}

// DashboardPage is one page of the dashboard: its rows, the number of rows of every page,
// how many of them are overdue, and the counts per region and step kind.
type DashboardPage struct {
	Rows    []DashboardRow
	Total   int
	Overdue int
	Counts  []KindCount
}

// DashboardPage reads the rows offset to offset+limit of what Dashboard lists (only the
// overdue ones when overdueOnly), and counts all of them in one grouped query; both run on
// indexes of migration 00011 (steps_open_overdue, steps_counts), so a page costs about the
// same for 100 open steps as for 10,000 (docs/performance.md).
func (s *Store) DashboardPage(ctx context.Context, f DashboardFilter, overdueOnly bool, offset, limit int) (DashboardPage, error) {
	var page DashboardPage
	if f.ScopeInstitutions != nil && len(f.ScopeInstitutions) == 0 {
		return page, nil
	}
	nowMS := s.now().UnixMilli()
	cond, args := f.where()
	if overdueOnly {
		cond += ` AND s.overdue_at <= ?`
		args = append(args, nowMS)
	}
	var groups []struct {
		Region string `db:"region"`
		Step   string `db:"step"`
		N      int    `db:"n"`
		Late   int    `db:"late"`
	}
	if err := s.db.SelectContext(ctx, &groups, s.db.Rebind(`SELECT s.region AS region, s.step AS step, COUNT(*) AS n,
		SUM(CASE WHEN s.overdue_at <= ? THEN 1 ELSE 0 END) AS late FROM steps s WHERE s.status = 'open'`+cond+
		` GROUP BY s.region, s.step`), append([]any{nowMS}, args...)...); err != nil {
		return page, fmt.Errorf("dashboard counts: %w", err)
	}
	counts := map[[2]string]int{}
	for _, g := range groups {
		kind, _, _ := strings.Cut(g.Step, "/")
		key := [2]string{g.Region, kind}
		i, ok := counts[key]
		if !ok {
			i = len(page.Counts)
			counts[key] = i
			page.Counts = append(page.Counts, KindCount{Region: domain.Region(g.Region), Kind: kind})
		}
		page.Counts[i].Open += g.N
		page.Counts[i].Overdue += g.Late
		page.Total += g.N
		page.Overdue += g.Late
	}
	var err error
	page.Rows, err = s.dashboardRows(ctx, dashboardSelect+cond+dashboardOrder+` LIMIT ? OFFSET ?`,
		append(args, limit, offset))
	return page, err
}

// FillNames adds the institutions' and holders' names to rows (the ones a page shows, or
// all of them for an export).
func (s *Store) FillNames(ctx context.Context, rows []DashboardRow) error {
	if len(rows) == 0 {
		return nil
	}
	insts := map[string]string{}
	people := map[string]string{}
	if len(rows) > 500 {
		// Every name at once is cheaper than long IN lists.
		var all []struct {
			ID   string `db:"id"`
			Name string `db:"name"`
		}
		if err := s.db.SelectContext(ctx, &all, `SELECT id, name FROM institutions`); err != nil {
			return err
		}
		for _, r := range all {
			insts[r.ID] = r.Name
		}
		all = all[:0]
		if err := s.db.SelectContext(ctx, &all, `SELECT id, name FROM people`); err != nil {
			return err
		}
		for _, r := range all {
			people[r.ID] = r.Name
		}
	} else {
		var instIDs, personIDs []string
		for _, r := range rows {
			instIDs = append(instIDs, r.InstitutionID)
			if r.HolderID != "" {
				personIDs = append(personIDs, r.HolderID)
			}
		}
		var err error
		if insts, err = s.names(ctx, "institutions", instIDs); err != nil {
			return err
		}
		if people, err = s.names(ctx, "people", personIDs); err != nil {
			return err
		}
	}
	for i := range rows {
		rows[i].InstitutionName = insts[rows[i].InstitutionID]
		rows[i].HolderName = people[rows[i].HolderID]
	}
	return nil
}

// parseStoredDate reads a date column as the store writes it (YYYY-MM-DD), or as a driver
// may return it with a time part.
func parseStoredDate(s string) (domain.Date, error) {
	if len(s) > 10 {
		s = s[:10]
	}
	return domain.ParseDate(s)
}

// LatestCycle returns the read model of an institution's newest cycle; ErrNotFound when it
// has had none.
func (s *Store) LatestCycle(ctx context.Context, institutionID string) (CycleRow, error) {
	var c CycleRow
	err := s.db.GetContext(ctx, &c, s.db.Rebind(`SELECT institution_id, number, workflow_id, start_date, status,
		current_step, COALESCE(ended_on, '') AS ended_on, note, COALESCE(verdict, 0) AS verdict, generation,
		anchor_date, anchor_time, day_length_ms, revision FROM cycles WHERE institution_id = ?
		ORDER BY number DESC LIMIT 1`), institutionID)
	if err != nil {
		return CycleRow{}, notFound(err, "cycle of "+institutionID)
	}
	return c, nil
}

// Assignments lists the invitations and seats of one cycle's team, in the order they were made.
func (s *Store) Assignments(ctx context.Context, institutionID string, cycle int) ([]AssignmentRow, error) {
	var out []AssignmentRow
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, role, person_id,
		status, invited_on, answer_due, COALESCE(answered_on, '') AS answered_on, reasons, revision
		FROM assignments WHERE institution_id = ? AND cycle_number = ? ORDER BY invited_on, id`), institutionID, cycle)
	return out, err
}

// Visits lists the visit and the revisit of one cycle.
func (s *Store) Visits(ctx context.Context, institutionID string, cycle int) ([]VisitRow, error) {
	var out []VisitRow
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, kind, visit_on, set_by,
		COALESCE(recorded_on, '') AS recorded_on, recorded_by, notes, revision
		FROM visits WHERE institution_id = ? AND cycle_number = ? ORDER BY visit_on, id`), institutionID, cycle)
	return out, err
}

// Submission returns one submitted document by its ID.
func (s *Store) Submission(ctx context.Context, id string) (Submission, error) {
	var out Submission
	err := s.db.GetContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, step, kind, submitted_by,
		submitted_on, payload FROM submissions WHERE id = ?`), id)
	if err != nil {
		return Submission{}, notFound(err, "document "+id)
	}
	return out, nil
}

// TeamInstitutions lists the institutions (and their cycles) whose team a person is invited
// to or sits on: what a reviewer or representative may see.
func (s *Store) TeamInstitutions(ctx context.Context, personID string) (map[string][]int, error) {
	var rows []struct {
		Institution string `db:"institution_id"`
		Cycle       int    `db:"cycle_number"`
	}
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT DISTINCT institution_id, cycle_number FROM assignments
		WHERE person_id = ? AND status IN ('invited', 'accepted', 'assigned') ORDER BY institution_id, cycle_number`), personID)
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, r := range rows {
		out[r.Institution] = append(out[r.Institution], r.Cycle)
	}
	return out, nil
}

// PersonByEmail finds the one person of the registry with this e-mail address (compared
// without regard to case); ErrNotFound when there is none, an error naming them when the
// address is shared, as it cannot say who signed in.
func (s *Store) PersonByEmail(ctx context.Context, email string) (Person, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id FROM people WHERE LOWER(email) = ? ORDER BY id`),
		strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return Person{}, err
	}
	switch len(ids) {
	case 0:
		return Person{}, fmt.Errorf("no person of the registry has the e-mail address %s: %w", email, ErrNotFound)
	case 1:
		return s.Person(ctx, ids[0])
	}
	return Person{}, fmt.Errorf("the e-mail address %s belongs to %d people of the registry (%s): it cannot tell who signed in; give each their own address",
		email, len(ids), strings.Join(ids, ", "))
}

// PersonNames maps person IDs to names, for the people named in a page.
func (s *Store) PersonNames(ctx context.Context, ids []string) (map[string]string, error) {
	return s.names(ctx, "people", ids)
}

// names maps the IDs of rows of a table (institutions or people) to their names.
func (s *Store) names(ctx context.Context, table string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT id, name FROM `+table+` WHERE id IN (`+marks+`)`), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// StepByID returns one step of the read model by its ID.
func (s *Store) StepByID(ctx context.Context, id string) (StepRow, error) {
	var out StepRow
	err := s.db.GetContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, step, title, region,
		holder_id, holder_role, opened_on, due_on, status, COALESCE(closed_on, '') AS closed_on, closed_by, note,
		escalation_level, revision FROM steps WHERE id = ?`), id)
	if err != nil {
		return StepRow{}, notFound(err, "step "+id)
	}
	return out, nil
}
