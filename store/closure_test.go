package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Closing and reopening an institution (issue 9, point 6).

func TestCloseInstitution(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		on := date(2027, 3, 1)
		in, already, err := s.CloseInstitution(ctx, "inst-a", on, "sec-h", "Tilbuddet er nedlagt")
		if err != nil || already {
			t.Fatalf("CloseInstitution: already %t, %v", already, err)
		}
		if !in.Closed() || in.ClosedOn != on || in.ClosedBy != "sec-h" || in.ClosedReason != "Tilbuddet er nedlagt" || in.Name != "Bostedet inst-a" {
			t.Errorf("closed institution %+v", in)
		}
		// The read model carries it, one by one and in lists.
		got, err := s.Institution(ctx, "inst-a")
		if err != nil || got.ClosedOn != on || got.ClosedBy != "sec-h" || got.ClosedReason != "Tilbuddet er nedlagt" {
			t.Errorf("Institution(inst-a) = %+v, %v", got, err)
		}
		list, err := s.ListInstitutions(ctx, InstitutionFilter{Region: domain.Hovedstaden})
		if err != nil || len(list) != 2 || !list[0].Closed() || list[1].Closed() {
			t.Errorf("ListInstitutions = %+v, %v; want inst-a closed and inst-b open", list, err)
		}
		trail, err := s.AuditTrail(ctx, "inst-a")
		if err != nil || len(trail) != 1 || trail[0].Action != AuditCloseInstitution || trail[0].ActorID != "sec-h" ||
			trail[0].Cycle != 0 || trail[0].Details != "closed on 2027-03-01: Tilbuddet er nedlagt" {
			t.Errorf("audit trail %+v, %v", trail, err)
		}

		// Closing again records nothing and says when, by whom and why it closed.
		again, already, err := s.CloseInstitution(ctx, "inst-a", date(2027, 4, 1), "sec-n", "igen")
		if err != nil || !already || again.ClosedOn != on || again.ClosedBy != "sec-h" {
			t.Errorf("second close: %+v, already %t, %v", again, already, err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE institution_id = 'inst-a'`); n != 1 {
			t.Errorf("%d audit entries after closing twice, want 1", n)
		}

		if _, _, err := s.CloseInstitution(ctx, "inst-x", on, "sec-h", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("closing an unknown institution: %v, want ErrNotFound", err)
		}
		if _, _, err := s.CloseInstitution(ctx, "inst-b", on, "sec-h", " "); err == nil {
			t.Error("a closure without a reason was recorded")
		}
	})
}

func TestReopenInstitution(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		if _, err := s.ReopenInstitution(ctx, "inst-a", "sec-h", "fejl"); !errors.Is(err, ErrNotClosed) {
			t.Errorf("reopening an open institution: %v, want ErrNotClosed", err)
		}
		if _, _, err := s.CloseInstitution(ctx, "inst-a", date(2027, 3, 1), "sec-h", "Tilbuddet er nedlagt"); err != nil {
			t.Fatal(err)
		}
		was, err := s.ReopenInstitution(ctx, "inst-a", "sec-n", "Lukket ved en fejl")
		if err != nil || was.ClosedOn != date(2027, 3, 1) {
			t.Fatalf("ReopenInstitution: %+v, %v", was, err)
		}
		in, err := s.Institution(ctx, "inst-a")
		if err != nil || in.Closed() || in.ClosedBy != "" || in.ClosedReason != "" {
			t.Errorf("after reopening: %+v, %v", in, err)
		}
		trail, err := s.AuditTrail(ctx, "inst-a")
		if err != nil || len(trail) != 2 || trail[1].Action != AuditReopenInstitution || trail[1].ActorID != "sec-n" ||
			!strings.Contains(trail[1].Details, "Lukket ved en fejl") || !strings.Contains(trail[1].Details, "closed on 2027-03-01: Tilbuddet er nedlagt (recorded by sec-h)") {
			t.Errorf("audit trail %+v, %v", trail, err)
		}
	})
}

// TestImportKeepsAClosure: an import writes closed_on, keeps who closed an institution and
// why, and refuses to reopen one or move its day (the registry's line-numbered check runs
// first; this is the store's own guard, in the write transaction).
func TestImportKeepsAClosure(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		on := date(2027, 3, 1)
		closed := institution("inst-a", domain.Hovedstaden)
		closed.ClosedOn, closed.ClosedBy, closed.ClosedReason = on, "sec-h", "closed_on in institutions.csv"
		counts, closures, err := s.ImportInstitutions(ctx, nil, []Institution{closed, institution("inst-d", domain.Sjaelland)},
			&RegistryAudit{ActorID: "sec-h", Action: AuditImportInstitutions, Subject: "institutions.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if counts != (UpsertCounts{Created: 1, Updated: 1}) || len(closures) != 1 || closures[0].InstitutionID != "inst-a" ||
			closures[0].Created || closures[0].On != on || closures[0].By != "sec-h" {
			t.Errorf("import: %+v, closures %+v", counts, closures)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_log WHERE institution_id = 'inst-a' AND action = ?`, AuditCloseInstitution); n != 1 {
			t.Errorf("%d closing entries in inst-a's trail, want 1", n)
		}

		// The same day from another importer: unchanged, and the closure stays sec-h's.
		same := institution("inst-a", domain.Hovedstaden)
		same.ClosedOn, same.ClosedBy, same.ClosedReason = on, "sec-n", "closed_on in other.csv"
		counts, closures, err = s.ImportInstitutions(ctx, nil, []Institution{same}, nil)
		if err != nil || counts != (UpsertCounts{Unchanged: 1}) || len(closures) != 0 {
			t.Errorf("re-import with the same day: %+v, %+v, %v", counts, closures, err)
		}
		for _, c := range []struct {
			name  string
			given domain.Date
		}{{"reopen", domain.Date{}}, {"another day", date(2027, 2, 1)}} {
			row := institution("inst-a", domain.Hovedstaden)
			row.ClosedOn = c.given
			_, _, err := s.ImportInstitutions(ctx, nil, []Institution{institution("inst-e", domain.Sjaelland), row}, nil)
			var ce *ClosedError
			if !errors.As(err, &ce) || ce.Institution.ID != "inst-a" || ce.Given != c.given {
				t.Errorf("%s: %v, want a *ClosedError for inst-a", c.name, err)
			}
			if _, err := s.Institution(ctx, "inst-e"); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: the refused import wrote inst-e (%v)", c.name, err)
			}
		}
		in, err := s.Institution(ctx, "inst-a")
		if err != nil || in.ClosedOn != on || in.ClosedBy != "sec-h" || in.ClosedReason != "closed_on in institutions.csv" {
			t.Errorf("inst-a: %+v, %v", in, err)
		}
	})
}
