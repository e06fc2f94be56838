// Package timeline lays out one cycle of an institution for its page: the steps that are
// done (with their dates and who acted), the steps open now, and the steps still to come with
// the dates they will open and fall due. It is pure: the read model's rows, the cycle's
// durations and today go in, the entries come out, so it is tested without a store or
// Temporal.
//
// Dates of steps to come follow the cycle's rules (PRODUCT.md §3, the workflows' own
// domain.DueDate): self-evaluations open at S, S+1y, S+2y; the external evaluation starts
// when the year-3 self-evaluation is done; each later step opens when the one before it
// closes. Where an earlier step is not done yet, its due date (or today, when it is overdue)
// stands in for the day it will close, and every date derived from it is marked Estimated.
package timeline

import (
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
)

// State is where an entry stands.
type State string

// The states of an entry.
const (
	Done     State = "done"
	Current  State = "current"
	Upcoming State = "upcoming"
)

// Kinds of entry that are not a step of the read model.
const (
	KindTeam        = "team"
	KindPublication = "publication"
	KindNextCycle   = "next-cycle"
)

// Durations are the periods of the cycle the layout needs (config.Durations has them all).
type Durations struct {
	CycleLength            domain.Period
	SelfEvaluationInterval domain.Period
	SelfEvaluationDue      domain.Period
	InvitationAnswer       domain.Period
	VisitDateDue           domain.Period
	VisitNotice            domain.Period
	VisitRecordGrace       domain.Period
	ReportDue              domain.Period
	HearingPeriod          domain.Period
	ActionPlanDue          domain.Period
	RevisitWithin          domain.Period
	AppealWindow           domain.Period
}

// Step is one row of the read model's steps of the cycle.
type Step struct {
	ID         string
	Key        string
	HolderID   string
	HolderRole string
	Opened     domain.Date
	Due        domain.Date
	Status     string
	Closed     domain.Date
	ClosedBy   string
	Escalation int
}

// Kind is the first part of the step's key: "invitation" of "invitation/lead/1".
func (s Step) Kind() string { return Kind(s.Key) }

// Kind is the first part of a step key.
func Kind(key string) string {
	k, _, _ := strings.Cut(key, "/")
	return k
}

// Year is the self-evaluation year a step belongs to, read from its read-model ID
// (".../self-evaluation-2/self-evaluation"); 0 for the steps of other stages.
func Year(stepID string) int {
	const marker = "/self-evaluation-"
	i := strings.LastIndex(stepID, marker)
	if i < 0 {
		return 0
	}
	rest := stepID[i+len(marker):]
	end := strings.IndexByte(rest, '/')
	if end < 0 {
		end = len(rest)
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return 0
	}
	return n
}

// Input is one cycle as the read model holds it.
type Input struct {
	Start     domain.Date
	Durations Durations
	Steps     []Step
	// Visit and Revisit are the agreed dates, zero until set; VisitRecorded is the day the
	// visit was recorded as done.
	Visit, VisitRecorded, Revisit domain.Date
	// Verdict is the verdict of the report (or the final one), 0 before the report.
	Verdict int
	// Ended is set when the cycle is over (finished or cancelled): nothing more is to come.
	Ended bool
	Today domain.Date
}

// Entry is one line of the timeline.
type Entry struct {
	// Kind is the step kind ("self-evaluation", "visit-date", ...) or KindTeam,
	// KindPublication, KindNextCycle.
	Kind string
	// Key is the step's key in the read model, "" for an entry to come.
	Key string
	// Year is the self-evaluation year, 0 otherwise.
	Year  int
	State State
	// Status is the read model's status of a done or current step (done, waived, expired,
	// closed, withdrawn, open).
	Status   string
	HolderID string
	Opened   domain.Date
	Due      domain.Date
	Closed   domain.Date
	ClosedBy string
	// On is the day of an event to come (a visit, the publication, the next cycle).
	On domain.Date
	// Estimated marks dates of an entry to come that depend on a step not done yet.
	Estimated bool
	// OnlyIf names the verdicts for which the entry comes at all ("2,3" for the action
	// plan, "3" for the revisit); "" when it always comes.
	OnlyIf     string
	Escalation int
	// DaysOverdue counts the days a current step is past due.
	DaysOverdue int
}

