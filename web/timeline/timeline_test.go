package timeline

import (
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

func defaults() Durations {
	return Durations{CycleLength: domain.Years(3), SelfEvaluationInterval: domain.Years(1),
		SelfEvaluationDue: domain.Weeks(8), InvitationAnswer: domain.Days(5), VisitDateDue: domain.Weeks(4),
		VisitNotice: domain.Weeks(4), VisitRecordGrace: domain.Days(2), ReportDue: domain.Weeks(4),
		HearingPeriod: domain.Weeks(2), ActionPlanDue: domain.Weeks(8), RevisitWithin: domain.Months(6),
		AppealWindow: domain.Days(30)}
}

func d(y int, m int, day int) domain.Date { return domain.NewDate(y, time.Month(m), day) }

func kinds(es []Entry) []string {
	var out []string
	for _, e := range es {
		k := e.Kind
		if e.Year > 0 {
			k += "-" + string(rune('0'+e.Year))
		}
		out = append(out, k+":"+string(e.State))
	}
	return out
}

// TestFreshCycle: a cycle started today has its first self-evaluation open and everything
// else to come, dated by the rules: years 2 and 3 on the anniversaries, due 8 weeks later
// (moved off weekends), the external evaluation estimated from the year-3 due date, and the
// next cycle three years on.
func TestFreshCycle(t *testing.T) {
	start := d(2027, 1, 4) // a Monday
	in := Input{Start: start, Durations: defaults(), Today: start, Steps: []Step{
		{ID: "cycle/H-01/1~a/self-evaluation-1/self-evaluation", Key: "self-evaluation", Opened: start,
			Due: d(2027, 3, 1), Status: "open", HolderID: "P-001"},
	}}
	es := Build(in)
	want := []string{"self-evaluation-1:current", "self-evaluation-2:upcoming", "self-evaluation-3:upcoming", "team:upcoming",
		"visit-date:upcoming", "visit:upcoming", "report:upcoming", "hearing:upcoming", "revisit:upcoming",
		"action-plan:upcoming", "appeal-window:upcoming", "publication:upcoming", "next-cycle:upcoming"}
	if got := kinds(es); len(got) != len(want) {
		t.Fatalf("entries %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("entries %v, want %v", got, want)
			}
		}
	}
	// Year 2 opens on 2028-01-04 (a Tuesday), due 8 weeks later: 2028-02-29 (leap day, a Tuesday).
	if es[1].Opened != d(2028, 1, 4) || es[1].Due != d(2028, 2, 29) || es[1].Estimated {
		t.Errorf("year 2: %+v", es[1])
	}
	// Year 3 opens 2029-01-04, due 2029-03-01 (Thursday).
	if es[2].Opened != d(2029, 1, 4) || es[2].Due != d(2029, 3, 1) {
		t.Errorf("year 3: %+v", es[2])
	}
	team := es[3]
	if team.Opened != d(2029, 3, 1) || team.Due != d(2029, 3, 6) || !team.Estimated {
		t.Errorf("team: %+v", team)
	}
	vd := es[4]
	if vd.Opened != d(2029, 3, 6) || vd.Due != domain.DueDate(d(2029, 3, 6), domain.Weeks(4)) {
		t.Errorf("visit date: %+v", vd)
	}
	visit := es[5]
	if visit.On != domain.Weeks(4).AddTo(vd.Due) || !visit.Estimated {
		t.Errorf("visit: %+v (visit-date due %s)", visit, vd.Due)
	}
	if es[8].OnlyIf != "3" || es[9].OnlyIf != "2,3" {
		t.Errorf("conditional entries: %+v %+v", es[8], es[9])
	}
	if next := es[12]; next.On != d(2030, 1, 4) || next.Estimated {
		t.Errorf("next cycle: %+v", next)
	}
}

