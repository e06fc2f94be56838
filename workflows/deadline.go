package workflows

import (
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// The deadline primitive: every step that waits for a person is opened here. Opening a step
// writes it to the read model and tells its holder; a coroutine then walks the step's alert
// sequence (reminders before the due date, escalations after it) on the cycle's clock until
// the step is done, waived, expired or withdrawn. Extending the due date restarts the walk
// from today, so the reminders move with it. A step never fails because a person is late.

// stepSpec describes a step to open.
type stepSpec struct {
	Key        string
	Title      string
	HolderID   string
	HolderRole string
	Due        domain.Date
	// FirstEscalationTo receives the escalation at the due date: the institution manager for
	// the institution's steps, the lead reviewer for the team's.
	FirstEscalationTo string
	// AtDue is what the due date does: escalate (the default), expire an unanswered
	// invitation, or close a window (hearing, appeal).
	AtDue domain.AtDue
}

// step is an open or closed step of a stage.
type step struct {
	// id is the step's idempotency key (see keys.go).
	id                string
	rec               StepRecord
	firstEscalationTo string
	atDue             domain.AtDue
	// dueVersion changes when the due date moves, waking the alert coroutine.
	dueVersion int
}

func (s *step) open() bool { return s.rec.Status == StepOpen }

// escalates reports whether the step walks the escalation chain after its due date.
func (s *step) escalates() bool { return s.atDue == "" || s.atDue == domain.EscalateAtDue }

// stepBook holds the steps of one stage workflow.
type stepBook struct {
	// rel is the release the stage began with.
	rel        began
	stage      Stage
	workflowID string
	// key names this stage of this incarnation of the cycle in every idempotency key
	// (keys.go): the same after a reset, different for a cycle started again.
	key   string
	in    StageInput
	steps []*step
	// revs orders the stage's writes to the read model.
	revs revisions
	// inCycle is set for a self-evaluation the cycle runs itself: with no step open, the
	// cycle's search attributes show no step at all instead of the stage's "none".
	inCycle bool
	// inflight counts effects (read model, notifications) still running in coroutines; a
	// stage settles them before it returns so none is abandoned.
	inflight int
}

// effect runs an activity whose result only matters to the store, counting it in flight.
func (b *stepBook) effect(ctx workflow.Context, activity any, arg any, result any) error {
	b.inflight++
	defer func() { b.inflight-- }()
	return runEffect(ctx, b.rel, activity, arg, result)
}

// runRead reads from the store (the settings, the institution): a local activity for a
// workflow begun from release v9 on, an activity for one begun before.
func runRead(ctx workflow.Context, r began, activity any, result any, args ...any) error {
	if r.baselined() {
		return workflow.ExecuteLocalActivity(localEffectOptions(ctx), activity, args...).Get(ctx, result)
	}
	return workflow.ExecuteActivity(effectOptions(ctx), activity, args...).Get(ctx, result)
}

// runEffect runs a store write or a notification's queueing: a local activity, which costs
// the history one marker instead of an activity's three events and a workflow task. Each
// is idempotent by key, so running again after a crash is safe. Histories begun before
// local-effects ran them as activities and replay that way.
func runEffect(ctx workflow.Context, r began, activity any, arg any, result any) error {
	if r.changed(ctx, ChangeLocalEffects) {
		return workflow.ExecuteLocalActivity(localEffectOptions(ctx), activity, arg).Get(ctx, result)
	}
	return workflow.ExecuteActivity(effectOptions(ctx), activity, arg).Get(ctx, result)
}

// settle waits for every effect and update handler to finish.
func (b *stepBook) settle(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return b.inflight == 0 && workflow.AllHandlersFinished(ctx) })
}

func newStepBook(ctx workflow.Context, r began, stage Stage, in StageInput) *stepBook {
	info := workflow.GetInfo(ctx)
	return &stepBook{rel: r, stage: stage, workflowID: info.WorkflowExecution.ID, key: stageKey(in.CycleKey, stage, in.Year), in: in}
}

// today is the cycle's calendar date now.
func (b *stepBook) today(ctx workflow.Context) domain.Date {
	return b.in.Clock.DateAt(workflow.Now(ctx))
}

// records returns a copy of every step, in the order they were opened.
func (b *stepBook) records() []StepRecord {
	out := make([]StepRecord, len(b.steps))
	for i, s := range b.steps {
		out[i] = s.rec
		out[i].Alerts = append([]AlertRecord(nil), s.rec.Alerts...)
		out[i].Documents = append([]DocumentRef(nil), s.rec.Documents...)
	}
	return out
}

