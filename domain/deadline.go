package domain

import (
	"fmt"
	"slices"
)

// ReminderPolicy says when the person holding a step is reminded before its due date. A step
// never fails because someone is late, so reminders come first, escalations after.
type ReminderPolicy struct {
	// Before lists the offsets before the due date, e.g. 14d, 7d and 1d, in any order.
	Before []Period
}

// EscalationPolicy says when an overdue step is escalated. The first escalation is always at
// the due date, to the first escalation holder (the institution manager or the lead reviewer);
// the second comes SecondAfter the due date, to the regional secretariat; then one every
// RepeatEvery after the second, to the secretariat, until the step is done, extended or waived.
type EscalationPolicy struct {
	SecondAfter Period
	RepeatEvery Period
}

// DeadlinePolicy is the reminder and escalation rule every step that waits for a person
// follows (PRODUCT.md §3). It is configuration; DefaultDeadlinePolicy gives the brief's defaults.
//
// The reminder dates are computed by the ReminderAlerts method (the name Reminders is taken by
// the field).
type DeadlinePolicy struct {
	Reminders  ReminderPolicy
	Escalation EscalationPolicy
}

// NewDeadlinePolicy is the policy of reminders before the due date and escalations at it,
// secondAfter it, and then every repeatEvery; the reminder offsets are copied.
func NewDeadlinePolicy(reminders []Period, secondAfter, repeatEvery Period) DeadlinePolicy {
	return DeadlinePolicy{
		Reminders:  ReminderPolicy{Before: append([]Period(nil), reminders...)},
		Escalation: EscalationPolicy{SecondAfter: secondAfter, RepeatEvery: repeatEvery},
	}
}

// DefaultDeadlinePolicy is the brief's default: reminders 14, 7 and 1 days before the due
// date; escalations at the due date, 14 days after it, then weekly.
func DefaultDeadlinePolicy() DeadlinePolicy {
	return DeadlinePolicy{
		Reminders:  ReminderPolicy{Before: []Period{Days(14), Days(7), Days(1)}},
		Escalation: EscalationPolicy{SecondAfter: Days(14), RepeatEvery: Days(7)},
	}
}

// Validate lists every problem in the policy: negative or zero reminder offsets, two offsets
// that name the same day (14d and 2w), and a second escalation or repeat interval that does
// not move forward by at least a day (which would escalate forever on the same day).
func (p DeadlinePolicy) Validate() error {
	v := &ValidationError{What: "deadline policy"}
	type key struct{ years, months, days int }
	firstAt := map[key]int{}
	for i, off := range p.Reminders.Before {
		switch {
		case off.hasNegative():
			v.addf("reminder %d (%s) is negative: give reminders as a time before the due date, e.g. 14d", i+1, off)
			continue
		case off.IsZero():
			v.addf("reminder %d is 0d, the due date itself, when the first escalation is sent: use at least 1d", i+1)
			continue
		}
		k := key{off.Years, off.Months, off.Weeks*7 + off.Days}
		if j, dup := firstAt[k]; dup {
			v.addf("reminders %d (%s) and %d (%s) are the same offset: remove one", j+1, p.Reminders.Before[j], i+1, off)
			continue
		}
		firstAt[k] = i
	}
	if !p.Escalation.SecondAfter.positive() {
		v.addf("the second escalation (SecondAfter %s) must come at least 1 day after the due date, when the first is sent; the default is 14d", p.Escalation.SecondAfter)
	}
	if !p.Escalation.RepeatEvery.positive() {
		v.addf("the repeat interval (RepeatEvery %s) must be at least 1 day, or escalations would repeat on the same day; the default is 7d", p.Escalation.RepeatEvery)
	}
	return v.err()
}

// DueDate is the due date of a step opened on opened that must be done within the given
// period: the period added to the opening date, moved to the next working day when it falls on
// a weekend or a Danish holiday.
func DueDate(opened Date, within Period) Date {
	return NextWorkingDay(within.AddTo(opened))
}

