package notify_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// visitStage is the external evaluation of the calendar tests: H-01's cycle 1.
const visitStage = "cycle/H-01/1~run/external-evaluation"

// The direct messages of the people in the calendar tests.
const (
	dmLead         = "DU057USL46" // P-049, the lead
	dmProfessional = "DU07EK6HMA" // P-044
	dmManager      = "DU01D0BL37" // P-001, H-01's manager
	dmReplacement  = "DU03RM4NTL" // P-052
)

// plannedVisit writes H-01's running cycle, a team of P-049 (lead) and P-044, with P-050
// having declined, and a visit on date.
func (e *env) plannedVisit(date domain.Date) {
	e.t.Helper()
	ctx := context.Background()
	e.cycleStatus("running", 1)
	for i, a := range []struct{ seat, person, status string }{
		{"lead", "P-049", "accepted"}, {"professional", "P-050", "declined"}, {"professional", "P-044", "accepted"},
	} {
		e.assignment(a.seat, a.person, a.status, int64(i+1))
	}
	e.visitOn(date, 1)
	_ = ctx
}

func (e *env) cycleStatus(status string, revision int64) {
	e.t.Helper()
	if err := e.st.UpsertCycle(context.Background(), store.CycleRow{InstitutionID: "H-01", Number: 1, WorkflowID: "cycle/H-01",
		StartDate: domain.NewDate(2024, 1, 4), Status: status, Generation: 1, AnchorDate: domain.NewDate(2027, 3, 22),
		AnchorTime: time.Now().Add(-time.Hour), DayLengthMS: (24 * time.Hour).Milliseconds(), Revision: revision}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) assignment(seat, person, status string, revision int64) {
	e.t.Helper()
	if err := e.st.UpsertAssignment(context.Background(), store.AssignmentRow{ID: visitStage + "/" + seat + "/" + person,
		InstitutionID: "H-01", Cycle: 1, Role: seat, PersonID: person, Status: status, InvitedOn: domain.NewDate(2027, 3, 1),
		AnswerDue: domain.NewDate(2027, 3, 6), Revision: revision}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) visitOn(date domain.Date, revision int64) {
	e.t.Helper()
	if err := e.st.UpsertVisit(context.Background(), store.VisitRow{ID: visitStage + "/visit", InstitutionID: "H-01", Cycle: 1,
		Kind: "visit", VisitOn: date, SetBy: "P-049", Revision: revision}); err != nil {
		e.t.Fatal(err)
	}
}

// invite is one .ics file as a calendar reads it.
type invite struct {
	method, uid, status, summary, location, organizer string
	sequence                                          string
	date                                              time.Time
	attendees                                         []string
}

// readInvite parses an .ics file with the iCalendar library.
func readInvite(t *testing.T, content string) invite {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(content))
	if err != nil {
		t.Fatalf("the .ics does not parse: %v\n%s", err, content)
	}
	var inv invite
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			inv.method = p.Value
		}
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events in the .ics, want 1", len(events))
	}
	ev := events[0]
	prop := func(p ics.ComponentProperty) string {
		if v := ev.GetProperty(p); v != nil {
			return v.Value
		}
		return ""
	}
	inv.uid, inv.sequence, inv.status = ev.Id(), prop(ics.ComponentPropertySequence), prop(ics.ComponentPropertyStatus)
	inv.summary, inv.location = prop(ics.ComponentPropertySummary), prop(ics.ComponentPropertyLocation)
	inv.organizer = prop(ics.ComponentPropertyOrganizer)
	if inv.date, err = ev.GetAllDayStartAt(); err != nil {
		t.Fatalf("DTSTART: %v", err)
	}
	for _, a := range ev.Attendees() {
		inv.attendees = append(inv.attendees, a.Email())
	}
	slices.Sort(inv.attendees)
	return inv
}