// find returns the open step with the given key, or the most recent one with it.
func (b *stepBook) find(key string) *step {
	var found *step
	for _, s := range b.steps {
		if s.rec.Key == key {
			if s.open() {
				return s
			}
			found = s
		}
	}
	return found
}

// openStep opens a step, tells its holder, and starts walking its alerts. It does not block:
// the step is in the book (and visible to queries and updates) the moment it returns, and
// its effects run in the step's own coroutine.
func (b *stepBook) openStep(ctx workflow.Context, spec stepSpec) *step {
	today := b.today(ctx)
	openings := 1
	for _, other := range b.steps {
		if other.rec.Key == spec.Key {
			openings++
		}
	}
	s := &step{
		id: stepKey(b.key, spec.Key, openings),
		rec: StepRecord{
			Key: spec.Key, Title: spec.Title, Stage: b.stage, HolderID: spec.HolderID, HolderRole: spec.HolderRole,
			Opened: today, Due: spec.Due, Status: StepOpen,
		},
		firstEscalationTo: spec.FirstEscalationTo,
		atDue:             spec.AtDue,
	}
	b.steps = append(b.steps, s)
	opened := b.snapshot(ctx, s)
	b.updateSearchAttributes(ctx)
	task := b.notification(ctx, s, activities.KindTask, 0, today, []activities.Recipient{{PersonID: spec.HolderID}})
	b.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		var a *activities.Activities
		if b.rel.leanSteps() {
			_ = runEffect(ctx, b.rel, a.RecordStepChange, activities.StepChange{Step: &opened, Notification: &task}, nil)
		} else {
			_ = runEffect(ctx, b.rel, a.RecordStep, opened, nil)
			_ = runEffect(ctx, b.rel, a.Notify, task, nil)
		}
		b.inflight--
		b.walkAlerts(ctx, s)
	})
	return s
}

// walkAlerts sends the step's reminders and escalations one at a time until it closes.
func (b *stepBook) walkAlerts(ctx workflow.Context, s *step) {
	policy := b.in.Settings.Durations.DeadlinePolicy()
	// Before step-policies, a step that did not escalate got no reminder: it waited for its
	// due date and expired.
	perStep := b.rel.changed(ctx, ChangeStepPolicies)
	after := s.rec.Opened.AddDays(-1)
	for s.open() {
		version := s.dueVersion
		var next domain.Alert
		switch {
		case perStep:
			var ok bool
			if next, ok = policy.ForStep(s.atDue).Next(s.rec.Opened, s.rec.Due, after, b.today(ctx)); !ok {
				_ = workflow.Await(ctx, func() bool { return !s.open() || s.dueVersion != version })
				after = b.today(ctx).AddDays(-1)
				continue
			}
		case !s.escalates():
			next = domain.Alert{Kind: domain.AlertClose, Date: s.rec.Due}
		default:
			var ok bool
			if next, ok = policy.CatchUpAlert(s.rec.Opened, s.rec.Due, after, b.today(ctx)); !ok {
				// No further alert: wait until the step closes or its due date moves.
				_ = workflow.Await(ctx, func() bool { return !s.open() || s.dueVersion != version })
				after = b.today(ctx).AddDays(-1)
				continue
			}
		}
		wait := b.in.Clock.TimeOf(next.Date).Sub(workflow.Now(ctx))
		if wait > 0 {
			fired, err := awaitWithTimeout(ctx, b.rel, wait, func() bool { return !s.open() || s.dueVersion != version })
			if err != nil {
				return // the stage was cancelled; cancel() withdraws the step
			}
			if fired {
				if s.dueVersion != version {
					after = b.today(ctx).AddDays(-1)
				}
				continue
			}
			// A timer that fires after an outage fires late, and what it was set for is
			// stale: work out again what holds today, so the holder gets one message at
			// today's level instead of the stale one and then the catch-up.
			if b.today(ctx).After(next.Date) {
				continue
			}
		}
		if !s.open() {
			return
		}
		if next.Kind == domain.AlertClose {
			if s.atDue == domain.CloseAtDue && perStep {
				b.closeStep(ctx, s, StepClosed, "", "the window closed on "+s.rec.Due.String())
			} else {
				b.closeStep(ctx, s, StepExpired, "", "no answer by the due date")
			}
			return
		}
		b.sendAlert(ctx, s, next)
		after = next.Date
		if b.rel.leanSteps() && next.Kind == domain.AlertEscalation && next.Level >= domain.RepeatedEscalation {
			// The later repeats come from the read model (activities.RepeatEscalations):
			// wait, without a timer, until the step closes or its due date moves.
			version := s.dueVersion
			if err := workflow.Await(ctx, func() bool { return !s.open() || s.dueVersion != version }); err != nil {
				return
			}
			after = b.today(ctx).AddDays(-1)
		}
	}
}

