package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/internal/storetest"
	"github.com/kvalitetsmodel/accredit/store"
)

// clockStore is the example registry on a store whose clock the test moves.
func clockStore(t *testing.T, b storetest.Backend) (*store.Store, *time.Time) {
	t.Helper()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	st := b.Seeded(t, store.WithClock(func() time.Time { return now }))
	fixture.ExampleRegistry(t, st)
	return st, &now
}

// TestSignInLinkIsUsedOnce: a link signs in once, even when two browsers race with it; it is
// kept only as a hash; it expires; issuing it is audited.
func TestSignInLinkIsUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, now := clockStore(t, b)
		ctx := context.Background()
		token, expires, err := st.IssueSignInLink(ctx, "P-084", "P-131", 7*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 64 || !expires.Equal(now.Add(7*24*time.Hour)) {
			t.Errorf("token %q, expires %s", token, expires)
		}
		var stored int
		if err := st.DB().GetContext(ctx, &stored, st.DB().Rebind(`SELECT COUNT(*) FROM signin_links WHERE token_hash = ?`), token); err != nil || stored != 0 {
			t.Errorf("the token is stored as it is (%d, %v)", stored, err)
		}
		if p, err := st.SignInLinkPerson(ctx, token); err != nil || p != "P-084" {
			t.Errorf("SignInLinkPerson = %q, %v", p, err)
		}
		var wg sync.WaitGroup
		results := make([]error, 8)
		for i := range results {
			wg.Go(func() { _, results[i] = st.RedeemSignInLink(ctx, token) })
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			var le *store.SignInLinkError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &le) && le.Reason == store.LinkUsed:
			default:
				t.Errorf("redeem: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d browsers signed in with one link, want 1", ok)
		}
		var le *store.SignInLinkError
		if _, err := st.SignInLinkPerson(ctx, token); !errors.As(err, &le) || le.Reason != store.LinkUsed {
			t.Errorf("a used link: %v", err)
		}

		late, _, err := st.IssueSignInLink(ctx, "P-001", "P-131", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		*now = now.Add(time.Hour)
		if _, err := st.RedeemSignInLink(ctx, late); !errors.As(err, &le) || le.Reason != store.LinkExpired {
			t.Errorf("an expired link: %v", err)
		}
		if _, err := st.RedeemSignInLink(ctx, "nonsense"); !errors.As(err, &le) || le.Reason != store.LinkUnknown {
			t.Errorf("an unknown link: %v", err)
		}
		if _, _, err := st.IssueSignInLink(ctx, "P-999", "P-131", time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a link for nobody: %v", err)
		}
		trail, err := st.RegistryAuditTrail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		issued := 0
		for _, e := range trail {
			if e.Action == store.AuditIssueSignInLink && e.ActorID == "P-131" {
				issued++
				if !strings.Contains(e.Details, "P-084") && !strings.Contains(e.Details, "P-001") {
					t.Errorf("audit entry %+v", e)
				}
			}
		}
		if issued != 2 {
			t.Errorf("%d issued links audited, want 2", issued)
		}
	})
}

// TestSessions: a session is found by its ID until it expires or is deleted; only the ID's
// hash is stored; expired rows are cleared.
func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, now := clockStore(t, b)
		ctx := context.Background()
		id, sess, err := st.CreateSession(ctx, "P-137", "link", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.SessionByID(ctx, id)
		if err != nil || got.PersonID != "P-137" || got.CSRFToken != sess.CSRFToken || got.Method != "link" {
			t.Fatalf("SessionByID = %+v, %v", got, err)
		}
		var n int
		if err := st.DB().GetContext(ctx, &n, st.DB().Rebind(`SELECT COUNT(*) FROM web_sessions WHERE id_hash = ?`), store.HashSecret(id)); err != nil || n != 1 {
			t.Errorf("the session is not stored by its hash")
		}
		other, _, _ := st.CreateSession(ctx, "P-001", "oidc", 3*time.Hour)
		if err := st.DeleteSession(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a deleted session: %v", err)
		}
		*now = now.Add(4 * time.Hour)
		if _, err := st.SessionByID(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an expired session: %v", err)
		}
		if cleared, err := st.DeleteExpired(ctx); err != nil || cleared != 1 {
			t.Errorf("DeleteExpired = %d, %v", cleared, err)
		}
	})
}

