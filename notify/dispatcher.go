// Package notify delivers the notification outbox. The workflows' Notify activity only queues
// a row per person (package activities); a Dispatcher, run by every worker process, leases
// queued rows and posts them to Slack as Block Kit messages, or writes them to the log when
// Slack is not configured. Its one job is that every queued message arrives once:
//
//	queued ──claim──▶ sending ──post──▶ delivered (Slack: channel and ts recorded)
//	   ▲                 │ ├──────────▶ logged    (no Slack, or covered by the daily digest)
//	   │                 │ └──────────▶ failed    (a permanent Slack error, with its reason;
//	   │                 │                          the secretariat is told once)
//	   ├── 429 / 5xx ────┘  (back to queued: after Retry-After, or with back-off)
//	   └── starter outbox retry (failed → queued)
//
// A row whose dispatcher died in "sending" is taken over when its lease expires; before the
// new dispatcher posts it again, it looks for the message in the conversation's history by
// the row's ID, which every message carries in its Slack metadata, and records the one it
// finds instead. So a crash between posting and recording never posts twice.
//
// Besides delivery, each round the dispatcher updates (chat.update) the messages whose step
// the read model shows done, withdrawn, extended or handed over, so that no stale button
// stays clickable; posts each working day's digest of overdue steps to the secretariat
// channels; tells the secretariat of failed rows; sends the visits' calendar invitations
// (calendar.go); and republishes the App Home tab (home.go) of each person whose tasks it
// has just told them of or updated.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the digest runs on Danish time, on hosts without a zone database too

	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Options tune a Dispatcher; zero fields take the production defaults.
type Options struct {
	// Owner names this dispatcher in the leases it takes (default: host, process and a
	// random number).
	Owner string
	// Poll is how long an idle dispatcher waits before it looks at the outbox again (1s).
	Poll time.Duration
	// Lease is how long a claimed row is this dispatcher's alone (2m). It must be far longer
	// than one delivery, whose Slack calls time out after 30s.
	Lease time.Duration
	// Batch is the most rows claimed at once (ten seconds' worth at the configured rate).
	Batch int
	// RetryBase and RetryMax bound the back-off after a transient error (5s doubling, at
	// most 15m).
	RetryBase, RetryMax time.Duration
	// HousekeepingEvery is how often Run updates superseded messages, reports failures and
	// posts the digest (10s).
	HousekeepingEvery time.Duration
	// Now is the clock of leases, retries and the digest; tests pin it.
	Now func() time.Time
	// Delivered, when set, is told of every outcome the dispatcher records (delivered,
	// logged or failed), after it is recorded: the worker's metrics time each message from
	// queueing to outcome with it.
	Delivered func(store.OutboxMessage, store.Outcome)
}

// Dispatcher delivers the outbox of one store; any number may run on the same store, in
// one process or several. RunOnce must not run concurrently with itself on one Dispatcher.
type Dispatcher struct {
	st    *store.Store
	cfg   config.Config
	log   *slog.Logger
	opts  Options
	slack *slackAPI // nil when Slack is not configured: rows are logged
	limit *limiter
	loc   *time.Location
	seq   atomic.Uint64

	mu      sync.Mutex
	digests map[string]bool // "<channel key>/<date>" already posted (or empty) today
	homes   map[string]bool // people whose App Home tab is out of date

	// afterPost, when set by a test, runs between a post and its record; an error abandons
	// the row there, as a crash of the process would.
	afterPost func(store.OutboxMessage) error
}

// errAbandoned is a test's simulated crash: the row is left exactly as it is.
var errAbandoned = errors.New("dispatcher abandoned the row")

// New builds a dispatcher for a store. With a bot token in cfg it delivers to Slack (at
// cfg.Slack.APIURL, for a test server); without one it writes every message to the log.
func New(st *store.Store, cfg config.Config, logger *slog.Logger, opts Options) *Dispatcher {
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.IntN(1<<16))
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = max(10, 10*cfg.Slack.MessagesPerSecond)
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 5 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 15 * time.Minute
	}
	if opts.HousekeepingEvery <= 0 {
		opts.HousekeepingEvery = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		loc = time.UTC
	}
	d := &Dispatcher{st: st, cfg: cfg, log: logger, opts: opts, limit: newLimiter(cfg.Slack.MessagesPerSecond),
		loc: loc, digests: map[string]bool{}, homes: map[string]bool{}}
	if client := NewSlackClient(cfg); client != nil {
		d.slack = &slackAPI{client: client, st: st, ims: map[string]string{}}
	}
	return d
}

