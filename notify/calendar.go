package notify

// Calendar invitations of visits (issue 10, point 6). The workflows write each visit's date
// to the visits table, and the cycle's status to the cycles table; the dispatcher's
// housekeeping compares them with what the visit's calendar event last announced
// (store.CalendarEvent) and, when they differ, decides the event's next SEQUENCE and queues
// it, as an .ics file, to every member of the team and the institution manager:
//
//	first date        METHOD:REQUEST  SEQUENCE:0  STATUS:CONFIRMED
//	date moved        METHOD:REQUEST  SEQUENCE:n+1, same UID
//	cycle cancelled   METHOD:CANCEL   SEQUENCE:n+1, same UID, STATUS:CANCELLED
//
// A person who had an earlier SEQUENCE and is no longer on the team gets the cancellation.
// Idempotent by (UID, SEQUENCE): the next SEQUENCE is recorded with a compare-and-set before
// anything is queued, and each person's row is keyed "calendar/<UID>/<SEQUENCE>/<person>",
// so a crash, a retry or a second dispatcher queues nothing twice, and the delivery of each
// row is once, as for every message (a row found in "sending" looks for its file in the
// conversation before it uploads again).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// CalendarProductID is the PRODID of the service's .ics files.
const CalendarProductID = "-//Kvalitetsmodellen//Akkreditering//DA"

// CalendarUID is the UID of a visit's calendar event: the kind, institution and cycle, a
// short hash of the visits row's ID (which names the incarnation of the cycle, so that a
// cycle cancelled and started again gets a new event), at the public host.
func CalendarUID(baseURL, visitID, institutionID string, cycle int, kind string) string {
	host := "accredit.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	sum := sha256.Sum256([]byte(visitID))
	return fmt.Sprintf("%s-%s-%d-%x@%s", kind, uidSafe.ReplaceAllString(institutionID, "_"), cycle, sum[:4], host)
}

var uidSafe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// CalendarFileName is the name of an invitation's .ics file: the UID's local part and the
// SEQUENCE, unique in a conversation, which is how a dispatcher finds a file it may already
// have uploaded.
func CalendarFileName(inv CalendarInvite) string {
	local, _, _ := strings.Cut(inv.UID, "@")
	name := local + "-" + strconv.Itoa(inv.Sequence)
	if inv.Cancelled {
		name += "-aflyst"
	}
	return name + ".ics"
}

// visitWord is the Danish name of a visit kind.
func visitWord(kind string) string {
	if kind == "revisit" {
		return "Genbesøg"
	}
	return "Akkrediteringsbesøg"
}

// calendarSubject is the one-line summary of an invitation.
func calendarSubject(c Content) string {
	inv := c.Calendar
	if inv == nil {
		return "Kalenderinvitation"
	}
	what := fmt.Sprintf("%s hos %s (cyklus %d) den %s", visitWord(inv.VisitKind), c.Institution, c.Cycle, inv.Date)
	switch {
	case inv.Cancelled:
		return "Aflyst: " + what
	case inv.Sequence > 0:
		return "Flyttet: " + what
	}
	return "Kalenderinvitation: " + what
}

// calendarComment is the message the .ics file is posted with.
func calendarComment(c Content) string {
	text := calendarSubject(c) + "."
	if c.Calendar != nil && c.Calendar.Cancelled {
		return text + " Åbn filen for at fjerne besøget fra din kalender."
	}
	return text + " Åbn filen for at lægge besøget i din kalender; kommer datoen til at flytte sig, får du en ny fil."
}