// TestReportDrafts: one draft per step and author, replaced when saved again.
func TestReportDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, _ := clockStore(t, b)
		ctx := context.Background()
		if err := st.SaveReportDraft(ctx, "H-01", 1, "report", "P-084", `{"summary":["a"]}`); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveReportDraft(ctx, "H-01", 1, "report", "P-084", `{"summary":["b"]}`); err != nil {
			t.Fatal(err)
		}
		d, err := st.ReportDraftOf(ctx, "H-01", 1, "report", "P-084")
		if err != nil || d.Content != `{"summary":["b"]}` {
			t.Errorf("draft %+v, %v", d, err)
		}
		if _, err := st.ReportDraftOf(ctx, "H-01", 1, "report", "P-085"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another author's draft: %v", err)
		}
		if err := st.DeleteReportDraft(ctx, "H-01", 1, "report", "P-084"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReportDraftOf(ctx, "H-01", 1, "report", "P-084"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a deleted draft: %v", err)
		}
	})
}

// TestDashboardQuery: open steps only, with names, filtered and scoped, counted on each
// cycle's own calendar, the longest overdue (in real time) first.
func TestDashboardQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, now := clockStore(t, b)
		ctx := context.Background()
		// H-01 on real days, S-01 on a demo calendar where a day lasts an hour.
		for _, c := range []store.CycleRow{
			{InstitutionID: "H-01", Number: 1, WorkflowID: "cycle/H-01", StartDate: domain.NewDate(2027, 1, 4), Status: "running",
				Generation: 1, AnchorDate: domain.NewDate(2027, 1, 4), AnchorTime: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), DayLengthMS: 86_400_000, Revision: 1},
			{InstitutionID: "S-01", Number: 1, WorkflowID: "cycle/S-01", StartDate: domain.NewDate(2027, 1, 1), Status: "running",
				Generation: 1, AnchorDate: domain.NewDate(2027, 1, 1), AnchorTime: now.Add(-40 * time.Hour), DayLengthMS: 3_600_000, Revision: 1},
		} {
			if err := st.UpsertCycle(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []store.StepRow{
			{ID: "h1", InstitutionID: "H-01", Cycle: 1, Step: "self-evaluation", Region: domain.Hovedstaden, HolderID: "P-001",
				Opened: domain.NewDate(2027, 1, 4), Due: domain.NewDate(2027, 2, 22), Status: "open", Revision: 1},
			{ID: "h0", InstitutionID: "H-01", Cycle: 1, Step: "invitation/lead/1", Region: domain.Hovedstaden, HolderID: "P-084",
				Opened: domain.NewDate(2027, 1, 4), Due: domain.NewDate(2027, 1, 9), Status: "done", Revision: 1},
			{ID: "s1", InstitutionID: "S-01", Cycle: 1, Step: "invitation/lead/1", Region: domain.Sjaelland, HolderID: "P-084",
				Opened: domain.NewDate(2027, 1, 1), Due: domain.NewDate(2027, 1, 2), Status: "open", Revision: 1},
		} {
			if err := st.UpsertStep(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := st.Dashboard(ctx, store.DashboardFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows, want the 2 open steps", len(rows))
		}
		if err := st.FillNames(ctx, rows); err != nil {
			t.Fatal(err)
		}
		// H-01 has been overdue for six days of wall time; S-01's demo calendar is at 2027-01-01 +
		// 40 days, 39 of its days overdue, but only since 38 hours ago: the order is by how long
		// each has been overdue in real time (overdue_at), as starter steps list has it.
		if rows[0].InstitutionID != "H-01" || rows[0].DaysOverdue != 7 || rows[0].StepKind() != "self-evaluation" {
			t.Errorf("first row %+v", rows[0])
		}
		if rows[1].InstitutionID != "S-01" || rows[1].DaysOverdue != 39 || rows[1].Today != domain.NewDate(2027, 2, 10) ||
			rows[1].HolderName != "Mette Petersen" || rows[1].InstitutionName != "Bostedet Kildegården" {
			t.Errorf("second row %+v", rows[1])
		}
		for _, f := range []store.DashboardFilter{{Region: domain.Sjaelland}, {Step: "invitation"}, {HolderID: "P-084"},
			{InstitutionID: "S-01"}, {ScopeInstitutions: []string{"S-01", "N-01"}}, {ScopeRegion: domain.Sjaelland}} {
			rows, err := st.Dashboard(ctx, f)
			if err != nil || len(rows) != 1 || rows[0].InstitutionID != "S-01" {
				t.Errorf("filter %+v: %v, %v", f, rows, err)
			}
		}
		if rows, _ := st.Dashboard(ctx, store.DashboardFilter{ScopeInstitutions: []string{}}); len(rows) != 0 {
			t.Errorf("an empty scope shows %d rows", len(rows))
		}
		if rows, _ := st.Dashboard(ctx, store.DashboardFilter{Step: "invitation_"}); len(rows) != 0 {
			t.Errorf("LIKE wildcards in a step filter match")
		}
	})
}

// TestPersonByEmail: matched without regard to case; an address two people share is refused.
func TestPersonByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, _ := clockStore(t, b)
		ctx := context.Background()
		p, err := st.PersonByEmail(ctx, " Mette.Petersen@RegionSjaelland.DK ")
		if err != nil || p.ID != "P-084" {
			t.Fatalf("PersonByEmail = %+v, %v", p, err)
		}
		if _, err := st.PersonByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown address: %v", err)
		}
		if _, err := st.DB().ExecContext(ctx, `UPDATE people SET email = 'delt@example.dk' WHERE id IN ('P-001', 'P-002')`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PersonByEmail(ctx, "delt@example.dk"); err == nil || !strings.Contains(err.Error(), "P-001, P-002") {
			t.Errorf("shared address: %v", err)
		}
	})
}

