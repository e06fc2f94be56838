package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// RouteDM is the channel column of a row delivered as a direct message to its recipient.
const RouteDM = "dm"

// Route is where a message to one person goes: RouteDM, or the channel ID of their
// secretariat. Escalations from level 2 on (they are the secretariat's from then, PRODUCT.md
// §3) and reports of failed deliveries go to the secretariat's channel, regional or national
// by the person's own region, when one is configured; everything else is a direct message.
// A failure report about a message to a channel goes by direct message, in case the channel
// is what failed.
func Route(cfg config.Config, c Content, to store.Person) string {
	if to.Role != domain.RoleSecretariat {
		return RouteDM
	}
	if !(c.Kind == KindEscalation && c.Level >= 2) && c.Kind != KindDeliveryFailure {
		return RouteDM
	}
	channel := cfg.SecretariatChannel(to.Region)
	if channel == "" || (c.Failed != nil && c.Failed.Channel == channel) {
		return RouteDM
	}
	return channel
}

// Enqueue queues a message once per person, under the ID key + "/" + person ID, and returns
// the IDs of the people it queued it for. A retry with the same key queues nothing again.
// People whose route is the same channel share one Slack message: the first one's row is
// delivered and the others' name it as their leader.
func Enqueue(ctx context.Context, st *store.Store, cfg config.Config, key string, c Content, people []store.Person) ([]string, error) {
	c.Version = ContentVersion
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("queue notification %s: %w", key, err)
	}
	subject := Subject(c)
	body := subject
	if c.Text != "" {
		body += "\n" + c.Text
	}
	if c.Link != "" {
		body += "\n" + c.Link
	}
	leaders := map[string]string{}
	ids := make([]string, 0, len(people))
	for _, p := range people {
		route := Route(cfg, c, p)
		id := key + "/" + p.ID
		leader := ""
		if route != RouteDM {
			if leader = leaders[route]; leader == "" {
				// A retry of a notification whose first attempt queued a leader for this
				// channel keeps it, even if the people to tell changed in between.
				first, err := st.ChannelLeader(ctx, key+"/", route)
				if err != nil {
					return nil, err
				}
				if first == "" || first == id {
					first = id
				}
				leaders[route] = first
				if first != id {
					leader = first
				}
			}
		}
		m := store.OutboxMessage{
			ID: id, Kind: c.Kind, RecipientID: p.ID, RecipientRole: string(p.Role), Channel: route,
			InstitutionID: c.InstitutionID, Cycle: c.Cycle, Step: c.Step, Subject: subject, Body: body, Link: c.Link,
			Due:    sql.NullString{String: c.Due.String(), Valid: !c.Due.IsZero()},
			Region: string(c.Region), Level: c.Level, StepID: c.StepID, Content: string(raw), LeaderID: leader,
		}
		if _, err := st.EnqueueNotification(ctx, m); err != nil {
			return nil, fmt.Errorf("queue notification %s: %w", id, err)
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// enqueueChannel queues a message to a channel itself (a digest), under its key alone.
func enqueueChannel(ctx context.Context, st *store.Store, key, channel string, c Content) (bool, error) {
	c.Version = ContentVersion
	raw, err := json.Marshal(c)
	if err != nil {
		return false, err
	}
	subject := Subject(c)
	return st.EnqueueNotification(ctx, store.OutboxMessage{
		ID: key, Kind: c.Kind, RecipientRole: string(domain.RoleSecretariat), Channel: channel,
		Subject: subject, Body: subject, Link: c.Link, Region: string(c.Region), Content: string(raw),
	})
}
