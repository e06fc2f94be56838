package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// TestCalendarChangesAndSequence: a planned visit needs its first event; a recorded SEQUENCE
// is advanced once however many dispatchers try; a moved date, a cancelled cycle and a newer
// incarnation's visit each call for the next SEQUENCE; a cancelled event and a visit that took
// place call for nothing more.
func TestCalendarChangesAndSequence(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.registry(t)
		ctx := context.Background()
		now := time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)
		cycle := func(status string, rev int64) {
			t.Helper()
			if err := s.UpsertCycle(ctx, CycleRow{InstitutionID: "inst-a", Number: 1, WorkflowID: "cycle/inst-a", StartDate: date(2027, 1, 4),
				Status: status, Generation: 1, AnchorDate: date(2027, 1, 4), AnchorTime: now, DayLengthMS: 86_400_000, Revision: rev}); err != nil {
				t.Fatal(err)
			}
		}
		visit := func(id string, on domain.Date, recorded domain.Date, rev int64) {
			t.Helper()
			if err := s.UpsertVisit(ctx, VisitRow{ID: id, InstitutionID: "inst-a", Cycle: 1, Kind: "visit", VisitOn: on,
				SetBy: "rev-2", RecordedOn: recorded, Revision: rev}); err != nil {
				t.Fatal(err)
			}
		}
		changes := func() []CalendarChange {
			t.Helper()
			out, err := s.CalendarChanges(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		advance := func(ch CalendarChange, uid string) bool {
			t.Helper()
			ok, err := s.AdvanceCalendarEvent(ctx, CalendarEvent{UID: uid, VisitID: ch.VisitID, InstitutionID: ch.InstitutionID,
				Cycle: ch.Cycle, Kind: ch.Kind, Sequence: ch.Sequence + 1, VisitOn: ch.VisitOn, Cancelled: ch.Cancel, ChangedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}

		cycle("running", 1)
		const old = "cycle/inst-a/1~run1/external-evaluation/visit"
		visit(old, date(2027, 5, 12), domain.Date{}, 1)
		ch := changes()
		if len(ch) != 1 || ch[0].UID != "" || ch[0].Sequence != -1 || ch[0].Cancel || ch[0].VisitOn != date(2027, 5, 12) {
			t.Fatalf("a new visit: %+v, want its first event", ch)
		}
		if !advance(ch[0], "uid-1") || advance(ch[0], "uid-1") {
			t.Fatal("SEQUENCE 0 was recorded twice, or not at all")
		}
		if ch := changes(); len(ch) != 0 {
			t.Fatalf("an announced visit: %+v, want no change", ch)
		}
		pending, err := s.UnqueuedCalendarEvents(ctx, 10)
		if err != nil || len(pending) != 1 || pending[0].Sequence != 0 || pending[0].QueuedSequence != -1 || !pending[0].ChangedAt.Equal(now) {
			t.Fatalf("unqueued = %+v, %v", pending, err)
		}
		if err := s.MarkCalendarQueued(ctx, "uid-1", 0); err != nil {
			t.Fatal(err)
		}
		if pending, _ := s.UnqueuedCalendarEvents(ctx, 10); len(pending) != 0 {
			t.Fatalf("queued events still pending: %+v", pending)
		}

		// The date moves: SEQUENCE 1, once.
		visit(old, date(2027, 5, 19), domain.Date{}, 2)
		ch = changes()
		if len(ch) != 1 || ch[0].UID != "uid-1" || ch[0].Sequence != 0 || ch[0].SentOn != date(2027, 5, 12) || ch[0].VisitOn != date(2027, 5, 19) {
			t.Fatalf("a moved visit: %+v", ch)
		}
		if !advance(ch[0], "uid-1") || advance(ch[0], "uid-1") {
			t.Fatal("SEQUENCE 1 was recorded twice, or not at all")
		}
		if ev, err := s.CalendarEventOf(ctx, old); err != nil || ev.Sequence != 1 || ev.VisitOn != date(2027, 5, 19) {
			t.Fatalf("event = %+v, %v", ev, err)
		}

		// The cycle is started again and its new run plans its own visit: the old event is
		// called off, and the new visit gets an event of its own.
		time.Sleep(10 * time.Millisecond) // updated_at orders the two runs' rows
		const newer = "cycle/inst-a/1~run2/external-evaluation/visit"
		visit(newer, date(2027, 6, 2), domain.Date{}, 1)
		ch = changes()
		if len(ch) != 2 {
			t.Fatalf("after a new run's visit: %+v, want the old one's cancellation and the new one's event", ch)
		}
		for _, c := range ch {
			switch c.VisitID {
			case old:
				if !c.Cancel || c.Sequence != 1 {
					t.Errorf("the old run's visit: %+v, want it called off", c)
				}
				advance(c, "uid-1")
			case newer:
				if c.Cancel || c.Sequence != -1 {
					t.Errorf("the new run's visit: %+v", c)
				}
				advance(c, "uid-2")
			}
		}
		if ch := changes(); len(ch) != 0 {
			t.Fatalf("after both: %+v", ch)
		}
		// The cycle is cancelled: the new event is called off; the old one, already
		// cancelled, is not again.
		cycle("cancelled", 2)
		ch = changes()
		if len(ch) != 1 || ch[0].VisitID != newer || !ch[0].Cancel {
			t.Fatalf("after the cancellation: %+v", ch)
		}
		advance(ch[0], "uid-2")
		if ch := changes(); len(ch) != 0 {
			t.Fatalf("a cancelled event changes again: %+v", ch)
		}

		// A visit recorded as done needs nothing, even when its cycle is cancelled later.
		if err := s.UpsertCycle(ctx, CycleRow{InstitutionID: "inst-b", Number: 1, WorkflowID: "cycle/inst-b", StartDate: date(2027, 1, 4),
			Status: "cancelled", Generation: 1, AnchorDate: date(2027, 1, 4), AnchorTime: now, DayLengthMS: 86_400_000, Revision: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertVisit(ctx, VisitRow{ID: "cycle/inst-b/1~r/external-evaluation/visit", InstitutionID: "inst-b", Cycle: 1,
			Kind: "visit", VisitOn: date(2027, 2, 1), SetBy: "rev-2", RecordedOn: date(2027, 2, 1), Revision: 1}); err != nil {
			t.Fatal(err)
		}
		if ch := changes(); len(ch) != 0 {
			t.Fatalf("a visit that took place: %+v", ch)
		}
	})
}

// TestTeamAndRecipientsOfAVisit: the team of a stage is the seats accepted or assigned; the
// lead is the lead's; the earlier recipients are read from the outbox.
func TestTeamAndRecipientsOfAVisit(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.registry(t)
		ctx := context.Background()
		stage := "cycle/inst-a/1~r/external-evaluation"
		for i, a := range []struct{ seat, person, status string }{
			{"lead", "rev-2", "accepted"}, {"professional", "rev-1", "declined"}, {"professional", "rev-3", "assigned"},
		} {
			if err := s.UpsertAssignment(ctx, AssignmentRow{ID: stage + "/" + a.seat + "/" + a.person, InstitutionID: "inst-a", Cycle: 1,
				Role: a.seat, PersonID: a.person, Status: a.status, InvitedOn: date(2027, 3, 1), AnswerDue: date(2027, 3, 6),
				Revision: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if team, err := s.TeamOf(ctx, stage); err != nil || len(team) != 2 || team[0] != "rev-2" || team[1] != "rev-3" {
			t.Errorf("TeamOf = %v, %v", team, err)
		}
		if team, err := s.TeamOf(ctx, "cycle/inst-a/1~r/external"); err != nil || len(team) != 0 {
			t.Errorf("TeamOf a key's prefix = %v, %v; want none", team, err)
		}
		if lead, err := s.TeamLead(ctx, stage); err != nil || lead != "rev-2" {
			t.Errorf("TeamLead = %q, %v", lead, err)
		}
		for _, p := range []string{"rev-2", "mgr-inst-a"} {
			if _, err := s.EnqueueNotification(ctx, OutboxMessage{ID: "calendar/uid-1/0/" + p, Kind: "calendar", RecipientID: p, Channel: "dm"}); err != nil {
				t.Fatal(err)
			}
		}
		if ids, err := s.OutboxRecipients(ctx, "calendar/uid-1/"); err != nil || len(ids) != 2 || ids[0] != "mgr-inst-a" {
			t.Errorf("OutboxRecipients = %v, %v", ids, err)
		}
	})
}

// TestPersonBySlackUser: a Slack member is the person whose people.csv names them, or whom
// they were found for by a still-current e-mail address; LinkSlackUser finds a person by the
// address of their Slack profile.
func TestPersonBySlackUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.registry(t)
		ctx := context.Background()
		if _, err := s.UpsertPeople(ctx, []Person{{ID: "rev-9", Name: "Rev Nine", Email: "r9@example.org", SlackUserID: "U09",
			Role: domain.RoleReviewer, Region: domain.Hovedstaden}}); err != nil {
			t.Fatal(err)
		}
		if p, err := s.PersonBySlackUser(ctx, "U09"); err != nil || p.ID != "rev-9" {
			t.Errorf("by slack_user_id: %v, %v", p.ID, err)
		}
		if _, err := s.PersonBySlackUser(ctx, "U02"); !errors.Is(err, ErrNotFound) {
			t.Errorf("an unknown member: %v", err)
		}
		if err := s.SetSlackFound(ctx, "rev-2", "U02", "R2@example.org"); err != nil {
			t.Fatal(err)
		}
		if p, err := s.PersonBySlackUser(ctx, "U02"); err != nil || p.ID != "rev-2" {
			t.Errorf("by the member found for the e-mail address: %v, %v", p.ID, err)
		}
		// Found for an address the person no longer has: not them any more.
		if err := s.SetSlackFound(ctx, "rev-2", "U02", "old@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PersonBySlackUser(ctx, "U02"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a stale finding: %v", err)
		}
		if p, err := s.LinkSlackUser(ctx, "U03", "R3@EXAMPLE.ORG"); err != nil || p.ID != "rev-3" {
			t.Errorf("LinkSlackUser = %v, %v", p.ID, err)
		}
		if p, err := s.PersonBySlackUser(ctx, "U03"); err != nil || p.ID != "rev-3" {
			t.Errorf("after the link: %v, %v", p.ID, err)
		}
		// A person with a slack_user_id of their own is never linked to another member.
		if _, err := s.LinkSlackUser(ctx, "U99", "r9@example.org"); !errors.Is(err, ErrNotFound) {
			t.Errorf("linking someone with their own slack_user_id: %v", err)
		}
	})
}