// Mode says where messages go: "slack", or "log" when Slack is not configured.
func (d *Dispatcher) Mode() string {
	if d.slack == nil {
		return "log"
	}
	return "slack"
}

// Run delivers until ctx ends, and then gives back the rows it holds. It says at start where
// notifications go.
func (d *Dispatcher) Run(ctx context.Context) {
	d.announce(ctx)
	var lastHousekeeping time.Time
	for {
		if time.Since(lastHousekeeping) >= d.opts.HousekeepingEvery {
			d.housekeeping(ctx)
			lastHousekeeping = time.Now()
		}
		if _, err := d.deliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("notification dispatcher: the outbox could not be read; trying again", "error", err)
		}
		t := time.NewTimer(d.opts.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			d.log.Info("notification dispatcher stopped", "owner", d.opts.Owner)
			return
		case <-t.C:
		}
	}
}

// RunOnce does one full round: housekeeping (message updates, failure reports, the digest)
// and then every row that is due. It returns how many rows it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	d.housekeeping(ctx)
	return d.deliverDue(ctx)
}

// announce says at start where notifications go.
func (d *Dispatcher) announce(ctx context.Context) {
	if d.slack == nil {
		d.log.Warn("Slack is not configured (ACCREDIT_SLACK_BOT_TOKEN is empty): notifications are only written to the log " +
			"and kept in the outbox (starter outbox list); see README.md, Slack")
		return
	}
	auth, err := d.slack.client.AuthTestContext(ctx)
	if err != nil {
		d.log.Error("Slack did not accept the bot token (ACCREDIT_SLACK_BOT_TOKEN); notifications stay queued or fail until it does",
			"error", err)
		return
	}
	digest := "off"
	if h, m, on := d.cfg.Slack.DigestTime(); on {
		digest = fmt.Sprintf("%02d:%02d", h, m)
	}
	d.log.Info("notifications are delivered to Slack", "team", auth.Team, "bot", auth.User,
		"channels", len(d.cfg.SecretariatChannels), "digest_at", digest, "messages_per_second", d.cfg.Slack.MessagesPerSecond)
}

// housekeeping runs the periodic duties; each logs its own trouble and never stops delivery.
func (d *Dispatcher) housekeeping(ctx context.Context) {
	if err := d.updateSuperseded(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("notification dispatcher: updating superseded messages failed", "error", err)
	}
	if err := d.reportFailures(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("notification dispatcher: reporting failed notifications failed", "error", err)
	}
	if err := d.postDigests(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("notification dispatcher: the daily digest failed", "error", err)
	}
	if err := d.syncCalendar(ctx); err != nil && ctx.Err() == nil {
		d.log.Warn("notification dispatcher: the visits' calendar invitations failed", "error", err)
	}
	d.publishHomes(ctx)
}

// deliverDue claims and delivers batches until no row is due, Slack asks for a pause, or ctx
// ends.
func (d *Dispatcher) deliverDue(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		if _, paused := d.limit.pausedUntil(); paused && d.slack != nil {
			return total, nil
		}
		n, err := d.deliverBatch(ctx)
		total += n
		d.publishHomes(ctx)
		if err != nil || n < d.opts.Batch {
			return total, err
		}
	}
	return total, nil
}

// deliverBatch claims one batch under a fresh lease and delivers it row by row.
func (d *Dispatcher) deliverBatch(ctx context.Context) (int, error) {
	lease := fmt.Sprintf("%s#%d", d.opts.Owner, d.seq.Add(1))
	now := d.opts.Now()
	rows, err := d.st.ClaimNotifications(ctx, lease, now.UnixMilli(), now.Add(d.opts.Lease).UnixMilli(), d.opts.Batch)
	if err != nil {
		return 0, err
	}
	for i, row := range rows {
		if until, paused := d.limit.pausedUntil(); paused || ctx.Err() != nil {
			// Give back what was not tried: after Slack's pause, or at once to the next
			// dispatcher when this one stops.
			next := d.opts.Now()
			if paused {
				next = next.Add(time.Until(until))
			}
			d.release(ctx, lease, rows[i:], next)
			break
		}
		d.deliverRow(ctx, lease, row)
	}
	return len(rows), nil
}

