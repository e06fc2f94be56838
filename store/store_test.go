package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// newestMigration is the highest version number among store/migrations/NNNNN_*.sql.
func newestMigration(t *testing.T) int64 {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(\d+)_.*\.sql$`)
	var newest int64
	for _, e := range entries {
		m := re.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		newest = max(newest, n)
	}
	if newest == 0 {
		t.Fatal("no migrations found in store/migrations")
	}
	return newest
}

func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, s.DB().Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// dump is every row of a table, rendered and sorted, to compare a table before and after.
func dump(t *testing.T, s *Store, table string) []string {
	t.Helper()
	rows, err := s.DB().Queryx(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			v := m[k]
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v;", k, v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

var seededTables = []string{"regions", "target_groups", "catalogue_generations", "themes", "standards", "indicators"}

func TestMigrateFromNothing(t *testing.T) {
	ctx := context.Background()
	want := newestMigration(t)
	check := func(t *testing.T, s *Store) {
		t.Helper()
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatalf("SchemaVersion: %v", err)
		}
		if v != want {
			t.Errorf("SchemaVersion = %d, want %d (the newest file in store/migrations)", v, want)
		}
		have := tables(t, s)
		for _, table := range append([]string{"institutions", "people", "cycles", "steps", "submissions",
			"outbox", "audit_log"}, seededTables...) {
			if !slices.Contains(have, table) {
				t.Errorf("table %s missing after migration (tables: %v)", table, have)
			}
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
	}
	eachBackend(t, func(t *testing.T, b backend) {
		if b.name == "postgres" {
			check(t, b.empty(t)) // an empty database
			return
		}
		dir := t.TempDir()
		for name, prepare := range map[string]func(path string){
			"missing file":    func(string) {},
			"empty file":      func(p string) { _ = os.WriteFile(p, nil, 0o644) },
			"missing folders": func(string) {},
		} {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"), "accredit.db")
				if name != "missing folders" {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				prepare(path)
				check(t, openAt(t, path))
			})
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		loc := b.location(t)
		s, err := Open(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpsertInstitutions(ctx, nil, []Institution{institution("inst-1", domain.Hovedstaden)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		s = b.open(t, loc)
		in, err := s.Institution(ctx, "inst-1")
		if err != nil {
			t.Fatalf("institution lost on reopen: %v", err)
		}
		if in.Name != "Bostedet inst-1" {
			t.Errorf("reopened institution name = %q", in.Name)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM regions`); n != len(domain.Regions()) {
			t.Errorf("regions after reopen = %d, want %d", n, len(domain.Regions()))
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != newestMigration(t) {
			t.Errorf("SchemaVersion after reopen = %d, %v", v, err)
		}
		if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Errorf("Migrate after reopen applied %v, %v; want nothing", applied, err)
		}
	})
}