// sendAlert notifies the people an alert is for and records it on the step.
func (b *stepBook) sendAlert(ctx workflow.Context, s *step, alert domain.Alert) {
	var recipients []activities.Recipient
	kind := activities.KindReminder
	switch {
	case alert.Kind == domain.AlertReminder:
		recipients = []activities.Recipient{{PersonID: s.rec.HolderID}}
	case alert.Level == 1:
		kind = activities.KindEscalation
		to := s.firstEscalationTo
		if to == "" {
			to = s.rec.HolderID
		}
		recipients = []activities.Recipient{{PersonID: to}}
		if to != s.rec.HolderID && s.rec.HolderID != "" {
			recipients = append(recipients, activities.Recipient{PersonID: s.rec.HolderID})
		}
	case alert.Level == 2:
		kind = activities.KindEscalation
		recipients = []activities.Recipient{{Role: domain.RoleSecretariat, Region: b.in.Institution.Region}}
	default:
		kind = activities.KindEscalation
		recipients = []activities.Recipient{
			{Role: domain.RoleSecretariat, Region: b.in.Institution.Region},
			{Role: domain.RoleSecretariat, National: true},
		}
	}
	var sent []string
	switch {
	case alert.Kind == domain.AlertEscalation && b.rel.leanSteps():
		s.rec.Escalation = alert.Level
		sent = b.change(ctx, s, kind, alert.Level, alert.Date, recipients)
	case alert.Kind == domain.AlertEscalation:
		sent = b.notify(ctx, s, kind, alert.Level, alert.Date, recipients)
		s.rec.Escalation = alert.Level
		b.persist(ctx, s)
	default:
		sent = b.notify(ctx, s, kind, alert.Level, alert.Date, recipients)
	}
	s.rec.Alerts = append(s.rec.Alerts, AlertRecord{Kind: alert.Kind, Level: alert.Level, Date: alert.Date, Recipients: sent})
}

// closeStep ends a step and records who closed it and why.
func (b *stepBook) closeStep(ctx workflow.Context, s *step, status StepStatus, actor, note string) {
	if !s.open() {
		return
	}
	s.rec.Status = status
	s.rec.Closed = b.today(ctx)
	s.rec.ClosedBy = actor
	s.rec.Note = note
	b.persist(ctx, s)
	b.updateSearchAttributes(ctx)
}

// extend moves a step's due date; the alert coroutine restarts its walk from today.
func (b *stepBook) extend(ctx workflow.Context, s *step, due domain.Date, actor, reason string) {
	s.rec.Extensions = append(s.rec.Extensions, due)
	s.rec.Due = due
	s.rec.Escalation = 0
	s.rec.Note = fmt.Sprintf("extended to %s by %s: %s", due, actor, excerpt(reason, noteExcerpt))
	s.dueVersion++
	b.persistAndNotify(ctx, s, activities.KindExtended, len(s.rec.Extensions), b.today(ctx), []activities.Recipient{{PersonID: s.rec.HolderID}})
	b.updateSearchAttributes(ctx)
}

// withdrawAll closes every open step of a cancelled stage and tells the holders. It runs on
// a disconnected context because the stage's own context is already cancelled.
func (b *stepBook) withdrawAll(ctx workflow.Context, reason string) {
	for _, s := range b.steps {
		if s.open() {
			b.closeStep(ctx, s, StepWithdrawn, "", reason)
			b.notify(ctx, s, activities.KindWithdrawn, 0, b.today(ctx), []activities.Recipient{{PersonID: s.rec.HolderID}})
		}
	}
}

// awaitClosed blocks until the step is no longer open.
func (b *stepBook) awaitClosed(ctx workflow.Context, s *step) error {
	return workflow.Await(ctx, func() bool { return !s.open() })
}

func (b *stepBook) persist(ctx workflow.Context, s *step) {
	var a *activities.Activities
	_ = b.effect(ctx, a.RecordStep, b.snapshot(ctx, s), nil)
}