// release gives claimed rows back untried.
func (d *Dispatcher) release(ctx context.Context, lease string, rows []store.OutboxMessage, next time.Time) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, row := range rows {
		if err := d.st.RequeueNotification(bg, row.ID, lease, next.UnixMilli(), row.LastError, false); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			d.log.Warn("could not give back a claimed notification; it is retried when its lease expires", "id", row.ID, "error", err)
		}
	}
}

// deliverRow delivers one claimed row and records what became of it.
func (d *Dispatcher) deliverRow(ctx context.Context, lease string, row store.OutboxMessage) {
	err := d.attempt(ctx, lease, row)
	if err == nil || errors.Is(err, errAbandoned) {
		return
	}
	if errors.Is(err, store.ErrLeaseLost) {
		d.log.Info("a notification's lease expired and another dispatcher took it over", "id", row.ID)
		return
	}
	// Records after a post must not be lost to a cancelled context.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ctx.Err() != nil {
		// Stopping: the message may have been posted, so the next attempt looks first.
		d.record(d.st.RequeueNotification(bg, row.ID, lease, d.opts.Now().UnixMilli(), "the dispatcher stopped during delivery", true), row)
		return
	}
	retryAfter, limited, permanent := classify(err)
	switch {
	case limited:
		d.limit.pause(time.Now().Add(retryAfter))
		d.log.Warn("Slack rate limit: pausing delivery", "retry_after", retryAfter, "id", row.ID)
		d.record(d.st.RequeueNotification(bg, row.ID, lease, d.opts.Now().Add(retryAfter).UnixMilli(),
			fmt.Sprintf("rate limited by Slack: waiting %s (Retry-After)", retryAfter), false), row)
	case permanent != nil:
		d.log.Error("notification failed; it is not retried until someone fixes the reason and runs starter outbox retry",
			"id", row.ID, "to", row.RecipientID, "reason", permanent.Error())
		d.record(d.finish(bg, lease, row, store.Outcome{Status: store.OutboxFailed, Reason: permanent.Error()}), row)
	default:
		wait := d.backoff(row.Attempts)
		d.log.Warn("notification not delivered; trying again later", "id", row.ID, "attempt", row.Attempts, "in", wait, "error", err)
		d.record(d.st.RequeueNotification(bg, row.ID, lease, d.opts.Now().Add(wait).UnixMilli(),
			fmt.Sprintf("attempt %d: %v; next attempt in %s", row.Attempts, err, wait.Round(time.Second)), true), row)
	}
}

// record logs a failed write about a row (it is retried when its lease expires).
func (d *Dispatcher) record(err error, row store.OutboxMessage) {
	if err != nil && !errors.Is(err, store.ErrLeaseLost) {
		d.log.Warn("could not record a notification's state; it is retried when its lease expires", "id", row.ID, "error", err)
	}
}

// backoff is the wait after the attempt-th transient failure: RetryBase doubling up to
// RetryMax, with a fifth of jitter so that dispatchers do not retry in step.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	wait := d.opts.RetryBase
	for i := 1; i < attempt && wait < d.opts.RetryMax; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.RetryMax)
	jitter := time.Duration(rand.Int64N(int64(wait)/5 + 1))
	return wait - wait/10 + jitter
}