func TestSeed(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		gen := domain.FirstGeneration()
		var standards, indicators int
		for _, th := range gen.Themes {
			standards += len(th.Standards)
			for _, st := range th.Standards {
				indicators += len(st.Indicators)
			}
		}
		if len(gen.Themes) != 6 || standards != 6 || indicators == 0 {
			t.Fatalf("domain.FirstGeneration has %d themes, %d standards, %d indicators; the test expects 6, 6, >0",
				len(gen.Themes), standards, indicators)
		}

		if n := count(t, s, `SELECT COUNT(*) FROM regions`); n != 5 {
			t.Errorf("regions = %d, want 5", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM target_groups`); n != 7 {
			t.Errorf("target groups = %d, want 7", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM catalogue_generations WHERE number = 1`); n != 1 {
			t.Errorf("generation 1 rows = %d, want 1", n)
		}
		want := CatalogueCounts{Themes: 6, Standards: 6, Indicators: indicators}
		got, err := s.CatalogueCounts(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("CatalogueCounts(1) = %+v, want %+v", got, want)
		}

		// The stored rows say what the domain says.
		first := gen.Themes[0].Standards[0]
		var title, theme string
		if err := s.DB().QueryRowx(s.DB().Rebind(`SELECT title_da, theme FROM standards WHERE generation = 1 AND code = ?`), first.Code).
			Scan(&title, &theme); err != nil {
			t.Fatalf("standard %s: %v", first.Code, err)
		}
		if title != first.Title.DA || theme != gen.Themes[0].Code {
			t.Errorf("standard %s stored as (%q, theme %q), want (%q, theme %q)", first.Code, title, theme, first.Title.DA, gen.Themes[0].Code)
		}
		for _, r := range domain.Regions() {
			var name string
			if err := s.DB().Get(&name, s.DB().Rebind(`SELECT name FROM regions WHERE code = ?`), string(r)); err != nil || name != r.Name() {
				t.Errorf("region %s stored as %q (%v), want %q", r, name, err, r.Name())
			}
		}
		var themes []string
		if err := s.DB().Select(&themes, `SELECT code FROM themes WHERE generation = 1 ORDER BY position`); err != nil {
			t.Fatal(err)
		}
		var wantThemes []string
		for i, th := range gen.Themes {
			wantThemes = append(wantThemes, th.Code)
			if n := count(t, s, `SELECT COUNT(*) FROM themes WHERE generation = 1 AND code = ? AND position = ?`, th.Code, i+1); n != 1 {
				t.Errorf("theme %s is not stored at position %d", th.Code, i+1)
			}
		}
		if !slices.Equal(themes, wantThemes) {
			t.Errorf("themes by position = %v, want %v", themes, wantThemes)
		}
		for _, st := range gen.Standards() {
			if n := count(t, s, `SELECT COUNT(*) FROM indicators WHERE generation = 1 AND standard = ?`, st.Code); n != len(st.Indicators) {
				t.Errorf("standard %s has %d stored indicators, want %d", st.Code, n, len(st.Indicators))
			}
		}
	})
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		before := map[string][]string{}
		for _, table := range seededTables {
			before[table] = dump(t, s, table)
		}
		if err := s.Seed(ctx); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		for _, table := range seededTables {
			if after := dump(t, s, table); !reflect.DeepEqual(before[table], after) {
				t.Errorf("second Seed changed table %s:\nbefore %d rows: %v\nafter %d rows: %v",
					table, len(before[table]), before[table], len(after), after)
			}
		}

		// Seed also repairs reference data that was changed by hand.
		if _, err := s.DB().Exec(`UPDATE standards SET title_da = 'ændret' WHERE generation = 1 AND code = '1.1'`); err != nil {
			t.Fatal(err)
		}
		if err := s.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		if after := dump(t, s, "standards"); !reflect.DeepEqual(before["standards"], after) {
			t.Error("Seed did not restore a changed standard title")
		}
	})
}

func TestForeignKeysAreEnforced(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		if s.Backend() == "sqlite" {
			if n := count(t, s, `PRAGMA foreign_keys`); n != 1 {
				t.Errorf("PRAGMA foreign_keys = %d, want 1", n)
			}
		}
		bad := institution("inst-x", domain.Region("jylland"))
		_, err := s.UpsertInstitutions(ctx, nil, []Institution{institution("inst-ok", domain.Sjaelland), bad})
		if err == nil {
			t.Fatal("UpsertInstitutions with an unknown region succeeded, want a foreign key error")
		}
		if !strings.Contains(strings.ToUpper(err.Error()), "FOREIGN KEY") || !strings.Contains(err.Error(), "inst-x") {
			t.Errorf("error = %v, want a FOREIGN KEY error naming inst-x", err)
		}
		// The transaction is all or nothing.
		if n := count(t, s, `SELECT COUNT(*) FROM institutions`); n != 0 {
			t.Errorf("%d institutions written by a failed import, want 0", n)
		}
		// A step of an unknown institution is refused too.
		err = s.UpsertStep(ctx, step("s-x", "nobody", domain.Sjaelland, "self-evaluation-1", "open", date(2025, 1, 1), 1))
		if err == nil {
			t.Error("UpsertStep for an unknown institution succeeded, want a foreign key error")
		}
	})
}

func TestWALMode(t *testing.T) {
	s := seeded(t)
	var mode string
	if err := s.DB().Get(&mode, `PRAGMA journal_mode`); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("PRAGMA journal_mode = %q, want wal", mode)
	}
}

// --- read model --------------------------------------------------------------------------

func date(y int, m time.Month, d int) domain.Date { return domain.NewDate(y, m, d) }

func institution(id string, r domain.Region) Institution {
	return Institution{ID: id, Name: "Bostedet " + id, Region: r, LegalBasis: domain.Section107,
		TargetGroups: []domain.TargetGroup{domain.Autism}, Places: 12}
}

func step(id, inst string, r domain.Region, name, status string, due domain.Date, rev int) StepRow {
	return StepRow{ID: id, InstitutionID: inst, Cycle: 1, Step: name, Title: name + " " + inst, Region: r,
		HolderID: "mgr-" + inst, HolderRole: string(domain.RoleInstitutionManager), Opened: due.AddDays(-56),
		Due: due, Status: status, Revision: int64(rev)}
}

func TestUpsertStepKeepsNewestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		due := date(2025, 3, 3)
		v2 := step("a-1-se1", "inst-a", domain.Hovedstaden, "self-evaluation-1", "open", due, 2)
		v2.Escalation = 1
		if err := s.UpsertStep(ctx, v2); err != nil {
			t.Fatal(err)
		}

		// A late activity with an older revision must not undo the newer state.
		v1 := v2
		v1.Revision, v1.Status, v1.Closed, v1.ClosedBy, v1.Escalation = 1, "done", date(2025, 2, 1), "mgr-inst-a", 0
		v1.Due = date(2025, 4, 1)
		if err := s.UpsertStep(ctx, v1); err != nil {
			t.Fatal(err)
		}
		got, err := s.Steps(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("Steps = %d rows, want 1", len(got))
		}
		if got[0].Revision != 2 || got[0].Status != "open" || !got[0].Due.Equal(due) || got[0].Escalation != 1 || !got[0].Closed.IsZero() {
			t.Errorf("after an older revision: %+v, want revision 2, open, due %s, escalation 1", got[0], due)
		}

		// A newer revision does overwrite.
		v3 := v1
		v3.Revision = 3
		if err := s.UpsertStep(ctx, v3); err != nil {
			t.Fatal(err)
		}
		got, err = s.Steps(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Revision != 3 || got[0].Status != "done" || !got[0].Closed.Equal(date(2025, 2, 1)) ||
			got[0].ClosedBy != "mgr-inst-a" || !got[0].Due.Equal(date(2025, 4, 1)) {
			t.Errorf("after a newer revision: %+v, want revision 3, done, closed 2025-02-01", got)
		}
	})
}

func TestInsertSubmissionIsIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		sub := Submission{ID: "sub-1", InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1", Kind: "self-evaluation",
			SubmittedBy: "mgr-inst-a", SubmittedOn: date(2025, 2, 20), Payload: `{"first":true}`}
		ratings := []Rating{{Standard: "1.1", Rating: 3}, {Standard: "2.1", Rating: 4, Note: "ok"}}
		values := map[string]string{"1.1.1": "yes", "2.1.1": "92 %"}
		if err := s.InsertSubmission(ctx, sub, ratings, values); err != nil {
			t.Fatal(err)
		}
		// A retried activity sends the same ID, possibly with other content: nothing changes.
		again := sub
		again.Payload = `{"first":false}`
		if err := s.InsertSubmission(ctx, again, append(ratings, Rating{Standard: "3.1", Rating: 1}),
			map[string]string{"3.1.1": "no"}); err != nil {
			t.Fatalf("second InsertSubmission: %v", err)
		}
		subs, err := s.Submissions(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 || subs[0].Payload != `{"first":true}` || !subs[0].SubmittedOn.Equal(date(2025, 2, 20)) {
			t.Errorf("Submissions = %+v, want the first one only", subs)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM self_evaluation_ratings WHERE submission_id = 'sub-1'`); n != 2 {
			t.Errorf("ratings = %d, want 2 (one set)", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM indicator_values WHERE submission_id = 'sub-1'`); n != 2 {
			t.Errorf("indicator values = %d, want 2 (one set)", n)
		}
	})
}

func TestEnqueueNotificationOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		m := OutboxMessage{ID: "reminder/inst-a/1/self-evaluation-1/14d", Kind: "reminder", RecipientID: "mgr-inst-a",
			InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1", Subject: "Selvevaluering", Body: "Husk",
			Due: sql.NullString{String: "2025-03-03", Valid: true}}
		created, err := s.EnqueueNotification(ctx, m)
		if err != nil || !created {
			t.Fatalf("first EnqueueNotification = %v, %v; want true, nil", created, err)
		}
		m.Subject = "changed"
		created, err = s.EnqueueNotification(ctx, m)
		if err != nil || created {
			t.Fatalf("second EnqueueNotification = %v, %v; want false, nil", created, err)
		}
		msgs, err := s.Outbox(ctx, OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].Subject != "Selvevaluering" || msgs[0].Status != OutboxQueued {
			t.Errorf("Outbox = %+v, want one queued message with the first subject", msgs)
		}
	})
}