// TestExternalEvaluationUnderWay: done steps keep their dates and who acted; a known visit
// date anchors the report and the hearing; an overdue step moves what follows to today.
func TestExternalEvaluationUnderWay(t *testing.T) {
	start := d(2024, 1, 8)
	today := d(2027, 3, 10)
	steps := []Step{
		{ID: "c/self-evaluation-1/self-evaluation", Key: "self-evaluation", Opened: start, Due: d(2024, 3, 4), Status: "done", Closed: d(2024, 2, 20), ClosedBy: "P-001"},
		{ID: "c/self-evaluation-2/self-evaluation", Key: "self-evaluation", Opened: d(2025, 1, 8), Due: d(2025, 3, 5), Status: "waived", Closed: d(2025, 3, 1), ClosedBy: "P-131"},
		{ID: "c/self-evaluation-3/self-evaluation", Key: "self-evaluation", Opened: d(2026, 1, 8), Due: d(2026, 3, 5), Status: "done", Closed: d(2026, 2, 27), ClosedBy: "P-001"},
		{ID: "c/external-evaluation/invitation/lead/1", Key: "invitation/lead/1", Opened: d(2026, 2, 27), Due: d(2026, 3, 4), Status: "done", Closed: d(2026, 3, 2), ClosedBy: "P-084"},
		{ID: "c/external-evaluation/visit-date", Key: "visit-date", Opened: d(2026, 3, 2), Due: d(2026, 3, 30), Status: "done", Closed: d(2026, 3, 20), ClosedBy: "P-084"},
		{ID: "c/external-evaluation/visit", Key: "visit", Opened: d(2027, 2, 1), Due: d(2027, 2, 3), Status: "open", HolderID: "P-084"},
	}
	in := Input{Start: start, Durations: defaults(), Today: today, Steps: steps, Visit: d(2027, 2, 1)}
	es := Build(in)
	if es[0].State != Done || es[0].ClosedBy != "P-001" || es[0].Closed != d(2024, 2, 20) || es[0].Year != 1 {
		t.Errorf("first entry %+v", es[0])
	}
	if es[1].Status != "waived" {
		t.Errorf("year 2 waived: %+v", es[1])
	}
	cur := es[5]
	if cur.State != Current || cur.DaysOverdue != 35 {
		t.Errorf("the visit, overdue since 2027-02-03: %+v", cur)
	}
	// Nothing before the external evaluation is to come, and the visit is not projected again.
	var up []Entry
	for _, e := range es {
		if e.State == Upcoming {
			up = append(up, e)
		}
	}
	if up[0].Kind != "report" {
		t.Fatalf("first entry to come is %+v", up[0])
	}
	// The visit is overdue: it will be recorded today at the earliest, and the report is due 4 weeks on.
	if up[0].Opened != today || up[0].Due != domain.DueDate(today, domain.Weeks(4)) || !up[0].Estimated {
		t.Errorf("report: %+v", up[0])
	}
	if Phase(in) != "visit" {
		t.Errorf("phase %q, want visit", Phase(in))
	}
}

// TestVerdictDecidesWhatComes: after verdict 1 neither the revisit nor the action plan
// comes; after verdict 2 the plan does; an ended cycle has nothing to come.
func TestVerdictDecidesWhatComes(t *testing.T) {
	start := d(2024, 1, 8)
	base := []Step{
		{ID: "c/self-evaluation-1/x", Key: "self-evaluation", Status: "done", Closed: d(2024, 2, 1)},
		{ID: "c/self-evaluation-2/x", Key: "self-evaluation", Status: "done", Closed: d(2025, 2, 1)},
		{ID: "c/self-evaluation-3/x", Key: "self-evaluation", Status: "done", Closed: d(2026, 2, 1)},
		{ID: "c/e/invitation/lead/1", Key: "invitation/lead/1", Status: "done", Closed: d(2026, 2, 3)},
		{ID: "c/e/visit-date", Key: "visit-date", Opened: d(2026, 2, 3), Status: "done", Closed: d(2026, 2, 10)},
		{ID: "c/e/visit", Key: "visit", Status: "done", Closed: d(2026, 3, 12)},
		{ID: "c/e/report", Key: "report", Status: "done", Closed: d(2026, 4, 1)},
		{ID: "c/e/hearing", Key: "hearing", Opened: d(2026, 4, 1), Due: d(2026, 4, 15), Status: "open"},
	}
	has := func(es []Entry, kind string) bool {
		for _, e := range es {
			if e.Kind == kind && e.State == Upcoming {
				return true
			}
		}
		return false
	}
	in := Input{Start: start, Durations: defaults(), Today: d(2026, 4, 5), Steps: base, Verdict: 1}
	es := Build(in)
	if has(es, "revisit") || has(es, "action-plan") || !has(es, "appeal-window") || !has(es, KindPublication) {
		t.Errorf("verdict 1: %v", kinds(es))
	}
	if Phase(in) != "hearing" {
		t.Errorf("phase %q", Phase(in))
	}
	in.Verdict = 2
	if es := Build(in); has(es, "revisit") || !has(es, "action-plan") {
		t.Errorf("verdict 2: %v", kinds(es))
	}
	// The appeal window closes 30 days after the hearing ends (2026-04-15), and publication follows.
	for _, e := range Build(in) {
		if e.Kind == "appeal-window" && (e.Opened != d(2026, 4, 15) || e.Due != d(2026, 5, 15)) {
			t.Errorf("appeal window %+v", e)
		}
	}
	in.Ended = true
	if es := Build(in); has(es, KindPublication) || len(es) != len(base) || Phase(in) != "" {
		t.Errorf("ended: %v", kinds(es))
	}
}

func TestYear(t *testing.T) {
	for id, want := range map[string]int{
		"cycle/H-01/1~abc/self-evaluation-2/self-evaluation":   2,
		"cycle/H-01/1~abc/self-evaluation-3/self-evaluation#2": 3,
		"cycle/H-01/1~abc/external-evaluation/report":          0,
		"cycle/H-01/1~abc/self-evaluation-x/self-evaluation":   0,
		"cycle/H-01/1~abc/self-evaluation-1":                   1,
	} {
		if got := Year(id); got != want {
			t.Errorf("Year(%q) = %d, want %d", id, got, want)
		}
	}
}