// TestDashboardPageAgreesWithDashboard: a page and its counts are what the full list says,
// on the fast path (every cycle on real days) and with a demo-speed cycle among them.
func TestDashboardPageAgreesWithDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, now := clockStore(t, b)
		ctx := context.Background()
		insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		today := domain.DateOf(*now)
		for i, in := range insts {
			c := store.CycleRow{InstitutionID: in.ID, Number: 1, WorkflowID: "cycle/" + in.ID, StartDate: today.AddDays(-400),
				Status: "running", Generation: 1, AnchorDate: today.AddDays(-400), AnchorTime: today.AddDays(-400).Time(),
				DayLengthMS: 86_400_000, Revision: 1}
			if err := st.UpsertCycle(ctx, c); err != nil {
				t.Fatal(err)
			}
			for j, key := range []string{"self-evaluation", "invitation/lead/1", "visit-date"} {
				if err := st.UpsertStep(ctx, store.StepRow{ID: in.ID + "/" + key, InstitutionID: in.ID, Cycle: 1, Step: key,
					Region: in.Region, HolderID: "P-001", Opened: today.AddDays(-60), Due: today.AddDays((i*7+j*13)%40 - 20),
					Status: "open", Revision: 1}); err != nil {
					t.Fatal(err)
				}
			}
		}
		check := func(name string) {
			for _, f := range []store.DashboardFilter{{}, {Region: domain.Sjaelland}, {Step: "invitation"}, {ScopeInstitutions: []string{"H-01", "S-02"}}} {
				for _, overdue := range []bool{false, true} {
					all, err := st.Dashboard(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					var want []store.DashboardRow
					late := 0
					for _, r := range all {
						if !overdue || r.DaysOverdue > 0 {
							want = append(want, r)
							if r.DaysOverdue > 0 {
								late++
							}
						}
					}
					for _, off := range []int{0, 7, 50} {
						page, err := st.DashboardPage(ctx, f, overdue, off, 7)
						if err != nil {
							t.Fatal(err)
						}
						if page.Total != len(want) || page.Overdue != late {
							t.Errorf("%s %+v overdue=%t: total %d overdue %d, want %d %d", name, f, overdue, page.Total, page.Overdue, len(want), late)
						}
						wantPage := want[min(off, len(want)):min(len(want), off+7)]
						if len(page.Rows) != len(wantPage) {
							t.Fatalf("%s %+v: page at %d has %d rows, want %d", name, f, off, len(page.Rows), len(wantPage))
						}
						for i := range wantPage {
							if page.Rows[i].StepID != wantPage[i].StepID || page.Rows[i].DaysOverdue != wantPage[i].DaysOverdue {
								t.Errorf("%s %+v: row %d is %s (%d), want %s (%d)", name, f, off+i, page.Rows[i].StepID,
									page.Rows[i].DaysOverdue, wantPage[i].StepID, wantPage[i].DaysOverdue)
							}
						}
						sum := 0
						for _, c := range page.Counts {
							sum += c.Open
						}
						if sum != page.Total {
							t.Errorf("%s: counts add up to %d, want %d", name, sum, page.Total)
						}
					}
				}
			}
		}
		check("real days")
		// H-05 on a demo calendar that is 30 days ahead.
		if err := st.UpsertCycle(ctx, store.CycleRow{InstitutionID: "H-05", Number: 1, WorkflowID: "cycle/H-05", StartDate: today.AddDays(-30),
			Status: "running", Generation: 1, AnchorDate: today, AnchorTime: now.Add(-30 * time.Minute), DayLengthMS: 60_000, Revision: 2}); err != nil {
			t.Fatal(err)
		}
		// Its steps are written again, as the workflow writes them on its calendar.
		for j, key := range []string{"self-evaluation", "invitation/lead/1", "visit-date"} {
			if err := st.UpsertStep(ctx, store.StepRow{ID: "H-05/" + key, InstitutionID: "H-05", Cycle: 1, Step: key,
				Region: domain.Hovedstaden, HolderID: "P-001", Opened: today.AddDays(-60), Due: today.AddDays(j*11 - 5),
				Status: "open", Revision: 2}); err != nil {
				t.Fatal(err)
			}
		}
		check("with a demo-speed cycle")
	})
}