// attempt delivers a claimed row once: to the log, or to Slack after making sure an earlier
// attempt did not post it already. A nil error means the row's outcome is recorded.
func (d *Dispatcher) attempt(ctx context.Context, lease string, row store.OutboxMessage) error {
	if d.slack == nil {
		d.log.Info("notification", "id", row.ID, "to", row.RecipientID, "kind", row.Kind, "subject", row.Subject, "link", row.Link)
		return d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxLogged,
			Reason: "Slack is not configured (ACCREDIT_SLACK_BOT_TOKEN)"})
	}
	if reason := d.coveredByDigest(row); reason != "" {
		d.log.Info("notification covered by the digest", "id", row.ID, "to", row.RecipientID, "subject", row.Subject)
		return d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxLogged, Reason: reason})
	}
	channel, err := d.target(ctx, row)
	if err != nil {
		return err
	}
	if row.Kind == KindCalendar {
		return d.postCalendar(ctx, lease, row, channel)
	}
	// A row claimed before, whose conversation was recorded, may have been posted by a
	// dispatcher that died (or timed out) before it could record the post.
	if row.Attempts > 1 && row.SlackChannel != "" {
		ts, found, err := d.slack.findPosted(ctx, channel, row.ID, row.CreatedAt)
		if err != nil {
			return err
		}
		if found {
			d.log.Info("notification was posted by an earlier attempt; recording it instead of posting again", "id", row.ID, "ts", ts)
			return d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxDelivered, SlackChannel: channel, SlackTS: ts})
		}
	}
	today, due := d.stepState(ctx, row)
	text, blocks := render(row, today, row.Superseded, due)
	if err := d.limit.wait(ctx); err != nil {
		return err
	}
	// Renew the lease just before posting: a dispatcher that stalled past its lease learns
	// here that another took the row over, and does not post.
	if err := d.st.RecordTarget(ctx, row.ID, lease, channel, d.opts.Now().Add(d.opts.Lease).UnixMilli()); err != nil {
		return err
	}
	_, ts, err := d.slack.client.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false),
		slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(metadata(row.ID)))
	if err != nil {
		return err
	}
	if d.afterPost != nil {
		if err := d.afterPost(row); err != nil {
			return errAbandoned
		}
	}
	if err := d.finish(ctx, lease, row, store.Outcome{Status: store.OutboxDelivered, SlackChannel: channel, SlackTS: ts,
		Rendered: row.Superseded}); err != nil {
		return err
	}
	if row.Channel == RouteDM && (HasButtons(row.Kind) || row.Kind == KindWithdrawn) {
		d.homeChanged(row.RecipientID)
	}
	return nil
}

// finish records a row's outcome, even when ctx was cancelled in the meantime.
func (d *Dispatcher) finish(ctx context.Context, lease string, row store.OutboxMessage, o store.Outcome) error {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	o.At = d.opts.Now()
	if err := d.st.FinishNotification(bg, row.ID, lease, o); err != nil {
		return err
	}
	if d.opts.Delivered != nil {
		d.opts.Delivered(row, o)
	}
	return nil
}

// coveredByDigest says why an escalation is only logged: from level 3 on, the secretariat
// channels see it in the working day's digest instead of as a message of its own (level 2,
// the secretariat's first notice, is always posted). "" when it is posted.
func (d *Dispatcher) coveredByDigest(row store.OutboxMessage) string {
	if row.Kind != KindEscalation || row.Level < 3 || row.Channel == RouteDM || row.Channel == "" {
		return ""
	}
	if _, _, on := d.cfg.Slack.DigestTime(); !on {
		return ""
	}
	return "covered by the daily digest of overdue steps in channel " + row.Channel
}

// target is the conversation a row is posted in: its channel, or the direct messages with
// its recipient.
func (d *Dispatcher) target(ctx context.Context, row store.OutboxMessage) (string, error) {
	if row.Channel != RouteDM && row.Channel != "" {
		return row.Channel, nil
	}
	p, err := d.st.Person(ctx, row.RecipientID)
	if errors.Is(err, store.ErrNotFound) {
		return "", &permanentError{code: "recipient_unknown", detail: row.RecipientID + " is no longer in the registry"}
	}
	if err != nil {
		return "", err
	}
	user, err := d.slack.userID(ctx, p)
	if err != nil {
		return "", err
	}
	return d.slack.directChannel(ctx, user)
}

// stepState is today on the row's cycle calendar (for "days left"), and the step's due date
// now (for an extension); zero dates when the row is about no cycle or step.
func (d *Dispatcher) stepState(ctx context.Context, row store.OutboxMessage) (today, due domain.Date) {
	if row.InstitutionID == "" || row.Cycle == 0 {
		return today, due
	}
	if c, err := d.st.Cycle(ctx, row.InstitutionID, row.Cycle); err == nil && c.DayLengthMS > 0 {
		today = c.Clock().DateAt(d.opts.Now())
	}
	if row.StepID != "" && row.Superseded != "" {
		if steps, err := d.st.Steps(ctx, row.InstitutionID, row.Cycle); err == nil {
			if i := slices.IndexFunc(steps, func(s store.StepRow) bool { return s.ID == row.StepID }); i >= 0 {
				due = steps[i].Due
			}
		}
	}
	return today, due
}

