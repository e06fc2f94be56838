package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDueDate(t *testing.T) {
	cases := []struct {
		opened string
		within Period
		want   string
	}{
		{"2025-01-06", Weeks(8), "2025-03-03"},          // lands on Monday 3 March
		{"2025-01-04", Weeks(8), "2025-03-03"},          // lands on Saturday 1 March -> Monday
		{"2025-02-20", Weeks(8), "2025-04-22"},          // lands on Skærtorsdag -> Tuesday after Easter
		{"2025-10-29", Weeks(8), "2025-12-29"},          // lands on Juleaftensdag -> Monday 29
		{"2024-10-29", Weeks(8), "2024-12-27"},          // lands on Juleaftensdag 2024 -> Friday 27
		{"2025-12-17", Days(14), "2026-01-02"},          // lands on Nytårsaftensdag -> 2 January
		{"2024-02-29", Years(1), "2025-02-28"},          // leap day + 1y, a Friday
		{"2027-03-01", Period{}, "2027-03-01"},          // zero period on a working day
		{"2027-02-27", Days(5), "2027-03-04"},           // plain
		{"2025-05-29", Days(0), "2025-05-30"},           // Kristi himmelfartsdag itself
		{"2024-12-01", Period{Months: 6}, "2025-06-02"}, // Sunday 1 June -> Monday 2 June
	}
	for _, c := range cases {
		got := DueDate(mustDate(t, c.opened), c.within)
		if got.String() != c.want {
			t.Errorf("DueDate(%s, %s) = %s (%s), want %s", c.opened, c.within, got, got.Weekday(), c.want)
		}
		if !IsWorkingDay(got) {
			t.Errorf("DueDate(%s, %s) = %s is not a working day", c.opened, c.within, got)
		}
	}
}

func TestDaysOverdue(t *testing.T) {
	due := mustDate(t, "2027-03-01")
	cases := map[string]int{"2027-02-01": 0, "2027-02-28": 0, "2027-03-01": 0, "2027-03-02": 1, "2027-03-15": 14, "2028-03-01": 366}
	for today, want := range cases {
		if got := DaysOverdue(due, mustDate(t, today)); got != want {
			t.Errorf("DaysOverdue(2027-03-01, %s) = %d, want %d", today, got, want)
		}
	}
}

func TestDefaultDeadlinePolicy(t *testing.T) {
	p := DefaultDeadlinePolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("the default policy is invalid: %v", err)
	}
	if fmt.Sprint(p.Reminders.Before) != "[14d 7d 1d]" || p.Escalation.SecondAfter != Days(14) || p.Escalation.RepeatEvery != Days(7) {
		t.Errorf("DefaultDeadlinePolicy() = %+v", p)
	}
}

func offsets(alerts []Alert) string {
	parts := make([]string, len(alerts))
	for i, a := range alerts {
		parts[i] = fmt.Sprintf("%s:%d@%+d", a.Kind, a.Level, a.DaysOffset)
	}
	return strings.Join(parts, " ")
}

func TestReminders(t *testing.T) {
	p := DefaultDeadlinePolicy()
	due := mustDate(t, "2027-03-01")
	cases := []struct {
		name   string
		opened string
		want   []string
	}{
		{"opened 8 weeks before", "2027-01-04", []string{"2027-02-15", "2027-02-22", "2027-02-28"}},
		{"opened exactly 14 days before keeps the first", "2027-02-15", []string{"2027-02-15", "2027-02-22", "2027-02-28"}},
		{"opened 10 days before drops the 14-day reminder", "2027-02-19", []string{"2027-02-22", "2027-02-28"}},
		{"opened 5 days before gets only the 1-day reminder", "2027-02-24", []string{"2027-02-28"}},
		{"opened on the due date gets none", "2027-03-01", nil},
	}
	for _, c := range cases {
		got := p.ReminderAlerts(mustDate(t, c.opened), due)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for i, a := range got {
			if a.Date.String() != c.want[i] || a.Kind != AlertReminder || a.Level != 0 || a.DaysOffset != a.Date.DaysSince(due) {
				t.Errorf("%s: alert %d = %+v, want a reminder on %s", c.name, i, a, c.want[i])
			}
		}
	}
	// Reminders keep their calendar day even on a weekend: 2027-02-28 is a Sunday.
	if got := p.ReminderAlerts(mustDate(t, "2027-01-04"), due); got[2].Date.Weekday().String() != "Sunday" || got[2].DaysOffset != -1 {
		t.Errorf("the 1-day reminder is %+v; want it on Sunday 2027-02-28", got[2])
	}
	// Offsets in any order, and two offsets naming the same day, give one sorted list.
	odd := ReminderPolicy{Before: []Period{Days(1), Weeks(2), Days(14), Months(1)}}
	if got := offsets(odd.Alerts(mustDate(t, "2027-01-01"), due)); got != "reminder:0@-28 reminder:0@-14 reminder:0@-1" {
		t.Errorf("odd reminders = %s", got)
	}
}

