package activities

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
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

// Notifier delivers a queued message to its recipient (Slack, or the log).
type Notifier interface {
	Deliver(ctx context.Context, msg store.OutboxMessage, to store.Person) error
}

// LogNotifier writes notifications to the log; with it nothing is lost when Slack is not
// configured, because the outbox keeps every message too.
type LogNotifier struct{ Logger *slog.Logger }

// Deliver logs the message.
func (n LogNotifier) Deliver(_ context.Context, msg store.OutboxMessage, to store.Person) error {
	n.Logger.Info("notification", "to", to.ID, "name", to.Name, "kind", msg.Kind, "subject", msg.Subject, "link", msg.Link)
	return nil
}

// Notify queues the notification once per recipient and delivers what is still pending.
// A retry finds the rows already there (and sent), so nobody is told twice. It returns the
// IDs of the people it reached.
func (a *Activities) Notify(ctx context.Context, n Notification) ([]string, error) {
	ids, err := a.resolve(ctx, n.To)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && n.Region != "" {
		// Nobody holds the step (no manager registered, say): the secretariat must know.
		a.Logger.Warn("notification has no recipient; sending it to the regional secretariat", "key", n.Key)
		if ids, err = a.resolve(ctx, []Recipient{{Role: domain.RoleSecretariat, Region: n.Region}}); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		person, err := a.Store.Person(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			a.Logger.Warn("notification recipient is not in the registry", "person", id, "key", n.Key)
			continue
		}
		if err != nil {
			return nil, err
		}
		msg := a.compose(n, person)
		if _, err := a.Store.EnqueueNotification(ctx, msg); err != nil {
			return nil, fmt.Errorf("queue notification %s: %w", msg.ID, err)
		}
		pending, ok, err := a.Store.PendingNotification(ctx, msg.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // delivered by an earlier attempt
		}
		if a.Notifier != nil {
			if err := a.Notifier.Deliver(ctx, pending, person); err != nil {
				return nil, fmt.Errorf("deliver notification %s to %s: %w", msg.ID, id, err)
			}
		}
		if err := a.Store.MarkSent(ctx, msg.ID); err != nil {
			return nil, err
		}
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

// compose writes the message in Danish, the language of the people who receive it.
func (a *Activities) compose(n Notification, to store.Person) store.OutboxMessage {
	what := fmt.Sprintf("%s for %s (cyklus %d)", n.Title, n.Institution, n.Cycle)
	var subject string
	switch n.Kind {
	case KindTask:
		subject = fmt.Sprintf("Ny opgave: %s – frist %s", what, n.Due)
	case KindReminder:
		subject = fmt.Sprintf("Påmindelse: %s – frist %s (om %d dage)", what, n.Due, n.Due.DaysSince(n.On))
	case KindEscalation:
		overdue := domain.DaysOverdue(n.Due, n.On)
		subject = fmt.Sprintf("Eskalering %d: %s – fristen %s er overskredet med %d dage", n.Level, what, n.Due, overdue)
	case KindExtended:
		subject = fmt.Sprintf("Fristen er forlænget: %s – ny frist %s", what, n.Due)
	case KindWithdrawn:
		subject = fmt.Sprintf("Opgaven er trukket tilbage: %s", what)
	default:
		subject = what
	}
	body := subject
	if n.Text != "" {
		body += "\n" + n.Text
	}
	link := strings.TrimRight(a.Config.PublicBaseURL, "/") + "/cycles/" + n.InstitutionID + "#" + n.Step
	channel := "dm"
	if to.Role == domain.RoleSecretariat && a.Config.SecretariatChannels[string(to.Region)] != "" {
		channel = a.Config.SecretariatChannels[string(to.Region)]
	}
	return store.OutboxMessage{
		ID: n.Key + "/" + to.ID, Kind: string(n.Kind), RecipientID: to.ID, RecipientRole: string(to.Role),
		Channel: channel, InstitutionID: n.InstitutionID, Cycle: n.Cycle, Step: n.Step,
		Subject: subject, Body: body + "\n" + link, Link: link,
		Due: sql.NullString{String: n.Due.String(), Valid: !n.Due.IsZero()},
	}
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
