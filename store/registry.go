package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Institution is a residential offer ("socialt tilbud") under evaluation.
type Institution struct {
	ID     string        `db:"id" json:"id"`
	Name   string        `db:"name" json:"name"`
	Region domain.Region `db:"region" json:"region"`
	// Municipality is set when a municipality that has joined the model runs the institution;
	// empty when the region runs it.
	Municipality string               `db:"municipality" json:"municipality,omitempty"`
	LegalBasis   domain.LegalBasis    `db:"legal_basis" json:"legal_basis"`
	TargetGroups []domain.TargetGroup `db:"-" json:"target_groups"`
	Places       int                  `db:"places" json:"places"`
	Address      string               `db:"address" json:"address,omitempty"`
	Postcode     string               `db:"postcode" json:"postcode,omitempty"`
	City         string               `db:"city" json:"city,omitempty"`
	Email        string               `db:"email" json:"email,omitempty"`
	// ClosedOn is the day the institution closed; zero while it is open. A closed institution
	// gets no new cycle, and closing it cancels the cycle that runs. Closing is one-way: only
	// ReopenInstitution opens it again (an import never does).
	ClosedOn domain.Date `db:"closed_on" json:"closed_on,omitzero"`
	// ClosedBy is the person who recorded the closure (the importer, when a registry file set
	// closed_on), and ClosedReason the reason they gave (or the file); both empty while open.
	ClosedBy     string `db:"closed_by" json:"closed_by,omitempty"`
	ClosedReason string `db:"closed_reason" json:"closed_reason,omitempty"`
}

// Closed reports whether the institution has closed.
func (in Institution) Closed() bool { return !in.ClosedOn.IsZero() }

// institutionColumns are the columns an Institution is read from (its target groups apart).
const institutionColumns = `id, name, region, COALESCE(municipality, '') AS municipality, legal_basis, places, address,
	postcode, city, email, closed_on, closed_by, closed_reason`

// Municipality is a municipality that has joined the model and runs institutions.
type Municipality struct {
	Code   string        `db:"code" json:"code"`
	Name   string        `db:"name" json:"name"`
	Region domain.Region `db:"region" json:"region"`
}

// Person is anyone the service notifies: reviewers, representatives, managers, secretariat.
type Person struct {
	ID          string      `db:"id" json:"id"`
	Name        string      `db:"name" json:"name"`
	Email       string      `db:"email" json:"email"`
	SlackUserID string      `db:"slack_user_id" json:"slack_user_id,omitempty"`
	Role        domain.Role `db:"role" json:"role"`
	// Region is empty for the national secretariat and national managers.
	Region          domain.Region `db:"region" json:"region,omitempty"`
	HomeInstitution string        `db:"home_institution" json:"home_institution,omitempty"`
	// TargetGroups are the target groups a user or relative representative speaks for; empty
	// for every other role, and for a representative compared by their home institution.
	TargetGroups []domain.TargetGroup `db:"-" json:"target_groups,omitempty"`
	Trainings    []Training           `db:"-" json:"trainings,omitempty"`
	Conflicts    []string             `db:"-" json:"conflicts,omitempty"`
	Employments  []Employment         `db:"-" json:"employments,omitempty"`
}

// Training is a completed course.
type Training struct {
	Kind        domain.TrainingKind `db:"kind" json:"kind"`
	CompletedOn domain.Date         `db:"completed_on" json:"completed_on"`
}

// Employment is a period a person worked at an institution; To is zero while it lasts.
type Employment struct {
	InstitutionID string      `db:"institution_id" json:"institution_id"`
	From          domain.Date `db:"from_date" json:"from"`
	To            domain.Date `db:"to_date" json:"to,omitempty"`
}

// UpsertCounts says what an import did.
type UpsertCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// String reads like "3 created, 1 updated, 36 unchanged".
func (c UpsertCounts) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
}