// Supersede marks every message with buttons about a step as out of date for reason (done,
// withdrawn, extended, ...) and updates those already in Slack: the hook for whatever learns
// of a step's end before the read model shows it (a click in Slack, say). Without it, the
// next housekeeping round finds the same from the read model.
func (d *Dispatcher) Supersede(ctx context.Context, stepID, reason string) (int, error) {
	n, err := d.st.SupersedeStepMessages(ctx, stepID, reason)
	if err != nil {
		return 0, err
	}
	return n, d.updateSuperseded(ctx)
}

// updateSuperseded marks the messages whose step moved on and rewrites their Slack copies
// without buttons.
func (d *Dispatcher) updateSuperseded(ctx context.Context) error {
	if d.slack == nil {
		return nil // logged messages have no buttons to take back
	}
	if _, err := d.st.SupersedeStale(ctx); err != nil {
		return err
	}
	rows, err := d.st.PendingUpdates(ctx, d.opts.Batch)
	if err != nil {
		return err
	}
	for _, row := range rows {
		today, due := d.stepState(ctx, row)
		text, blocks := render(row, today, row.Superseded, due)
		if err := d.limit.wait(ctx); err != nil {
			return err
		}
		_, _, _, err := d.slack.client.UpdateMessageContext(ctx, row.SlackChannel, row.SlackTS, slack.MsgOptionText(text, false),
			slack.MsgOptionBlocks(blocks...), slack.MsgOptionMetadata(metadata(row.ID)))
		if err == nil {
			d.record(d.st.FinishUpdate(ctx, row.ID, store.UpdateDone, ""), row)
			if row.Channel == RouteDM {
				d.homeChanged(row.RecipientID)
			}
			continue
		}
		if retryAfter, limited, _ := classify(err); limited {
			d.limit.pause(time.Now().Add(retryAfter))
			return nil
		}
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && updateGone[se.Err] {
			d.log.Warn("a superseded message cannot be updated in Slack", "id", row.ID, "reason", se.Err)
			d.record(d.st.FinishUpdate(ctx, row.ID, store.UpdateFailed, se.Err), row)
			continue
		}
		d.log.Warn("updating a superseded message failed; trying again later", "id", row.ID, "error", err)
	}
	return nil
}

// reportFailures queues, once per failed row, a message to the secretariat of the row's
// region (the national secretariat when it has no region or no secretariat) that says which
// message did not arrive and why. A failed report is not reported again.
func (d *Dispatcher) reportFailures(ctx context.Context) error {
	rows, err := d.st.UnreportedFailures(ctx, d.opts.Batch)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if row.Kind == KindDeliveryFailure {
			d.log.Error("a report of a failed notification could not be delivered either", "id", row.ID, "reason", row.LastError)
			if err := d.st.MarkFailureReported(ctx, row.ID); err != nil {
				return err
			}
			continue
		}
		region := domain.Region(row.Region)
		people, err := d.secretariat(ctx, region)
		if err != nil {
			return err
		}
		failed := &FailedMessage{ID: row.ID, Recipient: row.RecipientID, Subject: row.Subject, Reason: row.LastError}
		if row.Channel != RouteDM {
			failed.Channel = row.Channel
			if row.RecipientID == "" {
				failed.Recipient = "kanal " + row.Channel
			}
		}
		if p, err := d.st.Person(ctx, row.RecipientID); err == nil {
			failed.Name = p.Name
		}
		c := Content{Kind: KindDeliveryFailure, InstitutionID: row.InstitutionID, Region: region, Cycle: row.Cycle,
			Step: row.Step, On: domain.DateOf(d.opts.Now().In(d.loc)), Failed: failed}
		if len(people) == 0 {
			d.log.Error("a notification failed and there is no secretariat to tell", "id", row.ID, "reason", row.LastError)
		} else if _, err := Enqueue(ctx, d.st, d.cfg, "delivery-failure/"+row.ID, c, people); err != nil {
			return err
		}
		if err := d.st.MarkFailureReported(ctx, row.ID); err != nil {
			return err
		}
	}
	return nil
}

