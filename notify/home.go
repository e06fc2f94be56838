package notify

// The App Home tab (issue 10, point 5): each person's open tasks with their due dates, read
// from the read model. It is published (views.publish) when the person opens it, and again
// whenever the dispatcher has just told them of a task, or taken a task's buttons back.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// maxHomeTasks is the most tasks the tab lists: Slack allows 100 blocks in a view, and each
// task takes one.
const maxHomeTasks = 90

// homeChanged marks a person's tab as out of date; the next round republishes it.
func (d *Dispatcher) homeChanged(personID string) {
	if d.slack == nil || personID == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.homes[personID] = true
}

// publishHomes republishes the tabs marked out of date. A tab that cannot be published now
// (a rate limit, Slack down) stays marked for the next round; one that never can (the person
// is not in Slack) is dropped.
func (d *Dispatcher) publishHomes(ctx context.Context) {
	if d.slack == nil {
		return
	}
	d.mu.Lock()
	ids := make([]string, 0, len(d.homes))
	for id := range d.homes {
		ids = append(ids, id)
	}
	clear(d.homes)
	d.mu.Unlock()
	for _, id := range ids {
		if ctx.Err() != nil {
			d.homeChanged(id)
			continue
		}
		err := d.PublishHome(ctx, id)
		if err == nil {
			continue
		}
		if _, limited, permanent := classify(err); permanent != nil || errors.Is(err, store.ErrNotFound) {
			d.log.Info("App Home not published", "person", id, "reason", err)
		} else {
			if limited {
				d.log.Info("App Home: rate limited by Slack; publishing it in the next round", "person", id)
			} else {
				d.log.Warn("App Home could not be published; trying again in the next round", "person", id, "error", err)
			}
			d.homeChanged(id)
		}
	}
}

// PublishHome publishes a person's App Home tab. It does nothing without Slack.
func (d *Dispatcher) PublishHome(ctx context.Context, personID string) error {
	if d.slack == nil {
		return nil
	}
	p, err := d.st.Person(ctx, personID)
	if err != nil {
		return err
	}
	user, err := d.slack.userID(ctx, p)
	if err != nil {
		return err
	}
	return d.publishHomeTo(ctx, user, &p)
}

// PublishHomeOf publishes the App Home tab of the Slack user who opened it: their tasks, or,
// for a Slack user the registry does not know, how to become known.
func (d *Dispatcher) PublishHomeOf(ctx context.Context, slackUserID string, p *store.Person) error {
	if d.slack == nil {
		return nil
	}
	return d.publishHomeTo(ctx, slackUserID, p)
}

func (d *Dispatcher) publishHomeTo(ctx context.Context, slackUserID string, p *store.Person) error {
	var steps []store.StepRow
	names := map[string]string{}
	if p != nil {
		var err error
		if steps, err = d.st.OpenSteps(ctx, store.StepFilter{HolderID: p.ID}); err != nil {
			return err
		}
		for _, s := range steps {
			if _, ok := names[s.InstitutionID]; !ok {
				if in, err := d.st.Institution(ctx, s.InstitutionID); err == nil {
					names[s.InstitutionID] = in.Name
				}
			}
		}
	}
	view := HomeView(p, steps, names, d.cfg.PublicBaseURL, d.opts.Now().In(d.loc))
	_, err := d.slack.client.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: slackUserID, View: view})
	return err
}

// HomeView is the App Home tab of a person (nil: a Slack user the registry does not know):
// their open tasks, soonest due first, each with its institution, due date, days left or
// overdue, and a button to its page.
func HomeView(p *store.Person, steps []store.StepRow, institutions map[string]string, baseURL string, now time.Time) slack.HomeTabViewRequest {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Dine opgaver i akkrediteringen"))}
	if p == nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Du er ikke kendt i akkrediteringens register, så her er ingen opgaver til dig. "+
			"Sekretariatet kan tilføje dit Slack-id (slack_user_id) eller din e-mailadresse i people.csv."), nil, nil))
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	}
	intro := fmt.Sprintf("%s – %d åbne opgaver. Opdateret %s.", escape(p.Name), len(steps), now.Format("02-01-2006 15:04"))
	if len(steps) == 1 {
		intro = fmt.Sprintf("%s – 1 åben opgave. Opdateret %s.", escape(p.Name), now.Format("02-01-2006 15:04"))
	}
	blocks = append(blocks, slack.NewContextBlock("accredit_home_intro", mrkdwn(intro)), slack.NewDividerBlock())
	if len(steps) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Du har ingen åbne opgaver lige nu. :tada:"), nil, nil))
	}
	steps = slices.Clone(steps)
	slices.SortStableFunc(steps, func(a, b store.StepRow) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.InstitutionID+a.Step, b.InstitutionID+b.Step)
	})
	for i, s := range steps {
		if i == maxHomeTasks {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("… og %d opgaver mere: se dem alle i webappen.", len(steps)-i))))
			break
		}
		inst := institutions[s.InstitutionID]
		if inst == "" {
			inst = s.InstitutionID
		}
		today := s.Today
		if today.IsZero() {
			today = domain.DateOf(now)
		}
		text := fmt.Sprintf("*%s*\n%s (%s) · cyklus %d\nFrist %s – %s", escape(s.Title), escape(inst), escape(s.InstitutionID),
			s.Cycle, s.Due, daysLeft(s.Due, today))
		link := TaskURL(baseURL, s.InstitutionID, s.Cycle, s.Step)
		open := slack.NewButtonBlockElement(ActionOpenHomeTask, s.ID, plain("Åbn")).WithURL(link)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(clip(text, maxSectionText)), nil, slack.NewAccessory(open)))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}
