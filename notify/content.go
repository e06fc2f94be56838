package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// The kinds of message. The first six are those of the workflows' notifications
// (activities.Kind*, which a test holds equal to these); the last three are the dispatcher's
// own.
const (
	KindTask       = "task"
	KindReminder   = "reminder"
	KindEscalation = "escalation"
	KindExtended   = "extended"
	KindWithdrawn  = "withdrawn"
	KindInfo       = "info"
	// KindDigest is a working day's list of overdue steps, to a secretariat channel.
	KindDigest = "digest"
	// KindDeliveryFailure tells the secretariat that a message could not be delivered.
	KindDeliveryFailure = "delivery-failure"
	// KindCalendar is a visit's calendar invitation (an .ics file), or its cancellation, to a
	// member of the team or the institution manager.
	KindCalendar = "calendar"
)

// HasButtons says whether messages of a kind carry buttons, and so are updated when their
// step moves on: tasks, reminders, escalations and extensions.
func HasButtons(kind string) bool {
	switch kind {
	case KindTask, KindReminder, KindEscalation, KindExtended:
		return true
	}
	return false
}

// ContentVersion is the version of Content this code writes. A dispatcher renders every
// version it finds in the outbox; rows of the first schema have no content and are rendered
// from their subject and body.
const ContentVersion = 1

// Content is what one message says, as data: it is stored as JSON in the outbox row, and the
// dispatcher renders it as Block Kit when it posts it, and again, without buttons, when the
// message goes out of date. The JSON names are a contract with rows queued by earlier
// versions: add fields, never rename them.
type Content struct {
	Version       int           `json:"v"`
	Kind          string        `json:"kind"`
	InstitutionID string        `json:"institution_id,omitempty"`
	Institution   string        `json:"institution,omitempty"`
	Region        domain.Region `json:"region,omitempty"`
	Cycle         int           `json:"cycle,omitempty"`
	// Step is the step key ("visit-date", "invitation/lead/1"); StepID is the read model's
	// step row (steps.id), when the message is about one.
	Step   string `json:"step,omitempty"`
	StepID string `json:"step_id,omitempty"`
	Title  string `json:"title,omitempty"`
	// Due is the step's due date; On is the date the message is for (the workflow's today).
	Due   domain.Date `json:"due,omitzero"`
	On    domain.Date `json:"on,omitzero"`
	Level int         `json:"level,omitempty"`
	Text  string      `json:"text,omitempty"`
	Link  string      `json:"link,omitempty"`
	// Digest lists the overdue steps of a digest, longest overdue first; More counts those
	// left out to keep the message within Slack's limits.
	Digest []DigestLine `json:"digest,omitempty"`
	More   int          `json:"more,omitempty"`
	// Failed is the message a delivery failure is about.
	Failed *FailedMessage `json:"failed,omitempty"`
	// Calendar is the event of a calendar invitation.
	Calendar *CalendarInvite `json:"calendar,omitempty"`
}

// CalendarInvite is one SEQUENCE of a visit's calendar event, as sent to one person: the
// .ics file is rendered from it when it is delivered, the same however often that is tried.
type CalendarInvite struct {
	UID       string      `json:"uid"`
	Sequence  int         `json:"sequence"`
	Date      domain.Date `json:"date"`
	Cancelled bool        `json:"cancelled,omitempty"`
	// Stamp is when this SEQUENCE was decided (DTSTAMP).
	Stamp time.Time `json:"stamp"`
	// VisitKind is "visit" or "revisit".
	VisitKind string           `json:"visit_kind"`
	Location  string           `json:"location,omitempty"`
	Organizer *CalendarPerson  `json:"organizer,omitempty"`
	Attendees []CalendarPerson `json:"attendees,omitempty"`
}

// CalendarPerson is an organizer or attendee of a calendar event.
type CalendarPerson struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
}