// secretariat is the people of a region's secretariat, or of the national one when the
// region has none (or for the empty region).
func (d *Dispatcher) secretariat(ctx context.Context, region domain.Region) ([]store.Person, error) {
	var ids []string
	var err error
	if region != "" {
		if ids, err = d.st.PeopleIDs(ctx, domain.RoleSecretariat, region, false); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		if ids, err = d.st.PeopleIDs(ctx, domain.RoleSecretariat, "", true); err != nil {
			return nil, err
		}
	}
	people := make([]store.Person, 0, len(ids))
	for _, id := range ids {
		p, err := d.st.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		people = append(people, p)
	}
	return people, nil
}

// maxDigestLines is the most steps a digest row keeps; the message shows as many as Slack's
// block limits allow and counts the rest.
const maxDigestLines = 500

// postDigests queues, on a working day from the configured time on, one digest of overdue
// steps per secretariat channel: the region's overdue steps for a regional channel, and the
// steps escalated to the national secretariat (level 3 and up) for the national one. The
// row's ID is "digest/<region or national>/<date>", so however many dispatchers try, one is
// queued; an empty digest is not posted.
func (d *Dispatcher) postDigests(ctx context.Context) error {
	hour, minute, on := d.cfg.Slack.DigestTime()
	if d.slack == nil || !on || len(d.cfg.SecretariatChannels) == 0 {
		return nil
	}
	now := d.opts.Now().In(d.loc)
	today := domain.DateOf(now)
	if !domain.IsWorkingDay(today) || now.Hour()*60+now.Minute() < hour*60+minute {
		return nil
	}
	keys := make([]string, 0, len(d.cfg.SecretariatChannels))
	for k := range d.cfg.SecretariatChannels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d.mu.Lock()
	defer d.mu.Unlock()
	for done := range d.digests {
		if done[len(done)-10:] != today.String() {
			delete(d.digests, done)
		}
	}
	for _, key := range keys {
		mark := key + "/" + today.String()
		if d.digests[mark] {
			continue
		}
		region := domain.Region(key)
		if key == config.NationalChannel {
			region = ""
		}
		lines, err := d.overdue(ctx, region)
		if err != nil {
			return err
		}
		if len(lines) > 0 {
			c := Content{Kind: KindDigest, Region: region, On: today,
				Link: d.cfg.PublicBaseURL + OverduePath(region)}
			c.Digest, c.More = lines, 0
			if len(lines) > maxDigestLines {
				c.Digest, c.More = lines[:maxDigestLines], len(lines)-maxDigestLines
			}
			if _, err := enqueueChannel(ctx, d.st, "digest/"+key+"/"+today.String(), d.cfg.SecretariatChannels[key], c); err != nil {
				return err
			}
		}
		d.digests[mark] = true
	}
	return nil
}

// overdue lists a region's overdue steps (every region's, escalated to level 3 and up, for
// the national digest), longest overdue first, read from the read model.
func (d *Dispatcher) overdue(ctx context.Context, region domain.Region) ([]DigestLine, error) {
	steps, err := d.st.OpenSteps(ctx, store.StepFilter{Region: region})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	name := func(id string, get func() (string, error)) string {
		if n, ok := names[id]; ok {
			return n
		}
		n, err := get()
		if err != nil {
			n = ""
		}
		names[id] = n
		return n
	}
	var lines []DigestLine
	for _, s := range steps {
		if s.DaysOverdue <= 0 || (region == "" && s.Escalation < 3) {
			continue
		}
		inst := name("i:"+s.InstitutionID, func() (string, error) {
			in, err := d.st.Institution(ctx, s.InstitutionID)
			return in.Name, err
		})
		holder := ""
		if s.HolderID != "" {
			holder = name("p:"+s.HolderID, func() (string, error) {
				p, err := d.st.Person(ctx, s.HolderID)
				return p.Name, err
			})
		}
		lines = append(lines, DigestLine{InstitutionID: s.InstitutionID, Institution: inst, Region: s.Region, Step: s.Step,
			Title: s.Title, HolderID: s.HolderID, Holder: holder, Due: s.Due, DaysOverdue: s.DaysOverdue,
			Escalation: s.Escalation, Link: TaskURL(d.cfg.PublicBaseURL, s.InstitutionID, s.Cycle, s.Step)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].DaysOverdue > lines[j].DaysOverdue })
	return lines, nil
}