// RoleChange is a person whose role a people import changes. Roles decide who may act, so
// every change is shown to the importer and kept in the audit trail.
type RoleChange struct {
	PersonID string      `json:"person_id"`
	From     domain.Role `json:"from"`
	To       domain.Role `json:"to"`
}

// String reads like "P-050: reviewer -> secretariat".
func (c RoleChange) String() string { return fmt.Sprintf("%s: %s -> %s", c.PersonID, c.From, c.To) }

// The actions of the registry's audit entries, which belong to no institution.
const (
	AuditImportInstitutions = "import-institutions"
	AuditImportPeople       = "import-people"
	AuditApplyReviewerPlan  = "apply-reviewer-plan"
)

// RegistryAudit says who changes the registry, and how. The store writes it to the audit
// trail in the same transaction as the change, with what the change did (its counts and role
// changes), so no import is without its entry and no entry without its import.
type RegistryAudit struct {
	// ActorID is the person acting, as they named themselves (--as).
	ActorID string
	// Action is one of the Audit* actions.
	Action string
	// Subject is what was imported or applied, e.g. the file as it was given.
	Subject string
	// Note is added to the details when set, e.g. why the actor's role was not checked.
	Note string
}

// details is the audit entry's text: "people.csv: 0 created, 1 updated, 141 unchanged; role
// changes: P-050: reviewer -> secretariat".
func (a RegistryAudit) details(counts *UpsertCounts, changes []RoleChange) string {
	var b strings.Builder
	b.WriteString(a.Subject)
	if counts != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(counts.String())
	}
	if len(changes) > 0 {
		list := make([]string, len(changes))
		for i, c := range changes {
			list[i] = c.String()
		}
		b.WriteString("; role changes: " + strings.Join(list, ", "))
	}
	if a.Note != "" {
		b.WriteString("; " + a.Note)
	}
	return b.String()
}

// AuditRegistry appends a registry entry to the audit trail on its own, for changes that are
// not imports (an applied reviewer plan).
func (s *Store) AuditRegistry(ctx context.Context, a RegistryAudit) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.auditRegistryTx(ctx, tx, a, nil, nil) })
}

func (s *Store) auditRegistryTx(ctx context.Context, tx *sqlx.Tx, a RegistryAudit, counts *UpsertCounts, changes []RoleChange) error {
	if a.ActorID == "" || a.Action == "" {
		return errors.New("a registry audit entry needs an actor and an action")
	}
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	at := s.stamp()
	// Unique per write, and sorted by time within the registry's entries.
	id := fmt.Sprintf("registry/%s/%s/%x", a.Action, at.Format("20060102T150405.000000000Z"), nonce)
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO audit_log (id, at, actor_id, action, institution_id,
		cycle_number, step, details) VALUES (?, ?, ?, ?, '', 0, '', ?)`),
		id, at, a.ActorID, a.Action, a.details(counts, changes)); err != nil {
		return fmt.Errorf("audit %s by %s: %w", a.Action, a.ActorID, err)
	}
	return nil
}

// RegistryAuditTrail lists the audit entries of the registry (imports, applied plans), which
// belong to no institution, oldest first.
func (s *Store) RegistryAuditTrail(ctx context.Context) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, at, actor_id, action, institution_id, cycle_number,
		step, details FROM audit_log WHERE institution_id = '' ORDER BY at, id`))
	return out, err
}

// Secretariat lists the people whose role is secretariat, regional and national, ordered by
// ID. An empty list means the registry has no secretariat yet: whoever imports first sets it up.
func (s *Store) Secretariat(ctx context.Context) ([]Person, error) {
	return s.ListPeople(ctx, PersonFilter{Role: domain.RoleSecretariat})
}

// UpsertInstitutions writes institutions (and the municipalities that run them) in one
// transaction, keyed by external ID. Rows equal to what is stored are not touched, so
// importing the same file twice changes nothing.
func (s *Store) UpsertInstitutions(ctx context.Context, municipalities []Municipality, institutions []Institution) (UpsertCounts, error) {
	counts, _, err := s.ImportInstitutions(ctx, municipalities, institutions, nil)
	return counts, err
}