// ICS renders an invitation as an iCalendar file: one all-day VEVENT on the visit's date,
// METHOD:REQUEST, or METHOD:CANCEL with STATUS:CANCELLED.
func ICS(c Content) ([]byte, error) {
	inv := c.Calendar
	if inv == nil || inv.UID == "" || inv.Date.IsZero() {
		return nil, errors.New("a calendar invitation needs a UID and a date")
	}
	cal := ics.NewCalendar()
	cal.SetProductId(CalendarProductID)
	cal.SetCalscale("GREGORIAN")
	ev := cal.AddEvent(inv.UID)
	ev.SetSequence(inv.Sequence)
	ev.SetDtStampTime(inv.Stamp)
	ev.SetAllDayStartAt(inv.Date.Time())
	ev.SetAllDayEndAt(inv.Date.AddDays(1).Time())
	summary := fmt.Sprintf("%s: %s (%s)", visitWord(inv.VisitKind), c.Institution, c.InstitutionID)
	if inv.Cancelled {
		cal.SetMethod(ics.MethodCancel)
		ev.SetStatus(ics.ObjectStatusCancelled)
		summary = "Aflyst: " + summary
	} else {
		cal.SetMethod(ics.MethodRequest)
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetSummary(summary)
	ev.SetDescription(fmt.Sprintf("%s i akkrediteringens cyklus %d af %s (%s). Teamet og institutionens leder er inviteret.",
		visitWord(inv.VisitKind), c.Cycle, c.Institution, c.InstitutionID))
	if inv.Location != "" {
		ev.SetLocation(inv.Location)
	}
	if c.Link != "" {
		ev.SetURL(c.Link)
	}
	ev.SetTimeTransparency(ics.TransparencyOpaque)
	if o := inv.Organizer; o != nil && o.Email != "" {
		ev.SetOrganizer("mailto:"+o.Email, ics.WithCN(o.Name))
	}
	for _, a := range inv.Attendees {
		if a.Email == "" {
			continue
		}
		// RFC 5545 writes the boolean in capitals (the library's WithRSVP does not).
		ev.AddAttendee("mailto:"+a.Email, ics.WithCN(a.Name), ics.ParticipationRoleReqParticipant,
			ics.ParticipationStatusNeedsAction, &ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"FALSE"}})
	}
	var b bytes.Buffer
	if err := cal.SerializeTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// syncCalendar decides the next SEQUENCE of every visit whose event is out of date, and then
// queues every decided SEQUENCE not yet queued.
func (d *Dispatcher) syncCalendar(ctx context.Context) error {
	changes, err := d.st.CalendarChanges(ctx, d.opts.Batch)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		ev := store.CalendarEvent{UID: ch.UID, VisitID: ch.VisitID, InstitutionID: ch.InstitutionID, Cycle: ch.Cycle,
			Kind: ch.Kind, Sequence: ch.Sequence + 1, VisitOn: ch.VisitOn, Cancelled: ch.Cancel, ChangedAt: d.opts.Now()}
		if ev.UID == "" {
			ev.UID = CalendarUID(d.cfg.PublicBaseURL, ch.VisitID, ch.InstitutionID, ch.Cycle, ch.Kind)
		}
		if ch.Cancel && !ch.SentOn.IsZero() {
			ev.VisitOn = ch.SentOn // what is cancelled is the event people have
		}
		if _, err := d.st.AdvanceCalendarEvent(ctx, ev); err != nil {
			return err
		}
	}
	events, err := d.st.UnqueuedCalendarEvents(ctx, d.opts.Batch)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := d.queueCalendar(ctx, ev); err != nil {
			return fmt.Errorf("queue the calendar invitation %s sequence %d: %w", ev.UID, ev.Sequence, err)
		}
		if err := d.st.MarkCalendarQueued(ctx, ev.UID, ev.Sequence); err != nil {
			return err
		}
	}
	return nil
}

// queueCalendar queues one SEQUENCE of an event to the team (members who accepted or were
// assigned) and the institution manager, and its cancellation to those who had an earlier
// SEQUENCE and are no longer invited.
func (d *Dispatcher) queueCalendar(ctx context.Context, ev store.CalendarEvent) error {
	inst, err := d.st.Institution(ctx, ev.InstitutionID)
	if err != nil {
		return err
	}
	stage := strings.TrimSuffix(ev.VisitID, "/"+ev.Kind)
	team, err := d.st.TeamOf(ctx, stage)
	if err != nil {
		return err
	}
	ids := slices.Clone(team)
	manager, err := d.st.InstitutionManagerID(ctx, ev.InstitutionID)
	if err != nil {
		return err
	}
	if manager != "" && !slices.Contains(ids, manager) {
		ids = append(ids, manager)
	}
	prefix := "calendar/" + ev.UID + "/"
	earlier, err := d.st.OutboxRecipients(ctx, prefix)
	if err != nil {
		return err
	}
	invited, attendees, err := d.people(ctx, ids)
	if err != nil {
		return err
	}
	var removedIDs []string
	for _, id := range earlier {
		if !slices.Contains(ids, id) {
			removedIDs = append(removedIDs, id)
		}
	}
	removed, _, err := d.people(ctx, removedIDs)
	if err != nil {
		return err
	}
	lead, err := d.st.TeamLead(ctx, stage)
	if err != nil {
		return err
	}
	var organizer *CalendarPerson
	for _, a := range attendees {
		if a.PersonID == lead {
			organizer = &a
		}
	}
	location := strings.TrimSpace(strings.Join(nonEmpty(inst.Address, strings.TrimSpace(inst.Postcode+" "+inst.City)), ", "))
	c := Content{Kind: KindCalendar, InstitutionID: inst.ID, Institution: inst.Name, Region: inst.Region, Cycle: ev.Cycle,
		Step: ev.Kind, Title: visitWord(ev.Kind), Due: ev.VisitOn, On: domain.DateOf(d.opts.Now().In(d.loc)),
		Link: strings.TrimRight(d.cfg.PublicBaseURL, "/") + "/institutions/" + url.PathEscape(inst.ID),
		Calendar: &CalendarInvite{UID: ev.UID, Sequence: ev.Sequence, Date: ev.VisitOn, Cancelled: ev.Cancelled,
			Stamp: ev.ChangedAt.UTC(), VisitKind: ev.Kind, Location: location, Organizer: organizer, Attendees: attendees}}
	key := prefix + strconv.Itoa(ev.Sequence)
	if _, err := Enqueue(ctx, d.st, d.cfg, key, c, invited); err != nil {
		return err
	}
	if len(removed) > 0 {
		inv := *c.Calendar
		inv.Cancelled = true
		c.Calendar = &inv
		if _, err := Enqueue(ctx, d.st, d.cfg, key, c, removed); err != nil {
			return err
		}
	}
	d.log.Info("calendar invitation queued", "uid", ev.UID, "sequence", ev.Sequence, "date", ev.VisitOn,
		"cancelled", ev.Cancelled, "to", len(invited), "cancelled_for", len(removed))
	return nil
}