func TestAuditOncePerID(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		e := AuditEntry{ID: "audit-1", At: time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC), ActorID: "sec-1",
			Action: "extend", InstitutionID: "inst-a", Cycle: 1, Step: "self-evaluation-1", Details: "2 weeks"}
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
		// A retried activity writes the same ID again: the first entry stands.
		again := e
		again.Details, again.At = "retried", e.At.Add(time.Hour)
		if err := s.Audit(ctx, again); err != nil {
			t.Fatal(err)
		}
		trail, err := s.AuditTrail(ctx, "inst-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(trail) != 1 || trail[0].Action != "extend" || trail[0].Details != "2 weeks" || !trail[0].At.Equal(e.At) {
			t.Errorf("AuditTrail = %+v, want one entry", trail)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log`); n != 1 {
			t.Errorf("audit_log rows = %d, want 1", n)
		}
	})
}

func TestOpenSteps(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		rows := []StepRow{
			step("a-se", "inst-a", domain.Hovedstaden, "self-evaluation-1", "open", date(2025, 3, 10), 1),
			step("a-rep", "inst-a", domain.Hovedstaden, "report", "open", date(2025, 1, 15), 1),
			step("b-se", "inst-b", domain.Hovedstaden, "self-evaluation-1", "open", date(2025, 2, 1), 1),
			step("c-se", "inst-c", domain.Nordjylland, "self-evaluation-1", "open", date(2025, 1, 20), 1),
			step("c-done", "inst-c", domain.Nordjylland, "visit-date", "done", date(2024, 12, 1), 1),
			step("b-lead", "inst-b", domain.Hovedstaden, "invitation/lead/1", "open", date(2025, 4, 1), 1),
			step("b-user", "inst-b", domain.Hovedstaden, "invitation/user-representative/2", "open", date(2025, 4, 2), 1),
		}
		rows[1].HolderID = "rev-2"
		for _, r := range rows {
			if err := s.UpsertStep(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f StepFilter) []string {
			t.Helper()
			got, err := s.OpenSteps(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range got {
				out = append(out, r.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    StepFilter
			want []string
		}{
			{"all open, earliest due first", StepFilter{}, []string{"a-rep", "c-se", "b-se", "a-se", "b-lead", "b-user"}},
			{"region", StepFilter{Region: domain.Hovedstaden}, []string{"a-rep", "b-se", "a-se", "b-lead", "b-user"}},
			{"a key matches its sub-steps", StepFilter{Step: "invitation"}, []string{"b-lead", "b-user"}},
			{"and deeper ones", StepFilter{Step: "invitation/lead"}, []string{"b-lead"}},
			{"but not a longer key", StepFilter{Step: "invitation/lea"}, nil},
			{"wildcards are literal", StepFilter{Step: "invitation/_ead"}, nil},
			{"step", StepFilter{Step: "self-evaluation-1"}, []string{"c-se", "b-se", "a-se"}},
			{"institution", StepFilter{InstitutionID: "inst-a"}, []string{"a-rep", "a-se"}},
			{"holder", StepFilter{HolderID: "rev-2"}, []string{"a-rep"}},
			{"region and step", StepFilter{Region: domain.Nordjylland, Step: "self-evaluation-1"}, []string{"c-se"}},
			{"closed steps are not open", StepFilter{Step: "visit-date"}, nil},
			{"no match", StepFilter{Region: domain.Syddanmark}, nil},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: OpenSteps(%+v) = %v, want %v", c.name, c.f, got, c.want)
			}
		}
	})
}

func TestReviewerLoad(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		n := 0
		assign := func(person, inst string, seat domain.TeamRole, status string, invited domain.Date) {
			t.Helper()
			n++
			if err := s.UpsertAssignment(ctx, AssignmentRow{ID: fmt.Sprintf("as-%d", n), InstitutionID: inst, Cycle: 1,
				Role: string(seat), PersonID: person, Status: status, InvitedOn: invited, AnswerDue: invited.AddDays(5)}); err != nil {
				t.Fatal(err)
			}
		}
		assign("rev-1", "inst-a", domain.SeatLead, "accepted", date(2025, 2, 1))
		assign("rev-1", "inst-b", domain.SeatProfessional, "assigned", date(2025, 6, 1))
		assign("rev-1", "inst-a", domain.SeatLead, "invited", date(2026, 1, 10))
		assign("rev-1", "inst-b", domain.SeatLead, "declined", date(2025, 3, 1))
		assign("rev-2", "inst-c", domain.SeatLead, "assigned", date(2024, 11, 1))
		assign("rev-2", "inst-c", domain.SeatProfessional, "invited", date(2024, 12, 1))
		assign("rev-3", "inst-c", domain.SeatLead, "declined", date(2025, 1, 1))
		assign("rev-3", "inst-c", domain.SeatLead, "expired", date(2025, 1, 8))

		got, err := s.ReviewerLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]Load{
			"rev-1": {ByYear: map[int]int{2025: 2, 2026: 1}, Completed: 2, Led: 1},
			"rev-2": {ByYear: map[int]int{2024: 2}, Completed: 1, Led: 1},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ReviewerLoad = %+v\nwant %+v", got, want)
		}
	})
}