// ImportInstitutions is UpsertInstitutions that, unless audit is nil, writes the audit entry
// of the import in the same transaction. It returns the closures the import recorded: rows
// with a ClosedOn for institutions the store held as open (or did not hold yet), each also in
// the institution's audit trail when audit is set. Closing is one-way: a row that leaves
// ClosedOn zero, or gives another date, for an institution the store holds as closed is
// refused with a *ClosedError and nothing is written. Who closed a closed institution, and
// why, stays as the store has it.
func (s *Store) ImportInstitutions(ctx context.Context, municipalities []Municipality, institutions []Institution, audit *RegistryAudit) (UpsertCounts, []Closure, error) {
	var (
		counts   UpsertCounts
		closures []Closure
	)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		counts, closures = UpsertCounts{}, nil
		for _, m := range municipalities {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO municipalities (code, name, region) VALUES (?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region`),
				m.Code, m.Name, string(m.Region)); err != nil {
				return fmt.Errorf("municipality %s: %w", m.Code, err)
			}
		}
		now := s.stamp()
		for _, in := range institutions {
			in.TargetGroups = sortedUnique(in.TargetGroups)
			old, err := institutionTx(ctx, tx, in.ID)
			exists := err == nil
			if err != nil && !isNotFound(err) {
				return err
			}
			closing := false
			switch {
			case exists && old.Closed() && !old.ClosedOn.Equal(in.ClosedOn):
				return &ClosedError{Institution: old, Given: in.ClosedOn}
			case exists && old.Closed():
				in.ClosedBy, in.ClosedReason = old.ClosedBy, old.ClosedReason
			case in.Closed():
				closing = true
			default:
				in.ClosedBy, in.ClosedReason = "", ""
			}
			switch {
			case exists && reflect.DeepEqual(old, in):
				counts.Unchanged++
				continue
			case exists:
				counts.Updated++
			default:
				counts.Created++
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO institutions (id, name, region, municipality,
				legal_basis, places, address, postcode, city, email, closed_on, closed_by, closed_reason,
				created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region,
					municipality = excluded.municipality, legal_basis = excluded.legal_basis,
					places = excluded.places, address = excluded.address, postcode = excluded.postcode,
					city = excluded.city, email = excluded.email, closed_on = excluded.closed_on,
					closed_by = excluded.closed_by, closed_reason = excluded.closed_reason,
					updated_at = excluded.updated_at`),
				in.ID, in.Name, string(in.Region), nullIfEmpty(in.Municipality), string(in.LegalBasis), in.Places,
				in.Address, in.Postcode, in.City, in.Email, in.ClosedOn, in.ClosedBy, in.ClosedReason, now, now); err != nil {
				return fmt.Errorf("institution %s: %w", in.ID, err)
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM institution_target_groups WHERE institution_id = ?`), in.ID); err != nil {
				return err
			}
			for _, g := range in.TargetGroups {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO institution_target_groups (institution_id, target_group)
					VALUES (?, ?)`), in.ID, string(g)); err != nil {
					return fmt.Errorf("institution %s target group %s: %w", in.ID, g, err)
				}
			}
			if closing {
				c := closureOf(in)
				c.Created = !exists
				closures = append(closures, c)
				if audit != nil {
					if err := s.auditInstitutionTx(ctx, tx, in.ID, audit.ActorID, AuditCloseInstitution, c.details()); err != nil {
						return err
					}
				}
			}
		}
		if audit != nil {
			return s.auditRegistryTx(ctx, tx, *audit, &counts, nil)
		}
		return nil
	})
	if err != nil {
		return UpsertCounts{}, nil, err
	}
	return counts, closures, nil
}

// UpsertPeople writes people with their trainings, conflicts and employment history in one
// transaction, keyed by external ID; unchanged people are not touched.
func (s *Store) UpsertPeople(ctx context.Context, people []Person) (UpsertCounts, error) {
	counts, _, err := s.ImportPeople(ctx, people, nil)
	return counts, err
}