// people reads the registry's people of ids (those no longer in it are left out) and their
// calendar addresses.
func (d *Dispatcher) people(ctx context.Context, ids []string) ([]store.Person, []CalendarPerson, error) {
	var people []store.Person
	var cal []CalendarPerson
	for _, id := range ids {
		p, err := d.st.Person(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			d.log.Warn("a calendar invitation's recipient is not in the registry", "person", id)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		people = append(people, p)
		cal = append(cal, CalendarPerson{PersonID: p.ID, Name: p.Name, Email: p.Email})
	}
	return people, cal, nil
}

func nonEmpty(parts ...string) []string {
	return slices.DeleteFunc(parts, func(s string) bool { return strings.TrimSpace(s) == "" })
}

// postCalendar uploads a claimed calendar row's .ics file into the conversation, once: a row
// tried before looks for its file there first.
func (d *Dispatcher) postCalendar(ctx context.Context, lease string, row store.OutboxMessage, channel string) error {
	c, ok := decodeContent(row.Content)
	if !ok || c.Calendar == nil {
		return &permanentError{code: "invalid_content", detail: "the calendar invitation has no event"}
	}
	data, err := ICS(c)
	if err != nil {
		return &permanentError{code: "invalid_content", detail: err.Error()}
	}
	name := CalendarFileName(*c.Calendar)
	if row.Attempts > 1 && row.SlackChannel != "" {
		found, err := d.slack.findFile(ctx, channel, name, row.CreatedAt)
		if err != nil {
			return err
		}
		if found {
			d.log.Info("calendar invitation was uploaded by an earlier attempt; recording it instead of uploading again", "id", row.ID)
			return d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxDelivered, SlackChannel: channel})
		}
	}
	if err := d.limit.wait(ctx); err != nil {
		return err
	}
	if err := d.st.RecordTarget(ctx, row.ID, lease, channel, d.opts.Now().Add(d.opts.Lease).UnixMilli()); err != nil {
		return err
	}
	title := fmt.Sprintf("%s %s – %s", visitWord(c.Calendar.VisitKind), c.Calendar.Date, c.Institution)
	if c.Calendar.Cancelled {
		title = "Aflyst: " + title
	}
	if _, err := d.slack.client.UploadFileContext(ctx, slack.UploadFileParameters{Filename: name, FileSize: len(data),
		Content: string(data), Title: title, InitialComment: calendarComment(c), Channel: channel}); err != nil {
		return err
	}
	if d.afterPost != nil {
		if err := d.afterPost(row); err != nil {
			return errAbandoned
		}
	}
	return d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxDelivered, SlackChannel: channel})
}

// findFile looks in a conversation for a file of this name shared since the row was queued.
func (s *slackAPI) findFile(ctx context.Context, channel, name string, since time.Time) (bool, error) {
	params := &slack.GetConversationHistoryParameters{
		ChannelID: channel, Limit: 200,
		Oldest: strconv.FormatInt(since.Add(-time.Minute).Unix(), 10) + ".000000",
	}
	for range historyPages {
		resp, err := s.client.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return false, err
		}
		for _, m := range resp.Messages {
			for _, f := range m.Files {
				if f.Name == name {
					return true, nil
				}
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return false, nil
}