// DaysOverdue is how many days a step due on due is overdue on today; 0 when it is not (also
// on the due date itself). Dashboards show it.
func DaysOverdue(due, today Date) int {
	return max(0, today.DaysSince(due))
}

// AlertKind tells a reminder (before the due date, to the holder) from an escalation (from the
// due date on, up the chain).
type AlertKind string

// The kinds of alert. AlertClose is the due date of a step that does not escalate: the
// moment an invitation lapses or a window closes.
const (
	AlertReminder   AlertKind = "reminder"
	AlertEscalation AlertKind = "escalation"
	AlertClose      AlertKind = "close"
)

// Escalation levels with their own recipient. Levels above SecretariatEscalation are the
// repeated escalations to the secretariat.
const (
	// HolderEscalation is the escalation at the due date, to the institution manager or lead reviewer.
	HolderEscalation = 1
	// SecretariatEscalation is the first escalation to the regional secretariat.
	SecretariatEscalation = 2
	// RepeatedEscalation is the first of the repeats to the regional and national
	// secretariat. A step's workflow sends it; the later repeats are sent from the read model
	// (see LatestEscalation), so a step left overdue for months adds nothing to its history.
	RepeatedEscalation = 3
)

// Alert is one reminder or escalation of a step, computed from its dates and the policy, so a
// workflow can sleep until the next one and a dashboard can show what will happen.
type Alert struct {
	Kind AlertKind
	// Date is the calendar day the alert is sent.
	Date Date
	// Level is 0 for reminders; 1 for the escalation at the due date; 2 for the second (to the
	// regional secretariat); 3, 4, 5... for each repeated one after it.
	Level int
	// DaysOffset is the signed number of days from the due date: -14, -7, -1, 0, 14, 21...
	DaysOffset int
}

// ToSecretariat reports whether the alert goes to the regional secretariat (escalation level 2
// and up) rather than to the holder of the step or the first escalation holder.
func (a Alert) ToSecretariat() bool {
	return a.Kind == AlertEscalation && a.Level >= SecretariatEscalation
}

// String describes the alert for logs and timelines, e.g. "escalation 2 on 2027-03-15 (14 days after the due date)".
func (a Alert) String() string {
	var when string
	switch {
	case a.DaysOffset < 0:
		when = fmt.Sprintf("%d days before the due date", -a.DaysOffset)
	case a.DaysOffset == 0:
		when = "at the due date"
	default:
		when = fmt.Sprintf("%d days after the due date", a.DaysOffset)
	}
	if a.Kind == AlertReminder {
		return fmt.Sprintf("reminder on %s (%s)", a.Date, when)
	}
	return fmt.Sprintf("%s %d on %s (%s)", a.Kind, a.Level, a.Date, when)
}

// Alerts are the reminders for a step opened on opened and due on due, ascending by date.
// Reminders falling before the opening date, or on or after the due date, are dropped (a step
// opened 5 days before its due date gets only the 1-day reminder), as are offsets Validate
// rejects; two offsets landing on the same day give one reminder. Reminders are not moved to
// working days: a nudge on a Saturday does no harm, and only due dates are moved.
func (r ReminderPolicy) Alerts(opened, due Date) []Alert {
	if due.IsZero() {
		return nil
	}
	opened, due = opened.normalised(), due.normalised()
	var out []Alert
	for _, off := range r.Before {
		if !off.positive() {
			continue
		}
		at := off.SubtractFrom(due)
		if at.Before(opened) || !at.Before(due) {
			continue
		}
		if slices.ContainsFunc(out, func(a Alert) bool { return a.Date == at }) {
			continue
		}
		out = append(out, Alert{Kind: AlertReminder, Date: at, DaysOffset: at.DaysSince(due)})
	}
	slices.SortFunc(out, func(a, b Alert) int { return a.Date.Compare(b.Date) })
	return out
}