func TestNextAlertWalk(t *testing.T) {
	p := DefaultDeadlinePolicy()
	due := mustDate(t, "2027-03-01")
	opened := Weeks(8).SubtractFrom(due)
	want := []struct {
		kind   AlertKind
		level  int
		offset int
		date   string
	}{
		{AlertReminder, 0, -14, "2027-02-15"},
		{AlertReminder, 0, -7, "2027-02-22"},
		{AlertReminder, 0, -1, "2027-02-28"},
		{AlertEscalation, 1, 0, "2027-03-01"},
		{AlertEscalation, 2, 14, "2027-03-15"},
		{AlertEscalation, 3, 21, "2027-03-22"},
		{AlertEscalation, 4, 28, "2027-03-29"},
		{AlertEscalation, 5, 35, "2027-04-05"},
	}
	after := opened.AddDays(-30) // before the step opened: start from the opening date
	for i, w := range want {
		a, ok := p.NextAlert(opened, due, after)
		if !ok {
			t.Fatalf("step %d: no alert after %s", i, after)
		}
		if a.Kind != w.kind || a.Level != w.level || a.DaysOffset != w.offset || a.Date.String() != w.date {
			t.Fatalf("step %d after %s: got %+v, want %+v", i, after, a, w)
		}
		after = a.Date
	}
	// Asking from a day in the middle of a gap gives the next one.
	if a, _ := p.NextAlert(opened, due, mustDate(t, "2027-03-10")); a.Level != 2 || a.Date.String() != "2027-03-15" {
		t.Errorf("NextAlert after 2027-03-10 = %+v, want escalation 2 on 2027-03-15", a)
	}
	// Far in the future the sequence still continues weekly, and the jump lands exactly.
	a, ok := p.NextAlert(opened, due, mustDate(t, "2037-03-01"))
	if !ok || a.Date.String() != "2037-03-02" || a.Level != 2+(a.DaysOffset-14)/7 || a.DaysOffset%7 != 0 {
		t.Errorf("NextAlert ten years on = %+v, %v", a, ok)
	}
	if a.String() == "" || !a.ToSecretariat() {
		t.Errorf("a repeated escalation goes to the secretariat: %+v", a)
	}
}

func TestNextAlertLateOpenedStep(t *testing.T) {
	p := DefaultDeadlinePolicy()
	due := mustDate(t, "2027-03-01")
	opened := mustDate(t, "2027-02-24")
	a, ok := p.NextAlert(opened, due, Date{})
	if !ok || a.Kind != AlertReminder || a.DaysOffset != -1 {
		t.Errorf("first alert of a step opened 5 days before = %+v, want the 1-day reminder", a)
	}
}