// snapshot is the step's read-model row at a new revision; taking it synchronously orders
// the writes of one step even when their activities run concurrently.
func (b *stepBook) snapshot(ctx workflow.Context, s *step) activities.StepWrite {
	return activities.StepWrite{
		ID:            s.id,
		InstitutionID: b.in.InstitutionID, Cycle: b.in.Cycle, Step: s.rec.Key, Title: s.rec.Title,
		Region: b.in.Institution.Region, HolderID: s.rec.HolderID, HolderRole: s.rec.HolderRole,
		Opened: s.rec.Opened, Due: s.rec.Due, Status: string(s.rec.Status), Closed: s.rec.Closed,
		ClosedBy: s.rec.ClosedBy, Note: s.rec.Note, Escalation: s.rec.Escalation, Revision: b.revs.next(ctx),
	}
}

// revisions numbers a workflow's writes to the read model so the store keeps the newest of
// each row whatever order the activities land in (a retry after a crash can land last).
// They come from the workflow's clock, in microseconds of workflow time made strictly
// increasing, so a run that continues as new, is reset or is restarted after a
// cancellation still writes above everything written before it.
type revisions struct{ last int64 }

func (r *revisions) next(ctx workflow.Context) int64 {
	rev := workflow.Now(ctx).UnixMicro()
	if rev <= r.last {
		rev = r.last + 1
	}
	r.last = rev
	return rev
}

// recordDocument stores a submission in the domain store and attaches its ID and digest to
// the step (the claim check: the document lives in the store; the workflow carries only
// its reference). It runs as a local activity, whose input is not written to the history,
// so the document is in the history once, in the update that carried it; it is idempotent
// by the submission's ID, so a replay after a crash stores nothing twice.
func (b *stepBook) recordDocument(ctx workflow.Context, s *step, rec activities.SubmissionRecord) {
	b.inflight++
	defer func() { b.inflight-- }()
	var a *activities.Activities
	var ref activities.DocumentRef
	if err := workflow.ExecuteLocalActivity(localEffectOptions(ctx), a.RecordSubmission, rec).Get(ctx, &ref); err != nil {
		return
	}
	s.rec.Documents = append(s.rec.Documents, DocumentRef{ID: ref.ID, Kind: ref.Kind, SHA256: ref.SHA256, Bytes: ref.Bytes})
}

// persistAndNotify writes the step's row and queues a notification about it: one effect from
// release v10 on, two before.
func (b *stepBook) persistAndNotify(ctx workflow.Context, s *step, kind activities.NotificationKind, level int, on domain.Date, to []activities.Recipient) []string {
	if !b.rel.leanSteps() {
		b.persist(ctx, s)
		return b.notify(ctx, s, kind, level, on, to)
	}
	return b.change(ctx, s, kind, level, on, to)
}

// change writes the step's row and queues a notification about it as one local activity.
func (b *stepBook) change(ctx workflow.Context, s *step, kind activities.NotificationKind, level int, on domain.Date, to []activities.Recipient) []string {
	row := b.snapshot(ctx, s)
	n := b.notification(ctx, s, kind, level, on, to)
	var a *activities.Activities
	var sent []string
	_ = b.effect(ctx, a.RecordStepChange, activities.StepChange{Step: &row, Notification: &n}, &sent)
	return sent
}

// notify queues one notification per recipient, keyed so that a retry never sends twice,
// and returns who it reached.
func (b *stepBook) notify(ctx workflow.Context, s *step, kind activities.NotificationKind, level int, on domain.Date, to []activities.Recipient) []string {
	n := b.notification(ctx, s, kind, level, on, to)
	var a *activities.Activities
	var sent []string
	_ = b.effect(ctx, a.Notify, n, &sent)
	return sent
}

// notification is keyed by the date the message is for (an alert's scheduled date), and its
// text speaks of the day it is sent, which after an outage is later.
func (b *stepBook) notification(ctx workflow.Context, s *step, kind activities.NotificationKind, level int, on domain.Date, to []activities.Recipient) activities.Notification {
	n := b.message(ctx, alertKey(s.id, string(kind), level, on), kind, s.rec.Key, s.rec.Title, to)
	n.Due, n.Level = s.rec.Due, level
	return n
}

