package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// TestPublicStateFollowsEachPublication: the public pages' cache key changes with every
// published record (a first publication and a correction) and every change of the people
// registry, and reads the same on both backends.
func TestPublicStateFollowsEachPublication(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2030, 3, 1, 9, 0, 0, 123456789, time.UTC)
		s := b.seeded(t, WithClock(func() time.Time { return now }))
		empty, err := s.PublicState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if empty.Records != 0 || !empty.LatestAt.IsZero() || empty.People != 0 || !empty.PeopleAt.IsZero() {
			t.Errorf("empty store's state = %+v, want nothing", empty)
		}
		fillRegistry(t, s)
		rec := PublishedRecord{InstitutionID: "inst-a", InstitutionName: "A", Region: domain.Hovedstaden, Cycle: 1,
			PublishedOn: date(2030, 3, 1), Verdict: 2, Generation: 1, Summary: "Resumé.", AreasToImprove: []string{}}
		if _, err := s.PublishRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		first, err := s.PublicState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := now.Truncate(time.Microsecond)
		if first.Records != 1 || !first.LatestAt.Equal(want) || first.LatestAt.Location() != time.UTC || first.People != 4 {
			t.Errorf("after one publication: %+v, want 1 record at %s and 4 people", first, want)
		}
		now = now.Add(time.Hour)
		rec.Verdict, rec.PublishedOn, rec.Correction = 1, date(2030, 4, 1), "appeal"
		if _, err := s.PublishRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		second, err := s.PublicState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if second.Records != 2 || !second.LatestAt.After(first.LatestAt) || second.PeopleAt != first.PeopleAt {
			t.Errorf("after a correction: %+v, want 2 records, a later time, the same people", second)
		}
		now = now.Add(time.Hour)
		if _, err := s.UpsertPeople(ctx, []Person{{ID: "rev-4", Name: "Rev Four", Email: "r4@example.org",
			Role: domain.RoleReviewer, Region: domain.Sjaelland}}); err != nil {
			t.Fatal(err)
		}
		third, err := s.PublicState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if third.People != 5 || !third.PeopleAt.After(second.PeopleAt) || third.LatestAt != second.LatestAt {
			t.Errorf("after a new person: %+v, want 5 people, a later time, the same records", third)
		}
	})
}

// TestPublishedSelfEvaluationsAreThoseOfPublishedCycles: only cycles with a published record
// are read, and of each only its latest self-evaluation, with ratings and indicator values.
func TestPublishedSelfEvaluationsAreThoseOfPublishedCycles(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		selfEval := func(inst string, cycle int, year, rating int, value string) {
			t.Helper()
			sub := Submission{ID: inst + "/" + string(rune('0'+cycle)) + "/se-" + string(rune('0'+year%10)),
				InstitutionID: inst, Cycle: cycle, Step: "self-evaluation", Kind: "self-evaluation",
				SubmittedBy: "mgr-inst-a", SubmittedOn: date(year, 3, 1), Payload: `{"participants":["Manager A"]}`}
			ratings := []Rating{{Standard: "1.1", Rating: rating, Note: "a private note"}, {Standard: "2.1", Rating: 4}}
			if err := s.InsertSubmission(ctx, sub, ratings, map[string]string{"2.1.3": value}); err != nil {
				t.Fatal(err)
			}
		}
		selfEval("inst-a", 1, 2027, 3, "6 %")
		selfEval("inst-a", 1, 2029, 1, "4,2 %") // the latest of the published cycle
		selfEval("inst-a", 2, 2030, 2, "9 %")   // cycle 2 is running
		selfEval("inst-b", 1, 2029, 4, "12 %")  // never published (cancelled)
		if err := s.InsertSubmission(ctx, Submission{ID: "inst-a/1/comment", InstitutionID: "inst-a", Cycle: 1,
			Step: "hearing", Kind: "comment", SubmittedBy: "mgr-inst-a", SubmittedOn: date(2029, 12, 1), Payload: `{}`}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublishRecord(ctx, PublishedRecord{InstitutionID: "inst-a", InstitutionName: "A",
			Region: domain.Hovedstaden, Cycle: 1, PublishedOn: date(2030, 1, 10), Verdict: 1, Generation: 1,
			AreasToImprove: []string{}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.PublishedSelfEvaluations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("self-evaluations = %+v, want the one of inst-a's published cycle", got)
		}
		se := got[0]
		if se.InstitutionID != "inst-a" || se.Cycle != 1 || !se.SubmittedOn.Equal(date(2029, 3, 1)) ||
			se.Ratings["1.1"] != 1 || se.Ratings["2.1"] != 4 || len(se.Ratings) != 2 ||
			se.Indicators["2.1.3"] != "4,2 %" || len(se.Indicators) != 1 {
			t.Errorf("self-evaluation = %+v, want inst-a's of 2029-03-01 with its two ratings and one value", se)
		}
	})
}

// TestStepTimesOfAPeriod: the steps open at some time in the period, in a region, with the
// dates the annual report counts from.
func TestStepTimesOfAPeriod(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		closed := func(r StepRow, on domain.Date) StepRow { r.Status, r.Closed = "done", on; return r }
		for _, r := range []StepRow{
			closed(step("before", "inst-a", domain.Hovedstaden, "self-evaluation", "", date(2029, 11, 1), 1), date(2029, 12, 20)),
			closed(step("late", "inst-a", domain.Hovedstaden, "report", "", date(2030, 2, 1), 1), date(2030, 2, 11)),
			step("open", "inst-b", domain.Hovedstaden, "action-plan", "open", date(2030, 11, 1), 1),
			step("after", "inst-b", domain.Hovedstaden, "hearing", "open", date(2031, 3, 1), 1),
			step("north", "inst-c", domain.Nordjylland, "report", "open", date(2030, 5, 1), 1),
		} {
			if err := s.UpsertStep(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.StepTimes(ctx, StepTimesFilter{Region: domain.Hovedstaden, From: date(2030, 1, 1), To: date(2030, 12, 31)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, st := range got {
			ids = append(ids, st.InstitutionID+":"+st.Step)
		}
		if want := []string{"inst-a:report", "inst-b:action-plan"}; !slices.Equal(ids, want) {
			t.Errorf("steps of 2030 in Hovedstaden = %v, want %v", ids, want)
		}
		if len(got) == 2 && (!got[0].Closed.Equal(date(2030, 2, 11)) || !got[0].Due.Equal(date(2030, 2, 1)) ||
			got[0].Status != "done" || got[1].Closed.Valid() || got[1].Region != domain.Hovedstaden || got[1].Today.IsZero()) {
			t.Errorf("step times = %+v, want the report closed 2030-02-11 and the open action plan, each with today's date", got)
		}
		all, err := s.StepTimes(ctx, StepTimesFilter{})
		if err != nil || len(all) != 5 {
			t.Errorf("all step times = %d, %v; want 5", len(all), err)
		}
	})
}