// ImportPeople is UpsertPeople that also returns the people whose role it changed (in the
// order given) and, unless audit is nil, writes the audit entry of the import in the same
// transaction.
func (s *Store) ImportPeople(ctx context.Context, people []Person, audit *RegistryAudit) (UpsertCounts, []RoleChange, error) {
	var (
		counts  UpsertCounts
		changes []RoleChange
	)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		counts, changes = UpsertCounts{}, nil
		now := s.stamp()
		for _, p := range people {
			p = normalisePerson(p)
			old, err := personTx(ctx, tx, p.ID)
			switch {
			case err == nil && reflect.DeepEqual(old, p):
				counts.Unchanged++
				continue
			case err == nil:
				counts.Updated++
				if old.Role != p.Role {
					changes = append(changes, RoleChange{PersonID: p.ID, From: old.Role, To: p.Role})
				}
			case isNotFound(err):
				counts.Created++
			default:
				return err
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO people (id, name, email, slack_user_id, role, region,
				home_institution, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
					slack_user_id = excluded.slack_user_id, role = excluded.role, region = excluded.region,
					home_institution = excluded.home_institution, updated_at = excluded.updated_at`),
				p.ID, p.Name, p.Email, p.SlackUserID, string(p.Role), nullIfEmpty(string(p.Region)),
				nullIfEmpty(p.HomeInstitution), now, now); err != nil {
				return fmt.Errorf("person %s: %w", p.ID, err)
			}
			for _, table := range []string{"trainings", "conflicts_of_interest", "employments", "person_target_groups"} {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM `+table+` WHERE person_id = ?`), p.ID); err != nil {
					return err
				}
			}
			for _, t := range p.Trainings {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO trainings (person_id, kind, completed_on) VALUES (?, ?, ?)`),
					p.ID, string(t.Kind), t.CompletedOn); err != nil {
					return fmt.Errorf("person %s training %s: %w", p.ID, t.Kind, err)
				}
			}
			for _, g := range p.TargetGroups {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO person_target_groups (person_id, target_group) VALUES (?, ?)`),
					p.ID, string(g)); err != nil {
					return fmt.Errorf("person %s target group %s: %w", p.ID, g, err)
				}
			}
			for _, inst := range p.Conflicts {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO conflicts_of_interest (person_id, institution_id) VALUES (?, ?)`),
					p.ID, inst); err != nil {
					return fmt.Errorf("person %s conflict with %s: %w", p.ID, inst, err)
				}
			}
			for _, e := range p.Employments {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO employments (person_id, institution_id, from_date, to_date)
					VALUES (?, ?, ?, ?)`), p.ID, e.InstitutionID, e.From, nullDate(e.To)); err != nil {
					return fmt.Errorf("person %s employment at %s: %w", p.ID, e.InstitutionID, err)
				}
			}
		}
		if audit != nil {
			return s.auditRegistryTx(ctx, tx, *audit, &counts, changes)
		}
		return nil
	})
	if err != nil {
		return UpsertCounts{}, nil, err
	}
	return counts, changes, nil
}

// InstitutionFilter narrows ListInstitutions; zero fields match everything.
type InstitutionFilter struct {
	Region      domain.Region
	TargetGroup domain.TargetGroup
}

// ListInstitutions returns institutions ordered by region and ID.
func (s *Store) ListInstitutions(ctx context.Context, f InstitutionFilter) ([]Institution, error) {
	query := `SELECT ` + institutionColumns + ` FROM institutions WHERE 1 = 1`
	var args []any
	if f.Region != "" {
		query += ` AND region = ?`
		args = append(args, string(f.Region))
	}
	if f.TargetGroup != "" {
		query += ` AND id IN (SELECT institution_id FROM institution_target_groups WHERE target_group = ?)`
		args = append(args, string(f.TargetGroup))
	}
	query += ` ORDER BY region, id`
	var out []Institution
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	groups, err := targetGroupsByInstitution(ctx, s.db)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].TargetGroups = groups[out[i].ID]
	}
	return out, nil
}