func TestNextAlertMonthlyRepeatDoesNotDrift(t *testing.T) {
	p := DeadlinePolicy{Escalation: EscalationPolicy{SecondAfter: Months(1), RepeatEvery: Months(1)}}
	due := mustDate(t, "2025-01-31")
	got := p.AlertsBetween(due, due, due, mustDate(t, "2025-06-01"))
	want := "2025-01-31 2025-02-28 2025-03-31 2025-04-30 2025-05-31"
	var dates []string
	for _, a := range got {
		dates = append(dates, a.Date.String())
	}
	if strings.Join(dates, " ") != want {
		t.Errorf("monthly escalations = %v, want %s", dates, want)
	}
	// Jumping far ahead agrees with walking.
	walk := p.AlertsBetween(due, due, due, mustDate(t, "2035-01-01"))
	last := walk[len(walk)-1]
	jump, _ := p.NextAlert(due, due, walk[len(walk)-2].Date)
	if jump != last {
		t.Errorf("jumping gave %+v, walking gave %+v", jump, last)
	}
}

func TestAlertsBetween(t *testing.T) {
	p := DefaultDeadlinePolicy()
	due := mustDate(t, "2027-03-01")
	opened := mustDate(t, "2027-01-04")
	got := p.AlertsBetween(opened, due, mustDate(t, "2027-02-22"), mustDate(t, "2027-03-22"))
	if s := offsets(got); s != "reminder:0@-7 reminder:0@-1 escalation:1@+0 escalation:2@+14" {
		t.Errorf("AlertsBetween = %s", s)
	}
	if got := p.AlertsBetween(opened, due, mustDate(t, "2027-03-02"), mustDate(t, "2027-03-15")); len(got) != 0 {
		t.Errorf("no alerts fall between the first and second escalation, got %v", got)
	}
	if got := p.AlertsBetween(opened, Date{}, opened, due); got != nil {
		t.Errorf("a step without a due date has no alerts, got %v", got)
	}
}

func TestDeadlinePolicyValidate(t *testing.T) {
	p := DeadlinePolicy{
		Reminders: ReminderPolicy{Before: []Period{Days(14), Weeks(2), {}, {Days: -3}, Days(1)}},
		Escalation: EscalationPolicy{
			SecondAfter: Period{},
			RepeatEvery: Period{Days: -7},
		},
	}
	err := p.Validate()
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	want := []string{
		"reminders 1 (14d) and 2 (2w) are the same offset: remove one",
		"reminder 3 is 0d, the due date itself",
		"reminder 4 (-3d) is negative",
		"the second escalation (SecondAfter 0d) must come at least 1 day after the due date",
		"the repeat interval (RepeatEvery -7d) must be at least 1 day",
	}
	if len(v.Problems) != len(want) {
		t.Errorf("got %d problems, want %d: %q", len(v.Problems), len(want), v.Problems)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q lacks %q", err, w)
		}
	}
	if !strings.HasPrefix(err.Error(), "invalid deadline policy (5 problems): ") {
		t.Errorf("message %q should start by counting the problems", err)
	}
	// An invalid policy is still safe to walk: no loop, no panic.
	due := mustDate(t, "2027-03-01")
	a, ok := p.NextAlert(due, due, due)
	if ok {
		t.Errorf("with no valid second escalation nothing follows the first, got %+v", a)
	}
	if got := p.ReminderAlerts(due.AddDays(-30), due); len(got) != 2 {
		t.Errorf("only the valid reminder offsets (one per day) are used, got %v", got)
	}
}