// anchor is a date and whether it is estimated.
type anchor struct {
	on  domain.Date
	est bool
}

// Build lays out the cycle: done steps in the order they opened, then the open ones, then
// the entries to come in the order they will come.
func Build(in Input) []Entry {
	var done, current []Entry
	seen := map[string]bool{}
	byKind := map[string][]Step{}
	for _, s := range in.Steps {
		kind := s.Kind()
		if kind == "self-evaluation" {
			kind = "self-evaluation-" + strconv.Itoa(Year(s.ID))
		}
		seen[kind] = true
		byKind[kind] = append(byKind[kind], s)
		e := Entry{Kind: s.Kind(), Key: s.Key, Year: Year(s.ID), Status: s.Status, HolderID: s.HolderID,
			Opened: s.Opened, Due: s.Due, Closed: s.Closed, ClosedBy: s.ClosedBy, Escalation: s.Escalation}
		if s.Status == "open" {
			e.State = Current
			e.DaysOverdue = domain.DaysOverdue(s.Due, in.Today)
			current = append(current, e)
		} else {
			e.State = Done
			done = append(done, e)
		}
	}
	out := append(done, current...)
	if in.Ended {
		return out
	}
	return append(out, upcoming(in, seen, byKind)...)
}

// upcoming projects the steps not yet opened.
func upcoming(in Input, seen map[string]bool, byKind map[string][]Step) []Entry {
	d := in.Durations
	var out []Entry
	// finish is when a step of this kind will be (or was) done: its closing day, or its due
	// date (today when it is overdue), or the projected due date.
	finish := func(kind string, projected anchor) anchor {
		rows := byKind[kind]
		if len(rows) == 0 {
			return later(anchor{projected.on, true}, in.Today)
		}
		last := rows[len(rows)-1]
		for _, r := range rows {
			if r.Status == "open" {
				last = r
				return later(anchor{last.Due, true}, in.Today)
			}
		}
		if !last.Closed.IsZero() {
			return anchor{last.Closed, false}
		}
		return later(anchor{last.Due, true}, in.Today)
	}

	// Self-evaluations, years 1 to 3.
	var se3 anchor
	for y := 1; y <= 3; y++ {
		opens := in.Start
		for i := 1; i < y; i++ {
			opens = d.SelfEvaluationInterval.AddTo(opens)
		}
		due := domain.DueDate(opens, d.SelfEvaluationDue)
		kind := "self-evaluation-" + strconv.Itoa(y)
		if !seen[kind] {
			out = append(out, Entry{Kind: "self-evaluation", Year: y, State: Upcoming, Opened: opens, Due: due})
		}
		if y == 3 {
			se3 = finish(kind, anchor{due, false})
		}
	}

	// The external evaluation: the team, then the visit date, the visit, the report and
	// the hearing, each opening when the one before is done.
	teamSeen := seen["invitation"] || seen["manual-assignment"]
	teamDone := anchor{d.InvitationAnswer.AddTo(se3.on), true}
	if !teamSeen {
		out = append(out, Entry{Kind: KindTeam, State: Upcoming, Opened: se3.on, Due: teamDone.on, Estimated: true})
	}
	if seen["visit-date"] {
		teamDone = anchor{byKind["visit-date"][0].Opened, false}
	} else {
		teamDone = later(teamDone, in.Today)
	}

	vdDue := anchor{domain.DueDate(teamDone.on, d.VisitDateDue), teamDone.est}
	if !seen["visit-date"] {
		out = append(out, Entry{Kind: "visit-date", State: Upcoming, Opened: teamDone.on, Due: vdDue.on, Estimated: vdDue.est})
	}
	vdDone := finish("visit-date", vdDue)

	visit := anchor{in.Visit, false}
	if visit.on.IsZero() {
		visit = anchor{d.VisitNotice.AddTo(vdDone.on), true}
	}
	visitDue := anchor{domain.DueDate(visit.on, d.VisitRecordGrace), visit.est}
	if !seen["visit"] {
		out = append(out, Entry{Kind: "visit", State: Upcoming, On: visit.on, Opened: visit.on, Due: visitDue.on, Estimated: visit.est})
	}
	visitDone := finish("visit", visitDue)
	if !in.VisitRecorded.IsZero() {
		visitDone = anchor{in.VisitRecorded, false}
	}

	reportDue := anchor{domain.DueDate(visitDone.on, d.ReportDue), visitDone.est}
	if !seen["report"] {
		out = append(out, Entry{Kind: "report", State: Upcoming, Opened: visitDone.on, Due: reportDue.on, Estimated: reportDue.est})
	}
	reportDone := finish("report", reportDue)

	hearingDue := anchor{domain.DueDate(reportDone.on, d.HearingPeriod), reportDone.est}
	if !seen["hearing"] {
		out = append(out, Entry{Kind: "hearing", State: Upcoming, Opened: reportDone.on, Due: hearingDue.on, Estimated: hearingDue.est})
	}
	final := finish("hearing", hearingDue)

	// Follow-up: the revisit after verdict 3, the action plan after 2 or 3, the appeal window.
	if !seen["revisit-date"] && !seen["revisit"] && (in.Verdict == 0 || in.Verdict == 3) {
		by := d.RevisitWithin.AddTo(final.on)
		out = append(out, Entry{Kind: "revisit", State: Upcoming, Opened: final.on, Due: by, Estimated: final.est, OnlyIf: "3"})
	}
	publication := anchor{d.AppealWindow.AddTo(final.on), final.est}
	if !seen["action-plan"] && (in.Verdict == 0 || in.Verdict >= 2) {
		due := domain.DueDate(final.on, d.ActionPlanDue)
		out = append(out, Entry{Kind: "action-plan", State: Upcoming, Opened: final.on, Due: due, Estimated: final.est, OnlyIf: "2,3"})
	}
	if seen["action-plan"] {
		if plan := finish("action-plan", anchor{}); plan.on.After(publication.on) {
			publication = anchor{plan.on, plan.est || publication.est}
		}
	}
	if !seen["appeal-window"] {
		out = append(out, Entry{Kind: "appeal-window", State: Upcoming, Opened: final.on, Due: publication.on, Estimated: final.est})
	} else {
		publication = finish("appeal-window", publication)
	}
	out = append(out, Entry{Kind: KindPublication, State: Upcoming, On: publication.on, Estimated: publication.est})
	out = append(out, Entry{Kind: KindNextCycle, State: Upcoming, On: d.CycleLength.AddTo(in.Start)})
	return out
}