// message is a notification about this stage's institution and cycle, sent today.
func (b *stepBook) message(ctx workflow.Context, key string, kind activities.NotificationKind, step, title string, to []activities.Recipient) activities.Notification {
	return activities.Notification{
		Key: key, Kind: kind, To: to,
		InstitutionID: b.in.InstitutionID, Institution: b.in.Institution.Name, Region: b.in.Institution.Region, Cycle: b.in.Cycle,
		Step: step, Title: title, On: b.today(ctx),
	}
}

// updateSearchAttributes points Step, StepDueAt and StepHolder at the open step due first.
func (b *stepBook) updateSearchAttributes(ctx workflow.Context) {
	var open []*step
	for _, s := range b.steps {
		if s.open() {
			open = append(open, s)
		}
	}
	shown := shownStep{key: "none"}
	if b.inCycle {
		shown.key = ""
	}
	if len(open) > 0 {
		sort.SliceStable(open, func(i, j int) bool { return open[i].rec.Due.Before(open[j].rec.Due) })
		first := open[0]
		shown = shownStep{key: first.rec.Key, holder: first.rec.HolderID, due: b.in.Clock.TimeOf(first.rec.Due)}
	}
	if b.rel.leanSteps() && shown.same(shownStepOf(workflow.GetTypedSearchAttributes(ctx))) {
		return
	}
	switch {
	case len(open) == 0 && b.inCycle:
		_ = workflow.UpsertTypedSearchAttributes(ctx, StepKey.ValueUnset(), StepHolderKey.ValueUnset(), StepDueAtKey.ValueUnset())
		return
	case len(open) == 0:
		_ = workflow.UpsertTypedSearchAttributes(ctx,
			StepKey.ValueSet(shown.key), StepHolderKey.ValueUnset(), StepDueAtKey.ValueUnset())
		return
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		StepKey.ValueSet(shown.key), StepHolderKey.ValueSet(shown.holder), StepDueAtKey.ValueSet(shown.due))
}

// shownStep is the step a stage's search attributes show: its key ("none" when no step is
// open), holder and due time.
type shownStep struct {
	key, holder string
	due         time.Time
}

func (s shownStep) same(o shownStep) bool {
	return s.key == o.key && s.holder == o.holder && s.due.Equal(o.due)
}

func shownStepOf(sa temporal.SearchAttributes) shownStep {
	key, _ := sa.GetKeyword(StepKey)
	holder, _ := sa.GetKeyword(StepHolderKey)
	due, _ := sa.GetTime(StepDueAtKey)
	return shownStep{key: key, holder: holder, due: due}
}

// effectOptions run the read-model and notification activities: short, retried until they
// succeed, because a step must never fail for a transient database error.
func effectOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

// handOver gives an open step to a new holder, who is told of it as a new task.
func (b *stepBook) handOver(ctx workflow.Context, s *step, holder string) {
	if s.firstEscalationTo == s.rec.HolderID {
		s.firstEscalationTo = holder
	}
	s.rec.HolderID = holder
	b.persistAndNotify(ctx, s, activities.KindTask, 1, b.today(ctx), []activities.Recipient{{PersonID: holder}})
	b.updateSearchAttributes(ctx)
}

// notifyInfo tells people something about a step once (e.g. the visit date).
func (b *stepBook) notifyInfo(ctx workflow.Context, s *step, text string, people []string) {
	to := make([]activities.Recipient, 0, len(people))
	for _, id := range people {
		to = append(to, activities.Recipient{PersonID: id})
	}
	n := b.notification(ctx, s, activities.KindInfo, 0, b.today(ctx), to)
	n.Text = text
	var a *activities.Activities
	_ = b.effect(ctx, a.Notify, n, nil)
}

// localEffectOptions run a store write as a local activity, retried until it succeeds.
func localEffectOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
		},
	})
}

// checkOptions run an activity whose error is an answer (a rule broken), not a fault.
func checkOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
}

// awaitWithTimeout waits until cond holds or the time runs out, and reports whether cond
// came first. From release v10 on it cancels its timer when cond comes first: a step
// answered before its reminder then leaves no timer behind to fire later and wake the
// workflow for nothing (the SDK's AwaitWithTimeout leaves it running).
func awaitWithTimeout(ctx workflow.Context, r began, d time.Duration, cond func() bool) (bool, error) {
	if !r.leanSteps() {
		return workflow.AwaitWithTimeout(ctx, d, cond)
	}
	if cond() {
		return true, nil
	}
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	timer := workflow.NewTimer(timerCtx, d)
	if err := workflow.Await(ctx, func() bool { return cond() || timer.IsReady() }); err != nil {
		return false, err
	}
	return cond(), nil
}