func TestAlertString(t *testing.T) {
	cases := []struct {
		a    Alert
		want string
	}{
		{Alert{Kind: AlertReminder, Date: NewDate(2027, 2, 15), DaysOffset: -14}, "reminder on 2027-02-15 (14 days before the due date)"},
		{Alert{Kind: AlertEscalation, Date: NewDate(2027, 3, 1), Level: 1}, "escalation 1 on 2027-03-01 (at the due date)"},
		{Alert{Kind: AlertEscalation, Date: NewDate(2027, 3, 15), Level: 2, DaysOffset: 14}, "escalation 2 on 2027-03-15 (14 days after the due date)"},
	}
	for _, c := range cases {
		if got := c.a.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
	if (Alert{Kind: AlertEscalation, Level: 1}).ToSecretariat() || !(Alert{Kind: AlertEscalation, Level: 2}).ToSecretariat() {
		t.Error("only escalations from level 2 go to the secretariat")
	}
}

// TestNextAlertJumpMatchesNaiveWalk checks the jump-ahead in NextAlert against a plain
// level-by-level search, for several policies and many starting points.
func TestNextAlertJumpMatchesNaiveWalk(t *testing.T) {
	policies := []EscalationPolicy{
		{SecondAfter: Days(14), RepeatEvery: Days(7)},
		{SecondAfter: Months(1), RepeatEvery: Months(1)},
		{SecondAfter: Days(3), RepeatEvery: Period{Months: 1, Days: 2}},
		{SecondAfter: Years(1), RepeatEvery: Period{Years: 1, Weeks: 1}},
		{SecondAfter: Days(1), RepeatEvery: Days(1)},
	}
	naive := func(e EscalationPolicy, due, floor Date) Alert {
		for level := 1; ; level++ {
			var at Date
			switch level {
			case 1:
				at = due
			default:
				at = e.SecondAfter.add(e.RepeatEvery.scale(level - 2)).AddTo(due)
			}
			if at.After(floor) {
				return Alert{Kind: AlertEscalation, Date: at, Level: level, DaysOffset: at.DaysSince(due)}
			}
		}
	}
	for _, due := range []Date{NewDate(2024, 1, 31), NewDate(2024, 2, 29), NewDate(2027, 3, 1)} {
		for _, e := range policies {
			p := DeadlinePolicy{Escalation: e}
			for step := 0; step < 4000; step += 37 {
				after := due.AddDays(step - 20)
				got, ok := p.NextAlert(due, due, after)
				want := naive(e, due, after)
				if !ok || got != want {
					t.Fatalf("policy %+v, due %s, after %s: got %+v, want %+v", e, due, after, got, want)
				}
			}
		}
	}
}

func TestCatchUpAlertSendsOnlyTheLevelThatHoldsToday(t *testing.T) {
	p := DefaultDeadlinePolicy()
	opened, due := NewDate(2027, 1, 4), NewDate(2027, 3, 1)
	cases := []struct {
		after, today Date
		want         string
	}{
		// On time: the next alert, in the future.
		{opened.AddDays(-1), NewDate(2027, 1, 10), "2027-02-15 reminder L0"},
		// A worker down from 10 February to 20 March: one escalation, level 3 (due+21 = 03-22 is
		// still ahead, due+14 = 03-15 is the latest that passed).
		{NewDate(2027, 2, 10), NewDate(2027, 3, 20), "2027-03-15 escalation L2"},
		// Already on the latest past alert: the next, future one.
		{NewDate(2027, 3, 15), NewDate(2027, 3, 20), "2027-03-22 escalation L3"},
		// Behind by many weeks: still one alert, the latest that passed.
		{NewDate(2027, 3, 1), NewDate(2027, 5, 1), "2027-04-26 escalation L8"},
	}
	for _, c := range cases {
		a, ok := p.CatchUpAlert(opened, due, c.after, c.today)
		got := fmt.Sprintf("%s %s L%d", a.Date, a.Kind, a.Level)
		if !ok || got != c.want {
			t.Errorf("CatchUpAlert(after %s, today %s) = %s, %t; want %s", c.after, c.today, got, ok, c.want)
		}
	}
}

func TestStepPolicyRemindsThenCloses(t *testing.T) {
	p := DefaultDeadlinePolicy()
	opened := NewDate(2027, time.March, 1)
	due := NewDate(2027, time.March, 15) // a two-week hearing
	var got []string
	after := opened.AddDays(-1)
	for i := 0; i < 10; i++ {
		a, ok := p.ForStep(CloseAtDue).Next(opened, due, after, after.AddDays(1))
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s %s", a.Kind, a.Date))
		if a.Kind == AlertClose {
			break
		}
		after = a.Date
	}
	// Reminders 14, 7 and 1 days before (the first on the opening day, as for every step).
	want := []string{"reminder 2027-03-01", "reminder 2027-03-08", "reminder 2027-03-14", "close 2027-03-15"}
	if !slices.Equal(got, want) {
		t.Errorf("a window's alerts = %v, want %v", got, want)
	}
	// An invitation of five days gets the one reminder that fits, then lapses.
	inv, _ := p.ForStep(ExpireAtDue).Next(opened, opened.AddDays(5), opened.AddDays(-1), opened)
	if inv.Kind != AlertReminder || inv.Date != opened.AddDays(4) {
		t.Errorf("a five-day invitation's first alert = %+v, want the reminder a day before", inv)
	}
	// After an outage past the due date, a window simply closes: no stale reminder.
	late, _ := p.ForStep(CloseAtDue).Next(opened, due, opened.AddDays(-1), due.AddDays(3))
	if late.Kind != AlertClose || late.Date != due {
		t.Errorf("a window after an outage: %+v, want it closed on its due date", late)
	}
	// An escalating step's policy is the chain itself.
	esc, _ := p.ForStep(EscalateAtDue).Next(opened, due, due.AddDays(-1), due)
	if esc.Kind != AlertEscalation || esc.Level != HolderEscalation {
		t.Errorf("an escalating step on its due date: %+v, want the first escalation", esc)
	}
}

func TestNextVisitNotice(t *testing.T) {
	visit := NewDate(2027, time.March, 15)
	notices := DefaultVisitNotices()
	cases := []struct {
		name         string
		after, today Date
		want         Date
		ok           bool
	}{
		{"a month ahead: the week's notice comes first", Date{}, NewDate(2027, time.February, 10), NewDate(2027, time.March, 8), true},
		{"after the week's notice: the day's", NewDate(2027, time.March, 8), NewDate(2027, time.March, 8), NewDate(2027, time.March, 14), true},
		{"on the week's notice day", Date{}, NewDate(2027, time.March, 8), NewDate(2027, time.March, 8), true},
		{"a worker down for a week sends only the day's notice", Date{}, NewDate(2027, time.March, 14), NewDate(2027, time.March, 14), true},
		{"a date set five days ahead skips the week's notice, sent today", Date{}, NewDate(2027, time.March, 10), NewDate(2027, time.March, 8), true},
		{"both sent", NewDate(2027, time.March, 14), NewDate(2027, time.March, 14), Date{}, false},
		{"the visit day has no notice", NewDate(2027, time.March, 14), visit, Date{}, false},
	}
	for _, c := range cases {
		got, ok := NextVisitNotice(notices, visit, c.after, c.today)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: NextVisitNotice(after %s, today %s) = %s, %t; want %s, %t", c.name, c.after, c.today, got, ok, c.want, c.ok)
		}
	}
	if _, ok := NextVisitNotice(nil, visit, Date{}, NewDate(2027, time.March, 1)); ok {
		t.Error("with no notice offsets there is no notice")
	}
}

func TestLatestEscalationIsTheLevelThatHoldsToday(t *testing.T) {
	p := DefaultDeadlinePolicy()
	opened, due := NewDate(2027, time.January, 4), NewDate(2027, time.March, 1)
	for _, c := range []struct {
		today string
		want  string // "" for none
	}{
		{"2027-02-28", ""},
		{"2027-03-01", "2027-03-01 L1"},
		{"2027-03-14", "2027-03-01 L1"},
		{"2027-03-15", "2027-03-15 L2"},
		{"2027-03-22", "2027-03-22 L3"},
		{"2027-04-04", "2027-03-29 L4"},
		{"2027-04-05", "2027-04-05 L5"},
		{"2028-03-01", "2028-02-28 L52"},
	} {
		today, err := ParseDate(c.today)
		if err != nil {
			t.Fatal(err)
		}
		a, ok := p.LatestEscalation(opened, due, today)
		got := ""
		if ok {
			got = fmt.Sprintf("%s L%d", a.Date, a.Level)
		}
		if got != c.want {
			t.Errorf("LatestEscalation(today %s) = %q, want %q", c.today, got, c.want)
		}
	}
}