// later is a projected day, or today when that day has passed (a step not done by its due
// date will be done today at the earliest); a day moved to today is an estimate.
func later(a anchor, today domain.Date) anchor {
	if !today.IsZero() && a.on.Before(today) {
		return anchor{today, true}
	}
	return a
}

// Phase names where the external evaluation stands, from its steps (the workflows'
// EvaluationPhase values): "" before it begins or when the cycle has ended.
func Phase(in Input) string {
	if in.Ended {
		return ""
	}
	open := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range in.Steps {
		seen[s.Kind()] = true
		if s.Status == "open" {
			open[s.Kind()] = true
		}
	}
	switch {
	case open["appeal-decision"]:
		return "appeal"
	case open["verdict-decision"]:
		return "verdict-decision"
	case open["revisit-report"]:
		return "revisit-report"
	case open["revisit"]:
		return "revisit"
	case open["revisit-date"] || (!in.Revisit.IsZero() && !seen["revisit"]):
		return "revisit-planned"
	case open["appeal-window"] || open["action-plan"]:
		return "follow-up"
	case open["hearing"]:
		return "hearing"
	case open["report"]:
		return "report"
	case open["visit"]:
		return "visit"
	case open["visit-date"] || (!in.Visit.IsZero() && !seen["visit"]):
		return "visit-planned"
	case open["invitation"] || open["manual-assignment"]:
		return "team"
	case seen["appeal-window"] || seen["action-plan"]:
		return "done"
	}
	return ""
}
