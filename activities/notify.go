package activities

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// NotificationKind says why someone is told something.
type NotificationKind string

// The kinds of notification of PRODUCT.md §5.
const (
	KindTask       NotificationKind = "task"
	KindReminder   NotificationKind = "reminder"
	KindEscalation NotificationKind = "escalation"
	KindExtended   NotificationKind = "extended"
	KindWithdrawn  NotificationKind = "withdrawn"
	KindInfo       NotificationKind = "info"
)

// Recipient is one person, or everyone in a role in a region (or at national level).
type Recipient struct {
	PersonID string        `json:"person_id,omitempty"`
	Role     domain.Role   `json:"role,omitempty"`
	Region   domain.Region `json:"region,omitempty"`
	National bool          `json:"national,omitempty"`
}

// Notification is one message about one step to one or more recipients. Key is the
// idempotency key: workflow ID, step, kind, level and date.
type Notification struct {
	Key           string           `json:"key"`
	Kind          NotificationKind `json:"kind"`
	To            []Recipient      `json:"to"`
	InstitutionID string           `json:"institution_id"`
	Institution   string           `json:"institution"`
	Region        domain.Region    `json:"region,omitempty"`
	Cycle         int              `json:"cycle"`
	Step          string           `json:"step"`
	Title         string           `json:"title"`
	Due           domain.Date      `json:"due"`
	Level         int              `json:"level,omitempty"`
	On            domain.Date      `json:"on"`
	Text          string           `json:"text,omitempty"`
}

// Notify queues the notification once per recipient and returns the IDs of the people it is
// for. It does not deliver: a dispatcher in the worker process does (package notify), so
// Slack being slow or down never holds up or fails a cycle. A retry finds the rows already
// there (they are keyed by the notification's key and the person), so nobody is told twice.
func (a *Activities) Notify(ctx context.Context, n Notification) ([]string, error) {
	ids, err := a.resolve(ctx, n.To)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && n.Region != "" {
		// Nobody holds the step (no manager registered, say): the secretariat must know.
		a.Logger.WarnContext(ctx, "notification has no recipient; sending it to the regional secretariat", "key", n.Key)
		if ids, err = a.resolve(ctx, []Recipient{{Role: domain.RoleSecretariat, Region: n.Region}}); err != nil {
			return nil, err
		}
	}
	people := make([]store.Person, 0, len(ids))
	for _, id := range ids {
		person, err := a.Store.Person(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			a.Logger.WarnContext(ctx, "notification recipient is not in the registry", "person", id, "key", n.Key)
			continue
		}
		if err != nil {
			return nil, err
		}
		people = append(people, person)
	}
	c, err := a.content(ctx, n)
	if err != nil {
		return nil, err
	}
	if _, err := notify.Enqueue(ctx, a.Store, a.Config, n.Key, c, people); err != nil {
		return nil, err
	}
	return ids, nil
}

func (a *Activities) resolve(ctx context.Context, to []Recipient) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, r := range to {
		if r.PersonID != "" {
			add(r.PersonID)
			continue
		}
		if r.Role == "" {
			continue
		}
		people, err := a.Store.PeopleIDs(ctx, r.Role, r.Region, r.National)
		if err != nil {
			return nil, err
		}
		for _, id := range people {
			add(id)
		}
	}
	return ids, nil
}

// content is the notification as the message's data; the dispatcher renders it. A message
// with buttons names its read-model step, so that it is updated when the step moves on.
func (a *Activities) content(ctx context.Context, n Notification) (notify.Content, error) {
	link := ""
	if n.InstitutionID != "" && n.Step != "" {
		link = notify.TaskURL(a.Config.PublicBaseURL, n.InstitutionID, n.Cycle, n.Step)
	}
	c := notify.Content{
		Kind: string(n.Kind), InstitutionID: n.InstitutionID, Institution: n.Institution, Region: n.Region, Cycle: n.Cycle,
		Step: n.Step, Title: n.Title, Due: n.Due, On: n.On, Level: n.Level, Text: n.Text, Link: link,
	}
	if notify.HasButtons(c.Kind) {
		// The workflow records a step before it tells anyone of it; an alert whose key names
		// no recorded step (a team seat's task) has nothing to follow.
		if id := stepIDOf(n); id != "" {
			ok, err := a.Store.StepExists(ctx, id)
			if err != nil {
				return c, err
			}
			if ok {
				c.StepID = id
			}
		}
	}
	return c, nil
}

// alertSuffix is the end of an alert's key (workflows/keys.go, alertKey): the kind, the level
// and the date, after the ID of the step's read-model row.
var alertSuffix = regexp.MustCompile(`^(.+)/([a-z]+)/[0-9]+/[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// stepIDOf is the read-model step (steps.id) a notification is about, taken from its key; ""
// when its key is not a step's alert (a team announcement, a publication).
func stepIDOf(n Notification) string {
	m := alertSuffix.FindStringSubmatch(n.Key)
	if m == nil || m[2] != string(n.Kind) {
		return ""
	}
	return m[1]
}

// AnnounceTeam sends every recipient of the announcement the team's line-up: seat, name and
// home region of each member. Queued once per recipient, like every notification.
func (a *Activities) AnnounceTeam(ctx context.Context, t TeamAnnouncement) ([]string, error) {
	lines := make([]string, 0, len(t.Members))
	for _, m := range t.Members {
		p, err := a.Store.Person(ctx, m.PersonID)
		if errors.Is(err, store.ErrNotFound) {
			lines = append(lines, fmt.Sprintf("%s: %s", m.Seat, m.PersonID))
			continue
		}
		if err != nil {
			return nil, err
		}
		region := "national"
		if p.Region != "" {
			region = p.Region.Name()
		}
		lines = append(lines, fmt.Sprintf("%s: %s (%s, %s)", m.Seat, p.Name, p.ID, region))
	}
	n := t.Notification
	n.Text = "Holdet:\n" + strings.Join(lines, "\n")
	return a.Notify(ctx, n)
}
