package store

import (
	"context"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Every read-model table a workflow writes keeps the newest revision of a row, whatever
// order the writes arrive in: an activity retried after a crash can land after the write
// that followed it. Each test delivers the newer write first.

func TestUpsertAssignmentKeepsNewestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		invited := AssignmentRow{ID: "cycle/inst-a/1/external-evaluation/lead/rev-1", InstitutionID: "inst-a", Cycle: 1,
			Role: string(domain.SeatLead), PersonID: "rev-1", Status: "invited", InvitedOn: date(2027, 1, 4),
			AnswerDue: date(2027, 1, 9), Revision: 10}
		accepted := invited
		accepted.Status, accepted.AnsweredOn, accepted.Revision = "accepted", date(2027, 1, 5), 20
		for _, row := range []AssignmentRow{accepted, invited} {
			if err := s.UpsertAssignment(ctx, row); err != nil {
				t.Fatal(err)
			}
		}
		var status string
		var revision int64
		if err := s.db.QueryRowxContext(ctx, s.db.Rebind(`SELECT status, revision FROM assignments WHERE id = ?`), invited.ID).Scan(&status, &revision); err != nil {
			t.Fatal(err)
		}
		if status != "accepted" || revision != 20 {
			t.Errorf("after a late 'invited' write: %s at revision %d, want accepted at 20", status, revision)
		}
		// The accepted seat counts against the reviewer's capacity as a completed evaluation.
		load, err := s.ReviewerLoad(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if load["rev-1"].Completed != 1 {
			t.Errorf("load of rev-1 = %+v, want the accepted evaluation counted", load["rev-1"])
		}
		// A newer revision does overwrite.
		declined := invited
		declined.Status, declined.Revision = "replaced", 30
		if err := s.UpsertAssignment(ctx, declined); err != nil {
			t.Fatal(err)
		}
		if err := s.db.GetContext(ctx, &status, s.db.Rebind(`SELECT status FROM assignments WHERE id = ?`), invited.ID); err != nil {
			t.Fatal(err)
		}
		if status != "replaced" {
			t.Errorf("after a newer write: %s, want replaced", status)
		}
	})
}

func TestUpsertVisitKeepsNewestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		set := VisitRow{ID: "cycle/inst-a/1/external-evaluation/visit", InstitutionID: "inst-a", Cycle: 1, Kind: "visit",
			VisitOn: date(2027, 3, 1), SetBy: "rev-1", Revision: 10}
		recorded := set
		recorded.RecordedOn, recorded.RecordedBy, recorded.Notes, recorded.Revision = date(2027, 3, 1), "rev-1", "Interviews", 20
		for _, row := range []VisitRow{recorded, set} {
			if err := s.UpsertVisit(ctx, row); err != nil {
				t.Fatal(err)
			}
		}
		var by string
		if err := s.db.GetContext(ctx, &by, s.db.Rebind(`SELECT recorded_by FROM visits WHERE id = ?`), set.ID); err != nil {
			t.Fatal(err)
		}
		if by != "rev-1" {
			t.Errorf("after a late write of the date alone, recorded_by = %q, want the record kept", by)
		}
	})
}

func TestUpsertCycleKeepsNewestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		anchor := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
		running := CycleRow{InstitutionID: "inst-a", Number: 1, WorkflowID: "cycle/inst-a", StartDate: date(2027, 1, 4),
			Status: "running", CurrentStep: "publication", Generation: 1, AnchorDate: date(2027, 1, 4), AnchorTime: anchor,
			DayLengthMS: 86_400_000, Revision: 10}
		completed := running
		completed.Status, completed.EndedOn, completed.Verdict, completed.Revision = "completed", date(2030, 1, 4), 1, 20
		for _, row := range []CycleRow{completed, running} {
			if err := s.UpsertCycle(ctx, row); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Cycle(ctx, "inst-a", 1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "completed" || got.Verdict != 1 {
			t.Errorf("after a late 'running' write: %+v, want completed with verdict 1", got)
		}
	})
}

func TestFinaliseReportKeepsNewestRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		r := ReportRow{ID: "cycle/inst-a/1/external-evaluation/report", InstitutionID: "inst-a", Cycle: 1, Kind: "report",
			AuthorID: "rev-1", SubmittedOn: date(2027, 3, 20), Verdict: 2, Summary: "s"}
		if err := s.InsertReport(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		// The appeal changed the verdict to 1 (revision 20); the hearing's verdict 2 (revision
		// 10) is retried and lands last.
		if err := s.FinaliseReport(ctx, r.ID, 1, date(2027, 5, 1), 20); err != nil {
			t.Fatal(err)
		}
		if err := s.FinaliseReport(ctx, r.ID, 2, date(2027, 4, 3), 10); err != nil {
			t.Fatal(err)
		}
		var verdict int
		if err := s.db.GetContext(ctx, &verdict, s.db.Rebind(`SELECT final_verdict FROM reports WHERE id = ?`), r.ID); err != nil {
			t.Fatal(err)
		}
		if verdict != 1 {
			t.Errorf("final verdict = %d after a late retry, want the appeal's 1", verdict)
		}
	})
}