// Institution returns one institution.
func (s *Store) Institution(ctx context.Context, id string) (Institution, error) {
	return institutionTx(ctx, s.db, id)
}

// PersonFilter narrows ListPeople; zero fields match everything.
type PersonFilter struct {
	Role   domain.Role
	Region domain.Region
}

// ListPeople returns people with their trainings, conflicts and employments, ordered by ID.
func (s *Store) ListPeople(ctx context.Context, f PersonFilter) ([]Person, error) {
	query := `SELECT id, name, email, slack_user_id, role, COALESCE(region, '') AS region,
		COALESCE(home_institution, '') AS home_institution FROM people WHERE 1 = 1`
	var args []any
	if f.Role != "" {
		query += ` AND role = ?`
		args = append(args, string(f.Role))
	}
	if f.Region != "" {
		query += ` AND region = ?`
		args = append(args, string(f.Region))
	}
	query += ` ORDER BY id`
	var out []Person
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	details, err := personDetails(ctx, s.db, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		d := details[out[i].ID]
		out[i].Trainings, out[i].Conflicts, out[i].Employments = d.trainings, d.conflicts, d.employments
		out[i].TargetGroups = d.targetGroups
	}
	return out, nil
}

// Person returns one person with trainings, conflicts and employments.
func (s *Store) Person(ctx context.Context, id string) (Person, error) {
	return personTx(ctx, s.db, id)
}