// invites are the .ics files shared in a conversation, parsed, in order.
func (e *env) invites(t *testing.T, channel string) []invite {
	var out []invite
	for _, f := range e.ws.filesIn(channel) {
		if !strings.HasSuffix(f.Name, ".ics") {
			t.Errorf("a file named %s was shared", f.Name)
		}
		out = append(out, readInvite(t, f.Content))
	}
	return out
}

func TestVisitCalendarInvitations(t *testing.T) {
	e := newEnv(t, true)
	e.plannedVisit(domain.NewDate(2027, 5, 12))
	d := e.dispatcher("A")
	e.run(d)

	// The first date: a REQUEST, SEQUENCE 0, to the team and the manager, not to who declined.
	var uid string
	for _, dm := range []string{dmLead, dmProfessional, dmManager} {
		got := e.invites(t, dm)
		if len(got) != 1 {
			t.Fatalf("%s has %d invitations, want 1", dm, len(got))
		}
		inv := got[0]
		if uid == "" {
			uid = inv.uid
		}
		if inv.method != "REQUEST" || inv.uid != uid || inv.sequence != "0" || inv.status != "CONFIRMED" ||
			!inv.date.Equal(time.Date(2027, 5, 12, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s's invitation: %+v", dm, inv)
		}
		if want := []string{"cecilie.jacobsen@regionh.dk", "camilla.bertelsen@regionsjaelland.dk", "simon.bruun@regionh.dk"}; !slices.Equal(inv.attendees, sorted(want)) {
			t.Errorf("attendees %v, want %v", inv.attendees, sorted(want))
		}
		mustContain(t, "the invitation", inv.summary+" "+inv.location+" "+inv.organizer,
			"Akkrediteringsbesøg: Bo- og aktivitetstilbuddet Lindevang (H-01)", "Lindevangsvej 12, 3400 Hillerød",
			"mailto:camilla.bertelsen@regionsjaelland.dk")
	}
	if !strings.HasPrefix(uid, "visit-H-01-1-") || !strings.HasSuffix(uid, "@akkreditering.example.dk") {
		t.Errorf("UID %q, want visit-H-01-1-<hash>@akkreditering.example.dk", uid)
	}
	if files := e.ws.filesIn("DU057XYUS6"); len(files) != 0 {
		t.Error("P-050, who declined, was invited")
	}
	mustContain(t, "the message with the file", e.ws.postsIn(dmManager)[0].Text, "Kalenderinvitation: Akkrediteringsbesøg hos", "2027-05-12")
	// Nothing changed: nothing is sent again.
	e.run(d)
	if n := e.ws.count("files.completeUploadExternal"); n != 3 {
		t.Errorf("%d files shared after a second round, want 3", n)
	}

	// The lead moves the visit: the same UID, SEQUENCE 1, the new date.
	e.visitOn(domain.NewDate(2027, 5, 19), 2)
	e.run(d)
	for _, dm := range []string{dmLead, dmProfessional, dmManager} {
		got := e.invites(t, dm)
		if len(got) != 2 {
			t.Fatalf("%s has %d invitations after the move, want 2", dm, len(got))
		}
		if inv := got[1]; inv.method != "REQUEST" || inv.uid != uid || inv.sequence != "1" ||
			!inv.date.Equal(time.Date(2027, 5, 19, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s's update: %+v", dm, inv)
		}
	}
	mustContain(t, "the move's message", e.ws.postsIn(dmManager)[1].Text, "Flyttet:", "2027-05-19")

	// P-044 is replaced by P-052, and the visit moves again: P-052 gets SEQUENCE 2, P-044 its
	// cancellation.
	e.assignment("professional", "P-044", "replaced", 4)
	e.assignment("professional", "P-052", "assigned", 5)
	e.visitOn(domain.NewDate(2027, 5, 26), 3)
	e.run(d)
	if got := e.invites(t, dmProfessional); len(got) != 3 || got[2].method != "CANCEL" || got[2].status != "CANCELLED" || got[2].sequence != "2" {
		t.Errorf("the replaced member's invitations: %+v", got)
	}
	if got := e.invites(t, dmReplacement); len(got) != 1 || got[0].method != "REQUEST" || got[0].sequence != "2" || got[0].uid != uid {
		t.Errorf("the new member's invitations: %+v", got)
	}

	// The cycle is cancelled: SEQUENCE 3, METHOD:CANCEL, STATUS:CANCELLED, to everyone.
	e.cycleStatus("cancelled", 2)
	e.run(d)
	for _, dm := range []string{dmLead, dmManager, dmReplacement} {
		got := e.invites(t, dm)
		last := got[len(got)-1]
		if last.method != "CANCEL" || last.status != "CANCELLED" || last.uid != uid || last.sequence != "3" ||
			!strings.HasPrefix(last.summary, "Aflyst:") {
			t.Errorf("%s's cancellation: %+v", dm, last)
		}
	}
	mustContain(t, "the cancellation's message", e.ws.postsIn(dmManager)[len(e.ws.postsIn(dmManager))-1].Text, "Aflyst:")
	shared := e.ws.count("files.completeUploadExternal")
	e.run(d)
	if n := e.ws.count("files.completeUploadExternal"); n != shared {
		t.Errorf("a cancelled event was sent again: %d files, then %d", shared, n)
	}
	ev, err := e.st.CalendarEventOf(context.Background(), visitStage+"/visit")
	if err != nil || ev.Sequence != 3 || !ev.Cancelled || ev.QueuedSequence != 3 {
		t.Errorf("the recorded event: %+v, %v", ev, err)
	}
}

func TestCalendarCrashBetweenUploadAndRecordUploadsOnce(t *testing.T) {
	e := newEnv(t, true)
	e.plannedVisit(domain.NewDate(2027, 5, 12))
	a := e.dispatcher("A")
	crashed := 0
	notify.SetAfterPost(a, func(m store.OutboxMessage) error {
		if m.Kind == notify.KindCalendar && m.RecipientID == "P-001" && crashed == 0 {
			crashed++
			return errors.New("crash")
		}
		return nil
	})
	e.run(a)
	if crashed != 1 {
		t.Fatal("the crash was not simulated")
	}
	// Another dispatcher, once the lease has expired, finds the file and records it.
	e.advance(2 * time.Minute)
	b := e.dispatcher("B")
	e.run(b)
	if got := len(e.ws.filesIn(dmManager)); got != 1 {
		t.Errorf("the manager got %d files, want 1", got)
	}
	rows, err := e.st.Outbox(context.Background(), store.OutboxFilter{RecipientID: "P-001", Status: store.OutboxDelivered})
	if err != nil || len(rows) != 1 || rows[0].Kind != notify.KindCalendar || rows[0].SlackChannel != dmManager {
		t.Errorf("the manager's calendar row: %+v, %v", rows, err)
	}
	// Two dispatchers deciding at once record one SEQUENCE: the outbox has one row a person.
	e.visitOn(domain.NewDate(2027, 5, 19), 2)
	e.run(a)
	e.run(b)
	all, _ := e.st.Outbox(context.Background(), store.OutboxFilter{RecipientID: "P-001"})
	if len(all) != 2 {
		t.Errorf("the manager has %d calendar rows after one move, want 2", len(all))
	}
}

func TestCalendarWithoutSlackIsLogged(t *testing.T) {
	e := newEnv(t, false)
	e.plannedVisit(domain.NewDate(2027, 5, 12))
	e.run(e.dispatcher("A"))
	rows, err := e.st.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxLogged})
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows logged (%v), want the invitation to the team and the manager", len(rows), err)
	}
	for _, r := range rows {
		if r.Kind != notify.KindCalendar || !strings.Contains(r.Subject, "Kalenderinvitation: Akkrediteringsbesøg hos Bo- og aktivitetstilbuddet Lindevang (cyklus 1) den 2027-05-12") {
			t.Errorf("row %s: %s %q", r.ID, r.Kind, r.Subject)
		}
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