// ReminderAlerts are the reminders of a step, as ReminderPolicy.Alerts computes them.
func (p DeadlinePolicy) ReminderAlerts(opened, due Date) []Alert {
	return p.Reminders.Alerts(opened, due)
}

// escalation builds the alert of the given level.
func escalation(due, at Date, level int) Alert {
	return Alert{Kind: AlertEscalation, Date: at, Level: level, DaysOffset: at.DaysSince(due)}
}

// next is the first escalation strictly after floor. The n-th repeat is computed from the due
// date in one step, as due + SecondAfter + n×RepeatEvery, so monthly intervals do not drift
// after a month-end clamp (31 January, 28 February, 31 March...). Escalations are not moved to
// working days: they start at the due date (itself a working day) and the default intervals
// keep the weekday. With an invalid SecondAfter only the first escalation exists, and with an
// invalid RepeatEvery there are no repeats, so an invalid policy can never loop.
func (e EscalationPolicy) next(due, floor Date) (Alert, bool) {
	if due.After(floor) {
		return escalation(due, due, HolderEscalation), true
	}
	if !e.SecondAfter.positive() {
		return Alert{}, false
	}
	second := e.SecondAfter.AddTo(due)
	if second.After(floor) {
		return escalation(due, second, SecretariatEscalation), true
	}
	if !e.RepeatEvery.positive() {
		return Alert{}, false
	}
	// Repeat n lies at most maxDays(SecondAfter) + n×maxDays(RepeatEvery) after the due date,
	// so every repeat up to n0 is on or before floor: start just past it and walk forward.
	n := 1
	if n0 := (floor.DaysSince(due) - e.SecondAfter.maxDays()) / e.RepeatEvery.maxDays(); n0 >= 1 {
		n = n0 + 1
	}
	for {
		at := e.SecondAfter.add(e.RepeatEvery.scale(n)).AddTo(due)
		if at.After(floor) {
			return escalation(due, at, SecretariatEscalation+n), true
		}
		n++
	}
}

// NextAlert is the first alert of a step (reminder or escalation) dated strictly after after.
// The escalations never end, so a workflow walks them one at a time: it sleeps until the
// returned date, sends the alert, and asks again with after set to that date. When after is
// before opened, the first alert on or after opened is returned; alerts dated before the step
// opened are never produced. It returns false only when there is nothing more to send: the
// due date is zero, or an invalid policy has no further escalations.
func (p DeadlinePolicy) NextAlert(opened, due, after Date) (Alert, bool) {
	if due.IsZero() {
		return Alert{}, false
	}
	opened, due, after = opened.normalised(), due.normalised(), after.normalised()
	floor := after
	if floor.Before(opened) {
		floor = opened.AddDays(-1)
	}
	for _, a := range p.Reminders.Alerts(opened, due) {
		if a.Date.After(floor) {
			return a, true
		}
	}
	return p.Escalation.next(due, floor)
}

// CatchUpAlert is NextAlert for a walker that may have fallen behind: a step opened after
// its due date, or a worker that was down for a week. Of the alerts dated after after and on
// or before today it returns only the latest, so a person gets one escalation at the level
// that holds today instead of a burst of stale ones; when none is due yet it returns the
// next one.
func (p DeadlinePolicy) CatchUpAlert(opened, due, after, today Date) (Alert, bool) {
	next, ok := p.NextAlert(opened, due, after)
	for ok && next.Date.Before(today) {
		later, more := p.NextAlert(opened, due, next.Date)
		if !more || later.Date.After(today) {
			break
		}
		next = later
	}
	return next, ok
}