// DigestLine is one overdue step in a digest.
type DigestLine struct {
	InstitutionID string        `json:"institution_id"`
	Institution   string        `json:"institution"`
	Region        domain.Region `json:"region,omitempty"`
	Step          string        `json:"step"`
	Title         string        `json:"title"`
	HolderID      string        `json:"holder_id,omitempty"`
	Holder        string        `json:"holder,omitempty"`
	Due           domain.Date   `json:"due"`
	DaysOverdue   int           `json:"days_overdue"`
	Escalation    int           `json:"escalation,omitempty"`
	Link          string        `json:"link,omitempty"`
}

// FailedMessage names a message that could not be delivered, and why.
type FailedMessage struct {
	ID        string `json:"id"`
	Recipient string `json:"recipient"`
	Name      string `json:"name,omitempty"`
	Subject   string `json:"subject"`
	Reason    string `json:"reason"`
	Channel   string `json:"channel,omitempty"`
}

// decodeContent reads a row's content; ok is false for a row without one (queued by an
// earlier version), which is then rendered from its subject and body.
func decodeContent(raw string) (Content, bool) {
	if strings.TrimSpace(raw) == "" {
		return Content{}, false
	}
	var c Content
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Content{}, false
	}
	return c, true
}

// TaskPath is the path of a step's page in the web app: the open step with this key in the
// institution's cycle. It is the one place that defines the URL scheme of tasks; each part
// is escaped, and a step key's slashes ("invitation/lead/1") stay path separators, so the web
// app routes it as /institutions/{id}/cycles/{n}/steps/{key...}.
func TaskPath(institutionID string, cycle int, step string) string {
	parts := strings.Split(step, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return "/institutions/" + url.PathEscape(institutionID) + "/cycles/" + strconv.Itoa(cycle) + "/steps/" + strings.Join(parts, "/")
}

// TaskURL is TaskPath under the public base URL (ACCREDIT_PUBLIC_BASE_URL).
func TaskURL(baseURL, institutionID string, cycle int, step string) string {
	return strings.TrimRight(baseURL, "/") + TaskPath(institutionID, cycle, step)
}

// OverduePath is the web app's list of overdue steps of a region (all regions when empty).
func OverduePath(region domain.Region) string {
	if region == "" {
		return "/steps?overdue=1"
	}
	return "/steps?overdue=1&region=" + url.QueryEscape(string(region))
}

// Subject is the message's one-line summary, in Danish (the language of the people who get
// it): the notification text of Slack and of the log, and the outbox's subject column.
func Subject(c Content) string {
	what := fmt.Sprintf("%s for %s (cyklus %d)", c.Title, c.Institution, c.Cycle)
	switch c.Kind {
	case KindTask:
		return fmt.Sprintf("Ny opgave: %s – frist %s", what, c.Due)
	case KindReminder:
		return fmt.Sprintf("Påmindelse: %s – frist %s (om %d dage)", what, c.Due, c.Due.DaysSince(c.On))
	case KindEscalation:
		return fmt.Sprintf("Eskalering %d: %s – fristen %s er overskredet med %d dage", c.Level, what, c.Due, domain.DaysOverdue(c.Due, c.On))
	case KindExtended:
		return fmt.Sprintf("Fristen er forlænget: %s – ny frist %s", what, c.Due)
	case KindWithdrawn:
		return fmt.Sprintf("Opgaven er trukket tilbage: %s", what)
	case KindDigest:
		return fmt.Sprintf("Overskredne frister %s, %s: %d trin", regionName(c.Region), c.On, len(c.Digest)+c.More)
	case KindCalendar:
		return calendarSubject(c)
	case KindDeliveryFailure:
		if c.Failed != nil {
			return fmt.Sprintf("En besked til %s kunne ikke leveres i Slack (%s)", c.Failed.Recipient, c.Failed.Reason)
		}
		return "En besked kunne ikke leveres i Slack"
	}
	return what
}

// regionName is a region's Danish name, or the national level's.
func regionName(r domain.Region) string {
	if r == "" {
		return "på landsplan"
	}
	return r.Name()
}