type queryer interface {
	sqlx.QueryerContext
	Rebind(string) string
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func institutionTx(ctx context.Context, q queryer, id string) (Institution, error) {
	var in Institution
	err := q.GetContext(ctx, &in, q.Rebind(`SELECT `+institutionColumns+` FROM institutions WHERE id = ?`), id)
	if err != nil {
		return Institution{}, notFound(err, "institution "+id)
	}
	var groups []domain.TargetGroup
	if err := q.SelectContext(ctx, &groups, q.Rebind(`SELECT target_group FROM institution_target_groups
		WHERE institution_id = ? ORDER BY target_group`), id); err != nil {
		return Institution{}, err
	}
	in.TargetGroups = groups
	if len(in.TargetGroups) == 0 {
		in.TargetGroups = nil
	}
	return in, nil
}

func targetGroupsByInstitution(ctx context.Context, q queryer) (map[string][]domain.TargetGroup, error) {
	var rows []struct {
		Institution string             `db:"institution_id"`
		Group       domain.TargetGroup `db:"target_group"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT institution_id, target_group FROM institution_target_groups
		ORDER BY institution_id, target_group`); err != nil {
		return nil, err
	}
	out := map[string][]domain.TargetGroup{}
	for _, r := range rows {
		out[r.Institution] = append(out[r.Institution], r.Group)
	}
	return out, nil
}

type personDetail struct {
	trainings    []Training
	conflicts    []string
	employments  []Employment
	targetGroups []domain.TargetGroup
}

// personDetails loads trainings, conflicts, employments and target groups for one person, or
// all when id is empty, in four queries.
func personDetails(ctx context.Context, q queryer, id string) (map[string]personDetail, error) {
	where, args := "", []any{}
	if id != "" {
		where, args = " WHERE person_id = ?", []any{id}
	}
	out := map[string]personDetail{}
	var trainings []struct {
		Person string `db:"person_id"`
		Training
	}
	if err := q.SelectContext(ctx, &trainings, q.Rebind(`SELECT person_id, kind, completed_on FROM trainings`+where+
		` ORDER BY person_id, kind`), args...); err != nil {
		return nil, err
	}
	for _, t := range trainings {
		d := out[t.Person]
		d.trainings = append(d.trainings, t.Training)
		out[t.Person] = d
	}
	var conflicts []struct {
		Person      string `db:"person_id"`
		Institution string `db:"institution_id"`
	}
	if err := q.SelectContext(ctx, &conflicts, q.Rebind(`SELECT person_id, institution_id FROM conflicts_of_interest`+where+
		` ORDER BY person_id, institution_id`), args...); err != nil {
		return nil, err
	}
	for _, c := range conflicts {
		d := out[c.Person]
		d.conflicts = append(d.conflicts, c.Institution)
		out[c.Person] = d
	}
	var groups []struct {
		Person string             `db:"person_id"`
		Group  domain.TargetGroup `db:"target_group"`
	}
	if err := q.SelectContext(ctx, &groups, q.Rebind(`SELECT person_id, target_group FROM person_target_groups`+where+
		` ORDER BY person_id, target_group`), args...); err != nil {
		return nil, err
	}
	for _, g := range groups {
		d := out[g.Person]
		d.targetGroups = append(d.targetGroups, g.Group)
		out[g.Person] = d
	}
	var employments []struct {
		Person string         `db:"person_id"`
		Inst   string         `db:"institution_id"`
		From   domain.Date    `db:"from_date"`
		To     sql.NullString `db:"to_date"`
	}
	if err := q.SelectContext(ctx, &employments, q.Rebind(`SELECT person_id, institution_id, from_date, to_date
		FROM employments`+where+` ORDER BY person_id, from_date, institution_id`), args...); err != nil {
		return nil, err
	}
	for _, e := range employments {
		emp := Employment{InstitutionID: e.Inst, From: e.From}
		if e.To.Valid && e.To.String != "" {
			to, err := domain.ParseDate(e.To.String)
			if err != nil {
				return nil, fmt.Errorf("person %s employment end: %w", e.Person, err)
			}
			emp.To = to
		}
		d := out[e.Person]
		d.employments = append(d.employments, emp)
		out[e.Person] = d
	}
	return out, nil
}

func personTx(ctx context.Context, q queryer, id string) (Person, error) {
	var p Person
	if err := q.GetContext(ctx, &p, q.Rebind(`SELECT id, name, email, slack_user_id, role, COALESCE(region, '') AS region,
		COALESCE(home_institution, '') AS home_institution FROM people WHERE id = ?`), id); err != nil {
		return Person{}, notFound(err, "person "+id)
	}
	details, err := personDetails(ctx, q, id)
	if err != nil {
		return Person{}, err
	}
	d := details[id]
	p.Trainings, p.Conflicts, p.Employments = d.trainings, d.conflicts, d.employments
	p.TargetGroups = d.targetGroups
	return p, nil
}

// normalisePerson orders a person's lists the way they are read back, so that an unchanged
// import compares equal.
func normalisePerson(p Person) Person {
	p.Trainings = slices.Clone(p.Trainings)
	slices.SortFunc(p.Trainings, func(a, b Training) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	p.Conflicts = sortedUnique(p.Conflicts)
	p.TargetGroups = sortedUnique(p.TargetGroups)
	p.Employments = slices.Clone(p.Employments)
	slices.SortFunc(p.Employments, func(a, b Employment) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return strings.Compare(a.InstitutionID, b.InstitutionID)
	})
	if len(p.Trainings) == 0 {
		p.Trainings = nil
	}
	if len(p.Employments) == 0 {
		p.Employments = nil
	}
	return p
}

func sortedUnique[T ~string](in []T) []T {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullDate(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// RegistryCounts is the size of the registry.
type RegistryCounts struct {
	Institutions int `db:"institutions" json:"institutions"`
	People       int `db:"people" json:"people"`
}

// RegistryCounts counts institutions and people.
func (s *Store) RegistryCounts(ctx context.Context) (RegistryCounts, error) {
	var c RegistryCounts
	err := s.db.GetContext(ctx, &c, `SELECT (SELECT COUNT(*) FROM institutions) AS institutions,
		(SELECT COUNT(*) FROM people) AS people`)
	return c, err
}