// LatestEscalation is the step's escalation of the highest level dated on or before today;
// false while the step is not yet overdue.
func (p DeadlinePolicy) LatestEscalation(opened, due, today Date) (Alert, bool) {
	if due.IsZero() || today.Before(due) {
		return Alert{}, false
	}
	a, ok := p.CatchUpAlert(opened, due, due.AddDays(-1), today)
	if !ok || a.Kind != AlertEscalation || a.Date.After(today) {
		return Alert{}, false
	}
	return a, true
}

// AlertsBetween lists the alerts of a step dated from from (inclusive) to to (exclusive),
// ascending, for timelines, dashboards and tests.
func (p DeadlinePolicy) AlertsBetween(opened, due, from, to Date) []Alert {
	var out []Alert
	after := from.normalised().AddDays(-1)
	to = to.normalised()
	for {
		a, ok := p.NextAlert(opened, due, after)
		if !ok || !a.Date.Before(to) {
			return out
		}
		out = append(out, a)
		after = a.Date
	}
}

// AtDue is what a step's due date does to it.
type AtDue string

// What a due date does (PRODUCT.md §3: a step never fails because a person is late).
const (
	// EscalateAtDue: the step stays open and escalates until it is done, extended or waived.
	EscalateAtDue AtDue = "escalate"
	// ExpireAtDue: an invitation nobody answered lapses, and the next candidate is invited.
	ExpireAtDue AtDue = "expire"
	// CloseAtDue: a window (the hearing, the appeal window) closes, used or not.
	CloseAtDue AtDue = "close"
)

// StepPolicy is the deadline policy of one kind of step: reminders before its due date to
// whoever holds it, then what the due date does. Every step that waits for a person is
// reminded; only the steps that escalate walk the escalation chain.
type StepPolicy struct {
	Deadlines DeadlinePolicy
	AtDue     AtDue
}

// ForStep is the policy of a step whose due date does atDue.
func (p DeadlinePolicy) ForStep(atDue AtDue) StepPolicy {
	return StepPolicy{Deadlines: p, AtDue: atDue}
}

// Next is the alert to send next, as DeadlinePolicy.CatchUpAlert gives it, for a step opened
// on opened and due on due, after the alert dated after, on today. For a step that does not
// escalate, the reminders come first and then one AlertClose on the due date.
func (p StepPolicy) Next(opened, due, after, today Date) (Alert, bool) {
	next, ok := p.Deadlines.CatchUpAlert(opened, due, after, today)
	if p.AtDue == EscalateAtDue || p.AtDue == "" {
		return next, ok
	}
	if due.IsZero() {
		return Alert{}, false
	}
	if !ok || next.Kind != AlertReminder || !next.Date.Before(due) {
		return Alert{Kind: AlertClose, Date: due.normalised(), DaysOffset: 0}, true
	}
	return next, true
}

// DefaultVisitNotices are when the team and the institution hear of a coming visit: a week
// and a day before it. Until the visit day nothing can be recorded, so these notices are the
// only alerts a planned visit has.
func DefaultVisitNotices() []Period { return []Period{{Days: 7}, {Days: 1}} }

// NextVisitNotice is the notice to send next before a visit on visit, given the offsets
// before it (e.g. 7 and 1 days), the date of the last notice sent (zero when none) and
// today. A notice is dated before the visit and after the last one. Of the notices whose day
// has passed it returns only the latest, to be sent today: a worker that was down sends one
// notice, not a burst. With none passed it returns the next one; ok is false when no notice
// is left.
func NextVisitNotice(offsets []Period, visit, after, today Date) (on Date, ok bool) {
	var dates []Date
	for _, o := range offsets {
		d := o.SubtractFrom(visit)
		if d.After(after) && d.Before(visit) {
			dates = append(dates, d)
		}
	}
	slices.SortFunc(dates, Date.Compare)
	for i, d := range dates {
		if d.After(today) {
			if i > 0 {
				return dates[i-1], true
			}
			return d, true
		}
	}
	if len(dates) > 0 {
		return dates[len(dates)-1], true
	}
	return Date{}, false
}
